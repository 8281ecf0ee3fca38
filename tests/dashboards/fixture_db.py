"""The sample database the dashboard tests read: the real tables and views, with two athletes' 16 weeks of training.

The tables of fitbalance.contracts are filled with a generated training history (``history.py``: activities, strength
sets, the exercise catalogue, athletes) and the bookkeeping an ingest leaves (source files, quarantine rows, ingest
runs); the views are applied with ``fitbalance.store.views.apply_views``. So the dashboards are tested on what the
views really compute.

Two athletes: ``ana`` (metric, born 1985) and ``ben`` (imperial, born 1955: 65+), 16 weeks from 2024-11-18 to the
week of 2025-03-03. Nothing depends on the clock: every date is fixed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from fitbalance.store import views
from tests.dashboards import history


def _bookkeeping(con: duckdb.DuckDBPyConnection) -> None:
    """Source files, quarantine rows, a repair, two ingest runs, and two of ben's Strava runs placed as UTC (no zone
    set, no FIT file of his), as an ingest records them."""
    at = datetime(2025, 3, 6, 21, 30)
    files = [
        ("garmin/2025-03-03-strength.fit", "fit", "loaded", None, "ana"),
        ("garmin/2025-03-04-run.fit", "fit", "loaded", None, "ana"),
        ("garmin/2025-03-05-run.fit", "fit", "loaded", None, "ana"),
        ("garmin/monitoring-0305.fit", "fit", "skipped", "monitoring", "ana"),
        ("garmin/broken.fit", "fit", "quarantined", "FIT CRC mismatch", "ana"),
        ("hevy/workouts.csv", "csv:hevy", "loaded", None, "ana"),
        ("strava/activities.csv", "csv:strava", "loaded", None, "ben"),
        ("strong/strong.csv", "csv:strong", "loaded", None, "ben"),
        ("notes.txt", "unknown", "quarantined", "no reader recognises this file", "ben"),
    ]
    for i, (path, fmt, status, detail, athlete) in enumerate(files):
        con.execute(
            "INSERT INTO source_files (file_id, path, format, size_bytes, status, detail, athlete, first_ingested_at, "
            "last_seen_at, run_id) VALUES ($id, $p, $f, $n, $s, $d, $a, $t, $t, 'run-2')",
            {
                "id": f"sha{i:03d}",
                "p": path,
                "f": fmt,
                "n": 1000 + 17 * i,
                "s": status,
                "d": detail,
                "a": athlete,
                "t": at - timedelta(days=len(files) - i),
            },
        )
    quarantined = "INSERT INTO quarantine (file_id, path, stage, reason, run_id, created_at) VALUES "
    con.execute(
        quarantined + "('sha004', 'garmin/broken.fit', 'decode', $reason, 'run-2', $t)",
        {"reason": "FIT CRC mismatch: expected 0x1a2b, got 0x0000", "t": at},
    )
    con.execute(
        quarantined + "(NULL, 'notes.txt', 'discover', $reason, 'run-2', $t)",
        {"reason": "no reader recognises this file (tried: fit, garmin, strava, hevy, strong)", "t": at},
    )
    con.execute(
        "INSERT INTO repairs (file_id, path, activity_id, table_name, column_name, rule, original, rows, run_id, "
        "created_at) SELECT 'sha001', 'garmin/2025-03-04-run.fit', min(activity_id), 'activities', 'avg_hr', "
        "'no_reading', '0', 1, 'run-2', $t FROM activities WHERE athlete = 'ana'",
        {"t": at},
    )
    con.execute(
        "UPDATE activities SET utc_offset_source = 'assumed_utc' WHERE activity_id IN "
        "(SELECT activity_id FROM activities WHERE athlete = 'ben' ORDER BY start_time_local LIMIT 2)"
    )
    runs = (
        "INSERT INTO ingest_runs (run_id, started_at, ended_at, outcome, files_seen, files_loaded, files_skipped, "
        "files_known, files_quarantined, activities_added, sets_added) VALUES "
    )
    con.execute(
        runs + "('run-1', $a, $b, 'completed', 7, 6, 1, 0, 0, 120, 900)",
        {"a": at - timedelta(days=1), "b": at - timedelta(days=1) + timedelta(seconds=42)},
    )
    con.execute(
        runs + "('run-2', $a, $b, 'completed', 9, 2, 0, 5, 2, 3, 24)",
        {"a": at, "b": at + timedelta(seconds=8)},
    )


def build(path: Path, *, empty: bool = False, seed: int = 7) -> Path:
    """Write the sample database to ``path``; ``empty`` makes it a fresh install's (tables and views, no rows)."""
    con = duckdb.connect(str(path))
    try:
        views.apply_views(con)
        if not empty:
            history.insert(con, seed)
            _bookkeeping(con)
            views.refresh_derived(con)
    finally:
        con.close()
    return path


def drop_strength_sets(path: Path) -> None:
    """Remove every strength set (the resistance activities stay): an athlete who logs no sets."""
    con = duckdb.connect(str(path))
    try:
        con.execute("DELETE FROM strength_sets")
    finally:
        con.close()


if __name__ == "__main__":  # pragma: no cover - a developer's helper: python -m tests.dashboards.fixture_db OUT
    import sys

    print(build(Path(sys.argv[1])))
