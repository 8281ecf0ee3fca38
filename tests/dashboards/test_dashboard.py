"""Starting the dashboard: the command line it runs, and where it finds the database."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from fitbalance.dashboard import APP, dashboard_url, run_dashboard, streamlit_command
from fitbalance.errors import ConfigError


def test_the_command_binds_localhost_headless_without_telemetry() -> None:
    """The streamlit command serves app.py on 127.0.0.1:PORT, headless, without usage statistics, and passes the
    database after ``--`` to the app."""
    command = streamlit_command(Path("db.duckdb"), 8765)
    assert command[:4] == [sys.executable, "-m", "streamlit", "run"] and command[4] == str(APP)
    options = dict(zip(command[5::2], command[6::2], strict=False))
    assert options["--server.address"] == "127.0.0.1"
    assert options["--server.port"] == "8765"
    assert options["--server.headless"] == "true"
    assert options["--browser.gatherUsageStats"] == "false"
    assert command[-3:] == ["--", "--db", "db.duckdb"]
    assert dashboard_url(8765) == "http://127.0.0.1:8765"
    assert APP.is_file()


@pytest.mark.parametrize("port", [0, -1, 65536])
def test_a_bad_port_is_refused_before_anything_starts(port: int) -> None:
    """A port outside 1-65535 is a ConfigError; nothing is printed or started."""
    said: list[str] = []
    with pytest.raises(ConfigError, match="port"):
        run_dashboard(Path("db.duckdb"), port, echo=said.append)
    assert said == []


def test_the_db_argument_wins_over_the_environment(
    sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``-- --db FILE`` on the streamlit command line is used before $FITBALANCE_DB."""
    monkeypatch.setenv("FITBALANCE_DB", str(tmp_path / "elsewhere.duckdb"))
    monkeypatch.setattr(sys, "argv", ["app.py", "--db", str(sample_db)])
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    assert not at.exception
    assert any(str(sample_db) in c.value for c in at.sidebar.caption)
    assert len(at.metric) >= 5
