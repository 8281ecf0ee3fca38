"""XML exports of watches and their apps (Apple Health, TCX, GPX), read as a stream, never as a tree in memory.

One seam with the other readers (:mod:`fitbalance.sources.formats`): each module here has ``NAME``, ``detect(head,
path)``, ``read(data, path, options)`` and ``read_stream(stream, path, options)``. The stream entry is the one the
ingest uses for a file on disk (:func:`fitbalance.sources.decode_source`): an Apple Health ``export.xml`` runs to
gigabytes, so it is never read whole; the size caps of :mod:`fitbalance.sources.limits` (64 MiB handed to a
decoder) do not apply to it, the caps below do.

Every document goes through :func:`parse` (Python's expat, one callback per element, no tree):

- **Entities are refused.** A ``<!ENTITY`` declaration anywhere (the internal DTD subset included) stops the parse
  with :class:`EntityRefused` before anything is expanded: no billion laughs, no external entity, nothing read from
  outside the file. The external DTD subset is never loaded. Apple's ``export.xml`` carries an internal DTD of
  ``<!ELEMENT>``/``<!ATTLIST>`` declarations and no entity: it is read.
- **Caps** (:data:`MAX_XML_BYTES`, :data:`MAX_XML_SECONDS`): a stream larger than the byte cap or parsed for longer
  than the time cap is refused with the cap named (:class:`~fitbalance.errors.LimitExceeded`,
  :class:`~fitbalance.errors.TimeCapExceeded`). Memory is bounded by what a reader keeps (a few numbers per heart
  rate record, the workouts), never by the document.
- A document that is not well-formed is a :class:`~fitbalance.errors.DecodeError` naming the line and column.

:mod:`.other` is the last XML reader: any other XML document is refused with its root element named (and its
entities refused first), not read as CSV.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, BinaryIO
from xml.parsers import expat

from fitbalance.errors import DecodeError, LimitExceeded, TimeCapExceeded

__all__ = [
    "MAX_XML_BYTES",
    "MAX_XML_SECONDS",
    "EntityRefused",
    "Handlers",
    "looks_like_xml",
    "parse",
    "parse_bytes",
    "root_element",
    "whole",
]

MAX_XML_BYTES = 16 * 1024**3
"""The largest XML stream read (an Apple Health export.xml of ten years runs to about 5 GB)."""
MAX_XML_SECONDS = 1800.0
"""The longest one XML document is parsed (checked after every chunk)."""
CHUNK = 1024 * 1024
MAX_NUMBER = 1e12  # larger than any reading or total an export holds: a broken value, refused before any arithmetic
STAGE = "decode"

_ROOT = re.compile(rb"<(?![?!])(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
_BOM = b"\xef\xbb\xbf"


class EntityRefused(DecodeError):
    """An XML document that declares an entity (entity expansion, external entities): refused, never expanded."""


class Handlers:
    """What a reader does with the elements of one document: ``start(name, attrs)``, ``end(name)``, ``text(data)``
    (character data, given only while :attr:`want_text` is true)."""

    want_text = False
    _parser: Any = None

    def bind(self, parser: Any) -> None:
        """The parser whose position :meth:`line` reports."""
        self._parser = parser

    def line(self) -> int:
        """The line the parser is at (the line of the element being started)."""
        return int(self._parser.CurrentLineNumber) if self._parser is not None else 0

    def start(self, name: str, attrs: dict[str, str]) -> None:  # pragma: no cover - overridden
        pass

    def end(self, name: str) -> None:
        pass

    def text(self, data: str) -> None:
        pass


def looks_like_xml(head: bytes) -> bool:
    """Whether ``head`` starts an XML document (a declaration or an element, after a byte-order mark and spaces)."""
    text = head.removeprefix(_BOM).lstrip()
    return text.startswith(b"<?xml") or (text.startswith(b"<") and _ROOT.match(text) is not None)


def root_element(head: bytes) -> str | None:
    """The local name of the document's root element (after the declaration, comments and the DTD), or None."""
    text = head.removeprefix(_BOM)
    at = 0
    while True:
        start = text.find(b"<", at)
        if start < 0:
            return None
        if text.startswith(b"<?", start):
            at = text.find(b"?>", start) + 2 if text.find(b"?>", start) >= 0 else len(text)
        elif text.startswith(b"<!--", start):
            end = text.find(b"-->", start)
            at = end + 3 if end >= 0 else len(text)
        elif text.startswith(b"<!DOCTYPE", start):
            bracket = text.find(b"[", start)
            close = text.find(b">", start)
            if 0 <= bracket < close:  # an internal subset: skip to its "]>"
                end = text.find(b"]>", bracket)
                at = end + 2 if end >= 0 else len(text)
            else:
                at = close + 1 if close >= 0 else len(text)
        elif text.startswith(b"<!", start):
            end = text.find(b">", start)
            at = end + 1 if end >= 0 else len(text)
        else:
            found = _ROOT.match(text, start)
            return found.group(1).decode("ascii", "replace") if found else None
        if at <= start:
            return None


