"""Hevy and Strong: one row per set, grouped into workouts, set types, units and cardio rows."""

from __future__ import annotations

import csv
import io
import json
import random
from datetime import datetime

import polars as pl
import pytest

from fitbalance.errors import DecodeError
from fitbalance.models import SetType
from fitbalance.sources.csv import read_csv
from synth import csv_samples
from tests.sources.csv.conftest import ZONE

HEVY_HEADER = (
    '"title","start_time","end_time","description","exercise_title","superset_id","exercise_notes","set_index",'
    '"set_type","{weight}","reps","{distance}","duration_seconds","rpe"'
)


def _hevy(rows: list[str], weight: str = "weight_kg", distance: str = "distance_km") -> bytes:
    return "\n".join([HEVY_HEADER.format(weight=weight, distance=distance), *rows]).encode()


def test_hevy_sets_grouped_into_one_activity_per_workout(sample_files: dict[str, bytes]) -> None:
    """The Hevy sample: 24 workouts (title + start), every set row kept, set types mapped."""
    decoded = read_csv(sample_files["hevy_workouts.csv"], "hevy.csv", ZONE)
    data_rows = sample_files["hevy_workouts.csv"].decode().count("\n") - 1
    assert decoded.activities.height == 24
    assert decoded.sets.height == data_rows
    assert set(decoded.sets["set_type"].unique()) == {"working", "warmup", "failure", "drop"}
    assert (decoded.activities["sub_sport"] == "strength_training").all()
    per_workout = decoded.sets.group_by("session_index").agg(pl.col("set_index").sort())
    for indices in per_workout["set_index"].to_list():
        assert indices == list(range(len(indices)))


@pytest.mark.parametrize(
    ("hevy", "ours"),
    [
        ("normal", SetType.WORKING),
        ("warmup", SetType.WARMUP),
        ("dropset", SetType.DROP),
        ("failure", SetType.FAILURE),
    ],
)
def test_hevy_set_types(hevy: str, ours: SetType) -> None:
    """normal, warmup, dropset and failure become working, warmup, drop and failure."""
    row = f'"W","5 Dec 2025, 11:37","5 Dec 2025, 12:55","","Squat (Barbell)",,"",0,"{hevy}",100,5,,,8.5'
    sets = read_csv(_hevy([row]), "h.csv", ZONE).sets
    assert sets["set_type"].to_list() == [ours.value]
    assert sets["rpe"].to_list() == [8.5]


def test_hevy_pounds_and_miles_become_si() -> None:
    """weight_lbs and distance_miles exports are converted to kg and metres."""
    rows = [
        '"W","5 Dec 2025, 11:37","5 Dec 2025, 12:55","","Bench Press (Barbell)",,"",0,"normal",225,5,,,',
        '"W","5 Dec 2025, 11:37","5 Dec 2025, 12:55","","Running",,"",0,"normal",,,1.5,720,',
    ]
    decoded = read_csv(_hevy(rows, "weight_lbs", "distance_miles"), "h.csv", ZONE)
    bench, run = decoded.sets.row(0, named=True), decoded.sets.row(1, named=True)
    assert bench["weight_kg"] == pytest.approx(102.058, abs=1e-3)
    assert run["distance_m"] == pytest.approx(2414.016)
    assert decoded.activities["elapsed_s"].to_list() == [78 * 60.0]


def test_cardio_rows_are_sets_without_reps() -> None:
    """A run logged in Hevy stays a working set with distance and duration but no reps or load."""
    rows = [
        '"W","5 Dec 2025, 11:37","5 Dec 2025, 12:55","","Pull Up",,"",0,"normal",,8,,,',
        '"W","5 Dec 2025, 11:37","5 Dec 2025, 12:55","","Treadmill",,"",0,"normal",,,2,600,',
    ]
    pull_up, treadmill = read_csv(_hevy(rows), "h.csv", ZONE).sets.iter_rows(named=True)
    assert (pull_up["reps"], pull_up["weight_kg"]) == (8, 0.0)  # bodyweight: 0 kg added
    assert (treadmill["set_type"], treadmill["reps"], treadmill["weight_kg"]) == ("working", None, None)
    assert (treadmill["distance_m"], treadmill["duration_s"]) == (2000.0, 600.0)


