"""A real Prefect API server on localhost, and the processes around it.

:func:`start_server` runs ``prefect server start --host 127.0.0.1 --port <free port>`` as a subprocess in its own
process group, with its state (a SQLite database of flow runs and logs) in the ``PREFECT_HOME`` it is given, waits for
``/api/health``, and on exit stops the whole process group: SIGTERM, then SIGKILL after a grace period. The local
server's supervisor (:mod:`fitbalance_pipelines.localserver`) is built on it.

The server asks every request for credentials (Prefect's ``PREFECT_SERVER_API_AUTH_STRING``; its health check
excepted): a random secret kept in ``<home>/api-auth`` (:func:`auth_string`), which its clients send
(``PREFECT_API_AUTH_STRING``). Its folder is its user's only (:func:`private_folder`, :func:`tighten`): other users
of the machine can neither read its runs nor drive it. :func:`stop_children` ends the flow-run
processes a runner leaves behind when it is stopped. No Prefect import at the top: this module is used before Prefect
is imported, so that its logging settings (:data:`SERVE_ENV`) apply.
"""

from __future__ import annotations

import os
import secrets
import socket
import stat
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

from fitbalance.process_tree import terminate_tree, terminate_trees

API_URL_VAR = "PREFECT_API_URL"
AUTH_VAR = "PREFECT_API_AUTH_STRING"  # what a client sends (HTTP basic authentication, ``user:password``)
SERVER_AUTH_VAR = "PREFECT_SERVER_API_AUTH_STRING"  # what the server asks for
AUTH_FILE = "api-auth"  # in the server's folder, its user's only
AUTH_USER = "fitbalance"
PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600
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


def open_private(path: Path, flags: int = os.O_WRONLY | os.O_CREAT | os.O_APPEND) -> int:
    """``os.open`` of a file that, when created, is its user's only (0600, whatever the umask)."""
    return os.open(path, flags, PRIVATE_FILE)


def private_folder(folder: Path) -> str | None:
    """Make ``folder`` (and its missing parents) and keep it its user's only (0700).

    A folder of ours that others could read is tightened; one that is not ours, or shared on purpose (the sticky bit
    of ``/tmp``), is left as it is. Returns what the user should know (tightened, or still open to others), else None.
    """
    if not folder.is_dir():
        folder.parent.mkdir(parents=True, exist_ok=True)
        with suppress(FileExistsError):  # another command made it meanwhile: checked below as an existing one
            folder.mkdir(mode=PRIVATE_DIR)
            os.chmod(folder, PRIVATE_DIR)  # exactly 0700: mkdir's mode passes through the umask
            return None
    info = folder.stat()
    wide = stat.S_IMODE(info.st_mode) & 0o077
    if not wide:
        return None
    if info.st_uid != os.geteuid() or info.st_mode & stat.S_ISVTX:
        return f"{folder} can be read by other users (mode {stat.S_IMODE(info.st_mode):o}) and is not yours to change"
    os.chmod(folder, stat.S_IMODE(info.st_mode) & ~0o077)
    return f"made {folder} private: only you can read it now (its mode was {stat.S_IMODE(info.st_mode):o})"


def tighten(folder: Path) -> int:
    """Take other users' permissions off everything of ours under ``folder`` (files a version before this one
    left readable: the flow-run database, the log); returns how many files and folders changed."""
    changed = 0
    for root, dirs, files in os.walk(folder):
        for name in [*dirs, *files]:
            path = os.path.join(root, name)
            with suppress(OSError):
                info = os.lstat(path)
                if stat.S_ISLNK(info.st_mode) or not stat.S_IMODE(info.st_mode) & 0o077 or info.st_uid != os.geteuid():
                    continue
                os.chmod(path, stat.S_IMODE(info.st_mode) & ~0o077)
                changed += 1
    return changed


def auth_string(home: Path) -> str:
    """The credentials of the server in ``home``: ``fitbalance:<random secret>``, made on first use and kept in
    ``<home>/api-auth`` (0600). The same file serves every later server there, so a browser that logged in to the UI
    stays logged in; delete it (with the server stopped) to get a new secret."""
    path = home / AUTH_FILE
    with suppress(FileNotFoundError):
        return _read_secret(path)
    tmp = home / f".{AUTH_FILE}.{os.getpid()}"
    try:  # written whole under another name, then linked in: no one reads it half-written, and the first one stays
        with os.fdopen(open_private(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), "w") as out:
            out.write(f"{AUTH_USER}:{secrets.token_urlsafe(32)}\n")
        with suppress(FileExistsError):  # another process made it meanwhile
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return _read_secret(path)


def _read_secret(path: Path) -> str:
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        os.chmod(path, PRIVATE_FILE)
    secret = path.read_text().strip()
    if not secret:
        raise ServerStartError(f"{path} is empty: delete it, and the next start makes a new secret")
    return secret


def server_env(home: Path, auth: str, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of the server process: our home, our credentials, no analytics, no inherited API URL."""
    env = dict(os.environ if base is None else base)
    env.pop(API_URL_VAR, None)
    env.pop(AUTH_VAR, None)
    env[SERVER_AUTH_VAR] = auth
    env["PREFECT_HOME"] = str(home)
    env["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    env["DO_NOT_TRACK"] = "1"
    return env


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
    """Stop every child of this process, and what each started, except the process group ``spare_group``
    (:func:`~fitbalance.process_tree.terminate_trees`: SIGTERM, SIGKILL after ``grace_s``).

    A Prefect runner stopped by a signal does not always stop the flow runs it started; they would go on without an
    API. Multiprocessing's resource tracker ignores SIGTERM by design: it is not waited for, but killed once the
    others have ended. Returns how many children were stopped (the resource tracker not counted).
    """
    doomed: list[psutil.Process] = []
    trackers: list[psutil.Process] = []
    for child in psutil.Process().children():
        with suppress(psutil.Error):
            if spare_group is None or os.getpgid(child.pid) != spare_group:
                ignores = any(marker in " ".join(child.cmdline()) for marker in IGNORES_SIGTERM)
                (trackers if ignores else doomed).append(child)
    terminate_trees([child.pid for child in doomed], grace_s=grace_s)
    for tracker in trackers:
        with suppress(psutil.Error):
            tracker.kill()
    psutil.wait_procs(trackers, timeout=5)  # reaped: no zombie stays
    return len(doomed)


@contextmanager
def start_server(home: Path, *, timeout_s: float = STARTUP_TIMEOUT_S) -> Iterator[Api]:
    """Run ``prefect server start`` on a free localhost port until the block exits, asking for the credentials in
    ``<home>/api-auth``; what it writes (its database, its log) is its user's only."""
    private_folder(home)
    port = free_port()
    url = f"http://127.0.0.1:{port}/api"
    log_path = home / "server.log"
    command = [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    with os.fdopen(open_private(log_path), "ab") as log:
        process = subprocess.Popen(
            command,
            env=server_env(home, auth_string(home)),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: a terminal's Ctrl-C reaches us, and we stop it in order
            umask=0o077,  # its SQLite database of every run's parameters and logs, and what else it writes
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
        terminate_tree(process, grace_s=STOP_GRACE_S)
