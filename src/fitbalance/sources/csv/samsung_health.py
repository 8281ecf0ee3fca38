"""Samsung Health export: the exercise table ``com.samsung.shealth.exercise.<when>.csv``, one row per workout.

A Samsung Health export (Settings > Download personal data: a folder or zip ``samsunghealth_<user>_<when>``) holds
one CSV per table. Each starts with a line naming its table (``com.samsung.shealth.exercise,6313001,9``: the table,
the app version that wrote it, a count), then the header; a byte-order mark comes first in newer exports, and every
row may end in a stray delimiter. The header names columns with the table's prefix in newer app versions
(``com.samsung.health.exercise.start_time``) and without it in older ones (``start_time``): both are read, by the
name after the last dot.

What a row holds: ``start_time`` and ``end_time`` in UTC (``2023-12-22 11:48:00.000``, or epoch milliseconds),
``time_offset`` the local offset (``UTC+0100``; older exports write it in milliseconds, ``3600000``, the SDK's
unit), ``exercise_type`` a code of Samsung's published list
(``samsung_health.toml``: every code with its FIT sport and why), ``title`` / ``exercise_custom_type`` the name
of a custom workout (code 0, classified by that name), ``duration`` in milliseconds (the timer time: the recording
time with pauses left out, while ``end_time`` - ``start_time`` holds them; a published analysis of a real export
found 4,152,962 ms beside 4,169,935 ms of start to end, the difference the one long gap in its samples),
``distance`` in metres, ``calorie`` (or ``total_calorie``) in kcal, ``mean_heart_rate`` and ``max_heart_rate`` in
bpm, ``datauuid`` the workout's id, and ``live_data``: older exports put the samples inline as JSON
(``[{"start_time": <ms>, "heart_rate": 121, ...}]``, read as samples), newer ones name a JSON file under ``jsons/``
(``jsons/com.samsung.shealth.exercise/<first character>/<datauuid>.com.samsung.health.exercise.live_data.json``,
the same points as a file of their own). Such a file is read from beside the table, in the export's folder on disk
or in the zip it came in (:mod:`fitbalance.sources.companions`), as that workout's samples; a file not there, not a
list of samples, or named by a path rather than a name costs that workout its samples only (a warning says how many
and which lines). The JSON files are themselves skipped as Samsung Health samples when the ingest meets them
(:mod:`fitbalance.sources.json_exports`, ``no_activities.toml``): their points are the table's workouts'.
A time with its offset is marked
``utc_offset_source = "row"``; a row without one keeps its UTC time and takes the athlete's zone for its local time.

The export's other tables (steps, sleep, weight, heart rate, floors, stress, the exercise table's own side tables
...) are recognised by their first line and skipped with their kind (``[kinds]`` in the TOML file). The exercise
table without the columns of a workout is refused, never skipped.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from fitbalance.models import RAW_ACTIVITY_SCHEMA, RAW_SAMPLE_SCHEMA, Decoded
from fitbalance.sources.companions import Beside, NotBeside
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
    local_datetime,
    norm_header,
    number,
    utc_offset,
)
from fitbalance.sources.csv.sports import COMMON, GENERIC

NAME = "samsung_health"
SETTINGS: tuple[str, ...] = ()  # unit settings it may read
FORMAT = "csv:samsung_health"
ROWS = "activities"
DATA_FILE = "samsung_health.toml"

TABLE_PREFIX = "com.samsung."
EXERCISE_TABLES = ("com.samsung.shealth.exercise", "com.samsung.health.exercise")  # current; older exports
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S")
CUSTOM_CODE = "0"
MAX_WORKOUT_S = 7 * 86400
_OFFSET = re.compile(r"(?:UTC|GMT)?\s*([+-])(\d{1,2}):?(\d{2})?", re.IGNORECASE)
_ZULU = re.compile(r"(?:UTC|GMT|Z)", re.IGNORECASE)
# ``time_offset`` as the Samsung Health SDK defines it (HealthConstants.SessionMeasurement.TIME_OFFSET, a long of
# milliseconds: Tehran UTC+3:30 is 12600000, developer.samsung.com/health/android/data/api-reference/com/samsung/
# android/sdk/healthdata/HealthConstants.SessionMeasurement.html) and as older exports write it: a parser of both
# export layouts on GitHub pins ``7200000`` beside the current ``UTC+0200`` (2025). No sign, or ``-``, and at
# least five digits (``+0200`` is hours and minutes), or ``0``.
_OFFSET_MS = re.compile(r"-?(?:\d{5,9}|0)")
_EPOCH_MS = re.compile(r"\d{12,13}")
_EARLIEST_MS = (EARLIEST - datetime(1970, 1, 1)).total_seconds() * 1000
_LATEST_MS = (LATEST - datetime(1970, 1, 1)).total_seconds() * 1000


def detect(header: list[str], text: str) -> bool:
    return _table_line(header) is not None or _is_exercise_header(header)


def read(sheet: Sheet, options: Options) -> Decoded:
    table = _table_line(list(sheet.header))
    records = sheet.body
    header = list(sheet.header)
    if table is not None:  # the table line: the header follows it
        if table not in EXERCISE_TABLES:
            return _skipped(table, len(records) - 1)
        if not records or not _is_exercise_header([c.strip() for c in records[0].cells]):
            raise sheet.error(
                "Samsung Health exercise table without the columns of a workout (exercise_type, start_time and "
                "duration or end_time) on the line after its table line",
                records[0].line if records else None,
            )
        header, records = [c.strip() for c in records[0].cells], records[1:]
    return _read_exercises(sheet, header, records, options)


# ---- which file ------------------------------------------------------------------------------------------------


def _table_line(cells: list[str]) -> str | None:
    """The table named by a Samsung export's first line (``com.samsung.shealth.exercise,6313001,9``; older exports
    write the name alone, ``com.samsung.health.exercise``, as a parser of both layouts on GitHub pins), else None."""
    named = [norm_header(c) for c in cells if c.strip()]
    if not named or not named[0].startswith(TABLE_PREFIX) or not all(c.isdigit() for c in named[1:]):
        return None
    return named[0]


def _short(name: str) -> str:
    """A column's name without the table prefix (``com.samsung.health.exercise.start_time`` -> ``start_time``)."""
    key = norm_header(name)
    return key.rsplit(".", 1)[-1] if key.startswith(TABLE_PREFIX) else key