def test_hevy_unknown_set_type_names_the_line() -> None:
    """An unknown set type is an error naming its line and the known types."""
    row = '"W","5 Dec 2025, 11:37","5 Dec 2025, 12:55","","Squat",,"",0,"superset",100,5,,,'
    with pytest.raises(DecodeError, match="line 2: set_type 'superset' is not one of normal, warmup"):
        read_csv(_hevy([row]), "h.csv", ZONE)


def test_strong_semicolon_pounds(sample_files: dict[str, bytes]) -> None:
    """Strong's semicolon layout: per-row lbs and miles to SI, W/D/F set orders, rest timers as rest rows."""
    data = sample_files["strong_semicolon_lbs.csv"]
    decoded = read_csv(data, "strong.csv", ZONE)
    assert decoded.activities.height == 12
    assert decoded.sets.height == data.decode().count("\n") - 1
    first_squat = decoded.sets.filter(pl.col("exercise_name") == "Squat (Barbell)").row(0, named=True)
    line = data.decode().splitlines()[1].split(";")
    assert first_squat["set_type"] == "warmup" and line[3] == "W"
    assert first_squat["weight_kg"] == pytest.approx(float(line[4]) * 0.45359237)
    rest = decoded.sets.filter(pl.col("set_type") == "rest")
    assert rest.height == data.decode().count(";Rest Timer;")
    assert rest["reps"].is_null().all() and (rest["duration_s"] == 120).all()
    treadmill = decoded.sets.filter(pl.col("exercise_name") == "Treadmill")
    assert treadmill["reps"].is_null().all() and (treadmill["distance_m"] > 1900).all()
    assert decoded.activities["elapsed_s"].min() >= 55 * 60


def test_strong_current_layout_keeps_a_weight_of_unknown_unit_as_written() -> None:
    """Strong's current layout does not say kg or lbs: without the setting every workout, set and rep loads, each
    weight and distance is null and waits as written (never guessed, never 0 kg); with it they are converted."""
    data = csv_samples.strong_current(csv_samples.hevy_workouts(random.Random(3), weeks=1))
    waiting = read_csv(data, "strong.csv", ZONE)
    kg = read_csv(data, "strong.csv", ZONE, weight_unit="kg", distance_unit="km")
    assert waiting.activities.height == kg.activities.height == 3
    assert waiting.sets["reps"].to_list() == kg.sets["reps"].to_list()
    loaded = kg.sets.filter(pl.col("weight_kg") > 0)
    assert waiting.sets.filter(pl.col("weight_kg") > 0).height == 0
    weights = [(w.line, w.original) for w in waiting.waiting if w.column == "weight_kg"]
    assert [line for line, _ in weights] == loaded["source_line"].to_list()
    assert [float(cell) for _, cell in weights] == loaded["weight_kg"].to_list()
    distances = [w for w in waiting.waiting if w.column == "distance_m"]
    treadmill = waiting.sets.filter(pl.col("exercise_name") == "Treadmill")
    assert len(distances) == treadmill.height == 1 and treadmill["reps"].is_null().all()
    assert {w.table for w in waiting.waiting} == {"strength_sets"}
    lbs = read_csv(data, "strong.csv", ZONE, units="imperial")
    assert kg.activities.height == 3
    ratio = (lbs.sets["weight_kg"].sum() or 0) / (kg.sets["weight_kg"].sum() or 1)
    assert ratio == pytest.approx(0.45359237)


def test_strong_duration_and_date() -> None:
    """``1h 5m`` durations and ISO dates; a set without weight but with reps is bodyweight (0 kg)."""
    text = (
        "Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,"
        "Workout Notes,RPE\n"
        "2021-07-07 18:35:21,Pull,1h 5m,Pull Up,1,0,8,0,0,,,\n"
        "2021-07-07 18:35:21,Pull,1h 5m,Plank,1,0,0,0,60,,,\n"
    )
    decoded = read_csv(text.encode(), "s.csv", ZONE)  # no weight or distance present: no unit needed
    assert decoded.activities.row(0, named=True)["elapsed_s"] == 3900
    assert decoded.activities.row(0, named=True)["start_time_utc"] == datetime(2021, 7, 7, 16, 35, 21)
    pull_up, plank = decoded.sets.iter_rows(named=True)
    assert (pull_up["reps"], pull_up["weight_kg"]) == (8, 0.0)
    assert (plank["reps"], plank["duration_s"]) == (None, 60.0)


