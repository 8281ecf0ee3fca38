"""Mechanics shared by the JSON export readers: bytes to a document under the caps, values to SI, times to UTC,
one record set aside as a :class:`~fitbalance.models.Rejected`. Nothing here knows an export.

Two kinds of failure, as in the CSV dialects:

- a record that cannot be read (no start, a value that is not a number) is set aside: a reader raises
  :class:`RecordRejected` (or lets a value parser's ``ValueError`` through) while :meth:`Records.parsed` reads it,
  and it becomes a quarantine row naming the file, which record (``exercise 3``, ``activity 18400007``), the reason
  and its values; every other record is read;
- a document that cannot be read at all (not JSON, over the cap, nested past the parser's depth) is a
  :class:`~fitbalance.errors.DecodeError` or :class:`~fitbalance.errors.LimitExceeded` naming the file.
"""

from __future__ import annotations

import codecs
import json
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

import polars as pl

from fitbalance.errors import DecodeError
from fitbalance.models import Rejected
from fitbalance.sources.limits import check_json_size

T = TypeVar("T")
STAGE = "decode"
PAYLOAD_CHARS = 4000  # a record's values kept in its quarantine row, at most (samples are summarised, not kept)
EARLIEST = datetime(1980, 1, 1)
LATEST = datetime(2100, 1, 1)
MAX_OFFSET_S = 14 * 3600


class RecordRejected(ValueError):
    """One record a reader cannot read; :meth:`Records.parsed` sets it aside with this reason and reads on."""


# ---- bytes -> document ---------------------------------------------------------------------------


def first_byte(head: bytes) -> bytes:
    """The first byte of a document that is not a byte-order mark or white space (``b""`` when none)."""
    if head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8) :]
    stripped = head.lstrip(b" \t\r\n")
    return stripped[:1]


_OPENING = re.compile(rb'\A(?:\xef\xbb\xbf)?\s*(?:\{\s*(?:"|\})|\[\s*(?:[\[\]{"\-0-9]|true|false|null))')


def looks_like_json(head: bytes) -> bool:
    """Whether the first bytes open a JSON object (``{"`` or ``{}``) or array (``[{``, ``[[``, ``["``, ``[1``...)."""
    return _OPENING.match(head) is not None


def load_document(data: bytes, path: str) -> Any:
    """The parsed document; ``NaN`` and ``Infinity`` (not JSON, but written by some tools) read as missing.

    Raises :class:`~fitbalance.errors.LimitExceeded` over :data:`~fitbalance.sources.limits.MAX_JSON_BYTES` and
    :class:`~fitbalance.errors.DecodeError` for anything that is not one JSON document.
    """
    check_json_size(data, path)
    if data.startswith(codecs.BOM_UTF8):
        encoding, body = "utf-8", data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding, body = "utf-16", data
    else:
        encoding, body = "utf-8", data
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as exc:
        raise DecodeError(f"not valid {encoding} text at byte {exc.start}: not a JSON file", path=path) from exc
    try:
        return json.loads(text, parse_constant=lambda _name: None)
    except json.JSONDecodeError as exc:
        raise DecodeError(
            f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}", path=path, stage=STAGE
        ) from exc
    except RecursionError as exc:
        raise DecodeError("JSON nested deeper than the parser allows: not an export", path=path) from exc
    except ValueError as exc:  # an integer of more digits than Python converts
        raise DecodeError(f"JSON value cannot be read: {exc}", path=path, stage=STAGE) from exc


# ---- shape -----------------------------------------------------------------------------------------


def first_record(doc: Any) -> dict[str, Any] | None:
    """The document's first object: itself, or the first object of its (possibly nested) top-level list."""
    node = doc
    for _ in range(3):
        if isinstance(node, dict):
            return node
        if not isinstance(node, list) or not node:
            return None
        node = next((item for item in node if isinstance(item, dict | list)), None)
    return node if isinstance(node, dict) else None


def shape_keys(record: Mapping[str, Any] | None) -> frozenset[str]:
    """A record's keys, and ``outer.inner`` for the keys of its object values: what a shape is told by."""
    if record is None:
        return frozenset()
    keys = set(record)
    for key, value in record.items():
        if isinstance(value, dict):
            keys.update(f"{key}.{inner}" for inner in value)
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            keys.update(f"{key}[].{inner}" for inner in value[0])
    return frozenset(keys)


def record_count(doc: Any) -> int:
    """How many records a document holds: the length of its list, or of its one list-valued field, else 1."""
    if isinstance(doc, list):
        if len(doc) == 1 and isinstance(doc[0], dict):
            lists = [v for v in doc[0].values() if isinstance(v, list)]
            if len(lists) == 1:
                return len(lists[0])
        return len(doc)
    if isinstance(doc, dict):
        lists = [v for v in doc.values() if isinstance(v, list)]
        return len(lists[0]) if len(lists) == 1 else 1
    return 0


# ---- values ----------------------------------------------------------------------------------------


