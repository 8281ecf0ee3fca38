"""Read a fitbalance database back for comparison: table contents without run ids and clock values."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from fitbalance.store import ledger

# one row per run, per run and file, or per run and table (the row accounts of what each run read): differ by design
RUN_TABLES = {"ingest_runs", "run_files", "run_rows"}
RUN_COLUMNS = {"run_id", "first_ingested_at", "last_seen_at", "created_at"}  # which run wrote a row, and when


def snapshot(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table but the run bookkeeping, sorted, duplicates kept (a duplicate row shows up as a difference),
    without the columns that say which run wrote a row and when."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' ORDER BY 1"
        ).fetchall()
        out = {}
        for (table,) in tables:
            if table in RUN_TABLES:
                continue
            columns = con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
                [table],
            ).fetchall()
            kept = ", ".join(f'"{c}"' for (c,) in columns if c not in RUN_COLUMNS)
            out[table] = sorted(con.execute(f'SELECT {kept} FROM "{table}"').fetchall(), key=repr)
        return out
    finally:
        con.close()


def integrity(db: Path) -> dict[str, Any]:
    """Orphans, duplicates, runs left 'running', row accounts that do not add up, and files seen but in no table; all
    should be empty/zero."""
    con = duckdb.connect(str(db), read_only=True)
    try:

        def one(sql: str) -> Any:
            return con.execute(sql).fetchall()[0][0]

        return {
            "orphan_sets": one(
                "SELECT count(*) FROM strength_sets WHERE activity_id NOT IN (SELECT activity_id FROM activities)"
            ),
            "orphan_samples": one(
                "SELECT count(*) FROM samples WHERE activity_id NOT IN (SELECT activity_id FROM activities)"
            ),
            "orphan_laps": one(
                "SELECT count(*) FROM laps WHERE activity_id NOT IN (SELECT activity_id FROM activities)"
            ),
            "activities_without_file": one(
                "SELECT count(*) FROM activities WHERE file_id NOT IN (SELECT file_id FROM source_files)"
            ),
            "duplicate_samples": one(
                "SELECT count(*) FROM (SELECT activity_id, timestamp_utc FROM samples GROUP BY ALL HAVING count(*) > 1)"
            ),
            "duplicate_quarantine": one(
                "SELECT count(*) FROM (SELECT file_id, path, stage, reason, payload FROM quarantine "
                "GROUP BY ALL HAVING count(*) > 1)"
            ),
            "runs_left_running": one("SELECT count(*) FROM ingest_runs WHERE outcome = 'running'"),
            # each run's row accounts add up, the runs killed half-way included (their rolled-back batch counts nowhere)
            "accounts_not_adding_up": one(
                "SELECT count(*) FROM run_rows WHERE rows_read <> rows_loaded + rows_quarantined + rows_repeated"
            ),
            "unaccounted": ledger.unaccounted_files(con),
        }
    finally:
        con.close()


CLEAN = {
    "orphan_sets": 0,
    "orphan_samples": 0,
    "orphan_laps": 0,
    "activities_without_file": 0,
    "duplicate_samples": 0,
    "duplicate_quarantine": 0,
    "runs_left_running": 0,
    "accounts_not_adding_up": 0,
    "unaccounted": [],
}
