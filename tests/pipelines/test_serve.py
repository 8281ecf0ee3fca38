"""``fitbalance serve`` against a real Prefect server: scheduled runs pick up what is dropped into the inbox."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import duckdb
import psutil
import pytest

from tests.pipelines.conftest import bad_crc, rows

pytestmark = [pytest.mark.server, pytest.mark.slow, pytest.mark.timeout(420)]

FITBALANCE = Path(sys.executable).with_name("fitbalance")
FIRST_RUN_S = 240.0  # a fresh server migrates its database first: 15-50 s on a busy 2-core machine
LATER_RUN_S = 120.0
SERVER_PID = re.compile(r"started here \(pid (\d+), supervisor pid (\d+)")
SUMMARY = re.compile(r"^inbox .+: \d+ new files loaded \(\d+ activities, \d+ sets\), \d+ quarantined, ")


class Served:
    """A ``fitbalance serve`` process, its output, and every process seen under it."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.lines: list[str] = []
        self.seen: dict[int, psutil.Process] = {}
        self.supervisor: int | None = None  # the local server's, detached from serve: not one of its descendants
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        with self.process.stdout as out:  # closed at the end of the output, when the process is gone
            for line in out:
                self.lines.append(line.rstrip("\n"))
                if match := SERVER_PID.search(line):
                    self.supervisor = int(match.group(2))
                    self._remember(int(match.group(1)))
                    self._remember(self.supervisor)

    def _remember(self, pid: int) -> None:
        with suppress(psutil.Error):
            self.seen.setdefault(pid, psutil.Process(pid))

    def note_descendants(self) -> None:
        for root in [pid for pid in (self.process.pid, self.supervisor) if pid is not None]:
            with suppress(psutil.Error):
                for child in psutil.Process(root).children(recursive=True):
                    self._remember(child.pid)

    def finish_reading(self) -> None:
        self._reader.join(timeout=10)

    def survivors(self) -> list[psutil.Process]:
        alive = []
        for p in self.seen.values():
            with suppress(psutil.Error):
                if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                    alive.append(p)
        return alive

    def output(self) -> str:
        return "\n".join(self.lines)


@contextmanager
def serve(inbox: Path, db: Path, home: Path, **extra_env: str) -> Iterator[Served]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API_URL")} | extra_env
    env |= {
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",  # default 10 s: the test would mostly wait
        "PREFECT_UI_ENABLED": "false",  # the server starts faster without building the UI
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
    command = [str(FITBALANCE), "serve", "--inbox", str(inbox), "--db", str(db), "--every-seconds", "3"]
    command += ["--prefect-home", str(home)]
    process = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    served = Served(process)
    try:
        yield served
    finally:  # whatever happened, nothing this test started outlives it
        served.note_descendants()
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        for p in served.seen.values():
            with suppress(psutil.Error):
                p.kill()
        process.wait(timeout=30)


def wait_for(what: str, check: Callable[[], bool], served: Served, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        served.note_descendants()
        if served.process.poll() is not None:
            pytest.fail(f"serve exited ({served.process.returncode}) while waiting for {what}:\n{served.output()}")
        if check():
            return
        time.sleep(0.5)
    pytest.fail(f"timed out after {timeout_s:.0f} s waiting for {what}:\n{served.output()}")


def status_of(db: Path, name: str) -> str | None:
    """The status of the inbox file ``name``, or None (also while the database is busy being written)."""
    if not db.exists():
        return None
    try:
        found = rows(db, "SELECT status FROM source_files WHERE path LIKE ?", [f"%/{name}"])
    except duckdb.Error:  # the serving process holds the write lock for the moment: ask again
        return None
    return found[0][0] if found else None


def completed_runs(db: Path) -> int:
    """How many runs recorded their end as completed (0 while the database is busy being written)."""
    try:
        return int(rows(db, "SELECT count(*) FROM ingest_runs WHERE outcome = 'completed'")[0][0])
    except duckdb.Error:
        return 0


def drop(inbox: Path, name: str, data: bytes) -> None:
    """Write the file under a hidden name and rename it, as a careful copier does."""
    tmp = inbox / f".{name}.part"
    tmp.write_bytes(data)
    tmp.rename(inbox / name)


def test_scheduled_runs_load_new_files_and_survive_a_corrupt_one(tmp_path: Path, activity_fits: list[bytes]) -> None:
    """It serves an interval schedule on a real server it starts itself: files dropped into the inbox are loaded by
    the next runs, a corrupt file is quarantined and later runs still load new files; SIGTERM stops the runner and
    the server, leaving no process behind and exiting 0."""
    inbox, db = tmp_path / "inbox", tmp_path / "training.duckdb"
    inbox.mkdir()
    with serve(inbox, db, tmp_path / "prefect") as served:
        drop(inbox, "a.fit", activity_fits[0])
        drop(inbox, "b.fit", activity_fits[1])
        wait_for(
            "a.fit and b.fit loaded",
            lambda: status_of(db, "a.fit") == status_of(db, "b.fit") == "loaded",
            served,
            FIRST_RUN_S,
        )

        drop(inbox, "broken.fit", bad_crc(activity_fits[2]))
        wait_for("broken.fit quarantined", lambda: status_of(db, "broken.fit") == "quarantined", served, LATER_RUN_S)

        drop(inbox, "c.fit", activity_fits[3])
        wait_for("c.fit loaded after the corrupt file", lambda: status_of(db, "c.fit") == "loaded", served, LATER_RUN_S)
        # a run records its end after its last batch: wait for it, not a moment (SIGTERM in between fails the run)
        wait_for("three runs completed", lambda: completed_runs(db) >= 3, served, LATER_RUN_S)
        served.note_descendants()
        assert len(served.seen) >= 2, served.output()  # at least the server and a flow run were seen

        served.process.send_signal(signal.SIGTERM)
        assert served.process.wait(timeout=90) == 0, served.output()
        served.finish_reading()
        deadline = time.monotonic() + 20
        while served.survivors() and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not served.survivors(), f"left running: {served.survivors()}\n{served.output()}"

    assert rows(db, "SELECT count(*) FROM activities") == [(3,)]
    reasons = rows(db, "SELECT reason FROM quarantine WHERE path LIKE '%/broken.fit'")
    assert reasons and "bad CRC" in reasons[0][0]
    summaries = [line for line in served.lines if SUMMARY.match(line)]
    assert any(", 1 quarantined," in line for line in summaries), served.output()
    assert completed_runs(db) >= 3
