"""A tiny FIT encoder for hostile-input tests: messages as (global number, [(field number, base type, value)]).

Deliberately low-level (no profile lookups, raw values only) so a test can write what no well-behaved encoder
would: a duration in a signed type, a timestamp at the end of the FIT epoch, 255 fields of 255 bytes. The seeds of
the fuzz tests are built here; :func:`layout` tells the mutators where the header and each definition message are.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from datetime import UTC, datetime

FIT_EPOCH = datetime(1989, 12, 31, tzinfo=UTC)

ENUM, UINT8, UINT16, UINT32, SINT32, STRING, BYTE = 0x00, 0x02, 0x84, 0x86, 0x85, 0x07, 0x0D
_FORMATS = {ENUM: "B", UINT8: "B", UINT16: "H", UINT32: "I", SINT32: "i", BYTE: "B"}
_SIZES = {ENUM: 1, UINT8: 1, UINT16: 2, UINT32: 4, SINT32: 4, BYTE: 1}

FILE_ID, SESSION, LAP, RECORD, ACTIVITY, SET = 0, 18, 19, 20, 34, 225

Field = tuple[int, int, int | bytes | tuple[int, ...]]
Message = tuple[int, list[Field]]


def crc16(data: bytes, crc: int = 0) -> int:
    """The FIT CRC-16 (the nibble-table form of the FIT SDK)."""
    table = (
        0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
        0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400,
    )  # fmt: skip
    for byte in data:
        tmp = table[crc & 0xF]
        crc = (crc >> 4) & 0x0FFF
        crc = crc ^ tmp ^ table[byte & 0xF]
        tmp = table[crc & 0xF]
        crc = (crc >> 4) & 0x0FFF
        crc = crc ^ tmp ^ table[(byte >> 4) & 0xF]
    return crc


def fit_time(moment: datetime) -> int:
    """Seconds since the FIT epoch (1989-12-31 UTC)."""
    return int((moment - FIT_EPOCH).total_seconds())


def _value_bytes(base: int, value: int | bytes | tuple[int, ...]) -> bytes:
    if base == STRING:
        assert isinstance(value, bytes)
        return value
    fmt = _FORMATS[base]
    values = value if isinstance(value, tuple) else (value,)
    return struct.pack(f"<{len(values)}{fmt}", *values)


def _size(base: int, value: int | bytes | tuple[int, ...]) -> int:
    return len(_value_bytes(base, value))


def encode(messages: list[Message]) -> bytes:
    """A complete FIT file: header, a definition before each new layout, data messages, both CRCs."""
    body = bytearray()
    layouts: dict[tuple[int, tuple[tuple[int, int, int], ...]], int] = {}
    for global_num, fields in messages:
        key = (global_num, tuple((num, _size(base, v), base) for num, base, v in fields))
        local = layouts.get(key)
        if local is None:
            local = len(layouts) % 16
            layouts[key] = local
            body += struct.pack("<BBBHB", 0x40 | local, 0, 0, global_num, len(fields))
            for num, size, base in key[1]:
                body += struct.pack("<BBB", num, size, base)
        body.append(local)
        for _, base, value in fields:
            body += _value_bytes(base, value)
    return finish(bytes(body))


def finish(body: bytes, *, data_size: int | None = None) -> bytes:
    """Wrap message bytes in a 14-byte header and a file CRC (``data_size`` may lie on purpose)."""
    header = struct.pack("<BBHI4s", 14, 0x20, 2132, len(body) if data_size is None else data_size, b".FIT")
    header += struct.pack("<H", crc16(header))
    return header + body + struct.pack("<H", crc16(header + body))


def recrc(data: bytes) -> bytes:
    """The same bytes with both CRCs made right again, so a mutation gets past the CRC check to the parser."""
    if len(data) < 14 or data[0] != 14:
        return data
    header = data[:12] + struct.pack("<H", crc16(data[:12]))
    body = data[14:-2] if len(data) >= 16 else b""
    return header + body + struct.pack("<H", crc16(header + body))


@dataclass(frozen=True)
class Layout:
    """Byte offsets in a file made by :func:`encode`: where each definition message starts."""

    definitions: tuple[int, ...]


def layout(data: bytes) -> Layout:
    """Walk a well-formed file and note the offset of every definition message."""
    sizes: dict[int, int] = {}
    offsets: list[int] = []
    pos, end = 14, len(data) - 2
    while pos < end:
        head = data[pos]
        if head & 0x40:
            offsets.append(pos)
            n = data[pos + 5]
            sizes[head & 0x0F] = sum(data[pos + 6 + 3 * i + 1] for i in range(n))
            pos += 6 + 3 * n
        else:
            pos += 1 + sizes[head & 0x0F]
    return Layout(definitions=tuple(offsets))


def strength_activity(
    start: datetime = datetime(2025, 3, 3, 7, 0, tzinfo=UTC),
    *,
    sets: int = 3,
    records: int = 20,
    weight_raw: int = 60 * 16,
    reps: int = 8,
    elapsed: tuple[int, int] = (UINT32, 1_800_000),
    start_s: int | None = None,
) -> bytes:
    """A small, valid strength-training FIT file: file_id, records, sets, a lap, a session and an activity."""
    t0 = fit_time(start) if start_s is None else start_s
    msgs: list[Message] = [(FILE_ID, [(0, ENUM, 4), (1, UINT16, 1), (2, UINT16, 4315), (4, UINT32, t0)])]
    for i in range(records):
        msgs.append((RECORD, [(253, UINT32, t0 + i), (3, UINT8, 90 + i % 60), (5, UINT32, i * 100)]))
    for i in range(sets):
        msgs.append(
            (
                SET,
                [
                    (254, UINT32, t0 + 60 * i + 40),
                    (0, UINT32, 40_000),
                    (3, UINT16, reps),
                    (4, UINT16, weight_raw),
                    (5, UINT8, 1),
                    (6, UINT32, t0 + 60 * i),
                    (7, UINT16, (0, 0xFFFF)),  # bench_press, then no second guess
                    (8, UINT16, (1, 0xFFFF)),
                    (10, UINT16, i),
                ],
            )
        )
    span = (t0, elapsed[0], elapsed[1])
    msgs.append((LAP, [(253, UINT32, t0 + 1800), (2, UINT32, span[0]), (7, span[1], span[2])]))
    msgs.append(
        (
            SESSION,
            [(253, UINT32, t0 + 1800), (2, UINT32, t0), (5, ENUM, 10), (6, ENUM, 20), (7, span[1], span[2])],
        )
    )
    msgs.append((ACTIVITY, [(253, UINT32, t0 + 1800), (5, UINT32, t0 + 1800 + 3600)]))
    return encode(msgs)


def run_activity(start: datetime = datetime(2025, 3, 4, 18, 30, tzinfo=UTC), *, records: int = 30) -> bytes:
    """A small, valid run: records with speed and distance, one session, no sets."""
    t0 = fit_time(start)
    msgs: list[Message] = [(FILE_ID, [(0, ENUM, 4), (1, UINT16, 1), (4, UINT32, t0)])]
    for i in range(records):
        msgs.append(
            (RECORD, [(253, UINT32, t0 + i), (3, UINT8, 120 + i % 40), (5, UINT32, i * 300), (6, UINT16, 3000)])
        )
    msgs.append((SESSION, [(253, UINT32, t0 + records), (2, UINT32, t0), (5, ENUM, 1), (7, UINT32, records * 1000)]))
    return encode(msgs)
