"""Numbers the dashboards and the report show, computed from view frames.

Pure functions: frames in, numbers or frames out; no I/O, no clock. "This week" is always a week the caller names
(the newest week in the data by default), never today's date. Values are SI as read; :class:`MassUnit` converts
masses for display only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import polars as pl

from fitbalance import contracts
from fitbalance.errors import ConfigError

WHO_AEROBIC_MINUTES = 150.0
WHO_STRENGTH_DAYS = 2
WHO_MULTICOMPONENT_DAYS = 3
STREAK_WINDOW_WEEKS = 12
LB_PER_KG = 2.2046226218487757

# ACWR bands (Gabbett 2016), the same list the views' acwr_band macro is made from: (name, label, low, high).
ACWR_BANDS: tuple[tuple[str, str, float, float], ...] = tuple(
    (b.name, b.label, b.lo, b.hi) for b in contracts.ACWR_BANDS
)

# The weekly minutes columns the balance chart stacks, in stacking order, with their labels.
MINUTE_KINDS: tuple[tuple[str, str], ...] = (
    ("resistance_minutes", "Resistance"),
    ("endurance_minutes", "Endurance"),
    ("sport_minutes", "Sport"),
    ("mixed_minutes", "Mixed"),
    ("flexibility_minutes", "Flexibility"),
    ("balance_minutes", "Balance"),
    ("unspecified_minutes", "Other"),
)

STATUS_ORDER: tuple[str, ...] = ("progressing", "holding", "stalled", "regressing", "new")

_ISO_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


# ---- units and weeks ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MassUnit:
    """How masses are shown: ``label`` and the factor from kilograms."""

    label: str
    per_kg: float

    def show(self, kg: float | None) -> float | None:
        """``kg`` in this unit, or None for None."""
        return None if kg is None else kg * self.per_kg


def mass_unit(units: str | None) -> MassUnit:
    """The mass unit for an athlete's ``units`` setting: ``imperial`` shows pounds, anything else kilograms."""
    return MassUnit("lb", LB_PER_KG) if units == "imperial" else MassUnit("kg", 1.0)


def in_unit(frame: pl.DataFrame, columns: list[str], unit: MassUnit) -> pl.DataFrame:
    """``frame`` with the mass ``columns`` (those present) multiplied into ``unit``."""
    present = [c for c in columns if c in frame.columns]
    return frame.with_columns([(pl.col(c) * unit.per_kg).alias(c) for c in present])


def week_monday(day: date) -> date:
    """The Monday of ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())


def iso_week_label(day: date) -> str:
    """``day``'s ISO week as ``YYYY-Www``."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def parse_iso_week(text: str) -> date:
    """The Monday of ISO week ``YYYY-Www``. Raises :class:`ConfigError` for anything else."""
    match = _ISO_WEEK.match(text.strip())
    if match is None:
        raise ConfigError(f"week {text!r}: expected an ISO week like 2025-W07")
    year, week = int(match.group(1)), int(match.group(2))
    try:
        return date.fromisocalendar(year, week, 1)
    except ValueError as exc:
        raise ConfigError(f"week {text!r}: {year} has no week {week}") from exc


# ---- weekly balance -----------------------------------------------------------------------------------------------


def latest_week(balance: pl.DataFrame) -> date | None:
    """The newest ``week_start`` in a ``weekly_balance`` frame, or None when it is empty."""
    if balance.is_empty():
        return None
    value = balance.get_column("week_start").max()
    return value if isinstance(value, date) else None


