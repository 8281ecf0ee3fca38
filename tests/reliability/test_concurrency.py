"""Concurrency with real processes: two ingests on one database run one after the other (or the second gives up with
a clear message), and a dashboard-style reader keeps answering while an ingest writes.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from fitbalance.errors import StoreLockedError
from fitbalance.store import ledger

from .conftest import Driver, events
from .dbcheck import CLEAN, integrity, snapshot
from .inputs import build_inputs


def _finish(proc: subprocess.Popen[str]) -> tuple[list[dict[str, object]], str]:
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err[-3000:]
    return [events(line) for line in out.splitlines()], err


def _runs(db: Path) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(
            "SELECT started_at, ended_at, outcome, files_seen, files_loaded, files_known FROM ingest_runs "
            "ORDER BY started_at"
        ).fetchall()
    finally:
        con.close()


def _wait_until_locked(db: Path, proc: subprocess.Popen[str], timeout_s: float = 120.0) -> None:
    """Return once ``proc`` holds the database's ingest lock (a non-blocking attempt of ours fails)."""
    lock_path = ledger.run_lock_path(db)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the first ingest ended before it was seen holding the lock"
        if lock_path.exists():
            with open(lock_path, "rb") as fh:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    return
                fcntl.flock(fh, fcntl.LOCK_UN)
        time.sleep(0.05)
    raise AssertionError("the first ingest never took the lock")


@pytest.mark.slow
def test_two_ingests_at_once_run_one_after_the_other(tmp_path: Path, start_driver: Driver) -> None:
    """Started together on one database: the second waits for the first's lock, then finds every file known. The
    result is the database one ingest makes, and the runs' time spans do not overlap."""
    inputs = build_inputs(tmp_path / "exports")
    reference = tmp_path / "reference.duckdb"
    _finish(start_driver(reference, inputs))

    db = tmp_path / "shared.duckdb"
    first = start_driver(db, inputs)
    _wait_until_locked(db, first)  # on a busy machine the first may otherwise finish before the second starts
    second = start_driver(db, inputs)
    _finish(first), _finish(second)
    # whether the second had to wait depends on how long its start-up took; the message it prints when it does is
    # tested deterministically, with a process holding the lock, in test_the_second_ingest_gives_up_...

    (_, end1, outcome1, seen1, loaded1, _), (start2, _, outcome2, seen2, loaded2, known2) = _runs(db)
    assert end1 is not None and start2 >= end1  # type: ignore[operator]
    assert outcome1 == outcome2 == "completed" and seen1 == seen2
    assert loaded1 > 20 and loaded2 == 0 and known2 == seen2 - 1  # all known but the member discovery refuses
    assert snapshot(db) == snapshot(reference)
    assert integrity(db) == CLEAN


HOLDER = """
import sys, time
from pathlib import Path
from fitbalance.store.ledger import run_lock
with run_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(120)
"""


