"""Start the Streamlit dashboard (``fitbalance_dashboards.app``: ``dashboards/fitbalance_dashboards/app.py``) on
localhost, read-only."""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from types import FrameType

from fitbalance.errors import ConfigError
from fitbalance.process_tree import terminate_tree


def app_path() -> Path:
    """``app.py`` of the ``fitbalance_dashboards`` package: installed, or in ``dashboards/`` of a checkout."""
    spec = importlib.util.find_spec("fitbalance_dashboards")
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    return Path(folders[0]) / "app.py" if folders else Path("fitbalance_dashboards", "app.py")


APP = app_path()
DEFAULT_PORT = 8501
LOCALHOST = "127.0.0.1"
STOP_GRACE_S = 8.0  # Streamlit after SIGTERM, before SIGKILL
STOPPING_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

# Streamlit settings the dashboard always runs with: no telemetry, no browser launch, no file watching.
_SETTINGS = (
    "--server.headless",
    "true",
    "--browser.gatherUsageStats",
    "false",
    "--server.fileWatcherType",
    "none",
    "--server.runOnSave",
    "false",
    "--client.toolbarMode",
    "viewer",
    "--theme.base",
    "light",
    "--theme.primaryColor",
    "#c2410c",
)


def dashboard_url(port: int, host: str = LOCALHOST) -> str:
    """The address the dashboard serves on."""
    return f"http://{host}:{port}"


def streamlit_command(db_path: Path, port: int, host: str = LOCALHOST, app: Path = APP) -> list[str]:
    """The ``streamlit run`` command line for ``app`` on ``host:port``, reading ``db_path``."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        "--server.address",
        host,
        "--server.port",
        str(port),
        *_SETTINGS,
        "--",
        "--db",
        str(db_path),
    ]


def run_dashboard(
    db_path: Path,
    port: int = DEFAULT_PORT,
    host: str = LOCALHOST,
    *,
    echo: Callable[[str], None] = print,
) -> int:
    """Serve the dashboard on ``host:port`` (localhost by default) until interrupted; returns Streamlit's exit code.

    Prints the address first. The database is opened read-only, so an ingest can run at the same time.
    """
    if not APP.is_file():
        raise ConfigError(f"the dashboard app is not at {APP}: reinstall fitbalance (its wheel carries the app)")
    if not 0 < port < 65536:
        raise ConfigError(f"port {port}: expected 1-65535")
    echo(f"fitbalance dashboard on {dashboard_url(port, host)} (database {db_path}, read-only); Ctrl+C stops it")
    env = {**os.environ, "FITBALANCE_DB": str(db_path)}
    server = subprocess.Popen(streamlit_command(db_path, port, host), env=env, process_group=0)
    return _serve_until_stopped(server)


def _serve_until_stopped(server: subprocess.Popen[bytes]) -> int:
    """Wait for Streamlit; on SIGINT, SIGTERM or SIGHUP to this process, stop its process group and return 0.

    Streamlit runs in a process group of its own, so a terminal's Ctrl-C reaches this process only, and a signal
    sent to this process alone (by ``kill``, systemd, Docker) still ends Streamlit and what it started
    (:func:`~fitbalance.process_tree.terminate_tree`: SIGTERM, SIGKILL after :data:`STOP_GRACE_S` seconds); nothing
    keeps the port.
    """
    asked: list[int] = []

    def stop(signum: int, _frame: FrameType | None) -> None:
        asked.append(signum)

    previous = {}
    if threading.current_thread() is threading.main_thread():  # only the main thread may handle signals
        previous = {sig: signal.signal(sig, stop) for sig in STOPPING_SIGNALS}
    try:
        while not asked:
            with suppress(subprocess.TimeoutExpired):
                server.wait(timeout=0.5)
                break
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        code = terminate_tree(server, grace_s=STOP_GRACE_S)  # whatever is left: children that outlived the leader
    return 0 if asked else (code or 0)
