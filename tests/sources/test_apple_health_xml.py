"""Apple Health's own export (export.xml, bare or in export.zip): every layout, every workout type, read as a stream.

The sample export is made by ``synth.xml_exports`` (its plan is the expectation); the small documents
written here show one layout each.
"""

from __future__ import annotations

import gzip
import io
import zipfile
from datetime import datetime
from pathlib import Path

import pytest

from fitbalance.classify import classify_activity
from fitbalance.models import Decoded, SourceRef
from fitbalance.sources import decode_bytes, decode_source, limits
from fitbalance.sources.archive import discover
from fitbalance.sources.formats import ReadOptions
from fitbalance.sources.xml import apple_health
from synth import xml_exports

# HealthKit's HKWorkoutActivityType enumeration as Apple publishes it (developer.apple.com/documentation/healthkit/
# hkworkoutactivitytype), deprecated cases included: an export may hold any of them.
PUBLISHED = [
    "AmericanFootball",
    "Archery",
    "AustralianFootball",
    "Badminton",
    "Baseball",
    "Basketball",
    "Bowling",
    "Boxing",
    "Climbing",
    "Cricket",
    "CrossTraining",
    "Curling",
    "Cycling",
    "Dance",
    "DanceInspiredTraining",
    "Elliptical",
    "EquestrianSports",
    "Fencing",
    "Fishing",
    "FunctionalStrengthTraining",
    "Golf",
    "Gymnastics",
    "Handball",
    "Hiking",
    "Hockey",
    "Hunting",
    "Lacrosse",
    "MartialArts",
    "MindAndBody",
    "MixedMetabolicCardioTraining",
    "PaddleSports",
    "Play",
    "PreparationAndRecovery",
    "Racquetball",
    "Rowing",
    "Rugby",
    "Running",
    "Sailing",
    "SkatingSports",
    "SnowSports",
    "Soccer",
    "Softball",
    "Squash",
    "StairClimbing",
    "SurfingSports",
    "Swimming",
    "TableTennis",
    "Tennis",
    "TrackAndField",
    "TraditionalStrengthTraining",
    "Volleyball",
    "Walking",
    "WaterFitness",
    "WaterPolo",
    "WaterSports",
    "Wrestling",
    "Yoga",
    "Barre",
    "CoreTraining",
    "CrossCountrySkiing",
    "DownhillSkiing",
    "Flexibility",
    "HighIntensityIntervalTraining",
    "JumpRope",
    "Kickboxing",
    "Pilates",
    "Snowboarding",
    "Stairs",
    "StepTraining",
    "WheelchairWalkPace",
    "WheelchairRunPace",
    "TaiChi",
    "MixedCardio",
    "HandCycling",
    "DiscSports",
    "FitnessGaming",
    "CardioDance",
    "SocialDance",
    "Pickleball",
    "Cooldown",
    "SwimBikeRun",
    "Transition",
    "UnderwaterDiving",
    "Other",
]


def export(body: str) -> bytes:
    """A minimal export.xml around ``body`` (with Apple's kind of internal DTD: declarations, no entity)."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE HealthData [\n<!ELEMENT HealthData ANY>\n'
        "<!ATTLIST HealthData\n  locale CDATA #REQUIRED\n>\n]>\n"
        f'<HealthData locale="en_US">\n<ExportDate value="2024-02-01 08:00:00 +0100"/>\n{body}</HealthData>\n'
    ).encode()


def workout(attrs: str, children: str = "") -> str:
    return f'<Workout sourceName="Apple Watch" {attrs}>\n{children}</Workout>\n'


def hr(time: str, value: int) -> str:
    return (
        f'<Record type="HKQuantityTypeIdentifierHeartRate" sourceName="Apple Watch" unit="count/min" '
        f'startDate="{time}" endDate="{time}" value="{value}"/>\n'
    )


def read(data: bytes, path: str = "export.xml") -> Decoded:
    return decode_bytes(data, path)


@pytest.fixture(scope="module")
def sample() -> tuple[Decoded, dict[str, object]]:
    files = xml_exports.sample_files()
    zipped, expect = files["xml/apple_health/export.zip"]
    with zipfile.ZipFile(io.BytesIO(zipped)) as archive:
        data = archive.read("apple_health_export/export.xml")
    return read(data), expect


def test_every_published_workout_type_is_mapped() -> None:
    """The type table holds every HKWorkoutActivityType Apple publishes, and nothing else."""
    assert sorted(apple_health.workout_types()) == sorted(PUBLISHED)
    assert len(PUBLISHED) >= 80


@pytest.mark.parametrize("name", sorted(apple_health.workout_types()))
def test_the_classifier_gives_each_type_the_class_its_row_names(name: str) -> None:
    """Each row's ``class`` is what the classifier makes of its sport (the table says why)."""
    kind = apple_health.workout_types()[name]
    got = classify_activity(
        activity_id="x",
        sport=kind.sport,
        sub_sport=kind.sub_sport,
        name=kind.display,
        working_sets=0,
        distance_m=None,
        elapsed_s=1800.0,
    )
    assert f"{got.category.value}/{got.subcategory.value}" == kind.expected, kind.why
    assert kind.why


