"""The local server's rules that need no server: where it keeps its state and who may read it, its credentials, what
the warm process inherits, and what counts as an API that answers."""

from __future__ import annotations

import http.server
import os
import socket
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from fitbalance_pipelines.localserver import data_dir, idle_timeout_s, private_state, reachable, runner_env
from fitbalance_pipelines.server import AUTH_FILE, auth_string, private_folder, tighten
from fitbalance_pipelines.warm import prefect_env


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A umask that takes nothing away (0): what fitbalance makes private, it makes private itself."""
    before = os.umask(0)
    try:
        yield
    finally:
        os.umask(before)


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


def test_the_warm_process_keeps_prefects_home_and_profile_and_gets_the_servers_url_and_credentials() -> None:
    """Other Prefect settings of whoever started the server (a serve's logging levels) are not the warm process's:
    it applies the commands' defaults itself, so every plain command compares equal."""
    env = runner_env(
        "http://127.0.0.1:1234/api",
        "fitbalance:s3cret",
        {"PATH": "/bin", "PREFECT_HOME": "/h", "PREFECT_PROFILE": "p", "PREFECT_LOGGING_LEVEL": "INFO"},
    )
    assert env == {
        "PATH": "/bin",
        "PREFECT_HOME": "/h",
        "PREFECT_PROFILE": "p",
        "PREFECT_API_URL": "http://127.0.0.1:1234/api",
        "PREFECT_API_AUTH_STRING": "fitbalance:s3cret",
    }


def test_commands_compare_their_prefect_settings_but_the_api_url_its_credentials_and_the_servers_own() -> None:
    env = {"PREFECT_API_URL": "x", "PREFECT_HOME": "/h", "HOME": "/root", "PREFECT_LOGGING_LEVEL": "DEBUG"}
    env |= {"PREFECT_UI_ENABLED": "false", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env |= {"PREFECT_API_AUTH_STRING": "fitbalance:s3cret", "PREFECT_SERVER_API_AUTH_STRING": "fitbalance:s3cret"}
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


def test_the_data_folder_and_the_servers_folder_are_made_for_their_user_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, open_umask: None
) -> None:
    """Both folders are created 0700 (their parents as the umask says), and nothing needs telling."""
    monkeypatch.setenv("FITBALANCE_DATA_DIR", str(tmp_path / "share" / "fitbalance"))
    assert private_state(data_dir() / "prefect") == []
    assert mode(tmp_path / "share" / "fitbalance") == mode(tmp_path / "share" / "fitbalance" / "prefect") == 0o700
    assert mode(tmp_path / "share") == 0o777


def test_a_folder_others_could_read_is_tightened_and_the_user_told(tmp_path: Path) -> None:
    folder = tmp_path / "prefect"
    folder.mkdir()
    folder.chmod(0o755)
    note = private_folder(folder)
    assert mode(folder) == 0o700
    assert note is not None and str(folder) in note and "755" in note
    assert private_folder(folder) is None  # nothing more to say


def test_a_shared_folder_is_left_as_it_is_and_the_user_told(tmp_path: Path) -> None:
    """A folder shared on purpose (the sticky bit, as on /tmp) is not fitbalance's to close."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    note = private_folder(shared)
    assert mode(shared) == 0o1777
    assert note is not None and "can be read by other users" in note


def test_files_an_earlier_version_left_readable_are_tightened(tmp_path: Path) -> None:
    """prefect.db and server.log were 0644 in a 0755 folder; their owner keeps every permission of their own."""
    (tmp_path / "storage").mkdir(mode=0o755)
    for name, was in [("prefect.db", 0o644), ("server.log", 0o664), ("storage/result", 0o640), ("in-use", 0o600)]:
        (tmp_path / name).write_text("x")
        (tmp_path / name).chmod(was)
    assert tighten(tmp_path) == 4  # the folder and three files: in-use was private already
    assert [mode(tmp_path / n) for n in ("prefect.db", "server.log", "storage/result", "in-use", "storage")] == [
        0o600,
        0o600,
        0o600,
        0o600,
        0o700,
    ]
    assert tighten(tmp_path) == 0


def test_the_credentials_are_random_kept_private_and_reused(tmp_path: Path, open_umask: None) -> None:
    """Made on first use (``user:password``, as the Prefect UI asks for it), 0600, the same for every later server in
    that folder, and another folder's are other credentials."""
    first = auth_string(tmp_path)
    user, password = first.split(":")
    assert user == "fitbalance" and len(password) >= 40
    assert mode(tmp_path / AUTH_FILE) == 0o600
    assert auth_string(tmp_path) == first
    other = tmp_path / "other"
    other.mkdir()
    assert auth_string(other) != first


def test_credentials_others_could_read_are_tightened(tmp_path: Path) -> None:
    (tmp_path / AUTH_FILE).write_text("fitbalance:written-by-hand\n")
    (tmp_path / AUTH_FILE).chmod(0o644)
    assert auth_string(tmp_path) == "fitbalance:written-by-hand"
    assert mode(tmp_path / AUTH_FILE) == 0o600
