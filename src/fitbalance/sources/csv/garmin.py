"""Garmin Connect ``Activities.csv``: one row per activity, in the account's UI language.

Garmin writes the header and the activity type names in the UI language: English, German, French, Spanish,
Italian, Dutch, Swedish, Danish, Norwegian and Finnish are known here, as data: the column names in
``garmin_columns.toml``, Connect's whole activity-type list in ``garmin_types.toml`` (each type with its FIT
sport/sub_sport and its names in every language). ``--`` marks a missing value; numbers come with quoted thousands
(``"6,234"``) or decimal commas (``"5,25"``), durations like ``01:02:03`` or ``01:02:03.5``. Times are local wall
times without a zone: the athlete's zone applies.

Two layouts are read:

- the current export: ``Activity Type, Date, ...`` with ISO-like dates (``2024-03-05 18:04:00``); older copies of it
  put a title line and a blank line before the header;
- the older Connect export: a title line (``Aktivitäten von NAME``, ``Activities of NAME``), a blank line, then a
  header with the activity type and a ``Start`` column holding ``Fr, 25 Mai 2012 20:31`` (weekday, day, month name
  in the UI language, year, time), decimal commas in German and the other comma languages.

Distances are in km or miles as the account was set, which the file does not say, except for swims: pool and open
water swims carry metres (yards with statute units), so ``2,025`` on a pool swim is 2,025 m, not km. A swim value
with a fraction below 100 (``1.52``) is a km or mile value. The unit is the ``distance_unit`` option when given;
otherwise it is inferred from rows that carry stride length with steps or cadence (stride length is in metres:
stride x steps over the distance is about 1,000 for km and 1,609 for miles), in every language, or from an average
pace or speed whose header or cells name the unit (``Avg Pace (min/km)``, ``12,3 km/h``) when distance over time
agrees with it, and a warning says so. A pace or speed that names no unit proves nothing: Connect writes it in the
distance's own unit, whichever that is. When the file proves neither, its activities load all the same and each
distance is kept as written, loaded as null until ``distance_unit`` is set (:meth:`Sheet.wait`, a ``repairs`` row
``unit_unknown``).

A row that cannot be read (a bad date or number, the wrong number of fields) is set aside with its line; the rest
is read.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from importlib import resources
from typing import Any

from fitbalance.errors import ConfigError
from fitbalance.models import RAW_ACTIVITY_SCHEMA, Decoded
from fitbalance.sources.csv.helpers import (
    M_PER_MILE,
    M_PER_YARD,
    Columns,
    Options,
    Record,
    RowRejected,
    Sheet,
    decimal_comma,
    duration,
    fold_key,
    frame,
    local_datetime,
    local_to_utc,
    named_month_datetime,
    norm_header,
    number,
)
from fitbalance.sources.csv.sports import COMMON, GENERIC

NAME = "garmin"
SETTINGS: tuple[str, ...] = ("distance_unit",)  # unit settings it may read
FORMAT = "csv:garmin"
ROWS = "activities"
LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "sv", "da", "no", "fi")
TYPES_FILE = "garmin_types.toml"
COLUMNS_FILE = "garmin_columns.toml"

DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
)
_NUMERIC = ("distance", "calories", "avg_hr", "max_hr", "stride", "steps", "cadence")
_DURATIONS = ("time", "moving", "elapsed")
_RATES = ("pace", "speed")  # average pace or speed: "5:24" is a pace (time per unit), "12,3" a speed (unit per hour)
RATE_AGREEMENT = 0.1  # distance over time and the written pace or speed agree within 10 %
# A unit named in a pace or speed header or cell: "min/km", "/km", "km/h", "km/t" (da, no), "km/u" (nl), "kph";
# "min/mi", "/mi", "mph", "mi/h".
_RATE_UNITS = (
    ("km", re.compile(r"(?:/\s*km\b|\bkm\s*/\s*[htu]\b|\bkph\b|\bkmh\b)", re.IGNORECASE)),
    ("mi", re.compile(r"(?:/\s*mi(?:le)?\b|\bmi\s*/\s*h\b|\bmph\b)", re.IGNORECASE)),
)
KM_PER_UNIT_RANGE = (850.0, 1200.0)  # stride x steps / distance when distances are in km
MI_PER_UNIT_RANGE = (1400.0, 1900.0)  # ... and when they are in miles
SWIM_FRACTION_LIMIT = 100.0  # a swim value with a fraction below this is in km (or miles), not m (or yd)


@dataclass(frozen=True)
class ActivityType:
    """One of Garmin Connect's activity types: its Connect key, FIT sport/sub_sport and names by language."""

    key: str
    sport: str
    sub_sport: str
    swim: bool  # distance in metres or yards rather than km or miles
    names: Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class Meaning:
    """What a header must hold to mean a field: a word stem of every group of ``all``, none of ``not``."""

    all: tuple[tuple[str, ...], ...]
    not_: tuple[str, ...]

    def matches(self, plain: str) -> bool:
        return all(any(s in plain for s in group) for group in self.all) and not any(s in plain for s in self.not_)


