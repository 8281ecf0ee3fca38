"""Start the Streamlit dashboard (``fitbalance.dashboards``: ``dashboards/app.py``) on localhost, read-only."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from fitbalance.errors import ConfigError


def app_path() -> Path:
    """``app.py`` of the ``fitbalance.dashboards`` package: in the installed wheel, or ``dashboards/`` of a checkout."""
    spec = importlib.util.find_spec("fitbalance.dashboards")
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    return Path(folders[0]) / "app.py" if folders else Path("fitbalance", "dashboards", "app.py")


APP = app_path()
DEFAULT_PORT = 8501
LOCALHOST = "127.0.0.1"

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
    try:
        return subprocess.call(streamlit_command(db_path, port, host), env=env)
    except KeyboardInterrupt:
        return 0