def balance_long(balance: pl.DataFrame) -> pl.DataFrame:
    """Weekly minutes by kind, long: ``week_start, iso_week, kind, order, minutes`` (zero kinds kept)."""
    kinds = [(column, label) for column, label in MINUTE_KINDS if column in balance.columns]
    if balance.is_empty() or not kinds:
        return pl.DataFrame(
            schema={
                "week_start": pl.Date(),
                "iso_week": pl.String(),
                "kind": pl.String(),
                "order": pl.Int64(),
                "minutes": pl.Float64(),
            }
        )
    parts = [
        balance.select(
            pl.col("week_start"),
            pl.col("iso_week"),
            pl.lit(label).alias("kind"),
            pl.lit(i, dtype=pl.Int64()).alias("order"),
            pl.col(column).cast(pl.Float64()).fill_null(0.0).alias("minutes"),
        )
        for i, (column, label) in enumerate(kinds)
    ]
    return pl.concat(parts).sort("week_start", "order")


@dataclass(frozen=True)
class WeekBalance:
    """One week against the WHO guideline, with the change from the week before where there is one."""

    week_start: date
    iso_week: str
    who_aerobic_minutes: float
    resistance_days: int
    resistance_minutes: float
    other_minutes: float
    total_minutes: float
    resistance_share: float | None
    meets_aerobic: bool
    meets_strength: bool
    meets_guideline: bool
    is_65_plus: bool
    multicomponent_days: int
    meets_multicomponent: bool | None
    well_rounded: bool | None
    aerobic_delta: float | None = None
    strength_days_delta: int | None = None
    resistance_minutes_delta: float | None = None
    other_minutes_delta: float | None = None

    @property
    def aerobic_gap(self) -> float:
        """Aerobic minutes still missing to reach the guideline (0 when met)."""
        return max(0.0, WHO_AEROBIC_MINUTES - self.who_aerobic_minutes)

    @property
    def strength_days_gap(self) -> int:
        """Strength days still missing to reach the guideline (0 when met)."""
        return max(0, WHO_STRENGTH_DAYS - self.resistance_days)


def _f(value: object) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def _i(value: object) -> int:
    return int(value) if isinstance(value, int | float) else 0


def week_balance(balance: pl.DataFrame, week: date) -> WeekBalance | None:
    """The row of ``week`` (its Monday) in a one-athlete ``weekly_balance`` frame, or None when absent."""
    rows = balance.filter(pl.col("week_start") == week).to_dicts()
    if not rows:
        return None
    row = rows[0]
    prev_rows = balance.filter(pl.col("week_start") == week - timedelta(days=7)).to_dicts()
    prev = prev_rows[0] if prev_rows else None
    share = row.get("resistance_share")
    result = WeekBalance(
        week_start=week,
        iso_week=str(row.get("iso_week") or iso_week_label(week)),
        who_aerobic_minutes=_f(row.get("who_aerobic_minutes")),
        resistance_days=_i(row.get("resistance_days")),
        resistance_minutes=_f(row.get("resistance_minutes")),
        other_minutes=_f(row.get("other_minutes")),
        total_minutes=_f(row.get("total_minutes")),
        resistance_share=float(share) if isinstance(share, int | float) else None,
        meets_aerobic=bool(row.get("meets_aerobic")),
        meets_strength=bool(row.get("meets_strength")),
        meets_guideline=bool(row.get("meets_guideline")),
        is_65_plus=bool(row.get("is_65_plus")),
        multicomponent_days=_i(row.get("multicomponent_days")),
        meets_multicomponent=row.get("meets_multicomponent"),
        well_rounded=row.get("well_rounded"),
    )
    if prev is None:
        return result
    return WeekBalance(
        **{
            **result.__dict__,
            "aerobic_delta": result.who_aerobic_minutes - _f(prev.get("who_aerobic_minutes")),
            "strength_days_delta": result.resistance_days - _i(prev.get("resistance_days")),
            "resistance_minutes_delta": result.resistance_minutes - _f(prev.get("resistance_minutes")),
            "other_minutes_delta": result.other_minutes - _f(prev.get("other_minutes")),
        }
    )


