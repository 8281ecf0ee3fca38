"""Mi Fit / Zepp account export: ``SPORT/SPORT_<when>.csv``, one row per workout of a Xiaomi / Amazfit band or watch.

The export (Zepp or Mi Fit app: Profile > Settings > Export data, or the Zepp privacy page; a zip of folders
``ACTIVITY``, ``SLEEP``, ``HEARTRATE_AUTO``, ``BODY``, ``USER``, ``SPORT`` ...) writes ``type, startTime,
sportTime(s), maxPace(/meter), minPace(/meter), distance(m), avgPace(/meter), calories(kcal)``, some versions also
``avgHeartRate`` and ``maxHeartRate``. ``type`` is a sport code (``mifit.toml``: each code with its FIT sport and
why), ``startTime`` the start in UTC: epoch seconds in older exports, ``2026-06-19 04:43:15+0000`` in newer ones (an
instant: only the local offset comes from the athlete's zone), ``sportTime(s)`` the duration in seconds, paces in
seconds per metre, and ``-1`` (or ``null``) for a value the band did not measure.

The distance unit is the one the header names (``distance(m)``, ``distance(km)``). A header that names none is read
in the unit its own rows prove: distance times average pace (seconds per metre) gives the workout's duration only
when the distance is in metres. Older exports name no unit in any column (``type,startTime,sportTime,distance,
maxPace,minPace,avgPace,calories`` after a byte-order mark, as a Mi Fit importer on GitHub pins in its test): a file
whose workouts have no distance (gym sessions only) needs no unit, and one whose rows prove nothing loads its
workouts with the distance left empty and a warning saying so, never guessed.

The export's other files (daily activity, sleep, heart rate, body, user ...) hold no workouts and are skipped with
their kind (``no_activities.toml``).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from fitbalance.models import RAW_ACTIVITY_SCHEMA, Decoded
from fitbalance.sources.csv import typetables
from fitbalance.sources.csv.helpers import (
    DISTANCE_UNITS,
    EARLIEST,
    LATEST,
    Options,
    Record,
    RowRejected,
    Sheet,
    frame,
    norm_header,
    number,
    utc_offset,
)
from fitbalance.sources.csv.sports import GENERIC

NAME = "mifit"
SETTINGS: tuple[str, ...] = ()  # unit settings it may read
FORMAT = "csv:mifit"
ROWS = "activities"
DATA_FILE = "mifit.toml"

MAX_WORKOUT_S = 2 * 86400
PACE_PROOF = (0.5, 2.0)  # distance x pace / duration within this range: the distance is in metres
_UNIT = re.compile(r"\(([a-z]+)\)\s*$")
_ISO = re.compile(r"(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?", re.IGNORECASE)
_EPOCH = re.compile(r"\d{9,13}")


def detect(header: list[str], text: str) -> bool:
    names = [norm_header(h) for h in header]
    return "type" in names and "starttime" in names and any(n.startswith("sporttime") for n in names)


def read(sheet: Sheet, options: Options) -> Decoded:
    columns = sheet.columns()
    names = columns.names
    col = {
        "type": columns.find("type"),
        "start": columns.find("startTime"),
        "seconds": next((i for i, n in enumerate(names) if n.startswith("sporttime")), None),
        "avg_pace": next((i for i, n in enumerate(names) if n.startswith("avgpace")), None),
        "calories": next((i for i, n in enumerate(names) if n.startswith("calories")), None),
        "avg_hr": columns.find("avgHeartRate", "avgHr", "averageHeartRate"),
        "max_hr": columns.find("maxHeartRate", "maxHr"),
    }
    distance_col = next((i for i, n in enumerate(names) if n.startswith("distance")), None)
    per_metre = _distance_unit(sheet, distance_col, col["seconds"], col["avg_pace"])
    table = typetables.load(DATA_FILE)
    unmapped: dict[str, int] = {}

    def value(record: Record, index: int | None) -> float | None:
        text = record.get(index)
        if text.casefold() == "null":
            return None
        try:
            found = number(text)
        except ValueError as exc:
            raise RowRejected(f"{sheet.header[index or 0]}: {exc}") from exc
        return None if found is None or found < 0 else found  # -1: not measured

    def parse(record: Record) -> dict[str, Any]:
        start = _start(record.get(col["start"]))
        seconds = value(record, col["seconds"])
        if seconds is not None and seconds > MAX_WORKOUT_S:
            raise RowRejected(f"sportTime {seconds:g} s is more than two days: not a workout")
        code = record.get(col["type"])
        if not code:
            raise RowRejected("type is empty")
        distance = value(record, distance_col)
        figures = {
            "calories_kcal": value(record, col["calories"]),
            "avg_hr": value(record, col["avg_hr"]) or None,
            "max_hr": value(record, col["max_hr"]) or None,
        }
        entry = table.code(code)
        if entry is None:  # the row is read: noted only now
            unmapped[code] = unmapped.get(code, 0) + 1
        return {
            "sport": (entry.pair if entry else GENERIC)[0],
            "sub_sport": (entry.pair if entry else GENERIC)[1],
            "name": entry.name if entry else f"Mi Fit sport type {code}",
            "start_time_utc": start,
            "utc_offset_s": utc_offset(start, options.zone),
            "elapsed_s": seconds,
            "moving_s": seconds,
            "timer_s": seconds,  # sportTime: the workout's recorded time, the one duration the file gives
            "distance_m": distance * per_metre if distance and per_metre is not None else None,
            **figures,
            "device": "Mi Fit / Zepp",
            "source_ref": start.isoformat(),
            "source_line": record.line,
        }

    activities = [{**row, "session_index": i} for i, (_, row) in enumerate(sheet.parsed(parse))]
    if not activities and not sheet.rejected:
        return Decoded(FORMAT, file_type="no_activities", detail="Mi Fit / Zepp sport export with no workouts")
    warnings: list[str] = []
    if unmapped:
        listed = ", ".join(f"{k} ({v})" for k, v in sorted(unmapped.items()))
        warnings.append(f"sport types not in the Mi Fit / Zepp list, kept as generic: {listed}")
    if per_metre is None and distance_col is not None:
        warnings.append(
            f"the distance column {sheet.header[distance_col]!r} names no unit and no row proves it (distance x "
            "average pace per metre should give the workout's duration): distances left empty"
        )
    return Decoded(FORMAT, activities=frame(activities, RAW_ACTIVITY_SCHEMA), warnings=tuple(warnings))


def _start(text: str) -> datetime:
    """The UTC start: epoch seconds or milliseconds, or ``2026-06-19 04:43:15+0000`` (ISO with its offset)."""
    raw = text.strip()
    if _EPOCH.fullmatch(raw):
        seconds = int(raw) / (1000 if len(raw) > 11 else 1)
        found = datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)
    else:
        match = _ISO.fullmatch(raw)
        if not match:
            raise RowRejected(f"startTime {raw!r} is neither epoch seconds nor a time like '2026-06-19 04:43:15+0000'")
        day, clock, zone = match.groups()
        stamp = f"{day}T{clock}{'+00:00' if zone in (None, 'Z', 'z') else zone}"
        try:
            found = datetime.fromisoformat(stamp).astimezone(UTC).replace(tzinfo=None)
        except ValueError as exc:
            raise RowRejected(f"startTime {raw!r}: {exc}") from exc
    if not EARLIEST <= found < LATEST:
        raise RowRejected(f"startTime {raw!r} is outside {EARLIEST.year}-{LATEST.year - 1}")
    return found


def _distance_unit(sheet: Sheet, distance: int | None, seconds: int | None, pace: int | None) -> float | None:
    """Metres per unit of the distance column: the unit its name gives, else the one the rows' paces prove; 1 when
    no row has a distance (nothing to read); None when rows have distances and none proves their unit."""
    if distance is None:
        return 1.0
    named = _UNIT.search(norm_header(sheet.header[distance]))
    if named:
        if named.group(1) not in DISTANCE_UNITS:
            raise sheet.error(f"distance column {sheet.header[distance]!r} names no known unit")
        return DISTANCE_UNITS[named.group(1)]
    ratios = []
    measured = False
    for record in sheet.body:
        try:
            metres, pace_s, duration = (number(record.get(i)) for i in (distance, pace, seconds))
        except ValueError:
            continue
        measured = measured or bool(metres and metres > 0)
        if metres and pace_s and duration and metres > 0 and pace_s > 0 and duration > 0:
            ratios.append(metres * pace_s / duration)
    if not measured or (ratios and PACE_PROOF[0] <= sorted(ratios)[len(ratios) // 2] <= PACE_PROOF[1]):
        return 1.0
    return None
