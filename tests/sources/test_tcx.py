"""TCX files (Garmin Connect, Polar, Suunto, Strava, Fitbit): every activity with its laps and trackpoints."""

from __future__ import annotations

from datetime import datetime

import pytest

from fitbalance.models import Decoded
from fitbalance.sources import decode_bytes
from synth import xml_exports

NS = (
    'xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2" '
    'xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2"'
)


def tcx(activities: str, wrapper: str = "Activities") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<TrainingCenterDatabase {NS}>\n<{wrapper}>\n{activities}'
        f"</{wrapper}>\n</TrainingCenterDatabase>\n"
    ).encode()


def point(time: str, hr: int | None = 120, dist: float | None = None) -> str:
    rate = f"<HeartRateBpm><Value>{hr}</Value></HeartRateBpm>" if hr is not None else ""
    distance = f"<DistanceMeters>{dist}</DistanceMeters>" if dist is not None else ""
    return f"<Trackpoint><Time>{time}</Time>{distance}{rate}</Trackpoint>\n"


def activity(sport: str, start: str, points: str, seconds: float = 600, metres: float = 2000, notes: str = "") -> str:
    return (
        f'<Activity Sport="{sport}"><Id>{start}</Id>{notes}<Lap StartTime="{start}">'
        f"<TotalTimeSeconds>{seconds}</TotalTimeSeconds><DistanceMeters>{metres}</DistanceMeters>"
        f"<Calories>80</Calories><Track>\n{points}</Track></Lap></Activity>\n"
    )


@pytest.fixture(scope="module")
def sample() -> tuple[Decoded, dict[str, object]]:
    data, expect = xml_exports.sample_files()["xml/garmin_run_ride_stub.tcx"]
    return decode_bytes(data, "garmin_run_ride_stub.tcx"), expect


def test_every_activity_of_the_file_loads_with_its_laps_and_samples(sample: tuple[Decoded, dict[str, object]]) -> None:
    """A run and a ride, their three laps and every trackpoint, with heart rate, position and distance."""
    decoded, expect = sample
    assert decoded.source_format == "tcx"
    assert decoded.activities["sport"].to_list() == ["running", "cycling"]
    assert decoded.laps.height == expect["laps"] == 3
    assert decoded.samples.height == expect["samples"]
    assert decoded.samples["heart_rate"].null_count() == 0 and decoded.samples["lat"].null_count() == 0
    run = decoded.activities.row(0, named=True)
    assert run["moving_s"] == pytest.approx(1805) and run["distance_m"] > 5000 and run["device"] == "Forerunner 265"
    assert run["avg_hr"] is not None and run["max_hr"] is not None and run["calories_kcal"] is not None


def test_times_are_instants_with_or_without_their_offset(sample: tuple[Decoded, dict[str, object]]) -> None:
    """``Z``: UTC with the local offset left to the store; ``+01:00``: the offset is the row's own."""
    decoded, _ = sample
    run, ride = decoded.activities.rows(named=True)
    assert run["start_time_utc"] == datetime(2025, 11, 18, 6, 30) and run["utc_offset_s"] is None
    assert ride["start_time_utc"] == datetime(2025, 11, 19, 16, 0)
    assert (ride["utc_offset_s"], ride["utc_offset_source"]) == (3600, "row")


def test_a_few_seconds_without_movement_is_set_aside(sample: tuple[Decoded, dict[str, object]]) -> None:
    """The 8-second ``Other`` activity that moved 0 m is a quarantine row (with its samples and lap counted), not a
    workout."""
    decoded, _ = sample
    by_table = {r.table: r for r in decoded.rejected}
    assert set(by_table) == {"activities", "samples", "laps"}
    assert "8 s moving 0 m" in by_table["activities"].reason and by_table["samples"].rows == 2
    assert by_table["activities"].payload is not None and '"Other"' in by_table["activities"].payload


def test_a_multisport_session_gives_one_activity_per_leg() -> None:
    """A ``<MultiSportSession>`` with a swim, a ride and a run: three activities."""
    legs = "".join(
        f"<{wrap}>{activity(sport, f'2024-06-02T08:{m:02d}:00+02:00', point(f'2024-06-02T08:{m + 9:02d}:00+02:00'))}"
        f"</{wrap}>"
        for wrap, sport, m in (("FirstSport", "Other", 0), ("NextSport", "Biking", 10), ("NextSport", "Running", 40))
    )
    decoded = decode_bytes(tcx(f"<MultiSportSession><Id>2024-06-02T06:00:00Z</Id>{legs}</MultiSportSession>"), "t.tcx")
    assert decoded.activities["sport"].to_list() == ["generic", "cycling", "running"]
    assert decoded.activities["utc_offset_s"].to_list() == [7200] * 3