def guideline_shortfall(week: WeekBalance) -> str:
    """What ``week`` still lacks to meet the guideline, shortly: ``"102 min, 1 day"``; empty when it is met."""
    missing = []
    if week.aerobic_gap > 0:
        missing.append(f"{week.aerobic_gap:.0f} min")
    if week.strength_days_gap > 0:
        missing.append(f"{week.strength_days_gap} day{'s' if week.strength_days_gap > 1 else ''}")
    if week.is_65_plus and week.meets_multicomponent is False:
        gap = max(0, WHO_MULTICOMPONENT_DAYS - week.multicomponent_days)
        missing.append(f"{gap} multicomponent day{'s' if gap != 1 else ''}")
    return ", ".join(missing)


@dataclass(frozen=True)
class Streak:
    """Guideline weeks up to a week: the run of consecutive weeks met, and a window of recent weeks.

    ``current`` counts consecutive guideline weeks ending with the chosen week; when the chosen week has not met
    the guideline (yet: it may still be under way), the run ending the week before is counted and
    ``includes_this_week`` is False.
    """

    current: int
    includes_this_week: bool
    met_in_window: int
    window: tuple[tuple[date, str, bool], ...]  # (week_start, iso_week, met), oldest first


def guideline_streak(balance: pl.DataFrame, week: date, window: int = STREAK_WINDOW_WEEKS) -> Streak:
    """The guideline streak of a one-athlete ``weekly_balance`` frame up to ``week`` (a Monday).

    A week absent from the frame counts as not met (the view has no gaps within an athlete's history; before the
    first week there is nothing to count).
    """
    met_by_week = {
        row["week_start"]: bool(row["meets_guideline"])
        for row in balance.select("week_start", "meets_guideline").iter_rows(named=True)
    }
    weeks = [week - timedelta(days=7 * i) for i in range(window - 1, -1, -1)]
    cells = tuple((w, iso_week_label(w), met_by_week.get(w, False)) for w in weeks)
    includes = met_by_week.get(week, False)
    cursor = week if includes else week - timedelta(days=7)
    run = 0
    while met_by_week.get(cursor, False):
        run += 1
        cursor -= timedelta(days=7)
    return Streak(
        current=run,
        includes_this_week=includes,
        met_in_window=sum(1 for _, _, met in cells if met),
        window=cells,
    )


def streak_frame(streak: Streak) -> pl.DataFrame:
    """A :class:`Streak` window as a frame for charting: ``week_start, iso_week, met, label``."""
    return pl.DataFrame(
        {
            "week_start": [w for w, _, _ in streak.window],
            "iso_week": [label for _, label, _ in streak.window],
            "met": [met for _, _, met in streak.window],
            "label": ["met" if met else "not met" for _, _, met in streak.window],
        },
        schema={"week_start": pl.Date(), "iso_week": pl.String(), "met": pl.Boolean(), "label": pl.String()},
    )


# ---- progressive overload -----------------------------------------------------------------------------------------


def exercises_by_sets(progress: pl.DataFrame) -> list[str]:
    """Exercise names in an ``exercise_progress`` frame, most working sets first (then by name)."""
    if progress.is_empty():
        return []
    totals = (
        progress.group_by("exercise")
        .agg(pl.col("working_sets").sum().alias("sets"))
        .sort(["sets", "exercise"], descending=[True, False])
    )
    return [str(name) for name in totals.get_column("exercise").to_list()]


def mark_records(progress: pl.DataFrame, records: pl.DataFrame) -> pl.DataFrame:
    """``progress`` with ``is_e1rm_pr``, ``is_weight_pr`` and ``is_reps_pr``: the week holds that all-time best.

    A record's date is matched to the week (Monday) that contains it, per exercise.
    """
    out = progress
    for flag, column in (
        ("is_e1rm_pr", "best_e1rm_date"),
        ("is_weight_pr", "best_weight_date"),
        ("is_reps_pr", "max_reps_date"),
    ):
        day = pl.col(column)
        weeks = (
            records.select("exercise", (day - pl.duration(days=day.dt.weekday() - 1)).alias("week_start"))
            .drop_nulls()
            .unique()
            .with_columns(pl.lit(True).alias(flag))
        )
        out = out.join(weeks, on=["exercise", "week_start"], how="left").with_columns(pl.col(flag).fill_null(False))
    return out


