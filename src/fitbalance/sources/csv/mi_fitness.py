"""Mi Fitness (Xiaomi Wear) account export: ``<date>_<uid>_MiFitness_hlth_center_sport_record.csv``, one row per
workout of a Xiaomi / Redmi band or watch paired with the Mi Fitness app (Mi Fit's successor for Mi Band 7 Pro and
later; the export comes from Xiaomi's privacy centre as a password-protected zip of ``*_MiFitness_*.csv`` files).

The structure, as published parsers of the export read it (GitHub, 2024-2026: an importer of the zip's
``hlth_center_sport_record.csv`` into SQLite that checks its totals against the app, a Mi Fitness to Strava sync and
a table-by-table description of the export): ``Uid, Sid, Key, Time, Category, Value, UpdateTime``. ``Key`` names the
sport (``running``, ``boxing``, ``pool_swimm``...), ``Category`` its group (``running``, ``swimming``,
``physical_training``), ``Time`` the start in epoch seconds (UTC), and ``Value`` a JSON object of the workout:
``start_time`` and ``end_time`` (epoch seconds), ``duration`` (seconds), ``distance`` (metres), ``calories`` or
``total_cal`` (kcal), ``avg_hrm``, ``max_hrm``, ``min_hrm`` (bpm), ``steps``, ``sport_type`` (the watch's number),
``train_load`` ...; a value the watch did not measure is absent. Heart-rate samples and tracks are not in this file
(the track file holds links to GPX files).

The sport is the ``Key`` looked up in ``mi_fitness.toml`` (each key with its FIT sport and why), else its words in
the common names (``outdoor_cycling`` is cycling), else the ``Category``; anything else is generic with the key as
its name. Times are UTC: the local offset comes from the athlete's zone. A row whose ``Value`` is not JSON, or that
has no start, is set aside with its line. The export's other files (daily fitness data, aggregated reports, devices,
profiles, the track links) hold no workouts: they are skipped with their kind (``no_activities.toml``).
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any

from fitbalance.models import RAW_ACTIVITY_SCHEMA, Decoded
from fitbalance.sources.csv import typetables
from fitbalance.sources.csv.helpers import (
    EARLIEST,
    LATEST,
    Options,
    Record,
    RowRejected,
    Sheet,
    fold_key,
    frame,
    norm_header,
    utc_offset,
)
from fitbalance.sources.csv.sports import COMMON, GENERIC

NAME = "mi_fitness"
SETTINGS: tuple[str, ...] = ()  # unit settings it may read
FORMAT = "csv:mi_fitness"
ROWS = "activities"
DATA_FILE = "mi_fitness.toml"

COLUMNS = frozenset({"key", "time", "category", "value"})
MAX_WORKOUT_S = 2 * 86400
MAX_VALUE_CHARS = 64 * 1024  # one workout's summary; more is not a summary


def detect(header: list[str], text: str) -> bool:
    return {norm_header(h) for h in header} >= COLUMNS


def read(sheet: Sheet, options: Options) -> Decoded:
    columns = sheet.columns()
    col = {name: columns.find(name) for name in ("Key", "Time", "Category", "Value")}
    table = typetables.load(DATA_FILE)
    unmapped: dict[str, int] = {}

    def parse(record: Record) -> dict[str, Any]:
        value = _value(record.get(col["Value"]))
        start = _epoch(value.get("start_time"), "start_time") or _epoch(record.get(col["Time"]), "Time")
        if start is None:
            raise RowRejected("no start (Value has no start_time and Time is empty)")
        end = _epoch(value.get("end_time"), "end_time")
        duration = _figure(value, "duration")
        elapsed = (end - start).total_seconds() if end is not None and end >= start else duration
        for seconds in (duration, elapsed):
            if seconds is not None and seconds > MAX_WORKOUT_S:
                raise RowRejected(f"a workout of {seconds / 3600:.0f} hours is not a workout")
        calories = _figure(value, "calories")
        figures = {
            "distance_m": _figure(value, "distance") or None,
            "calories_kcal": calories if calories is not None else _figure(value, "total_cal"),
            "avg_hr": _figure(value, "avg_hrm") or None,
            "max_hr": _figure(value, "max_hrm") or None,
        }
        key, category = record.get(col["Key"]), record.get(col["Category"])
        sport, name = _sport(key, category, table)
        if sport is None:  # the row is read: noted only now
            label = key or category or "(empty)"
            unmapped[label] = unmapped.get(label, 0) + 1
        return {
            "sport": (sport or GENERIC)[0],
            "sub_sport": (sport or GENERIC)[1],
            "name": name,
            "start_time_utc": start,
            "utc_offset_s": utc_offset(start, options.zone),
            "elapsed_s": elapsed,
            "moving_s": duration,
            "timer_s": duration if duration is not None else elapsed,  # duration: the recorded time
            **figures,
            "device": "Mi Fitness",
            "source_ref": f"{key}@{start.isoformat()}",
            "source_line": record.line,
        }

    activities = [{**row, "session_index": i} for i, (_, row) in enumerate(sheet.parsed(parse))]
    if not activities and not sheet.rejected:
        return Decoded(FORMAT, file_type="no_activities", detail="Mi Fitness sport records with no workouts")
    warnings: tuple[str, ...] = ()
    if unmapped:
        listed = ", ".join(f"{k!r} ({v})" for k, v in sorted(unmapped.items()))
        warnings = (f"Mi Fitness sports not in the table, kept as generic with their name: {listed}",)
    return Decoded(FORMAT, activities=frame(activities, RAW_ACTIVITY_SCHEMA), warnings=warnings)


def _value(text: str) -> dict[str, Any]:
    """The ``Value`` cell as a JSON object."""
    if not text.strip():
        raise RowRejected("Value is empty")
    if len(text) > MAX_VALUE_CHARS:
        raise RowRejected(f"Value is {len(text)} characters, over {MAX_VALUE_CHARS}: not a workout summary")
    try:
        found = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise RowRejected(f"Value is not JSON: {exc}") from exc
    if not isinstance(found, dict):
        raise RowRejected(f"Value is a JSON {type(found).__name__}, not an object")
    return found


def _figure(value: dict[str, Any], key: str) -> float | None:
    """A non-negative number of ``Value`` (a number or numeric text); None when absent; a row error otherwise."""
    found = value.get(key)
    if found is None or found == "":
        return None
    if isinstance(found, bool):
        raise RowRejected(f"{key} {found!r} is not a number")
    try:
        number = float(found)
    except (TypeError, ValueError) as exc:
        raise RowRejected(f"{key} {found!r} is not a number") from exc
    if not math.isfinite(number) or number < 0:
        raise RowRejected(f"{key} {found!r} is not a measurement")
    return number


def _epoch(found: Any, what: str) -> datetime | None:
    """Epoch seconds (or milliseconds) as a UTC time; None when absent."""
    if found is None or found == "":
        return None
    try:
        seconds = float(found)
    except (TypeError, ValueError) as exc:
        raise RowRejected(f"{what} {found!r} is not epoch seconds") from exc
    if not math.isfinite(seconds):
        raise RowRejected(f"{what} {found!r} is not epoch seconds")
    if seconds > 1e11:  # milliseconds
        seconds /= 1000
    if (
        not (EARLIEST - datetime(1970, 1, 1)).total_seconds()
        <= seconds
        < (LATEST - datetime(1970, 1, 1)).total_seconds()
    ):
        raise RowRejected(f"{what} {found!r} is outside {EARLIEST.year}-{LATEST.year - 1}")
    return datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)


def _sport(key: str, category: str, table: typetables.TypeTable) -> tuple[tuple[str, str] | None, str | None]:
    """The FIT pair and the name of a workout: its key in the table, its key's words in the common names, then its
    category the same two ways; the name is the table's, else the key in words."""
    for label in (key, category):
        if not label:
            continue
        entry = table.name(label)
        if entry is not None:
            return entry.pair, entry.name
        pair = COMMON.get(fold_key(label))
        if pair is not None:
            return pair, _words(key or label)
    return None, _words(key or category) or None


def _words(key: str) -> str:
    return key.replace("_", " ").strip().capitalize()
