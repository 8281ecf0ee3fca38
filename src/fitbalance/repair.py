"""Repair a field before rejecting a row: a sensor's "no reading" and impossible values are set to null, and recorded.

The smallest unit that is wrong is the unit set aside. A field that a rule of :data:`RULES` covers is repaired here:
set to null, with one repair record per activity, column and rule (how many rows, the original values, the CSV line
of a single row). What no rule covers (a set of 5,000 kg, a timestamp in 1985) is left as it is, for validation to
quarantine the row; an activity whose start is unusable is quarantined with its rows.

A reader may have chosen between two values a file gave for one field (an Apple Health workout's total and its
statistic: rule ``statistic_over_total``); its records (``Decoded.repairs``) come first among the file's repairs.

This stage runs on a file's raw frames, after decode and before normalize (``decode -> repair -> normalize ->
validate``), so the classifier and the views see the repaired values. It is pure: frames in, frames out.

The rules are data. Each names a table, the columns it covers and a :class:`Test`; a rule with ``needs`` repairs a
field only while that sibling field is usable (in its contract's range), because the views then use the sibling in
its place: an impossible elapsed time is nulled only when the timer time can stand in for it, and an activity whose
every duration is impossible is left for validation to quarantine (it has no usable duration). Rules apply in order;
a field one rule repaired is null for the rules after it.

A value a reader could not convert for want of a unit (``Decoded.waiting``: a Strong weight in kg or lbs, a Garmin
distance in km or miles) comes here already null; it is recorded with rule :data:`UNIT_UNKNOWN`, one record per
value with its cell as written, so that ``fitbalance status`` can say how many values wait for which setting.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from dataclasses import dataclass, replace

import polars as pl

from fitbalance import contracts
from fitbalance.contracts import LIFTING_APPS, MAX_SPEED_MPS, TABLE_NAMES, Column
from fitbalance.models import REPAIRS_SCHEMA as REPAIRS_SCHEMA
from fitbalance.models import Decoded, Rejected

SESSION_REPAIR_SCHEMA: dict[str, pl.DataType] = {
    "session_index": pl.Int32(),
    "table_name": pl.String(),
    "column_name": pl.String(),
    "rule": pl.String(),
    "original": pl.String(),
    "rows": pl.Int32(),
    "line": pl.Int32(),
}
"""A repair as this stage records it, per session of the file; the batch names the activity and the file."""

DAY_S = 24 * 3600.0
UNIT_UNKNOWN = "unit_unknown"
"""The rule of a value kept as written because its file does not prove its unit (:class:`~fitbalance.models.Waiting`):
loaded as null, its cell in ``original``, until the setting of :data:`UNIT_SETTINGS` fills it in."""
UNIT_SETTINGS = {"weight_kg": "weight_unit", "distance_m": "distance_unit"}
"""The athlete's setting that says the unit of a column whose values may wait (:data:`UNIT_UNKNOWN`)."""
OVER_A_DAY = "workout_over_a_day"
"""The rule of a lifting app's workout that lasted over a day (a workout left running: 264 hours): its duration is
its sets' span, else the time to the next workout's start, when that is under a day; else the workout is set aside as
a row (quarantine, stage :data:`SET_ASIDE_STAGE`)."""
_TABLES = {table.name: table for table in contracts.TABLES}
_FRAMES = {"activities": "activities", "strength_sets": "sets", "samples": "samples", "laps": "laps"}


def _contract(table: str, column: str) -> Column:
    return _TABLES[table].column(column)


def usable(table: str, column: str) -> pl.Expr:
    """The column holds a value its contract allows."""
    c = _contract(table, column)
    expr = pl.col(column).is_not_null()
    if c.lo is not None:
        expr &= pl.col(column) >= c.lo
    if c.hi is not None:
        expr &= pl.col(column) <= c.hi
    return expr


class Test(ABC):
    """Which values of a column are wrong: :meth:`wrong` is true for them (nulls are never wrong)."""

    @abstractmethod
    def wrong(self, table: str, column: str) -> pl.Expr: ...