def overload_summary(progress: pl.DataFrame, records: pl.DataFrame, week: date) -> pl.DataFrame:
    """One row per exercise trained in ``week``, most sets first: sets, top set, e1RM, change, status, PRs.

    Columns: ``exercise, working_sets, total_reps, top_set_kg, best_e1rm_kg, e1rm_change_pct, volume_load_kg,
    volume_change_pct, status, is_bodyweight, is_e1rm_pr, is_weight_pr, is_reps_pr``.
    """
    this_week = progress.filter(pl.col("week_start") == week)
    marked = mark_records(this_week, records)
    return marked.select(
        "exercise",
        "working_sets",
        "total_reps",
        "top_set_kg",
        "best_e1rm_kg",
        "e1rm_change_pct",
        "volume_load_kg",
        "volume_change_pct",
        "status",
        "is_bodyweight",
        "is_e1rm_pr",
        "is_weight_pr",
        "is_reps_pr",
    ).sort(["working_sets", "exercise"], descending=[True, False])


def status_counts(summary: pl.DataFrame) -> dict[str, int]:
    """How many exercises have each status, in :data:`STATUS_ORDER` (statuses absent count 0)."""
    counts = {status: 0 for status in STATUS_ORDER}
    if summary.is_empty():
        return counts
    for status, count in summary.group_by("status").len().iter_rows():
        key = str(status) if status is not None else "new"
        counts[key] = counts.get(key, 0) + int(count)
    return counts


def latest_status(progress: pl.DataFrame) -> pl.DataFrame:
    """Each exercise's newest week in ``progress``: ``exercise, week_start, status, best_e1rm_kg, top_set_kg``."""
    if progress.is_empty():
        return progress.select("exercise", "week_start", "status", "best_e1rm_kg", "top_set_kg")
    return (
        progress.sort("week_start")
        .group_by("exercise", maintain_order=True)
        .last()
        .select("exercise", "week_start", "status", "best_e1rm_kg", "top_set_kg")
        .sort("exercise")
    )


def muscle_heatmap_frame(muscles: pl.DataFrame, weeks: list[date], groups: list[str] | None = None) -> pl.DataFrame:
    """Sets per muscle group per week with every (group, week) pair present: a group untrained in a week has 0.

    ``weeks`` are the Mondays to show; ``groups`` the muscle groups (default: those in ``muscles``; pass the
    athlete's all-time groups so that one not trained at all in these weeks shows as a row of zeros). Columns:
    ``muscle_group, week_start, iso_week, sets, neglected`` (neglected: no set that week).
    """
    known = {str(g) for g in muscles.get_column("muscle_group").to_list() if g is not None}
    names = sorted(known | set(groups or []))
    schema = {
        "muscle_group": pl.String(),
        "week_start": pl.Date(),
        "iso_week": pl.String(),
        "sets": pl.Float64(),
        "neglected": pl.Boolean(),
    }
    if not names or not weeks:
        return pl.DataFrame(schema=schema)
    grid = pl.DataFrame({"muscle_group": names}, schema={"muscle_group": pl.String()}).join(
        pl.DataFrame({"week_start": weeks}, schema={"week_start": pl.Date()}), how="cross"
    )
    sums = muscles.group_by("muscle_group", "week_start").agg(pl.col("sets").cast(pl.Float64()).sum())
    filled = grid.join(sums, on=["muscle_group", "week_start"], how="left").with_columns(pl.col("sets").fill_null(0.0))
    return (
        filled.with_columns(
            pl.col("week_start").dt.strftime("%G-W%V").alias("iso_week"),
            (pl.col("sets") <= 0).alias("neglected"),
        )
        .select(list(schema))
        .sort("muscle_group", "week_start")
    )


