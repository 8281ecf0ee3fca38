"""fitdecode's :class:`~fitdecode.FitReader` with its two hottest spots made cheaper; the messages are the same.

fitdecode is pure Python and decoding is the pipeline's main cost, so the reader the FIT source uses differs from the
stock one in how it reads, never in what it yields:

- a data message's fields are read with one ``read`` and one pre-compiled :class:`struct.Struct` per definition
  (stock: one read, one ``Struct`` and one CRC update per field);
- the CRC is updated a byte at a time from a 256-entry table (stock: two nibble steps per byte).

(The FIT source also passes ``processor=None``: the default processor's three method lookups per field cost more
than converting the few date-time fields it reads.)

Anything unusual (a field whose size is not a whole number of its base type's values, a non-seekable stream) takes
the stock path. ``tests/sources/test_fitreader.py`` checks that every message, field, value and unit is the same as
the stock reader's on every FIT file it can find, and that corrupt files fail the same way.

Written against fitdecode 0.11 (the version ``uv.lock`` pins): it overrides private methods, so a fitdecode upgrade
must keep that test green.
"""

from __future__ import annotations

import struct
from typing import Any

import fitdecode
from fitdecode import types
from fitdecode.exceptions import FitEOFError
from fitdecode.reader import CrcCheck
from fitdecode.utils import CRC_TABLE

__all__ = ["FastFitReader", "fit_crc"]


def _byte_table() -> tuple[int, ...]:
    """The FIT CRC-16 advanced a whole byte at a time: ``TABLE[b]`` is the nibble algorithm run on byte b from 0."""
    table = []
    for byte in range(256):
        crc = 0
        for nibble in (byte & 0xF, byte >> 4):
            tmp = CRC_TABLE[crc & 0xF]
            crc = ((crc >> 4) & 0x0FFF) ^ tmp ^ CRC_TABLE[nibble]
        table.append(crc)
    return tuple(table)


_CRC_BYTE_TABLE = _byte_table()


def fit_crc(data: bytes | bytearray | memoryview, crc: int = 0) -> int:
    """The FIT CRC-16 of ``data`` continuing from ``crc`` (equal to ``fitdecode.utils.compute_crc``)."""
    table = _CRC_BYTE_TABLE
    for byte in data:
        crc = (crc >> 8) ^ table[(crc ^ byte) & 0xFF]
    return crc


_BYTE = types.BASE_TYPE_BYTE.identifier


class _Layout:
    """How to unpack every field of one definition message with a single ``struct`` call."""

    __slots__ = ("fields", "unpacker")

    def __init__(self, unpacker: struct.Struct, fields: list[tuple[int, int, Any, bool]]) -> None:
        self.unpacker = unpacker
        self.fields = fields  # (first value, value count, base type's parse, is a byte field)


def _layout(def_mesg: Any) -> _Layout | None:
    """The one-struct layout of ``def_mesg``, or None when a field does not fit it (the stock path handles those)."""
    parts = [def_mesg.endian]
    fields = []
    position = 0
    for field_def in def_mesg.all_field_defs:
        base = field_def.base_type
        count, rest = divmod(field_def.size, base.size)
        if count == 0 or rest:
            return None
        parts.append(f"{count}{base.fmt}")
        values = 1 if base.fmt == "s" else count  # "20s" unpacks to one bytes value
        fields.append((position, values, base.parse, base.identifier == _BYTE))
        position += values
    return _Layout(struct.Struct("".join(parts)), fields)


class FastFitReader(fitdecode.FitReader):  # type: ignore[misc]  # fitdecode ships no type hints
    """A :class:`fitdecode.FitReader` over bytes that yields the same records, faster (see the module docstring)."""

    def __init__(self, data: bytes, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self._size = len(data)
        self._layouts: dict[Any, _Layout | None] = {}  # by definition message (hashed by identity)

    def _read_bytes(self, size: int) -> bytes:
        if size <= 0:
            raise ValueError("size")
        chunk: bytes = self._fd.read(size)
        got = len(chunk)
        if got != size:
            raise FitEOFError(size, got, self._read_offset)
        if self.check_crc is not CrcCheck.DISABLED:
            running: int = self._crc  # type: ignore[has-type]  # set in fitdecode's untyped __init__
            self._crc = fit_crc(chunk, running)
        self._chunk_size += got
        self._read_offset += got
        self._read_size += got
        return chunk

    def _read_data_message_raw_values(self, def_mesg: Any) -> tuple[list[bytes], list[Any]]:
        if def_mesg not in self._layouts:
            self._layouts[def_mesg] = _layout(def_mesg)
        layout = self._layouts[def_mesg]
        if layout is None or layout.unpacker.size > self._size - self._read_offset:
            # the stock path, field by field: a truncated message fails with the stock reader's words
            return super()._read_data_message_raw_values(def_mesg)  # type: ignore[no-any-return]
        if not layout.fields:
            return [], []
        chunk = self._read_bytes(layout.unpacker.size)
        values = layout.unpacker.unpack(chunk)
        raw_values: list[Any] = []
        for first, count, parse, is_byte in layout.fields:
            if is_byte:
                raw_values.append(parse(values[first : first + count]))
            elif count > 1:
                raw_values.append(tuple(parse(v) for v in values[first : first + count]))
            else:
                raw_values.append(parse(values[first]))
        return [chunk], raw_values
