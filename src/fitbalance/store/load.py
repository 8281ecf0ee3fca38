"""The write side of the DuckDB store: schema, run bookkeeping and transactional batch loads.

Only this module and :mod:`fitbalance.store.views` hold a DuckDB connection, and they get it as an argument (the
:func:`open_store` context manager makes one). DuckDB locks the whole file against every other process while a
connection is open for writing, so the ingest opens the store for each short load transaction and closes it again:
a dashboard reading in between keeps answering.

A batch is loaded in one transaction: either every row of every file in it is there afterwards, or none is.

One ingest at a time: :func:`run_lock` holds ``<db>.ingest.lock`` for a whole run, so a second ingest on the same
database waits for the first (or gives up with a clear message) instead of interleaving its batches. Under that lock
:func:`begin_run` may mark a run still ``running`` as ``interrupted``: its process is gone.

Accounting: ``run_files`` gets one row per path a run discovered (:func:`record_seen`), updated with the file's
outcome in the transaction that loads it; :func:`unaccounted_files` lists any file that was seen but is in no table.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from fitbalance.config import Settings
from fitbalance.dedupe import CANDIDATE_SCHEMA, SESSION_SPAN, WINDOW_SCHEMA, duplicate_links, touched_windows
from fitbalance.errors import SETTING_STAGE, StoreError, StoreLockedError
from fitbalance.locks import open_lock_file, try_lock
from fitbalance.models import ACTIVITY_SCHEMA, LAP_SCHEMA, SAMPLE_SCHEMA, SET_SCHEMA, FileStatus
from fitbalance.normalize import ExerciseResolver
from fitbalance.process import REPEATED_NOTE, BatchResult, FileOutcome
from fitbalance.store.views import apply_schema, refresh_derived

CHILD_TABLES = ("strength_sets", "samples", "laps")
RUN_LOCK_SUFFIX = ".ingest.lock"
LOCK_MARKERS = ("could not set lock", "conflicting lock", "lock on file")


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> Iterator[str]:
    """Expose a polars frame to SQL as ``name`` for the duration of the block."""
    con.register(name, frame.to_arrow())
    try:
        yield name
    finally:
        with suppress(duckdb.Error):  # an aborted transaction refuses even this; the rollback cleans up
            con.unregister(name)


def _is_lock_error(exc: BaseException) -> bool:
    return any(marker in str(exc).lower() for marker in LOCK_MARKERS)


def connect(
    db_path: Path,
    *,
    read_only: bool = False,
    wait_s: float = 60.0,
    on_wait: Callable[[str], None] | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open the database, waiting up to ``wait_s`` while another process holds its lock.

    Raises :class:`StoreLockedError` when the lock is still held after ``wait_s``, and :class:`StoreError` when the
    file cannot be opened at all (no such folder, not a DuckDB file, no permission).
    """
    deadline = time.monotonic() + wait_s
    delay = 0.05
    told = False
    while True:
        try:
            return duckdb.connect(str(db_path), read_only=read_only)
        except (duckdb.IOException, duckdb.Error) as exc:
            if not _is_lock_error(exc):
                raise StoreError(f"cannot open database: {exc}", path=str(db_path), stage="load") from exc
            if time.monotonic() >= deadline:
                raise StoreLockedError(
                    f"database is locked by another process (waited {wait_s:.0f} s): {exc}",
                    path=str(db_path),
                    stage="load",
                ) from exc
            if on_wait is not None and not told:
                on_wait(f"database {db_path} is locked by another process; waiting up to {wait_s:.0f} s")
                told = True
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


@contextmanager
def open_store(db_path: Path, *, wait_s: float = 60.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """A write connection with the schema in place, closed on exit."""
    if not db_path.parent.exists():
        raise StoreError(f"folder {db_path.parent} does not exist", path=str(db_path), stage="load")
    con = connect(db_path, wait_s=wait_s)
    try:
        ensure_schema(con)
        yield con
    finally:
        con.close()


def run_lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + RUN_LOCK_SUFFIX)


