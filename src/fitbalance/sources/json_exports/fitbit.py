"""Fitbit's account export (Google Takeout, ``Fitbit/Global Export Data/exercise-<n>.json``): a list of exercises,
about a hundred a file.

Each exercise, as the export writes it: ``logId``; ``activityTypeId`` (Fitbit's catalogue id, the same in every
language: read first, through ``sports.toml``'s ``fitbit_type_ids``, else by the Compendium of Physical Activities
code it is, see there) and ``activityName`` (``Walk``, ``Run``, ``Weights``, ``Yoga``..., in the account's
language: read when the id is in no table);
``startTime`` as ``MM/DD/YY HH:MM:SS``, a local wall time without a zone (some exports add ``originalStartTime``
with its offset, ``2022-06-26T18:45:05.000-07:00``); ``duration`` and ``activeDuration`` in milliseconds;
``distance`` with ``distanceUnit`` (``Kilometer``, ``Mile``, ``Meter``, ``Yard``); ``calories`` (kcal);
``averageHeartRate``; ``heartRateZones`` (minutes per zone, not a column here); ``logType``: ``manual`` (typed in),
``auto_detected`` (SmartTrack), ``tracker`` or ``mobile_run`` (started on the watch or the phone); ``source.name``
(the device).

A start with an offset (``originalStartTime`` of the same wall time) is placed by it (``row``); a bare local start is
placed like every zone-less export time: by the athlete's own FIT files, else ``time_zone`` (the store does it).
``duration`` is the elapsed time, ``activeDuration`` the time recorded with pauses left out (the timer and moving
time). A distance whose unit is not written is read
with the athlete's ``distance_unit``, and without that it is left empty and a warning says so (never guessed). An
exercise without a start, or with a value that cannot be read, is set aside with its values.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fitbalance.models import RAW_ACTIVITY_SCHEMA, Decoded
from fitbalance.sources.csv.helpers import M_PER_MILE, M_PER_YARD, local_to_utc
from fitbalance.sources.csv.sports import GENERIC
from fitbalance.sources.json_exports.helpers import (
    RecordRejected,
    Records,
    as_utc,
    frame,
    in_range,
    iso_datetime,
    number,
    scaled,
    text,
)
from fitbalance.sources.json_exports.sports import sport_of

FORMAT = "json:fitbit"
START_FORMATS = (
    "%m/%d/%y %H:%M:%S",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%y %H:%M",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S",
)
DISTANCE_UNITS: dict[str, float] = {
    "kilometer": 1000.0,
    "kilometers": 1000.0,
    "km": 1000.0,
    "mile": M_PER_MILE,
    "miles": M_PER_MILE,
    "mi": M_PER_MILE,
    "meter": 1.0,
    "meters": 1.0,
    "m": 1.0,
    "yard": M_PER_YARD,
    "yards": M_PER_YARD,
    "yd": M_PER_YARD,
}
_OPTION_UNITS = {"km": 1000.0, "mi": M_PER_MILE}


def detect(doc: Any) -> bool:
    """A list of objects with ``activityName``, ``startTime`` and one of Fitbit's exercise keys."""
    if not isinstance(doc, list) or not doc:
        return False
    first = next((d for d in doc if isinstance(d, dict)), None)
    return (
        first is not None
        and "activityName" in first
        and "startTime" in first
        and any(k in first for k in ("logId", "logType", "activeDuration", "activityTypeId"))
    )


def read(doc: Any, path: str, zone: ZoneInfo, distance_unit: str | None) -> Decoded:
    records = Records(path)
    listed = [(f"exercise {_ident(e, i)}", e) for i, e in enumerate(doc)]
    activities: list[dict[str, Any]] = []
    unitless: list[int] = []
    for _, row in records.parsed(listed, lambda e: _activity(e, zone, distance_unit, unitless)):
        row["session_index"] = len(activities)
        activities.append(row)
    if not activities:
        if records.rejected:
            raise records.error(
                f"no exercise could be read ({len(records.rejected)} set aside), the first: "
                f"{records.rejected[0].reason}"
            )
        return Decoded(FORMAT, file_type="no_activities", detail="Fitbit exercise export with no exercises")
    warnings = []
    if unitless:
        warnings.append(
            f"{len(unitless)} exercises give a distance without its unit; their distance is left empty: set the "
            "athlete's distance unit (distance_unit = 'km' or 'mi') to read it"
        )
    return Decoded(
        FORMAT,
        activities=frame(activities, RAW_ACTIVITY_SCHEMA),
        warnings=tuple(warnings),
        rejected=tuple(records.rejected),
    )


