"""Mechanics shared by the CSV dialects: bytes to text to records, cells to SI values, local time to UTC.

Nothing here knows a dialect. Two kinds of failure:

- a row that cannot be read (a cell that is not a number or a date, absurd reps, the wrong number of fields) is
  set aside: a dialect raises :class:`RowRejected` (or lets a ``ValueError`` of a cell parser through) while
  :meth:`Sheet.parsed` reads that row, and the row becomes a :class:`~fitbalance.models.Rejected` naming its line,
  the reason and its values; every other row is read;
- a file that cannot be read at all is a :class:`~fitbalance.errors.DecodeError` naming the file (and the line,
  when one line decides it), built with :meth:`Sheet.error`.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, NamedTuple, TypeVar
from zoneinfo import ZoneInfo

import polars as pl

from fitbalance.errors import DecodeError, SettingRequired
from fitbalance.exercises import is_session_rating
from fitbalance.models import RAW_ACTIVITY_SCHEMA, RAW_SET_SCHEMA, Rejected, SetType, SourceRef

T = TypeVar("T")

DELIMITERS = (",", ";", "\t")
MISSING = frozenset({"", "-", "--", "---", "--:--", "--:--:--", "n/a", "na", "nan", "null", "none", "—"})
EARLIEST = datetime(1980, 1, 1)
LATEST = datetime(2100, 1, 1)
STAGE = "decode"
MAX_REPS = 10_000  # more repetitions than that in one set is a broken cell, not a set
RATING_MAX = 10  # a session rating's scale is 0-10 (RPE, the apps' intensity)


class Units(StrEnum):
    """A unit system, shorthand for a weight unit and a distance unit (metric: kg, km; imperial: lbs, mi)."""

    METRIC = "metric"
    IMPERIAL = "imperial"

    @property
    def weight_unit(self) -> str:
        return "kg" if self is Units.METRIC else "lbs"

    @property
    def distance_unit(self) -> str:
        return "km" if self is Units.METRIC else "mi"


KG_PER_LB = 0.45359237
M_PER_MILE = 1609.344
M_PER_YARD = 0.9144
M_PER_FOOT = 0.3048

WEIGHT_UNITS: dict[str, float] = {"kg": 1.0, "kgs": 1.0, "lb": KG_PER_LB, "lbs": KG_PER_LB}
DISTANCE_UNITS: dict[str, float] = {
    "m": 1.0,
    "km": 1000.0,
    "mi": M_PER_MILE,
    "mile": M_PER_MILE,
    "miles": M_PER_MILE,
    "yd": M_PER_YARD,
    "yds": M_PER_YARD,
    "ft": M_PER_FOOT,
}


class Record(NamedTuple):
    """One CSV record: the line it starts on (1-based) and its cells."""

    line: int
    cells: tuple[str, ...]

    def get(self, index: int | None) -> str:
        """The stripped cell at ``index``; ``""`` when the column is absent or the record is short."""
        if index is None or index >= len(self.cells):
            return ""
        return self.cells[index].strip()


class RowRejected(ValueError):
    """One row a dialect cannot read; :meth:`Sheet.parsed` sets it aside with this reason and reads on."""


@dataclass(frozen=True)
class Sheet:
    """A decoded CSV: its non-blank records, which of them is the header the dialect recognised, and the rows set
    aside while it was read (:meth:`parsed`, :meth:`rows`), in file order."""

    path: str
    records: tuple[Record, ...]
    header_at: int = 0
    table: str = "activities"  # the table a body row goes to (a row set aside is counted there)
    rejected: list[Rejected] = field(default_factory=list, compare=False)
    waiting: list[tuple[int, str, str, str]] = field(default_factory=list, compare=False)  # line, table, column, cell

    @property
    def header(self) -> tuple[str, ...]:
        return tuple(c.strip() for c in self.records[self.header_at].cells)

    @property
    def body(self) -> tuple[Record, ...]:
        return self.records[self.header_at + 1 :]

    def error(self, reason: str, line: int | None = None) -> DecodeError:
        """The error for a file that cannot be read at all (a row that cannot be read is set aside instead)."""
        where = f"line {line}: " if line is not None else ""
        return DecodeError(f"{where}{reason}", path=self.path, stage=STAGE)

    def needs_setting(self, reason: str, line: int | None = None) -> SettingRequired:
        """The error for a file that cannot be read until the athlete sets a unit (never guessed)."""
        where = f"line {line}: " if line is not None else ""
        return SettingRequired(f"{where}{reason}", path=self.path)

    def columns(self) -> Columns:
        return Columns(self.header)

    def wait(self, record: Record, column: str, cell: str, table: str | None = None) -> None:
        """Keep the value of ``record``'s ``cell`` as written: its unit is not proved by the file, so the field
        (``table``, else the sheet's, and ``column``) loads as null and waits for the athlete's unit setting (see
        :class:`~fitbalance.models.Waiting`); the rest of the row loads."""
        self.waiting.append((record.line, table or self.table, column, cell.strip()))

    def set_aside(
        self, record: Record, reason: str, header: Sequence[str] | None = None, table: str | None = None
    ) -> None:
        """Record ``record`` as rejected: its line, ``reason``, its cells by column name (JSON), and the table it
        would have gone to (``table``, else the sheet's)."""
        names = list(self.header if header is None else header)
        values: dict[str, str] = {}
        for index, cell in enumerate(record.cells):
            name = names[index] if index < len(names) and names[index] else f"column {index + 1}"
            values[name if name not in values else f"{name} ({index + 1})"] = cell
        payload = json.dumps({"line": record.line, "values": values}, ensure_ascii=False)
        self.rejected.append(
            Rejected(f"line {record.line}: {reason}", line=record.line, payload=payload, table=table or self.table)
        )

    def rows(
        self, width: int | None = None, records: Sequence[Record] | None = None, table: str | None = None
    ) -> Iterator[Record]:
        """Body records (or ``records``) of the header's width (or ``width``); extra empty cells are tolerated.

        A record with fewer fields, or with more that are not empty (an unquoted delimiter), is set aside.
        """
        expected = len(self.header) if width is None else width
        for record in self.body if records is None else records:
            n = len(record.cells)
            if n < expected:
                reason = f"{n} fields where the header has {expected} (truncated or malformed row)"
                self.set_aside(record, reason, table=table)
            elif n > expected and any(c.strip() for c in record.cells[expected:]):
                self.set_aside(record, f"{n} fields where the header has {expected} (unquoted delimiter?)", table=table)
            else:
                yield record

    def parsed(
        self,
        parse: Callable[[Record], T],
        *,
        records: Sequence[Record] | None = None,
        header: Sequence[str] | None = None,
        table: str | None = None,
    ) -> list[tuple[Record, T]]:
        """``parse`` of every well-formed body record (or of ``records``, whose header is ``header``, and whose rows
        go to ``table`` when not the sheet's).

        A record ``parse`` cannot read (it raises :class:`RowRejected` or a cell parser's ``ValueError``) is set
        aside with the reason; errors about the file as a whole (a missing unit setting) go on up.
        """
        width = None if header is None else len(header)
        out: list[tuple[Record, T]] = []
        for record in self.rows(width, records, table):
            try:
                out.append((record, parse(record)))
            except (ValueError, OverflowError) as exc:
                self.set_aside(record, str(exc), header, table)
        return out


def norm_header(name: str) -> str:
    """A header name compared case-, width- and spacing-insensitively (``"Avg  HR"`` == ``"avg hr"``)."""
    text = unicodedata.normalize("NFKC", name).replace("®", "").replace("\ufeff", "")
    return " ".join(text.casefold().split())


class Columns:
    """Header names to column indices, keeping every index of a name that occurs more than once."""

    def __init__(self, header: Sequence[str]) -> None:
        self.names = tuple(norm_header(name) for name in header)  # compared form, in file order
        self._index: dict[str, list[int]] = {}
        for i, name in enumerate(self.names):
            self._index.setdefault(name, []).append(i)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and norm_header(name) in self._index

    def find(self, *names: str) -> int | None:
        """The first column named by any of ``names`` (tried in order), or None."""
        for name in names:
            hits = self._index.get(norm_header(name))
            if hits:
                return hits[0]
        return None

    def every(self, name: str) -> list[int]:
        """Every column with this name, in file order (Strava repeats several)."""
        return list(self._index.get(norm_header(name), []))

    def has_all(self, *names: str) -> bool:
        return all(norm_header(n) in self._index for n in names)


@dataclass(frozen=True)
class Options:
    """What a dialect needs beyond the file: the athlete's zone and, for files that do not say, the app's
    units.

    ``weight_unit`` is ``"kg"`` or ``"lbs"``, ``distance_unit`` ``"km"`` or ``"mi"``; None means not known,
    and a dialect that needs one then refuses the file with a reason naming the setting (never a silent
    guess).
    """

    zone: ZoneInfo
    weight_unit: str | None = None
    distance_unit: str | None = None
    place: SourceRef | None = None  # where the file is, for a dialect that reads the files it names (Samsung Health)


# ---- bytes -> text -> records --------------------------------------------------------------------


def decode_text(data: bytes, path: str) -> str:
    """Bytes to text: UTF-8 (BOM or not), UTF-16 with a BOM (or plainly UTF-16 without one), else
    cp1252/latin-1.

    Newlines are left to the csv module (CRLF, LF and CR all work). Raises DecodeError for binary content.
    """
    if data.startswith(codecs.BOM_UTF8):
        text = _decode(data[len(codecs.BOM_UTF8) :], "utf-8", path)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _decode(data, "utf-16", path)
    elif _looks_utf16(data):
        text = _decode(data, "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be", path)
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                text = data.decode("latin-1")
    if "\x00" in text:
        raise DecodeError("binary content (NUL bytes): not a CSV file", path=path, stage=STAGE)
    return text


def _decode(data: bytes, encoding: str, path: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise DecodeError(f"invalid {encoding} text at byte {exc.start}", path=path, stage=STAGE) from exc


def _looks_utf16(data: bytes) -> bool:
    """UTF-16 text without a BOM: ASCII-range text with every other byte NUL."""
    head = data[:400]
    if len(head) < 8 or len(head) % 2:
        return False
    even, odd = head[0::2], head[1::2]
    return (odd.count(0) > 0.9 * len(odd) and even.count(0) == 0) or (
        even.count(0) > 0.9 * len(even) and odd.count(0) == 0
    )


def sniff_delimiter(text: str) -> str:
    """``,`` ``;`` or tab: whichever splits the first multi-field line of the file into the most fields."""
    lines = [line for line in text.splitlines()[:12] if line.strip()]
    best, best_fields = ",", 1
    for delimiter in DELIMITERS:
        for line in lines:
            try:
                fields = next(csv.reader([line], delimiter=delimiter), [])
            except csv.Error:
                continue
            if len(fields) > 1:
                if len(fields) > best_fields:
                    best, best_fields = delimiter, len(fields)
                break
    return best


def parse_records(text: str, path: str) -> tuple[Record, ...]:
    """The file's non-blank records with the line each starts on."""
    delimiter = sniff_delimiter(text)
    csv.field_size_limit(max(csv.field_size_limit(), len(text)))  # one cell may hold a workout's samples (Samsung)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[Record] = []
    line = 1
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                records.append(Record(line, tuple(cells)))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise DecodeError(f"line {line}: not valid CSV ({exc})", path=path, stage=STAGE) from exc
    return tuple(records)


# ---- cells -> values -----------------------------------------------------------------------------

_PLAIN = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_COMMA_DECIMAL = re.compile(r"-?(\d+,\d{1,2}|\d+,\d{4,}|\d{1,3}(\.\d{3})+,\d+)")
_POINT_DECIMAL = re.compile(r"-?(\d+\.\d{1,2}|\d+\.\d{4,}|\d{1,3}(,\d{3})+\.\d+)")


def is_missing(text: str) -> bool:
    return text.strip().casefold() in MISSING


def decimal_comma(cells: Iterable[str]) -> bool:
    """Whether numbers in these cells use a decimal comma (``"5,25"``) rather than a point (``"5.25"``).

    Decided by the cells that can only be read one way; ``"6,234"`` alone is read as six thousand.
    """
    comma = point = 0
    for cell in cells:
        text = cell.strip().replace("\u00a0", "").replace(" ", "")
        if ":" in text:
            continue
        if _COMMA_DECIMAL.fullmatch(text):
            comma += 1
        elif _POINT_DECIMAL.fullmatch(text):
            point += 1
    return comma > point


def number(text: str, *, comma_decimal: bool = False) -> float | None:
    """A number as apps write it: ``--`` missing, ``"6,234"`` thousands, ``"5,25"`` when ``comma_decimal``.

    Raises ValueError (with the text) when the cell is not a number; dialects turn that into a line error.
    """
    raw = text.strip()
    if is_missing(raw):
        return None
    compact = raw.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("'", "")
    compact = compact.replace(".", "").replace(",", ".") if comma_decimal else compact.replace(",", "")
    if not _PLAIN.fullmatch(compact):
        raise ValueError(f"{raw!r} is not a number")
    value = float(compact)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{raw!r} is not a finite number")
    return value


def repetitions(reps: float | None) -> int | None:
    """``reps`` as a count; a negative, fractional or absurd number rejects the row."""
    if reps is None:
        return None
    if reps > MAX_REPS:
        raise RowRejected(f"reps {reps:g} is more than {MAX_REPS:,}: not a set")
    if reps < 0 or reps != int(reps):
        raise RowRejected(f"reps {reps:g} is not a whole number of repetitions")
    return int(reps)


_HMS = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:[.,]\d+)?)")
_UNITS_DURATION = re.compile(r"(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?\s*(?:(\d+(?:[.,]\d+)?)\s*s)?", re.IGNORECASE)


def duration(text: str) -> float | None:
    """Seconds from ``01:02:03``, ``1:02:03.5``, ``02:03`` (m:s), ``30:00,75``, ``1h 5m``, ``41m``, ``95``."""
    raw = text.strip()
    if is_missing(raw):
        return None
    match = _HMS.fullmatch(raw)
    if match:
        hours, minutes, seconds = match.groups()
        return int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds.replace(",", "."))
    match = _UNITS_DURATION.fullmatch(raw)
    if match and any(match.groups()):
        hours, minutes, seconds = match.groups()
        return int(hours or 0) * 3600 + int(minutes or 0) * 60 + float((seconds or "0").replace(",", "."))
    if _PLAIN.fullmatch(raw):
        return float(raw)
    raise ValueError(f"{raw!r} is not a duration")