def _is_exercise_header(header: list[str]) -> bool:
    names = {_short(h) for h in header}
    return {"exercise_type", "start_time"} <= names and bool({"duration", "end_time"} & names)


def _skipped(table: str, rows: int) -> Decoded:
    kinds: dict[str, str] = typetables.load(DATA_FILE).data.get("kinds", {})
    prefix = max((p for p in kinds if table.startswith(p)), key=len, default=None)
    kind = kinds[prefix] if prefix is not None else "records"
    return Decoded(
        FORMAT,
        file_type="no_activities",
        detail=f"Samsung Health {kind} ({table}), {max(rows, 0)} data rows: it holds no workouts",
    )


# ---- the exercise table ----------------------------------------------------------------------------------------


def _columns(header: list[str]) -> dict[str, int]:
    """Short column name -> index; a prefixed column wins over an unprefixed one of the same short name."""
    found: dict[str, int] = {}
    for index, name in enumerate(header):
        short = _short(name)
        if short not in found or norm_header(name).startswith(TABLE_PREFIX):
            found[short] = index
    return found


def _read_exercises(sheet: Sheet, header: list[str], records: tuple[Record, ...], options: Options) -> Decoded:
    col = _columns(header)
    table = typetables.load(DATA_FILE)
    unmapped: dict[str, int] = {}
    unread_offsets: list[int] = []
    unread_live: list[int] = []
    samples: list[dict[str, Any]] = []

    def cell(record: Record, name: str) -> str:
        return record.get(col.get(name))

    def value(record: Record, name: str) -> float | None:
        try:
            found = number(cell(record, name))
        except ValueError as exc:
            raise RowRejected(f"{name}: {exc}") from exc
        return None if found is None or found < 0 else found

    def parse(record: Record) -> dict[str, Any]:
        start = _instant(cell(record, "start_time"), "start_time")
        end_text = cell(record, "end_time")
        end = _instant(end_text, "end_time") if end_text else None
        duration_ms = value(record, "duration")
        moving = duration_ms / 1000.0 if duration_ms is not None else None
        elapsed = (end - start).total_seconds() if end is not None and end >= start else moving
        if elapsed is not None and elapsed > MAX_WORKOUT_S:
            raise RowRejected(f"a workout of {elapsed / 3600:.0f} hours is not a workout (end or duration broken)")
        calories = value(record, "calorie")
        figures = {
            "distance_m": value(record, "distance"),
            "calories_kcal": calories if calories is not None else value(record, "total_calorie"),
            "avg_hr": value(record, "mean_heart_rate") or None,
            "max_hr": value(record, "max_heart_rate") or None,
        }
        # the row is read: what is only noted about it comes last
        offset_text = cell(record, "time_offset")
        offset = _offset(offset_text)
        if offset is None and offset_text:
            unread_offsets.append(record.line)
        code = cell(record, "exercise_type")
        title, custom_type = cell(record, "title"), cell(record, "exercise_custom_type")
        custom = title or custom_type
        sport, name = _sport(code, [title, custom_type, custom_type.rsplit(".", 1)[-1]], table)
        if sport is None:
            key = f"custom {custom!r}" if custom else f"code {code}" if code else "no code"
            unmapped[key] = unmapped.get(key, 0) + 1
        return {
            "sport": (sport or GENERIC)[0],
            "sub_sport": (sport or GENERIC)[1],
            "name": name,
            "start_time_utc": start,
            "utc_offset_s": offset if offset is not None else utc_offset(start, options.zone),
            "utc_offset_source": "row" if offset is not None else None,
            "elapsed_s": elapsed,
            "moving_s": moving,
            "timer_s": moving,  # duration: the recording time, pauses left out (end - start holds them)
            **figures,
            "device": "Samsung Health",
            "source_ref": cell(record, "datauuid") or start.isoformat(),
            "source_line": record.line,
            "_live": cell(record, "live_data"),
        }

    activities: list[dict[str, Any]] = []
    named: list[tuple[int, int, str, str]] = []  # (session, line, live_data file, datauuid)
    for index, (_, row) in enumerate(sheet.parsed(parse, records=records, header=header)):
        live = row.pop("_live")
        row["session_index"] = index
        if live.startswith("["):
            found = _live_samples(live, index, row["source_line"])
            if found is None:
                unread_live.append(row["source_line"])
            samples += found or []
        elif live:
            named.append((index, row["source_line"], live, row["source_ref"]))
        activities.append(row)
    companions = _companion_samples(named, options) if named else _Companions()
    samples += companions.samples
    live_files = companions.missing
    unread_live += companions.unread
    if not activities and not sheet.rejected:
        return Decoded(FORMAT, file_type="no_activities", detail="Samsung Health exercise table with no workouts")
    return Decoded(
        FORMAT,
        activities=frame(activities, RAW_ACTIVITY_SCHEMA),
        samples=frame(samples, RAW_SAMPLE_SCHEMA),
        warnings=_warnings(unmapped, unread_offsets, live_files, unread_live, companions.why_not),
    )


