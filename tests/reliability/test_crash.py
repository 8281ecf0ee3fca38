"""Crash safety: an ingest killed with SIGKILL at random moments, then run to the end, gives exactly the database an
uninterrupted run gives: same rows in every table, no duplicates, no orphans, the same quarantine, and every run
accounted for (the killed ones marked ``interrupted``, their scratch folders deleted).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from .conftest import Driver, events
from .dbcheck import CLEAN, integrity, snapshot
from .inputs import build_inputs

# The kill moments are drawn from SEED; whatever they hit, the outcome must be the same. For a longer hunt:
#   FITBALANCE_CRASH_SEED=7 FITBALANCE_CRASH_KILLS=20 .venv/bin/pytest tests/reliability/test_crash.py
KILLS = int(os.environ.get("FITBALANCE_CRASH_KILLS", "6"))
SEED = int(os.environ.get("FITBALANCE_CRASH_SEED", "20260307"))


def _run_to_end(start_driver: Driver, db: Path, inputs: Path) -> dict[str, object]:
    proc = start_driver(db, inputs)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err[-3000:]
    summary = [e for e in map(events, out.splitlines()) if e["event"] == "summary"]
    assert summary, out[-2000:]
    return summary[0]


def _kill_at_random(start_driver: Driver, db: Path, inputs: Path, rng: random.Random) -> str:
    """Start an ingest, wait for a randomly chosen moment, SIGKILL its whole process group; say where it died."""
    proc = start_driver(db, inputs)
    assert proc.stdout is not None
    fraction = rng.choice([0.0, rng.random(), rng.random(), rng.random()])  # 0: while starting, planning, ...
    delay = rng.uniform(0.0, 3.0) if fraction == 0.0 else rng.uniform(0.0, 0.5)
    seen = "nothing"
    try:
        for line in proc.stdout:
            e = events(line)
            if e["event"] == "start" and fraction == 0.0:
                seen = "start"
                break
            if e["event"] == "progress" and e["done"] >= fraction * e["total"] and (e["done"] or not fraction):
                seen = f"{e['done']} of {e['total']} files"
                break
            if e["event"] == "summary":
                seen = "the end"
                break
        time.sleep(delay)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()
        proc.stderr.close()
    return f"{seen} + {delay:.2f} s"


@pytest.mark.slow
def test_killed_ingests_resume_to_the_same_database(
    tmp_path: Path, start_driver: Driver, driver_env: dict[str, str]
) -> None:
    inputs = build_inputs(tmp_path / "exports")
    reference = tmp_path / "reference.duckdb"
    _run_to_end(start_driver, reference, inputs)
    expected = snapshot(reference)
    assert integrity(reference) == CLEAN
    assert len(expected["activities"]) > 20 and len(expected["quarantine"]) >= 7

    crashed = tmp_path / "crashed.duckdb"
    rng = random.Random(SEED)
    moments = [_kill_at_random(start_driver, crashed, inputs, rng) for _ in range(KILLS)]
    final = _run_to_end(start_driver, crashed, inputs)
    again = _run_to_end(start_driver, crashed, inputs)

    got = snapshot(crashed)
    for table in expected:
        assert got[table] == expected[table], f"{table} differs after kills at {moments}"
    assert integrity(crashed) == CLEAN, moments
    assert again["loaded"] == again["activities_added"] == 0 and again["quarantined"] == 1  # the refused member

    con = duckdb.connect(str(crashed), read_only=True)
    try:
        outcomes = [r[0] for r in con.execute("SELECT outcome FROM ingest_runs ORDER BY started_at").fetchall()]
    finally:
        con.close()
    assert outcomes[-2:] == ["completed", "completed"], moments
    assert set(outcomes[:-2]) <= {"interrupted", "completed"}, moments  # a kill may land after the end
    assert final["files_seen"] == again["files_seen"]
    assert not list(Path(driver_env["TMPDIR"]).glob("fitbalance-run-*")), "a killed run's scratch folder is left"
    print("killed at:", moments)


def test_a_kill_during_a_load_transaction_leaves_no_partial_batch(tmp_path: Path) -> None:
    """The loader's own guarantee, with a real process: SIGKILL in the middle of a big INSERT, then nothing of
    that batch is there, and the database opens cleanly."""
    db = tmp_path / "t.duckdb"
    script = f"""
import duckdb, sys
con = duckdb.connect({str(db)!r})
con.execute("CREATE TABLE t (i BIGINT, s VARCHAR)")
con.execute("INSERT INTO t VALUES (0, 'committed')")
con.execute("BEGIN TRANSACTION")
print("begun", flush=True)
con.execute("INSERT INTO t SELECT range, repeat('x', 100) FROM range(1, 50000000)")
con.execute("COMMIT")
print("committed", flush=True)
"""
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, start_new_session=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "begun"
    time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT count(*), min(s) FROM t").fetchall() == [(1, "committed")]
    finally:
        con.close()
