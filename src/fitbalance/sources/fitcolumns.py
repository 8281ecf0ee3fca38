"""FIT record messages decoded a definition at a time, into columns (NumPy over the file's bytes), not per message.

Record messages (one per second of an activity) are nearly all of a FIT file's bytes. :func:`split` walks the message
headers once (a tight loop that reads headers and definitions only), notes the offset of every record data message
per definition, then decodes all records of one definition at once with a NumPy structured dtype (the definition's
endianness, fields at their offsets), applying each column's invalid value, scale and offset as the FIT profile
fitdecode ships gives them. The data messages the FIT source does not read (gps_metadata, event, device_info, hrv,
hr, length, ...: most of the rest of a file's bytes) are dropped unread. What is left (the header, every definition,
and the :data:`KEPT` messages: file_id, session, lap, set, sport, activity, developer data descriptions) is handed
back as a FIT stream of its own, with its headers and CRCs made right, for the regular reader.

The result equals what the regular reader makes of the whole file, value for value, warnings and errors included:
whenever the file holds anything this path does not reproduce exactly, :func:`split` returns a :class:`Fallback`
with the reason, and the caller decodes the whole file with the regular reader (counted in :func:`fallback_counts`
and named in the file's detail). Such things are: a header or CRC that is not right, a file cut short or with bytes
past its end, a compressed-timestamp header, a developer field named as a record field read here, a definition with
a field size that is not a whole number of its base type's values, a dropped message the reader would fail on (a
component field as a string, a float or an array; an hr message whose event timestamps have no start yet: the
reader's timestamp state is followed through a file with hr messages, :func:`_follow`), and a record definition
whose fields this path does not read exactly (a base type other than the profile's, an array, compressed
speed/distance). The caller also falls back when the reader complains of the rest (a warning or an
error would name offsets in the rest, not in the file). Never a wrong value; at worst the old speed.

``tests/core/test_fitcolumns.py`` compares both paths on every FIT file it can find, damaged and mutated ones too.
"""

from __future__ import annotations

import struct
import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from fitdecode import profile

from fitbalance.fitcrc import fit_crc

__all__ = ["Columns", "Fallback", "count_fallback", "fallback_counts", "split"]

RECORD = 20  # global message number of record
_HR = 132  # hr messages: their event timestamps build on the last timestamp of any message before them
_TIMESTAMP = 253
_HR_EVENT_TIMESTAMP, _HR_EVENT_TIMESTAMP_12 = 9, 10
_UINT32, _BYTE = 0x86, 0x0D
_FIT_EPOCH_S = 631065600  # 1989-12-31T00:00:00Z in Unix seconds
_DATETIME_MIN = 0x10000000  # below: seconds since power-up, not a date (as fitbalance.sources.fit)
_SEMICIRCLE_TO_DEG = 180.0 / 2**31

# base type id -> (NumPy kind+size, invalid value or None for the "z" types' zero)
_BASE: dict[int, tuple[str, int]] = {
    0x00: ("u1", 0xFF),
    0x01: ("i1", 0x7F),
    0x02: ("u1", 0xFF),
    0x83: ("i2", 0x7FFF),
    0x84: ("u2", 0xFFFF),
    0x85: ("i4", 0x7FFFFFFF),
    0x86: ("u4", 0xFFFFFFFF),
    0x0A: ("u1", 0),
    0x8B: ("u2", 0),
    0x8C: ("u4", 0),
}
_BASE_SIZE = {0x00: 1, 0x01: 1, 0x02: 1, 0x83: 2, 0x84: 2, 0x85: 4, 0x86: 4, 0x07: 1, 0x88: 4, 0x89: 8}
_BASE_SIZE.update({0x0A: 1, 0x8B: 2, 0x8C: 4, 0x0D: 1, 0x8E: 8, 0x8F: 8, 0x90: 8})
_BASE_IDS = {0x00, 0x01, 0x02, 0x83, 0x84, 0x85, 0x86, 0x07, 0x88, 0x89, 0x0A, 0x8B, 0x8C, 0x0D, 0x8E, 0x8F, 0x90}


@dataclass(frozen=True)
class _Column:
    """How one record field (by its number) is read: the profile's base type, scale and offset."""

    name: str
    base: int
    scale: float | None
    offset: float | None
    component: tuple[str, float | None, float | None] | None  # (target name, scale, offset): speed -> enhanced_speed


