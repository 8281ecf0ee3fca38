"""FitNotes: one row per set, one activity per date started at local noon, units from the header, cardio rows."""

from __future__ import annotations

import json
import random
import re
from datetime import datetime

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fitbalance.config import Athlete
from fitbalance.errors import DecodeError, InputError
from fitbalance.models import Decoded, Tables
from fitbalance.normalize import normalize
from fitbalance.process import exercise_resolver
from fitbalance.sources.csv import fitnotes, hevy, read_csv, strong
from fitbalance.sources.csv.helpers import norm_header
from synth import csv_samples
from tests.conftest import examples
from tests.sources.csv.conftest import ZONE

HEADER = "Date,Exercise,Category,Weight (kgs),Reps,Distance,Distance Unit,Time,Comment"
ATHLETE = Athlete(name="me", time_zone=ZONE)


def _csv(*rows: str, header: str = HEADER) -> bytes:
    return "\n".join([header, *rows, ""]).encode()


def _tables(decoded: Decoded) -> Tables:
    return normalize(decoded, file_id="f", athlete=ATHLETE, resolve_exercise=exercise_resolver(ATHLETE))


def test_one_activity_per_date_at_local_noon() -> None:
    """Rows of one date are one workout, started at noon Berlin time (11:00 UTC in winter, 10:00 in summer)."""
    decoded = read_csv(
        _csv(
            "2024-03-05,Flat Barbell Bench Press,Chest,60.0,8,,,,",
            "2024-03-05,Flat Barbell Bench Press,Chest,62.5,6,,,,felt heavy",
            "2024-03-05,Barbell Squat,Legs,100.0,5,,,,",
            "2024-07-10,Deadlift,Back,140.0,3,,,,",
        ),
        "fitnotes.csv",
        ZONE,
    )
    assert decoded.source_format == "csv:fitnotes"
    winter, summer = decoded.activities.iter_rows(named=True)
    assert (winter["start_time_utc"], winter["utc_offset_s"]) == (datetime(2024, 3, 5, 11), 3600)
    assert (summer["start_time_utc"], summer["utc_offset_s"]) == (datetime(2024, 7, 10, 10), 7200)
    assert (winter["sport"], winter["sub_sport"], winter["name"]) == ("training", "strength_training", "Chest, Legs")
    assert winter["elapsed_s"] is None and winter["source_ref"] == "2024-03-05"
    assert decoded.sets.group_by("session_index").len().sort("session_index")["len"].to_list() == [3, 1]
    first = decoded.sets.filter(pl.col("session_index") == 0)
    assert first["set_index"].to_list() == [0, 1, 2]
    assert first["weight_kg"].to_list() == [60.0, 62.5, 100.0]
    assert first["reps"].to_list() == [8, 6, 5]
    assert first["notes"].to_list() == [None, "felt heavy", None]
    assert (first["set_type"] == "working").all()


def test_rows_of_a_date_are_one_workout_wherever_they_are() -> None:
    """A date whose rows are split by another date's is still one activity, its sets in file order."""
    decoded = read_csv(
        _csv(
            "2024-03-05,Deadlift,Back,100,5,,,,",
            "2024-03-06,Barbell Squat,Legs,80,5,,,,",
            "2024-03-05,Lat Pulldown,Back,50,10,,,,",
        ),
        "f.csv",
        ZONE,
    )
    assert decoded.activities.height == 2
    first = decoded.sets.filter(pl.col("session_index") == 0)
    assert first["exercise_name"].to_list() == ["Deadlift", "Lat Pulldown"]


@pytest.mark.parametrize("header", ["Weight (lbs)", "Weight (lb)", "weight (LBS)"])
def test_pounds_become_kilograms(header: str) -> None:
    """A pounds export (the column name says lbs or lb) is converted to kg."""
    decoded = read_csv(
        _csv("2024-03-05,Flat Barbell Bench Press,Chest,225.0,5,,,,", header=HEADER.replace("Weight (kgs)", header)),
        "f.csv",
        ZONE,
    )
    assert decoded.sets["weight_kg"].to_list() == [pytest.approx(102.0582833)]


