"""A small FIT file encoder: messages in, CRC-checked FIT bytes out.

Message, field and type names come from the FIT profile that fitdecode ships (``fitdecode.profile``), so what
this module writes is exactly what fitdecode reads back::

    fit = FitWriter()
    fit.message("file_id", type="activity", manufacturer="garmin", product=4315, time_created=start)
    fit.message("record", timestamp=start, heart_rate=120, enhanced_speed=3.1, distance=0.0)
    data = fit.to_bytes()

Values are given in the profile's units and converted to raw values here:

- numbers: ``raw = round((value + offset) * scale)`` for fields with a scale or offset (speed in m/s,
  distance in m, altitude in m, weight in kg, durations in s, semicircle positions as plain ints);
- ``date_time`` fields: an aware :class:`~datetime.datetime` (naive ones are taken as UTC), or an int that is
  written as-is as seconds since the FIT epoch (1989-12-31 UTC);
- ``local_date_time`` fields: a datetime whose wall-clock time is written, whatever its zone;
- enum-typed fields: the profile's value name (``sport="running"``) or the raw int;
- arrays: a list or tuple of values, written as one array field (``category=["bench_press", None, None]``);
- strings: ``str``, written null-terminated;
- ``None``, alone or inside an array: the base type's invalid marker, which fitdecode decodes as ``None``.

A value that would collide with its base type's invalid marker, or does not fit the base type, raises
:class:`ValueError`. Fields are written in the order given; a definition message is written whenever a
message layout is new, and local message numbers are recycled (least recently used) past 16 layouts.
Only little-endian, non-compressed record headers and no developer fields are written.

:func:`chain` concatenates finished files into one chained FIT stream.
"""

from __future__ import annotations

import math
import struct
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from fitdecode import profile

from fitbalance.fitcrc import fit_crc

__all__ = [
    "FIT_EPOCH",
    "FieldValue",
    "FitWriter",
    "chain",
    "fit_crc",
    "fit_seconds",
]

FIT_EPOCH = datetime(1989, 12, 31, tzinfo=UTC)
HEADER_SIZE = 14
PROTOCOL_VERSION = 0x20  # 2.0
PROFILE_VERSION = 21171  # FIT SDK 21.171, the profile fitdecode 0.11 ships
MAX_LOCAL_MESSAGES = 16

Scalar = int | float | str | datetime | None
FieldValue = Scalar | Sequence[int | float | str | datetime | None]


# ---- profile lookups ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _BaseType:
    identifier: int
    fmt: str
    size: int
    invalid: int | float | bytes

    @property
    def is_float(self) -> bool:
        return self.fmt in "fd"


_BASE_TYPES: dict[int, _BaseType] = {
    0x00: _BaseType(0x00, "B", 1, 0xFF),  # enum
    0x01: _BaseType(0x01, "b", 1, 0x7F),  # sint8
    0x02: _BaseType(0x02, "B", 1, 0xFF),  # uint8
    0x83: _BaseType(0x83, "h", 2, 0x7FFF),  # sint16
    0x84: _BaseType(0x84, "H", 2, 0xFFFF),  # uint16
    0x85: _BaseType(0x85, "i", 4, 0x7FFFFFFF),  # sint32
    0x86: _BaseType(0x86, "I", 4, 0xFFFFFFFF),  # uint32
    0x07: _BaseType(0x07, "s", 1, b""),  # string
    0x88: _BaseType(0x88, "f", 4, math.nan),  # float32
    0x89: _BaseType(0x89, "d", 8, math.nan),  # float64
    0x0A: _BaseType(0x0A, "B", 1, 0),  # uint8z
    0x8B: _BaseType(0x8B, "H", 2, 0),  # uint16z
    0x8C: _BaseType(0x8C, "I", 4, 0),  # uint32z
    0x0D: _BaseType(0x0D, "B", 1, 0xFF),  # byte
    0x8E: _BaseType(0x8E, "q", 8, 0x7FFFFFFFFFFFFFFF),  # sint64
    0x8F: _BaseType(0x8F, "Q", 8, 0xFFFFFFFFFFFFFFFF),  # uint64
    0x90: _BaseType(0x90, "Q", 8, 0),  # uint64z
}


@dataclass(frozen=True, slots=True)
class _FieldSpec:
    """One profile field, resolved once: where it goes and how a value becomes its raw value."""

    name: str
    def_num: int
    base: _BaseType
    to_raw: Callable[[Any], int | float | bytes]


@dataclass(frozen=True, slots=True)
class _MessageSpec:
    name: str
    mesg_num: int
    fields: dict[str, Any]  # field name -> fitdecode Field