_READ = (
    *("timestamp", "position_lat", "position_long", "heart_rate", "cadence", "power", "distance"),
    *("speed", "enhanced_speed", "altitude", "enhanced_altitude"),
)


def _profile_columns() -> tuple[dict[int, _Column], frozenset[int]]:
    """The record fields read here, from the profile; and the fields whose components write one of them in ways
    not reproduced here (compressed_speed_distance: a record definition holding one falls back)."""
    record = profile.MESSAGE_TYPES[RECORD]
    columns: dict[int, _Column] = {}
    unsupported: set[int] = set()
    for num, fld in record.fields.items():
        targets = [c for c in (fld.components or ()) if record.fields[c.def_num].name in _READ]
        if fld.name in _READ:
            component = None
            if targets:
                (c,) = targets
                if c.accumulate or c.bit_offset or c.bits != 8 * _BASE_SIZE[fld.base_type.identifier]:
                    raise AssertionError(f"record.{fld.name}: a component this module does not reproduce")
                component = (record.fields[c.def_num].name, c.scale, c.offset)
            columns[num] = _Column(fld.name, fld.base_type.identifier, fld.scale, fld.offset, component)
        elif targets:
            unsupported.add(num)
    return columns, frozenset(unsupported)


_COLUMNS, _UNSUPPORTED = _profile_columns()
_NAMES_READ = frozenset(_READ)
_FIELD_DESCRIPTION, _FIELD_NAME, _DEVELOPER_DATA_ID = 206, 3, 207

KEPT = frozenset({0, 12, 18, 19, 34, 225, _FIELD_DESCRIPTION, _DEVELOPER_DATA_ID})
"""The messages handed on to the reader (file_id, sport, session, lap, activity, set, and the developer data
descriptions their fields may need); records are read here, every other data message is dropped unread."""


def _components() -> dict[int, frozenset[int]]:
    """Per message, the fields whose value the reader splits into components (themselves or a subfield of theirs).
    The reader's component arithmetic works on integers (arrays of them too) and fails on a string or a float
    (:data:`_NOT_INTEGER`): a file where it would must fail here the same way, so such a definition falls back."""
    out: dict[int, set[int]] = {}
    for num, msg in profile.MESSAGE_TYPES.items():
        for field_num, fld in msg.fields.items():
            if fld.components or any(sub.components for sub in fld.subfields or ()):
                out.setdefault(num, set()).add(field_num)
    return {num: frozenset(fields) for num, fields in out.items()}


_NOT_INTEGER = frozenset({0x07, 0x88, 0x89})  # string, float32, float64
_WITH_COMPONENTS = _components()


@dataclass(frozen=True)
class Fallback:
    """The file is not for this path: decode it whole with the regular reader. ``reason`` says why."""

    reason: str


@dataclass(frozen=True)
class Columns:
    """A file split in two: ``records`` (the ``timestamp_utc, heart_rate, speed_mps, cadence, power_w, distance_m,
    altitude_m, lat, lon`` columns of every dated record, file order), and ``rest``: a FIT stream of everything else
    for the regular reader (the messages it reads: :data:`KEPT`). ``record_messages`` counts the record messages,
    ``undated`` those without a date, ``dropped`` every data message not in ``rest``."""

    records: pl.DataFrame
    rest: bytes
    record_messages: int
    undated: int
    dropped: int = 0  # data messages left out of ``rest``, records included


_counts: Counter[str] = Counter()
_lock = threading.Lock()


def fallback_counts() -> dict[str, int]:
    """How many files, per reason, this process decoded with the regular reader instead (``"columnar"``: not)."""
    with _lock:
        return dict(_counts)


def count_fallback(reason: str) -> None:
    """Count a file decoded with the regular reader after all, for ``reason``."""
    _count(reason)


def _count(outcome: str) -> None:
    with _lock:
        _counts[outcome] += 1


class _Odd(Exception):
    """Something this path does not reproduce: fall back."""


class _HrSeen(Exception):
    """An hr definition in a walk that did not follow timestamps: walk again, following them."""


@dataclass
class _Def:
    global_num: int
    big: bool
    size: int  # bytes of a data message after its header byte
    fields: list[tuple[int, int, int]]  # (number, size, base type) in order
    offsets: list[int]  # of the record data messages (first byte after the header), records only
    timestamp: int | None = None  # where the uint32 timestamp field is, when following timestamps
    hr: tuple[tuple[int, int, int], ...] = ()  # hr only: (field number, offset, size) of fields 253, 9, 10 in order


