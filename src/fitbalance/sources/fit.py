"""FIT bytes -> :class:`~fitbalance.models.Decoded` (raw frames keyed by session).

Any manufacturer's FIT file: file_id, device_info, session, lap, record, set, activity and sport messages are read;
everything else is ignored. Chained FIT files (several FIT files back to back) are read as one file. The CRC is
checked: a file that fails it or is not FIT raises :class:`~fitbalance.errors.DecodeError` with the decoder's reason;
fitdecode's own exceptions (and its internal assertions) never escape. A file cut short (it ends in the middle of a
message: a watch whose battery died, a copy not finished) keeps the messages read whole before the cut: its activity
loads (from its records when the session message, written last, is missing), the cut is a decoder warning, and a
quarantine row (stage ``decode:cut``, no table, 0 rows) says where the file ends. Only when nothing before the cut
can load does it raise. A failure of the fast reader's own code is not the file's fault and stays an
:class:`~fitbalance.errors.InternalError`. The decode runs under the message and time caps of
:mod:`fitbalance.sources.limits` (checked once per message, no thread needed) and keeps at most 20 distinct decoder
warnings, each call its own even while other threads decode.

One activity per session: in a multisport file each session is its own activity, and records, laps and sets are
assigned to the session whose time span holds them. A file with no session message gets one session synthesised
from its laps or records.
"""

from __future__ import annotations

import json
import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import fitdecode
import polars as pl
from fitdecode import profile

from fitbalance.errors import CUT_STAGE, DecodeError
from fitbalance.models import (
    RAW_ACTIVITY_SCHEMA,
    RAW_LAP_SCHEMA,
    RAW_SAMPLE_SCHEMA,
    RAW_SET_SCHEMA,
    Decoded,
    Rejected,
    SetType,
)
from fitbalance.sources import fitcolumns, fitreader
from fitbalance.sources.limits import Budget, check_size

FIT_MAGIC = b".FIT"
FIT_EPOCH = datetime(1989, 12, 31)  # FIT date-times count seconds from here (UTC)
FIT_DATETIME_MIN = 0x10000000  # below: seconds since the device powered up, not a date
_POSITION_FIELDS = frozenset({"position_lat", "position_long"})
SEMICIRCLE_TO_DEG = 180.0 / 2**31
_UNKNOWN_CATEGORY = 65534  # FIT "unknown" exercise category
_EXERCISE_CATEGORIES: dict[int, str] = dict(profile.FIELD_TYPES["exercise_category"].enum or {})
_SET_TYPES = {"active": SetType.WORKING.value, "rest": SetType.REST.value, 1: "working", 0: "rest"}


def looks_like_fit(data: bytes) -> bool:
    """True when ``data`` starts with a FIT file header (``.FIT`` at byte 8)."""
    return len(data) >= 12 and data[8:12] == FIT_MAGIC


def _naive_utc(value: Any) -> datetime | None:
    """A FIT date-time (seconds since 1989-12-31 UTC: the reader runs without a data processor) as naive UTC.

    Values below 0x10000000 are seconds since the device powered up, not dates: None; so is anything not an int.
    """
    if isinstance(value, int) and not isinstance(value, bool) and value >= FIT_DATETIME_MIN:
        return FIT_EPOCH + timedelta(seconds=value)
    return None


def _is_relative(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value < FIT_DATETIME_MIN


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    return None


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value)


def _degrees(value: Any, units: str | None) -> float | None:
    number = _num(value)
    if number is None:
        return None
    return number * SEMICIRCLE_TO_DEG if units == "semicircles" else number


def _category_name(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, int) and value != _UNKNOWN_CATEGORY:
        return _EXERCISE_CATEGORIES.get(value, f"category_{value}")
    return None


def _exercise_name(category: str | None, subtype: Any) -> str | None:
    if category is None or not isinstance(subtype, int):
        return None
    names = profile.FIELD_TYPES.get(f"{category}_exercise_name")
    enum = getattr(names, "enum", None) or {}
    return enum.get(subtype)


