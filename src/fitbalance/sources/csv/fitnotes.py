"""FitNotes (Android) workout export: one row per set, grouped into one activity per date.

Columns: ``Date, Exercise, Category, Weight (kgs), Reps, Distance, Distance Unit, Time, Comment``; older exports
have no ``Comment``. The weight column's name says its unit (``Weight (kgs)``/``(kg)`` or ``Weight (lbs)``/
``(lb)``), or a ``Weight Unit`` column beside a plain ``Weight`` says it per row; a plain ``Weight`` with neither
is read with the ``weight_unit`` option; without it each weight is kept as written and loads as null until the
setting is made (never guessed). Distances carry their unit per row (``km``, ``mi``, ``m``, ``ft``, ``yds``; a
distance without one is read with the ``distance_unit`` option, or waits for it the same way); ``Time`` is a
duration (``0:05:30``, ``5:30``). ``Category`` is FitNotes' body part or type (``Chest``, ``Legs``, ``Cardio``,
...). The Android spreadsheet export has no effort column; FitNotes on iOS logs RPE or reps in reserve per set, and
a file with an ``RPE`` column (or ``RIR``, read as RPE = 10 - RIR) has them read into ``rpe``.

Dates have no clock time: the rows of one ``Date`` are one workout, started at local noon of that date in the
athlete's zone (:data:`DAY_START`; a convention, not when the athlete trained), its sets in file order.

- A row with reps is a working set; a weight of 0 or none is bodyweight (0 kg, the contract's bodyweight).
- A cardio row (Category ``Cardio``, or a distance with neither reps nor weight) is kept as a set with its
  distance and duration, reps and weight null and ``exercise_category`` ``cardio``, so it never counts as a
  working set or resistance volume (the catalogue files unmapped names under ``Cardio``).
- A time without reps outside the Cardio category (a plank, a dead hang) is a timed hold: duration, reps null.

A day of cardio rows only is a ``training``/``cardio_training`` activity (other exercise) whose elapsed time and
distance are its rows' totals. Any other day is ``training``/``strength_training`` (resistance) with the day's
total distance and no elapsed time: the export does not time the lifting. The activity is named after the day's
categories in file order (``Chest, Triceps``), so settings overrides can match them. A row with a bad cell (a date
that is not ``YYYY-MM-DD``, text in a number column, negative, fractional or absurd reps, an unknown unit) is set
aside with its line and reason; the rest of the file is read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from fitbalance.models import Decoded, SetType
from fitbalance.sources.csv.helpers import (
    DISTANCE_UNITS,
    WEIGHT_UNITS,
    Columns,
    Options,
    Record,
    RowRejected,
    Sheet,
    Workout,
    duration,
    local_datetime,
    norm_header,
    number,
    repetitions,
    workout_frames,
)

NAME = "fitnotes"
SETTINGS: tuple[str, ...] = ("weight_unit", "distance_unit")  # unit settings it may read
FORMAT = "csv:fitnotes"
ROWS = "strength_sets"

DATE_FORMATS = ("%Y-%m-%d",)
DAY_START = time(12, 0)  # the export has dates only: a day's workout starts at local noon
CARDIO_CATEGORY = "cardio"  # FitNotes' category and the FIT exercise category of its rows
_WEIGHT_HEADER = re.compile(r"weight ?\( ?(kgs?|lbs?) ?\)")


def detect(header: list[str], text: str) -> bool:
    return Columns(header).has_all("Date", "Exercise", "Category", "Reps") and _weight_column(header) is not None


def _weight_column(header: Sequence[str]) -> tuple[int, float | None] | None:
    """The weight column and the factor to kg its name says (None for a plain ``Weight``)."""
    for index, name in enumerate(header):
        key = norm_header(name)
        match = _WEIGHT_HEADER.fullmatch(key)
        if match:
            return index, WEIGHT_UNITS[match.group(1)]
        if key == "weight":
            return index, None
    return None


@dataclass
class _Day:
    """One date's rows while the file is read: the sets, the categories seen, whether every row was cardio."""

    sets: list[dict[str, Any]] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    cardio_only: bool = True


def read(sheet: Sheet, options: Options) -> Decoded:
    columns = sheet.columns()
    weight_col, weight_factor = _weight_column(sheet.header) or (None, None)
    col = {
        name: columns.find(*names)
        for name, names in {
            "date": ("Date",),
            "exercise": ("Exercise",),
            "category": ("Category",),
            "reps": ("Reps",),
            "distance": ("Distance",),
            "weight_unit": ("Weight Unit",),
            "distance_unit": ("Distance Unit",),
            "time": ("Time", "Duration"),
            "comment": ("Comment", "Comments", "Notes"),
            "rpe": ("RPE",),
            "rir": ("RIR", "Reps in Reserve"),
        }.items()
    }
    col["weight"] = weight_col
    if weight_factor is None and options.weight_unit:
        weight_factor = WEIGHT_UNITS[options.weight_unit]
    days: dict[date, _Day] = {}
    for record, (day_of, (row, cardio)) in sheet.parsed(
        lambda r: (_date(r, col["date"]), _set(sheet, r, col, weight_factor, options))
    ):
        day = days.setdefault(day_of, _Day())
        category = record.get(col["category"])
        day.sets.append({**row, "source_line": record.line})
        day.cardio_only = day.cardio_only and cardio
        if category and category not in day.categories:
            day.categories.append(category)
    if not days:
        return Decoded(FORMAT, file_type="no_activities", detail="FitNotes workout export with no sets")
    activities, sets = workout_frames([_workout(d, day) for d, day in days.items()], options.zone)
    return Decoded(FORMAT, activities=activities, sets=sets)


