"""The Wahoo Fitness app's CSV (the iPhone app's workout export, ``2016-10-07-1712_Biking_WF.csv``): one workout.

Blocks of comma-separated records, one after the other (blank lines between them do not matter)::

    Device,<name>,model,<model>,version,<n>,AppVersion,<version>
    Year,2016,Month,10,Day,7,Hour,17,Minute,12,Second,4,BatteryUsage (%),0.000000
    ... notes ...
    sensor,present,smrec,zeroavg,model                      one row per sensor (pwr, spd, cad, hr, footpod, gps)
    workout,starttime,runningtime,pausedtime,wheeldist,cadavg,spdavg,pwravg,pwrPedalContribution,hravg,
        striderateavg,stridedist,gpsdist,smoothnessavg       the workout's summary, then its one row
    interval,starttime,runningtime,pausedtime,...           one row per interval (a lap), same columns
    interval,time,paused,hr_heartrate,gps_lat,...           one row per recorded sample, ``time`` from the start

The start is the Year..Second row, a local wall time of the phone: the athlete's zone applies. Durations are
seconds, distances metres, speeds m/s. The sport is not in the content: it is the file name's (``_Biking_``,
``_Running_``, ...), else what the sensors say (a foot pod or stride rate: running; a speed, cadence or power
sensor: cycling), else generic. A sample or interval row that cannot be read is set aside; a file without its date
or summary cannot be read at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import PurePath
from typing import Any

from fitbalance.models import RAW_ACTIVITY_SCHEMA, RAW_LAP_SCHEMA, RAW_SAMPLE_SCHEMA, Decoded
from fitbalance.sources.csv.helpers import (
    EARLIEST,
    LATEST,
    Columns,
    Options,
    Record,
    RowRejected,
    Sheet,
    fold_key,
    fold_table,
    frame,
    local_to_utc,
    norm_header,
    number,
)
from fitbalance.sources.csv.sports import COMMON, GENERIC

NAME = "wahoo"
SETTINGS: tuple[str, ...] = ()  # unit settings it may read
FORMAT = "csv:wahoo"
ROWS = "samples"
_CLOCK_FIELDS = ("year", "month", "day", "hour", "minute", "second")
_CLOCK = re.compile(r"(year|month|day|hour|minute|second)\s*,?\s*(\d+)", re.IGNORECASE)
_FILE_SPORT = re.compile(r"\d{4}-\d{2}-\d{2}-\d{4}_([A-Za-z ]+?)(?:_WF|data)?\.csv$", re.IGNORECASE)
MAX_WORKOUT_S = 7 * 86400

# the workout kinds Wahoo's app writes in its file names
TYPES = fold_table(
    {
        "Biking": ("cycling", "generic"),
        "Cycling": ("cycling", "generic"),
        "Indoor Biking": ("cycling", "indoor_cycling"),
        "IndoorBiking": ("cycling", "indoor_cycling"),
        "Indoor Cycling": ("cycling", "indoor_cycling"),
        "Trainer": ("cycling", "indoor_cycling"),
        "Mountain Biking": ("cycling", "mountain"),
        "Running": ("running", "generic"),
        "Treadmill": ("running", "treadmill"),
        "Treadmill Running": ("running", "treadmill"),
        "Walking": ("walking", "generic"),
        "Hiking": ("hiking", "generic"),
        "Rowing": ("rowing", "generic"),
        "Indoor Rowing": ("fitness_equipment", "indoor_rowing"),
        "Elliptical": ("fitness_equipment", "elliptical"),
        "Swimming": ("swimming", "generic"),
        "Strength": ("training", "strength_training"),
        "Other": GENERIC,
    }
)


def detect(header: list[str], text: str) -> bool:
    """The ``Device`` record first and the ``workout,starttime,runningtime`` summary somewhere after it."""
    return bool(header) and norm_header(header[0]) == "device" and "workout,starttime,runningtime" in text.casefold()


def read(sheet: Sheet, options: Options) -> Decoded:
    records = sheet.records
    start = _start(sheet, records)
    at = _first(records, lambda cells: cells[:2] == ("workout", "starttime"))
    if at is None or at + 1 >= len(records):
        raise sheet.error("Wahoo workout CSV without its workout summary row")
    summary_cols = _columns(records[at])
    summary = _numbers(sheet, records[at + 1], summary_cols)
    sensors = _sensors(records)
    start_utc, offset = local_to_utc(start, options.zone)
    intervals_at = _first(records, lambda cells: cells[:1] == ("interval",) and "runningtime" in cells, at + 2)
    samples_at = _first(
        records, lambda cells: "time" in cells and "runningtime" not in cells, (intervals_at or at + 1) + 1
    )
    end_of_intervals = samples_at if samples_at is not None else len(records)
    laps = _laps(sheet, records, intervals_at, end_of_intervals, start_utc)
    samples = _samples(sheet, records, samples_at, start_utc)
    running, paused = summary.get("runningtime"), summary.get("pausedtime")
    sport, sub_sport = _sport(sheet.path, sensors, summary)
    hr = summary.get("hravg")
    activity = {
        "session_index": 0,
        "source_line": records[at + 1].line,
        "sport": sport,
        "sub_sport": sub_sport,
        "name": f"Wahoo {sport.replace('_', ' ')}",
        "start_time_utc": start_utc,
        "utc_offset_s": offset,
        "elapsed_s": (running or 0.0) + (paused or 0.0) or None,
        "moving_s": running or None,
        "timer_s": running or None,  # the app's timer: paused time left out
        "distance_m": _distance(summary),
        "avg_hr": hr or None,
        "max_hr": float(max((s["heart_rate"] for s in samples if s["heart_rate"]), default=0)) or None,
        "device": "Wahoo Fitness app",
        "source_ref": start.isoformat(),
    }
    return Decoded(
        FORMAT,
        activities=frame([activity], RAW_ACTIVITY_SCHEMA),
        samples=frame(samples, RAW_SAMPLE_SCHEMA),
        laps=frame(laps, RAW_LAP_SCHEMA),
    )


def _first(records: tuple[Record, ...], test: Callable[[tuple[str, ...]], bool], begin: int = 0) -> int | None:
    """The index of the first record from ``begin`` whose normalised cells pass ``test``."""
    for index in range(begin, len(records)):
        if test(tuple(norm_header(c) for c in records[index].cells)):
            return index
    return None


def _columns(record: Record) -> Columns:
    return Columns([c.strip() for c in record.cells])


def _start(sheet: Sheet, records: tuple[Record, ...]) -> datetime:
    """The local start from the ``Year,2016,Month,10,...`` record (some app versions glue a name to its value)."""
    at = _first(records, lambda cells: cells[:1] == ("year",))
    if at is None:
        raise sheet.error("Wahoo workout CSV without its Year,Month,Day,... start record")
    found = {k.casefold(): int(v) for k, v in _CLOCK.findall(",".join(records[at].cells))}
    if any(field not in found for field in _CLOCK_FIELDS):
        raise sheet.error(f"start record {','.join(records[at].cells)[:80]!r} lacks a date or time", records[at].line)
    try:
        year, month, day, hour, minute, second = (found[field] for field in _CLOCK_FIELDS)
        start = datetime(year, month, day, hour, minute, second)
    except ValueError as exc:
        raise sheet.error(f"start record is not a date ({exc})", records[at].line) from exc
    if not EARLIEST <= start < LATEST:
        raise sheet.error(f"start {start:%Y-%m-%d} is outside {EARLIEST.year}-{LATEST.year - 1}", records[at].line)
    return start


def _numbers(sheet: Sheet, record: Record, cols: Columns) -> dict[str, float | None]:
    """The summary's numbers by (normalised) column name; a summary that is not numbers is a file error."""
    out: dict[str, float | None] = {}
    for index, name in enumerate(cols.names):
        if not name or name == "workout":
            continue
        try:
            out[name] = number(record.get(index))
        except ValueError as exc:
            raise sheet.error(f"workout summary {name}: {exc}", record.line) from exc
    return out