def _as_tuple(value: Any) -> tuple[Any, ...]:
    if value is None:
        return ()
    if isinstance(value, tuple | list):
        return tuple(value)
    return (value,)


_RECORD_COLUMNS = (
    "timestamp_utc",
    "heart_rate",
    "speed_mps",
    "cadence",
    "power_w",
    "distance_m",
    "altitude_m",
    "lat",
    "lon",
)


@dataclass
class _Collected:
    """Mutable accumulator for one decode pass; turned into frames at the end."""

    file_type: str | None = None
    manufacturer: str | None = None
    product: str | None = None
    sport_name: str | None = None
    sport: str | None = None
    sub_sport: str | None = None
    utc_offset_s: int | None = None
    sessions: list[dict[str, Any]] = field(default_factory=list)
    laps: list[dict[str, Any]] = field(default_factory=list)
    sets: list[dict[str, Any]] = field(default_factory=list)
    undated_records: int = 0
    cut: Truncated | None = None  # the file ends in the middle of a message: what was collected is whole
    messages: int = 0  # data messages read
    records: dict[str, list[Any]] = field(default_factory=lambda: {k: [] for k in _RECORD_COLUMNS})
    record_columns: pl.DataFrame | None = None  # the records, when decoded as columns (fitcolumns)
    fallback: str | None = None  # why the file was read message by message after all, when the columns were on

    def record_frame(self) -> pl.DataFrame:
        schema = {k: RAW_SAMPLE_SCHEMA[k] for k in _RECORD_COLUMNS}
        if self.record_columns is not None:
            return self.record_columns.cast(schema)  # type: ignore[arg-type]
        return pl.DataFrame(self.records, schema=schema, strict=False)


class Truncated(DecodeError):
    """The file ends in the middle of a message: a device that stopped mid-activity (its battery died), or a copy
    not finished. The messages before the end were read whole."""


def _frames(data: bytes, path: str, budget: Budget) -> Iterator[fitdecode.FitDataMessage]:
    # no data processor: date-times stay FIT seconds, converted by _naive_utc where used
    reader = fitreader.open_reader(
        data, processor=None, check_crc=fitdecode.CrcCheck.RAISE, error_handling=fitdecode.ErrorHandling.WARN
    )
    try:
        with reader:
            for frame in reader:
                budget.tick()  # every frame, definitions too: the time and message caps hold whatever the file holds
                if isinstance(frame, fitdecode.FitDataMessage):
                    yield frame
    except fitdecode.FitCRCError as exc:
        raise DecodeError(f"bad CRC: {exc}", path=path, stage="decode") from exc
    except fitdecode.FitEOFError as exc:
        raise Truncated(f"truncated FIT file: {exc}", path=path, stage="decode") from exc
    except fitdecode.FitHeaderError as exc:
        raise DecodeError(f"bad FIT header: {exc}", path=path, stage="decode") from exc
    except fitdecode.FitError as exc:
        raise DecodeError(f"corrupt FIT data: {exc}", path=path, stage="decode") from exc
    except AssertionError as exc:  # fitdecode asserts, e.g. when a message runs past the size the header gives
        raise DecodeError(
            "corrupt FIT data (a message runs past the data size given in the header)", path=path, stage="decode"
        ) from exc
    except (
        ValueError,
        TypeError,
        KeyError,
        IndexError,
        OverflowError,
        UnicodeDecodeError,
        struct.error,
    ) as exc:
        raise DecodeError(f"corrupt FIT data ({type(exc).__name__}: {exc})", path=path, stage="decode") from exc


COLUMNAR = os.environ.get("FITBALANCE_FIT_COLUMNAR", "1") != "0"
"""Whether records are decoded as columns (:mod:`fitbalance.sources.fitcolumns`) where the file allows it: yes,
unless the environment says ``FITBALANCE_FIT_COLUMNAR=0`` (the benchmarks compare both ways)."""

