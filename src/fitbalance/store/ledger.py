"""The run ledger: one ingest at a time, what each run saw, and how it ended.

- :func:`run_lock` holds ``<db>.ingest.lock`` for a whole run, so a second ingest on the same database waits for the
  first (or gives up with a clear message) instead of interleaving its batches; :func:`ingest_running` asks whether
  one holds it now.
- ``ingest_runs`` has one row per run: :func:`begin_run` writes it (and marks runs still ``running`` as
  ``interrupted``: under the lock, their process is gone), :func:`finish_run` records the outcome and the counts.
- ``run_files`` gets one row per path a run discovered (:func:`record_seen`), updated with the file's outcome in the
  transaction that loads it; :func:`unaccounted_files` lists any file that was seen but is in no table.
- What discovery refused (archive members, unreadable paths) becomes ``discover`` quarantine rows
  (:func:`record_problems`); :func:`known_files` is what the planner may skip, :func:`file_states` what it needs to
  decide which recorded files to read again (:mod:`fitbalance.rereads`); a file that should have been read again but
  could not be is marked (:func:`record_unreadable`) and listed (:func:`reread_problems`), as are the quarantined
  files waiting for another attempt (:func:`retry_states`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from fitbalance.errors import SETTING_STAGE, StoreError, StoreLockedError
from fitbalance.locks import open_lock_file, try_lock
from fitbalance.rereads import FILE_STATE_SCHEMA
from fitbalance.store.connection import registered, rows, transaction

RUN_LOCK_SUFFIX = ".ingest.lock"
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


FILE_STATE_SQL = """
SELECT file_id, path, format, status, read_settings, reader_version, attempts
FROM source_files WHERE athlete = ? ORDER BY path
"""


def file_states(con: duckdb.DuckDBPyConnection, athlete: str) -> pl.DataFrame:
    """The recorded files of ``athlete``, with what they were read with (:data:`fitbalance.rereads.FILE_STATE_SCHEMA`
    columns)."""
    return pl.DataFrame(rows(con, FILE_STATE_SQL, [athlete]), schema=FILE_STATE_SCHEMA, orient="row")


def record_unreadable(con: duckdb.DuckDBPyConnection, problems: Sequence[tuple[str, str]]) -> None:
    """Mark files that should have been read again but could not be: (file_id, why and what stopped it)."""
    if not problems:
        return
    frame = pl.DataFrame(problems, schema={"file_id": pl.String(), "problem": pl.String()}, orient="row")
    with transaction(con), registered(con, "_unreadable", frame):
        con.execute(
            "UPDATE source_files SET reread_problem = u.problem FROM _unreadable AS u "
            "WHERE source_files.file_id = u.file_id"
        )


def _has_column(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    """Whether ``table`` has ``column`` (a database made by an older release, opened read-only, may not)."""
    return bool(
        rows(
            con,
            "SELECT 1 FROM information_schema.columns WHERE table_schema = 'main' AND table_name = ? "
            "AND column_name = ?",
            [table, column],
        )
    )


def reread_problems(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Files that should have been read again but could not be (their rows stay as they were), by path."""
    if not _has_column(con, "source_files", "reread_problem"):
        return []
    found = rows(con, "SELECT path, reread_problem FROM source_files WHERE reread_problem IS NOT NULL ORDER BY path")
    return [{"path": path, "problem": problem} for path, problem in found]


def retry_states(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Quarantined files that failed for a reason not their own: how often, and their last reason, by path."""
    if not _has_column(con, "source_files", "attempts"):
        return []
    found = rows(
        con,
        "SELECT path, attempts, detail FROM source_files WHERE status = 'quarantined' AND attempts > 0 ORDER BY path",
    )
    return [{"path": path, "attempts": attempts, "detail": detail} for path, attempts, detail in found]


def begin_run(con: duckdb.DuckDBPyConnection, *, run_id: str, flow_run_id: str | None, started_at: datetime) -> None:
    """Record the start of a run, and mark runs still ``running`` as ``interrupted``.

    Call it while holding :func:`run_lock`: then no other run is alive, and a ``running`` row is a run that was
    killed before it could record its end.
    """
    with transaction(con):
        con.execute(
            "UPDATE ingest_runs SET outcome = 'interrupted', detail = concat_ws('; ', nullif(detail, ''), ?) "
            "WHERE outcome = 'running'",
            [f"ended without recording its end (killed?); marked by run {run_id}"],
        )
        con.execute(
            "INSERT INTO ingest_runs (run_id, flow_run_id, started_at, outcome) VALUES (?, ?, ?, 'running')",
            [run_id, flow_run_id, started_at],
        )


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
    with transaction(con), registered(con, "_seen", seen):
        con.execute("INSERT INTO run_files BY NAME SELECT * FROM _seen")


def record_problems(
    con: duckdb.DuckDBPyConnection,
    problems: Sequence[tuple[str, str]],
    *,
    run_id: str,
    now: datetime,
) -> None:
    """Quarantine what discovery refused (archive members, unreadable paths): one row each, no file content."""
    if not problems:
        return
    with transaction(con):
        for path, reason in problems:
            con.execute(  # a refusal already on record (an earlier run saw the same archive) is not repeated
                "INSERT INTO quarantine (file_id, path, stage, reason, payload, run_id, created_at) "
                "SELECT NULL, ?, 'discover', ?, NULL, ?, ? WHERE NOT EXISTS "
                "(SELECT 1 FROM quarantine WHERE stage = 'discover' AND path = ? AND reason = ?)",
                [path, reason, run_id, now, path, reason],
            )


def finish_run(
    con: duckdb.DuckDBPyConnection,
    *,
    run_id: str,
    ended_at: datetime,
    outcome: str,
    counts: dict[str, int],
    detail: str = "",
) -> None:
    """Record how run ``run_id`` ended, with its counts (``seen``, ``loaded``, ``skipped``, ``known``, ...)."""
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