def test_other_keeps_its_notes_as_name() -> None:
    """Fitbit's TCX of a workout writes ``Sport="Other"``: its notes name it, and the classifier reads the name."""
    notes = "<Notes>Weights</Notes>"
    decoded = decode_bytes(
        tcx(activity("Other", "2024-01-05T17:00:00.000Z", point("2024-01-05T17:59:00.000Z"), 3600, 0, notes)), "f.tcx"
    )
    row = decoded.activities.row(0, named=True)
    assert (row["sport"], row["name"]) == ("generic", "Weights")


def test_a_trackpoint_without_a_readable_time_is_set_aside_alone() -> None:
    """One trackpoint's time is not a time: it is a quarantine row naming its line; the others load."""
    points = point("2024-01-05T17:00:00Z") + point("noon") + point("2024-01-05T17:10:00Z")
    decoded = decode_bytes(tcx(activity("Running", "2024-01-05T17:00:00Z", points)), "r.tcx")
    assert decoded.samples.height == 2
    (rejected,) = decoded.rejected
    assert rejected.table == "samples" and "noon" in rejected.reason and rejected.reason.startswith("line ")


def test_courses_and_workouts_are_plans_and_skipped() -> None:
    """A TCX of courses (a route to follow) holds no recorded activity: skipped with that kind."""
    decoded = decode_bytes(tcx("<Course><Name>Loop</Name></Course>\n", "Courses"), "c.tcx")
    assert decoded.file_type == "no_activities" and "courses" in decoded.detail


def test_strava_tcx_with_spaces_before_its_declaration_is_read() -> None:
    """Strava writes its TCX with spaces before ``<?xml``; it is read like any other."""
    data = b"          " + tcx(activity("Biking", "2024-01-05T17:00:00Z", point("2024-01-05T17:30:00Z")))
    decoded = decode_bytes(data, "strava.tcx")
    assert decoded.activities["sport"].to_list() == ["cycling"]


def test_an_activity_list_holds_activities_and_multisport_sessions_with_tpx_values() -> None:
    """The v2 schema's ``ActivityList_t``: ``<Activity>`` and ``<MultiSportSession>`` side by side in one file; a
    trackpoint's ``Position``, ``Cadence`` and the ``ActivityExtension/v2`` ``TPX`` values (``Speed``, ``Watts``,
    ``RunCadence``) are its samples."""
    tpx = (
        "<Position><LatitudeDegrees>47.1</LatitudeDegrees><LongitudeDegrees>8.5</LongitudeDegrees></Position>"
        "<Extensions><ns3:TPX><ns3:Speed>3.5</ns3:Speed><ns3:Watts>250</ns3:Watts>"
        "<ns3:RunCadence>88</ns3:RunCadence></ns3:TPX></Extensions>"
    )
    run_points = "".join(
        point(f"2024-06-01T07:{m:02d}:00+01:00").replace("</Trackpoint>", f"{tpx}</Trackpoint>") for m in (0, 5, 10)
    )
    legs = "".join(
        f"<{wrap}>{activity(sport, f'2024-06-02T08:{m:02d}:00Z', point(f'2024-06-02T08:{m + 9:02d}:00Z'))}</{wrap}>"
        for wrap, sport, m in (("FirstSport", "Biking", 0), ("NextSport", "Running", 20))
    )
    data = tcx(
        activity("Running", "2024-06-01T07:00:00+01:00", run_points)
        + f"<MultiSportSession><Id>2024-06-02T08:00:00Z</Id>{legs}</MultiSportSession>"
    )
    decoded = decode_bytes(data, "mixed.tcx")
    assert decoded.activities["sport"].to_list() == ["running", "cycling", "running"]
    assert decoded.activities["utc_offset_s"].to_list() == [3600, None, None]
    assert decoded.activities["start_time_utc"].to_list()[0] == datetime(2024, 6, 1, 6, 0)
    run = decoded.samples.filter(decoded.samples["session_index"] == 0)
    assert run["speed_mps"].to_list() == [3.5] * 3 and run["power_w"].to_list() == [250] * 3
    assert run["cadence"].to_list() == [88] * 3 and run["lat"].to_list() == [47.1] * 3