FALLBACK_NOTE = "FIT read message by message, not as columns"
"""The start of the note in a file's detail when the columnar path could not read it exactly (the reason follows)."""

MAX_WARNINGS = 20  # distinct decoder complaints kept per file; a broken file can make one per message


def _collect(data: bytes, path: str, budget: Budget) -> tuple[_Collected, tuple[str, ...]]:
    """Read every data message once; fitdecode's recoverable complaints come back as (at most 20 distinct) warnings."""
    complaints: dict[str, None] = {}

    def keep(message: str) -> None:
        if len(complaints) < MAX_WARNINGS:
            complaints[message] = None

    with fitreader.decoder_warnings_to(keep):  # this call's own, even while other threads decode
        collected = _collect_messages(data, path, budget)
    return collected, tuple(complaints)


def _collect_messages(data: bytes, path: str, budget: Budget) -> _Collected:
    """Every data message until the end of the file, or until the cut of a file cut short (kept in ``cut``)."""
    fast = fitcolumns.split(data) if COLUMNAR else None
    if isinstance(fast, fitcolumns.Columns):
        columnar = _collect_columnar(fast, path, budget)
        if columnar is not None:
            return columnar
    out = _Collected()  # not for the columnar path: the whole file, message by message
    if fast is not None:
        out.fallback = fast.reason if isinstance(fast, fitcolumns.Fallback) else _REST_COMPLAINED
    try:
        _read_messages(data, path, budget, out)
    except Truncated as cut:  # the messages before the cut were read whole: keep them
        out.cut = cut
    return out


def _collect_columnar(fast: fitcolumns.Columns, path: str, budget: Budget) -> _Collected | None:
    """The records as columns, the other messages read from the rest; None (and counted) when the reader
    complains of the rest or fails on it: its words would name offsets in the rest, not the file's."""
    out = _Collected(record_columns=fast.records, messages=fast.dropped, undated_records=fast.undated)
    ticked = budget.messages
    if fast.dropped:  # the messages read as columns or dropped unread count against the caps as the reader's would
        budget.messages += fast.dropped - 1
        budget.tick()
    heard: list[str] = []
    try:
        with fitreader.decoder_warnings_to(heard.append):
            _read_messages(fast.rest, path, budget, out)
    except DecodeError:
        heard.append("failed")
    if heard:
        budget.messages = ticked
        fitcolumns.count_fallback(_REST_COMPLAINED)
        return None
    return out


_REST_COMPLAINED = "the reader warned of or failed on the messages left after the records"