def test_strength_is_resistance_and_the_circuits_are_mixed() -> None:
    """Traditional and functional strength training are resistance; core, HIIT, mixed metabolic cardio and cross
    training are other exercise of the mixed kind."""
    types = apple_health.workout_types()
    assert types["TraditionalStrengthTraining"].expected == types["FunctionalStrengthTraining"].expected
    assert types["TraditionalStrengthTraining"].expected == "resistance/strength"
    for name in ("CoreTraining", "HighIntensityIntervalTraining", "MixedMetabolicCardioTraining", "CrossTraining"):
        assert types[name].expected == "other/mixed", name


def test_the_sample_export_gives_every_workout_with_its_type(sample: tuple[Decoded, dict[str, object]]) -> None:
    """Seven workouts, of the types the generator wrote, each with the app that wrote it as its device."""
    decoded, expect = sample
    assert decoded.source_format == "xml:apple_health" and decoded.is_activity
    assert decoded.activities.height == expect["activities"] == 7
    names = decoded.activities["name"].to_list()
    assert names[0] == "Traditional Strength Training" and names[2] == "Functional Strength Training"
    assert sorted(set(decoded.activities["device"].to_list())) == expect["written_by"]
    strength = decoded.activities.filter(decoded.activities["sub_sport"] == "strength_training")
    assert strength.height == expect["resistance"] == 2


def test_times_keep_their_offset(sample: tuple[Decoded, dict[str, object]]) -> None:
    """``2025-11-10 18:00:00 +0100`` is 17:00 UTC with an offset of one hour, given by the row (never placed)."""
    decoded, _ = sample
    first = decoded.activities.row(0, named=True)
    assert first["start_time_utc"] == datetime(2025, 11, 10, 17, 0)
    assert first["utc_offset_s"] == 3600 and first["utc_offset_source"] == "row"


def test_units_are_read_as_written(sample: tuple[Decoded, dict[str, object]]) -> None:
    """Miles, yards and kilometres to metres; kJ and Cal to kcal; durations in min, s and hr to seconds."""
    decoded, _ = sample
    rows = decoded.activities.rows(named=True)
    strava_run, hevy, hiit, swim, core = rows[3], rows[2], rows[4], rows[5], rows[6]
    assert strava_run["distance_m"] == pytest.approx(5.6 * 1609.344)
    assert swim["distance_m"] == pytest.approx(1800 * 0.9144) and swim["sub_sport"] == "lap_swimming"
    assert hevy["calories_kcal"] == pytest.approx(1420 / 4.184)
    assert hiit["calories_kcal"] == 240 and hiit["moving_s"] == pytest.approx(20 * 60)
    assert core["moving_s"] == pytest.approx(30 * 60)
    assert strava_run["moving_s"] == pytest.approx(45 * 60)


def test_a_pause_makes_the_timer_shorter_than_the_elapsed_time(sample: tuple[Decoded, dict[str, object]]) -> None:
    """The Tuesday run was paused for two minutes: 48 minutes of timer in 50 elapsed."""
    decoded, _ = sample
    run = decoded.activities.row(1, named=True)
    assert run["elapsed_s"] == pytest.approx(50 * 60) and run["moving_s"] == pytest.approx(48 * 60)