def test_older_layout_without_comment_and_kg_header() -> None:
    """Older exports: no Comment column, ``Weight (kg)``; they read the same."""
    header = "Date,Exercise,Category,Weight (kg),Reps,Distance,Distance Unit,Time"
    decoded = read_csv(_csv("2019-11-02,Overhead Press,Shoulders,42.5,5,,,", header=header), "f.csv", ZONE)
    row = decoded.sets.row(0, named=True)
    assert (row["exercise_name"], row["weight_kg"], row["reps"], row["notes"]) == ("Overhead Press", 42.5, 5, None)


def test_plain_weight_column_waits_for_the_unit_setting() -> None:
    """A ``Weight`` column without a unit: the set loads with its reps and a null weight (not bodyweight) that waits
    as written; it is read once the setting is given."""
    data = _csv(
        "2024-03-05,Deadlift,Back,300,3,,,", header="Date,Exercise,Category,Weight,Reps,Distance,Distance Unit,Time"
    )
    waiting = read_csv(data, "f.csv", ZONE)
    assert waiting.sets.select("reps", "weight_kg").rows() == [(3, None)]
    assert [(w.column, w.original, w.line) for w in waiting.waiting] == [("weight_kg", "300", 2)]
    assert read_csv(data, "f.csv", ZONE, weight_unit="lbs").sets["weight_kg"].to_list() == [
        pytest.approx(136.078, 1e-4)
    ]


def test_weight_unit_column_says_the_unit_per_row() -> None:
    """The layout with a ``Weight Unit`` column beside a plain ``Weight``: each row in its own unit."""
    header = "Date,Exercise,Category,Weight,Weight Unit,Reps,Distance,Distance Unit,Time"
    data = _csv("2024-03-05,Deadlift,Back,100,kgs,5,,,", "2024-03-05,Dumbbell Curl,Biceps,25,lbs,10,,,", header=header)
    assert read_csv(data, "f.csv", ZONE).sets["weight_kg"].to_list() == [100.0, pytest.approx(11.33981)]
    bad = _csv("2024-03-05,Deadlift,Back,100,stone,5,,,", header=header)
    with pytest.raises(DecodeError, match="line 2: Weight Unit 'stone' is not one of"):
        read_csv(bad, "f.csv", ZONE)


def test_bodyweight_sets_are_zero_kilograms() -> None:
    """Reps with a weight of 0 or none are bodyweight sets: 0 kg, the contract's bodyweight."""
    decoded = read_csv(
        _csv("2024-03-05,Pull Up,Back,0.0,8,,,,", "2024-03-05,Pull Up,Back,,7,,,,", "2024-03-05,Chin Up,Back,10,5,,,,"),
        "f.csv",
        ZONE,
    )
    assert decoded.sets["weight_kg"].to_list() == [0.0, 0.0, 10.0]
    assert decoded.sets["reps"].to_list() == [8, 7, 5]


def test_timed_hold_is_not_cardio() -> None:
    """A plank (a time, no reps, not in Cardio) is a timed hold: duration, no reps; the day stays strength."""
    decoded = read_csv(_csv("2024-03-05,Plank,Abs,,,,,0:01:30,"), "f.csv", ZONE)
    row = decoded.sets.row(0, named=True)
    assert (row["reps"], row["weight_kg"], row["duration_s"], row["exercise_category"]) == (None, None, 90.0, None)
    assert decoded.activities["sub_sport"].to_list() == ["strength_training"]


