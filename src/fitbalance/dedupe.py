"""One session, counted once: which activities are the same session arriving from two sources.

The same workout often arrives twice: a watch's FIT file and the Hevy or Strong CSV of the same session, or a Garmin
activity that is also in the Strava export. :func:`duplicate_links` finds them. It is pure: a frame of activities in
(columns :data:`CANDIDATE_SCHEMA`), one ``(activity_id, duplicate_of)`` row per activity out, ``duplicate_of`` null
for the rows that count. The store applies the result (:func:`fitbalance.store.links.link_duplicates`).

Two activities are the same session when all of these hold:

- they belong to the same athlete;
- they overlap in time: their intervals ``[start, start + duration)`` intersect for at least half of the shorter one
  (:data:`MIN_OVERLAP`; duration = elapsed time, else moving time); when either has no duration, their starts are
  at most :data:`START_TOLERANCE_S` (5 minutes) apart; a workout from a format with dates but no clock times
  (:data:`DATE_ONLY_FORMATS`: FitNotes, whose days start at a conventional local noon) overlaps every activity on
  its local date;
- they agree in kind: both ``resistance``, or both ``other`` with compatible sports: the same sport, two sports of
  one family (:data:`SPORT_FAMILIES`: running, walking and hiking; cycling and e-biking; ...), or one of them
  unspecific (:data:`UNSPECIFIC_SPORTS`: generic, training, fitness equipment, unknown). The part of a FIT file cut
  short (``cut_short``) whose sport is unspecific agrees with either kind: its session message, which says what it
  was, is missing, and without its sets a strength workout's part looks like other exercise.

A FIT file's activity and an account export's summary of a recording (:data:`SUMMARY_FORMATS`: Garmin's account
JSON, which gives the watch's start to the millisecond) that start within :data:`SAME_START_S` of each other are the
same session whatever their kinds say: the summary and the file are the same recording (a summary's typeKey and the
file's sets can classify it differently).

Which of them counts (the primary), best first:

0. anything whole before the part of a FIT file cut short;
1. a FIT file's activity: the watch's timing, heart rate and samples count;
2. another export's row (Garmin, Strava, Polar, Apple Health CSV): one with samples first, then the richer row
   (more of elapsed and moving time, distance, calories, average and maximum heart rate filled);
3. a lifting app's workout (:data:`LIFTING_APPS`: Hevy, Strong, FitNotes) only when nothing else recorded the
   session. Its named sets and weights still win: the set views take a primary's sets from its lifting-app
   duplicates when it has any (see the ``working_sets`` view);
4. ties: the earliest loaded, then the smaller activity id.

Activities are taken best first; each one not yet linked becomes a primary and claims every unlinked activity that
is the same session as it. So every duplicate overlaps its own primary (no chains of links), and the result depends
only on the activities, not on the order they arrive in: recomputing gives the same links.

Links of activities that do not overlap anything new cannot change, so after a load only the days around what was
added or removed are recomputed (:func:`touched_windows`): exact as long as a chain of overlapping activities
spans less than :data:`SESSION_SPAN` (a day).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import polars as pl

from fitbalance import contracts

SESSION_SPAN = timedelta(days=1)  # longer than any chain of overlapping activities
MIN_OVERLAP = 0.5  # of the shorter activity's duration
START_TOLERANCE_S = 300.0  # starts this close are the same session when a duration is missing
LIFTING_APPS = frozenset(contracts.LIFTING_APPS)
DATE_ONLY_FORMATS = frozenset(contracts.DATE_ONLY_FORMATS)
FIT_FORMATS = frozenset({"fit"})
SUMMARY_FORMATS = frozenset({"json:garmin"})  # an account export's summary of a watch's recording
SAME_START_S = 1.0  # a summary and the FIT file of its recording start this close (the same instant, rounded)
UNSPECIFIC_SPORTS = frozenset({"", "generic", "training", "fitness_equipment", "all"})
SPORT_FAMILIES: tuple[frozenset[str], ...] = (
    frozenset({"running", "walking", "hiking", "mountaineering", "snowshoeing", "wheelchair_push_run"}),
    frozenset({"cycling", "e_biking", "hand_cycling"}),
    frozenset({"rowing", "paddling", "kayaking", "stand_up_paddleboarding", "rafting"}),
    frozenset({"alpine_skiing", "snowboarding", "cross_country_skiing"}),
)
RICHNESS_COLUMNS = ("elapsed_s", "moving_s", "distance_m", "calories_kcal", "avg_hr", "max_hr")

CANDIDATE_SCHEMA: dict[str, pl.DataType] = {
    **contracts.ACTIVITIES.subset(
        "activity_id",
        "athlete",
        "source_format",
        "start_time_utc",
        "utc_offset_s",
        *RICHNESS_COLUMNS,
        "category",
        "sport",
    ),
    "has_samples": pl.Boolean(),
    "loaded_at": pl.Datetime("us"),  # when the activity's file was first loaded
    "cut_short": pl.Boolean(),  # from a FIT file that ends in the middle of a message (what preceded the cut)
}
LINK_SCHEMA: dict[str, pl.DataType] = {"activity_id": pl.String(), "duplicate_of": pl.String()}
WINDOW_SCHEMA: dict[str, pl.DataType] = {"athlete": pl.String(), "lo": pl.Datetime("us"), "hi": pl.Datetime("us")}


@dataclass(frozen=True)
class _Activity:
    activity_id: str
    athlete: str
    start: datetime
    duration_s: float | None
    category: str
    sport: str
    cut_short: bool
    rank: tuple[bool, int, int, int, datetime, str]
    source_format: str
    day: date  # the local date
    date_only: bool  # from a format that has dates but no clock times

    @property
    def end(self) -> datetime:
        return self.start + timedelta(seconds=self.duration_s or 0.0)


def source_tier(source_format: str) -> int:
    """0 for a watch's FIT file, 1 for another export's row, 2 for a lifting app's workout (lower counts first)."""
    if source_format in FIT_FORMATS:
        return 0
    return 2 if source_format in LIFTING_APPS else 1


