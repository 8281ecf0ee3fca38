"""WHOOP data export: ``workouts.csv``, one row per workout.

The export (app: More > App Settings > Data Export, a zip of CSVs) writes ``Cycle start time, Cycle end time, Cycle
timezone, Workout start time, Workout end time, Duration (min), Activity name, Activity Strain, Energy burned (cal),
Max HR (bpm), Average HR (bpm), HR Zone 1 % ... HR Zone 5 %, GPS enabled`` and, in newer exports, ``Distance
(meters), Altitude Gain (meters)``; an account set to Spanish gets the same columns in Spanish (the names are kept
in ``whoop.toml``; so are a German account's, ``Trainings.csv``). Workout times are local wall times in the
cycle's zone, written ``UTC+01:00``, ``-05:00`` or ``UTCZ`` (UTC): they are placed with that offset
(``utc_offset_source = "row"``); a row without one, or with one that is not an offset (a warning names its line),
takes the athlete's zone. ``Energy burned (cal)`` is in
kilocalories (WHOOP's "cal"). ``Activity name`` is looked up in the table of WHOOP's published activities
(``whoop.toml``: each with its FIT sport and why): Weightlifting, Powerlifting, Strength Trainer and Functional
Fitness are resistance training.

The heart-rate zone percentages are checked (each 0-100, together at most 100 give or take rounding; a row whose
zones cannot be percentages loads, and a warning names its line) but not stored: the activities table has no zone
columns, and heart-rate load is computed from the heart rate itself. ``physiological_cycles.csv``, ``sleeps.csv`` and
``journal_entries.csv`` hold no workouts: they are skipped with their kind (``no_activities.toml``).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from fitbalance.models import RAW_ACTIVITY_SCHEMA, Decoded
from fitbalance.sources.csv import typetables
from fitbalance.sources.csv.helpers import (
    Columns,
    Options,
    Record,
    RowRejected,
    Sheet,
    fold_key,
    frame,
    local_datetime,
    local_to_utc,
    number,
)
from fitbalance.sources.csv.sports import COMMON, GENERIC

NAME = "whoop"
SETTINGS: tuple[str, ...] = ()  # unit settings it may read
FORMAT = "csv:whoop"
ROWS = "activities"
DATA_FILE = "whoop.toml"

DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M")
ZONE_SUM_TOLERANCE = 1.5  # percent: five rounded percentages may add up to a little over 100
MAX_WORKOUT_S = 2 * 86400
_OFFSET = re.compile(r"(?:UTC|GMT)?\s*(?:(Z)|([+-])(\d{1,2}):?(\d{2})?)?", re.IGNORECASE)
# zone columns: English, Spanish, German ("HF-Zone 1 %"), French ("Zone FC 1 %", a no-break space before the %) and
# Brazilian Portuguese ("Zona 3 de FC %"), as a WHOOP importer on GitHub pins them from its users' exports (2026)
_ZONE = re.compile(r"^(?:(?:hr zone|zona fc|hf-zone|zone fc)\s*(\d)|zona\s*(\d)\s*de fc)\s*%$")


def _names(key: str) -> tuple[str, ...]:
    columns: dict[str, list[str]] = typetables.load(DATA_FILE).data["columns"]
    return tuple(columns[key])


def detect(header: list[str], text: str) -> bool:
    columns = Columns(header)
    return columns.find(*_names("start")) is not None and columns.find(*_names("name")) is not None


def read(sheet: Sheet, options: Options) -> Decoded:
    columns = sheet.columns()
    col = {key: columns.find(*_names(key)) for key in typetables.load(DATA_FILE).data["columns"]}
    zones = [i for i, name in enumerate(columns.names) if _ZONE.match(name)]
    table = typetables.load(DATA_FILE)
    unmapped: dict[str, int] = {}
    bad_zones: list[str] = []
    unread_zones: list[int] = []

    def value(record: Record, key: str) -> float | None:
        try:
            found = number(record.get(col[key]))
        except ValueError as exc:
            raise RowRejected(f"{sheet.header[col[key] or 0]}: {exc}") from exc
        if found is not None and found < 0:
            raise RowRejected(f"{sheet.header[col[key] or 0]} {found:g} is negative")
        return found

    def parse(record: Record) -> dict[str, Any]:
        start = _time(record.get(col["start"]), "workout start time")
        end_text = record.get(col["end"])
        end = _time(end_text, "workout end time") if end_text else None
        minutes = value(record, "duration_min")
        elapsed = (end - start).total_seconds() if end is not None and end >= start else None
        if elapsed is None and minutes is not None:
            elapsed = minutes * 60.0
        if elapsed is not None and elapsed > MAX_WORKOUT_S:
            raise RowRejected(f"a workout of {elapsed / 3600:.0f} hours is not a workout")
        zone_text = record.get(col["timezone"])
        offset = _offset(zone_text)
        if offset is not None:
            start_utc, source = start - timedelta(seconds=offset), "row"
        else:
            (start_utc, offset), source = local_to_utc(start, options.zone), None
        row = {
            "distance_m": value(record, "distance_m"),
            "calories_kcal": value(record, "energy_kcal"),
            "avg_hr": value(record, "avg_hr") or None,
            "max_hr": value(record, "max_hr") or None,
        }
        # the row is read: what is only noted about it comes last
        if zone_text and source is None:
            unread_zones.append(record.line)
        problem = _zone_problem(sheet, record, zones)
        if problem:
            bad_zones.append(f"line {record.line}: {problem}")
        activity_name = record.get(col["name"])
        entry = table.name(activity_name)
        sport = entry.pair if entry else COMMON.get(fold_key(activity_name))
        if sport is None:
            unmapped[activity_name or "(empty)"] = unmapped.get(activity_name or "(empty)", 0) + 1
        return {
            "sport": (sport or GENERIC)[0],
            "sub_sport": (sport or GENERIC)[1],
            "name": activity_name or None,
            "start_time_utc": start_utc,
            "utc_offset_s": offset,
            "utc_offset_source": source,
            "elapsed_s": elapsed,
            "moving_s": minutes * 60.0 if minutes is not None else None,
            # WHOOP records a workout without pauses: its duration is the timer time, else start to end
            "timer_s": minutes * 60.0 if minutes is not None else elapsed,
            **row,
            "device": "WHOOP",
            "source_ref": start.isoformat(),
            "source_line": record.line,
        }

    activities = [{**row, "session_index": i} for i, (_, row) in enumerate(sheet.parsed(parse))]
    if not activities and not sheet.rejected:
        return Decoded(FORMAT, file_type="no_activities", detail="WHOOP workouts export with no rows")
    warnings: list[str] = []
    if unmapped:
        listed = ", ".join(f"{k!r} ({v})" for k, v in sorted(unmapped.items()))
        warnings.append(f"activities not in WHOOP's published list, kept as generic with their name: {listed}")
    if unread_zones:
        lines = ", ".join(map(str, unread_zones[:5]))
        warnings.append(f"cycle timezone not understood on line(s) {lines}: placed in the athlete's zone")
    if bad_zones:
        warnings.append(f"heart-rate zones that cannot be percentages (not stored): {'; '.join(bad_zones[:5])}")
    return Decoded(FORMAT, activities=frame(activities, RAW_ACTIVITY_SCHEMA), warnings=tuple(warnings))


def _time(text: str, what: str) -> datetime:
    try:
        return local_datetime(text, DATE_FORMATS)
    except ValueError as exc:
        raise RowRejected(f"{what}: {exc}") from exc


def _offset(text: str) -> int | None:
    """Seconds east of UTC from ``UTC+01:00``, ``-05:00``, ``UTCZ``, ``UTC``; None when empty or not an offset."""
    raw = text.strip()
    found = _OFFSET.fullmatch(raw) if raw else None
    if found is None:
        return None
    zulu, sign, hours, minutes = found.groups()
    if zulu or sign is None:
        return 0
    seconds = int(hours) * 3600 + int(minutes or 0) * 60
    return None if seconds > 14 * 3600 else (seconds if sign == "+" else -seconds)


def _zone_problem(sheet: Sheet, record: Record, zones: list[int]) -> str | None:
    """What is wrong with a row's heart-rate zone percentages (each 0-100, together at most about 100), or None."""
    total = 0.0
    for index in zones:
        try:
            share = number(record.get(index))
        except ValueError as exc:
            return f"{sheet.header[index]}: {exc}"
        if share is None:
            continue
        if not 0 <= share <= 100:
            return f"{sheet.header[index]} {share:g} is not a percentage"
        total += share
    if total > 100 + ZONE_SUM_TOLERANCE:
        return f"the zones add up to {total:g}%, more than the whole workout"
    return None