def _workout(day_of: date, day: _Day) -> Workout:
    distance = sum(r["distance_m"] or 0.0 for r in day.sets) or None
    elapsed = (sum(r["duration_s"] or 0.0 for r in day.sets) or None) if day.cardio_only else None
    return Workout(
        name=", ".join(day.categories) or None,
        start=datetime.combine(day_of, DAY_START),
        elapsed_s=elapsed,
        sets=day.sets,
        source_ref=day_of.isoformat(),
        sub_sport="cardio_training" if day.cardio_only else "strength_training",
        distance_m=distance,
    )


def _date(record: Record, index: int | None) -> date:
    try:
        return local_datetime(record.get(index), DATE_FORMATS).date()
    except ValueError as exc:
        raise RowRejected(f"Date: {exc}") from exc


def _cell(record: Record, index: int | None, what: str, parse: Callable[[str], float | None]) -> float | None:
    try:
        return parse(record.get(index))
    except ValueError as exc:
        raise RowRejected(f"{what}: {exc}") from exc


def _set(
    sheet: Sheet, record: Record, col: dict[str, int | None], weight_factor: float | None, options: Options
) -> tuple[dict[str, Any], bool]:
    """One row as a set (raw contract, SI) and whether it is a cardio row."""
    reps = _cell(record, col["reps"], "Reps", number)
    weight = _cell(record, col["weight"], "Weight", number)
    distance = _cell(record, col["distance"], "Distance", number)
    seconds = _cell(record, col["time"], "Time", duration)
    rir = _cell(record, col["rir"], "RIR", number)
    rpe = _cell(record, col["rpe"], "RPE", number)
    if rpe is None and rir is not None:
        rpe = 10.0 - rir  # reps in reserve on the RIR-based RPE scale (Zourdos et al. 2016)
    count = repetitions(reps)
    weight_kg = _weight_kg(sheet, record, weight, (col["weight"], col["weight_unit"]), weight_factor)
    distance_m = _distance_m(sheet, record, distance, (col["distance"], col["distance_unit"]), options)
    category = record.get(col["category"])
    row: dict[str, Any] = {
        "set_type": SetType.WORKING.value,
        "exercise_name": record.get(col["exercise"]) or None,
        "distance_m": distance_m or None,
        "duration_s": seconds or None,
        "notes": record.get(col["comment"]) or None,
    }
    cardio = category.casefold() == CARDIO_CATEGORY or (bool(distance) and not reps and not weight)
    if cardio:
        return {**row, "exercise_category": CARDIO_CATEGORY, "reps": None, "weight_kg": None, "rpe": None}, True
    if not reps and (distance or seconds):
        # a timed hold or a carry: no repetitions, so only a load makes it a working set
        return {**row, "reps": None, "weight_kg": weight_kg or None, "rpe": rpe}, False
    bodyweight = 0.0 if count is not None and not weight else None  # a load whose unit waits is not bodyweight
    return {**row, "reps": count, "weight_kg": weight_kg if weight_kg else bodyweight, "rpe": rpe}, False


def _weight_kg(
    sheet: Sheet, record: Record, weight: float | None, cols: tuple[int | None, int | None], factor: float | None
) -> float | None:
    weight_col, unit_col = cols
    if not weight:
        return weight
    unit = record.get(unit_col).casefold()
    if unit:
        if unit not in WEIGHT_UNITS:
            raise RowRejected(f"Weight Unit {unit!r} is not one of {', '.join(WEIGHT_UNITS)}")
        return weight * WEIGHT_UNITS[unit]
    if factor is None:  # the Weight column does not say kg or lbs: kept as written until weight_unit is set
        sheet.wait(record, "weight_kg", record.get(weight_col))
        return None
    return weight * factor


def _distance_m(
    sheet: Sheet, record: Record, distance: float | None, cols: tuple[int | None, int | None], options: Options
) -> float | None:
    distance_col, unit_col = cols
    if not distance:
        return distance
    unit = record.get(unit_col).casefold() or options.distance_unit
    if unit is None:  # no Distance Unit: kept as written until distance_unit is set
        sheet.wait(record, "distance_m", record.get(distance_col))
        return None
    if unit not in DISTANCE_UNITS:
        raise RowRejected(f"Distance Unit {unit!r} is not one of {', '.join(DISTANCE_UNITS)}")
    return distance * DISTANCE_UNITS[unit]
