"""The batch loader: one processed batch into the store, in one transaction.

A batch is loaded in one transaction (:func:`~fitbalance.store.connection.transaction`): either every row of every
file in it is there afterwards, or none is. The connection comes as an argument (the flow opens one with
:func:`~fitbalance.store.connection.open_store` for each short load, so a dashboard reading in between keeps
answering). In the same transaction the loader replaces content that changed at a path, replaces the rows of a file
read again (its settings changed, a retry, ``fitbalance reprocess``), leaves out sessions already loaded from
another file, applies the user's corrections to what it loads (:mod:`fitbalance.store.corrections`), records the
repairs of the rows it loads, records each file in ``source_files`` and the run's ``run_files``, adds the batch's
rows to the run's row accounts (``run_rows``: read, loaded, quarantined, repeated, repaired), places again the
activities whose source gave no offset (:mod:`fitbalance.store.placement`), and recomputes the duplicate links around
what changed (:mod:`fitbalance.store.links`) and the derived heart-rate table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import duckdb
import polars as pl

from fitbalance.contracts import NOT_EXERCISE_SET_TYPES, TABLE_NAMES
from fitbalance.models import (
    ACTIVITY_SCHEMA,
    LAP_SCHEMA,
    REPAIRS_SCHEMA,
    SAMPLE_SCHEMA,
    SET_SCHEMA,
    BatchResult,
    FileOutcome,
    FileStatus,
    LoadCounts,
    Tables,
)
from fitbalance.store.connection import registered, rows, transaction
from fitbalance.store.corrections import apply_corrections
from fitbalance.store.links import CHANGED_SCHEMA, link_duplicates
from fitbalance.store.placement import place_times
from fitbalance.store.views import refresh_derived

CHILD_TABLES = ("strength_sets", "samples", "laps")
DERIVED_BATCH = 500
"""Activities whose derived rows are rebuilt in one statement: the statement holds their samples in memory."""


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
    "retryable": pl.Boolean(),
    "read_settings": pl.String(),
    "reader_version": pl.String(),
}


def _files_frame(outcomes: Sequence[FileOutcome]) -> pl.DataFrame:
    """One row per file of the batch (the last outcome when a file_id came twice)."""
    latest = {o.file_id: o for o in outcomes}
    return pl.DataFrame(
        [
            (
                o.file_id,
                o.path,
                o.format,
                o.size_bytes,
                o.status.value,
                o.detail,
                o.status is FileStatus.QUARANTINED and o.retryable,
                o.read_settings,
                o.reader_version,
            )
            for o in latest.values()
        ],
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
    """``source_files`` rows for the batch's files, and their final outcome in this run's ``run_files``.

    ``attempts`` counts the reads in a row that failed for a reason not the file's own (0 after any other outcome);
    a file read again has no ``reread_problem`` any more.
    """
    con.execute(
        f"""INSERT INTO source_files
               (file_id, path, format, size_bytes, status, detail, athlete, first_ingested_at, last_seen_at, run_id,
                reader_version, read_settings, attempts, reread_problem)
           SELECT file_id, path, format, size_bytes, status, detail, $athlete, $now, $now, $run_id,
                  reader_version, read_settings, CASE WHEN retryable THEN 1 ELSE 0 END, NULL
           FROM {files}
           ON CONFLICT (file_id) DO UPDATE SET path = excluded.path, format = excluded.format,
               status = excluded.status, detail = excluded.detail, athlete = excluded.athlete,
               last_seen_at = excluded.last_seen_at, run_id = excluded.run_id,
               reader_version = excluded.reader_version, read_settings = excluded.read_settings,
               attempts = CASE WHEN excluded.attempts > 0 THEN coalesce(source_files.attempts, 0) + 1 ELSE 0 END,
               reread_problem = NULL""",
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


def _loaded_repairs(repairs: pl.DataFrame, activities: pl.DataFrame) -> pl.DataFrame:
    """The repairs of the activities this batch inserts (a session already loaded keeps the first file's)."""
    if repairs.height == 0 or activities.height == 0:
        return pl.DataFrame(schema=REPAIRS_SCHEMA)
    return repairs.join(activities.select("file_id", "activity_id"), on=["file_id", "activity_id"], how="semi")


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
    """The outcomes, each counting also its activities already loaded from an earlier file.

    :func:`fitbalance.process.process_batch` counts the repeats within one batch the same way, so a file's outcome
    does not depend on how the files were cut into batches (or on where an earlier run was killed).
    """
    if not existing:
        return list(outcomes)
    per_file = dict(
        activities.filter(pl.col("activity_id").is_in(list(existing))).group_by("file_id").len().iter_rows()
    )
    return [replace(o, repeated=o.repeated + per_file[o.file_id]) if o.file_id in per_file else o for o in outcomes]


_ACCOUNT_SQL = """
INSERT INTO run_rows (run_id, table_name, rows_read, rows_loaded, rows_quarantined, rows_repeated, fields_repaired)
SELECT ?, table_name, rows_read, rows_loaded, rows_quarantined, rows_repeated, fields_repaired FROM _accounts
ON CONFLICT (run_id, table_name) DO UPDATE SET
    rows_read = run_rows.rows_read + excluded.rows_read,
    rows_loaded = run_rows.rows_loaded + excluded.rows_loaded,
    rows_quarantined = run_rows.rows_quarantined + excluded.rows_quarantined,
    rows_repeated = run_rows.rows_repeated + excluded.rows_repeated,
    fields_repaired = run_rows.fields_repaired + excluded.fields_repaired
"""
_ACCOUNT_SCHEMA: dict[str, pl.DataType] = {
    "table_name": pl.String(),
    "rows_read": pl.Int64(),
    "rows_loaded": pl.Int64(),
    "rows_quarantined": pl.Int64(),
    "rows_repeated": pl.Int64(),
    "fields_repaired": pl.Int64(),
}


def _per_table(frame: pl.DataFrame) -> dict[str, int]:
    """The sum of ``rows`` per ``table_name`` of quarantine or repairs rows."""
    if frame.height == 0:
        return {}
    summed = frame.filter(pl.col("table_name").is_not_null()).group_by("table_name").agg(pl.col("rows").sum())
    return {table: int(n) for table, n in summed.iter_rows()}


def _account(
    con: duckdb.DuckDBPyConnection,
    batch: BatchResult,
    *,
    run_id: str,
    loaded: Tables,
    left_out: Tables,
    repairs: pl.DataFrame,
    parts: _Parts,
) -> None:
    """Add the batch's rows to the run's accounts: read = loaded + quarantined + repeated, per table."""
    inserted, kept = loaded.heights, left_out.heights
    inserted["samples"] += parts.inserted
    kept["samples"] += parts.rows
    quarantined, repaired = _per_table(batch.quarantine), _per_table(repairs)
    accounts = pl.DataFrame(
        [
            (
                table,
                batch.read.get(table, 0),
                inserted[table],
                quarantined.get(table, 0),
                batch.repeated.get(table, 0) + kept[table] - inserted[table],
                repaired.get(table, 0),
            )
            for table in TABLE_NAMES
        ],
        schema=_ACCOUNT_SCHEMA,
        orient="row",
    )
    with registered(con, "_accounts", accounts):
        con.execute(_ACCOUNT_SQL, [run_id])


@dataclass(frozen=True)
class _Parts:
    """The samples rows of a batch's Parquet parts: in the parts, inserted, inserted of activities new to the store."""

    rows: int = 0
    inserted: int = 0
    new: int = 0


def _insert_parts(
    con: duckdb.DuckDBPyConnection, parts: Sequence[str], activities: pl.DataFrame, known_before: set[str]
) -> _Parts:
    """Insert the samples a batch streamed to Parquet parts (a big export's), one part at a time from disk, for the
    activities inserted (``activities``); a session loaded before from another file keeps its own samples."""
    if not parts:
        return _Parts()
    columns = ", ".join(SAMPLE_SCHEMA)
    ids = activities.select("activity_id", pl.col("activity_id").is_in(list(known_before)).alias("known"))
    rows = inserted = new = 0
    with registered(con, "_part_activities", ids) as names:
        for part in parts:
            rows += rows_count(con, "SELECT count(*) FROM read_parquet(?)", [part])
            new += rows_count(
                con,
                f"SELECT count(*) FROM read_parquet(?) WHERE activity_id IN "
                f"(SELECT activity_id FROM {names} WHERE NOT known)",
                [part],
            )
            inserted += rows_count(
                con,
                f"INSERT INTO samples ({columns}) SELECT {columns} FROM read_parquet(?) "
                f"WHERE activity_id IN (SELECT activity_id FROM {names})",
                [part],
            )
    return _Parts(rows, inserted, new)


def rows_count(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> int:
    """The one number a count or an INSERT returns."""
    found = con.execute(sql, params).fetchone()
    return int(found[0]) if found else 0


def load_batch(
    con: duckdb.DuckDBPyConnection, batch: BatchResult, *, athlete: str, run_id: str, now: datetime
) -> LoadCounts:
    """Load one processed batch in a single transaction; returns what it added.

    - A file whose path was loaded before with other content replaces that content's rows (activities, their
      sets/samples/laps, quarantine rows and the old ``source_files`` row).
    - A file loaded before (read again: its settings changed, a retry, ``fitbalance reprocess``) replaces its own
      rows; they keep their ids, so the corrections made to them hold.
    - An activity already present (the same session from another file, or an export that repeats its whole
      history) is not loaded again: the first copy stays, and the count of repeats is returned.
    - ``activities``, ``sets`` and ``samples`` count what is new: an updated export at the same path (the app's
      whole history again plus new workouts) replaces its rows but adds only its new workouts to the counts.
    - The corrections made with ``fitbalance classify`` and ``fitbalance correct-set`` apply to the rows loaded
      (:func:`~fitbalance.store.corrections.apply_corrections`), so a file read again keeps them.
    - Repairs are recorded for the rows loaded; the run's row accounts (``run_rows``) grow by the batch's.
    - Before the commit, the athlete's activities without a given offset are placed again (:func:`place_times`)
      and the duplicate links are recomputed (:func:`link_duplicates`): the same session from two sources is
      counted once from the moment it is visible.
    """
    tables = batch.tables
    validated = tables
    touched: list[str] = []  # activities whose derived rows must be rebuilt
    with transaction(con):
        known_before = _existing_ids(con, tables.activities)
        removed: list[tuple[str, datetime, float | None]] = []
        with registered(con, "_batch_files", _files_frame(batch.outcomes)) as files:
            # a file read again: its new rows, quarantine rows and repairs replace the old ones
            con.execute(f"DELETE FROM quarantine WHERE file_id IN (SELECT file_id FROM {files})")
            con.execute(f"DELETE FROM repairs WHERE file_id IN (SELECT file_id FROM {files})")
            read_again = f"file_id IN (SELECT file_id FROM {files})"
            if rows(con, f"SELECT 1 FROM activities WHERE {read_again} LIMIT 1"):  # else no child table is scanned
                gone = _delete_activities(con, read_again, [])
                touched += [activity_id for activity_id, *_ in gone]
                removed += [(athlete_, start, elapsed) for _, athlete_, start, elapsed in gone]
            for old_id, still_at in _replaced_files(con, files, run_id):  # other content at the same path
                if still_at is not None:  # ... that a copy elsewhere still holds: it stays, found there now
                    con.execute("UPDATE source_files SET path = ? WHERE file_id = ?", [still_at, old_id])
                    continue
                gone = _delete_activities(con, "file_id = ?", [old_id])
                touched += [activity_id for activity_id, *_ in gone]
                removed += [(athlete_, start, elapsed) for _, athlete_, start, elapsed in gone]
                con.execute("DELETE FROM quarantine WHERE file_id = ?", [old_id])
                con.execute("DELETE FROM repairs WHERE file_id = ?", [old_id])
                con.execute("DELETE FROM source_files WHERE file_id = ?", [old_id])
        existing = _existing_ids(con, tables.activities)
        outcomes = _note_repeats(batch.outcomes, tables.activities, existing)
        tables, repeated = tables.without(existing)  # a session loaded before from another file: keep the first
        _insert(con, "activities", tables.activities, ACTIVITY_SCHEMA)
        _insert(con, "strength_sets", tables.sets, SET_SCHEMA)
        _insert(con, "samples", tables.samples, SAMPLE_SCHEMA)
        parts = _insert_parts(con, batch.sample_parts, tables.activities, known_before)
        _insert(con, "laps", tables.laps, LAP_SCHEMA)
        apply_corrections(con, tables.activities["activity_id"].to_list())
        stamp = [pl.lit(run_id).alias("run_id"), pl.lit(now, dtype=pl.Datetime("us")).alias("created_at")]
        if batch.quarantine.height:
            with registered(con, "_q", batch.quarantine.with_columns(stamp)):
                con.execute("INSERT INTO quarantine BY NAME SELECT * FROM _q")
        repairs = _loaded_repairs(batch.repairs, tables.activities)
        if repairs.height:
            with registered(con, "_r", repairs.with_columns(stamp)):
                con.execute("INSERT INTO repairs BY NAME SELECT * FROM _r")
        _account(con, batch, run_id=run_id, loaded=tables, left_out=validated, repairs=repairs, parts=parts)
        # the files first: the links rank an activity by when its file was first loaded, the batch's own included
        with registered(con, "_batch_files", _files_frame(outcomes)) as files:
            _record_files(con, files, athlete=athlete, run_id=run_id, now=now)
        athletes = sorted({athlete, *tables.activities["athlete"].to_list()})
        moved = place_times(con, athletes)  # a FIT file just loaded moves the CSV times near it
        if tables.activities.height or removed or moved.height:
            removed_frame = pl.DataFrame(removed, schema=CHANGED_SCHEMA, orient="row")
            changed = pl.concat([tables.activities.select(list(CHANGED_SCHEMA)), removed_frame, moved])
            link_duplicates(con, changed["athlete"].unique().to_list(), changed=changed)
        changed_ids = [*touched, *tables.activities["activity_id"].to_list()]
        for at in range(0, len(changed_ids), DERIVED_BATCH):  # a big export's thousands of workouts, a few at once
            refresh_derived(con, changed_ids[at : at + DERIVED_BATCH])
    # an updated export at the same path replaces its rows: only the sessions not known before count as added
    new = tables.without(known_before)[0] if known_before else tables
    working = new.sets.filter(~pl.col("set_type").is_in(NOT_EXERCISE_SET_TYPES)).height if new.sets.height else 0
    return LoadCounts(
        activities=new.activities.height,
        sets=working,
        samples=new.samples.height + parts.new,
        quarantine_rows=batch.quarantine.height,
        repairs=repairs.height,
        repeated=repeated,
        loaded=sum(o.status is FileStatus.LOADED for o in batch.outcomes),
        skipped=sum(o.status is FileStatus.SKIPPED for o in batch.outcomes),
        quarantined=sum(o.status is FileStatus.QUARANTINED for o in batch.outcomes),
    )
