"""GPX tracks (Strava, Garmin Connect, Suunto, Apple routes): one activity per timed track, with its samples."""

from __future__ import annotations

from datetime import datetime

import pytest

from fitbalance.sources import decode_bytes
from fitbalance.sources.xml import gpx
from synth import xml_exports


def document(tracks: str, creator: str = "Garmin Connect") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<gpx creator="{creator}" version="1.1" '
        'xmlns="http://www.topografix.com/GPX/1/1" '
        f'xmlns:ns3="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">\n{tracks}</gpx>\n'
    ).encode()


def track(points: list[tuple[str, float]], kind: str = "", name: str = "Evening Ride") -> str:
    typed = f"<type>{kind}</type>" if kind else ""
    body = "".join(
        f'<trkpt lat="47.0" lon="{lon}"><ele>400</ele><time>{t}</time><extensions><ns3:TrackPointExtension>'
        "<ns3:hr>130</ns3:hr></ns3:TrackPointExtension></extensions></trkpt>\n"
        for t, lon in points
    )
    return f"<trk><name>{name}</name>{typed}<trkseg>\n{body}</trkseg></trk>\n"


def test_strava_gpx_loads_its_run_with_heart_rate() -> None:
    """Strava's GPX: ``<type>running</type>``, points every 5 s with ``gpxtpx:hr`` and cadence."""
    data, expect = xml_exports.sample_files()["xml/strava_morning_run.gpx"]
    decoded = decode_bytes(data, "strava_morning_run.gpx")
    assert decoded.source_format == "gpx" and decoded.activities.height == 1
    run = decoded.activities.row(0, named=True)
    assert (run["sport"], run["name"], run["device"]) == ("running", "Morning Run", "StravaGPX")
    assert run["start_time_utc"] == datetime(2025, 11, 13, 6, 15) and run["utc_offset_s"] is None
    assert run["elapsed_s"] == 45 * 60
    assert run["distance_m"] == pytest.approx(45 * 60 * 3.33, rel=0.01)
    assert decoded.samples.height == expect["samples"]
    assert decoded.samples["heart_rate"].null_count() == 0 and decoded.samples["cadence"].null_count() == 0


@pytest.mark.parametrize(
    ("kind", "sport"),
    [
        ("running", ("running", "generic")),
        ("9", ("running", "generic")),
        ("Ride", ("cycling", "generic")),
        ("strength_training", ("training", "strength_training")),
        ("Weight Training", ("training", "strength_training")),
        ("Hiking", ("hiking", "generic")),
    ],
)
def test_the_track_type_gives_the_sport(kind: str, sport: tuple[str, str]) -> None:
    """Garmin's FIT sport names, app names and Strava's numeric codes."""
    assert gpx.sport_of(kind) == sport


def test_without_a_type_the_name_is_kept_for_the_classifier() -> None:
    """No ``<type>`` (Suunto, most apps): generic, named as the track is."""
    points = [("2024-05-01T17:00:00Z", 8.0), ("2024-05-01T17:30:00+00:00", 8.2)]
    decoded = decode_bytes(document(track(points)), "ride.gpx")
    row = decoded.activities.row(0, named=True)
    assert (row["sport"], row["name"]) == ("generic", "Evening Ride")
    assert row["distance_m"] == pytest.approx(0.2 * 111_195 * 0.682, rel=0.01)  # 0.2 degrees of longitude at 47 N


def test_each_timed_track_is_an_activity_and_a_stub_is_set_aside() -> None:
    """Two tracks: a 30-minute ride loads; a 5-second track that moved nowhere is set aside as a row."""
    ride = track([("2024-05-01T17:00:00Z", 8.0), ("2024-05-01T17:30:00Z", 8.2)], "cycling")
    stub = track([("2024-05-01T18:00:00Z", 8.2), ("2024-05-01T18:00:05Z", 8.2)], "running", "Oops")
    decoded = decode_bytes(document(ride + stub), "two.gpx")
    assert decoded.activities["sport"].to_list() == ["cycling"]
    assert [r.table for r in decoded.rejected] == ["activities", "samples"]
    assert "5 s moving 0 m" in decoded.rejected[0].reason


def test_an_apple_workout_route_belongs_to_its_workout() -> None:
    """A route GPX of Apple Health's export is skipped with that reason, not loaded as a second activity."""
    route = track([("2024-05-01T17:00:00Z", 8.0), ("2024-05-01T17:30:00Z", 8.2)])
    decoded = decode_bytes(document(route, "Apple Health Export"), "export.zip!/workout-routes/route_1.gpx")
    assert decoded.file_type == "no_activities" and "samples of their workout" in decoded.detail


def test_routes_and_waypoints_are_plans() -> None:
    """A GPX of a route to follow and waypoints, without a timed track: skipped with that kind."""
    plan = '<wpt lat="47" lon="8"><name>Hut</name></wpt>\n<rte><rtept lat="47" lon="8"/></rte>\n'
    decoded = decode_bytes(document(plan), "plan.gpx")
    assert decoded.file_type == "no_activities" and "routes" in decoded.detail


def test_a_point_with_a_bad_time_is_set_aside_alone() -> None:
    """One point's time cannot be read: a quarantine row naming its line; the rest of the track loads."""
    points = [("2024-05-01T17:00:00Z", 8.0), ("half past", 8.1), ("2024-05-01T17:30:00Z", 8.2)]
    data = document(track(points))
    line = next(i for i, text in enumerate(data.decode().splitlines(), 1) if "half past" in text)
    decoded = decode_bytes(data, "bad.gpx")
    assert decoded.samples.height == 2
    (rejected,) = decoded.rejected
    assert rejected.table == "samples" and "half past" in rejected.reason and rejected.line == line


def test_offsets_segments_and_garmins_v2_extension() -> None:
    """GPX 1.1 with times at ``+01:00`` (kept as the offset), two ``<trkseg>`` of one track (one activity), and
    Garmin's TrackPointExtension v2 (``gpxtpx:hr``, ``gpxtpx:cad``, ``gpxtpx:speed``; ``atemp`` left out)."""

    def seg(minutes: tuple[int, ...]) -> str:
        return (
            "<trkseg>"
            + "".join(
                f'<trkpt lat="46.0" lon="{7 + m / 1000}"><ele>500</ele><time>2024-07-01T09:{m:02d}:00+01:00</time>'
                "<extensions><gpxtpx:TrackPointExtension><gpxtpx:atemp>21</gpxtpx:atemp><gpxtpx:hr>140</gpxtpx:hr>"
                "<gpxtpx:cad>85</gpxtpx:cad><gpxtpx:speed>2.8</gpxtpx:speed></gpxtpx:TrackPointExtension>"
                "</extensions></trkpt>"
                for m in minutes
            )
            + "</trkseg>\n"
        )

    data = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<gpx creator="Garmin Connect" version="1.1" '
        'xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v2">\n'
        f"<trk><name>Hike</name><type>hiking</type>{seg((0, 10))}{seg((30, 40))}</trk>\n</gpx>\n"
    ).encode()
    decoded = decode_bytes(data, "hike.gpx")
    (hike,) = decoded.activities.iter_rows(named=True)
    assert (hike["sport"], hike["utc_offset_s"], hike["elapsed_s"]) == ("hiking", 3600, 40 * 60)
    assert hike["start_time_utc"] == datetime(2024, 7, 1, 8, 0)
    samples = decoded.samples
    assert samples.height == 4 and samples["heart_rate"].to_list() == [140] * 4
    assert samples["cadence"].to_list() == [85] * 4 and samples["speed_mps"].to_list() == [2.8] * 4
