"""CSV exports of watches and lifting apps: one seam, one small module per dialect.

:func:`read_csv` decodes the bytes (UTF-8 with or without BOM, UTF-16 with BOM, else cp1252/latin-1; any
newline; ``,`` ``;`` or tab), finds the header (older exports put a title line before it), asks each dialect's
``detect(header, text)`` in :data:`DIALECTS` order and lets the first that says yes ``read(sheet, options)``
it.

A dialect module has ``NAME``, ``SETTINGS`` (the unit settings it may read, for exports that do not say their
units), ``detect(header: list[str], text: str) -> bool`` and ``read(sheet: helpers.Sheet, options:
helpers.Options) -> Decoded``. Adding a dialect is one module here, one line in
:data:`DIALECTS` and its test.

What comes back: a :class:`~fitbalance.models.Decoded` with ``source_format`` ``"csv:<dialect>"``; activities
and sets in the raw contracts, SI units, each row with the line it was read from (``source_line``), times in UTC
with ``utc_offset_s`` filled from the athlete's ``time_zone`` (UTC when none is set). CSV exports carry no zone, so
this placement is provisional: the store places such activities again by the athlete's FIT files
(:mod:`fitbalance.offsets`). Strava's times are UTC and only the offset is placed; FitNotes gives dates only, and
its workouts start at local noon; a time with its own offset (Health Auto Export) is marked
``utc_offset_source = "row"`` and never moved.

A value whose unit the file does not prove (Strong's weights, Garmin's distances, without the athlete's
``weight_unit`` / ``distance_unit``) costs that field only: the dialect keeps its cell as written
(:meth:`helpers.Sheet.wait`), the field loads as null, and ``Decoded.waiting`` names it for the ``repairs`` table
(rule ``unit_unknown``) until the setting fills it in. A recognised export that holds no activities (daily
totals, body mass, sleep: :mod:`.no_activities`; a file of totals over time told by its shape: :mod:`.daily_totals`;
a header-only file) gives ``file_type="no_activities"`` and a
``detail`` naming its kind.

A row a dialect cannot read is set aside, not the file: ``Decoded.rejected`` holds one
:class:`~fitbalance.models.Rejected` per such row (its line, the reason, its values as JSON), and every other row is
read. Errors, for a file that cannot be read at all: :class:`~fitbalance.errors.UnknownFormatError` naming the
dialects tried, or :class:`~fitbalance.errors.DecodeError` saying what was wrong (also when no row at all could be
read). Nothing else escapes.
"""

from __future__ import annotations

import csv as _stdlib_csv
from dataclasses import replace
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl

from fitbalance.errors import ConfigError, DecodeError, UnknownFormatError
from fitbalance.models import Decoded, SourceRef, Waiting
from fitbalance.sources.csv import (
    apple_health,
    daily_totals,
    fitnotes,
    garmin,
    hevy,
    mi_fitness,
    mifit,
    no_activities,
    polar,
    samsung_health,
    strava,
    strong,
    wahoo,
    whoop,
)
from fitbalance.sources.csv.helpers import (
    DELIMITERS,
    OPTION_DISTANCE_UNITS,
    OPTION_WEIGHT_UNITS,
    STAGE,
    Options,
    Sheet,
    Units,
    decode_text,
    parse_records,
)

__all__ = ["DIALECTS", "Units", "looks_like_csv", "read_csv", "settings_read_by"]

HEADER_SEARCH = 6  # records looked at for a header: older Garmin exports put a title line first


class Dialect(Protocol):
    NAME: str
    ROWS: str  # the table one body row goes to: where a row set aside is counted
    SETTINGS: tuple[str, ...]

    def detect(self, header: list[str], text: str) -> bool: ...

    def read(self, sheet: Sheet, options: Options) -> Decoded: ...


DIALECTS: tuple[Dialect, ...] = (
    hevy,
    strong,
    fitnotes,
    strava,
    garmin,
    apple_health,
    polar,
    wahoo,
    samsung_health,
    whoop,
    mifit,
    mi_fitness,
    no_activities,
    daily_totals,  # last: told by shape, for the files of totals no layout above names
)


def settings_read_by(source_format: str) -> tuple[str, ...]:
    """The unit settings a CSV of ``source_format`` (``csv:strong``) may be read with; every dialect's for a CSV whose
    dialect is not known (``csv``: a file no dialect could read)."""
    dialect = source_format.removeprefix("csv:")
    found = [d.SETTINGS for d in DIALECTS if dialect == d.NAME or source_format == "csv"]
    return tuple(dict.fromkeys(name for names in found for name in names))


