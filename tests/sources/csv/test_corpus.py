"""Real exports from other people's repositories (../shared/corpus/csv), with counts checked by reading them.

Each count is what a person sees opening the file: data rows, workouts (distinct date and workout name), type
columns. Skipped when the corpus is absent. Nothing personal is printed.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from fitbalance.exercises import load_catalog
from fitbalance.sources.csv import read_csv
from tests.sources.csv.conftest import ZONE

pytestmark = pytest.mark.corpus


def _read(corpus: Path, name: str, **options: str) -> object:
    return read_csv((corpus / name).read_bytes(), name, ZONE, **options)


def test_strava_bulk_export(corpus: Path) -> None:
    """610 rows: 439 Run, 64 Walk, 59 Workout, 44 Weight Training, 4 Hike; the first is 2432.77 m."""
    decoded = read_csv((corpus / "AakashB-1996__Strava_Analysis/activities.csv").read_bytes(), "a", ZONE)
    acts = decoded.activities
    assert acts.height == 610
    counts = dict(acts.group_by("sport", "sub_sport").len().select(pl.concat_str("sport", "sub_sport"), "len").rows())
    assert counts == {
        "runninggeneric": 439,
        "walkinggeneric": 64,
        "traininggeneric": 59,
        "trainingstrength_training": 44,
        "hikinggeneric": 4,
    }
    assert acts["distance_m"][0] == pytest.approx(2432.77, abs=0.01)
    assert acts["source_ref"][0] == "7926971219"


def test_strava_older_export(corpus: Path) -> None:
    """128 rows: 83 Ride, 45 Run; the first ride 43057.4 m."""
    acts = read_csv((corpus / "AhmedAldahshoury__StravaData/activities.csv").read_bytes(), "a", ZONE).activities
    assert acts.height == 128
    assert dict(acts.group_by("sport").len().iter_rows()) == {"cycling": 83, "running": 45}
    assert acts["distance_m"][0] == pytest.approx(43057.4)


def test_hevy_exports(corpus: Path) -> None:
    """1922 set rows in 80 workouts (20 warm-ups); 8650 in 411 (1179 warm-up, 447 drop, 40 failure)."""
    small = read_csv((corpus / "TonyTromp__HevyConnect/workouts.csv").read_bytes(), "a", ZONE)
    assert (small.activities.height, small.sets.height) == (80, 1922)
    assert small.sets.filter(pl.col("set_type") == "warmup").height == 20
    large = read_csv((corpus / "ajccosta__hevyplotter/workouts.csv").read_bytes(), "b", ZONE)
    assert (large.activities.height, large.sets.height) == (411, 8650)
    assert dict(large.sets.group_by("set_type").len().iter_rows()) == {
        "working": 6984,
        "warmup": 1179,
        "drop": 447,
        "failure": 40,
    }


def test_strong_exports(corpus: Path) -> None:
    """Older kg layout: 1635 sets in 91 workouts. Current: 4690 sets in 312 workouts, which load without the unit
    settings (4,107 weights and 128 distances wait, as written) and convert with them."""
    older = read_csv((corpus / "mlahoz__strong/strong.csv").read_bytes(), "a", ZONE)
    assert (older.activities.height, older.sets.height) == (91, 1635)
    assert older.sets["weight_kg"][0] == 70.0
    current = (corpus / "albTian__strong-export-parser/strong.csv").read_bytes()
    waiting = read_csv(current, "b", ZONE)
    assert (waiting.activities.height, waiting.sets.height) == (312, 4690)
    columns = [w.column for w in waiting.waiting]
    assert (columns.count("weight_kg"), columns.count("distance_m")) == (4107, 128)
    # its deadlifts reach 420 and its rows go 1.0 in 99 s: lbs and km
    decoded = read_csv(current, "b", ZONE, weight_unit="lbs", distance_unit="km")
    assert (decoded.activities.height, decoded.sets.height) == (312, 4690)
    assert decoded.sets["weight_kg"][0] == pytest.approx(115 * 0.45359237)
    cardio = decoded.sets.filter(pl.col("reps").is_null())
    assert set(cardio["exercise_name"].unique()) == {"Rowing (Machine)", "Cycling (Indoor)", "Assault Bike"}


def test_garmin_exports(corpus: Path) -> None:
    """1978 activities with 339 Strength Training (metric); 144 Running in miles (first 2.02 mi)."""
    metric = read_csv((corpus / "kostaskes__my-garmin-runs/Activities.csv").read_bytes(), "a", ZONE)
    assert metric.activities.height == 1978
    assert metric.activities.filter(pl.col("sub_sport") == "strength_training").height == 339
    assert "inferred as km" in metric.warnings[0]
    imperial = read_csv((corpus / "jeremyiwk__garmindata/Activities.csv").read_bytes(), "b", ZONE)
    assert imperial.activities.height == 144
    assert (imperial.activities["sport"] == "running").all()
    assert imperial.activities["distance_m"][0] == pytest.approx(2.02 * 1609.344)


def test_fitbit_daily_export_is_skipped(corpus: Path) -> None:
    """940 day rows of daily totals: skipped as no_activities."""
    decoded = read_csv(
        (corpus / "JonathanAlcazar__dailyActivity_merged/dailyActivity_merged.csv").read_bytes(), "a", ZONE
    )
    assert decoded.file_type == "no_activities"
    assert "940 day rows" in decoded.detail


def test_lifting_app_exercise_names_map_to_the_catalogue(corpus: Path) -> None:
    """Every set of the corpus's Hevy and Strong exports maps to a canonical exercise.

    What does not is no set: "Intensity" (185 rows, reps 1-11 and no load) is a session rating logged as an
    exercise, read as a `rating` row.
    """
    catalog = load_catalog()
    names: list[str] = []
    ratings: list[str] = []
    for name, options in (
        ("TonyTromp__HevyConnect/workouts.csv", {}),
        ("ajccosta__hevyplotter/workouts.csv", {}),
        ("mlahoz__strong/strong.csv", {}),
        ("albTian__strong-export-parser/strong.csv", {"units": "imperial"}),
    ):
        decoded = read_csv((corpus / name).read_bytes(), name, ZONE, **options)
        rated = decoded.sets["set_type"] == "rating"
        names += decoded.sets.filter(~rated & (decoded.sets["set_type"] != "rest"))["exercise_name"].to_list()
        ratings += decoded.sets.filter(rated)["exercise_name"].to_list()
    assert [n for n in names if catalog.canonical(n, None, {}) is None] == []
    assert ratings == ["Intensity"] * 185