def _read_messages(data: bytes, path: str, budget: Budget, out: _Collected) -> None:
    rec = out.records
    for msg in _frames(data, path, budget):
        out.messages += 1
        name = msg.name
        if name == "record":  # the hot path: one per second of an activity
            values: dict[str, Any] = {}
            units: dict[str, str | None] = {}
            for f in msg.fields:
                known = f.field
                if known is None:  # a field the profile does not know: nothing we read
                    continue
                key = known.name
                values[key] = f.value
                if key in _POSITION_FIELDS:
                    units[key] = f.units
            ts = _naive_utc(values.get("timestamp"))
            if ts is None:
                out.undated_records += 1
                continue
            rec["timestamp_utc"].append(ts)
            rec["heart_rate"].append(_int(values.get("heart_rate")))
            speed = values.get("enhanced_speed")
            rec["speed_mps"].append(_num(speed if speed is not None else values.get("speed")))
            rec["cadence"].append(_num(values.get("cadence")))
            rec["power_w"].append(_num(values.get("power")))
            rec["distance_m"].append(_num(values.get("distance")))
            alt = values.get("enhanced_altitude")
            rec["altitude_m"].append(_num(alt if alt is not None else values.get("altitude")))
            rec["lat"].append(_degrees(values.get("position_lat"), units.get("position_lat")))
            rec["lon"].append(_degrees(values.get("position_long"), units.get("position_long")))
        elif name == "set":
            out.sets.append({f.name: f.value for f in msg.fields})
        elif name == "lap":
            out.laps.append({f.name: f.value for f in msg.fields})
        elif name == "session":
            out.sessions.append({f.name: f.value for f in msg.fields})
        elif name == "file_id" and out.file_type is None:
            out.file_type = _str(msg.get_value("type", fallback=None))
            out.manufacturer = _str(msg.get_value("manufacturer", fallback=None))
            product = msg.get_value("garmin_product", fallback=None)
            if product is None:
                product = msg.get_value("product", fallback=None)
            out.product = _str(product)
        elif name == "sport":
            out.sport = _str(msg.get_value("sport", fallback=None)) or out.sport
            out.sub_sport = _str(msg.get_value("sub_sport", fallback=None)) or out.sub_sport
            out.sport_name = _str(msg.get_value("name", fallback=None)) or out.sport_name
        elif name == "activity" and out.utc_offset_s is None:
            ts = _naive_utc(msg.get_value("timestamp", fallback=None))
            local = _naive_utc(msg.get_value("local_timestamp", fallback=None))
            if ts is not None and local is not None:
                offset = (local - ts).total_seconds()
                # local offsets are whole quarter hours within +-14 h; anything else is noise
                quarter = round(offset / 900) * 900
                if abs(quarter) <= 14 * 3600:
                    out.utc_offset_s = int(quarter)


def _rpe(value: Any) -> float | None:
    """FIT workout_rpe is 0-100 (10 per RPE point)."""
    number = _num(value)
    return number / 10 if number is not None else None


def _str(value: Any) -> str | None:
    if value is None:
        return None
    return str(value)


def _device(c: _Collected) -> str | None:
    parts = [p for p in (c.manufacturer, c.product) if p]
    return " ".join(parts) if parts else None


def _session_rows(c: _Collected, records: pl.DataFrame) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    if c.sessions:
        ordered = sorted(
            c.sessions,
            key=lambda s: _naive_utc(s.get("start_time")) or _naive_utc(s.get("timestamp")) or datetime.max,
        )
        for s in ordered:
            start = _naive_utc(s.get("start_time")) or _naive_utc(s.get("timestamp"))
            if start is None:
                continue
            rows.append(
                {
                    "sport": _str(s.get("sport")) or c.sport,
                    "sub_sport": _str(s.get("sub_sport")) or c.sub_sport,
                    "name": _str(s.get("sport_profile_name")) or c.sport_name,
                    "start_time_utc": start,
                    "elapsed_s": _num(s.get("total_elapsed_time")),
                    "moving_s": _num(s.get("total_timer_time")),
                    "timer_s": _num(s.get("total_timer_time")),
                    "distance_m": _num(s.get("total_distance")),
                    "calories_kcal": _num(s.get("total_calories")),
                    "avg_hr": _num(s.get("avg_heart_rate")),
                    "max_hr": _num(s.get("max_heart_rate")),
                    "rpe": _rpe(s.get("workout_rpe")),
                }
            )
        if rows:
            return rows
    # no session message: synthesise one session from the laps, else from the records
    starts = [t for t in (_naive_utc(lap.get("start_time")) for lap in c.laps) if t is not None]
    if starts:
        elapsed = sum(_num(lap.get("total_elapsed_time")) or 0.0 for lap in c.laps)
        distance = sum(_num(lap.get("total_distance")) or 0.0 for lap in c.laps)
        rows.append({"start_time_utc": min(starts), "elapsed_s": elapsed or None, "distance_m": distance or None})
    elif records.height:
        first, last = records["timestamp_utc"].min(), records["timestamp_utc"].max()
        assert isinstance(first, datetime) and isinstance(last, datetime)
        hr = records["heart_rate"].drop_nulls()
        rows.append(
            {
                "start_time_utc": first,
                "elapsed_s": (last - first).total_seconds(),
                "distance_m": records["distance_m"].max(),
                "avg_hr": float(hr.mean()) if hr.len() else None,  # type: ignore[arg-type]
                "max_hr": float(hr.max()) if hr.len() else None,  # type: ignore[arg-type]
            }
        )
    for row in rows:
        row.update(sport=c.sport or "generic", sub_sport=c.sub_sport, name=c.sport_name)
    return rows