def _warnings(
    unmapped: dict[str, int],
    unread_offsets: list[int],
    live_files: int,
    unread_live: list[int],
    why_not: str | None = None,
) -> tuple[str, ...]:
    warnings = []
    if unmapped:
        listed = ", ".join(f"{k} ({v})" for k, v in sorted(unmapped.items()))
        warnings.append(f"exercise types with no FIT sport, kept as generic (a custom name still classifies): {listed}")
    if unread_offsets:
        lines = ", ".join(map(str, unread_offsets[:5]))
        warnings.append(f"time_offset not understood on line(s) {lines}: placed in the athlete's zone")
    if live_files:
        because = f" ({why_not})" if why_not else " (not found beside the table)"
        warnings.append(
            f"{live_files} workout(s) keep their samples in the export's jsons/ folder (live_data), not read"
            f"{because}: they load without samples"
        )
    if unread_live:
        lines = ", ".join(map(str, sorted(unread_live)[:5]))
        warnings.append(
            f"live_data of line(s) {lines} is not a readable list of samples: those workouts load without samples"
        )
    return tuple(warnings)


def _instant(text: str, what: str) -> datetime:
    """A UTC time as the export writes it: ``2023-12-22 11:48:00.000`` or epoch milliseconds."""
    raw = text.strip()
    if not raw:
        raise RowRejected(f"{what} is empty")
    if _EPOCH_MS.fullmatch(raw):
        found = datetime.fromtimestamp(int(raw) / 1000, UTC).replace(tzinfo=None)
        if not EARLIEST <= found < LATEST:
            raise RowRejected(f"{what} {raw!r} is outside {EARLIEST.year}-{LATEST.year - 1}")
        return found
    try:
        return local_datetime(raw, DATE_FORMATS)
    except ValueError as exc:
        raise RowRejected(f"{what}: {exc}") from exc


def _offset(text: str) -> int | None:
    """Seconds east of UTC from ``UTC+0100``, ``UTC-05:30``, ``+0200``, ``UTC`` (0) or milliseconds (``3600000``,
    older exports and the SDK's own unit); None when absent or not understood (not whole minutes, or over 14 h)."""
    raw = text.strip()
    if _ZULU.fullmatch(raw):
        return 0
    if _OFFSET_MS.fullmatch(raw):
        milliseconds = int(raw)
        if milliseconds % 60_000 or abs(milliseconds) > 14 * 3_600_000:
            return None
        return milliseconds // 1000
    found = _OFFSET.fullmatch(raw)
    if not found:
        return None
    sign, hours, minutes = found.groups()
    seconds = int(hours) * 3600 + int(minutes or 0) * 60
    return None if seconds > 14 * 3600 else (seconds if sign == "+" else -seconds)