def _sensors(records: tuple[Record, ...]) -> dict[str, bool]:
    """Which sensors were present (``sensor,present,...`` rows)."""
    at = _first(records, lambda cells: cells[:2] == ("sensor", "present"))
    present: dict[str, bool] = {}
    if at is None:
        return present
    for record in records[at + 1 :]:
        cells = [norm_header(c) for c in record.cells]
        if len(cells) < 2 or cells[1] not in ("yes", "no"):
            break
        present[cells[0]] = cells[1] == "yes"
    return present


def _sport(path: str, sensors: dict[str, bool], summary: dict[str, float | None]) -> tuple[str, str]:
    found = _FILE_SPORT.search(PurePath(path).name)
    if found:
        named = TYPES.get(fold_key(found.group(1))) or COMMON.get(fold_key(found.group(1)))
        if named:
            return named
    if sensors.get("footpod") or (summary.get("striderateavg") or 0) > 0:
        return "running", "generic"
    if any(sensors.get(s) for s in ("spd", "cad", "pwr")) or (summary.get("wheeldist") or 0) > 0:
        return "cycling", "generic"
    return GENERIC


def _distance(values: dict[str, float | None]) -> float | None:
    """GPS distance, else the wheel's, the foot pod's or a hand-entered one (metres)."""
    for field in ("gpsdist", "wheeldist", "stridedist", "manualdist"):
        value = values.get(field)
        if value:
            return value
    return None