def weeks_between(start: date, end: date) -> list[date]:
    """The Mondays of the ISO weeks from ``start``'s to ``end``'s, inclusive."""
    first, last = week_monday(start), week_monday(end)
    count = (last - first).days // 7 + 1
    return [first + timedelta(days=7 * i) for i in range(max(0, count))]


# ---- training load ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadSummary:
    """Training load on one day: acute and chronic load and their ratio, by the chosen method."""

    day: date
    total_load: float
    acute: float
    chronic: float
    acwr: float | None
    band: str | None
    week_load: float


def acwr_band(ratio: float | None) -> str | None:
    """The ACWR band of ``ratio``, as the views' ``acwr_band`` macro: low, sweet_spot, caution, high_risk."""
    if ratio is None:
        return None
    if ratio < 0.8:
        return "low"
    if ratio <= 1.3:
        return "sweet_spot"
    if ratio <= 1.5:
        return "caution"
    return "high_risk"


def load_summary(load: pl.DataFrame, method: str = "ewma") -> LoadSummary | None:
    """The newest day of a one-athlete ``training_load_daily`` frame; ``method`` is ``ewma`` or ``rolling``."""
    if load.is_empty():
        return None
    ordered = load.sort("day")
    row = ordered.row(-1, named=True)
    if method == "rolling":
        acute, chronic, ratio = row["acute_load"], row["chronic_load"], row["acwr_rolling"]
    else:
        acute, chronic, ratio = row["acute_ewma"], row["chronic_ewma"], row["acwr_ewma"]
    last_day: date = row["day"]
    week_total = ordered.filter(pl.col("day") > last_day - timedelta(days=7)).get_column("total_load").sum()
    return LoadSummary(
        day=last_day,
        total_load=_f(row["total_load"]),
        acute=_f(acute),
        chronic=_f(chronic),
        acwr=float(ratio) if isinstance(ratio, int | float) else None,
        band=acwr_band(float(ratio)) if isinstance(ratio, int | float) else None,
        week_load=_f(week_total),
    )


def load_long(load: pl.DataFrame, method: str = "ewma") -> pl.DataFrame:
    """Acute and chronic load per day, long: ``day, series, load`` for a line chart."""
    acute, chronic = ("acute_load", "chronic_load") if method == "rolling" else ("acute_ewma", "chronic_ewma")
    return pl.concat(
        [
            load.select("day", pl.lit("Acute (7 d)").alias("series"), pl.col(acute).alias("load")),
            load.select("day", pl.lit("Chronic (28 d)").alias("series"), pl.col(chronic).alias("load")),
        ]
    ).sort("day", "series")


# ---- data page ----------------------------------------------------------------------------------------------------


def status_totals(files: pl.DataFrame) -> dict[str, int]:
    """How many source files are loaded, skipped and quarantined (every status present, 0 when none)."""
    totals = {"loaded": 0, "skipped": 0, "quarantined": 0}
    for status, count in files.group_by("status").len().iter_rows():
        totals[str(status)] = int(count)
    return totals


def run_sentence(run: dict[str, object]) -> str:
    """One line about an ``ingest_runs`` row: when it started (UTC), how it ended and how long it took."""
    started, ended, outcome = run.get("started_at"), run.get("ended_at"), run.get("outcome")
    if not isinstance(started, datetime):
        return "No ingest has run yet."
    when = f"{started:%Y-%m-%d %H:%M} UTC"
    if outcome == "running" or not isinstance(ended, datetime):
        return f"An ingest started {when} and is still running."
    seconds = max(0.0, (ended - started).total_seconds())
    took = f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"
    return f"**{str(outcome).capitalize()}**, started {when}, took {took}."


# ---- weekly targets: what is left this week (the weekly_targets view) ---------------------------------------------


@dataclass(frozen=True)
class MuscleLeft:
    """A muscle group still short of its target this week: sets still needed to reach its low, and days."""

    muscle_group: str
    sets: float
    days: int