def _sport(code: str, names: list[str], table: typetables.TypeTable) -> tuple[tuple[str, str] | None, str | None]:
    """The FIT pair and the name of a workout: by its code, or (a custom workout) by its own names: the title the
    user gave it, its custom type (``Kettlebell strength``, or an app's ``com.example.weight_training``, read by
    its last part too). The first name that maps decides; the first name given is the workout's name."""
    given = [n for n in names if n]
    entry = table.code(code) if code else None
    if entry is not None and entry.code != CUSTOM_CODE:
        return entry.pair, given[0] if given else entry.name
    if given:  # custom type (0), or no code: its names decide
        for name in given:
            named = table.name(name)
            pair = named.pair if named else COMMON.get(fold_key(name))
            if pair is not None:
                return pair, given[0]
        return None, given[0]
    if code and entry is None:
        named = table.name(code)  # a type written by name rather than code
        return (named.pair, named.name) if named else (None, f"Samsung exercise type {code}")
    return None, None


@dataclass
class _Companions:
    """What the workouts' ``jsons/`` files gave: samples, how many were not found, the lines of those unreadable."""

    samples: list[dict[str, Any]] = field(default_factory=list)
    missing: int = 0
    unread: list[int] = field(default_factory=list)
    why_not: str | None = None


def _companion_paths(name: str, uuid: str) -> list[str]:
    """Where an export keeps the live_data file a row names, relative to the exercise table: in a folder named by
    the workout id's first character (current exports: ``jsons/com.samsung.shealth.exercise/<c>/<file>``, as a
    Samsung-to-Garmin converter on GitHub reads it), directly in the table's folder of ``jsons/``, or, in older
    exports, under ``jsons/com.samsung.health.exercise/`` with ``.json`` after the name the row gives (as a parser of
    both layouts on GitHub pins it)."""
    if "/" in name or "\\" in name or name.startswith("."):
        return []
    first = uuid[:1] if uuid[:1].isalnum() else ""
    paths = [f"jsons/{table}/{first}/{name}" for table in EXERCISE_TABLES if first]
    paths += [f"jsons/{table}/{name}" for table in EXERCISE_TABLES]
    if not name.endswith(".json"):
        paths += [f"jsons/{table}/{name}.json" for table in EXERCISE_TABLES]
    return paths


def _companion_samples(named: list[tuple[int, int, str, str]], options: Options) -> _Companions:
    """The samples of the workouts whose ``live_data`` names a file: read from beside the table (its folder, or the
    zip it came from); a file not there is counted, one that is not a list of samples names its line."""
    found = _Companions()
    with Beside(options.place) as beside:
        found.why_not = beside.why_not
        if beside.why_not is not None:  # no file can be read: each is counted, none is a wrong file
            found.missing = len(named)
            return found
        for session, line, name, uuid in named:
            data = None
            paths = _companion_paths(name, uuid)
            if not paths:  # not a file name: a path of its own is never followed
                found.unread.append(line)
                continue
            try:
                for path in paths:
                    data = beside.read(path)
                    if data is not None:
                        break
            except NotBeside:
                found.unread.append(line)
                continue
            if data is None:
                found.missing += 1
                continue
            samples = _live_samples(data.decode("utf-8-sig", errors="replace"), session, line)
            if samples is None:
                found.unread.append(line)
            else:
                found.samples += samples
    return found


def _live_samples(text: str, session: int, line: int) -> list[dict[str, Any]] | None:
    """Inline ``live_data`` samples of one workout (points without a time are left out); None when the cell is not
    JSON (the workout loads without samples, and a warning names its line)."""
    try:
        points = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return None
    samples = []
    for point in points if isinstance(points, list) else []:
        stamp = point.get("start_time") if isinstance(point, dict) else None
        if not isinstance(stamp, int | float) or not _EARLIEST_MS <= stamp < _LATEST_MS:
            continue  # no time, or one no workout has: the point is left out
        at = datetime(1970, 1, 1) + timedelta(milliseconds=float(stamp))
        hr = point.get("heart_rate")
        samples.append(
            {
                "session_index": session,
                "source_line": line,
                "timestamp_utc": at,
                "heart_rate": int(hr) if isinstance(hr, int | float) and 0 < hr < 300 else None,
                "speed_mps": _float(point.get("speed")),
                "cadence": _float(point.get("cadence")),
                "distance_m": _float(point.get("distance")),
            }
        )
    return samples


def _float(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and value >= 0 else None