def _refuse_entity(path: str) -> Callable[..., None]:
    def declared(
        name: str, is_parameter: int, value: str | None, base: str | None, system_id: str | None, *_: object
    ) -> None:
        kind = "an external entity" if system_id else "an entity"
        where = f" (SYSTEM {system_id!r})" if system_id else ""
        shown = ("%" if is_parameter else "") + name
        raise EntityRefused(
            f"XML declares {kind} {shown!r}{where}: refused, entities are never expanded "
            "(entity expansion and external entities can exhaust memory or read other files)",
            path=path,
            stage=STAGE,
        )

    return declared


def _refuse_external(path: str) -> Callable[..., int]:
    def external(context: str | None, base: str | None, system_id: str | None, public_id: str | None) -> int:
        raise EntityRefused(
            f"XML refers to an external entity {system_id!r}: refused, nothing is read from outside the file",
            path=path,
            stage=STAGE,
        )

    return external


def parse(
    stream: BinaryIO,
    path: str,
    handlers: Handlers,
    *,
    max_bytes: int | None = None,
    max_seconds: float | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> int:
    """Parse the XML document in ``stream`` chunk by chunk, calling ``handlers``; returns the bytes read.

    Raises :class:`EntityRefused`, :class:`~fitbalance.errors.DecodeError` (not well-formed, naming line and
    column) or :class:`~fitbalance.errors.LimitExceeded` / :class:`~fitbalance.errors.TimeCapExceeded` (caps read
    when called, so that a test can lower them). Errors a handler raises go up as they are.
    """
    limit = MAX_XML_BYTES if max_bytes is None else max_bytes
    seconds = MAX_XML_SECONDS if max_seconds is None else max_seconds
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.buffer_size = 1 << 16
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.EntityDeclHandler = _refuse_entity(path)
    parser.ExternalEntityRefHandler = _refuse_external(path)
    handlers.bind(parser)
    parser.StartElementHandler = handlers.start
    parser.EndElementHandler = handlers.end
    if handlers.want_text:
        parser.CharacterDataHandler = handlers.text
    started = clock()
    total = 0
    first = True
    try:
        while chunk := stream.read(CHUNK):
            total += len(chunk)
            if first:  # Strava's TCX starts with spaces before its declaration, which expat refuses
                chunk, first = chunk.removeprefix(_BOM).lstrip(), False
            if total > limit:
                raise LimitExceeded(
                    f"XML larger than the {limit / 1024**3:g} GiB cap; not read", path=path, stage=STAGE
                )
            parser.Parse(chunk, False)
            if clock() - started > seconds:
                raise TimeCapExceeded(
                    f"reading the XML took longer than the {seconds:g} s cap (stopped after {total / 1024**2:.0f} "
                    "MiB); not read",
                    path=path,
                    stage=STAGE,
                )
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        reason = expat.ErrorString(exc.code)
        raise DecodeError(
            f"not well-formed XML at line {exc.lineno}, column {exc.offset}: {reason}", path=path, stage=STAGE
        ) from exc
    if total == 0:
        raise DecodeError("empty file", path=path, stage=STAGE)
    return total


def parse_bytes(data: bytes, path: str, handlers: Handlers) -> int:
    """:func:`parse` over bytes already in memory."""
    return parse(io.BytesIO(data), path, handlers)


# ---- values as XML exports write them ----------------------------------------------------------------------------

_TIME = re.compile(
    r"\s*(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d+))?)?\s*(Z|[+-]\d\d(?::?\d\d)?)?\s*$"
)
EARLIEST = datetime(1980, 1, 1)
LATEST = datetime(2100, 1, 1)


def parse_time(text: str) -> tuple[datetime, int | None]:
    """A time as XML exports write it (``2024-01-02 07:30:00 +0100``, ``2024-01-02T06:30:00Z``,
    ``2024-01-02T07:30:00.250+01:00``, ``2024-01-02T07:30:00`` without a zone): the UTC time (naive) and the offset
    in seconds, None when the text gives none (the time is then the local wall time, returned as it is).

    Raises ValueError naming the text.
    """
    found = _TIME.match(text)
    if not found:
        raise ValueError(f"{text.strip()!r} is not a date and time like '2024-01-02 07:30:00 +0100'")
    year, month, day, hour, minute, second, fraction, zone = found.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        value = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0), micro)
    except ValueError as exc:
        raise ValueError(f"{text.strip()!r} is not a date ({exc})") from exc
    if not EARLIEST <= value < LATEST:
        raise ValueError(f"{text.strip()!r} is outside {EARLIEST.year}-{LATEST.year - 1}")
    if zone is None:
        return value, None
    offset = 0 if zone == "Z" else _offset_seconds(zone)
    return value - timedelta(seconds=offset), offset