def split(data: bytes) -> Columns | Fallback:
    """Decode the record messages of FIT ``data`` (checked for its FIT signature) into columns; see the module."""
    try:
        result: Columns | Fallback = _split(data)
    except _Odd as odd:
        result = Fallback(str(odd))
    except (struct.error, IndexError, ValueError) as exc:  # a case the checks above missed: still never wrong
        result = Fallback(f"unexpected: {type(exc).__name__}: {exc}")
    _count("columnar" if isinstance(result, Columns) else result.reason)
    return result


def _split(data: bytes) -> Columns:
    try:
        return _walk(data, follow=False)
    except _HrSeen:
        return _walk(data, follow=True)


def _walk(data: bytes, follow: bool) -> Columns:
    """The split; ``follow``: following the timestamps as the reader does for hr messages (see :func:`_follow`)."""
    rest = bytearray()
    record_defs: list[_Def] = []
    dropped = [0]
    pos = 0
    while pos < len(data):
        pos = _segment(data, pos, rest, record_defs, dropped, follow)
    frames = [_decode(data, d) for d in record_defs if d.offsets]
    offsets = [np.asarray(d.offsets, dtype=np.int64) for d in record_defs if d.offsets]
    total = sum(len(d.offsets) for d in record_defs)
    if frames:
        order = np.argsort(np.concatenate(offsets), kind="stable")
        columns = {k: np.concatenate([f[k] for f in frames])[order] for k in frames[0]}
    else:
        columns = {k: np.empty(0, dtype=np.float64) for k in ("timestamp", *_OUT)}
    dated = columns["timestamp"] >= _DATETIME_MIN  # NaN (no timestamp) compares False
    micros = ((columns["timestamp"][dated].astype(np.int64) + _FIT_EPOCH_S) * 1_000_000).astype(np.int64)
    series = [pl.Series("timestamp_utc", micros, dtype=pl.Int64).cast(pl.Datetime("us"))]
    for name in _OUT:
        values = pl.Series(name, columns[name][dated], dtype=pl.Float64, nan_to_null=True)
        series.append(values.cast(pl.Int32) if name == "heart_rate" else values)
    return Columns(pl.DataFrame(series), bytes(rest), total, int(total - dated.sum()), dropped[0])


_OUT = ("heart_rate", "speed_mps", "cadence", "power_w", "distance_m", "altitude_m", "lat", "lon")


def _segment(
    data: bytes, start: int, rest: bytearray, record_defs: list[_Def], dropped: list[int], follow: bool
) -> int:
    """Walk one FIT file of a chain starting at ``start``; append its header, definitions and :data:`KEPT` messages
    to ``rest``; count the data messages left out in ``dropped[0]``; the next start."""
    if len(data) - start < 12:
        raise _Odd("a header cut short")
    header_size, _, _, data_size, magic = struct.unpack_from("<2BHI4s", data, start)
    if magic != b".FIT" or header_size not in (12, 14):
        raise _Odd("a header of an unusual size, or not FIT")
    if len(data) - start < header_size:
        raise _Odd("a header cut short")
    if header_size >= 14:
        (header_crc,) = struct.unpack_from("<H", data, start + 12)
        if header_crc and fit_crc(data[start : start + 12]) != header_crc:
            raise _Odd("header CRC")
    body = start + header_size
    end: int = body + data_size
    if end + 2 > len(data):
        raise _Odd("cut short")
    (file_crc,) = struct.unpack_from("<H", data, end)
    if fit_crc(memoryview(data)[start:end]) != file_crc:
        raise _Odd("file CRC")
    kept = bytearray()
    defs: dict[int, _Def] = {}
    run = body  # start of the bytes kept since the last message dropped
    pos = body
    clock = [0, 0]  # following timestamps: the reader's last timestamp and hr start timestamp (reset per file)
    while pos < end:
        head = data[pos]
        if head & 0x80:
            raise _Odd("compressed-timestamp header")
        if head & 0x40:
            pos = _definition(data, pos, end, defs, record_defs, follow)
            continue
        d = defs.get(head & 0x0F)
        if d is None:
            raise _Odd("data message of an undefined local type")
        if follow:
            _follow(data, pos + 1, d, clock)
        if d.global_num == _FIELD_DESCRIPTION:
            _field_name(data, pos + 1, d)
        if d.global_num in KEPT:
            pos += 1 + d.size
            continue
        kept += data[run:pos]
        if d.global_num == RECORD:
            d.offsets.append(pos + 1)
        dropped[0] += 1
        pos += 1 + d.size
        run = pos
    if pos != end:
        raise _Odd("a message runs past the data size")
    kept += data[run:end]
    header = bytearray(data[start : start + header_size])
    struct.pack_into("<I", header, 4, len(kept))
    if header_size >= 14:
        struct.pack_into("<H", header, 12, 0)  # zero: "no header CRC" to the reader
    segment = bytes(header) + bytes(kept)
    rest += segment
    rest += struct.pack("<H", fit_crc(segment))
    return end + 2