def read_csv(
    data: bytes,
    path: str,
    time_zone: str | None,
    *,
    units: str | None = None,
    weight_unit: str | None = None,
    distance_unit: str | None = None,
    place: SourceRef | None = None,
) -> Decoded:
    """Decode one CSV export.

    ``time_zone`` (IANA) is the athlete's zone for the local times CSV files carry (None: not set, UTC for now).
    The units the exporting
    app was set to are needed only for files that do not say them (Strong's current layout; Garmin when the
    file gives no way to infer them; Strava rows lacking the metric distance): ``weight_unit`` ``"kg"`` or
    ``"lbs"``, ``distance_unit`` ``"km"`` or ``"mi"``, or ``units`` ``"metric"``/``"imperial"`` as shorthand
    for both (the specific ones win). Without them such a file is refused with a reason naming the setting,
    never guessed. ``place`` is where the file is (None for bytes with no place): a dialect whose rows name files
    beside it reads them from there (Samsung Health's ``jsons/``).
    """
    try:
        zone = ZoneInfo(time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"unknown IANA time zone {time_zone!r}", path=path, stage=STAGE) from exc
    options = replace(_options(zone, units, weight_unit, distance_unit, path), place=place)
    text = decode_text(data, path)
    records = parse_records(text, path)
    if not records:
        raise DecodeError("empty CSV: no records", path=path, stage=STAGE)
    for dialect in DIALECTS:
        for at, record in enumerate(records[:HEADER_SEARCH]):
            header = [c.strip() for c in record.cells]
            if dialect.detect(header, text):
                sheet = Sheet(path=path, records=records, header_at=at, table=dialect.ROWS)
                try:
                    decoded = dialect.read(sheet, options)
                except (ValueError, OverflowError, pl.exceptions.PolarsError) as exc:
                    raise DecodeError(
                        f"{dialect.NAME} export could not be read: {exc}", path=path, stage=STAGE
                    ) from exc
                return _with_waiting(_with_rejected(decoded, sheet), sheet)
    tried = ", ".join(d.NAME for d in DIALECTS)
    first = ",".join(c.strip() for c in records[0].cells)
    excerpt = first if len(first) <= 80 else first[:77] + "..."
    raise UnknownFormatError(
        f"CSV matches no known export (tried: {tried}); header starts {excerpt!r}", path=path, stage=STAGE
    )


def _with_rejected(decoded: Decoded, sheet: Sheet) -> Decoded:
    """The rows the dialect set aside, on the Decoded; a file none of whose rows could be read is refused whole."""
    if not sheet.rejected:
        return decoded
    if decoded.activities.height == 0:
        raise DecodeError(
            f"no row could be read ({len(sheet.rejected)} set aside), the first: {sheet.rejected[0].reason}",
            path=sheet.path,
            stage=STAGE,
        )
    return replace(decoded, rejected=decoded.rejected + tuple(sheet.rejected))


def _with_waiting(decoded: Decoded, sheet: Sheet) -> Decoded:
    """The values the dialect kept as written for want of a unit (:meth:`Sheet.wait`), each with the activity its
    row went to; a value whose row was set aside after all has its row's quarantine entry instead."""
    if not sheet.waiting:
        return decoded
    frames = {"activities": decoded.activities, "strength_sets": decoded.sets}
    sessions = {
        table: dict(frame.select("source_line", "session_index").iter_rows()) for table, frame in frames.items()
    }
    waiting = tuple(
        Waiting(sessions[table][line], table, column, cell, line)
        for line, table, column, cell in sheet.waiting
        if line in sessions.get(table, {})
    )
    return replace(decoded, waiting=decoded.waiting + waiting)


def _options(zone: ZoneInfo, units: str | None, weight: str | None, distance: str | None, path: str) -> Options:
    try:
        system = Units(units) if units is not None else None
    except ValueError as exc:
        raise ConfigError(f"units must be 'metric' or 'imperial', got {units!r}", path=path, stage=STAGE) from exc
    weight = weight or (system.weight_unit if system else None)
    distance = distance or (system.distance_unit if system else None)
    if weight is not None and weight not in OPTION_WEIGHT_UNITS:
        raise ConfigError(f"weight unit must be one of {OPTION_WEIGHT_UNITS}, got {weight!r}", path=path, stage=STAGE)
    if distance is not None and distance not in OPTION_DISTANCE_UNITS:
        raise ConfigError(
            f"distance unit must be one of {OPTION_DISTANCE_UNITS}, got {distance!r}", path=path, stage=STAGE
        )
    return Options(zone=zone, weight_unit=weight, distance_unit=distance)


def looks_like_csv(data: bytes) -> bool:
    """Whether bytes look like delimited text: no binary content, and a line that splits into fields."""
    head = data[:65536]
    try:
        text = decode_text(head, "<sniff>")
    except DecodeError:
        return False
    if not text.strip() or sum(not (c.isprintable() or c in "\r\n\t") for c in text) > len(text) // 100:
        return False
    lines = [line for line in text.splitlines()[: HEADER_SEARCH + 4] if line.strip()]
    for delimiter in DELIMITERS:
        for line in lines:
            try:
                if len(next(_stdlib_csv.reader([line], delimiter=delimiter), [])) > 1:
                    return True
            except _stdlib_csv.Error:
                continue
    return False