@pytest.mark.slow
def test_the_second_ingest_gives_up_with_a_clear_message(
    tmp_path: Path, start_driver: Driver, driver_env: dict[str, str]
) -> None:
    """With a short --wait, `fitbalance ingest` on a database whose ingest lock is held exits 1 naming the holder,
    and writes nothing. (The holder is a process holding the lock as an ingest does, so the timing is certain.)"""
    inputs = build_inputs(tmp_path / "exports")
    db = tmp_path / "t.duckdb"
    _finish(start_driver(db, inputs))
    before = snapshot(db), _runs(db)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db)], env=driver_env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        cli = Path(sys.executable).with_name("fitbalance")
        second = subprocess.run(
            [str(cli), "ingest", str(inputs), "--db", str(db), "--wait", "1"],
            env=driver_env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        holder.kill()
        holder.wait()
        assert holder.stdout is not None
        holder.stdout.close()
    message = " ".join(second.stderr.split())
    assert second.returncode == 1, second.stdout + second.stderr
    assert f"another ingest is running on this database (pid {holder.pid}, since" in message
    assert "gave up after 1 s" in message
    assert (snapshot(db), _runs(db)) == before


READER = """
import json, sys, time
from pathlib import Path
from fitbalance.store.connection import connect
db, gate, stop = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
answers, waits = [], 0
while not db.exists():
    time.sleep(0.05)
while not stop.exists():
    committed = list(gate.glob("loaded-*"))  # batches committed before this look
    started = time.monotonic()
    con = connect(db, read_only=True, wait_s=60)
    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        n = con.execute("SELECT count(*) FROM activities").fetchall()[0][0] if "activities" in tables else 0
    finally:
        con.close()
    answers.append([n, round(time.monotonic() - started, 3)])
    for batch in committed:  # looked after it: the ingest may go on to the next batch
        (gate / batch.name.replace("loaded-", "seen-")).touch()
    time.sleep(0.02)
print(json.dumps(answers))
"""


@pytest.mark.slow
def test_a_dashboard_reader_keeps_answering_during_an_ingest(
    tmp_path: Path, start_driver: Driver, driver_env: dict[str, str]
) -> None:
    """A read-only reader polling the database through a whole ingest gets every answer it asks for (waiting while
    a batch is written), and only ever sees whole batches: the count of activities never goes down. It sees every
    step: the ingest (the library's, through its ``on_batch`` callback: the driver's ``--gate``) waits after each
    batch's commit until the reader has looked, so the reader's answers hold the count after each batch, whatever
    the machine's speed."""
    inputs = build_inputs(tmp_path / "exports", good=40)
    db = tmp_path / "t.duckdb"
    gate, stop = tmp_path / "gate", tmp_path / "stop"
    gate.mkdir()
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(db), str(gate), str(stop)],
        env=driver_env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        ingest_events, _ = _finish(start_driver(db, inputs, batch_size=1, gate=gate))
    finally:
        stop.touch()
        (gate / "open").touch()  # should the reader have died: no ingest waits for it
        out, _ = reader.communicate(timeout=120)
    assert reader.returncode == 0
    answers = json.loads(out)
    counts = [n for n, _ in answers]
    summary = next(e for e in ingest_events if e["event"] == "summary")
    loaded = sorted(p.name.removeprefix("loaded-") for p in gate.glob("loaded-*"))
    seen = sorted(p.name.removeprefix("seen-") for p in gate.glob("seen-*"))
    files = [e for e in ingest_events if e["event"] == "progress"][-1]["total"]
    assert loaded == [f"{n:06d}" for n in range(files)] == seen  # a batch per file, each one waited for the reader
    assert counts == sorted(counts) and counts[-1] == summary["activities_added"]
    con = duckdb.connect(str(db), read_only=True)
    try:
        (files_with_activities,) = con.execute("SELECT count(DISTINCT file_id) FROM activities").fetchall()[0]
    finally:
        con.close()
    # each batch (one file) that added activities made a new count, and the reader saw each one
    assert len(set(counts) - {0}) == files_with_activities > 40


def test_the_run_lock_is_released_when_its_holder_is_killed(tmp_path: Path) -> None:
    """A process that dies holding the ingest lock (SIGKILL) does not block the next run."""
    db = tmp_path / "t.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from fitbalance.store.ledger import run_lock\n"
            f"with run_lock(Path({str(db)!r})):\n    print('held', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    messages: list[str] = []
    with (
        pytest.raises(StoreLockedError, match="another ingest is running"),
        ledger.run_lock(db, wait_s=0.3, on_wait=messages.append, poll_s=0.05),
    ):
        pass
    assert messages and f"pid {holder.pid}" in messages[0]
    os.kill(holder.pid, 9)
    holder.wait()
    holder.stdout.close()
    started = time.monotonic()
    with ledger.run_lock(db, wait_s=5):
        assert time.monotonic() - started < 5