def test_cardio_only_day_is_other_exercise() -> None:
    """A day of Cardio rows is still an activity: cardio training, its time and distance summed, classified other."""
    decoded = read_csv(
        _csv(
            "2024-03-07,Running (Outdoor),Cardio,,,3.1,mi,0:28:10,",
            "2024-03-07,Rowing Machine,Cardio,,,500,m,2:05,",
            "2024-03-07,Elliptical Trainer,Cardio,,,,,0:10:00,",
        ),
        "f.csv",
        ZONE,
    )
    activity = decoded.activities.row(0, named=True)
    assert (activity["sub_sport"], activity["name"]) == ("cardio_training", "Cardio")
    assert activity["elapsed_s"] == 28 * 60 + 10 + 125 + 600
    assert activity["distance_m"] == pytest.approx(3.1 * 1609.344 + 500)
    sets = decoded.sets
    assert sets["distance_m"].to_list() == [pytest.approx(4988.9664), 500.0, None]
    assert sets["duration_s"].to_list() == [1690.0, 125.0, 600.0]
    assert sets["reps"].is_null().all() and sets["weight_kg"].is_null().all()
    assert sets["exercise_category"].to_list() == ["cardio"] * 3

    tables = _tables(decoded)
    assert tables.activities.select("category", "subcategory").row(0) == ("other", "mixed")
    assert tables.sets["exercise"].to_list() == ["Running", "Rowing Machine", "Elliptical"]


def test_timed_cardio_day_without_distance_is_still_cardio() -> None:
    """A day of Cardio rows with times only (an elliptical session) is cardio training, not strength."""
    decoded = read_csv(_csv("2024-03-07,Elliptical Trainer,Cardio,,,,,0:20:00,"), "f.csv", ZONE)
    activity = decoded.activities.row(0, named=True)
    assert (activity["sub_sport"], activity["elapsed_s"], activity["distance_m"]) == ("cardio_training", 1200.0, None)
    assert _tables(decoded).activities["category"].to_list() == ["other"]


def test_mixed_day_is_one_resistance_activity_with_cardio_sets_left_out_of_the_count() -> None:
    """Lifting and a treadmill run on one date: one resistance activity; the run is a cardio row, not a working set."""
    decoded = read_csv(
        _csv(
            "2024-03-08,Barbell Squat,Legs,100,5,,,,",
            "2024-03-08,Barbell Squat,Legs,100,5,,,,",
            "2024-03-08,Running (Treadmill),Cardio,,,2.0,km,0:12:00,cool down",
            "2024-03-08,Stair Stepper Intervals,Cardio,0,0,,,0:08:00,",
        ),
        "f.csv",
        ZONE,
    )
    activity = decoded.activities.row(0, named=True)
    assert (activity["sub_sport"], activity["name"]) == ("strength_training", "Legs, Cardio")
    assert (activity["distance_m"], activity["elapsed_s"]) == (2000.0, None)
    run = decoded.sets.row(2, named=True)
    assert (run["reps"], run["weight_kg"], run["distance_m"], run["duration_s"]) == (None, None, 2000.0, 720.0)
    assert (run["exercise_category"], run["notes"]) == ("cardio", "cool down")

    tables = _tables(decoded)
    assert tables.activities.select("category", "subcategory", "classification_reason").row(0) == (
        "resistance",
        "strength",
        "sets",
    )
    assert tables.sets["exercise"].to_list() == ["Squat", "Squat", "Treadmill Running", "Cardio"]
    counted = tables.sets.filter((pl.col("reps").fill_null(0) > 0) | (pl.col("weight_kg").fill_null(0) > 0))
    assert counted.height == 2


