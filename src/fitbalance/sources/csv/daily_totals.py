"""Files of totals over time told by their shape, when no known layout (:mod:`.no_activities`) names them.

Apps export daily, hourly or monthly totals in many layouts (Apple Health through the Health Export app: ``Date,
Active energy burned(kcal),Apple exercise time(min),...``; Google Fit's daily metrics; Samsung Health and Whoop daily
files; Garmin Connect's daily reports in any UI language). What they share is their shape, and that is what this
dialect reads:

- a date or time in the first column of every row (checked on the first rows, not only in the header);
- every other cell a measurement: a number, a duration or a percentage (``1,234``, ``6:30``, ``45 %``), or empty;
- at least one such column, and no column naming an activity type, a workout, an exercise or a duration;
- rows an hour or more apart (a file of samples seconds apart is a recording, not totals: it stays unknown).

Such a file is skipped with its kind (``detail``: the app when its columns say it, how often a row comes, the first
columns); "unknown" stays for files that are neither an export a dialect reads nor of this shape.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from itertools import pairwise

from fitbalance.models import Decoded
from fitbalance.sources.csv.helpers import Options, Record, Sheet, decimal_comma, duration, norm_header, number

NAME = "daily_totals"
ROWS = "activities"  # none: such a file is skipped whole
SETTINGS: tuple[str, ...] = ()  # unit settings it may read
SAMPLE_ROWS = 30  # data rows looked at
MIN_GAP_S = 3600.0  # totals come an hour or more apart; samples come faster

# A column whose name says it holds activities, workouts or exercises (or their duration), in the languages of the
# exports fitbalance reads: a file with one is not a file of totals.
ACTIVITY_COLUMNS = frozenset(
    norm_header(n)
    for n in (
        "activity type", "activity", "activity name", "type", "sport", "workout", "workout type", "workout name",
        "exercise", "exercise name", "exercise title", "duration", "title", "name", "set order", "reps",
        "aktivitätstyp", "sportart", "übung", "dauer", "titel", "type d'activité", "exercice", "durée", "titre",
        "tipo de actividad", "ejercicio", "duración", "título", "tipo di attività", "esercizio", "durata", "titolo",
        "activiteittype", "oefening", "duur", "aktivitetstyp", "övning", "varaktighet", "aktivitetstype", "øvelse",
        "varighed", "varighet", "tittel", "aktiviteettityyppi", "liike", "kesto", "otsikko",
    )
)  # fmt: skip
APPS = (  # (app, words one of its columns holds), the first that matches names the app
    ("apple_health", ("apple", "active energy", "basal energy", "walking + running", "stand hour", "flights climbed")),
    ("google_fit", ("move minutes", "heart points")),
    ("samsung_health", ("com.samsung",)),
    ("whoop", ("recovery score", "day strain", "whoop", "hrv (ms)")),
    (
        "garmin",
        (
            "body battery",
            "intensity minutes",
            "stress",
            "goal",
            "ziel",
            "mål",
            "objectif",
            "objetivo",
            "obiettivo",
            "doel",
            "tavoite",
        ),
    ),  # Connect's reports: a day's value beside its goal
    ("fitbit", ("minutes sedentary", "very active minutes")),
)
APP_LABELS = {
    "apple_health": "Apple Health",
    "google_fit": "Google Fit",
    "samsung_health": "Samsung Health",
    "whoop": "Whoop",
    "garmin": "Garmin",
    "fitbit": "Fitbit",
    "totals": "an app's",
}
_TIMES = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y/%m/%d %H:%M:%S",
    "%m/%d/%Y",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %I:%M:%S %p",
    "%d.%m.%Y",
    "%d.%m.%Y %H:%M",
    "%d/%m/%Y",
    "%d-%m-%Y",
    "%Y-%m",
    "%b %d, %Y",
    "%d %b %Y",
)
_PERCENT = re.compile(r"^\s*[-+]?[\d.,\s]+\s*%\s*$")
_ZONE = re.compile(r"^((UTC|GMT)\s*)?[+-]\d{1,2}(:?\d{2})?$|^(UTC|GMT|Z)$|^[A-Za-z]+/[A-Za-z_]+$")  # a row's zone


def _moment(text: str) -> datetime | None:
    """A date or time as such files write it (ISO with a zone or ``T`` too), or None."""
    raw = " ".join(text.strip().split())
    if not raw or (not raw[0].isdigit() and not raw[:3].isalpha()):
        return None
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError:
        pass
    for fmt in _TIMES:
        try:
            return datetime.strptime(raw, fmt)
        except ValueError:
            continue
    return None


def _measurement(text: str, comma: bool) -> bool:
    """Whether a cell is a measurement: empty, a number, a duration or a percentage."""
    raw = text.strip()
    if not raw or _PERCENT.match(raw) or _ZONE.match(raw):
        return True
    for read in (lambda t: number(t, comma_decimal=comma), duration):
        try:
            read(raw)
        except ValueError:
            continue
        return True
    return False


def _body(text: str, header: Sequence[str]) -> list[list[str]]:
    """The data rows after the header in ``text`` (for :func:`detect`, which gets the text, not the records)."""
    from fitbalance.sources.csv.helpers import parse_records

    records = parse_records(text, "<shape>")
    names = [h.strip() for h in header]
    at = next((i for i, r in enumerate(records) if [c.strip() for c in r.cells] == names), 0)
    return [list(r.cells) for r in records[at + 1 : at + 1 + SAMPLE_ROWS]]


def shape(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[datetime] | None:
    """The rows' moments when ``header`` and ``rows`` have the shape of totals over time (see the module
    docstring), else None."""
    names = [norm_header(h) for h in header]
    if any(h.strip() and (_moment(h) or _measurement(h, False)) for h in header):  # a data row, not a header
        return None
    if len(names) < 2 or any(re.sub(r"\s*[(\[].*$", "", n) in ACTIVITY_COLUMNS for n in names if n):
        return None
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows or any(len(r) < len(names) for r in rows):
        return None
    comma = decimal_comma(c for r in rows for c in r[1:])
    moments: list[datetime] = []
    for row in rows:
        moment = _moment(row[0])
        if moment is None or not all(_measurement(c, comma) or _moment(c) for c in row[1 : len(names)]):
            return None
        moments.append(moment)
    gaps = [abs((b - a).total_seconds()) for a, b in pairwise(moments)]
    if any(0 < gap < MIN_GAP_S for gap in gaps):
        return None
    return moments


def detect(header: list[str], text: str) -> bool:
    return shape(header, _body(text, header)) is not None


def _every(moments: Sequence[datetime]) -> str:
    """How often a row comes: ``day``, ``hour``, ``week`` or ``month`` (the most common gap), else ``data``."""
    gaps = sorted(abs((b - a).total_seconds()) for a, b in pairwise(moments) if b != a)
    if not gaps:
        return "data"
    gap = gaps[len(gaps) // 2]
    for name, low, high in (("hour", 3000, 4200), ("day", 80000, 93000), ("week", 590000, 620000)):
        if low <= gap <= high:
            return name
    return "month" if 27 * 86400 <= gap <= 32 * 86400 else "data"


def app_of(header: Sequence[str]) -> str:
    """The app whose columns these are, as far as they say (``totals`` when they do not)."""
    names = " | ".join(norm_header(h) for h in header)
    return next((app for app, words in APPS if any(w in names for w in words)), "totals")


def read(sheet: Sheet, options: Options) -> Decoded:
    body: list[Record] = list(sheet.body)
    moments = shape(sheet.header, [list(r.cells) for r in body[:SAMPLE_ROWS]])
    if moments is None:  # detect said yes for this header
        raise sheet.error("not a file of totals over time")
    app = app_of(sheet.header)
    every = _every(moments)
    columns = ", ".join(h for h in sheet.header[1:4] if h) + (", ..." if len(sheet.header) > 4 else "")
    per = {"data": "totals or measurements", "hour": "hourly totals", "day": "daily totals"}
    per |= {"week": "weekly totals", "month": "monthly totals"}
    kind = f"{APP_LABELS[app]} {per[every]} ({columns})"
    return Decoded(
        f"csv:{app}",
        file_type="no_activities",
        detail=f"{kind}, {len(body)} {every if every != 'data' else 'data'} rows: it holds no activities",
    )
