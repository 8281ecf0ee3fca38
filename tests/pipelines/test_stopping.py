"""Every process a command started ends when the command is asked to stop: SIGTERM (what systemd, Docker and process
supervisors send) or SIGINT to ``fitbalance dashboard`` ends its Streamlit server, and nothing keeps the port; SIGTERM
to ``fitbalance ingest`` running the flow in its own process ends its decoder processes, and the run can be done again.

``fitbalance serve`` is stopped the same way in tests/pipelines/test_serve.py, and the local server's own stops
(``fitbalance server stop``, its idle timeout, a warm ingest) in tests/pipelines/test_localserver.py.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import suppress
from pathlib import Path

import psutil
import pytest

pytestmark = [pytest.mark.server, pytest.mark.slow, pytest.mark.timeout(900)]

FITBALANCE = Path(sys.executable).with_name("fitbalance")
START_S = 120.0
STOP_S = 60.0  # the command gives Streamlit 8 s before SIGKILL; this only keeps a stuck test from hanging


def descendants(pid: int) -> list[psutil.Process]:
    with suppress(psutil.Error):
        return psutil.Process(pid).children(recursive=True)
    return []


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_to_the_dashboard_command_ends_streamlit_and_frees_the_port(
    sig: signal.Signals, tmp_path: Path
) -> None:
    """The signal goes to the command's process only (as `kill` sends it): the command exits 0, no process it
    started is left, and the port takes a new listener."""
    port = free_port()
    command = [str(FITBALANCE), "dashboard", "--db", str(tmp_path / "none.duckdb"), "--port", str(port)]
    cli = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    started: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + START_S
        while not answers(f"http://127.0.0.1:{port}/_stcore/health"):
            assert cli.poll() is None, cli.communicate()[0]
            assert time.monotonic() < deadline, "the dashboard did not start"
            time.sleep(0.25)
        started = psutil.Process(cli.pid).children(recursive=True)
        assert started, "Streamlit runs in a process of its own"
        cli.send_signal(sig)
        assert cli.wait(timeout=STOP_S) == 0
        _, alive = psutil.wait_procs(started, timeout=STOP_S)
        assert not alive, f"left running: {alive}"
        assert not [c for c in psutil.net_connections("tcp") if c.laddr.port == port and c.status == "LISTEN"]
        with socket.socket() as sock:  # a new server can listen there (as Streamlit does, with SO_REUSEADDR)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", port))
            sock.listen()
    finally:
        for process in started:
            with suppress(psutil.Error):
                process.kill()
        if cli.poll() is None:
            cli.kill()
        cli.communicate()


def test_sigterm_to_an_ingest_ends_its_worker_processes_and_the_run_can_be_done_again(tmp_path: Path) -> None:
    """``fitbalance ingest --no-server --workers 2`` stopped while its decoder processes work: it exits non-zero, every
    process it started ends, no batch is half-written (the next run loads every file once)."""
    from fitbalance.store.ledger import ingest_running
    from synth import generate_corpus  # type: ignore[import-not-found, unused-ignore]
    from tests.pipelines.conftest import rows

    inbox, db = tmp_path / "inbox", tmp_path / "t.duckdb"
    files = generate_corpus(inbox, 64, seed=9)
    command = [str(FITBALANCE), "ingest", str(inbox), "--db", str(db), "--workers", "2", "--no-server"]
    cli = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    started: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + START_S
        while not (ingest_running(db) and len(descendants(cli.pid)) >= 2):  # the pool's processes are at work
            assert cli.poll() is None, cli.communicate()[0]
            assert time.monotonic() < deadline, "the ingest did not start its workers"
            time.sleep(0.1)
        started = descendants(cli.pid)
        cli.send_signal(signal.SIGTERM)
        assert cli.wait(timeout=STOP_S) != 0
        _, alive = psutil.wait_procs(started, timeout=STOP_S)
        assert not alive, f"left running: {alive}"
    finally:
        for process in started:
            with suppress(psutil.Error):
                process.kill()
        if cli.poll() is None:
            cli.kill()
        cli.communicate()
    again = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    assert again.returncode == 0, again.stdout + again.stderr
    assert rows(db, "SELECT count(*) FROM source_files WHERE status = 'loaded'") == [(len(files),)]