def test_distance_with_neither_reps_nor_weight_is_cardio_whatever_the_category() -> None:
    """A run filed under a user's own category is still cardio; a weighted carry with a distance is not."""
    decoded = read_csv(
        _csv("2024-03-09,Jog,Conditioning,,,1500,m,,", "2024-03-09,Farmers Walk,Forearms,40,,30,m,,"),
        "f.csv",
        ZONE,
    )
    jog, carry = decoded.sets.iter_rows(named=True)
    assert (jog["exercise_category"], jog["distance_m"]) == ("cardio", 1500.0)
    assert (carry["exercise_category"], carry["weight_kg"], carry["reps"], carry["distance_m"]) == (
        None,
        40.0,
        None,
        30.0,
    )
    assert decoded.activities["sub_sport"].to_list() == ["strength_training"]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("05/03/2024,Deadlift,Back,100,5,,,,", r"line 3: Date: '05/03/2024' is not a date"),
        ("2024-03-05,Deadlift,Back,100,-5,,,,", r"line 3: reps -5 is not a whole number"),
        ("2024-03-05,Deadlift,Back,100,2.5,,,,", r"line 3: reps 2.5 is not a whole number"),
        ("2024-03-05,Deadlift,Back,heavy,5,,,,", r"line 3: Weight: 'heavy' is not a number"),
        ("2024-03-05,Running,Cardio,,,five,km,,", r"line 3: Distance: 'five' is not a number"),
        ("2024-03-05,Running,Cardio,,,5,furlongs,,", r"line 3: Distance Unit 'furlongs' is not one of"),
        ("2024-03-05,Plank,Abs,,,,,a while,", r"line 3: Time: 'a while' is not a duration"),
        ("2024-03-05,Deadlift,Back,100", r"line 3: 4 fields where the header has 9"),
    ],
)
def test_bad_row_is_set_aside_naming_its_line(row: str, message: str) -> None:
    """A bad cell sets its row aside with the line, the cell and the row's values; the good row is read. A file of
    nothing but bad rows is refused, naming the first."""
    decoded = read_csv(_csv("2024-03-05,Deadlift,Back,100,5,,,,", row), "f.csv", ZONE)
    assert decoded.sets["reps"].to_list() == [5]
    (rejected,) = decoded.rejected
    assert re.match(message, rejected.reason) and rejected.line == 3
    assert json.loads(rejected.payload or "")["values"]["Date"] == row.split(",")[0]
    with pytest.raises(DecodeError, match=message.replace("line 3", "line 2")):
        read_csv(_csv(row), "f.csv", ZONE)


def test_distance_without_unit_needs_the_setting() -> None:
    """A distance whose Distance Unit cell is empty is read with distance_unit, and waits for it without it."""
    data = _csv("2024-03-05,Running,Cardio,,,5,,0:30:00,")
    waiting = read_csv(data, "f.csv", ZONE)
    assert waiting.sets["distance_m"].to_list() == [None]
    assert [(w.column, w.original) for w in waiting.waiting] == [("distance_m", "5")]
    assert read_csv(data, "f.csv", ZONE, distance_unit="mi").sets["distance_m"].to_list() == [pytest.approx(8046.72)]


def test_header_only_export_has_no_activities() -> None:
    """A FitNotes export with no rows is recognised and holds no activities."""
    decoded = read_csv(_csv(), "f.csv", ZONE)
    assert (decoded.source_format, decoded.file_type) == ("csv:fitnotes", "no_activities")


def test_detection_does_not_confuse_lifting_apps(sample_files: dict[str, bytes]) -> None:
    """FitNotes, Strong and Hevy headers are each recognised by their own dialect only."""
    fitnotes_header = HEADER.split(",")
    strong_header = sample_files["strong_semicolon_lbs.csv"].decode().splitlines()[0].split(";")
    hevy_header = [h.strip('"') for h in sample_files["hevy_workouts.csv"].decode().splitlines()[0].split(",")]
    assert fitnotes.detect(fitnotes_header, "")
    assert not fitnotes.detect(strong_header, "") and not fitnotes.detect(hevy_header, "")
    assert not strong.detect(fitnotes_header, "") and not hevy.detect(fitnotes_header, "")
    assert read_csv(sample_files["strong_semicolon_lbs.csv"], "s.csv", ZONE).source_format == "csv:strong"
    assert read_csv(sample_files["hevy_workouts.csv"], "h.csv", ZONE).source_format == "csv:hevy"
    assert [norm_header(h) for h in fitnotes_header][:3] == ["date", "exercise", "category"]