def test_a_statistic_that_disagrees_with_the_total_wins_and_is_recorded(
    sample: tuple[Decoded, dict[str, object]],
) -> None:
    """The run's total says 8.2 km, its distance statistic 8.036 km: the statistic counts, a repair keeps the total."""
    decoded, _ = sample
    assert decoded.activities.row(1, named=True)["distance_m"] == pytest.approx(8036)
    (repair,) = decoded.repairs
    assert repair["column_name"] == "distance_m" and repair["rule"] == apple_health.REPAIR_RULE
    assert repair["session_index"] == 1 and "8200 m" in str(repair["original"])


def test_heart_rate_records_inside_a_workout_become_its_samples(sample: tuple[Decoded, dict[str, object]]) -> None:
    """Every reading the watch took during its workouts is a sample of that workout; the readings through the day,
    outside any workout, are not samples."""
    decoded, expect = sample
    assert decoded.every_sample().height == expect["samples"]
    per_session = dict(decoded.every_sample().group_by("session_index").len().iter_rows())
    assert set(per_session) == {0, 1, 4, 6}  # the watch's workouts with heart rate
    starts = decoded.activities["start_time_utc"].to_list()
    samples = decoded.every_sample()
    first = samples.filter(samples["session_index"] == 0)["timestamp_utc"].min()
    assert first == starts[0]


def test_older_layout_with_events_and_no_duration() -> None:
    """Totals as attributes (older exports), no ``duration``: the timer time is the elapsed time less the pauses."""
    body = workout(
        'workoutActivityType="HKWorkoutActivityTypeCycling" totalDistance="20" totalDistanceUnit="km" '
        'totalEnergyBurned="2000" totalEnergyBurnedUnit="kJ" startDate="2019-05-04 09:00:00 -0400" '
        'endDate="2019-05-04 10:00:00 -0400"',
        '<MetadataEntry key="HKIndoorWorkout" value="1"/>\n'
        '<WorkoutEvent type="HKWorkoutEventTypePause" date="2019-05-04 09:20:00 -0400"/>\n'
        '<WorkoutEvent type="HKWorkoutEventTypeResume" date="2019-05-04 09:30:00 -0400"/>\n',
    )
    ride = read(export(body)).activities.row(0, named=True)
    assert ride["start_time_utc"] == datetime(2019, 5, 4, 13, 0) and ride["utc_offset_s"] == -4 * 3600
    assert ride["elapsed_s"] == 3600 and ride["moving_s"] == 3000
    assert ride["distance_m"] == 20_000 and ride["calories_kcal"] == pytest.approx(2000 / 4.184)
    assert (ride["sport"], ride["sub_sport"]) == ("cycling", "indoor_cycling")


def test_a_time_without_offset_is_placed_by_the_workouts_time_zone() -> None:
    """A time written without an offset is read in the workout's ``HKTimeZone``."""
    body = workout(
        'workoutActivityType="HKWorkoutActivityTypeYoga" duration="30" durationUnit="min" '
        'startDate="2024-07-01 07:00:00" endDate="2024-07-01 07:30:00"',
        '<MetadataEntry key="HKTimeZone" value="Europe/Paris"/>\n',
    )
    yoga = read(export(body)).activities.row(0, named=True)
    assert yoga["start_time_utc"] == datetime(2024, 7, 1, 5, 0) and yoga["utc_offset_s"] == 7200