def test_strong_legacy_kg_km(sample_files: dict[str, bytes]) -> None:
    """The older kg/km layout: units from the column names, a treadmill row with km and seconds."""
    decoded = read_csv(sample_files["strong_legacy_kg_km.csv"], "s.csv", ZONE)
    assert decoded.activities.height == 3 and decoded.sets.height == 30
    run = decoded.sets.filter(pl.col("exercise_name") == "Running (Treadmill)").row(0, named=True)
    assert (run["reps"], run["distance_m"], run["duration_s"], run["notes"]) == (
        None,
        2000.0,
        720.0,
        "cool down",
    )


def test_strong_bad_set_order_names_the_line() -> None:
    """A Set Order that is neither a number, W/D/F nor a rest timer is an error naming the line."""
    text = "Date,Workout Name,Exercise Name,Set Order,kg,Reps\n2021-07-07 18:35:21,Pull,Row,X,50,8\n"
    with pytest.raises(DecodeError, match="line 2: Set Order 'x'"):
        read_csv(text.encode(), "s.csv", ZONE)


def test_strong_export_with_one_absurd_set_loads_everything_else(sample_files: dict[str, bytes]) -> None:
    """The generated Strong export (semicolons, lbs) with one set typed as 877777 reps: that row is set aside with its
    line and values, every workout and every other row is read."""
    data = sample_files["strong_absurd_set.csv"]
    rows = list(csv.reader(io.StringIO(data.decode()), delimiter=";"))
    line = next(n for n, row in enumerate(rows, start=1) if "877777" in row)
    decoded = read_csv(data, "strong.csv", ZONE)
    assert decoded.sets.height == len(rows) - 2
    assert decoded.activities.height == len({(r[0], r[1]) for r in rows[1:]})
    (rejected,) = decoded.rejected
    assert (rejected.line, rejected.reason) == (line, f"line {line}: reps 877777 is more than 10,000: not a set")
    assert json.loads(rejected.payload or "")["values"]["Reps"] == "877777"


STRONG_RATED = (
    "Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,Workout Notes,RPE\n"
    '2022-01-04 12:20:57,"Upper",56m,"Bench Press (Barbell)",1,60,8,0,0,"",,\n'
    '2022-01-04 12:20:57,"Upper",56m,"Intensity",1,0,7,0,0,"",,\n'
    '2022-01-05 12:08:05,"Lower",1h 4m,"Squat (Barbell)",1,80,5,0,0,"",,\n'
    '2022-01-05 12:08:05,"Lower",1h 4m,"Session RPE",1,0,11,0,0,"",,\n'
    '2022-01-06 12:08:05,"Arms",40m,"Effort Curl",1,20,10,0,0,"",,\n'
    '2022-01-06 12:08:05,"Arms",40m,"Intensity",1,20,10,0,0,"",,\n'
)


def test_a_session_rating_logged_as_an_exercise_is_the_workouts_rpe_not_a_set() -> None:
    """Strong's "Intensity" 7 (reps, no load) rates the session: the row stays, as a `rating` row, and 7 is the
    workout's RPE. A rating off the 0-10 scale (11) is a rating row all the same but not the workout's RPE; a row
    with a load is a set, whatever its name."""
    decoded = read_csv(STRONG_RATED.encode(), "strong.csv", ZONE, weight_unit="kg")
    assert decoded.activities.select("name", "rpe").rows() == [("Upper", 7.0), ("Lower", None), ("Arms", None)]
    rows = decoded.sets.select("exercise_name", "set_type", "reps", "weight_kg").rows()
    assert rows == [
        ("Bench Press (Barbell)", "working", 8, 60.0),
        ("Intensity", "rating", 7, None),
        ("Squat (Barbell)", "working", 5, 80.0),
        ("Session RPE", "rating", 11, None),
        ("Effort Curl", "working", 10, 20.0),
        ("Intensity", "working", 10, 20.0),
    ]


def test_a_session_rating_in_hevy_is_read_from_its_reps_or_its_rpe() -> None:
    """A Hevy custom exercise named for the session's effort, in the app user's language, carrying only an RPE."""
    rows = [
        '"W","5 Dec 2025, 11:37","5 Dec 2025, 12:55","","Squat (Barbell)",,"",0,"normal",100,5,,,8.5',
        '"W","5 Dec 2025, 11:37","5 Dec 2025, 12:55","","Intensität",,"",0,"normal",,,,,6',
    ]
    decoded = read_csv(_hevy(rows), "h.csv", ZONE)
    assert decoded.activities["rpe"].to_list() == [6.0]
    assert decoded.sets["set_type"].to_list() == ["working", "rating"]
