"""Polar Flow session CSV: a summary header and row, then a sample header and one row per recorded second.

Summary: ``Name, Sport, Date, Start time, Duration, Total distance (km), Average heart rate (bpm), ...,
Calories, ...``; samples: ``Sample rate, Time, HR (bpm), Speed (km/h), Pace (min/km), Cadence, Altitude (m),
Stride length (m), Distances (m), Temperatures (C), Power (W)`` with ``Time`` counted from the start. Times
are local wall times: the athlete's zone applies. ``Name`` is the athlete's own name and is not read.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fitbalance.models import RAW_ACTIVITY_SCHEMA, RAW_SAMPLE_SCHEMA, Decoded
from fitbalance.sources.csv.helpers import (
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

NAME = "polar"
SETTINGS: tuple[str, ...] = ()  # unit settings it may read
FORMAT = "csv:polar"
ROWS = "samples"

DATE_FORMATS = (
    "%d-%m-%Y %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%d.%m.%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%Y-%m-%d %H:%M",
)
SUMMARY_START = ("name", "sport", "date", "start time", "duration")
SAMPLE_HEADER = "sample rate"
MAX_SESSION_S = 7 * 86400

TYPES = fold_table(
    {
        "Road Running": ("running", "road"),
        "Circuit Training": ("training", "generic"),
        "Functional Training": STRENGTH,
        "Core": ("training", "generic"),
        "Group Exercise": ("training", "generic"),
        "Other Indoor": GENERIC,
        "Other Outdoor": GENERIC,
        "Cross Training": ("training", "generic"),
        "Road Biking": ("cycling", "road"),
        "Cross-country Skiing": ("cross_country_skiing", "generic"),
    }
)


def detect(header: list[str], text: str) -> bool:
    return tuple(norm_header(h) for h in header[: len(SUMMARY_START)]) == SUMMARY_START and (
        "sample rate," in text.casefold() or "sample rate;" in text.casefold()
    )


def sport_of(type_name: str) -> tuple[str, str] | None:
    key = fold_key(type_name)
    return TYPES.get(key) or COMMON.get(key)


def read(sheet: Sheet, options: Options) -> Decoded:
    summary_cols = sheet.columns()
    body = sheet.body
    if not body or norm_header(body[0].get(0)) == SAMPLE_HEADER:
        raise sheet.error("Polar session CSV without its summary row")
    summary = body[0]
    sample_at = next((i for i, r in enumerate(body) if norm_header(r.get(0)) == SAMPLE_HEADER), None)
    start = _start(sheet, summary, summary_cols)
    start_utc, offset = local_to_utc(start, options.zone)
    type_name = summary.get(summary_cols.find("Sport"))
    sport = sport_of(type_name)
    values = _numbers(
        sheet,
        summary,
        summary_cols,
        {
            "distance_km": "Total distance (km)",
            "avg_hr": "Average heart rate (bpm)",
            "calories": "Calories",
        },
    )
    try:
        elapsed = duration(summary.get(summary_cols.find("Duration")))
    except ValueError as exc:
        raise sheet.error(f"Duration: {exc}", summary.line) from exc
    samples = [] if sample_at is None else _samples(sheet, body[sample_at:], start_utc)
    max_hr = max((s["heart_rate"] for s in samples if s["heart_rate"] is not None), default=None)
    pair = sport or GENERIC
    activity = {
        "session_index": 0,
        "source_line": summary.line,
        "sport": pair[0],
        "sub_sport": pair[1],
        "name": type_name or None,
        "start_time_utc": start_utc,
        "utc_offset_s": offset,
        "elapsed_s": elapsed,
        "distance_m": values["distance_km"] * 1000.0 if values["distance_km"] is not None else None,
        "calories_kcal": values["calories"],
        "avg_hr": values["avg_hr"],
        "max_hr": float(max_hr) if max_hr is not None else None,
        "device": "Polar",
        "source_ref": start.isoformat(),
    }
    warnings = () if sport else (f"Polar sport {type_name!r} has no FIT sport; kept as generic",)
    return Decoded(
        FORMAT,
        activities=frame([activity], RAW_ACTIVITY_SCHEMA),
        samples=frame(samples, RAW_SAMPLE_SCHEMA),
        warnings=warnings,
    )


def _start(sheet: Sheet, summary: Record, cols: Columns) -> datetime:
    text = f"{summary.get(cols.find('Date'))} {summary.get(cols.find('Start time'))}"
    try:
        return local_datetime(text, DATE_FORMATS)
    except ValueError as exc:
        raise sheet.error(f"Date and Start time: {exc}", summary.line) from exc


def _numbers(sheet: Sheet, record: Record, cols: Columns, names: dict[str, str]) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for key, name in names.items():
        try:
            out[key] = number(record.get(cols.find(name)))
        except ValueError as exc:
            raise sheet.error(f"{name}: {exc}", record.line) from exc
    return out


_SAMPLE_COLUMNS = {
    "heart_rate": "HR (bpm)",
    "speed_kmh": "Speed (km/h)",
    "cadence": "Cadence",
    "altitude_m": "Altitude (m)",
    "distance_m": "Distances (m)",
    "power_w": "Power (W)",
}


def _samples(sheet: Sheet, records: tuple[Record, ...], start_utc: datetime) -> list[dict[str, Any]]:
    """One sample per row after the sample header; a row that cannot be read is set aside."""
    header = [c.strip() for c in records[0].cells]
    cols = Columns(header)
    time_col = cols.find("Time")

    def sample(record: Record) -> dict[str, Any]:
        try:
            offset = duration(record.get(time_col))
        except ValueError as exc:
            raise RowRejected(f"sample Time: {exc}") from exc
        if offset is None or offset > MAX_SESSION_S:
            raise RowRejected(f"sample Time {record.get(time_col)!r} is missing or beyond a week")
        v = {key: _sample_number(record, cols, name) for key, name in _SAMPLE_COLUMNS.items()}
        hr = v["heart_rate"]
        return {
            "timestamp_utc": start_utc + timedelta(seconds=offset),
            "heart_rate": int(hr) if hr is not None and 0 < hr < 300 else None,
            "speed_mps": v["speed_kmh"] / 3.6 if v["speed_kmh"] is not None else None,
            "cadence": v["cadence"],
            "power_w": v["power_w"],
            "distance_m": v["distance_m"],
            "altitude_m": v["altitude_m"],
            "session_index": 0,
            "source_line": record.line,
        }

    return [row for _, row in sheet.parsed(sample, records=records[1:], header=header, table="samples")]


def _sample_number(record: Record, cols: Columns, name: str) -> float | None:
    try:
        return number(record.get(cols.find(name)))
    except ValueError as exc:
        raise RowRejected(f"{name}: {exc}") from exc