@cache
def _message_spec(name: str) -> _MessageSpec:
    for mesg_type in profile.MESSAGE_TYPES.values():
        if mesg_type.name == name:
            fields = {field.name: field for field in mesg_type.fields.values()}
            return _MessageSpec(name=name, mesg_num=int(mesg_type.mesg_num), fields=fields)
    raise ValueError(f"unknown FIT message {name!r}")


@cache
def _field_spec(message: str, field_name: str) -> _FieldSpec:
    mesg = _message_spec(message)
    try:
        field = mesg.fields[field_name]
    except KeyError:
        raise ValueError(f"FIT message {message!r} has no field {field_name!r}") from None
    field_type = field.type
    base_type = field_type if field.is_base_type else field_type.base_type
    base = _BASE_TYPES[int(base_type.identifier)]
    type_name = str(field_type.name)
    label = f"{message}.{field_name}"
    return _FieldSpec(
        name=field_name,
        def_num=int(field.def_num),
        base=base,
        to_raw=_converter(label, type_name, base, field, _enum_names(field)),
    )


def _enum_names(field: Any) -> dict[str, int]:
    """Value names of an enum-typed field, its subfields' included (``product``: garmin_product names)."""
    names: dict[str, int] = {}
    for candidate in (field, *(field.subfields or ())):
        enum = getattr(candidate.type, "enum", None)
        if enum:
            for raw, value_name in enum.items():
                names.setdefault(str(value_name), int(raw))
    return names


