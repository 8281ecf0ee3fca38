"""Strong workout export: one row per set, grouped into one activity per workout (date + workout name).

Three layouts are known:

- current, comma-separated: ``Date, Workout Name, Duration, Exercise Name, Set Order, Weight, Reps, Distance,
  Seconds, Notes, Workout Notes, RPE`` with durations like ``41m`` or ``1h 5m``. Weight and distance are in
  the app's units (kg or lbs, and separately km or miles), which the file does not say: the ``weight_unit``
  and ``distance_unit`` options say them. Without them the workouts, sets and reps load all the same; each weight
  or distance is kept as written and loads as null (:meth:`Sheet.wait`) until the setting is made.
- older, comma-separated: the unit is the column name (``kg``/``lbs``, ``km``/``mi``).
- semicolon-separated: ``Weight Unit`` and ``Distance Unit`` columns beside each value.

``Set Order`` is the set number, or ``W``/``D``/``F`` for warm-up, drop and failure sets, or ``Rest Timer``
for rest-timer rows, which are kept as ``rest`` rows (never counted as sets). Cardio rows (a treadmill run:
distance or seconds, no reps) keep reps null.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    number,
    repetitions,
    workout_frames,
)

NAME = "strong"
SETTINGS: tuple[str, ...] = ("weight_unit", "distance_unit")  # unit settings it may read
FORMAT = "csv:strong"
ROWS = "strength_sets"

DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %I:%M:%S %p",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %I:%M %p",
    "%d/%m/%Y %H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
)
MARKED_SETS = {"w": SetType.WARMUP, "d": SetType.DROP, "f": SetType.FAILURE}
REST_ROWS = frozenset({"rest timer", "rest", "resttimer"})


def detect(header: list[str], text: str) -> bool:
    return Columns(header).has_all("Date", "Workout Name", "Exercise Name", "Set Order")


@dataclass(frozen=True)
class _Units:
    """How one layout says (or does not say) the unit of weights and distances."""

    weight: int | None  # value column
    weight_unit: int | None  # per-row unit column (semicolon layout)
    weight_factor: float | None  # fixed factor from the column name or the units option; None: unknown
    distance: int | None
    distance_unit: int | None
    distance_factor: float | None


def read(sheet: Sheet, options: Options) -> Decoded:
    columns = sheet.columns()
    units = _layout_units(columns, options)
    col = {
        name: columns.find(*names)
        for name, names in {
            "date": ("Date",),
            "workout": ("Workout Name",),
            "exercise": ("Exercise Name",),
            "order": ("Set Order",),
            "reps": ("Reps",),
            "seconds": ("Seconds",),
            "notes": ("Notes",),
            "rpe": ("RPE",),
            "duration": ("Duration", "Workout Duration"),
        }.items()
    }
    workouts: dict[tuple[str, str], Workout] = {}
    read_once: dict[tuple[str, str], Workout] = {}

    def parse(record: Record) -> tuple[tuple[str, str], Workout, dict[str, object]]:
        key = (record.get(col["date"]), record.get(col["workout"]))
        workout = read_once.get(key)
        if workout is None:  # a workout's date and duration are read once
            workout = read_once[key] = _workout(record, col)
        return key, workout, _set(sheet, record, col, units)

    for record, (key, workout, row) in sheet.parsed(parse):
        workouts.setdefault(key, workout).add({**row, "source_line": record.line})
    if not workouts:
        return Decoded(FORMAT, file_type="no_activities", detail="Strong workout export with no sets")
    activities, sets = workout_frames(list(workouts.values()), options.zone)
    return Decoded(FORMAT, activities=activities, sets=sets)


def _layout_units(columns: Columns, options: Options) -> _Units:
    weight_named = next(((columns.find(u), f) for u, f in WEIGHT_UNITS.items() if u in columns), None)
    distance_named = next(((columns.find(u), f) for u, f in DISTANCE_UNITS.items() if u in columns), None)
    option_weight = WEIGHT_UNITS[options.weight_unit] if options.weight_unit else None
    option_distance = DISTANCE_UNITS[options.distance_unit] if options.distance_unit else None
    weight = weight_named[0] if weight_named else columns.find("Weight")
    distance = distance_named[0] if distance_named else columns.find("Distance")
    return _Units(
        weight=weight,
        weight_unit=columns.find("Weight Unit"),
        weight_factor=weight_named[1] if weight_named else option_weight,
        distance=distance,
        distance_unit=columns.find("Distance Unit"),
        distance_factor=distance_named[1] if distance_named else option_distance,
    )


def _workout(record: Record, col: dict[str, int | None]) -> Workout:
    try:
        start = local_datetime(record.get(col["date"]), DATE_FORMATS)
    except ValueError as exc:
        raise RowRejected(f"Date: {exc}") from exc
    try:
        elapsed = duration(record.get(col["duration"]))
    except ValueError as exc:
        raise RowRejected(f"workout duration: {exc}") from exc
    return Workout(name=record.get(col["workout"]) or None, start=start, elapsed_s=elapsed)


def _in_si(
    sheet: Sheet,
    record: Record,
    value: float | None,
    columns: tuple[int | None, int | None],
    factor: float | None,
    table: dict[str, float],
    what: str,
) -> float | None:
    """``value`` in SI; None and kept as written (:meth:`Sheet.wait`) when nothing says its unit."""
    value_col, unit_col = columns
    if not value:
        return value
    if unit_col is not None:
        unit = record.get(unit_col).casefold()
        if unit not in table:
            raise RowRejected(f"{what} unit {unit!r} is not one of {', '.join(table)}")
        return value * table[unit]
    if factor is None:
        sheet.wait(record, f"{what}_kg" if what == "weight" else f"{what}_m", record.get(value_col))
        return None
    return value * factor


def _set(sheet: Sheet, record: Record, col: dict[str, int | None], units: _Units) -> dict[str, object]:
    order = record.get(col["order"]).casefold()
    try:
        reps = number(record.get(col["reps"]))
        weight = number(record.get(units.weight))
        distance = number(record.get(units.distance))
        seconds = number(record.get(col["seconds"]))
        rpe = number(record.get(col["rpe"]))
    except ValueError as exc:
        raise RowRejected(str(exc)) from exc
    name = record.get(col["exercise"]) or None
    notes = record.get(col["notes"]) or None
    if order in REST_ROWS:
        return {
            "set_type": SetType.REST.value,
            "exercise_name": name,
            "duration_s": seconds or None,
            "notes": notes,
        }
    if order.isdigit():
        set_type = SetType.WORKING
    elif order in MARKED_SETS:
        set_type = MARKED_SETS[order]
    else:
        raise RowRejected(f"Set Order {order!r} is neither a set number, W/D/F nor a rest timer")
    count = repetitions(reps)
    weight_kg = _in_si(
        sheet, record, weight, (units.weight, units.weight_unit), units.weight_factor, WEIGHT_UNITS, "weight"
    )
    distance_m = _in_si(
        sheet,
        record,
        distance,
        (units.distance, units.distance_unit),
        units.distance_factor,
        DISTANCE_UNITS,
        "distance",
    )
    timed = bool(distance) or bool(seconds)  # a distance whose unit waits is a distance all the same
    if not reps and timed:
        # cardio or a timed hold: no repetitions, so it adds no resistance volume
        reps_out: int | None = None
        weight_kg = weight_kg or None
    else:
        reps_out = count
        bodyweight = reps_out is not None and not weight  # no load written: 0; a load whose unit waits: unknown
        weight_kg = weight_kg if weight_kg is not None else (0.0 if bodyweight else None)
    return {
        "set_type": set_type.value,
        "exercise_name": name,
        "reps": reps_out,
        "weight_kg": weight_kg,
        "distance_m": distance_m or None,
        "duration_s": seconds or None,
        "rpe": rpe,
        "notes": notes,
    }