def number(value: Any, what: str) -> float | None:
    """A finite number from a JSON number or numeric text; None when missing. Raises ValueError naming ``what``."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"{what} {value!r} is not a number")
    if isinstance(value, int | float):
        result = float(value)
    elif isinstance(value, str):
        try:
            result = float(value.strip().replace(",", "."))
        except ValueError as exc:
            raise ValueError(f"{what} {value!r} is not a number") from exc
    else:
        raise ValueError(f"{what} {value!r} is not a number")
    if not math.isfinite(result):
        raise ValueError(f"{what} {value!r} is not a finite number")
    return result


def scaled(value: Any, what: str, factor: float) -> float | None:
    """``number(value) * factor`` (ms to s, cm to m, g to kg, ...), None when missing."""
    found = number(value, what)
    return None if found is None else found * factor


_ISO_DURATION = re.compile(
    r"P(?:(?P<days>\d+(?:[.,]\d+)?)D)?(?:T(?:(?P<hours>\d+(?:[.,]\d+)?)H)?(?:(?P<minutes>\d+(?:[.,]\d+)?)M)?"
    r"(?:(?P<seconds>\d+(?:[.,]\d+)?)S)?)?"
)


def iso_duration(value: Any, what: str) -> float | None:
    """Seconds of an ISO 8601 duration as Polar writes it (``PT1H2M3.5S``, ``PT3217.925S``, ``P1DT2H``); a plain
    number is read as seconds. Raises ValueError naming ``what`` for anything else."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return number(value, what)
    text = str(value).strip().upper()
    match = _ISO_DURATION.fullmatch(text)
    if not match or text in ("P", "PT") or not any(match.groups()):
        raise ValueError(f"{what} {value!r} is not an ISO 8601 duration like 'PT1H2M3.5S'")
    parts = {k: float(v.replace(",", ".")) if v else 0.0 for k, v in match.groupdict().items()}
    return parts["days"] * 86400 + parts["hours"] * 3600 + parts["minutes"] * 60 + parts["seconds"]


def epoch_ms(value: Any, what: str) -> datetime:
    """A naive datetime from epoch milliseconds (UTC, or a local wall clock stored as if it were UTC)."""
    ms = number(value, what)
    if ms is None:
        raise ValueError(f"{what} is missing")
    try:
        moment = datetime(1970, 1, 1) + timedelta(milliseconds=ms)
    except OverflowError as exc:
        raise ValueError(f"{what} {value!r} is not a time") from exc
    return in_range(moment, what)


def in_range(moment: datetime, what: str) -> datetime:
    """``moment`` when it lies in the years a recorded workout can; ValueError naming ``what`` otherwise (a date
    only just out of range is left to validation, which says which rule it broke)."""
    if not datetime(1900, 1, 1) <= moment < datetime(2200, 1, 1):
        raise ValueError(f"{what} {moment.isoformat()} is not a plausible time")
    return moment


def iso_datetime(value: Any, what: str) -> tuple[datetime, int | None]:
    """A naive wall time and its offset in seconds (None when the text has none) from ISO 8601 text:
    ``2021-03-02T17:48:40.000``, ``2022-06-26T18:45:05.000-07:00``, ``...Z``, ``2024-01-01 10:00:00``."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} {value!r} is not a date and time")
    text = value.strip().replace("z", "Z")
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"{what} {value!r} is not an ISO 8601 date and time") from exc
    offset = parsed.utcoffset()
    wall = in_range(parsed.replace(tzinfo=None), what)
    return wall, None if offset is None else int(offset.total_seconds())


def as_utc(wall: datetime, offset_s: int) -> datetime:
    return wall - timedelta(seconds=offset_s)


def plausible_offset(offset_s: float | None) -> int | None:
    """An offset in whole minutes, None when missing or beyond +-14 h."""
    if offset_s is None or abs(offset_s) > MAX_OFFSET_S:
        return None
    return round(offset_s / 60.0) * 60


def text(value: Any) -> str | None:
    """A stripped string, None for missing or empty (numbers become their text)."""
    if value is None or isinstance(value, dict | list):
        return None
    found = str(value).strip()
    return found or None


# ---- records -> frames -----------------------------------------------------------------------------


def payload(record: Any) -> str:
    """A record's values as JSON for its quarantine row; long lists (samples) are summarised as their length."""

    def trimmed(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: trimmed(v) for k, v in value.items()}
        if isinstance(value, list):
            return value if len(value) <= 20 else f"<{len(value)} items>"
        return value

    try:
        written = json.dumps(trimmed(record), ensure_ascii=False, default=str)
    except (RecursionError, ValueError):  # nested as deep as the parser allowed: kept as its type only
        written = json.dumps(f"<{type(record).__name__} nested too deeply to keep>")
    return written if len(written) <= PAYLOAD_CHARS else written[: PAYLOAD_CHARS - 3] + "..."


@dataclass
class Records:
    """The records of one document being read, and those set aside (in document order)."""

    path: str
    rejected: list[Rejected] = field(default_factory=list)

    def set_aside(self, where: str, reason: str, record: Any, table: str = "activities", rows: int = 1) -> None:
        self.rejected.append(Rejected(f"{where}: {reason}", payload=payload(record), table=table, rows=rows))

    def parsed(
        self, items: Sequence[tuple[str, Any]], parse: Callable[[Any], T], table: str = "activities"
    ) -> Iterator[tuple[Any, T]]:
        """``(record, parse(record))`` for every ``(where, record)`` that ``parse`` can read; the others are set
        aside with the reason."""
        for where, record in items:
            try:
                yield record, parse(record)
            except (RecordRejected, ValueError, TypeError, OverflowError) as exc:
                self.set_aside(where, str(exc), record, table)

    def error(self, reason: str) -> DecodeError:
        return DecodeError(reason, path=self.path, stage=STAGE)


def frame(rows: Sequence[Mapping[str, Any]], schema: Mapping[str, pl.DataType]) -> pl.DataFrame:
    """A frame with exactly ``schema``'s columns from row dicts (absent keys are null)."""
    return pl.from_dicts(list(rows), schema=dict(schema)) if rows else pl.DataFrame(schema=dict(schema))