def _compendium_sport(type_id: str | None) -> tuple[str, str] | None:
    """The sport of a catalogue id that is a Compendium of Physical Activities code (four or five digits): its own
    entry in ``fitbit_compendium_codes``, else its heading's (code // 1000) in ``fitbit_compendium_headings``."""
    if type_id is None or not type_id.isdigit() or not 1000 <= int(type_id) < 100_000:
        return None
    code = int(type_id)
    return sport_of("fitbit_compendium_codes", str(code)) or sport_of("fitbit_compendium_headings", str(code // 1000))


def _ident(record: Any, index: int) -> str:
    found = record.get("logId") if isinstance(record, dict) else None
    return str(found) if found is not None else f"#{index + 1} of the file"


def _local(value: Any) -> datetime:
    if not isinstance(value, str) or not value.strip():
        raise RecordRejected("no start time (startTime missing)")
    raw = value.strip()
    for fmt in START_FORMATS:
        try:
            return in_range(datetime.strptime(raw, fmt), "startTime")
        except ValueError:
            continue
    raise RecordRejected(f"startTime {value!r} is not a date and time like '04/24/20 17:35:46'")


def _start(record: Mapping[str, Any], zone: ZoneInfo) -> tuple[datetime, int, str | None]:
    raw = record.get("startTime")
    if isinstance(raw, str) and ("+" in raw[10:] or raw.rstrip().endswith("Z") or raw.count("-") > 2):
        wall, own = iso_datetime(raw, "startTime")
        if own is not None:
            return as_utc(wall, own), own, "row"
    local = _local(raw)
    original = record.get("originalStartTime")
    if isinstance(original, str):
        try:
            wall, own = iso_datetime(original, "originalStartTime")
        except ValueError:
            own = None
        if own is not None and wall.replace(microsecond=0) == local:
            return as_utc(local, own), own, "row"
    start, offset = local_to_utc(local, zone)
    return start, offset, None


def _distance(record: Mapping[str, Any], distance_unit: str | None, unitless: list[int]) -> float | None:
    value = number(record.get("distance"), "distance")
    if value is None:
        return None
    unit = text(record.get("distanceUnit"))
    if unit is not None:
        factor = DISTANCE_UNITS.get(unit.casefold())
        if factor is None:
            raise RecordRejected(f"distanceUnit {unit!r} is not a unit of length")
        return value * factor
    if value == 0:
        return 0.0
    if distance_unit in _OPTION_UNITS:
        return value * _OPTION_UNITS[distance_unit]
    unitless.append(1)
    return None


def _activity(record: Any, zone: ZoneInfo, distance_unit: str | None, unitless: list[int]) -> dict[str, Any]:
    if not isinstance(record, dict):
        raise RecordRejected(f"not an exercise object: {type(record).__name__}")
    start, offset, source = _start(record, zone)
    name = text(record.get("activityName"))
    type_id = text(record.get("activityTypeId"))
    sport = sport_of("fitbit_type_ids", type_id) or sport_of("fitbit", name) or _compendium_sport(type_id)
    found = record.get("source")
    source_info: dict[str, Any] = found if isinstance(found, dict) else {}
    log_type = text(record.get("logType"))
    return {
        "sport": (sport or GENERIC)[0],
        "sub_sport": (sport or GENERIC)[1],
        "name": name,
        "start_time_utc": start,
        "utc_offset_s": offset,
        "utc_offset_source": source,
        "elapsed_s": scaled(record.get("duration"), "duration", 0.001),
        "moving_s": scaled(record.get("activeDuration"), "activeDuration", 0.001),
        "timer_s": scaled(record.get("activeDuration"), "activeDuration", 0.001),  # pauses left out
        "distance_m": _distance(record, distance_unit, unitless),
        "calories_kcal": number(record.get("calories"), "calories"),
        "avg_hr": number(record.get("averageHeartRate"), "averageHeartRate"),
        "device": text(source_info.get("name")) or ("manual entry" if log_type == "manual" else None),
        "source_ref": text(record.get("logId")),
    }