@dataclass(frozen=True)
class WeekLeft:
    """What is left to do in one week, against the athlete's targets (0 where a target is met)."""

    week_start: date
    days_left: int
    aerobic_minutes: float
    strength_days: int
    multicomponent_days: int | None  # None: no such target (under 65 and not set)
    muscles: tuple[MuscleLeft, ...]  # the groups below their range, by name

    @property
    def done(self) -> bool:
        """Whether every target of the week is reached."""
        return (
            self.aerobic_minutes <= 0 and self.strength_days <= 0 and not self.multicomponent_days and not self.muscles
        )


def _plural(count: float, word: str) -> str:
    return f"{count:g} {word}" + ("" if count == 1 else "s")


def week_left(targets: pl.DataFrame, week: date) -> WeekLeft | None:
    """What a one-athlete ``weekly_targets`` frame says is left in ``week`` (its Monday); None when it has no rows."""
    rows = targets.filter(pl.col("week_start") == week).to_dicts()
    if not rows:
        return None
    remaining = {str(r["target"]): _f(r["remaining"]) for r in rows}
    muscles: dict[str, list[float]] = {}
    for row in rows:
        kind, _, group = str(row["target"]).partition(":")
        if group and kind in ("muscle_sets", "muscle_days"):
            muscles.setdefault(group, [0.0, 0.0])[0 if kind == "muscle_sets" else 1] = _f(row["remaining"])
    short = tuple(
        MuscleLeft(group, sets, round(days)) for group, (sets, days) in sorted(muscles.items()) if sets > 0 or days > 0
    )
    multicomponent = remaining.get("multicomponent_days")
    return WeekLeft(
        week_start=week,
        days_left=max(_i(r["days_left"]) for r in rows),
        aerobic_minutes=remaining.get("aerobic_minutes", 0.0),
        strength_days=round(remaining.get("strength_days", 0.0)),
        multicomponent_days=None if multicomponent is None else round(multicomponent),
        muscles=short,
    )


def left_in_words(left: WeekLeft) -> str:
    """``left this week: 70 aerobic minutes, 1 strength day; chest 4 sets, hamstrings 6 sets``: the WHO targets,
    then each muscle group below its range with the sets it still needs (or, its sets done, ``1 more day``)."""
    if left.done:
        return "left this week: nothing, every target is met"
    whole = []
    if left.aerobic_minutes > 0:
        whole.append(_plural(round(left.aerobic_minutes), "aerobic minute"))
    if left.strength_days > 0:
        whole.append(_plural(left.strength_days, "strength day"))
    if left.multicomponent_days:
        whole.append(_plural(left.multicomponent_days, "balance and strength day"))
    parts = []
    for m in left.muscles:  # the sets still needed; the days only when the sets are done
        name = m.muscle_group.replace("_", " ")
        days = f"{m.days} more day{'s' if m.days > 1 else ''}"
        parts.append(f"{name} {_plural(round(m.sets, 1), 'set')}" if m.sets > 0 else f"{name} {days}")
    groups = [", ".join(whole), ", ".join(parts)]
    return "left this week: " + "; ".join(g for g in groups if g)


def muscle_targets_frame(targets: pl.DataFrame, week: date) -> pl.DataFrame:
    """One row per targeted muscle group in ``week``: ``muscle_group, sets, low, high, remaining, status`` (for the
    per-muscle chart of sets against the target band), by name."""
    schema = {
        "muscle_group": pl.String(),
        "sets": pl.Float64(),
        "low": pl.Float64(),
        "high": pl.Float64(),
        "remaining": pl.Float64(),
        "status": pl.String(),
    }
    rows = targets.filter((pl.col("week_start") == week) & pl.col("target").str.starts_with("muscle_sets:"))
    if rows.is_empty():
        return pl.DataFrame(schema=schema)
    return (
        rows.select(
            pl.col("target").str.split_exact(":", 1).struct.field("field_1").alias("muscle_group"),
            pl.col("actual").alias("sets"),
            "low",
            "high",
            "remaining",
            "status",
        )
        .cast(schema)  # type: ignore[arg-type]
        .sort("muscle_group")
    )