@contextmanager
def run_lock(
    db_path: Path,
    *,
    wait_s: float = 600.0,
    on_wait: Callable[[str], None] | None = None,
    poll_s: float = 0.2,
) -> Iterator[None]:
    """Hold ``<db>.ingest.lock`` for the block: one ingest per database at a time.

    Waits up to ``wait_s`` while another ingest holds it (telling ``on_wait`` once, with the holder's pid and start
    time), then raises :class:`StoreLockedError`. The operating system releases the lock when the holder's process
    ends, however it ends, so a killed run never blocks the next one.
    """
    lock_path = run_lock_path(db_path)
    try:
        fh = open_lock_file(lock_path)
    except OSError as exc:
        raise StoreError(f"cannot open the ingest lock file {lock_path}: {exc}", path=str(db_path)) from exc
    with fh:
        deadline = time.monotonic() + wait_s
        told = False
        while not try_lock(fh):
            fh.seek(0)
            holder = fh.read(200).decode("utf-8", errors="replace").strip() or "unknown process"
            if time.monotonic() >= deadline:
                raise StoreLockedError(
                    f"another ingest is running on this database ({holder}); gave up after {wait_s:g} s",
                    path=str(db_path),
                    stage="load",
                )
            if on_wait is not None and not told:
                on_wait(f"another ingest is running on {db_path} ({holder}); waiting up to {wait_s:g} s")
                told = True
            time.sleep(poll_s)
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}, since {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC\n".encode())
        fh.flush()
        yield


def ingest_running(db_path: Path) -> bool:
    """Whether an ingest holds the database's run lock right now (a run marked ``running`` may have been killed)."""
    lock_path = run_lock_path(db_path)
    if not lock_path.exists():
        return False
    try:
        with open_lock_file(lock_path) as fh:
            return not try_lock(fh)  # taken only for this instant; closing the file releases it
    except OSError:
        return False


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the tables (and derived tables) when missing (idempotent)."""
    apply_schema(con)


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Run a query and fetch every row (DuckDB 2.0 keeps a half-read result open; never leave one)."""
    return con.execute(sql, list(params)).fetchall()


def known_files(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """file_id -> status of every file already recorded, less those waiting for a setting.

    A file quarantined because it needs a setting the athlete had not made (stage ``decode:settings``: the unit an
    app exported in) is left out, so the next run reads it again with the settings as they are then.
    """
    return {
        fid: status
        for fid, status in rows(
            con,
            """SELECT f.file_id, f.status FROM source_files AS f
               WHERE NOT (f.status = 'quarantined' AND EXISTS
                   (SELECT 1 FROM quarantine AS q WHERE q.file_id = f.file_id AND q.stage = ?))""",
            [SETTING_STAGE],
        )
    }


def begin_run(con: duckdb.DuckDBPyConnection, *, run_id: str, flow_run_id: str | None, started_at: datetime) -> None:
    """Record the start of a run, and mark runs still ``running`` as ``interrupted``.

    Call it while holding :func:`run_lock`: then no other run is alive, and a ``running`` row is a run that was
    killed before it could record its end.
    """
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            "UPDATE ingest_runs SET outcome = 'interrupted', detail = concat_ws('; ', nullif(detail, ''), ?) "
            "WHERE outcome = 'running'",
            [f"ended without recording its end (killed?); marked by run {run_id}"],
        )
        con.execute(
            "INSERT INTO ingest_runs (run_id, flow_run_id, started_at, outcome) VALUES (?, ?, ?, 'running')",
            [run_id, flow_run_id, started_at],
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def record_seen(
    con: duckdb.DuckDBPyConnection,
    *,
    run_id: str,
    pending: Sequence[tuple[str, str]],
    known: Sequence[tuple[str, str]],
    refused: Sequence[str],
) -> None:
    """Record every path the run discovered: ``pending`` and ``known`` as (path, file_id), ``refused`` paths."""
    seen = pl.DataFrame(
        {
            "run_id": run_id,
            "path": [p for p, _ in pending] + [p for p, _ in known] + list(refused),
            "file_id": [f for _, f in pending] + [f for _, f in known] + [None] * len(refused),
            "outcome": ["pending"] * len(pending) + ["known"] * len(known) + ["refused"] * len(refused),
        },
        schema={"run_id": pl.String(), "path": pl.String(), "file_id": pl.String(), "outcome": pl.String()},
    )
    if seen.height == 0:
        return
    con.execute("BEGIN TRANSACTION")
    try:
        with registered(con, "_seen", seen):
            con.execute("INSERT INTO run_files BY NAME SELECT * FROM _seen")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def finish_run(
    con: duckdb.DuckDBPyConnection,
    *,
    run_id: str,
    ended_at: datetime,
    outcome: str,
    counts: dict[str, int],
    detail: str = "",
) -> None:
    con.execute(
        """UPDATE ingest_runs SET ended_at = ?, outcome = ?, files_seen = ?, files_loaded = ?, files_skipped = ?,
               files_known = ?, files_quarantined = ?, activities_added = ?, sets_added = ?, detail = ?
           WHERE run_id = ?""",
        [
            ended_at,
            outcome,
            counts.get("seen", 0),
            counts.get("loaded", 0),
            counts.get("skipped", 0),
            counts.get("known", 0),
            counts.get("quarantined", 0),
            counts.get("activities", 0),
            counts.get("sets", 0),
            detail,
            run_id,
        ],
    )


def refresh_athletes(con: duckdb.DuckDBPyConnection, settings: Settings, names: Sequence[str]) -> None:
    """Write the settings of every athlete in the file (and any athlete named by this run) to ``athletes``."""
    wanted = dict.fromkeys([*settings.athletes, *names])
    con.execute("BEGIN")
    try:
        for name in wanted:
            a = settings.athlete(name)
            con.execute(
                "INSERT OR REPLACE INTO athletes VALUES (?, ?, ?, ?, ?, ?, ?)",
                [a.name, a.time_zone, a.birth_year, a.max_hr, a.resting_hr, a.sex, a.units],
            )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def refresh_exercises(con: duckdb.DuckDBPyConnection, catalog: pl.DataFrame) -> None:
    """Replace the ``exercises`` table with the catalogue rows (columns as in the table)."""
    con.execute("BEGIN")
    try:
        con.execute("DELETE FROM exercises")
        if catalog.height:
            with registered(con, "_catalog", catalog):
                con.execute("INSERT INTO exercises BY NAME SELECT * FROM _catalog")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def remap_exercises(con: duckdb.DuckDBPyConnection, athlete: str, resolve: ExerciseResolver) -> int:
    """Re-resolve the canonical ``exercise`` of an athlete's loaded sets with the current catalogue and settings.

    A mapping added to the settings file (or a catalogue that learned a name) reaches the sets already loaded: each
    distinct (name, category) is resolved again and the sets whose ``exercise`` changes are updated, in one
    transaction; ``exercise_category`` is filled from the catalogue only where it is still null. Returns how many
    sets changed.
    """
    pairs = rows(
        con,
        """SELECT DISTINCT s.exercise_name, s.exercise_category, s.exercise FROM strength_sets AS s
           JOIN activities AS a ON a.activity_id = s.activity_id WHERE a.athlete = ? AND s.set_type <> 'rest'""",
        [athlete],
    )
    changes = []
    for name, category, current in pairs:
        match = resolve(name, category)
        wanted = match.exercise if match else None
        if wanted != current:
            changes.append((name, category, wanted, match.fit_category if match else None))
    if not changes:
        return 0
    frame = pl.DataFrame(
        changes,
        schema={"name": pl.String(), "category": pl.String(), "exercise": pl.String(), "fit_category": pl.String()},
        orient="row",
    )
    con.execute("BEGIN TRANSACTION")
    try:
        with registered(con, "_remap", frame):
            changed = rows(
                con,
                """UPDATE strength_sets AS s
                   SET exercise = m.exercise, exercise_category = coalesce(s.exercise_category, m.fit_category)
                   FROM _remap AS m
                   WHERE s.exercise_name IS NOT DISTINCT FROM m.name
                     AND s.exercise_category IS NOT DISTINCT FROM m.category
                     AND s.set_type <> 'rest'
                     AND s.activity_id IN (SELECT activity_id FROM activities WHERE athlete = ?)
                   RETURNING s.activity_id""",
                [athlete],
            )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return len(changed)


_CHANGED_SCHEMA: dict[str, pl.DataType] = {
    "athlete": pl.String(),
    "start_time_utc": pl.Datetime("us"),
    "elapsed_s": pl.Float64(),
}


def _delete_activities(
    con: duckdb.DuckDBPyConnection, where: str, params: list[Any]
) -> list[tuple[str, str, datetime, float | None]]:
    """Delete the activities matching ``where`` with their child rows; returns (id, athlete, start, elapsed) of each."""
    for table in CHILD_TABLES:
        con.execute(
            f"DELETE FROM {table} WHERE activity_id IN (SELECT activity_id FROM activities WHERE {where})",
            params,
        )
    deleted = rows(
        con, f"DELETE FROM activities WHERE {where} RETURNING activity_id, athlete, start_time_utc, elapsed_s", params
    )
    return [(activity_id, a, start, elapsed) for activity_id, a, start, elapsed in deleted]


_CANDIDATES_SQL = """
WITH candidates AS (
    SELECT a.*, bool_or(a.start_time_utc BETWEEN w.lo AND w.hi) AS recompute
    FROM activities AS a
    JOIN _windows AS w
      ON w.athlete = a.athlete AND a.start_time_utc BETWEEN w.lo - ?::INTERVAL AND w.hi + ?::INTERVAL
    GROUP BY ALL
),
sampled AS (
    SELECT DISTINCT activity_id FROM samples WHERE activity_id IN (SELECT activity_id FROM candidates)
)
SELECT c.activity_id, c.athlete, c.source_format, c.start_time_utc, c.elapsed_s, c.moving_s, c.distance_m,
       c.calories_kcal, c.avg_hr, c.max_hr, c.category, c.sport, s.activity_id IS NOT NULL AS has_samples,
       f.first_ingested_at AS loaded_at, c.recompute
FROM candidates AS c
LEFT JOIN sampled AS s ON s.activity_id = c.activity_id
LEFT JOIN source_files AS f ON f.file_id = c.file_id
"""
_ALL_WINDOWS_SQL = """
SELECT athlete, min(start_time_utc) - ?::INTERVAL, max(start_time_utc) + ?::INTERVAL
FROM activities WHERE list_contains(?, athlete) GROUP BY athlete
"""


def link_duplicates(
    con: duckdb.DuckDBPyConnection, athletes: Sequence[str], *, changed: pl.DataFrame | None = None
) -> int:
    """Recompute ``activities.duplicate_of`` (see :mod:`fitbalance.dedupe`) for these athletes' activities.

    With ``changed`` (``athlete``, ``start_time_utc``, ``elapsed_s`` of activities just added or removed), only the
    days around them are recomputed; without, every activity of the athletes. Runs inside the caller's transaction
    (``load_batch`` calls it before its commit, so a batch's activities are never visible unlinked). Returns how
    many rows changed: recomputing unchanged data changes none.
    """
    if changed is not None:
        windows = touched_windows(changed.filter(pl.col("athlete").is_in(list(athletes))))
    elif athletes:
        found = rows(con, _ALL_WINDOWS_SQL, [SESSION_SPAN, SESSION_SPAN, list(athletes)])
        windows = pl.DataFrame(found, schema=WINDOW_SCHEMA, orient="row")
    else:
        return 0
    if windows.height == 0:
        return 0
    with registered(con, "_windows", windows):
        found = rows(con, _CANDIDATES_SQL, [SESSION_SPAN, SESSION_SPAN])
    if not found:
        return 0
    candidates = pl.DataFrame(found, schema={**CANDIDATE_SCHEMA, "recompute": pl.Boolean()}, orient="row")
    links = duplicate_links(candidates).join(
        candidates.filter("recompute").select("activity_id"), on="activity_id", how="semi"
    )
    with registered(con, "_links", links):
        updated = rows(
            con,
            """UPDATE activities SET duplicate_of = l.duplicate_of FROM _links AS l
               WHERE activities.activity_id = l.activity_id
                 AND activities.duplicate_of IS DISTINCT FROM l.duplicate_of
               RETURNING activities.activity_id""",
        )
    return len(updated)


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame, schema: dict[str, pl.DataType]) -> None:
    if frame.height == 0:
        return
    with registered(con, f"_new_{table}", frame.select(list(schema))) as name:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {name}")


_FILES_SCHEMA: dict[str, pl.DataType] = {
    "file_id": pl.String(),
    "path": pl.String(),
    "format": pl.String(),
    "size_bytes": pl.Int64(),
    "status": pl.String(),
    "detail": pl.String(),
}


def _files_frame(outcomes: Sequence[FileOutcome]) -> pl.DataFrame:
    """One row per file of the batch (the last outcome when a file_id came twice)."""
    latest = {o.file_id: o for o in outcomes}
    return pl.DataFrame(
        [(o.file_id, o.path, o.format, o.size_bytes, o.status.value, o.detail) for o in latest.values()],
        schema=_FILES_SCHEMA,
        orient="row",
    )


def _replaced_files(con: duckdb.DuckDBPyConnection, files: str, run_id: str) -> list[tuple[str, str | None]]:
    """Earlier content at the paths of the batch's files: (file_id, another path where this run still found it).

    The batch's files replace that content's rows, unless the same content still lies at another path the run
    discovered (a copy): then it stays loaded and its ``source_files`` row moves to that path.
    """
    found = rows(
        con,
        f"""SELECT s.file_id, min(other.path)
            FROM source_files AS s
            JOIN {files} AS f ON s.path = f.path AND s.file_id <> f.file_id
            LEFT JOIN run_files AS other
              ON other.run_id = ? AND other.file_id = s.file_id AND other.path <> s.path
            GROUP BY s.file_id""",
        [run_id],
    )
    return [(file_id, still_at) for file_id, still_at in found]


def _record_files(con: duckdb.DuckDBPyConnection, files: str, *, athlete: str, run_id: str, now: datetime) -> None:
    """``source_files`` rows for the batch's files, and their final outcome in this run's ``run_files``."""
    con.execute(
        f"""INSERT INTO source_files
               (file_id, path, format, size_bytes, status, detail, athlete, first_ingested_at, last_seen_at, run_id)
           SELECT file_id, path, format, size_bytes, status, detail, $athlete, $now, $now, $run_id FROM {files}
           ON CONFLICT (file_id) DO UPDATE SET path = excluded.path, format = excluded.format,
               status = excluded.status, detail = excluded.detail, athlete = excluded.athlete,
               last_seen_at = excluded.last_seen_at, run_id = excluded.run_id""",
        {"athlete": athlete, "now": now, "run_id": run_id},
    )
    con.execute(
        f"DELETE FROM run_files WHERE run_id = ? AND outcome = 'pending' AND path IN (SELECT path FROM {files})",
        [run_id],
    )
    con.execute(
        f"INSERT INTO run_files (run_id, path, file_id, outcome) SELECT ?, path, file_id, status FROM {files}",
        [run_id],
    )


def _existing_ids(con: duckdb.DuckDBPyConnection, activities: pl.DataFrame) -> set[str]:
    if activities.height == 0:
        return set()
    with registered(con, "_batch_ids", activities.select("activity_id")):
        found = rows(
            con,
            "SELECT activity_id FROM activities WHERE activity_id IN (SELECT activity_id FROM _batch_ids)",
        )
    return {r[0] for r in found}


def _note_repeats(outcomes: Sequence[FileOutcome], activities: pl.DataFrame, existing: set[str]) -> list[FileOutcome]:
    """The outcomes, each saying how many of its activities were already loaded from an earlier file.

    The same words as :func:`fitbalance.process.process_batch` uses for a repeat within one batch, so a file's
    ``detail`` does not depend on how the files were cut into batches (or on where an earlier run was killed).
    """
    if not existing:
        return list(outcomes)
    per_file = dict(
        activities.filter(pl.col("activity_id").is_in(list(existing))).group_by("file_id").len().iter_rows()
    )
    return [
        replace(o, detail=_with_note(o.detail, per_file[o.file_id])) if o.file_id in per_file else o for o in outcomes
    ]


def _with_note(detail: str, repeated: int) -> str:
    """``detail`` with the repeat note where :func:`fitbalance.process.process_batch` puts it: before the warnings."""
    head, sep, warnings = detail.partition("; decoder warnings: ")
    return f"{head}; {repeated} {REPEATED_NOTE}{sep}{warnings}"


def load_batch(
    con: duckdb.DuckDBPyConnection, batch: BatchResult, *, athlete: str, run_id: str, now: datetime
) -> dict[str, int]:
    """Load one processed batch in a single transaction; returns the rows added per table.

    - A file whose path was loaded before with other content replaces that content's rows (activities, their
      sets/samples/laps, quarantine rows and the old ``source_files`` row).
    - An activity already present (the same session from another file, or an export that repeats its whole
      history) is not loaded again: the first copy stays, and the count of repeats is returned.
    - ``activities``, ``sets`` and ``samples`` count what is new: an updated export at the same path (the app's
      whole history again plus new workouts) replaces its rows but adds only its new workouts to the counts.
    - Before the commit, the athlete's duplicate links are recomputed (:func:`link_duplicates`): the same session
      from two sources is counted once from the moment it is visible.
    """
    tables = batch.tables
    touched: list[str] = []  # activities whose derived rows must be rebuilt
    con.execute("BEGIN TRANSACTION")
    try:
        known_before = _existing_ids(con, tables.activities)
        removed: list[tuple[str, datetime, float | None]] = []
        with registered(con, "_batch_files", _files_frame(batch.outcomes)) as files:
            # a file read again: its new quarantine rows replace the old ones
            con.execute(f"DELETE FROM quarantine WHERE file_id IN (SELECT file_id FROM {files})")
            for old_id, still_at in _replaced_files(con, files, run_id):  # other content at the same path
                if still_at is not None:  # ... that a copy elsewhere still holds: it stays, found there now
                    con.execute("UPDATE source_files SET path = ? WHERE file_id = ?", [still_at, old_id])
                    continue
                gone = _delete_activities(con, "file_id = ?", [old_id])
                touched += [activity_id for activity_id, *_ in gone]
                removed += [(athlete_, start, elapsed) for _, athlete_, start, elapsed in gone]
                con.execute("DELETE FROM quarantine WHERE file_id = ?", [old_id])
                con.execute("DELETE FROM source_files WHERE file_id = ?", [old_id])
        existing = _existing_ids(con, tables.activities)
        outcomes = _note_repeats(batch.outcomes, tables.activities, existing)
        tables, repeated = tables.without(existing)  # a session loaded before from another file: keep the first
        _insert(con, "activities", tables.activities, ACTIVITY_SCHEMA)
        _insert(con, "strength_sets", tables.sets, SET_SCHEMA)
        _insert(con, "samples", tables.samples, SAMPLE_SCHEMA)
        _insert(con, "laps", tables.laps, LAP_SCHEMA)
        if tables.activities.height or removed:
            removed_frame = pl.DataFrame(removed, schema=_CHANGED_SCHEMA, orient="row")
            changed = pl.concat([tables.activities.select(list(_CHANGED_SCHEMA)), removed_frame])
            link_duplicates(con, changed["athlete"].unique().to_list(), changed=changed)
        if batch.quarantine.height:
            q = batch.quarantine.with_columns(
                pl.lit(run_id).alias("run_id"), pl.lit(now, dtype=pl.Datetime("us")).alias("created_at")
            )
            with registered(con, "_q", q):
                con.execute("INSERT INTO quarantine BY NAME SELECT * FROM _q")
        with registered(con, "_batch_files", _files_frame(outcomes)) as files:
            _record_files(con, files, athlete=athlete, run_id=run_id, now=now)
        refresh_derived(con, [*touched, *tables.activities["activity_id"].to_list()])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    # an updated export at the same path replaces its rows: only the sessions not known before count as added
    new = tables.without(known_before)[0] if known_before else tables
    working = new.sets.filter(pl.col("set_type") != "rest").height if new.sets.height else 0
    return {
        "activities": new.activities.height,
        "sets": working,
        "samples": new.samples.height,
        "quarantine_rows": batch.quarantine.height,
        "repeated": repeated,
        **{s.value: sum(o.status is s for o in batch.outcomes) for s in FileStatus},
    }


def record_problems(
    con: duckdb.DuckDBPyConnection,
    problems: Sequence[tuple[str, str]],
    *,
    athlete: str,
    run_id: str,
    now: datetime,
) -> None:
    """Quarantine what discovery refused (archive members, unreadable paths): one row each, no file content."""
    if not problems:
        return
    con.execute("BEGIN TRANSACTION")
    try:
        for path, reason in problems:
            con.execute(  # a refusal already on record (an earlier run saw the same archive) is not repeated
                "INSERT INTO quarantine (file_id, path, stage, reason, payload, run_id, created_at) "
                "SELECT NULL, ?, 'discover', ?, NULL, ?, ? WHERE NOT EXISTS "
                "(SELECT 1 FROM quarantine WHERE stage = 'discover' AND path = ? AND reason = ?)",
                [path, reason, run_id, now, path, reason],
            )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


RUN_COLUMNS = (
    "run_id",
    "flow_run_id",
    "started_at",
    "ended_at",
    "outcome",
    "files_seen",
    "files_loaded",
    "files_skipped",
    "files_known",
    "files_quarantined",
    "activities_added",
    "sets_added",
    "detail",
)


def last_runs(con: duckdb.DuckDBPyConnection, limit: int = 10) -> list[dict[str, Any]]:
    """The most recent ``ingest_runs`` rows, newest first."""
    found = rows(con, f"SELECT {', '.join(RUN_COLUMNS)} FROM ingest_runs ORDER BY started_at DESC LIMIT ?", [limit])
    return [dict(zip(RUN_COLUMNS, r, strict=True)) for r in found]


UNACCOUNTED_SQL = """
SELECT rf.run_id, r.started_at, r.outcome AS run_outcome, rf.path, rf.file_id, rf.outcome
FROM run_files rf JOIN ingest_runs r USING (run_id)
WHERE NOT EXISTS (SELECT 1 FROM source_files s WHERE s.file_id = rf.file_id)
  AND NOT (rf.file_id IS NULL
           AND EXISTS (SELECT 1 FROM quarantine q WHERE q.stage = 'discover' AND q.path = rf.path))
  AND NOT EXISTS (  -- a later run loaded other content from the same path, which replaced this content's rows
      SELECT 1 FROM source_files s JOIN ingest_runs later ON later.run_id = s.run_id
      WHERE s.path = rf.path AND s.file_id <> rf.file_id AND later.started_at >= r.started_at)
ORDER BY r.started_at, rf.path
"""


def unaccounted_files(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Files a run discovered that are in no table: neither in ``source_files`` nor refused with a quarantine row.

    Only a run that ended before reaching them (``pending`` rows of an interrupted or failed run, until the next
    run loads them) should ever show up here.
    """
    columns = ("run_id", "started_at", "run_outcome", "path", "file_id", "outcome")
    return [dict(zip(columns, r, strict=True)) for r in rows(con, UNACCOUNTED_SQL)]