@dataclass(frozen=True)
class _Columns:
    """The column names of every field (``garmin_columns.toml``), the meanings that find a field's column in a
    wording not listed, the words meaning "average" a header may carry, and the month names of the older export's
    dates."""

    names: Mapping[str, tuple[str, ...]]
    meanings: Mapping[str, Meaning]
    qualifiers: frozenset[str]
    months: Mapping[str, int]


def _data(name: str) -> dict[str, Any]:
    text = resources.files(__package__ or "fitbalance.sources.csv").joinpath(name).read_text(encoding="utf-8")
    return tomllib.loads(text)


@lru_cache(maxsize=1)
def activity_types() -> tuple[ActivityType, ...]:
    """Every Connect activity type of ``garmin_types.toml``, in file order."""
    types = []
    for key, entry in _data(TYPES_FILE)["types"].items():
        sport, _, sub_sport = str(entry["fit"]).partition("/")
        names = {lang: tuple(str(n) for n in entry.get(lang, ())) for lang in LANGUAGES}
        types.append(ActivityType(key, sport, sub_sport or "generic", entry.get("distance") == "swim", names))
    return tuple(types)


@lru_cache(maxsize=1)
def _type_index() -> dict[str, ActivityType]:
    """Folded name -> type. A name that names two different FIT sports is a data error."""
    index: dict[str, ActivityType] = {}
    for kind in activity_types():
        for names in kind.names.values():
            for name in names:
                key = fold_key(name)
                seen = index.setdefault(key, kind)
                if (seen.sport, seen.sub_sport, seen.swim) != (kind.sport, kind.sub_sport, kind.swim):
                    raise ConfigError(f"{TYPES_FILE}: {name!r} names both {seen.key!r} and {kind.key!r}")
    return index


@lru_cache(maxsize=1)
def _columns_data() -> _Columns:
    raw = _data(COLUMNS_FILE)
    months = {fold_key(name): int(number) for number, names in raw["months"].items() for name in names}
    return _Columns(
        names={field: tuple(names) for field, names in raw["columns"].items()},
        meanings={
            field: Meaning(
                tuple(tuple(norm_header(w) for w in group) for group in entry["all"]),
                tuple(norm_header(w) for w in entry.get("not", ())),
            )
            for field, entry in raw["meaning"].items()
        },
        qualifiers=frozenset(norm_header(w) for w in raw["qualifiers"]["words"]),
        months=months,
    )


def type_of(type_name: str) -> ActivityType | None:
    """The Connect activity type a name in any known UI language stands for."""
    return _type_index().get(fold_key(type_name))


def sport_of(type_name: str) -> tuple[str, str] | None:
    """FIT (sport, sub_sport) for a Garmin activity type name in any known UI language."""
    kind = type_of(type_name)
    return (kind.sport, kind.sub_sport) if kind else COMMON.get(fold_key(type_name))