def test_a_multisport_workout_gives_one_activity_per_part() -> None:
    """A swim-bike-run whose ``<WorkoutActivity>`` parts name their types gives three activities; a part without a
    type lends its statistics to its workout."""
    part = (
        '<WorkoutActivity uuid="{u}" workoutActivityType="HKWorkoutActivityType{t}" startDate="{s}" endDate="{e}" '
        'duration="{d}" durationUnit="min">\n<WorkoutStatistics type="HKQuantityTypeIdentifier{k}" startDate="{s}" '
        'endDate="{e}" sum="{v}" unit="km"/>\n</WorkoutActivity>\n'
    )
    parts = "".join(
        part.format(
            u=i, t=t, s=f"2024-06-02 08:{s:02d}:00 +0200", e=f"2024-06-02 08:{e:02d}:00 +0200", d=e - s, k=k, v=v
        )
        for i, (t, s, e, k, v) in enumerate(
            [
                ("Swimming", 0, 15, "DistanceSwimming", 0.75),
                ("Cycling", 16, 46, "DistanceCycling", 20),
                ("Running", 47, 59, "DistanceWalkingRunning", 5),
            ]
        )
    )
    tri = workout(
        'workoutActivityType="HKWorkoutActivityTypeSwimBikeRun" duration="59" durationUnit="min" '
        'startDate="2024-06-02 08:00:00 +0200" endDate="2024-06-02 08:59:00 +0200"',
        parts,
    )
    single = workout(
        'workoutActivityType="HKWorkoutActivityTypeWalking" duration="20" durationUnit="min" '
        'startDate="2024-06-03 08:00:00 +0200" endDate="2024-06-03 08:20:00 +0200"',
        '<WorkoutActivity uuid="w" startDate="2024-06-03 08:00:00 +0200" endDate="2024-06-03 08:20:00 +0200">\n'
        '<WorkoutStatistics type="HKQuantityTypeIdentifierDistanceWalkingRunning" startDate="2024-06-03 08:00:00 +0200"'
        ' endDate="2024-06-03 08:20:00 +0200" sum="1.9" unit="km"/>\n</WorkoutActivity>\n',
    )
    decoded = read(export(tri + single))
    assert decoded.activities["sport"].to_list() == ["swimming", "cycling", "running", "walking"]
    assert decoded.activities["distance_m"].to_list() == pytest.approx([750, 20_000, 5000, 1900])
    assert decoded.activities["device"].to_list() == ["Apple Watch"] * 4


def test_two_sources_at_the_same_second_count_once() -> None:
    """Two heart-rate readings of one second (the watch and a strap app) are one sample."""
    body = (
        hr("2024-03-01 07:00:10 +0000", 120)
        + hr("2024-03-01 07:00:10 +0000", 121)
        + hr("2024-03-01 07:00:20 +0000", 125)
        + hr("2024-03-01 09:00:00 +0000", 60)
        + workout(
            'workoutActivityType="HKWorkoutActivityTypeRunning" duration="10" durationUnit="min" '
            'startDate="2024-03-01 07:00:00 +0000" endDate="2024-03-01 07:10:00 +0000"'
        )
    )
    decoded = read(export(body))
    assert decoded.every_sample()["heart_rate"].to_list() == [120, 125]


def test_an_export_without_workouts_is_skipped_with_its_kind() -> None:
    """Records only: not an activity file, and the detail says what it held."""
    decoded = read(export(hr("2024-03-01 07:00:10 +0000", 60)))
    assert decoded.file_type == "no_activities"
    assert "no workouts" in decoded.detail and "1 records" in decoded.detail


def test_the_clinical_document_beside_it_is_skipped() -> None:
    """export_cda.xml (HL7 CDA) holds health records, not workouts."""
    data = b'<?xml version="1.0"?>\n<ClinicalDocument xmlns="urn:hl7-org:v3"><title/></ClinicalDocument>\n'
    decoded = read(data, "apple_health_export/export_cda.xml")
    assert decoded.file_type == "no_activities" and "export_cda.xml" in decoded.detail


def test_a_workout_that_cannot_be_read_is_set_aside_naming_its_line() -> None:
    """A start that is not a time sets that workout aside (a quarantine row with its attributes); the rest loads."""
    good = workout(
        'workoutActivityType="HKWorkoutActivityTypeRunning" duration="10" durationUnit="min" '
        'startDate="2024-03-01 07:00:00 +0000" endDate="2024-03-01 07:10:00 +0000"'
    )
    bad = workout(
        'workoutActivityType="HKWorkoutActivityTypeRunning" duration="10" durationUnit="fortnights" '
        'startDate="yesterday" endDate="2024-03-01 07:10:00 +0000"'
    )
    data = export(good + bad)
    line = next(i for i, text in enumerate(data.decode().splitlines(), 1) if "yesterday" in text)
    decoded = read(data)
    assert decoded.activities.height == 1
    (rejected,) = decoded.rejected
    assert rejected.table == "activities" and rejected.line == line
    assert rejected.reason.startswith(f"line {line}: workout not read:") and "yesterday" in rejected.reason
    assert rejected.payload is not None and "fortnights" in rejected.payload