@dataclass(frozen=True)
class NoReading(Test):
    """0: what FIT devices write for "no reading" (a ride without a heart-rate strap)."""

    def wrong(self, table: str, column: str) -> pl.Expr:
        return pl.col(column) == 0


@dataclass(frozen=True)
class OutsideContract(Test):
    """Outside the range of the column's contract (:mod:`fitbalance.contracts`): no human or device did that."""

    def wrong(self, table: str, column: str) -> pl.Expr:
        return ~usable(table, column)


@dataclass(frozen=True)
class FarBeyond(Test):
    """More than ``factor`` times ``sibling`` and more than ``floor``: a clock that jumped during the session."""

    sibling: str
    factor: float
    floor: float

    def wrong(self, table: str, column: str) -> pl.Expr:
        other = pl.col(self.sibling)
        return (other > 0) & (pl.col(column) > pl.max_horizontal(pl.lit(self.floor), other * self.factor))


@dataclass(frozen=True)
class TooFast(Test):
    """The column over the first positive of ``over`` (a duration) is a speed above ``limit``."""

    over: tuple[str, ...]
    limit: float

    def wrong(self, table: str, column: str) -> pl.Expr:
        seconds = pl.coalesce([pl.when(pl.col(c) > 0).then(pl.col(c)) for c in self.over])
        return pl.col(column) / seconds > self.limit


@dataclass(frozen=True)
class Rule:
    """``name`` (recorded with each repair), the table and columns it covers, its test, the sibling it ``needs``."""

    name: str
    table: str
    columns: tuple[str, ...]
    test: Test
    needs: str | None = None
    why: str = ""


RULES: tuple[Rule, ...] = (
    Rule("no_reading", "activities", ("avg_hr", "max_hr"), NoReading(), why="no heart-rate strap: 0 means no reading"),
    Rule("no_reading", "laps", ("avg_hr", "max_hr"), NoReading(), why="no heart-rate strap: 0 means no reading"),
    Rule("no_reading", "samples", ("heart_rate",), NoReading(), why="a heart-rate reading of 0 means none"),
    Rule(
        "no_reading",
        "activities",
        ("elapsed_s",),
        NoReading(),
        needs="timer_s",
        why="an elapsed time of 0 beside a timer time (Connect's 00:00:00 beside Tid 58:20): no reading",
    ),
    Rule(
        "no_reading",
        "activities",
        ("timer_s", "moving_s"),
        NoReading(),
        needs="elapsed_s",
        why="a timer or moving time of 0 beside an elapsed time: no reading",
    ),
    Rule(
        "elapsed_beyond_timer",
        "activities",
        ("elapsed_s",),
        FarBeyond("moving_s", factor=10.0, floor=DAY_S),
        needs="moving_s",
        why="elapsed time over a day and ten times the timer time: the device clock jumped; the timer time counts",
    ),
    Rule(
        "impossible",
        "activities",
        ("elapsed_s",),
        OutsideContract(),
        needs="moving_s",
        why="elapsed time outside 0 to 7 days; the timer time counts",
    ),
    Rule(
        "impossible",
        "activities",
        ("moving_s",),
        OutsideContract(),
        needs="elapsed_s",
        why="timer time outside 0 to 7 days; the elapsed time counts",
    ),
    Rule(
        "implied_speed",
        "activities",
        ("distance_m",),
        TooFast(("moving_s", "elapsed_s"), MAX_SPEED_MPS),
        why="the distance over the duration is faster than 360 km/h",
    ),
    Rule(
        "impossible",
        "activities",
        ("distance_m", "calories_kcal", "avg_hr", "max_hr", "rpe"),
        OutsideContract(),
        why="a summary value outside its range",
    ),
    Rule(
        "impossible",
        "laps",
        ("elapsed_s", "distance_m", "avg_hr", "max_hr"),
        OutsideContract(),
        why="a lap value outside its range",
    ),
    Rule(
        "impossible",
        "samples",
        ("heart_rate", "speed_mps", "cadence", "power_w", "distance_m", "altitude_m", "lat", "lon"),
        OutsideContract(),
        why="a sensor reading outside its range: the sample keeps its time and its other readings",
    ),
    Rule(
        "impossible",
        "strength_sets",
        ("duration_s", "rpe"),
        OutsideContract(),
        why="a set's duration or RPE outside its range: the set keeps its reps and weight",
    ),
)
"""The repair rules, in the order they apply. The README lists them for users."""