def detect(header: list[str], text: str) -> bool:
    """The activity type in one of the first three columns, a date or start column, and no Strava activity id."""
    names = [norm_header(h) for h in header]
    data = _columns_data().names
    types = {norm_header(n) for n in data["type"]}
    dates = {norm_header(n) for n in (*data["date"], *data["start"])}
    return (
        len(names) >= 3
        and any(n in types for n in names[:3])
        and any(n in dates for n in names)
        and not any(n.startswith("activity id") for n in names)
    )


@dataclass(frozen=True)
class _Row:
    record: Record
    type_name: str
    kind: ActivityType | None
    sport: tuple[str, str] | None
    start: datetime
    values: dict[str, float | None]
    fractional_distance: bool
    rate_unit: str | None = None  # the unit a pace or speed cell names ("5:24 /km"), if any


def read(sheet: Sheet, options: Options) -> Decoded:
    cols = _find_columns(sheet.columns())
    if cols["date"] is None and cols["start"] is None:
        raise sheet.error("Garmin activities export without a date or start column")
    comma = decimal_comma(r.get(cols[f]) for r in sheet.body for f in _NUMERIC if cols.get(f) is not None)
    months = _columns_data().months
    rows = [row for _, row in sheet.parsed(lambda record: _parse(sheet, record, cols, comma, months))]
    if not rows:
        return Decoded(FORMAT, file_type="no_activities", detail="Garmin activities export with no rows")
    warnings: list[str] = []
    header_units = {rate_unit(sheet.header[i]) for f in _RATES if (i := cols.get(f)) is not None} - {None}
    header_unit = header_units.pop() if len(header_units) == 1 else None
    factors = _distance_unit(rows, options.distance_unit, warnings, header_unit)
    unmapped: dict[str, int] = {}
    activities: list[dict[str, Any]] = []
    for index, row in enumerate(rows):
        if row.sport is None:
            unmapped[row.type_name] = unmapped.get(row.type_name, 0) + 1
        sport, sub_sport = row.sport or GENERIC
        start_utc, offset = local_to_utc(row.start, options.zone)
        distance = row.values["distance"]
        if distance and factors is None:  # the unit waits for the athlete's distance_unit (0 is 0 in any)
            sheet.wait(row.record, "distance_m", row.record.get(cols["distance"]))
            distance = None
        elif distance is not None:
            land, swim = factors or (1000.0, 1.0)
            swims = row.kind.swim if row.kind else sport == "swimming"
            if swims and not (row.fractional_distance and distance < SWIM_FRACTION_LIMIT):
                distance *= swim
            else:
                distance *= land
        moving = row.values["moving"]
        activities.append(
            {
                "session_index": index,
                "source_line": row.record.line,
                "sport": sport,
                "sub_sport": sub_sport,
                "name": _name(row.record.get(cols["title"]), row.type_name, mapped=row.sport is not None),
                "start_time_utc": start_utc,
                "utc_offset_s": offset,
                "elapsed_s": row.values["elapsed"] if row.values["elapsed"] is not None else row.values["time"],
                "moving_s": moving if moving else None,
                "timer_s": row.values["time"],  # Connect's Time (Tid, Zeit, ...): the timer, pauses left out
                "distance_m": distance,
                "calories_kcal": row.values["calories"],
                "avg_hr": row.values["avg_hr"],
                "max_hr": row.values["max_hr"],
                "source_ref": row.start.isoformat(),
            }
        )
    if unmapped:
        listed = ", ".join(f"{k!r} ({v})" for k, v in sorted(unmapped.items()))
        warnings.append(f"activity types with no FIT sport, kept as generic with the type in the name: {listed}")
    return Decoded(FORMAT, activities=frame(activities, RAW_ACTIVITY_SCHEMA), warnings=tuple(warnings))


_NOT_WORD = re.compile(r"[^\w]+")


def plain_header(name: str) -> str:
    """A header as its meaning is judged: no case, no punctuation, no word meaning "average" (``"Gns.
    løbekadence"`` -> ``"løbekadence"``, ``"Ø Schrittlänge (m)"`` -> ``"schrittlänge m"``)."""
    words = _NOT_WORD.sub(" ", norm_header(name)).split()
    qualifiers = _columns_data().qualifiers
    return " ".join(w for w in words if w not in qualifiers)