def _offset_seconds(zone: str) -> int:
    digits = zone[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:4] or 0)
    return (-60 if zone[0] == "-" else 60) * minutes


def number(text: str | None) -> float | None:
    """A finite number, or None for a missing or blank value; ValueError for anything else."""
    if text is None or not text.strip():
        return None
    value = float(text)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{text!r} is not a finite number")
    if abs(value) > MAX_NUMBER:
        raise ValueError(f"{text!r} is beyond any reading ({MAX_NUMBER:g})")
    return value


def whole(text: str | None) -> int | None:
    """A count (a heart rate in bpm) as a whole number that fits a 32-bit column; ValueError beyond that."""
    value = number(text)
    if value is None:
        return None
    if abs(value) >= 2**31:
        raise ValueError(f"{text!r} is beyond any reading")
    return round(value)


M_PER = {"m": 1.0, "km": 1000.0, "cm": 0.01, "mi": 1609.344, "yd": 0.9144, "ft": 0.3048}
S_PER = {"s": 1.0, "sec": 1.0, "min": 60.0, "hr": 3600.0, "h": 3600.0, "d": 86400.0, "ms": 0.001}
KCAL_PER = {"kcal": 1.0, "Cal": 1.0, "cal": 0.001, "kJ": 1 / 4.184, "kj": 1 / 4.184, "J": 1 / 4184.0}


def in_unit(value: float | None, unit: str | None, table: dict[str, float], default: str, what: str) -> float | None:
    """``value`` written in ``unit`` (``default`` when the file names none) converted with ``table``; ValueError for
    a unit the table does not know (never guessed)."""
    if value is None:
        return None
    name = (unit or default).strip()
    factor = table.get(name)
    if factor is None:
        factor = table.get(name.lower())
    if factor is None:
        raise ValueError(f"{what} unit {name!r} is not one of {', '.join(table)}")
    return value * factor
