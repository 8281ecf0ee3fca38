"""A small training history written straight into the tables of fitbalance.contracts, for the real views to read.

Two athletes over 16 ISO weeks from Monday 2024-11-18 to the week of 2025-03-03 (week 7, from 2024-12-30, is a
week off): ``ana`` (metric, born 1985) lifts on Monday, Wednesday and most Fridays and runs three times a week;
``ben`` (imperial, born 1955: 65+) lifts twice a week, walks, and goes to a balance class. Lifts progress week by week
(the overhead press stalls), one exercise name is not in the catalogue, and calves are trained only once, so the
heat map has a neglected group. Deterministic: a seeded generator, fixed dates, no clock.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import duckdb
import polars as pl

FIRST_WEEK = date(2024, 11, 18)
WEEKS = 16
LAST_WEEK = FIRST_WEEK + timedelta(weeks=WEEKS - 1)  # 2025-03-03
WEEK_OFF = 6
UTC_OFFSET_S = 3600  # Europe/Berlin in winter

ATHLETES: dict[str, dict[str, Any]] = {
    "ana": {"units": "metric", "birth_year": 1985, "sex": "female", "max_hr": 186.0, "resting_hr": 52.0},
    "ben": {"units": "imperial", "birth_year": 1955, "sex": "male", "max_hr": None, "resting_hr": None},
}

# canonical name: (fit category, primary muscles, secondary muscles, bodyweight)
CATALOGUE: dict[str, tuple[str, list[str], list[str], bool]] = {
    "Back Squat": ("squat", ["quads", "glutes"], ["hamstrings", "core"], False),
    "Bench Press": ("bench_press", ["chest"], ["triceps", "shoulders"], False),
    "Deadlift": ("deadlift", ["hamstrings", "glutes", "back"], ["core"], False),
    "Overhead Press": ("shoulder_press", ["shoulders"], ["triceps"], False),
    "Pull Up": ("pull_up", ["back"], ["biceps"], True),
    "Calf Raise": ("calf_raise", ["calves"], [], False),
}
# exercise: (start working weight kg, weekly gain kg)
LIFTS: dict[str, tuple[float, float]] = {
    "Back Squat": (80.0, 2.5),
    "Bench Press": (57.5, 1.25),
    "Deadlift": (100.0, 2.5),
    "Overhead Press": (35.0, 0.0),
}
UNMAPPED = "Landmine Rotation"


@dataclass
class _Rows:
    activities: list[dict[str, Any]]
    sets: list[dict[str, Any]]


def _activity(
    rows: _Rows,
    athlete: str,
    day: date,
    hour: int,
    *,
    sport: str,
    sub_sport: str | None,
    name: str,
    category: str,
    subcategory: str,
    minutes: float,
    avg_hr: float | None = None,
    distance_m: float | None = None,
    rpe: float | None = None,
) -> str:
    local = datetime.combine(day, datetime.min.time()) + timedelta(hours=hour)
    activity_id = f"{athlete}-{day:%Y%m%d}-{hour:02d}"
    rows.activities.append(
        {
            "activity_id": activity_id,
            "file_id": f"file-{activity_id}",
            "athlete": athlete,
            "source_format": "fit",
            "session_index": 0,
            "sport": sport,
            "sub_sport": sub_sport,
            "name": name,
            "start_time_utc": local - timedelta(seconds=UTC_OFFSET_S),
            "utc_offset_s": UTC_OFFSET_S,
            "start_time_local": local,
            "elapsed_s": minutes * 60 + 120,
            "moving_s": minutes * 60,
            "distance_m": distance_m,
            "calories_kcal": minutes * 8,
            "avg_hr": avg_hr,
            "max_hr": None if avg_hr is None else avg_hr + 20,
            "device": "fixture",
            "rpe": rpe,
            "source_ref": None,
            "category": category,
            "subcategory": subcategory,
            "classification_reason": "fixture",
            "classification_confidence": 1.0,
            "duplicate_of": None,
        }
    )
    return activity_id


def _lift(rows: _Rows, activity_id: str, start: datetime, exercises: list[tuple[str, float, int, int]]) -> None:
    """Sets for ``exercises`` as (name, weight kg, working sets, reps): one warm-up, then the working sets."""
    index = 0
    for name, weight, count, reps in exercises:
        mapped = name if name in CATALOGUE else None
        plan = [("warmup", round(weight * 0.5 / 2.5) * 2.5, 8)] if weight > 0 else []
        plan += [("working", weight, reps)] * count
        for set_type, kg, n in plan:
            rows.sets.append(
                {
                    "activity_id": activity_id,
                    "set_index": index,
                    "start_time_utc": start + timedelta(minutes=3 * index),
                    "duration_s": 40.0,
                    "set_type": set_type,
                    "exercise_category": CATALOGUE[name][0] if mapped else None,
                    "exercise_guesses": None,
                    "exercise_name": name,
                    "exercise": mapped,
                    "reps": n,
                    "weight_kg": kg,
                    "distance_m": None,
                    "rpe": None,
                    "notes": None,
                }
            )
            index += 1


def history(seed: int = 7) -> _Rows:
    """The activities and strength sets of both athletes."""
    rng = random.Random(seed)
    rows = _Rows(activities=[], sets=[])
    for i in range(WEEKS):
        if i == WEEK_OFF:
            continue
        monday = FIRST_WEEK + timedelta(weeks=i)
        # ana: lifting A (Mon) / B (Wed) / A (Fri, most weeks), runs Tue Thu Sat, yoga some Sundays
        weights = {lift: start + gain * i + rng.choice([0.0, 0.0, -2.5]) for lift, (start, gain) in LIFTS.items()}
        lift_days = [0, 2] + ([4] if i % 3 != 1 else [])
        for n, offset in enumerate(lift_days):
            day = monday + timedelta(days=offset)
            aid = _activity(
                rows,
                "ana",
                day,
                7,
                sport="training",
                sub_sport="strength_training",
                name="Strength",
                category="resistance",
                subcategory="strength",
                minutes=rng.choice([50, 55, 60]),
                rpe=7.0,
            )
            start = datetime.combine(day, datetime.min.time()) + timedelta(hours=6)
            if n % 2 == 0:
                plan = [
                    ("Back Squat", weights["Back Squat"], 4, 5),
                    ("Bench Press", weights["Bench Press"], 4, 5),
                    ("Pull Up", 0.0, 3, 6 + i // 3 + rng.choice([0, 1])),
                ]
            else:
                plan = [
                    ("Deadlift", weights["Deadlift"], 3, 5),
                    ("Overhead Press", weights["Overhead Press"], 3, 6),
                    (UNMAPPED, 10.0, 2, 10),
                ]
            if i == 0 and n == 0:
                plan.append(("Calf Raise", 40.0, 3, 12))
            _lift(rows, aid, start, plan)
        for offset in (1, 3, 5):
            km = rng.choice([5.0, 6.5, 8.0, 10.0, 12.0])
            pace_s = rng.choice([330, 350, 370])
            _activity(
                rows,
                "ana",
                monday + timedelta(days=offset),
                18,
                sport="running",
                sub_sport="generic",
                name="Run",
                category="other",
                subcategory="endurance",
                minutes=km * pace_s / 60,
                avg_hr=rng.choice([132.0, 141.0, 150.0, 158.0, 166.0]),
                distance_m=km * 1000,
            )
        if i % 2 == 0:
            _activity(
                rows,
                "ana",
                monday + timedelta(days=6),
                9,
                sport="training",
                sub_sport="yoga",
                name="Yoga",
                category="other",
                subcategory="flexibility",
                minutes=30,
            )
        if i % 4 == 3:
            _activity(
                rows,
                "ana",
                monday + timedelta(days=6),
                15,
                sport="tennis",
                sub_sport=None,
                name="Tennis",
                category="other",
                subcategory="sport",
                minutes=60,
                avg_hr=128.0,
            )
        # ben: lifting Tue and Thu, walks Mon Wed Sat, balance class Fri
        ben = {lift: (start * 0.8 + gain * 0.5 * i) for lift, (start, gain) in LIFTS.items()}
        for n, offset in enumerate([1, 3] if i % 5 != 2 else [1]):
            day = monday + timedelta(days=offset)
            aid = _activity(
                rows,
                "ben",
                day,
                10,
                sport="training",
                sub_sport="strength_training",
                name="Gym",
                category="resistance",
                subcategory="strength",
                minutes=45,
                rpe=6.0,
            )
            start = datetime.combine(day, datetime.min.time()) + timedelta(hours=9)
            plan = (
                [
                    ("Back Squat", round(ben["Back Squat"] / 2.5) * 2.5, 3, 8),
                    ("Bench Press", round(ben["Bench Press"] / 2.5) * 2.5, 3, 8),
                ]
                if n == 0
                else [("Deadlift", round(ben["Deadlift"] / 2.5) * 2.5, 3, 6), ("Pull Up", 0.0, 3, 3 + i // 4)]
            )
            _lift(rows, aid, start, plan)
        for offset in (0, 2, 5):
            _activity(
                rows,
                "ben",
                monday + timedelta(days=offset),
                8,
                sport="walking",
                sub_sport="generic",
                name="Walk",
                category="other",
                subcategory="endurance",
                minutes=rng.choice([40, 50, 60]),
                avg_hr=rng.choice([112.0, 118.0, 124.0]),
                distance_m=4500.0,
            )
        if i % 3 != 2:
            _activity(
                rows,
                "ben",
                monday + timedelta(days=4),
                11,
                sport="training",
                sub_sport="generic",
                name="Balance class",
                category="other",
                subcategory="balance",
                minutes=45,
            )
    return rows


def insert(con: duckdb.DuckDBPyConnection, seed: int = 7) -> None:
    """Fill athletes, exercises, activities and strength_sets (the tables must exist)."""
    for athlete, values in ATHLETES.items():
        con.execute(
            "INSERT INTO athletes (athlete, time_zone, birth_year, max_hr, resting_hr, sex, units) "
            "VALUES ($athlete, 'Europe/Berlin', $birth_year, $max_hr, $resting_hr, $sex, $units)",
            {"athlete": athlete, **values},
        )
    for name, (category, primary, secondary, bodyweight) in CATALOGUE.items():
        con.execute(
            "INSERT INTO exercises (exercise, fit_category, primary_muscles, secondary_muscles, bodyweight) "
            "VALUES ($name, $category, $primary, $secondary, $bodyweight)",
            {"name": name, "category": category, "primary": primary, "secondary": secondary, "bodyweight": bodyweight},
        )
    rows = history(seed)
    for table, records in (("activities", rows.activities), ("strength_sets", rows.sets)):
        frame = pl.DataFrame(records, infer_schema_length=None)
        con.register("_rows", frame)
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _rows")
        con.unregister("_rows")
