"""Garmin's account export JSON (``*_summarizedActivities.json``): rows, units, sets, multi-sport, rejected rows and
the export's other JSON files skipped with their kind."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from fitbalance.errors import DecodeError
from synth import json_exports

from .conftest import decode

ACTIVITIES = "DI_CONNECT/DI-Connect-Fitness/athlete@example.org_0_summarizedActivities.json"


def export(*activities: dict[str, Any]) -> bytes:
    return json.dumps([{"summarizedActivitiesExport": list(activities)}]).encode()


def activity(activity_id: int, type_key: str = "running", **extra: Any) -> dict[str, Any]:
    """2025-03-04 18:00 in Berlin (+01:00), an hour, 10 km, 2093.4 kJ (500 kcal), as the export writes them."""
    record: dict[str, Any] = {
        "activityId": activity_id,
        "name": "Run",
        "activityType": type_key,
        "sportType": "RUNNING",
        "startTimeGmt": 1741107600000,
        "startTimeLocal": 1741111200000,
        "duration": 3_600_000.0,
        "elapsedDuration": 3_700_000.0,
        "movingDuration": 3_500_000.0,
        "distance": 1_000_000.0,
        "calories": 2093.4,
        "avgHr": 141.0,
        "maxHr": 171.0,
    }
    record.update(extra)
    return record


def test_units_are_read_as_the_export_writes_them() -> None:
    """Epoch ms GMT and local give the UTC start and its offset (``row``); ms become seconds (``duration`` is the
    timer time, kept apart from the elapsed and the moving time), cm metres, kJ kcal (Connect's factor, 4.1868);
    the activity id is the source's reference."""
    decoded = decode(export(activity(7)))
    (row,) = decoded.activities.to_dicts()
    assert decoded.source_format == "json:garmin"
    assert (row["start_time_utc"], row["utc_offset_s"], row["utc_offset_source"]) == (
        datetime(2025, 3, 4, 17, 0),
        3600,
        "row",
    )
    assert (row["elapsed_s"], row["timer_s"], row["moving_s"]) == (3700.0, 3600.0, 3500.0)
    assert row["distance_m"] == 10_000.0
    assert row["calories_kcal"] == pytest.approx(500.0)
    assert (row["avg_hr"], row["max_hr"], row["source_ref"]) == (141.0, 171.0, "7")
    assert (row["sport"], row["sub_sport"]) == ("running", "generic")


def test_the_generated_export_gives_every_activity_once(garmin_zip: dict[str, bytes], samples: Any) -> None:
    """Two runs, a manual hike, a strength workout and the five legs of a triathlon, as the generator wrote them;
    the triathlon's parent is not a row of its own (its legs are), the activity without a start is set aside."""
    expected = samples[json_exports.GARMIN_ZIP][1]
    decoded = decode(garmin_zip[ACTIVITIES], ACTIVITIES)
    got = [
        (r["source_ref"], r["start_time_utc"].isoformat(), r["utc_offset_s"], r["sport"], r["elapsed_s"])
        for r in decoded.activities.to_dicts()
    ]
    assert got == [
        (e["ref"], e["start_time_utc"], e["utc_offset_s"], e["sport"], pytest.approx(e["elapsed_s"]))
        for e in expected["activities"]
    ]
    assert "18500010" not in decoded.activities["source_ref"].to_list()
    hike = decoded.activities.filter(decoded.activities["source_ref"] == "18500003").to_dicts()[0]
    assert hike["device"] == "manual entry"
    reasons = sorted((r.table, r.reason) for r in decoded.rejected)
    assert [(t, r.split(":")[0]) for t, r in reasons] == [
        ("activities", "activity 18500099"),
        ("strength_sets", "activity 18500004, exercise 6"),
    ]
    (lost,) = [r for r in decoded.rejected if r.table == "activities"]
    assert "no start time" in lost.reason and json.loads(lost.payload or "{}")["activityId"] == 18500099


def test_summarised_exercise_sets_become_sets(garmin_zip: dict[str, bytes]) -> None:
    """Each summarised exercise becomes as many working sets as Garmin counted: the total reps spread over them, the
    load volume / reps (grams to kg), FIT category and name lower case; bodyweight is 0 kg, an UNKNOWN exercise
    keeps its sets without a name, and an exercise whose reps are not a number is set aside alone."""
    decoded = decode(garmin_zip[ACTIVITIES], ACTIVITIES)
    sets = decoded.sets.to_dicts()
    assert len(sets) == 11 and {s["session_index"] for s in sets} == {3}
    bench = [s for s in sets if s["exercise_category"] == "bench_press"]
    assert [(s["exercise_name"], s["reps"], s["weight_kg"], s["set_type"]) for s in bench] == [
        ("barbell_bench_press", 8, 60.0, "working")
    ] * 3
    assert [s["weight_kg"] for s in sets if s["exercise_category"] == "pull_up"] == [0.0] * 3
    (plank,) = [s for s in sets if s["exercise_category"] == "plank"]
    assert (plank["reps"], plank["duration_s"]) == (None, 60.0)  # 0 reps over a minute: a timed hold, no reps
    (unknown,) = [s for s in sets if s["exercise_category"] is None]
    assert (unknown["reps"], unknown["weight_kg"], unknown["exercise_name"]) == (10, 20.0, None)
    assert bench[0]["notes"] == "summarised by Garmin: 3 sets, 24 reps, heaviest 60 kg"


def test_reps_that_do_not_divide_evenly_go_to_the_first_sets() -> None:
    lift = activity(
        8,
        "strength_training",
        summarizedExerciseSets=[{"category": "SQUAT", "subCategory": "BARBELL_BACK_SQUAT", "reps": 17, "sets": 3,
                                 "volume": 17 * 100_000.0, "maxWeight": 100_000.0}],
    )  # fmt: skip
    reps = decode(export(lift)).sets["reps"].to_list()
    assert reps == [6, 6, 5]


def test_garmins_weight_sentinels_are_body_weight_and_not_entered() -> None:
    """``maxWeight``/``volume`` 0 is a body-weight exercise (0 kg, as a watch's FIT set); -1 is a weight never
    entered: the sets load with their reps and no weight, never -0.001 kg and never set aside."""
    lift = activity(
        9,
        "strength_training",
        summarizedExerciseSets=[
            {"category": "PUSH_UP", "subCategory": "PUSH_UP", "reps": 20, "sets": 2, "volume": 0.0, "maxWeight": 0.0},
            {"category": "CURL", "subCategory": "DUMBBELL_CURL", "reps": 10, "sets": 1, "volume": -1.0,
             "maxWeight": -1.0},
        ],
    )  # fmt: skip
    decoded = decode(export(lift))
    assert decoded.rejected == ()
    assert decoded.sets.select("exercise_category", "reps", "weight_kg").rows() == [
        ("push_up", 10, 0.0),
        ("push_up", 10, 0.0),
        ("curl", 10, None),
    ]


def test_a_multi_sport_parent_without_its_legs_loads_once() -> None:
    parent = activity(20, "multi_sport", sportType="MULTI_SPORT", parent=True, childIds=[21, 22])
    decoded = decode(export(parent))
    assert decoded.activities.select("sport", "source_ref").rows() == [("multisport", "20")]


def test_legs_named_by_the_parent_only_still_count_once() -> None:
    """Legs without ``parentId``, listed in the parent's ``childIds``: the parent is left out."""
    parent = activity(30, "multi_sport", parent=True, childIds=[31, 32])
    legs = [activity(31, "cycling"), activity(32, "running", startTimeGmt=1741111200000, startTimeLocal=1741114800000)]
    decoded = decode(export(parent, *legs))
    assert decoded.activities["source_ref"].to_list() == ["31", "32"]


def test_the_api_shape_is_read_in_its_own_units() -> None:
    """Garmin Connect's API list: ``activityType`` an object, start times as text, metres and kcal."""
    doc = [
        {
            "activityId": 11,
            "activityName": "Lunch Swim",
            "activityType": {"typeId": 27, "typeKey": "lap_swimming"},
            "startTimeGMT": "2025-03-04 11:00:00",
            "startTimeLocal": "2025-03-04 12:00:00",
            "duration": 1800.0 * 1000,
            "distance": 1500.0,
            "calories": 300.0,
        }
    ]
    (row,) = decode(json.dumps(doc).encode()).activities.to_dicts()
    assert (row["sport"], row["sub_sport"], row["name"]) == ("swimming", "lap_swimming", "Lunch Swim")
    assert (row["start_time_utc"], row["utc_offset_s"]) == (datetime(2025, 3, 4, 11, 0), 3600)
    assert (row["distance_m"], row["calories_kcal"]) == (1500.0, 300.0)


@pytest.mark.parametrize(
    ("type_key", "sport"),
    [
        ("strength_training", ("training", "strength_training")),
        ("indoor_cardio", ("training", "cardio_training")),
        ("treadmill_running", ("running", "treadmill")),
        ("virtual_ride", ("cycling", "virtual_activity")),
        ("lap_swimming", ("swimming", "lap_swimming")),
        ("yoga", ("training", "yoga")),
        ("hiit", ("hiit", "hiit")),
        ("indoor_rowing", ("fitness_equipment", "indoor_rowing")),
        ("tennis_v2", ("tennis", "generic")),
        ("resort_skiing_snowboarding_ws", ("alpine_skiing", "resort")),
        ("swim_to_bike_transition_v2", ("transition", "swim_to_bike_transition")),
    ],
)
def test_type_keys_map_through_connects_type_table(type_key: str, sport: tuple[str, str]) -> None:
    (row,) = decode(export(activity(9, type_key))).activities.to_dicts()
    assert (row["sport"], row["sub_sport"]) == sport


def test_an_unknown_type_key_keeps_its_name_and_warns() -> None:
    decoded = decode(export(activity(9, "zorbing", sportType="OTHER_ODD")))
    (row,) = decoded.activities.to_dicts()
    assert (row["sport"], row["name"]) == ("generic", "Run (zorbing)")
    assert "'zorbing' (1)" in decoded.warnings[0]


def test_a_file_with_no_readable_activity_is_refused() -> None:
    with pytest.raises(DecodeError, match=r"no activity could be read .*no start time"):
        decode(export({"activityId": 1, "activityType": "running"}, {"activityId": 2, "activityType": "running"}))


def test_a_bad_value_sets_its_activity_aside_alone() -> None:
    decoded = decode(export(activity(1), activity(2, distance="far")))
    assert decoded.activities["source_ref"].to_list() == ["1"]
    (rejected,) = decoded.rejected
    assert rejected.reason == "activity 2: distance 'far' is not a number" and rejected.table == "activities"


def test_the_exports_other_json_files_are_skipped_with_their_kind(garmin_zip: dict[str, bytes], samples: Any) -> None:
    skipped = samples[json_exports.GARMIN_ZIP][1]["skipped"]
    for name, kind in skipped.items():
        decoded = decode(garmin_zip[name], name)
        assert (decoded.file_type, decoded.source_format) == ("no_activities", "json:garmin"), name
        assert decoded.detail.startswith(kind) and decoded.detail.endswith("it holds no activities"), decoded.detail


@pytest.mark.parametrize(
    ("doc", "kind"),
    [
        ([{"calendarDate": "2025-01-01", "hydrationSource": "GARMIN_GCM", "valueInML": 500}], "Garmin hydration"),
        ([{"metaData": {"calendarDate": "2025-01-01T07:00:00.0"}, "weight": {"weight": 80000}}], "Garmin body"),
        ([{"hrvSummary": {"weeklyAvg": 51}, "calendarDate": "2025-01-01"}], "Garmin heart-rate variability"),
        ([{"gearPk": 1, "gearTypeName": "Shoes", "displayName": "Pegasus"}], "Garmin gear"),
        ([{"workoutId": 5, "workoutName": "Intervals", "workoutSegments": []}], "Garmin workouts"),
        ([{"vo2MaxValue": 51.0, "calendarDate": "2025-01-01"}], "Garmin training metrics"),
    ],
)
def test_other_garmin_kinds_are_told_by_their_keys(doc: Any, kind: str) -> None:
    """Whatever the file is called: the shape decides."""
    decoded = decode(json.dumps(doc).encode(), "renamed.json")
    assert decoded.file_type == "no_activities" and decoded.detail.startswith(kind), decoded.detail


def test_classified_as_the_generator_meant(garmin_zip: dict[str, bytes], samples: Any) -> None:
    """Through normalize: the strength workout is resistance by its sets (mapped to the catalogue's Bench Press,
    Squat, Pull-Up and Plank), the runs, the hike and the triathlon's legs are other exercise."""
    from fitbalance.config import Athlete
    from fitbalance.normalize import normalize
    from fitbalance.process import exercise_resolver

    athlete = Athlete(name="me", time_zone="Europe/Berlin")
    decoded = decode(garmin_zip[ACTIVITIES], ACTIVITIES)
    tables = normalize(decoded, file_id="f", athlete=athlete, resolve_exercise=exercise_resolver(athlete))
    got = dict(tables.activities.select("source_ref", "category").iter_rows())
    assert got == {e["ref"]: e["category"] for e in samples[json_exports.GARMIN_ZIP][1]["activities"]}
    (reason,) = tables.activities.filter(tables.activities["source_ref"] == "18500004")["classification_reason"]
    assert reason == "sets"
    exercises = set(tables.sets["exercise"].drop_nulls().to_list())
    assert exercises == {"Bench Press", "Squat", "Pull-Up", "Plank"}


@pytest.mark.parametrize("sets", [1e9, 2.5, 101])
def test_a_count_of_sets_no_workout_has_is_set_aside_not_expanded(sets: float) -> None:
    """One summarised exercise stands for ``sets`` rows: a count of a billion must not make a billion rows."""
    lift = activity(8, "strength_training", summarizedExerciseSets=[{"category": "SQUAT", "reps": 10, "sets": sets}])
    decoded = decode(export(lift))
    assert decoded.sets.height == 0 and decoded.activities.height == 1
    (rejected,) = decoded.rejected
    assert rejected.table == "strength_sets" and "is not a count of sets" in rejected.reason


def test_an_activity_naming_itself_as_its_own_leg_still_loads() -> None:
    decoded = decode(export(activity(40, "multi_sport", parent=True, childIds=[40], parentId=40)))
    assert decoded.activities["source_ref"].to_list() == ["40"]