def test_an_unknown_type_loads_as_generic_with_a_warning() -> None:
    """A type newer than the table is kept (generic, its name kept) and named in a warning."""
    body = workout(
        'workoutActivityType="HKWorkoutActivityTypeZorbing" duration="10" durationUnit="min" '
        'startDate="2024-03-01 07:00:00 +0000" endDate="2024-03-01 07:10:00 +0000"'
    )
    decoded = read(export(body))
    assert decoded.activities.row(0, named=True)["name"] == "Zorbing"
    assert "Zorbing" in decoded.warnings[0]


def test_a_file_over_the_decode_cap_is_read_as_a_stream(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An export.xml larger than what a decoder is given whole (the cap lowered here) is read as a stream, also
    gzipped; handed over whole, the same bytes are refused."""
    _, expect = xml_exports.sample_files()["xml/apple_health/export.zip"]
    with zipfile.ZipFile(io.BytesIO(xml_exports.sample_files()["xml/apple_health/export.zip"][0])) as archive:
        data = archive.read("apple_health_export/export.xml")
    monkeypatch.setattr(limits, "MAX_DECODE_BYTES", 1024)
    for name, content in (("export.xml", data), ("export.xml.gz", gzip.compress(data, mtime=0))):
        path = tmp_path / name
        path.write_bytes(content)
        decoded = decode_source(SourceRef(str(path), str(path), len(content)))
        assert decoded is not None and decoded.activities.height == expect["activities"]
    with pytest.raises(limits.LimitExceeded, match="decode cap"):
        decode_bytes(data, "export.xml")


def test_an_export_zip_member_may_be_larger_than_the_member_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The export.xml inside export.zip is unpacked up to the streamed-member cap, not the cap of other members."""
    from fitbalance.sources import archive

    zipped, expect = xml_exports.sample_files()["xml/apple_health/export.zip"]
    path = tmp_path / "export.zip"
    path.write_bytes(zipped)
    with zipfile.ZipFile(io.BytesIO(zipped)) as opened:
        sizes = {info.filename: info.file_size for info in opened.infolist()}
    xml_size = sizes.pop("apple_health_export/export.xml")
    cap = max(sizes.values()) + 1
    assert xml_size > cap
    monkeypatch.setattr(archive, "MAX_FILE_BYTES", cap)  # smaller than export.xml, larger than the others
    found = discover([path], tmp_path / "work")
    names = sorted(ref.path.split("!/")[1] for ref in found.files)
    assert names == sorted(expect["members"])  # type: ignore[call-overload]
    assert not found.problems


def test_a_stream_reader_is_not_given_another_format() -> None:
    """``read`` (bytes) and ``read_stream`` give the same result."""
    data = export(
        workout(
            'workoutActivityType="HKWorkoutActivityTypeRunning" duration="10" durationUnit="min" '
            'startDate="2024-03-01 07:00:00 +0000" endDate="2024-03-01 07:10:00 +0000"'
        )
    )
    whole = apple_health.read(data, "export.xml", ReadOptions())
    streamed = apple_health.read_stream(io.BytesIO(data), "export.xml", ReadOptions())
    assert whole.activities.equals(streamed.activities)


def _streamed_export(ref: SourceRef) -> Decoded:
    decoded = decode_source(ref)
    assert decoded is not None
    return decoded


def _running(decoded: Decoded) -> tuple[int, list[object]]:
    """The sample week's run (the watch's, with a route): its session and the chunks' rows set aside."""
    (session,) = (
        decoded.activities.with_row_index()
        .filter((decoded.activities["sport"] == "running") & (decoded.activities["device"] == "Apple Watch"))[
            "session_index"
        ]
        .to_list()
    )
    assert decoded.sample_chunks is not None
    notes = [c for c in decoded.sample_chunks() if not hasattr(c, "height")]
    return session, notes


def test_a_route_in_export_zip_gives_its_workout_positions(tmp_path: Path) -> None:
    """export.zip as the Health app writes it: the run's ``<WorkoutRoute><FileReference path=.../>`` names
    ``workout-routes/route_....gpx`` beside export.xml; its points become the run's positions (joined with its heart
    rate by the second), no new activity; the route member itself is skipped as belonging to its workout."""
    zipped, expect = xml_exports.sample_files()["xml/apple_health/export.zip"]
    path = tmp_path / "export.zip"
    path.write_bytes(zipped)
    found = {ref.path.split("!/")[1]: ref for ref in discover([path], tmp_path / "work").files}
    decoded = _streamed_export(found["apple_health_export/export.xml"])
    assert decoded.activities.height == expect["activities"]
    session, notes = _running(decoded)
    assert notes == []
    samples = decoded.every_sample()
    assert samples.height == expect["samples"]  # the route's seconds are those of the heart-rate readings
    run = samples.filter(samples["session_index"] == session)
    positioned = run.drop_nulls("lat")
    assert positioned.height == 48 * 60 // 10 + 1 and positioned["lon"].is_sorted()
    assert positioned["heart_rate"].null_count() == 0 and positioned["speed_mps"].to_list()[0] == pytest.approx(3.1)
    assert samples.filter(samples["session_index"] != session)["lat"].null_count() == samples.height - run.height
    (route,) = [name for name in found if "workout-routes/" in name]
    skipped = _streamed_export(found[route])
    assert skipped.file_type == "no_activities" and "samples of their workout" in skipped.detail


def test_a_route_beside_a_bare_export_xml_gives_its_workout_positions(tmp_path: Path) -> None:
    """The export unzipped by the user: export.xml and its workout-routes/ folder on disk."""
    zipped, _ = xml_exports.sample_files()["xml/apple_health/export.zip"]
    with zipfile.ZipFile(io.BytesIO(zipped)) as archive:
        archive.extractall(tmp_path)
    xml = tmp_path / "apple_health_export" / "export.xml"
    decoded = _streamed_export(SourceRef(str(xml), str(xml), xml.stat().st_size))
    session, notes = _running(decoded)
    samples = decoded.every_sample()
    assert notes == [] and samples.filter(samples["session_index"] == session)["lat"].count() == 289


@pytest.mark.parametrize(
    ("reference", "why"),
    [
        ("/workout-routes/missing.gpx", "No such file"),
        ("/../../outside.gpx", "not a path inside the export"),
    ],
)
def test_a_route_that_cannot_be_read_is_a_row_and_the_workout_loads(tmp_path: Path, reference: str, why: str) -> None:
    """A route file that is missing, or a reference that climbs out of the export's folder (never followed), is a
    quarantine row naming the route; the workout and its heart rate load."""
    (tmp_path / "outside.gpx").write_text("<gpx/>")
    folder = tmp_path / "a" / "b"
    folder.mkdir(parents=True)
    body = hr("2024-03-01 07:00:10 +0000", 120) + workout(
        'workoutActivityType="HKWorkoutActivityTypeRunning" duration="10" durationUnit="min" '
        'startDate="2024-03-01 07:00:00 +0000" endDate="2024-03-01 07:10:00 +0000"',
        f'<WorkoutRoute sourceName="Apple Watch"><FileReference path="{reference}"/></WorkoutRoute>\n',
    )
    xml = folder / "export.xml"
    xml.write_bytes(export(body))
    decoded = _streamed_export(SourceRef(str(xml), str(xml), xml.stat().st_size))
    assert decoded.sample_chunks is not None
    chunks = list(decoded.sample_chunks())
    (note,) = [c for c in chunks if not hasattr(c, "height")]
    assert reference in note.reason and why in note.reason and note.table == "samples"  # type: ignore[union-attr]
    assert decoded.activities.height == 1 and decoded.every_sample()["heart_rate"].to_list() == [120]


def _event(kind: str, date: str, minutes: float | None = None) -> str:
    length = f' duration="{minutes}" durationUnit="min"' if minutes is not None else ""
    return f'<WorkoutEvent type="HKWorkoutEventType{kind}" date="{date}"{length}/>\n'


def test_lap_events_are_laps_pauses_leave_the_timer_and_mets_are_kept() -> None:
    """A run with two laps marked (``HKWorkoutEventTypeLap``), Apple's splits (``Segment``), a pause and a motion
    pause, and ``HKAverageMETs``: the laps are its laps (start, length, the heart rate read in each), the splits are
    not laps when laps are marked, the timer time leaves both pauses out, the METs are the workout's."""
    body = (
        hr("2024-03-01 07:01:00 +0000", 120)
        + hr("2024-03-01 07:06:00 +0000", 150)
        + hr("2024-03-01 07:08:00 +0000", 160)
        + workout(
            'workoutActivityType="HKWorkoutActivityTypeRunning" '
            'startDate="2024-03-01 07:00:00 +0000" endDate="2024-03-01 07:12:00 +0000"',
            _event("Lap", "2024-03-01 07:00:00 +0000", 5)
            + _event("Lap", "2024-03-01 07:05:00 +0000", 5.5)
            + _event("Segment", "2024-03-01 07:00:00 +0000", 6)
            + _event("Pause", "2024-03-01 07:10:00 +0000")
            + _event("Resume", "2024-03-01 07:11:00 +0000")
            + _event("MotionPaused", "2024-03-01 07:11:00 +0000")
            + _event("MotionResumed", "2024-03-01 07:11:30 +0000")
            + '<MetadataEntry key="HKAverageMETs" value="7.5 kcal/hr·kg"/>\n',
        )
    )
    decoded = read(export(body))
    run = decoded.activities.row(0, named=True)
    assert run["elapsed_s"] == 720 and run["timer_s"] == run["moving_s"] == 720 - 60 - 30
    assert run["avg_mets"] == 7.5
    laps = decoded.laps.sort("lap_index")
    assert laps["elapsed_s"].to_list() == [300, 330]
    assert laps["start_time_utc"].to_list() == [datetime(2024, 3, 1, 7, 0), datetime(2024, 3, 1, 7, 5)]
    assert laps["avg_hr"].to_list() == [120, 155] and laps["max_hr"].to_list() == [120, 160]


def test_segments_are_the_laps_when_no_lap_is_marked() -> None:
    """Apple's splits (``HKWorkoutEventTypeSegment``) are the laps of a workout without lap events; a METs value
    that is not a number is left out, the workout loads."""
    body = workout(
        'workoutActivityType="HKWorkoutActivityTypeCycling" duration="20" durationUnit="min" '
        'startDate="2024-03-01 07:00:00 +0000" endDate="2024-03-01 07:20:00 +0000"',
        _event("Segment", "2024-03-01 07:00:00 +0000", 10)
        + _event("Segment", "2024-03-01 07:10:00 +0000", 10)
        + '<MetadataEntry key="HKAverageMETs" value="n/a"/>\n',
    )
    decoded = read(export(body))
    assert decoded.laps["elapsed_s"].to_list() == [600, 600] and decoded.laps["avg_hr"].null_count() == 2
    assert decoded.activities["avg_mets"].to_list() == [None]


def test_a_route_declaring_an_entity_is_refused_and_the_workout_loads(tmp_path: Path) -> None:
    """A route GPX is read under the same rules as any XML: one that declares an entity is never expanded; a row
    names the refusal, the workout loads without positions."""
    routes = tmp_path / "workout-routes"
    routes.mkdir()
    (routes / "route.gpx").write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE gpx [<!ENTITY lol "lol">]>\n<gpx><trk><trkseg>'
        '<trkpt lat="1" lon="1"><time>2024-03-01T07:01:00Z</time><name>&lol;</name></trkpt></trkseg></trk></gpx>\n'
    )
    body = hr("2024-03-01 07:00:10 +0000", 120) + workout(
        'workoutActivityType="HKWorkoutActivityTypeRunning" duration="10" durationUnit="min" '
        'startDate="2024-03-01 07:00:00 +0000" endDate="2024-03-01 07:10:00 +0000"',
        '<WorkoutRoute sourceName="Apple Watch"><FileReference path="/workout-routes/route.gpx"/></WorkoutRoute>\n',
    )
    xml = tmp_path / "export.xml"
    xml.write_bytes(export(body))
    decoded = _streamed_export(SourceRef(str(xml), str(xml), xml.stat().st_size))
    assert decoded.sample_chunks is not None
    (note,) = [c for c in decoded.sample_chunks() if not hasattr(c, "height")]
    assert "entit" in note.reason and "route.gpx" in note.reason  # type: ignore[union-attr]
    samples = decoded.every_sample()
    assert samples["heart_rate"].to_list() == [120] and samples["lat"].null_count() == 1