def _definition(data: bytes, pos: int, end: int, defs: dict[int, _Def], record_defs: list[_Def], follow: bool) -> int:
    head = data[pos]
    if pos + 6 > end:
        raise _Odd("a definition runs past the data size")
    big = data[pos + 2] != 0
    (global_num,) = struct.unpack_from(">H" if big else "<H", data, pos + 3)
    count = data[pos + 5]
    after = pos + 6 + 3 * count
    if after > end:
        raise _Odd("a definition runs past the data size")
    if global_num == _HR and not follow:
        raise _HrSeen
    fields = []
    for i in range(pos + 6, after, 3):
        num, size, base = data[i], data[i + 1], data[i + 2]
        if base not in _BASE_IDS or size % _BASE_SIZE[base]:
            raise _Odd("a field size that is not whole values of its base type")
        fields.append((num, size, base))
    size = sum(f[1] for f in fields)
    if head & 0x20:  # developer fields: read by the reader (their names are checked in _field_name)
        if after >= end:
            raise _Odd("a definition runs past the data size")
        dev_end = after + 1 + 3 * data[after]
        if dev_end > end:
            raise _Odd("a definition runs past the data size")
        size += sum(data[i + 1] for i in range(after + 1, dev_end, 3))
        if follow and any(data[i] == _TIMESTAMP for i in range(after + 1, dev_end, 3)):
            raise _Odd("a developer field numbered as the timestamp, in a file with hr messages")
        after = dev_end
    d = _Def(global_num, big, size, fields, [])
    if follow:
        _timestamps(d)
    if global_num not in KEPT:
        _check_components(d)
    if global_num == RECORD:
        _check_record(d)
        record_defs.append(d)
    defs[head & 0x0F] = d
    return after


def _field_name(data: bytes, at: int, d: _Def) -> None:
    """A developer field named as a record field read here would stand in for it with the reader: fall back."""
    for num, size, base in d.fields:
        if num == _FIELD_NAME and base == 0x07:
            raw = data[at : at + size]
            name = raw[: raw.index(0)] if 0 in raw else raw
            if name.decode("utf-8", errors="replace") in _NAMES_READ:
                raise _Odd("a developer field named as a record field")
        at += size


def _timestamps(d: _Def) -> None:
    """Where ``d``'s messages hold what the reader's hr arithmetic reads (see :func:`_follow`); a layout it would
    read otherwise than here falls back."""
    at, hr = 0, []
    for num, size, base in d.fields:
        if num == _TIMESTAMP:
            if base != _UINT32 or size != 4 or d.timestamp is not None:
                raise _Odd("a timestamp that is not one uint32, in a file with hr messages")
            d.timestamp = at
            hr.append((num, at, size))
        elif d.global_num == _HR and num == _HR_EVENT_TIMESTAMP:
            hr.append((num, at, size))
        elif d.global_num == _HR and num == _HR_EVENT_TIMESTAMP_12:
            if base != _BYTE or size == 0:
                raise _Odd("hr event_timestamp_12 that is not bytes")
            hr.append((num, at, size))
        at += size
    if d.global_num == _HR:
        d.hr = tuple(hr)