def _assign_session(frame: pl.DataFrame, column: str, starts: pl.DataFrame) -> pl.DataFrame:
    """Give each row the index of the last session that started at or before ``column`` (first session if none)."""
    if frame.height == 0:
        return frame.with_columns(pl.lit(0, dtype=pl.Int32).alias("session_index"))
    if starts.height <= 1:
        return frame.with_columns(pl.lit(0, dtype=pl.Int32).alias("session_index"))
    indexed = frame.with_row_index("_row")
    keyed = indexed.filter(pl.col(column).is_not_null()).sort(column)
    joined = keyed.join_asof(starts.sort("_start"), left_on=column, right_on="_start", strategy="backward")
    joined = joined.with_columns(pl.col("session_index").fill_null(0)).select("_row", "session_index")
    return (
        indexed.join(joined, on="_row", how="left")
        .with_columns(pl.col("session_index").fill_null(0).cast(pl.Int32))
        .drop("_row")
    )


def _set_rows(c: _Collected) -> list[dict[str, Any]]:
    def order(s: dict[str, Any]) -> tuple[datetime, int]:
        start = _naive_utc(s.get("start_time")) or _naive_utc(s.get("timestamp")) or datetime.max
        return (start, _int(s.get("message_index")) or 0)

    rows = []
    for i, s in enumerate(sorted(c.sets, key=order)):
        guesses = [g for g in (_category_name(v) for v in _as_tuple(s.get("category"))) if g is not None]
        subtypes = _as_tuple(s.get("category_subtype"))
        top = guesses[0] if guesses else None
        raw_type = s.get("set_type")
        reps = _int(s.get("repetitions"))
        rows.append(
            {
                "set_index": i,
                "start_time_utc": _naive_utc(s.get("start_time")) or _naive_utc(s.get("timestamp")),
                "duration_s": _num(s.get("duration")),
                "set_type": _SET_TYPES.get(raw_type, str(raw_type) if raw_type is not None else "working"),
                "exercise_category": top,
                "exercise_guesses": guesses,
                "exercise_name": _exercise_name(top, subtypes[0] if subtypes else None),
                "reps": reps,
                "weight_kg": _num(s.get("weight")),
            }
        )
    return rows


def _lap_rows(c: _Collected) -> list[dict[str, Any]]:
    return [
        {
            "lap_index": i,
            "start_time_utc": _naive_utc(lap.get("start_time")),
            "elapsed_s": _num(lap.get("total_elapsed_time")),
            "distance_m": _num(lap.get("total_distance")),
            "avg_hr": _num(lap.get("avg_heart_rate")),
            "max_hr": _num(lap.get("max_heart_rate")),
        }
        for i, lap in enumerate(c.laps)
    ]


def _frame(rows: list[dict[str, Any]], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=schema, strict=False) if rows else pl.DataFrame(schema=schema)


_UNDATED = "(device-relative time) not loaded"


