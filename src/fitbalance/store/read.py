"""The read side of the store: what the dashboards and the report query.

It opens the database read-only, one connection per batch of queries, and closes it promptly, so that an ingest
(which holds the file lock only while it loads) can take the lock between two reads. When the writer holds the lock,
:func:`open_readonly` waits and retries (:func:`fitbalance.store.connection.connect`), saying so through a
callback, and raises :class:`~fitbalance.errors.StoreLockedError` when the lock is still held after the last try.

The query functions read the views (and, for the Data page, the bookkeeping tables ``source_files``,
``quarantine``, ``ingest_runs`` and ``athletes``) and return polars frames. A relation that does not exist yet (a
database made by an older version, or one where no ingest has run) reads as an empty frame of the right shape, so
the callers have one empty case to handle, not two. Values are SI, as stored: conversion for display is the
caller's job.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import polars as pl

from fitbalance import contracts
from fitbalance.errors import StoreError
from fitbalance.store.connection import BUSY_MESSAGE as BUSY_MESSAGE
from fitbalance.store.connection import connect

DEFAULT_RETRIES = 20
DEFAULT_WAIT_S = 0.5

# The columns each relation is read with: the shape of an empty result. Views may have more columns than these.
WEEKLY_BALANCE_COLUMNS: dict[str, pl.DataType] = {
    "athlete": pl.String(),
    "week_start": pl.Date(),
    "iso_week": pl.String(),
    "resistance_sessions": pl.Int64(),
    "resistance_minutes": pl.Float64(),
    "resistance_days": pl.Int64(),
    "other_sessions": pl.Int64(),
    "other_minutes": pl.Float64(),
    "endurance_minutes": pl.Float64(),
    "flexibility_minutes": pl.Float64(),
    "balance_minutes": pl.Float64(),
    "mixed_minutes": pl.Float64(),
    "sport_minutes": pl.Float64(),
    "unspecified_minutes": pl.Float64(),
    "total_minutes": pl.Float64(),
    "moderate_minutes": pl.Float64(),
    "vigorous_minutes": pl.Float64(),
    "who_aerobic_minutes": pl.Float64(),
    "meets_aerobic": pl.Boolean(),
    "meets_strength": pl.Boolean(),
    "age": pl.Int64(),
    "is_65_plus": pl.Boolean(),
    "multicomponent_days": pl.Int64(),
    "meets_multicomponent": pl.Boolean(),
    "meets_guideline": pl.Boolean(),
    "resistance_share": pl.Float64(),
    "well_rounded": pl.Boolean(),
}

EXERCISE_PROGRESS_COLUMNS: dict[str, pl.DataType] = {
    "athlete": pl.String(),
    "exercise": pl.String(),
    "week_start": pl.Date(),
    "working_sets": pl.Int64(),
    "total_reps": pl.Int64(),
    "volume_load_kg": pl.Float64(),
    "is_bodyweight": pl.Boolean(),
    "top_set_kg": pl.Float64(),
    "best_e1rm_kg": pl.Float64(),
    "best_e1rm_brzycki_kg": pl.Float64(),
    "prev_week_start": pl.Date(),
    "e1rm_change_kg": pl.Float64(),
    "e1rm_change_pct": pl.Float64(),
    "e1rm_vs_4wk_avg_pct": pl.Float64(),
    "volume_change_pct": pl.Float64(),
    "volume_vs_4wk_avg_pct": pl.Float64(),
    "reps_change": pl.Int64(),
    "status": pl.String(),
}

PERSONAL_RECORDS_COLUMNS: dict[str, pl.DataType] = {
    "athlete": pl.String(),
    "exercise": pl.String(),
    "best_e1rm_kg": pl.Float64(),
    "best_e1rm_date": pl.Date(),
    "best_weight_kg": pl.Float64(),
    "best_weight_date": pl.Date(),
    "best_weight_reps": pl.Int64(),
    "max_reps": pl.Int64(),
    "max_reps_date": pl.Date(),
}

MUSCLE_GROUP_WEEKLY_COLUMNS: dict[str, pl.DataType] = {
    "athlete": pl.String(),
    "week_start": pl.Date(),
    "muscle_group": pl.String(),
    "sets": pl.Float64(),
    "primary_sets": pl.Float64(),
    "secondary_sets": pl.Float64(),
}

TRAINING_LOAD_DAILY_COLUMNS: dict[str, pl.DataType] = {
    "athlete": pl.String(),
    "day": pl.Date(),
    "endurance_load": pl.Float64(),
    "strength_load": pl.Float64(),
    "total_load": pl.Float64(),
    "acute_load": pl.Float64(),
    "chronic_load": pl.Float64(),
    "acwr_rolling": pl.Float64(),
    "acute_ewma": pl.Float64(),
    "chronic_ewma": pl.Float64(),
    "acwr_ewma": pl.Float64(),
    "acwr_band": pl.String(),
}

UNMAPPED_EXERCISES_COLUMNS: dict[str, pl.DataType] = {
    "exercise_name": pl.String(),
    "sets": pl.Int64(),
    "first_seen": pl.Date(),  # local dates
    "last_seen": pl.Date(),
}

CORRECTIONS_IN_FORCE_COLUMNS: dict[str, pl.DataType] = {
    "athlete": pl.String(),
    "source": pl.String(),
    "applies_to": pl.String(),
    "result": pl.String(),
    "activities": pl.Int64(),
    "first_day": pl.Date(),
    "last_day": pl.Date(),
    "corrected_at": pl.Datetime("us"),
}

WEEKLY_TARGETS_COLUMNS: dict[str, pl.DataType] = {
    "athlete": pl.String(),
    "week_start": pl.Date(),
    "target": pl.String(),
    "actual": pl.Float64(),
    "low": pl.Float64(),
    "high": pl.Float64(),
    "remaining": pl.Float64(),
    "days_left": pl.Int64(),
    "status": pl.String(),
}

STRENGTH_BALANCE_COLUMNS: dict[str, pl.DataType] = {
    "athlete": pl.String(),
    "week_start": pl.Date(),
    "push_sets": pl.Int64(),
    "pull_sets": pl.Int64(),
    "upper_sets": pl.Int64(),
    "lower_sets": pl.Int64(),
    "push_pull_ratio": pl.Float64(),
    "upper_lower_ratio": pl.Float64(),
    "horizontal_push_sets": pl.Int64(),
    "vertical_push_sets": pl.Int64(),
    "horizontal_pull_sets": pl.Int64(),
    "vertical_pull_sets": pl.Int64(),
    "push_pull_flag": pl.String(),
    "upper_lower_flag": pl.String(),
}

SOURCE_FILES_COLUMNS = contracts.SOURCE_FILES.subset(
    "path", "format", "status", "detail", "athlete", "size_bytes", "first_ingested_at", "last_seen_at"
)
QUARANTINE_COLUMNS = contracts.QUARANTINE.subset(
    "path", "stage", "table_name", "line", "rows", "reason", "created_at", "run_id"
)
REPAIRS_COLUMNS = contracts.REPAIRS.subset(
    "path", "activity_id", "table_name", "column_name", "rule", "original", "rows", "line", "created_at"
)
RUN_ROWS_COLUMNS = contracts.RUN_ROWS.schema
PLACED_COLUMNS: dict[str, pl.DataType] = {
    "athlete": pl.String(),
    "start_time_local": pl.Datetime("us"),
    "source_format": pl.String(),
    "utc_offset_s": pl.Int32(),
    "utc_offset_source": pl.String(),
    "path": pl.String(),
}
INGEST_RUNS_COLUMNS = {name: dtype for name, dtype in contracts.INGEST_RUNS.schema.items() if name != "flow_run_id"}
ATHLETES_COLUMNS = contracts.ATHLETES.subset("athlete", "units")


def open_readonly(
    db_path: Path | str,
    *,
    retries: int = DEFAULT_RETRIES,
    wait_s: float = DEFAULT_WAIT_S,
    on_wait: Callable[[str], None] | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open ``db_path`` read-only, waiting while another process holds the write lock.

    Makes ``retries + 1`` attempts ``wait_s`` seconds apart. Before each wait it calls ``on_wait`` with a message
    that starts with :data:`BUSY_MESSAGE`. Raises :class:`StoreLockedError` when the lock is still held after the
    last attempt, and :class:`StoreError` when the file does not exist or is not a DuckDB database.
    """
    path = Path(db_path)
    if not path.is_file():
        raise StoreError(
            "no database here yet: ingest some files first (fitbalance ingest FOLDER --db FILE)",
            path=str(path),
            stage="read",
        )
    return connect(path, read_only=True, delays=[wait_s] * retries, on_wait=on_wait, stage="read")