def compatible_sports(a: str | None, b: str | None) -> bool:
    """Whether two FIT sports can describe the same session (see the module docstring)."""
    left, right = (a or "").casefold(), (b or "").casefold()
    if left == right or left in UNSPECIFIC_SPORTS or right in UNSPECIFIC_SPORTS:
        return True
    return any(left in family and right in family for family in SPORT_FAMILIES)


def same_kind(a_category: str, a_sport: str | None, b_category: str, b_sport: str | None) -> bool:
    """Both resistance, or both other with compatible sports."""
    if a_category != b_category:
        return False
    return a_category == "resistance" or compatible_sports(a_sport, b_sport)


def same_session_kind(
    a_category: str, a_sport: str | None, a_cut_short: bool, b_category: str, b_sport: str | None, b_cut_short: bool
) -> bool:
    """:func:`same_kind`, or one of them the part of a FIT file cut short, of an unspecific sport (either kind)."""
    unknown = any(
        cut and (sport or "").casefold() in UNSPECIFIC_SPORTS
        for cut, sport in ((a_cut_short, a_sport), (b_cut_short, b_sport))
    )
    return unknown or same_kind(a_category, a_sport, b_category, b_sport)


def overlaps(a_start: datetime, a_duration_s: float | None, b_start: datetime, b_duration_s: float | None) -> bool:
    """Whether two activities overlap enough to be one session (see the module docstring)."""
    if not a_duration_s or not b_duration_s or a_duration_s <= 0 or b_duration_s <= 0:
        return abs((a_start - b_start).total_seconds()) <= START_TOLERANCE_S
    a_end = a_start + timedelta(seconds=a_duration_s)
    b_end = b_start + timedelta(seconds=b_duration_s)
    shared = (min(a_end, b_end) - max(a_start, b_start)).total_seconds()
    return shared > 0 and shared >= MIN_OVERLAP * min(a_duration_s, b_duration_s)


def _duration(row: dict[str, object]) -> float | None:
    for key in ("elapsed_s", "moving_s"):
        value = row[key]
        if isinstance(value, int | float) and value > 0:
            return float(value)
    return None


def _activities(frame: pl.DataFrame) -> list[_Activity]:
    found = []
    for row in frame.select(list(CANDIDATE_SCHEMA)).iter_rows(named=True):
        richness = sum(row[c] is not None for c in RICHNESS_COLUMNS)
        rank = (
            bool(row["cut_short"]),
            source_tier(row["source_format"]),
            0 if row["has_samples"] else 1,
            -richness,
            row["loaded_at"] or datetime.max,
            row["activity_id"],
        )
        found.append(
            _Activity(
                activity_id=row["activity_id"],
                athlete=row["athlete"],
                start=row["start_time_utc"],
                duration_s=_duration(row),
                category=row["category"],
                sport=row["sport"] or "",
                cut_short=bool(row["cut_short"]),
                rank=rank,
                source_format=row["source_format"],
                day=(row["start_time_utc"] + timedelta(seconds=row["utc_offset_s"] or 0)).date(),
                date_only=row["source_format"] in DATE_ONLY_FORMATS,
            )
        )
    return found