def local_datetime(text: str, formats: Sequence[str]) -> datetime:
    """The first of ``formats`` that reads ``text`` (narrow and no-break spaces count as spaces)."""
    raw = " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())
    for fmt in formats:
        try:
            value = datetime.strptime(raw, fmt)
        except ValueError:
            continue
        if not EARLIEST <= value.replace(tzinfo=None) < LATEST:
            raise ValueError(f"{text.strip()!r} is outside {EARLIEST.year}-{LATEST.year - 1}")
        return value
    raise ValueError(
        f"{text.strip()!r} is not a date and time like {datetime(2024, 3, 5, 18, 4).strftime(formats[0])!r}"
    )


_WORD = r"([^\W\d_]+)\.?"
_CLOCK = r"(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?\s*([AaPp])?\.?\s*[Mm]?\.?"
_DAY_MONTH_YEAR = re.compile(rf"(\d{{1,2}})\.?\s+{_WORD},?\s+(\d{{4}}),?\s+(?:klo\s+|um\s+|à\s+)?{_CLOCK}$")
_MONTH_DAY_YEAR = re.compile(rf"{_WORD}\s+(\d{{1,2}}),?\s+(\d{{4}}),?\s+{_CLOCK}$")


def named_month_datetime(text: str, months: Mapping[str, int]) -> datetime:
    """A local time written with a month name in any language: ``Fr, 25 Mai 2012 20:31``, ``Fri, May 25, 2012 8:31
    PM``, ``pe 25. toukokuuta 2012 20.31``. ``months`` maps :func:`fold_key` of month names to 1..12; a leading
    weekday is ignored. Raises ValueError naming the text when it is not such a time.
    """
    raw = " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())
    head, _, rest = raw.partition(",")
    if rest and head.replace(".", "").isalpha():  # "Fr, 25 Mai ...": drop the weekday
        raw = rest.strip()
    found = _DAY_MONTH_YEAR.search(raw)
    if found:
        day, month_name, year, hour, minute, second, half = found.groups()
    else:
        found = _MONTH_DAY_YEAR.search(raw)
        if not found:
            raise ValueError(f"{text.strip()!r} is not a date and time like 'Fr, 25 Mai 2012 20:31'")
        month_name, day, year, hour, minute, second, half = found.groups()
    month = months.get(fold_key(month_name))
    if month is None:
        raise ValueError(f"{text.strip()!r}: {month_name!r} is not a month name")
    clock = int(hour) % 12 + (12 if half in ("P", "p") else 0) if half else int(hour)
    try:
        value = datetime(int(year), month, int(day), clock, int(minute), int(second or 0))
    except ValueError as exc:
        raise ValueError(f"{text.strip()!r} is not a date ({exc})") from exc
    if not EARLIEST <= value < LATEST:
        raise ValueError(f"{text.strip()!r} is outside {EARLIEST.year}-{LATEST.year - 1}")
    return value