def once(tell: Callable[[str], None]) -> Callable[[str], None]:
    """An ``on_wait`` that passes on only the first message (a command line says "busy" once, not every retry)."""
    told: list[str] = []

    def first(message: str) -> None:
        if not told:
            told.append(message)
            tell(message)

    return first


@contextmanager
def reading(
    db_path: Path | str,
    *,
    retries: int = DEFAULT_RETRIES,
    wait_s: float = DEFAULT_WAIT_S,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection for one batch of queries, closed when the block ends (see :func:`open_readonly`)."""
    con = open_readonly(db_path, retries=retries, wait_s=wait_s, on_wait=on_wait)
    try:
        yield con
    finally:
        con.close()


def _columns_of(con: duckdb.DuckDBPyConnection, relation: str) -> set[str]:
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' AND table_name = $name",
        {"name": relation},
    ).fetchall()
    return {name for (name,) in rows}


def relation_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether a table or view called ``name`` exists in the main schema."""
    return bool(_columns_of(con, name))


def _query(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    columns: dict[str, pl.DataType],
    where: str = "",
    params: dict[str, object] | None = None,
    order: str = "",
    limit: int | None = None,
) -> pl.DataFrame:
    """Read ``columns`` of ``relation`` (one of our own names) with an optional parameterised filter."""
    present = _columns_of(con, relation)
    if not present:
        return pl.DataFrame(schema=columns)
    select = ", ".join(f'"{c}"' if c in present else f'NULL AS "{c}"' for c in columns)
    sql = f'SELECT {select} FROM "{relation}"'
    if where:
        sql += f" WHERE {where}"
    if order:
        sql += f" ORDER BY {order}"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    frame: pl.DataFrame = con.sql(sql, params=params).pl() if params else con.sql(sql).pl()
    return frame.cast({name: dtype for name, dtype in columns.items()}, strict=False)


def _span(athlete: str, start: date | None, end: date | None, column: str) -> tuple[str, dict[str, object]]:
    clauses = ["athlete = $athlete"]
    params: dict[str, object] = {"athlete": athlete}
    if start is not None:
        clauses.append(f"{column} >= $start")
        params["start"] = start
    if end is not None:
        clauses.append(f"{column} <= $end")
        params["end"] = end
    return " AND ".join(clauses), params


def weekly_balance(
    con: duckdb.DuckDBPyConnection, athlete: str, start: date | None = None, end: date | None = None
) -> pl.DataFrame:
    """Rows of ``weekly_balance`` for ``athlete`` whose week starts within ``start..end`` (inclusive)."""
    where, params = _span(athlete, start, end, "week_start")
    return _query(con, "weekly_balance", WEEKLY_BALANCE_COLUMNS, where, params, order="week_start")


def exercise_progress(
    con: duckdb.DuckDBPyConnection, athlete: str, start: date | None = None, end: date | None = None
) -> pl.DataFrame:
    """Rows of ``exercise_progress`` for ``athlete`` whose week starts within ``start..end``."""
    where, params = _span(athlete, start, end, "week_start")
    return _query(con, "exercise_progress", EXERCISE_PROGRESS_COLUMNS, where, params, order="exercise, week_start")


def personal_records(con: duckdb.DuckDBPyConnection, athlete: str) -> pl.DataFrame:
    """All of ``athlete``'s personal records, one row per exercise."""
    return _query(
        con,
        "personal_records",
        PERSONAL_RECORDS_COLUMNS,
        "athlete = $athlete",
        {"athlete": athlete},
        "exercise",
    )


def muscle_group_weekly(
    con: duckdb.DuckDBPyConnection, athlete: str, start: date | None = None, end: date | None = None
) -> pl.DataFrame:
    """Rows of ``muscle_group_weekly`` for ``athlete`` whose week starts within ``start..end``."""
    where, params = _span(athlete, start, end, "week_start")
    return _query(
        con,
        "muscle_group_weekly",
        MUSCLE_GROUP_WEEKLY_COLUMNS,
        where,
        params,
        order="week_start, muscle_group",
    )


def training_load_daily(
    con: duckdb.DuckDBPyConnection, athlete: str, start: date | None = None, end: date | None = None
) -> pl.DataFrame:
    """Rows of ``training_load_daily`` for ``athlete`` within ``start..end``."""
    where, params = _span(athlete, start, end, "day")
    return _query(con, "training_load_daily", TRAINING_LOAD_DAILY_COLUMNS, where, params, order="day")


def unmapped_exercises(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Exercise names no catalogue entry or mapping matched, most sets first."""
    return _query(con, "unmapped_exercises", UNMAPPED_EXERCISES_COLUMNS, order="sets DESC, exercise_name")


def corrections_in_force(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The user's corrections and the settings overrides that decide loaded activities, newest correction first."""
    return _query(
        con,
        "corrections_in_force",
        CORRECTIONS_IN_FORCE_COLUMNS,
        order="corrected_at DESC NULLS LAST, athlete, source, applies_to",
    )


# ---- weekly targets: read at a clock -------------------------------------------------------------------------------

TARGET_ORDER = ("aerobic_minutes", "strength_days", "multicomponent_days", "muscle_sets", "muscle_days")
Clock = date | datetime
"""What "today" is for the targets: a local date, or an aware instant that each athlete's time zone (else the offset
of their latest activity, else UTC) turns into their local date (the ``athlete_today`` macro)."""


def _macro_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    found = con.execute(
        "SELECT count(*) FROM duckdb_functions() WHERE function_name = $name AND function_type = 'table_macro'",
        {"name": name},
    ).fetchall()
    return bool(found[0][0])


def athlete_today(con: duckdb.DuckDBPyConnection, athlete: str, clock: Clock) -> date:
    """``athlete``'s local date at ``clock`` (a date is returned as it is)."""
    if isinstance(clock, date) and not isinstance(clock, datetime):
        return clock
    if _macro_exists(con, "athlete_today"):
        found = con.execute(
            "SELECT today FROM athlete_today($clock) WHERE athlete = $athlete", {"clock": clock, "athlete": athlete}
        ).fetchall()
        if found and isinstance(found[0][0], date):
            return found[0][0]
    return clock.astimezone(UTC).date()


def weekly_targets(
    con: duckdb.DuckDBPyConnection,
    athlete: str,
    clock: Clock,
    start: date | None = None,
    end: date | None = None,
) -> pl.DataFrame:
    """Rows of ``weekly_targets_at(clock)`` for ``athlete`` whose week starts within ``start..end``, ordered by week
    and target; empty (with the columns) on a database made before the view existed."""
    if not _macro_exists(con, "weekly_targets_at"):
        return pl.DataFrame(schema=WEEKLY_TARGETS_COLUMNS)
    where, params = _span(athlete, start, end, "week_start")
    columns = ", ".join(WEEKLY_TARGETS_COLUMNS)
    frame: pl.DataFrame = con.sql(
        f"SELECT {columns} FROM weekly_targets_at($clock) WHERE {where} "
        f"ORDER BY week_start, list_position({list(TARGET_ORDER)}, split_part(target, ':', 1)), target",
        params={**params, "clock": clock},
    ).pl()
    return frame.cast({name: dtype for name, dtype in WEEKLY_TARGETS_COLUMNS.items()}, strict=False)


def strength_balance_weekly(
    con: duckdb.DuckDBPyConnection, athlete: str, start: date | None = None, end: date | None = None
) -> pl.DataFrame:
    """Rows of ``strength_balance_weekly`` for ``athlete`` whose week starts within ``start..end``."""
    where, params = _span(athlete, start, end, "week_start")
    return _query(con, "strength_balance_weekly", STRENGTH_BALANCE_COLUMNS, where, params, order="week_start")


def source_files(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every file the ingest has seen, with its status, most recently seen first."""
    return _query(con, "source_files", SOURCE_FILES_COLUMNS, order="last_seen_at DESC, path")


def quarantine(con: duckdb.DuckDBPyConnection, limit: int = 1000) -> pl.DataFrame:
    """The newest ``limit`` quarantine rows, with the stage and the reason."""
    return _query(con, "quarantine", QUARANTINE_COLUMNS, order="created_at DESC, path", limit=limit)


def repairs(con: duckdb.DuckDBPyConnection, limit: int = 1000) -> pl.DataFrame:
    """The newest ``limit`` repairs: the fields loaded as null, the rule and the value the file had."""
    return _query(con, "repairs", REPAIRS_COLUMNS, order="created_at DESC, path, table_name, column_name", limit=limit)


def run_rows(con: duckdb.DuckDBPyConnection, run_ids: Sequence[str]) -> pl.DataFrame:
    """The row accounts (``run_rows``) of these runs, per table."""
    return _query(
        con, "run_rows", RUN_ROWS_COLUMNS, "list_contains($ids, run_id)", {"ids": list(run_ids)}, "run_id, table_name"
    )


REPAIR_SUMMARY_SQL = """
SELECT rule, table_name || '.' || column_name AS field, count(DISTINCT activity_id) AS activities, sum(rows) AS rows
FROM repairs GROUP BY ALL ORDER BY rule, rows DESC, field
"""


def repair_summary(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, int, int]]:
    """(rule, table.column, activities, rows) of every repair kept, by rule and most rows first."""
    if not relation_exists(con, "repairs"):
        return []
    return [(r, f, int(a), int(n)) for r, f, a, n in con.execute(REPAIR_SUMMARY_SQL).fetchall()]


WAITING_SQL = """
SELECT athlete, setting, table_name || '.' || column_name AS field, count(*) AS n_values,
       count(DISTINCT activity_id) AS activities, count(DISTINCT file_id) AS files
FROM waiting_values GROUP BY ALL ORDER BY athlete, setting, field
"""


def waiting_values(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, int, int, int]]:
    """(athlete, setting, table.column, values, activities, files) of the values that wait for a unit setting
    (``waiting_values``): loaded as null until the athlete's ``weight_unit`` / ``distance_unit`` says their unit."""
    if not relation_exists(con, "waiting_values"):
        return []
    return [(a, s, f, int(n), int(k), int(m)) for a, s, f, n, k, m in con.execute(WAITING_SQL).fetchall()]


def waiting_lines(waiting: Sequence[tuple[str, str, str, int, int, int]]) -> list[str]:
    """The sentences that say which values wait and which setting fills them in (status, ingest, Data page)."""
    choices = {"weight_unit": "'kg' or 'lbs'", "distance_unit": "'km' or 'mi'"}
    return [
        f"{n:,} {field} values in {activities:,} activities of {athlete!r} wait for their unit: set {setting} = "
        f"{choices.get(setting, '...')} under [athletes.{athlete}] in the settings file and the next ingest fills "
        "them in"
        for athlete, setting, field, n, activities, _files in waiting
    ]


def offset_sources(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Activities that count, by where their UTC offset came from (``fit``, ``row``, ``learned``, ...)."""
    if "utc_offset_source" not in _columns_of(con, "activities"):
        return {}
    found = con.execute(
        "SELECT coalesce(utc_offset_source, 'unknown'), count(*) FROM activities WHERE duplicate_of IS NULL GROUP BY 1"
    ).fetchall()
    return {source: int(n) for source, n in found}


def assumed_offsets(con: duckdb.DuckDBPyConnection, limit: int = 1000) -> pl.DataFrame:
    """The activities whose offset was assumed (UTC: no zone set and no FIT file of the athlete to learn from)."""
    if "utc_offset_source" not in _columns_of(con, "activities"):
        return pl.DataFrame(schema=PLACED_COLUMNS)
    frame: pl.DataFrame = con.sql(
        """SELECT a.athlete, a.start_time_local, a.source_format, a.utc_offset_s, a.utc_offset_source, f.path
           FROM activities AS a LEFT JOIN source_files AS f USING (file_id)
           WHERE a.utc_offset_source = $source ORDER BY a.start_time_local DESC LIMIT $limit""",
        params={"source": contracts.OffsetSource.ASSUMED_UTC.value, "limit": limit},
    ).pl()
    return frame.cast({name: dtype for name, dtype in PLACED_COLUMNS.items()})


def ingest_runs(con: duckdb.DuckDBPyConnection, limit: int = 50) -> pl.DataFrame:
    """The newest ``limit`` ingest runs, newest first."""
    return _query(con, "ingest_runs", INGEST_RUNS_COLUMNS, order="started_at DESC", limit=limit)


def athletes(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Athletes with data or settings, with their display units (``metric`` when not set).

    The union of the ``athletes`` table (settings) and the athletes found in ``weekly_balance`` and
    ``source_files``, sorted by name.
    """
    names: set[str] = set()
    units: dict[str, str] = {}
    settings = _query(con, "athletes", ATHLETES_COLUMNS)
    for row in settings.iter_rows(named=True):
        names.add(row["athlete"])
        units[row["athlete"]] = row["units"] or "metric"
    for relation in ("weekly_balance", "source_files"):
        if relation_exists(con, relation):
            found = con.execute(f'SELECT DISTINCT athlete FROM "{relation}"').fetchall()
            names.update(name for (name,) in found if name is not None)
    ordered = sorted(names)
    return pl.DataFrame(
        {"athlete": ordered, "units": [units.get(name, "metric") for name in ordered]},
        schema=ATHLETES_COLUMNS,
    )


def date_bounds(con: duckdb.DuckDBPyConnection, athlete: str) -> tuple[date, date] | None:
    """The first and last ``week_start`` in ``weekly_balance`` for ``athlete``, or None when it has no rows."""
    if not relation_exists(con, "weekly_balance"):
        return None
    rows = con.execute(
        "SELECT min(week_start), max(week_start) FROM weekly_balance WHERE athlete = $athlete",
        {"athlete": athlete},
    ).fetchall()
    first, last = rows[0]
    if first is None or last is None:
        return None
    return first, last


def query(
    con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] = ()
) -> tuple[list[str], list[tuple[object, ...]]]:
    """Any SQL (the user's own, from ``fitbalance sql``) on a read-only connection: column names and every row."""
    cursor = con.execute(sql, list(params))
    columns = [d[0] for d in cursor.description] if cursor.description else []
    return columns, cursor.fetchall()


RECENT_WEEKS_SQL = """
SELECT athlete, iso_week AS week, resistance_sessions AS "strength sessions", resistance_days AS "strength days",
       round(resistance_minutes)::INT AS "strength min", round(other_minutes)::INT AS "other min",
       round(who_aerobic_minutes)::INT AS "aerobic min", CASE WHEN meets_guideline THEN 'yes' ELSE 'no' END
       AS "WHO met"
FROM weekly_balance
WHERE week_start > (SELECT max(week_start) FROM weekly_balance) - INTERVAL (?) WEEK
ORDER BY athlete, week_start DESC
"""


def recent_weeks(con: duckdb.DuckDBPyConnection, weeks: int) -> tuple[list[str], list[tuple[object, ...]]]:
    """The last ``weeks`` weeks of ``weekly_balance`` per athlete, newest first (``fitbalance summary``)."""
    return query(con, RECENT_WEEKS_SQL, [weeks])


UNMAPPED_NAMES_SQL = """
SELECT exercise_name, sets, activities, first_seen, last_seen, athletes FROM unmapped_exercises
WHERE exercise_name IS NOT NULL ORDER BY sets DESC, exercise_name
"""


def unmapped_names(con: duckdb.DuckDBPyConnection) -> tuple[list[str], list[tuple[object, ...]]]:
    """``unmapped_exercises`` as ``fitbalance unmapped`` lists it: most sets first (raises when there are no views)."""
    return query(con, UNMAPPED_NAMES_SQL)


# ---- progression: what to lift next time -------------------------------------------------------------------------

NEXT_SESSION_COLUMNS: dict[str, pl.DataType] = {
    "athlete": pl.String(),
    "exercise": pl.String(),
    "last_session_date": pl.Date(),
    "last_weight_kg": pl.Float64(),
    "next_weight_kg": pl.Float64(),
    "next_reps": pl.Int64(),
    "action": pl.String(),
    "reason": pl.String(),
    "weight_unit": pl.String(),
    "last_weight": pl.Float64(),
    "next_weight": pl.Float64(),
    "last_reps": pl.List(pl.Int64()),
    "is_bodyweight_exercise": pl.Boolean(),
}


def exercise_next_session(con: duckdb.DuckDBPyConnection, athlete: str | None = None) -> pl.DataFrame:
    """Rows of ``exercise_next_session`` (every athlete's, or ``athlete``'s), by athlete and exercise."""
    if athlete is None:
        return _query(con, "exercise_next_session", NEXT_SESSION_COLUMNS, order="athlete, exercise")
    return _query(
        con,
        "exercise_next_session",
        NEXT_SESSION_COLUMNS,
        "athlete = $athlete",
        {"athlete": athlete},
        "exercise",
    )


def use_progression_settings(con: duckdb.DuckDBPyConnection, rows: Sequence[tuple[object, ...]]) -> None:
    """Plan with these ``progression_settings`` rows instead of those the last ingest wrote, on this connection only.

    A temporary table of the same name hides the stored one from the views for the life of the (read-only)
    connection: ``fitbalance next --settings FILE`` shows the plan of a settings file edited since the last ingest.
    """
    if not relation_exists(con, "progression_settings"):
        return  # a database no ingest of this version has written: it has no plan to change
    con.execute("CREATE OR REPLACE TEMP TABLE progression_settings AS SELECT * FROM main.progression_settings LIMIT 0")
    if rows:
        con.executemany(
            "INSERT INTO temp.progression_settings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [list(r) for r in rows]
        )


TRAINING_LOAD_WEEKLY_COLUMNS: dict[str, pl.DataType] = {
    "athlete": pl.String(),
    "week_start": pl.Date(),
    "iso_week": pl.String(),
    "weekly_load": pl.Float64(),
    "strength_load": pl.Float64(),
    "endurance_load": pl.Float64(),
    "monotony": pl.Float64(),
    "strain": pl.Float64(),
    "training_days": pl.Int64(),
}


def training_load_weekly(
    con: duckdb.DuckDBPyConnection, athlete: str, start: date | None = None, end: date | None = None
) -> pl.DataFrame:
    """Rows of ``training_load_weekly`` (Foster's monotony and strain) for ``athlete`` within ``start..end``."""
    where, params = _span(athlete, start, end, "week_start")
    return _query(con, "training_load_weekly", TRAINING_LOAD_WEEKLY_COLUMNS, where, params, order="week_start")


REP_RECORDS_COLUMNS: dict[str, pl.DataType] = {
    "athlete": pl.String(),
    "exercise": pl.String(),
    "reps": pl.Int64(),
    "best_weight_kg": pl.Float64(),
    "best_weight_date": pl.Date(),
}


def rep_records(con: duckdb.DuckDBPyConnection, athlete: str) -> pl.DataFrame:
    """``athlete``'s rep records: the heaviest weight for at least 1 to 12 reps, per exercise."""
    return _query(con, "rep_records", REP_RECORDS_COLUMNS, "athlete = $athlete", {"athlete": athlete}, "exercise, reps")