@dataclass(frozen=True)
class Repaired:
    """A file's raw frames after repair, and the repairs made (:data:`SESSION_REPAIR_SCHEMA`)."""

    decoded: Decoded
    repairs: pl.DataFrame


def _number(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _original(low: object, high: object) -> str:
    return _number(low) if low == high else f"{_number(low)} to {_number(high)}"


def _apply(frame: pl.DataFrame, rule: Rule, column: str) -> tuple[pl.DataFrame, list[dict[str, object]]]:
    """``frame`` with ``column`` repaired by ``rule``, and one repair record per session."""
    if column not in frame.columns or frame.height == 0:
        return frame, []
    wrong = rule.test.wrong(rule.table, column) & pl.col(column).is_not_null()
    if rule.needs is not None:
        wrong &= usable(rule.table, rule.needs)
    mask = frame.select(wrong.fill_null(False).alias("_wrong")).to_series()
    if not mask.any():
        return frame, []
    line = pl.col("source_line") if "source_line" in frame.columns else pl.lit(None, dtype=pl.Int32())
    hits = (
        frame.filter(mask)
        .group_by("session_index", maintain_order=True)
        .agg(
            pl.len().alias("rows"),
            pl.col(column).min().alias("low"),
            pl.col(column).max().alias("high"),
            line.first().alias("line"),
        )
    )
    records = [
        {
            "session_index": session,
            "table_name": rule.table,
            "column_name": column,
            "rule": rule.name,
            "original": _original(low, high),
            "rows": rows,
            "line": line_no if rows == 1 else None,
        }
        for session, rows, low, high, line_no in hits.select("session_index", "rows", "low", "high", "line").iter_rows()
    ]
    repaired = frame.with_columns(pl.when(mask).then(None).otherwise(pl.col(column)).alias(column))
    return repaired, records


def _sets_span(sets: pl.DataFrame, session: int, start: object) -> float | None:
    """Seconds from the workout's start to the end of its last set that has a time, or None."""
    timed = sets.filter((pl.col("session_index") == session) & pl.col("start_time_utc").is_not_null())
    if timed.height == 0:
        return None
    ends = timed.select(
        (pl.col("start_time_utc") + pl.duration(seconds=pl.col("duration_s").fill_null(0.0))).max()
    ).item()
    return float((ends - start).total_seconds())


def workouts_over_a_day(decoded: Decoded) -> tuple[Decoded, list[dict[str, object]]]:
    """A lifting app's workouts longer than a day (:data:`OVER_A_DAY`), repaired and recorded, or set aside.

    The duration becomes the span of its sets' times when they give one of at most a day, else the time to the
    file's next workout when that is at most a day; each such workout is recorded with the duration written. A
    workout that nothing bounds (no set times, no next workout within a day) is set aside as a row: the workout and
    its sets become quarantine rows (stage :data:`SET_ASIDE_STAGE`) whose payloads hold every value read, so nothing
    is lost; the rest of the file loads. Other formats come back as they are (their rules are :data:`RULES`).
    """
    acts = decoded.activities
    if decoded.source_format not in LIFTING_APPS or acts.height == 0:
        return decoded, []
    long = acts.filter(pl.col("elapsed_s") > DAY_S)
    if long.height == 0:
        return decoded, []
    starts = sorted(s for s in acts["start_time_utc"].to_list() if s is not None)
    new: dict[int, float] = {}
    unbounded: dict[int, dict[str, object]] = {}
    records: list[dict[str, object]] = []
    for row in long.iter_rows(named=True):
        session, start, elapsed = row["session_index"], row["start_time_utc"], row["elapsed_s"]
        span = _sets_span(decoded.sets, session, start)
        after = next((s for s in starts if s > start), None)
        gap = (after - start).total_seconds() if after is not None else None
        fixed = next((v for v in (span, gap) if v is not None and 0 < v <= DAY_S), None)
        if fixed is None:
            unbounded[session] = row
            continue
        new[session] = fixed
        records.append(
            {
                "session_index": session,
                "table_name": "activities",
                "column_name": "elapsed_s",
                "rule": OVER_A_DAY,
                "original": _number(elapsed),
                "rows": 1,
                "line": row["source_line"],
            }
        )
    fixed_elapsed = pl.col("session_index").replace_strict(new, default=pl.col("elapsed_s"), return_dtype=pl.Float64)
    repaired = replace(decoded, activities=acts.with_columns(fixed_elapsed.alias("elapsed_s")))
    return _set_aside(repaired, unbounded), records


SET_ASIDE_STAGE = "repair"
"""The quarantine stage of a lifting app's workout over a day that nothing bounds (:func:`workouts_over_a_day`)."""


def _set_aside(decoded: Decoded, workouts: dict[int, dict[str, object]]) -> Decoded:
    """``decoded`` without these workouts (by session index) and their sets: each becomes a quarantine row with its
    values, and its sets one row standing for them all with theirs (a weight waiting for its unit as written)."""
    if not workouts:
        return decoded
    sessions = list(workouts)
    waiting = {(w.session_index, w.line, w.column): w.original for w in decoded.waiting}
    rejected: list[Rejected] = []
    for session, row in workouts.items():
        line = row["source_line"]
        line_int = int(str(line)) if line is not None else None
        where = f"line {line}: " if line is not None else ""
        hours = float(str(row["elapsed_s"])) / 3600
        reason = (
            f"{where}workout {row['name']!r} lasted {hours:.1f} h as written, over a day, and nothing bounds it "
            "(no set times, no next workout within a day): set aside with its sets"
        )
        rejected.append(Rejected(reason, line_int, _json(row), "activities", 1, SET_ASIDE_STAGE))
        sets = decoded.sets.filter(pl.col("session_index") == session)
        if sets.height:
            values = [
                {
                    **s,
                    "waiting": {
                        column: cell
                        for (index, at, column), cell in waiting.items()
                        if index == session and at == s["source_line"]
                    },
                }
                for s in sets.iter_rows(named=True)
            ]
            why = f"{where}the {sets.height} sets of workout {row['name']!r}, set aside with it (over a day)"
            rejected.append(Rejected(why, line_int, _json(values), "strength_sets", sets.height, SET_ASIDE_STAGE))
    kept = ~pl.col("session_index").is_in(sessions)
    return replace(
        decoded,
        activities=decoded.activities.filter(kept),
        sets=decoded.sets.filter(kept),
        samples=decoded.samples.filter(kept),
        laps=decoded.laps.filter(kept),
        rejected=(*decoded.rejected, *rejected),
        waiting=tuple(w for w in decoded.waiting if w.session_index not in workouts),
    )


def _json(value: object) -> str:
    return json.dumps(value, default=str, ensure_ascii=False)


def repair(decoded: Decoded, rules: tuple[Rule, ...] = RULES) -> Repaired:
    """Apply ``rules`` to the raw frames of one file (see the module docstring)."""
    decoded, over_a_day = workouts_over_a_day(decoded)
    frames: dict[str, pl.DataFrame] = {table: getattr(decoded, _FRAMES[table]) for table in TABLE_NAMES}
    records: list[dict[str, object]] = list(decoded.repairs)  # the reader's own choices come first
    records += [
        {
            "session_index": w.session_index,
            "table_name": w.table,
            "column_name": w.column,
            "rule": UNIT_UNKNOWN,
            "original": w.original,
            "rows": 1,
            "line": w.line,
        }
        for w in decoded.waiting
    ]
    records += over_a_day
    for rule in rules:
        for column in rule.columns:
            frames[rule.table], found = _apply(frames[rule.table], rule, column)
            records += found
    repairs = (
        pl.DataFrame(records, schema=SESSION_REPAIR_SCHEMA) if records else pl.DataFrame(schema=SESSION_REPAIR_SCHEMA)
    )
    if not records:
        return Repaired(decoded, repairs)
    repaired = replace(
        decoded,
        activities=frames["activities"],
        sets=frames["strength_sets"],
        samples=frames["samples"],
        laps=frames["laps"],
    )
    return Repaired(repaired, repairs)