def _follow(data: bytes, at: int, d: _Def, clock: list[int]) -> None:
    """The reader's timestamp state after the data message at ``at``, as it keeps it: the last valid timestamp of
    any message, and, at an hr message's event_timestamp field, the hr start timestamp its event_timestamp_12 values
    build on. Where the reader would fail on an hr message (no start timestamp yet, or event_timestamp_12 without a
    value), the file falls back, so it fails the same way; the hr messages are dropped, not read."""
    order = ">I" if d.big else "<I"
    if not d.hr:
        if d.timestamp is not None:
            (value,) = struct.unpack_from(order, data, at + d.timestamp)
            if value != 0xFFFFFFFF:
                clock[0] = value
        return
    for num, offset, size in d.hr:
        if num == _TIMESTAMP:
            (value,) = struct.unpack_from(order, data, at + offset)
            if value != 0xFFFFFFFF:
                clock[0] = value
        elif num == _HR_EVENT_TIMESTAMP:
            clock[1] = clock[0]
        elif data[at + offset : at + offset + size].count(0xFF) == size:
            raise _Odd("hr event_timestamp_12 without a value")
        elif clock[1] <= 0:
            raise _Odd("hr event timestamps before any timestamp")


def _check_components(d: _Def) -> None:
    """A dropped message with a component field the reader could not split: the reader might fail on it."""
    split = _WITH_COMPONENTS.get(d.global_num)
    if split:
        for num, size, base in d.fields:
            if num in split and (base in _NOT_INTEGER or (base != _BYTE and size != _BASE_SIZE[base])):
                raise _Odd("a field with components as a string, a float or an array")


def _check_record(d: _Def) -> None:
    for num, size, base in d.fields:
        if num in _UNSUPPORTED:
            raise _Odd("compressed speed/distance")
        column = _COLUMNS.get(num)
        if column is not None and (base != column.base or size != _BASE_SIZE[base]):
            raise _Odd(f"record {column.name} as base type {base:#x}, {size} bytes")


def _decode(data: bytes, d: _Def) -> dict[str, Any]:
    """Every record of definition ``d`` at once: the fields read, by name, as float64 with NaN for no value."""
    order = ">" if d.big else "<"
    names, formats, offsets = [], [], []  # a field defined twice is read twice: the later one wins, as in the reader
    at = 0
    for i, (num, size, base) in enumerate(d.fields):
        if num in _COLUMNS:
            names.append(f"{i}")
            formats.append(order + _BASE[base][0])
            offsets.append(at)
        at += size
    n = len(d.offsets)
    buffer = np.frombuffer(data, dtype=np.uint8)
    starts = np.asarray(d.offsets, dtype=np.int64)
    table: Any = None  # read only when a field is: then the messages have bytes
    if names:
        rows = buffer[starts[:, None] + np.arange(d.size, dtype=np.int64)]  # one row of bytes per message
        layout = np.dtype({"names": names, "formats": formats, "offsets": offsets, "itemsize": d.size})
        table = rows.view(layout).reshape(n)
    last: dict[str, Any] = {}  # per name, the last value written in field order (a component first, then its field)
    for i, (num, _, base) in enumerate(d.fields):
        column = _COLUMNS.get(num)
        if column is None:
            continue
        raw = table[f"{i}"]
        invalid = raw == _BASE[base][1]
        if column.component is not None:
            target, scale, offset = column.component
            last[target] = _scaled(raw, invalid, scale, offset)
        last[column.name] = _scaled(raw, invalid, column.scale, column.offset)
    nothing = np.full(n, np.nan)
    speed, enhanced = last.get("speed", nothing), last.get("enhanced_speed", nothing)
    altitude, enhanced_alt = last.get("altitude", nothing), last.get("enhanced_altitude", nothing)
    return {
        "timestamp": last.get("timestamp", nothing),
        "heart_rate": last.get("heart_rate", nothing),
        "speed_mps": np.where(np.isnan(enhanced), speed, enhanced),
        "cadence": last.get("cadence", nothing),
        "power_w": last.get("power", nothing),
        "distance_m": last.get("distance", nothing),
        "altitude_m": np.where(np.isnan(enhanced_alt), altitude, enhanced_alt),
        "lat": last.get("position_lat", nothing) * _SEMICIRCLE_TO_DEG,
        "lon": last.get("position_long", nothing) * _SEMICIRCLE_TO_DEG,
    }


def _scaled(raw: Any, invalid: Any, scale: float | None, offset: float | None) -> Any:
    """fitdecode's arithmetic, column-wise: ``float(raw) / scale - offset`` (each only when set), NaN when invalid."""
    values = raw.astype(np.float64)
    if scale:
        values = values / scale
    if offset:
        values = values - offset
    values[invalid] = np.nan
    return values
