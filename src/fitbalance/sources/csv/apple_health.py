"""Apple Health workouts exported as CSV by the iPhone apps that do it (one row per workout).

- Health Export ("HealthExport CSV"): ``Date`` holds the range ``2021-10-04 08:07:18 - 2021-10-04 08:40:04``,
  ``Activity`` the workout type, then ``Duration(s)``, ``Distance(km)`` or ``Distance(mi)``,
  ``Active energy burned(kcal)``, ``Heart rate: Average(count/min)``, ``Heart rate: Maximum(count/min)``.
- Health Auto Export: ``Workout Type``, ``Start``, ``End``, ``Duration``, ``Distance (km)``,
  ``Active Energy (kcal)``, ``Avg Heart Rate (bpm)``, ``Max Heart Rate (bpm)``.

Units are in the column names. Times are local wall times: the athlete's zone applies.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from fitbalance.models import RAW_ACTIVITY_SCHEMA, Decoded
from fitbalance.sources.csv.helpers import (
    DISTANCE_UNITS,
    Columns,
    Options,
    Record,
    RowRejected,
    Sheet,
    duration,
    fold_key,
    fold_table,
    frame,
    local_datetime,
    local_to_utc,
    norm_header,
    number,
)
from fitbalance.sources.csv.sports import COMMON, GENERIC, STRENGTH

NAME = "apple_health"
SETTINGS: tuple[str, ...] = ()  # unit settings it may read
FORMAT = "csv:apple_health"
ROWS = "activities"

DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S %z",
    "%Y-%m-%dT%H:%M:%S",
    "%d/%m/%Y %H:%M",
)
_RANGE = re.compile(r"\s+-\s+")
_UNIT = re.compile(r"\(([a-z]+)\)\s*$")

# HKWorkoutActivityType names as the export apps write them, beyond sports.COMMON.
TYPES = fold_table(
    {
        "Traditional Strength Training": STRENGTH,
        "Functional Strength Training": STRENGTH,
        "Core Training": ("training", "generic"),
        "Cross Training": ("training", "generic"),
        "Mixed Cardio": ("training", "cardio_training"),
        "Stair Climbing": ("fitness_equipment", "stair_climbing"),
        "Stairs": ("fitness_equipment", "stair_climbing"),
        "Step Training": ("fitness_equipment", "stair_climbing"),
        "Cooldown": ("training", "flexibility_training"),
        "Mind and Body": ("training", "flexibility_training"),
        "Flexibility": ("training", "flexibility_training"),
        "Wheelchair Run Pace": ("wheelchair_push_run", "generic"),
        "Wheelchair Walk Pace": ("wheelchair_push_walk", "generic"),
        "Paddle Sports": ("paddling", "generic"),
        "Snow Sports": ("alpine_skiing", "generic"),
        "Downhill Skiing": ("alpine_skiing", "generic"),
        "Hand Cycling": ("cycling", "hand_cycling"),
        "Martial Arts": ("mixed_martial_arts", "generic"),
        "Kickboxing": ("boxing", "generic"),
        "Social Dance": ("dance", "generic"),
        "Cardio Dance": ("dance", "generic"),
        "Jump Rope": ("jump_rope", "generic"),
        "Preparation and Recovery": ("training", "flexibility_training"),
    }
)


def detect(header: list[str], text: str) -> bool:
    columns = Columns(header)
    health_export = columns.has_all("Date", "Activity") and any(norm_header(h).startswith("duration") for h in header)
    auto_export = columns.has_all("Workout Type", "Start", "End")
    return health_export or auto_export


def sport_of(type_name: str) -> tuple[str, str] | None:
    key = fold_key(type_name)
    return TYPES.get(key) or COMMON.get(key)


def _unit_column(header: tuple[str, ...], prefixes: tuple[str, ...]) -> tuple[int | None, str | None]:
    """The first column whose name starts with one of ``prefixes``, and the unit in its parentheses."""
    for i, name in enumerate(header):
        key = norm_header(name)
        if key.startswith(prefixes):
            match = _UNIT.search(key)
            return i, match.group(1) if match else None
    return None, None


def read(sheet: Sheet, options: Options) -> Decoded:
    columns = sheet.columns()
    header = sheet.header
    type_col = columns.find("Activity", "Workout Type", "Type")
    range_col = columns.find("Date") if columns.find("Start") is None else None
    distance_col, distance_unit = _unit_column(header, ("distance",))
    if distance_col is not None and distance_unit not in DISTANCE_UNITS:
        raise sheet.error(f"distance column {header[distance_col]!r} does not name a known unit")
    per_metre = DISTANCE_UNITS.get(distance_unit or "m", 1.0)
    duration_col, duration_unit = _unit_column(header, ("duration",))
    energy_col, energy_unit = _unit_column(header, ("active energy", "active energy burned"))
    per_kcal = 1 / 4.184 if energy_unit == "kj" else 1.0
    avg_col, _ = _unit_column(header, ("heart rate: average", "avg heart rate", "average heart rate"))
    max_col, _ = _unit_column(header, ("heart rate: maximum", "max heart rate", "maximum heart rate"))
    unmapped: dict[str, int] = {}

    def row(record: Record) -> dict[str, Any]:
        start, end = _times(record, columns, range_col)
        try:
            seconds = duration(record.get(duration_col))
            if seconds is not None and duration_unit in ("min", "mins"):
                seconds *= 60
            elif seconds is not None and duration_unit in ("h", "hr"):
                seconds *= 3600
            distance = number(record.get(distance_col))
            energy = number(record.get(energy_col))
            avg_hr = number(record.get(avg_col))
            max_hr = number(record.get(max_col))
        except ValueError as exc:
            raise RowRejected(str(exc)) from exc
        type_name = record.get(type_col)
        sport = sport_of(type_name)
        if sport is None:
            unmapped[type_name] = unmapped.get(type_name, 0) + 1
        start_utc, offset = _to_utc(start, options)
        given = "row" if start.utcoffset() is not None else None  # the time's own offset: never placed again
        elapsed = seconds
        if end is not None and (end.tzinfo is None) == (start.tzinfo is None) and end >= start:
            elapsed = (end - start).total_seconds()
        sport_pair = sport or GENERIC
        return {
            "sport": sport_pair[0],
            "sub_sport": sport_pair[1],
            "name": type_name or None,
            "start_time_utc": start_utc,
            "utc_offset_s": offset,
            "utc_offset_source": given,
            "source_line": record.line,
            "elapsed_s": elapsed,
            "moving_s": seconds,
            "timer_s": seconds,  # the workout's duration as Apple records it
            "distance_m": distance * per_metre if distance is not None else None,
            "calories_kcal": energy * per_kcal if energy is not None else None,
            "avg_hr": avg_hr,
            "max_hr": max_hr,
            "source_ref": start.isoformat(),
        }

    activities = [{**values, "session_index": i} for i, (_, values) in enumerate(sheet.parsed(row))]
    if not activities:
        return Decoded(FORMAT, file_type="no_activities", detail="Apple Health workouts export with no rows")
    warnings: tuple[str, ...] = ()
    if unmapped:
        listed = ", ".join(f"{k!r} ({v})" for k, v in sorted(unmapped.items()))
        warnings = (f"workout types with no FIT sport, kept as generic with the type as name: {listed}",)
    return Decoded(FORMAT, activities=frame(activities, RAW_ACTIVITY_SCHEMA), warnings=warnings)


def _parse_time(text: str) -> datetime:
    try:
        return local_datetime(text, DATE_FORMATS)
    except ValueError as exc:
        raise RowRejected(f"workout time: {exc}") from exc


def _to_utc(start: datetime, options: Options) -> tuple[datetime, int]:
    """UTC and offset: from the time's own offset (Health Auto Export), else from the athlete's zone."""
    offset = start.utcoffset()
    if offset is None:
        return local_to_utc(start, options.zone)
    return (start - offset).replace(tzinfo=None), int(offset.total_seconds())


def _times(record: Record, columns: Columns, range_col: int | None) -> tuple[datetime, datetime | None]:
    if range_col is not None:
        parts = _RANGE.split(record.get(range_col))
        if len(parts) != 2:
            raise RowRejected(f"Date {record.get(range_col)!r} is not a 'start - end' range")
        return _parse_time(parts[0]), _parse_time(parts[1])
    end_text = record.get(columns.find("End"))
    return _parse_time(record.get(columns.find("Start"))), _parse_time(end_text) if end_text else None