def _same_session_pairs(activities: list[_Activity]) -> dict[str, set[str]]:
    """For every activity, the others that are the same session (a sweep over start times, per athlete)."""
    tolerance = timedelta(seconds=START_TOLERANCE_S)
    ordered = sorted(activities, key=lambda a: (a.athlete, a.start, a.activity_id))
    matches: dict[str, set[str]] = {a.activity_id: set() for a in activities}
    for i, a in enumerate(ordered):
        reach = max(a.end, a.start + tolerance)
        for b in ordered[i + 1 :]:
            if b.athlete != a.athlete or b.start > reach:
                break
            if (_same_kind(a, b) and overlaps(a.start, a.duration_s, b.start, b.duration_s)) or _same_recording(a, b):
                matches[a.activity_id].add(b.activity_id)
                matches[b.activity_id].add(a.activity_id)
    return matches


def same_recording(a_format: str, a_start: datetime, b_format: str, b_start: datetime) -> bool:
    """A FIT file's activity and an account export's summary of it (see the module docstring)."""
    formats = {a_format, b_format}
    return (
        bool(formats & FIT_FORMATS)
        and bool(formats & SUMMARY_FORMATS)
        and abs((a_start - b_start).total_seconds()) <= SAME_START_S
    )


def _same_recording(a: _Activity, b: _Activity) -> bool:
    return same_recording(a.source_format, a.start, b.source_format, b.start)


def _same_kind(a: _Activity, b: _Activity) -> bool:
    return same_session_kind(a.category, a.sport, a.cut_short, b.category, b.sport, b.cut_short)


def _add_same_day_pairs(activities: list[_Activity], matches: dict[str, set[str]]) -> None:
    """A workout from a format with dates only is the same session as any activity of its kind on its local date."""
    by_day: dict[tuple[str, date], list[_Activity]] = {}
    for a in activities:
        by_day.setdefault((a.athlete, a.day), []).append(a)
    for a in activities:
        if not a.date_only:
            continue
        for b in by_day[(a.athlete, a.day)]:
            if b is not a and _same_kind(a, b):
                matches[a.activity_id].add(b.activity_id)
                matches[b.activity_id].add(a.activity_id)


def duplicate_links(candidates: pl.DataFrame) -> pl.DataFrame:
    """One row per activity: ``activity_id`` and ``duplicate_of`` (the primary's id, or null when it counts).

    ``candidates`` has the columns of :data:`CANDIDATE_SCHEMA` (extra columns are ignored). Rows come back sorted
    by activity id.
    """
    activities = _activities(candidates)
    matches = _same_session_pairs(activities)
    _add_same_day_pairs(activities, matches)
    primary_of: dict[str, str | None] = {}
    for a in sorted(activities, key=lambda a: a.rank):
        if a.activity_id in primary_of:
            continue
        primary_of[a.activity_id] = None
        for other in sorted(matches[a.activity_id]):
            primary_of.setdefault(other, a.activity_id)
    ids = sorted(primary_of)
    return pl.DataFrame({"activity_id": ids, "duplicate_of": [primary_of[i] for i in ids]}, schema=LINK_SCHEMA)


def touched_windows(changed: pl.DataFrame) -> pl.DataFrame:
    """The time windows whose links may change when these activities were added or removed, merged per athlete.

    ``changed`` has ``athlete``, ``start_time_utc`` and ``elapsed_s``; each activity's window runs from
    :data:`SESSION_SPAN` before its start to :data:`SESSION_SPAN` after its end. Every activity starting in a
    window must be recomputed, reading the activities that start within a further :data:`SESSION_SPAN` around it.
    """
    spans: dict[str, list[tuple[datetime, datetime]]] = {}
    for athlete, start, elapsed in changed.select("athlete", "start_time_utc", "elapsed_s").iter_rows():
        end = start + timedelta(seconds=elapsed if elapsed and elapsed > 0 else 0.0)
        spans.setdefault(athlete, []).append((start - SESSION_SPAN, end + SESSION_SPAN))
    rows: list[tuple[str, datetime, datetime]] = []
    for athlete, windows in sorted(spans.items()):
        windows.sort()
        lo, hi = windows[0]
        for next_lo, next_hi in windows[1:]:
            if next_lo <= hi:
                hi = max(hi, next_hi)
            else:
                rows.append((athlete, lo, hi))
                lo, hi = next_lo, next_hi
        rows.append((athlete, lo, hi))
    return pl.DataFrame(rows, schema=WINDOW_SCHEMA, orient="row")
