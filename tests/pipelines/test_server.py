"""The local Prefect server's process handling, without Prefect: process groups and leftover children stop."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
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
    stop_process_group,
)

SLEEP = "import time; time.sleep(600)"
TREE = f"import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', {SLEEP!r}]); time.sleep(600)"
STUBBORN = (
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('ready', flush=True); time.sleep(600)"
)


def _tree(code: str, *, talks: bool = False) -> tuple[subprocess.Popen[bytes], list[psutil.Process]]:
    out = subprocess.PIPE if talks else None
    leader = subprocess.Popen([sys.executable, "-c", code], start_new_session=True, stdout=out)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        members = [psutil.Process(leader.pid), *psutil.Process(leader.pid).children(recursive=True)]
        if len(members) >= (2 if "Popen" in code else 1):
            return leader, members
        time.sleep(0.05)
    raise AssertionError("the process tree did not start")


def test_stopping_a_process_group_ends_the_leader_and_its_children() -> None:
    """A server's whole process group goes, not only the process we started."""
    leader, members = _tree(TREE)
    stop_process_group(leader, grace_s=10)
    _, alive = psutil.wait_procs(members, timeout=10)
    assert not alive and leader.returncode is not None


def test_a_group_that_ignores_sigterm_is_killed_after_the_grace_period() -> None:
    """A group that ignores SIGTERM (it says when its handler is in place, so the stop certainly meets it) is
    SIGKILLed once the grace period is over."""
    leader, members = _tree(STUBBORN, talks=True)
    assert leader.stdout is not None and leader.stdout.readline() == b"ready\n"
    started = time.monotonic()
    stop_process_group(leader, grace_s=1)
    assert not psutil.wait_procs(members, timeout=10)[1]
    assert 1 <= time.monotonic() - started < 10
    leader.stdout.close()


STOP_CHILDREN = f"""
import json, subprocess, sys
from fitbalance_pipelines.server import stop_children, stop_process_group
doomed = subprocess.Popen([sys.executable, "-c", {SLEEP!r}])
spared = subprocess.Popen([sys.executable, "-c", {SLEEP!r}], start_new_session=True)
stopped = stop_children(spare_group=spared.pid, grace_s=10)
print(json.dumps({{"stopped": stopped, "doomed": doomed.poll(), "spared": spared.poll()}}))
stop_process_group(spared, grace_s=5)
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