def local_to_utc(local: datetime, zone: ZoneInfo) -> tuple[datetime, int]:
    """A naive local wall time in ``zone`` as naive UTC and the offset in seconds (ambiguous: the first)."""
    offset = local.replace(tzinfo=zone).utcoffset() or timedelta(0)
    return local - offset, int(offset.total_seconds())


def utc_offset(utc: datetime, zone: ZoneInfo) -> int:
    """The offset of ``zone`` at the naive UTC instant ``utc``, in seconds."""
    offset = utc.replace(tzinfo=UTC).astimezone(zone).utcoffset() or timedelta(0)
    return int(offset.total_seconds())


def fold_key(text: str) -> str:
    """A name without case, accents, spaces or punctuation: ``"Weight Training"`` == ``"WeightTraining"``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if c.isalnum())


def lookup_sport(type_name: str, table: Mapping[str, tuple[str, str]]) -> tuple[str, str] | None:
    """FIT (sport, sub_sport) for an app's activity type name, via ``table`` keyed by :func:`fold_key`."""
    return table.get(fold_key(type_name))


def fold_table(table: Mapping[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    return {fold_key(k): v for k, v in table.items()}


# ---- values -> frames ----------------------------------------------------------------------------


def frame(rows: Sequence[Mapping[str, Any]], schema: Mapping[str, pl.DataType]) -> pl.DataFrame:
    """A frame with exactly ``schema``'s columns from row dicts (absent keys are null)."""
    return pl.from_dicts(list(rows), schema=dict(schema)) if rows else pl.DataFrame(schema=dict(schema))


# ---- lifting apps: sets grouped into workouts ----------------------------------------------------


@dataclass
class Workout:
    """One workout of a lifting app while its rows are read: local start, the app's sets in file order (each with
    its ``source_line``).

    ``sub_sport`` set by the dialect wins over :func:`workout_frames`' own rule (an app that says which rows are
    cardio knows better); ``distance_m`` is the workout's total distance where the app gives one.
    """

    name: str | None
    start: datetime
    elapsed_s: float | None = None
    sets: list[dict[str, Any]] | None = None
    source_ref: str | None = None
    sub_sport: str | None = None
    distance_m: float | None = None

    def add(self, row: dict[str, Any]) -> None:
        if self.sets is None:
            self.sets = []
        self.sets.append(row)


def workout_frames(workouts: Sequence[Workout], zone: ZoneInfo) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Activities and sets frames (raw contracts) for workouts, one session per workout in the given order.

    A workout is strength training unless none of its sets has reps and some has a distance (a run logged in a
    lifting app), which makes it cardio training, or the workout's own ``sub_sport`` says otherwise. Sets are
    numbered 0.. within the workout; a workout's ``source_line`` is its first set's. A row that rates the session
    rather than lifts (:func:`session_ratings`) stays a row, of type ``rating``, and its number is the workout's
    ``rpe``.
    """
    activities: list[dict[str, Any]] = []
    sets: list[dict[str, Any]] = []
    for index, workout in enumerate(workouts):
        start_utc, offset = local_to_utc(workout.start, zone)
        rows, rpe = session_ratings(workout.sets or [])
        cardio_only = not any(r.get("reps") is not None for r in rows) and any(r.get("distance_m") for r in rows)
        sub_sport = workout.sub_sport or ("cardio_training" if cardio_only else "strength_training")
        activities.append(
            {
                "session_index": index,
                "sport": "training",
                "sub_sport": sub_sport,
                "name": workout.name,
                "start_time_utc": start_utc,
                "utc_offset_s": offset,
                "elapsed_s": workout.elapsed_s,
                "distance_m": workout.distance_m,
                "rpe": rpe,
                "source_line": min((r["source_line"] for r in rows if r.get("source_line")), default=None),
                "source_ref": workout.source_ref or workout.start.isoformat(),
            }
        )
        for set_index, row in enumerate(rows):
            sets.append({**row, "session_index": index, "set_index": set_index})
    return frame(activities, RAW_ACTIVITY_SCHEMA), frame(sets, RAW_SET_SCHEMA)


def session_ratings(rows: Sequence[dict[str, Any]]) -> tuple[list[dict[str, Any]], float | None]:
    """A workout's rows with those that rate the session marked ``rating``, and the rating (the first on the scale).

    Lifting apps let a user add any exercise, and some log how hard the session was as one: ``Intensity`` with 7
    in the reps column and nothing else. A row is such a rating when its name is one
    (:func:`fitbalance.exercises.is_session_rating`: intensity, session RPE, effort, difficulty ... in the apps'
    languages) and it carries one number, the reps (else the RPE), with no load, distance or time. It is no set of
    an exercise, so it is never counted nor listed as unmapped; the row is kept as read. Its number is the
    session's rating when it lies on the 0-10 scale (an 11 is kept in the row only).
    """
    out: list[dict[str, Any]] = []
    rating: float | None = None
    for row in rows:
        value = row.get("reps") if row.get("reps") is not None else row.get("rpe")
        if (
            row.get("set_type") != SetType.REST.value
            and is_session_rating(row.get("exercise_name"))
            and value is not None
            and not row.get("weight_kg")
            and not row.get("distance_m")
            and not row.get("duration_s")
        ):
            row = {**row, "set_type": SetType.RATING.value, "weight_kg": None}
            if rating is None and 0 <= value <= RATING_MAX:
                rating = float(value)
        out.append(row)
    return out, rating


OPTION_WEIGHT_UNITS = ("kg", "lbs")
OPTION_DISTANCE_UNITS = ("km", "mi")
