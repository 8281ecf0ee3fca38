"""The local server's rules that need no server: where it keeps its state, what the warm process inherits, and what
counts as an API that answers."""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from fitbalance.pipelines.localserver import data_dir, idle_timeout_s, reachable, runner_env
from fitbalance.pipelines.warm import prefect_env


def test_the_data_folder_is_the_setting_else_xdg_else_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FITBALANCE_DATA_DIR", str(tmp_path / "mine"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert data_dir() == tmp_path / "mine"
    monkeypatch.delenv("FITBALANCE_DATA_DIR")
    assert data_dir() == tmp_path / "xdg" / "fitbalance"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert data_dir() == tmp_path / "home" / ".local" / "share" / "fitbalance"


def test_the_idle_timeout_is_thirty_minutes_unless_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FITBALANCE_SERVER_IDLE_MINUTES", raising=False)
    assert idle_timeout_s() == 1800
    monkeypatch.setenv("FITBALANCE_SERVER_IDLE_MINUTES", "2.5")
    assert idle_timeout_s() == 150


def test_the_warm_process_keeps_prefects_home_and_profile_and_gets_the_servers_url() -> None:
    """Other Prefect settings of whoever started the server (a serve's logging levels) are not the warm process's:
    it applies the commands' defaults itself, so every plain command compares equal."""
    env = runner_env(
        "http://127.0.0.1:1234/api",
        {"PATH": "/bin", "PREFECT_HOME": "/h", "PREFECT_PROFILE": "p", "PREFECT_LOGGING_LEVEL": "INFO"},
    )
    assert env == {
        "PATH": "/bin",
        "PREFECT_HOME": "/h",
        "PREFECT_PROFILE": "p",
        "PREFECT_API_URL": "http://127.0.0.1:1234/api",
    }


def test_commands_compare_their_prefect_settings_but_the_api_url_and_the_servers_own() -> None:
    env = {"PREFECT_API_URL": "x", "PREFECT_HOME": "/h", "HOME": "/root", "PREFECT_LOGGING_LEVEL": "DEBUG"}
    env |= {"PREFECT_UI_ENABLED": "false", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    assert prefect_env(env) == {"PREFECT_HOME": "/h", "PREFECT_LOGGING_LEVEL": "DEBUG"}


@pytest.fixture
def refusing_server() -> Iterator[str]:
    """An HTTP server on a free localhost port that answers every request with 404."""
    server = http.server.HTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api"
    finally:
        server.shutdown()
        server.server_close()


def test_an_error_status_is_an_answer_and_a_closed_port_is_not(refusing_server: str) -> None:
    """A server that answers, even with an error (a Prefect Cloud URL without /health), is used; nothing listening
    falls back."""
    assert reachable(refusing_server)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}/api"
    assert not reachable(closed, timeout_s=1)