def field_meant(name: str) -> str | None:
    """The field (``stride``, ``cadence``, ``steps``, ``distance``, ``moving``, ``elapsed``) a header means by its
    words in any of Connect's languages and wordings, or None (the first field of ``garmin_columns.toml`` wins)."""
    plain = plain_header(name)
    return next((field for field, meaning in _columns_data().meanings.items() if meaning.matches(plain)), None)


def _find_columns(columns: Columns) -> dict[str, int | None]:
    """Each field's column: by its exact names in any language, else by what its header means
    (:func:`field_meant`), the first column of that meaning no other field took."""
    data = _columns_data()
    found = {field: columns.find(*names) for field, names in data.names.items()}
    taken = {i for i in found.values() if i is not None}
    meant = [field_meant(name) for name in columns.names]
    for field in data.meanings:
        if found.get(field) is None:
            index = next((i for i, m in enumerate(meant) if m == field and i not in taken), None)
            found[field] = index
            if index is not None:
                taken.add(index)
    return found


def _name(title: str, type_name: str, *, mapped: bool) -> str | None:
    if mapped:
        return title or type_name or None
    return f"{title} ({type_name})" if title and title != type_name else (type_name or title or None)


def _parse(sheet: Sheet, record: Record, cols: dict[str, int | None], comma: bool, months: Mapping[str, int]) -> _Row:
    type_name = record.get(cols["type"])
    try:
        if cols["date"] is not None:
            start = local_datetime(record.get(cols["date"]), DATE_FORMATS)
        else:
            start = named_month_datetime(record.get(cols["start"]), months)
    except ValueError as exc:
        raise RowRejected(f"date: {exc}") from exc
    values: dict[str, float | None] = {}
    for field in _NUMERIC:
        try:
            values[field] = number(record.get(cols[field]), comma_decimal=comma)
        except ValueError as exc:
            raise RowRejected(f"{sheet.header[cols[field] or 0]}: {exc}") from exc
    for field in _DURATIONS:
        try:
            values[field] = duration(record.get(cols[field]))
        except ValueError as exc:
            raise RowRejected(f"{sheet.header[cols[field] or 0]}: {exc}") from exc
    rate_unit = None
    for field in _RATES:
        pace, speed, unit = _rate(record.get(cols.get(field)), comma)
        values[f"{field}_pace"], values[f"{field}_speed"] = pace, speed
        rate_unit = rate_unit or unit
    distance = values["distance"]
    kind = type_of(type_name)
    return _Row(
        record,
        type_name,
        kind,
        (kind.sport, kind.sub_sport) if kind else COMMON.get(fold_key(type_name)),
        start,
        values,
        fractional_distance=distance is not None and distance != int(distance),
        rate_unit=rate_unit,
    )


def rate_unit(text: str) -> str | None:
    """``km`` or ``mi`` when a pace or speed header or cell names its unit (``Avg Pace (min/km)``, ``12 mph``)."""
    return next((unit for unit, pattern in _RATE_UNITS if pattern.search(text)), None)


def _rate(cell: str, comma: bool) -> tuple[float | None, float | None, str | None]:
    """A pace or speed cell as (seconds per unit, units per hour, the unit it names); a cell that is neither
    (``--``, a word) gives nothing: these columns only ever serve as proof, never as a value that is loaded."""
    unit = rate_unit(cell)
    bare = re.sub(r"[^\d:.,]", "", cell.split("/")[0] if "/" in cell and ":" in cell else cell)
    try:
        if ":" in bare:
            return duration(bare), None, unit
        return None, number(bare, comma_decimal=comma), unit
    except ValueError:
        return None, None, unit