def _value(record: Record, cols: Columns, *names: str) -> float | None:
    """The first non-zero of the named cells; a cell that is not a number rejects the row."""
    for name in names:
        index = cols.find(name)
        try:
            value = number(record.get(index))
        except ValueError as exc:
            raise RowRejected(f"{name}: {exc}") from exc
        if value:
            return value
    return None


def _offset(record: Record, cols: Columns, name: str) -> float:
    seconds = _value(record, cols, name) or 0.0
    if not 0 <= seconds <= MAX_WORKOUT_S:
        raise RowRejected(f"{name} {seconds:g} s is not within the workout")
    return seconds


def _laps(
    sheet: Sheet, records: tuple[Record, ...], at: int | None, end: int, start_utc: datetime
) -> list[dict[str, Any]]:
    """One lap per interval number (sub-interval rows of the same number are left to the first)."""
    if at is None:
        return []
    header = [c.strip() for c in records[at].cells]
    cols = Columns(header)

    def lap(record: Record) -> dict[str, Any]:
        begin = _offset(record, cols, "starttime")
        running, paused = _value(record, cols, "runningtime"), _value(record, cols, "pausedtime")
        return {
            "interval": record.get(cols.find("interval")),
            "start_time_utc": start_utc + timedelta(seconds=begin),
            "elapsed_s": (running or 0.0) + (paused or 0.0) or None,
            "distance_m": _distance({f: _value(record, cols, f) for f in ("gpsdist", "wheeldist", "stridedist")}),
            "avg_hr": _value(record, cols, "hravg"),
            "source_line": record.line,
        }

    laps: list[dict[str, Any]] = []
    seen: set[str] = set()
    for _, row in sheet.parsed(lap, records=records[at + 1 : end], header=header, table="laps"):
        if row["interval"] in seen:
            continue
        seen.add(row.pop("interval"))
        laps.append({**row, "session_index": 0, "lap_index": len(laps)})
    return laps


def _samples(sheet: Sheet, records: tuple[Record, ...], at: int | None, start_utc: datetime) -> list[dict[str, Any]]:
    if at is None:
        return []
    header = [c.strip() for c in records[at].cells]
    cols = Columns(header)

    def sample(record: Record) -> dict[str, Any]:
        hr = _value(record, cols, "hr_heartrate")
        return {
            "session_index": 0,
            "source_line": record.line,
            "timestamp_utc": start_utc + timedelta(seconds=_offset(record, cols, "time")),
            "heart_rate": int(hr) if hr is not None and 0 < hr < 300 else None,
            "speed_mps": _value(record, cols, "gps_speed", "spd_instspeed", "fp_speed"),
            "cadence": _value(record, cols, "cad_cadence", "pwr_cadence", "ma_cadence"),
            "power_w": _value(record, cols, "pwr_instpwr"),
            "distance_m": _value(record, cols, "gps_dist", "spd_accdist", "fp_accdist"),
            "altitude_m": _value(record, cols, "gps_altitude", "disp_altitude"),
            "lat": _value(record, cols, "gps_lat"),
            "lon": _value(record, cols, "gps_lon"),
        }

    return [row for _, row in sheet.parsed(sample, records=records[at + 1 :], header=header, table="samples")]