@pytest.mark.parametrize(
    ("name", "exercise"),
    [
        ("Flat Barbell Bench Press", "Bench Press"),
        ("Barbell Squat", "Squat"),
        ("Deadlift", "Deadlift"),
        ("Overhead Press", "Overhead Press"),
        ("Pull Up", "Pull-Up"),
        ("Dumbbell Curl", "Dumbbell Curl"),
        ("Lat Pulldown", "Lat Pulldown"),
        ("Flat Dumbbell Bench Press", "Dumbbell Bench Press"),
        ("Lateral Dumbbell Raise", "Lateral Raise"),
        ("Seated Dumbbell Press", "Dumbbell Shoulder Press"),
        ("V-Bar Push Down", "Triceps Pushdown"),
        ("Hammer Strength Row", "Machine Row"),
    ],
)
def test_fitnotes_default_exercise_names_are_in_the_catalogue(name: str, exercise: str) -> None:
    """FitNotes' default exercise names map onto catalogue exercises."""
    tables = _tables(read_csv(_csv(f"2024-03-05,{name},Chest,50,5,,,,"), "f.csv", ZONE))
    assert tables.sets["exercise"].to_list() == [exercise]


def test_generated_export_reads_back() -> None:
    """The generator's FitNotes export: a workout per lifting day, one per run day, every row a set; lbs ~ kg."""
    workouts = csv_samples.hevy_workouts(random.Random(5), weeks=2)
    runs = csv_samples.runs(random.Random(5), csv_samples.HEVY_START, 2)
    kg = csv_samples.fitnotes(workouts, runs)
    lbs = csv_samples.fitnotes(workouts, runs, weight_unit="lbs", comment=False)
    decoded = read_csv(kg, "f.csv", ZONE)
    assert decoded.activities.height == len(workouts) + len(runs) == 12
    assert decoded.sets.height == kg.decode().count("\n") - 1
    assert decoded.activities["sub_sport"].value_counts().sort("sub_sport").rows() == [
        ("cardio_training", 6),
        ("strength_training", 6),
    ]
    from_lbs = read_csv(lbs, "f.csv", ZONE)
    assert from_lbs.sets.height == decoded.sets.height
    ratio = (from_lbs.sets["weight_kg"].sum() or 0) / (decoded.sets["weight_kg"].sum() or 1)
    assert ratio == pytest.approx(1.0, abs=0.03)  # pounds rounded to 5 lbs


CELL = st.text(alphabet=st.sampled_from(list('0123456789.,:-" abcCardiokmlbs\t')), max_size=20)


@settings(max_examples=examples(200), deadline=None)
@given(st.lists(st.lists(CELL, min_size=9, max_size=9), max_size=6))
def test_random_rows_fail_cleanly(rows: list[list[str]]) -> None:
    """Random cells under a FitNotes header give a Decoded or one of our input errors, nothing else."""
    body = "\n".join(",".join(f'"{c}"' for c in row) for row in rows)
    try:
        decoded = read_csv(_csv(body), "fuzz.csv", ZONE)
    except InputError:
        return
    assert decoded.source_format == "csv:fitnotes"


def test_an_effort_column_is_read_as_rpe() -> None:
    """A FitNotes file with an RPE column (FitNotes on iOS) has it in ``rpe``; an RIR column is read as 10 - RIR; an
    empty cell, and a cardio row, have none. The Android export without either reads as before (no RPE)."""
    header = "Date,Exercise,Category,Weight (kgs),Reps,Distance,Distance Unit,Time,RPE,RIR"
    decoded = read_csv(
        _csv(
            "2024-03-05,Deadlift,Back,100,5,,,,8,",
            "2024-03-05,Deadlift,Back,100,5,,,,,1",
            "2024-03-05,Deadlift,Back,100,5,,,,,",
            "2024-03-05,Running,Cardio,,,5,km,0:30:00,7,",
            header=header,
        ),
        "fitnotes.csv",
        ZONE,
    )
    assert decoded.sets["rpe"].to_list() == [8.0, 9.0, None, None]
    plain = read_csv(_csv("2024-03-05,Deadlift,Back,100,5,,,,"), "fitnotes.csv", ZONE)
    assert plain.sets["rpe"].to_list() == [None]
