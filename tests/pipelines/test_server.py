"""The local Prefect server's process handling, without Prefect: process groups and leftover children stop."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
from typer.testing import CliRunner

from fitbalance.cli import app
from fitbalance_pipelines.server import (
    API_URL_VAR,
    AUTH_VAR,
    SERVER_AUTH_VAR,
    is_healthy,
    server_env,
)

SLEEP = "import time; time.sleep(600)"


STOP_CHILDREN = f"""
import json, subprocess, sys
from fitbalance.process_tree import terminate_tree
from fitbalance_pipelines.server import stop_children
doomed = subprocess.Popen([sys.executable, "-c", {SLEEP!r}])
spared = subprocess.Popen([sys.executable, "-c", {SLEEP!r}], start_new_session=True)
stopped = stop_children(spare_group=spared.pid, grace_s=10)
print(json.dumps({{"stopped": stopped, "doomed": doomed.poll(), "spared": spared.poll()}}))
terminate_tree(spared, grace_s=5)
"""


def test_stop_children_spares_the_given_process_group() -> None:
    """Leftover flow-run processes stop; the server (its own process group) is left for its own stop."""
    done = subprocess.run([sys.executable, "-c", STOP_CHILDREN], capture_output=True, text=True, timeout=120)
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["stopped"] == 1 and got["doomed"] is not None and got["spared"] is None, done.stderr


def test_the_server_gets_its_own_home_and_credentials_and_no_inherited_api_url() -> None:
    """It asks for the credentials it is given, whatever a client's settings in the same environment say."""
    base = {API_URL_VAR: "http://a/api", AUTH_VAR: "someone:else", SERVER_AUTH_VAR: "old:one", "PATH": "/bin"}
    env = server_env(Path("/x/prefect"), "fitbalance:s3cret", base)
    assert API_URL_VAR not in env and AUTH_VAR not in env and env[SERVER_AUTH_VAR] == "fitbalance:s3cret"
    assert env["PREFECT_HOME"] == "/x/prefect" and env["PATH"] == "/bin"
    assert env["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false"


def test_nothing_listening_is_not_healthy() -> None:
    with socket.socket() as sock:  # a port that was free a moment ago, and nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert not is_healthy(f"http://127.0.0.1:{port}/api", timeout_s=0.5)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--every", "5", "--cron", "0 * * * *"], "give one of --every and --cron"),
        (["--every", "0"], "the interval must be positive"),
        (["--cron", "61 * * * *"], "not a valid schedule"),
    ],
)
def test_serve_refuses_a_bad_schedule_before_starting_anything(
    tmp_path: Path, args: list[str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(API_URL_VAR, raising=False)
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    result = CliRunner().invoke(app, ["serve", "--inbox", str(tmp_path), "--db", str(tmp_path / "t.duckdb"), *args])
    assert result.exit_code == 2 and message in result.output, result.output
    assert {p.pid for p in psutil.Process().children(recursive=True)} <= before
    assert API_URL_VAR not in os.environ


def test_serve_needs_an_existing_inbox(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["serve", "--inbox", str(tmp_path / "nope")])
    assert result.exit_code == 2 and "no such folder" in result.output


def test_a_commands_flow_runs_send_no_heartbeats_unless_the_user_sets_their_frequency(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Prefect's heartbeat thread made every command wait for it (0-1 s) at the end of its flow run."""
    from prefect.settings import get_current_settings

    from fitbalance_pipelines.server import HEARTBEAT_VARS, command_flow_settings

    for name in HEARTBEAT_VARS:
        monkeypatch.delenv(name, raising=False)
    default = get_current_settings().flows.heartbeat_frequency
    assert default is not None  # Prefect's default: on
    with command_flow_settings():
        assert get_current_settings().flows.heartbeat_frequency is None
        with command_flow_settings():  # already off: nothing to change
            assert get_current_settings().flows.heartbeat_frequency is None
    assert get_current_settings().flows.heartbeat_frequency == default
    monkeypatch.setenv("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", str(default))
    with command_flow_settings():
        assert get_current_settings().flows.heartbeat_frequency == default
