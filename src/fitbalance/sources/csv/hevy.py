"""Hevy workout export: one row per set, grouped into one activity per workout (title + start time).

Columns: ``title, start_time, end_time, description, exercise_title, superset_id, exercise_notes, set_index,
set_type, weight_kg | weight_lbs, reps, distance_km | distance_miles, duration_seconds, rpe``. Dates look like
``5 Dec 2025, 11:37`` in the phone's local time. Set types ``normal``, ``warmup``, ``dropset``, ``failure``.
Cardio rows (a run logged in Hevy) have a distance or duration and no reps: they stay sets with reps null.
"""

from __future__ import annotations

from fitbalance.models import Decoded, SetType
from fitbalance.sources.csv.helpers import (
    DISTANCE_UNITS,
    KG_PER_LB,
    Columns,
    Options,
    Record,
    RowRejected,
    Sheet,
    Workout,
    local_datetime,
    number,
    repetitions,
    workout_frames,
)

NAME = "hevy"
SETTINGS: tuple[str, ...] = ()  # unit settings it may read
FORMAT = "csv:hevy"
ROWS = "strength_sets"

DATE_FORMATS = (
    "%d %b %Y, %H:%M",
    "%d %b %Y, %H:%M:%S",
    "%d %B %Y, %H:%M",
    "%b %d, %Y, %H:%M",
    "%b %d, %Y, %I:%M %p",
    "%d %b %Y, %I:%M %p",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
)
SET_TYPES = {
    "normal": SetType.WORKING,
    "warmup": SetType.WARMUP,
    "dropset": SetType.DROP,
    "failure": SetType.FAILURE,
}


def detect(header: list[str], text: str) -> bool:
    return Columns(header).has_all("title", "start_time", "exercise_title", "set_index")


def read(sheet: Sheet, options: Options) -> Decoded:
    columns = sheet.columns()
    weight_col, per_weight = _unit_column(columns, {"weight_kg": 1.0, "weight_lbs": KG_PER_LB, "weight_lb": KG_PER_LB})
    distance_col, per_metre = _unit_column(
        columns,
        {
            "distance_km": DISTANCE_UNITS["km"],
            "distance_miles": DISTANCE_UNITS["mi"],
            "distance_mi": DISTANCE_UNITS["mi"],
            "distance_m": 1.0,
        },
    )
    col = {
        name: columns.find(name)
        for name in (
            "title",
            "start_time",
            "end_time",
            "exercise_title",
            "exercise_notes",
            "set_type",
            "reps",
            "duration_seconds",
            "rpe",
        )
    }
    workouts: dict[tuple[str, str], Workout] = {}
    read_once: dict[tuple[str, str], Workout] = {}

    def parse(record: Record) -> tuple[tuple[str, str], Workout, dict[str, object]]:
        key = (record.get(col["title"]), record.get(col["start_time"]))
        workout = read_once.get(key)
        if workout is None:  # a workout's times are read once
            workout = read_once[key] = _workout(record, col)
        return key, workout, _set(record, col, weight_col, per_weight, distance_col, per_metre)

    for record, (key, workout, row) in sheet.parsed(parse):
        workouts.setdefault(key, workout).add({**row, "source_line": record.line})
    if not workouts:
        return Decoded(FORMAT, file_type="no_activities", detail="Hevy workout export with no sets")
    activities, sets = workout_frames(list(workouts.values()), options.zone)
    return Decoded(FORMAT, activities=activities, sets=sets)


def _unit_column(columns: Columns, candidates: dict[str, float]) -> tuple[int | None, float]:
    for name, factor in candidates.items():
        index = columns.find(name)
        if index is not None:
            return index, factor
    return None, 1.0


def _workout(record: Record, col: dict[str, int | None]) -> Workout:
    try:
        start = local_datetime(record.get(col["start_time"]), DATE_FORMATS)
        end_text = record.get(col["end_time"])
        end = local_datetime(end_text, DATE_FORMATS) if end_text else None
    except ValueError as exc:
        raise RowRejected(f"workout time: {exc}") from exc
    elapsed = (end - start).total_seconds() if end is not None and end >= start else None
    return Workout(name=record.get(col["title"]) or None, start=start, elapsed_s=elapsed)


def _set(
    record: Record,
    col: dict[str, int | None],
    weight_col: int | None,
    per_weight: float,
    distance_col: int | None,
    per_metre: float,
) -> dict[str, object]:
    kind = record.get(col["set_type"]).casefold() or "normal"
    if kind not in SET_TYPES:
        raise RowRejected(f"set_type {kind!r} is not one of {', '.join(SET_TYPES)}")
    try:
        reps = number(record.get(col["reps"]))
        weight = number(record.get(weight_col))
        distance = number(record.get(distance_col))
        seconds = number(record.get(col["duration_seconds"]))
        rpe = number(record.get(col["rpe"]))
    except ValueError as exc:
        raise RowRejected(str(exc)) from exc
    count = repetitions(reps)
    if weight is None and count is not None:
        weight = 0.0  # a bodyweight set: the contract's 0 = bodyweight
    return {
        "set_type": SET_TYPES[kind].value,
        "exercise_name": record.get(col["exercise_title"]) or None,
        "reps": count,
        "weight_kg": weight * per_weight if weight is not None else None,
        "distance_m": distance * per_metre if distance else None,
        "duration_s": seconds if seconds else None,
        "rpe": rpe,
        "notes": record.get(col["exercise_notes"]) or None,
    }