def decode_fit(data: bytes, path: str, *, budget: Budget | None = None) -> Decoded:
    """Decode one FIT file (possibly chained) into raw frames.

    Raises :class:`DecodeError` for an empty, non-FIT or corrupt file, one with a bad CRC, or one cut short before
    anything that could load (a file cut short after that loads what precedes the cut; see the module docstring), and
    :class:`~fitbalance.errors.LimitExceeded` for one over the size, message or time caps of
    :mod:`fitbalance.sources.limits` (``budget`` defaults to those caps).
    A FIT file that is not an activity (settings, workout, monitoring, ...) is returned with that ``file_type``.
    """
    if not data:
        raise DecodeError("empty file", path=path, stage="decode")
    if not looks_like_fit(data):
        raise DecodeError("not a FIT file (no '.FIT' signature in the header)", path=path, stage="decode")
    check_size(data, path)
    c, complaints = _collect(data, path, budget if budget is not None else Budget(path))
    records = c.record_frame()
    has_activity_data = bool(c.sessions or records.height or c.undated_records or c.sets or c.laps)
    file_type = c.file_type or ("activity" if has_activity_data else "unknown")
    if c.cut is not None and (file_type != "activity" or not has_activity_data):
        raise c.cut  # nothing whole before the cut that could load
    if file_type != "activity":
        return Decoded(
            source_format="fit",
            file_type=file_type,
            detail=f"FIT file type '{file_type}'",
            warnings=complaints,
        )

    sessions = _session_rows(c, records)
    if not sessions:
        relative = any(_is_relative(s.get("start_time")) for s in c.sessions)
        reason = (
            "activity file has only device-relative timestamps (no absolute date)"
            if relative
            else "activity file holds no timestamped session, lap or record"
        )
        if c.undated_records:
            reason += f" ({c.undated_records} record messages without an absolute timestamp)"
        raise c.cut or DecodeError(reason, path=path, stage="decode")
    device = _device(c)
    source = "fit" if c.utc_offset_s is not None else None  # none: the store places it (fitbalance.offsets)
    for i, row in enumerate(sessions):
        row.update(session_index=i, utc_offset_s=c.utc_offset_s, utc_offset_source=source, device=device)
    activities = _frame(sessions, RAW_ACTIVITY_SCHEMA)
    starts = activities.select(pl.col("start_time_utc").alias("_start"), pl.col("session_index").cast(pl.Int32))
    samples = (
        _assign_session(records, "timestamp_utc", starts)
        .with_columns(pl.lit(None, dtype=pl.Int32()).alias("source_line"))
        .select(list(RAW_SAMPLE_SCHEMA))
    )
    sets = _assign_session(_frame(_set_rows(c), RAW_SET_SCHEMA).drop("session_index"), "start_time_utc", starts)
    laps = _assign_session(_frame(_lap_rows(c), RAW_LAP_SCHEMA).drop("session_index"), "start_time_utc", starts)
    return Decoded(
        source_format="fit",
        activities=activities,
        sets=sets.select(list(RAW_SET_SCHEMA)),
        samples=samples,
        laps=laps.select(list(RAW_LAP_SCHEMA)),
        warnings=(f"{c.cut.reason} (what precedes it is loaded)", *complaints) if c.cut else complaints,
        notes=(f"{FALLBACK_NOTE}: {c.fallback}",) if c.fallback else (),
        rejected=_rejected(c, len(data)),
    )


def _rejected(c: _Collected, size: int) -> tuple[Rejected, ...]:
    """The parts of the file set aside: records without a date, and the end of a file cut short."""
    parts = []
    if c.undated_records:
        parts.append(
            Rejected(
                f"{c.undated_records} record messages without an absolute timestamp {_UNDATED}",
                table="samples",
                rows=c.undated_records,
            )
        )
    if c.cut is not None:
        parts.append(
            Rejected(
                f"{c.cut.reason}: the file ends in the middle of a message; the {c.messages} messages before it "
                "are loaded (a device that stopped mid-activity writes no session summary; a file still being "
                "copied is read again, whole, when it changes)",
                payload=json.dumps({"file_bytes": size, "messages_loaded": c.messages}),
                rows=0,
                stage=CUT_STAGE,
            )
        )
    return tuple(parts)
