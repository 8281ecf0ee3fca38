"""A real Prefect API server on localhost, and the processes around it.

:func:`start_server` runs ``prefect server start --host 127.0.0.1 --port <free port>`` as a subprocess in its own
process group, with its state (a SQLite database of flow runs and logs) in the ``PREFECT_HOME`` it is given, waits for
``/api/health``, and on exit stops the whole process group: SIGTERM, then SIGKILL after a grace period. The local
server's supervisor (:mod:`fitbalance.pipelines.localserver`) is built on it. :func:`stop_children` ends the flow-run
processes a runner leaves behind when it is stopped. No Prefect import at the top: this module is used before Prefect
is imported, so that its logging settings (:data:`SERVE_ENV`) apply.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import psutil

API_URL_VAR = "PREFECT_API_URL"
STARTUP_TIMEOUT_S = 180.0  # a first start migrates a fresh SQLite database; 15-50 s on a busy 2-core machine
STOP_GRACE_S = 8.0  # a server's process group after SIGTERM, before SIGKILL
RUN_STOP_GRACE_S = 5.0  # a flow run after SIGTERM rolls back its open batch and records the end of the run
SERVE_ENV = {  # every log still reaches the API (the UI shows it); the terminal gets one line per run and warnings
    "PREFECT_LOGGING_LEVEL": "INFO",
    "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "WARNING",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
}


class ServerStartError(RuntimeError):
    """The local Prefect server did not become healthy in time (its log says why)."""


@dataclass(frozen=True)
class Api:
    """A server we started: its URL, the pid of its process group's leader, its home and log."""

    url: str
    pid: int | None = None
    home: Path | None = None
    log: Path | None = None


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def is_healthy(api_url: str, timeout_s: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url.rstrip('/')}/health", timeout=timeout_s) as response:
            return bool(response.status == 200 and response.read().strip() == b"true")
    except (OSError, urllib.error.URLError, ValueError):
        return False


def server_env(home: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of the server process: our home, no analytics, no inherited API URL."""
    env = dict(os.environ if base is None else base)
    env.pop(API_URL_VAR, None)
    env["PREFECT_HOME"] = str(home)
    env["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    env["DO_NOT_TRACK"] = "1"
    return env


def stop_process_group(process: subprocess.Popen[bytes], grace_s: float = STOP_GRACE_S) -> None:
    """SIGTERM the process group ``process`` leads, then SIGKILL whatever is left after ``grace_s``."""
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with suppress(subprocess.TimeoutExpired):
        process.wait(timeout=grace_s)
    with suppress(ProcessLookupError):  # children that outlived the leader, or a leader that ignored SIGTERM
        os.killpg(process.pid, signal.SIGKILL)
    with suppress(subprocess.TimeoutExpired):
        process.wait(timeout=grace_s)


def serving_env() -> None:
    """Apply :data:`SERVE_ENV` where the user has not set those variables (call it before importing Prefect)."""
    for key, value in SERVE_ENV.items():
        os.environ.setdefault(key, value)


def flush_prefect(timeout_s: float) -> None:
    """Send the logs and events Prefect still holds, for at most ``timeout_s`` each (its own exit handlers would
    wait longer)."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    APILogWorker.drain_all(timeout=timeout_s)
    EventsWorker.drain_all(timeout=timeout_s)


HEARTBEAT_VARS = ("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", "PREFECT_RUNNER_HEARTBEAT_FREQUENCY")


@contextmanager
def command_flow_settings() -> Iterator[None]:
    """Prefect's settings for a flow run that a command runs in its own process: no heartbeats, unless the user set
    their frequency (:data:`HEARTBEAT_VARS`).

    Prefect 3.8 sends a flow run's heartbeats from a thread that sleeps in steps of one second, and the flow run
    waits for that thread when it ends: every command paid 0 to 1 s for it (0.5 s on average, a quarter of an
    unchanged re-run). Heartbeats let a server mark a run whose process died as crashed; a command's run ends with
    the command, which reports how it ended. ``fitbalance serve`` keeps them. Imports Prefect.
    """
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, get_current_settings, temporary_settings

    if any(os.environ.get(name) for name in HEARTBEAT_VARS) or get_current_settings().flows.heartbeat_frequency is None:
        yield  # the user's choice, or already off (the warm process turns them off once for every command)
        return
    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield


IGNORES_SIGTERM = ("multiprocessing.resource_tracker",)  # it ends when its parent does; nothing to wait for


def stop_children(*, spare_group: int | None = None, grace_s: float = RUN_STOP_GRACE_S) -> int:
    """SIGTERM every descendant of this process except the process group ``spare_group``; SIGKILL what is left once
    the others have ended or after ``grace_s``.

    A Prefect runner stopped by a signal does not always stop the flow runs it started; they would go on without an
    API. Multiprocessing's resource tracker ignores SIGTERM by design, so it is not waited for. Returns how many
    processes were stopped.
    """
    doomed: list[psutil.Process] = []
    awaited: list[psutil.Process] = []
    for child in psutil.Process().children(recursive=True):
        with suppress(psutil.Error):
            if spare_group is None or os.getpgid(child.pid) != spare_group:
                doomed.append(child)
                if not any(marker in " ".join(child.cmdline()) for marker in IGNORES_SIGTERM):
                    awaited.append(child)
    for process in doomed:
        with suppress(psutil.Error):
            process.terminate()
    psutil.wait_procs(awaited, timeout=grace_s)
    alive = [p for p in doomed if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    for process in alive:
        with suppress(psutil.Error):
            process.kill()
    psutil.wait_procs(alive, timeout=5)
    return len(awaited)


@contextmanager
def start_server(home: Path, *, timeout_s: float = STARTUP_TIMEOUT_S) -> Iterator[Api]:
    """Run ``prefect server start`` on a free localhost port until the block exits."""
    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}/api"
    log_path = home / "server.log"
    command = [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            command,
            env=server_env(home),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: a terminal's Ctrl-C reaches us, and we stop it in order
        )
    try:
        deadline = time.monotonic() + timeout_s
        while not is_healthy(url):
            if process.poll() is not None:
                raise ServerStartError(f"prefect server exited with status {process.returncode}; see {log_path}")
            if time.monotonic() > deadline:
                raise ServerStartError(f"prefect server not healthy after {timeout_s:.0f} s; see {log_path}")
            time.sleep(0.25)
        yield Api(url=url, pid=process.pid, home=home, log=log_path)
    finally:
        stop_process_group(process)