TARGET_LABELS: dict[str, str] = {
    "aerobic_minutes": "Aerobic minutes (WHO)",
    "strength_days": "Strength days",
    "multicomponent_days": "Balance and strength days (65+)",
    "muscle_sets": "sets",
    "muscle_days": "days trained",
}


def target_label(target: str) -> str:
    """A target as a person reads it: ``Aerobic minutes (WHO)``, ``chest sets``, ``chest days trained``."""
    kind, _, group = target.partition(":")
    label = TARGET_LABELS.get(kind, kind)
    return f"{group.replace('_', ' ')} {label}" if group else label


def targets_met_and_missed(targets: pl.DataFrame, week: date) -> tuple[list[str], list[str]]:
    """The labels of ``week``'s targets reached (met, or above a range) and not reached (below, or still in
    progress), in the frame's order."""
    met: list[str] = []
    missed: list[str] = []
    for row in targets.filter(pl.col("week_start") == week).iter_rows(named=True):
        (met if row["status"] in ("met", "above") else missed).append(target_label(str(row["target"])))
    return met, missed


# ---- progression: the next session (exercise_next_session) ------------------------------------------------------

ACTION_LABELS = {"increase_load": "add load", "add_reps": "add reps", "deload": "deload"}


def load_text(weight: float | None, unit: str, bodyweight: bool = False) -> str:
    """A load as a lifter reads it: ``62.5 kg``; ``bodyweight`` or ``bodyweight + 2.5 kg`` for bodyweight work."""
    if weight is None:
        return "?"
    amount = f"{weight:g} {unit}"
    if bodyweight or weight == 0:
        return f"bodyweight + {amount}" if weight else "bodyweight"
    return amount


def next_session_text(plan: pl.DataFrame) -> pl.DataFrame:
    """Per exercise of an ``exercise_next_session`` frame: ``exercise``, ``next_session`` (``62.5 kg x 8``, in the
    athlete's units), ``action`` (as a label: add load, add reps, deload), ``reason`` and ``last_session``."""
    rows = []
    for row in plan.iter_rows(named=True):
        unit, bodyweight = row["weight_unit"] or "kg", bool(row["is_bodyweight_exercise"])
        last_reps = ", ".join(str(r) for r in row["last_reps"] or [])
        rows.append(
            {
                "athlete": row["athlete"],
                "exercise": row["exercise"],
                "next_session": f"{load_text(row['next_weight'], unit, bodyweight)} x {row['next_reps']}",
                "action": ACTION_LABELS.get(row["action"], row["action"]),
                "reason": row["reason"],
                "last_session": f"{load_text(row['last_weight'], unit, bodyweight)} x {last_reps} "
                f"on {row['last_session_date']}",
            }
        )
    schema = {c: pl.String() for c in ("athlete", "exercise", "next_session", "action", "reason", "last_session")}
    return pl.DataFrame(rows, schema=schema)


def rep_record_grid(records: pl.DataFrame, unit: MassUnit) -> pl.DataFrame:
    """``rep_records`` as a grid: one row per exercise, a column per rep count (``1`` .. ``12``) holding the heaviest
    weight lifted for at least that many reps, in ``unit``; null where the count was never reached."""
    counts = [str(n) for n in range(1, 13)]
    if records.is_empty():
        return pl.DataFrame(schema={"exercise": pl.String(), **{c: pl.Float64() for c in counts}})
    grid = (
        records.select("exercise", pl.col("reps").cast(pl.String()), (pl.col("best_weight_kg") * unit.per_kg))
        .pivot(on="reps", index="exercise", values="best_weight_kg")
        .sort("exercise")
    )
    missing = [pl.lit(None, dtype=pl.Float64()).alias(c) for c in counts if c not in grid.columns]
    return grid.with_columns(missing).select("exercise", *counts)