def fit_seconds(moment: datetime) -> int:
    """Seconds since the FIT epoch for an aware datetime (a naive one is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return round((moment - FIT_EPOCH).total_seconds())


def _converter(
    label: str, type_name: str, base: _BaseType, field: Any, enum: dict[str, int]
) -> Callable[[Any], int | float | bytes]:
    scale = float(field.scale) if field.scale else 1.0
    offset = float(field.offset) if field.offset else 0.0
    invalid = base.invalid

    def checked(raw: int) -> int:
        if raw == invalid:
            raise ValueError(f"{label}: value encodes as FIT's invalid marker {raw:#x}")
        return raw

    if base.fmt == "s":

        def to_string(value: Any) -> bytes:
            if not isinstance(value, str):
                raise ValueError(f"{label}: expected str, got {type(value).__name__}")
            return value.encode("utf-8") + b"\x00"

        return to_string

    if type_name in ("date_time", "local_date_time"):
        local = type_name == "local_date_time"

        def to_seconds(value: Any) -> int:
            if isinstance(value, datetime):
                moment = value.replace(tzinfo=UTC) if local else value
                return checked(fit_seconds(moment))
            if isinstance(value, int) and not isinstance(value, bool):
                return checked(value)
            raise ValueError(f"{label}: expected datetime or int, got {type(value).__name__}")

        return to_seconds

    if base.is_float:

        def to_float(value: Any) -> float:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{label}: expected a number, got {type(value).__name__}")
            return (float(value) + offset) * scale

        return to_float

    unscaled = scale == 1.0 and offset == 0.0

    def to_int(value: Any) -> int:
        kind = type(value)
        if kind is int or kind is float:
            raw = value if unscaled and kind is int else round((value + offset) * scale)
        elif isinstance(value, str):
            try:
                raw = enum[value]
            except KeyError:
                raise ValueError(f"{label}: unknown value name {value!r}") from None
        elif isinstance(value, int | float):  # bool and int/float subclasses
            raw = round((float(value) + offset) * scale)
        else:
            raise ValueError(f"{label}: expected a number or value name, got {kind.__name__}")
        if raw == invalid:
            raise ValueError(f"{label}: value encodes as FIT's invalid marker {raw:#x}")
        return int(raw)

    return to_int


# ---- the writer --------------------------------------------------------------------------------------------

_Layout = tuple[int, tuple[tuple[int, int, int], ...]]  # (mesg_num, ((def_num, size, base type id), ...))


@dataclass(slots=True)
class _LocalType:
    number: int
    packer: struct.Struct


class FitWriter:
    """Builds one FIT file in memory. Add messages in file order, then call :meth:`to_bytes`."""

    def __init__(self, *, protocol_version: int = PROTOCOL_VERSION, profile_version: int = PROFILE_VERSION) -> None:
        self.protocol_version = protocol_version
        self.profile_version = profile_version
        self._chunks: list[bytes] = []
        self._locals: OrderedDict[_Layout, _LocalType] = OrderedDict()
        self._free_numbers = list(range(MAX_LOCAL_MESSAGES - 1, -1, -1))
        self.message_count = 0

    def message(self, name: str, /, **fields: FieldValue) -> FitWriter:
        """Append one data message (and its definition when the layout is new). Returns ``self``."""
        specs = [_field_spec(name, field) for field in fields]
        self._write(_message_spec(name).mesg_num, specs, list(fields.values()))
        return self

    def messages(self, name: str, fields: Sequence[str], rows: Iterable[Sequence[FieldValue]]) -> FitWriter:
        """Append one data message per row; ``rows`` hold values in the order of ``fields``. Returns ``self``.

        The same as calling :meth:`message` per row, with the field lookups done once: the fast path for
        thousands of ``record`` messages. Rows of plain scalars share one packed layout.
        """
        specs = [_field_spec(name, field) for field in fields]
        mesg_num = _message_spec(name).mesg_num
        scalar_layout = (
            mesg_num,
            tuple((spec.def_num, spec.base.size, spec.base.identifier) for spec in specs),
        )
        converters = [(spec.to_raw, spec.base.invalid) for spec in specs]
        fast = all(spec.base.fmt != "s" for spec in specs)
        local: _LocalType | None = None
        for row in rows:
            if len(row) != len(specs):
                raise ValueError(f"{name}: row has {len(row)} values for {len(specs)} fields")
            raws = _scalar_raws(converters, row) if fast else None
            if raws is None:  # arrays, strings or a bad value: the general path (which also reports errors)
                self._write(mesg_num, specs, row)
                local = None
                continue
            if local is None:
                local = self._local_type(scalar_layout)
            try:
                self._chunks.append(local.packer.pack(local.number, *raws))
            except struct.error:
                self._write(mesg_num, specs, row)  # raises ValueError naming the message and fields
            self.message_count += 1
        return self

    def to_bytes(self) -> bytes:
        """The complete FIT file: 14-byte header with its CRC, the messages, and the file CRC."""
        body = b"".join(self._chunks)
        header = struct.pack("<BBHI4s", HEADER_SIZE, self.protocol_version, self.profile_version, len(body), b".FIT")
        header += struct.pack("<H", fit_crc(header))
        crc = fit_crc(body, fit_crc(header))
        return header + body + struct.pack("<H", crc)

    def _write(self, mesg_num: int, specs: Sequence[_FieldSpec], values: Sequence[FieldValue]) -> None:
        raws: list[int | float | bytes] = []
        layout: list[tuple[int, int, int]] = []
        for spec, value in zip(specs, values, strict=True):
            base = spec.base
            try:
                if isinstance(value, list | tuple):
                    items = [base.invalid if item is None else spec.to_raw(item) for item in value]
                    if not items:
                        raise ValueError("empty array")
                    raws.extend(items)
                    layout.append((spec.def_num, base.size * len(items), base.identifier))
                elif base.fmt == "s":
                    text = b"\x00" if value is None else spec.to_raw(value)
                    assert isinstance(text, bytes)
                    raws.append(text)
                    layout.append((spec.def_num, len(text), base.identifier))
                else:
                    raws.append(base.invalid if value is None else spec.to_raw(value))
                    layout.append((spec.def_num, base.size, base.identifier))
            except ValueError as exc:
                raise ValueError(f"field {spec.name!r}: {exc}") from None
        local = self._local_type((mesg_num, tuple(layout)))
        try:
            self._chunks.append(local.packer.pack(local.number, *raws))
        except struct.error as exc:
            names = ", ".join(spec.name for spec in specs)
            raise ValueError(f"message {mesg_num} ({names}): a value does not fit its base type: {exc}") from None
        self.message_count += 1

    def _local_type(self, layout: _Layout) -> _LocalType:
        local = self._locals.get(layout)
        if local is not None:
            self._locals.move_to_end(layout)
            return local
        if self._free_numbers:
            number = self._free_numbers.pop()
        else:
            _, evicted = self._locals.popitem(last=False)
            number = evicted.number
        mesg_num, fields = layout
        definition = struct.pack("<BBBHB", 0x40 | number, 0, 0, mesg_num, len(fields))
        definition += b"".join(struct.pack("<BBB", *field) for field in fields)
        self._chunks.append(definition)
        fmt = "<B" + "".join(_field_format(size, base_id) for _, size, base_id in fields)
        local = _LocalType(number=number, packer=struct.Struct(fmt))
        self._locals[layout] = local
        return local


def _scalar_raws(
    converters: Sequence[tuple[Callable[[Any], int | float | bytes], int | float | bytes]],
    row: Sequence[FieldValue],
) -> list[int | float | bytes] | None:
    """Raw values of a row of scalars, or None when the row needs the general path."""
    try:
        return [
            invalid if value is None else to_raw(value)
            for (to_raw, invalid), value in zip(converters, row, strict=True)
        ]
    except (ValueError, TypeError):
        return None


def _field_format(size: int, base_id: int) -> str:
    base = _BASE_TYPES[base_id]
    if base.fmt == "s":
        return f"{size}s"
    count = size // base.size
    return base.fmt if count == 1 else f"{count}{base.fmt}"


def chain(*files: bytes) -> bytes:
    """Several complete FIT files as one chained FIT stream (each keeps its own header and CRC)."""
    return b"".join(files)