def _distance_unit(
    rows: list[_Row], unit: str | None, warnings: list[str], header_unit: str | None = None
) -> tuple[float, float] | None:
    """Metres per distance unit for (land, swim) rows: from the option, else inferred; None when neither says it
    (the distances then wait for the setting)."""
    proof = _infer_unit(rows, header_unit)
    inferred, how = proof or (None, "")
    if unit is not None:
        if inferred is not None and inferred != unit:
            warnings.append(f"distance unit set to {unit} but {how} suggest {inferred}")
        chosen = unit
    elif inferred is not None:
        warnings.append(
            f"distance unit inferred as {inferred} from {how}; "
            "set the athlete's distance unit (distance_unit = 'km' or 'mi') to be explicit"
        )
        chosen = inferred
    elif any(r.values["distance"] for r in rows):
        warnings.append(
            "Garmin writes distances in km or miles as the account was set and this file does not say which (no "
            "run with stride length and steps or cadence, and no pace or speed naming its unit, proves it): its "
            "distances wait for the athlete's "
            "distance unit (distance_unit = 'km' or 'mi' in the settings file)"
        )
        return None
    else:
        chosen = "km"
    return (1000.0, 1.0) if chosen == "km" else (M_PER_MILE, M_PER_YARD)


def _infer_unit(rows: list[_Row], rate_header_unit: str | None = None) -> tuple[str, str] | None:
    """The distance unit the rows prove and what proves it: metres covered (stride x steps, or stride x cadence x
    time) per distance unit, ~1000 for km and ~1609 for miles; else a pace or speed whose unit a header or cell names
    (:func:`_rate_unit_proved`)."""
    by_stride = _stride_unit(rows)
    if by_stride is not None:
        return by_stride, "stride length and steps or cadence"
    by_rate = _rate_unit_proved(rows, rate_header_unit)
    return (by_rate, "a pace or speed that names its unit, agreeing with distance over time") if by_rate else None


def _rate_unit_proved(rows: list[_Row], header_unit: str | None) -> str | None:
    """The unit a pace or speed header (``header_unit``) or its cells name, when it is the distance's: distance
    over the time agrees with the pace or speed written (within :data:`RATE_AGREEMENT`) in at least 90 % of the
    rows that have all three. Connect writes pace and speed in the distance's own unit, so a pace or speed that
    names no unit proves nothing."""
    agree = disagree = 0
    named: set[str] = set()
    for row in rows:
        v = row.values
        unit = row.rate_unit or header_unit
        seconds = v["moving"] or v["time"] or v["elapsed"]
        if unit is None or not v["distance"] or not seconds:
            continue
        for field in _RATES:
            pace, speed = v[f"{field}_pace"], v[f"{field}_speed"]
            if pace:
                implied, written = seconds / v["distance"], pace
            elif speed:
                implied, written = v["distance"] / (seconds / 3600.0), speed
            else:
                continue
            if abs(implied - written) <= RATE_AGREEMENT * written:
                agree += 1
                named.add(unit)
            else:
                disagree += 1
    if len(named) == 1 and agree >= 0.9 * (agree + disagree):
        return named.pop()
    return None


def _stride_unit(rows: list[_Row]) -> str | None:
    """Metres covered (stride x steps, or stride x cadence x time) per distance unit: ~1000 km, ~1609 mi."""
    votes = {"km": 0, "mi": 0}
    for row in rows:
        v = row.values
        distance, stride = v["distance"], v["stride"]
        if not distance or not stride or (row.kind.swim if row.kind else (row.sport or GENERIC)[0] == "swimming"):
            continue
        seconds = v["moving"] or v["time"]
        if v["steps"]:
            metres = stride * v["steps"]
        elif v["cadence"] and seconds:
            metres = stride * v["cadence"] * seconds / 60.0
        else:
            continue
        ratio = metres / distance
        if KM_PER_UNIT_RANGE[0] <= ratio <= KM_PER_UNIT_RANGE[1]:
            votes["km"] += 1
        elif MI_PER_UNIT_RANGE[0] <= ratio <= MI_PER_UNIT_RANGE[1]:
            votes["mi"] += 1
    total = votes["km"] + votes["mi"]
    for unit, count in votes.items():
        if count >= 1 and count >= 0.9 * total:
            return unit
    return None
