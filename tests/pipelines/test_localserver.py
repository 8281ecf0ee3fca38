"""The local Prefect server and its warm process, with real processes: ``fitbalance`` commands run as a user runs
them (a subprocess each), against a real ``prefect server`` on a free localhost port, checked through its API.

Each test gets a data folder of its own (``FITBALANCE_DATA_DIR``); the module's server is stopped at the end, and the
tests of stopping assert that no process of the server's family is left and its port is free.
"""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psutil
import pytest

from fitbalance.store.ledger import ingest_running
from fitbalance_pipelines import localserver, warm
from fitbalance_pipelines.localserver import LOG, STATE, Running
from fitbalance_pipelines.server import AUTH_VAR, auth_string
from tests.pipelines.conftest import rows

pytestmark = [pytest.mark.server, pytest.mark.slow, pytest.mark.timeout(900)]

FITBALANCE = Path(sys.executable).with_name("fitbalance")
START_S = 300.0  # a fresh server migrates its database first; slow on a busy 2-core machine
STOP_S = 60.0
STARTED = "started the local Prefect server at"
COMMAND = re.compile(r"warm process \d+: command (\d+) started: fitbalance ingest")


def env_for(data: Path, **extra: str) -> dict[str, str]:
    """A user's environment: no Prefect API configured, the local server allowed, this test's data folder.

    Of the ``PREFECT_*`` settings only the home and the analytics switch are kept: a command run in this pytest
    process earlier (``serve``'s logging settings, the harness's API) leaves settings in ``os.environ`` that a user's
    shell would not have, and a command whose Prefect settings differ from the warm process's rightly runs itself."""
    kept = {"PREFECT_HOME", "PREFECT_SERVER_ANALYTICS_ENABLED"}
    env = {
        k: v
        for k, v in os.environ.items()
        if k != "FITBALANCE_NO_SERVER" and (not k.startswith("PREFECT_") or k in kept)
    }
    env |= {"FITBALANCE_DATA_DIR": str(data), "NO_COLOR": "1", "PREFECT_UI_ENABLED": "false", "COLUMNS": "200"}
    return env | extra


def fitbalance(*args: str, env: dict[str, str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(FITBALANCE), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=START_S * 2, check=False
    )


def wait_for(what: str, check: Callable[[], bool], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout_s:.0f} s waiting for {what}")
        time.sleep(0.25)


def api(url: str, path: str, body: dict[str, Any] | None = None, *, auth: str | None) -> Any:
    """GET ``path`` of the Prefect API at ``url``, or POST ``body`` there, with the credentials ``auth``."""
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if auth is not None:
        headers["Authorization"] = "Basic " + base64.b64encode(auth.encode()).decode()
    request = urllib.request.Request(f"{url}{path}", data=data, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())


def task_runs(url: str, flow_run_id: str, auth: str) -> set[str]:
    """Names (without their suffix) of the task runs the server has for a flow run."""
    found = api(url, "/task_runs/filter", {"flow_runs": {"id": {"any_": [flow_run_id]}}}, auth=auth)
    return {run["name"].rsplit("-", 1)[0] for run in found}


def flow_run_ids(db: Path) -> list[str]:
    return [r[0] for r in rows(db, "SELECT flow_run_id FROM ingest_runs ORDER BY started_at")]


def family(state: Running) -> list[psutil.Process]:
    """The supervisor and every process under it (the server's group, the warm process and its commands)."""
    with suppress(psutil.Error):
        supervisor = psutil.Process(state.pid)
        return [supervisor, *supervisor.children(recursive=True)]
    return []


def port_free(url: str) -> bool:
    port = urlsplit(url).port
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port or 0)) != 0


def all_gone(processes: list[psutil.Process]) -> bool:
    for process in processes:
        with suppress(psutil.Error):
            if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                return False
    return True


def warm_ready(folder: Path) -> bool:
    return warm._ask(folder, {"op": "hello"}) is not None


def log(folder: Path) -> str:
    return (folder / LOG).read_text(errors="replace")


@dataclass
class Served:
    data: Path
    folder: Path
    env: dict[str, str]
    state: Running
    first: subprocess.CompletedProcess[str]
    db: Path

    @property
    def auth(self) -> str:
        return auth_string(self.folder)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, activity_fits: list[bytes]) -> Iterator[Served]:
    """A first ``fitbalance ingest`` that starts the local server; its warm process is ready afterwards."""
    base = tmp_path_factory.mktemp("local")
    data, inbox = base / "data", base / "inbox"
    inbox.mkdir()
    for i, content in enumerate(activity_fits[:2]):
        (inbox / f"{i}.fit").write_bytes(content)
    env = env_for(data)
    db = base / "training.duckdb"
    first = fitbalance("ingest", str(inbox), "--db", str(db), "--workers", "1", env=env)
    folder = data / "prefect"
    state = localserver.recorded(folder)
    try:
        assert first.returncode == 0, first.stdout + first.stderr
        assert state is not None, first.stderr
        wait_for("the warm process", lambda: warm_ready(folder), START_S)
        yield Served(data, folder, env, state, first, db)
    finally:
        if state is not None:
            processes = family(state)
            localserver.stop(folder)
            psutil.wait_procs(processes, timeout=STOP_S)
            for process in processes:
                with suppress(psutil.Error):
                    process.kill()


def test_the_first_ingest_starts_the_local_server_and_its_run_is_there(served: Served) -> None:
    """With no Prefect API configured, ingest starts the local server (and says where, and how it stops); the flow
    run is on that server with its task runs."""
    assert STARTED in served.first.stderr and "fitbalance server stop" in served.first.stderr
    assert localserver.running(served.folder) == served.state
    assert urlsplit(served.state.url).hostname == "127.0.0.1"
    (flow_run_id,) = flow_run_ids(served.db)
    assert api(served.state.url, f"/flow_runs/{flow_run_id}", auth=served.auth)["state_type"] == "COMPLETED"
    assert {"plan", "load-batch", "finish"} <= task_runs(served.state.url, flow_run_id, served.auth)


def test_the_local_server_asks_for_its_credentials(served: Served) -> None:
    """Without them, or with others, the API answers 401 and names nothing; its health check answers anyone."""
    (flow_run_id,) = flow_run_ids(served.db)
    for auth in [None, "fitbalance:guessed", served.auth + "x"]:
        with pytest.raises(urllib.error.HTTPError) as refused:
            api(served.state.url, f"/flow_runs/{flow_run_id}", auth=auth)
        assert refused.value.code == 401
        assert flow_run_id not in refused.value.read().decode()
    assert localserver.is_healthy(served.state.url) and served.state.locked


def test_the_local_servers_state_is_its_users_only(served: Served) -> None:
    """The data folder and the server's folder are 0700; the run database, the log, the record and the credentials
    0600, whatever the umask of the command that started the server."""
    modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in [served.data, served.folder]}
    assert modes == {served.data.name: 0o700, served.folder.name: 0o700}
    for name in ["prefect.db", LOG, STATE, "api-auth", "in-use", "start.lock"]:
        assert stat.S_IMODE((served.folder / name).stat().st_mode) == 0o600, name
    assert stat.S_IMODE((served.folder / warm.SOCKET).stat().st_mode) & 0o077 == 0


def test_the_next_ingest_runs_in_the_warm_process_and_reports_to_the_server(
    served: Served, tmp_path: Path, activity_fits: list[bytes]
) -> None:
    """A later ingest finds the server running: no start, it runs in the warm process (a child of it, with the
    command's terminal), and its flow run and task runs are on the server."""
    inbox = tmp_path / "more"
    inbox.mkdir()
    (inbox / "new.fit").write_bytes(activity_fits[2])
    db = tmp_path / "other.duckdb"
    before = len(COMMAND.findall(log(served.folder)))
    command = [str(FITBALANCE), "ingest", str(inbox), "--db", str(db)]
    done = subprocess.run(  # with a umask of its own: the warm process writes the database as the command would
        command, env=served.env, capture_output=True, text=True, timeout=START_S, check=False, umask=0o027
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert STARTED not in done.stderr
    assert "files seen" in done.stdout and "activities added" in done.stdout  # the child wrote to our stdout
    assert len(COMMAND.findall(log(served.folder))) == before + 1
    (flow_run_id,) = flow_run_ids(db)
    assert api(served.state.url, f"/flow_runs/{flow_run_id}", auth=served.auth)["state_type"] == "COMPLETED"
    assert {"plan", "load-batch", "finish"} <= task_runs(served.state.url, flow_run_id, served.auth)
    assert rows(db, "SELECT count(*) FROM activities") == [(1,)]
    assert stat.S_IMODE(db.stat().st_mode) == 0o640


def test_a_configured_prefect_server_is_used_as_it_is(
    served: Served, tmp_path: Path, activity_fits: list[bytes]
) -> None:
    """PREFECT_API_URL naming a server that answers (here a real one on localhost, with the credentials the user
    configured for it): the flow run reports there, and no local server is started for it."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.fit").write_bytes(activity_fits[3])
    other_data, db = tmp_path / "data", tmp_path / "t.duckdb"
    env = env_for(other_data, PREFECT_API_URL=served.state.url, **{AUTH_VAR: served.auth})
    done = fitbalance("ingest", str(inbox), "--db", str(db), env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    (flow_run_id,) = flow_run_ids(db)
    assert api(served.state.url, f"/flow_runs/{flow_run_id}", auth=served.auth)["state_type"] == "COMPLETED"
    assert not (other_data / "prefect" / STATE).exists()


def test_sigterm_to_a_warm_ingest_ends_its_run_and_the_next_run_completes(served: Served, tmp_path: Path) -> None:
    """SIGTERM to the command while the warm process runs it: the run's process group ends (its open batch is
    rolled back), the command exits non-zero, and the same command again loads every file."""
    from synth import generate_corpus  # type: ignore[import-not-found, unused-ignore]

    inbox, db = tmp_path / "inbox", tmp_path / "t.duckdb"
    files = generate_corpus(inbox, 64, seed=5)
    before = len(COMMAND.findall(log(served.folder)))
    command = [str(FITBALANCE), "ingest", str(inbox), "--db", str(db), "--workers", "2"]
    client = subprocess.Popen(command, env=served.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for("the run to hold the database", lambda: ingest_running(db) or client.poll() is not None, START_S)
        assert client.poll() is None, "the ingest ended before it could be stopped"
        (child,) = [int(pid) for pid in COMMAND.findall(log(served.folder))[before:]]
        group = [psutil.Process(child), *psutil.Process(child).children(recursive=True)]
        client.send_signal(signal.SIGTERM)
        assert client.wait(timeout=STOP_S) != 0
        wait_for("the run's processes to end", lambda: all_gone(group), STOP_S)
    finally:
        with suppress(ProcessLookupError):
            client.kill()
        client.communicate()
    assert not ingest_running(db)
    again = fitbalance("ingest", str(inbox), "--db", str(db), env=served.env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert rows(db, "SELECT count(*) FROM source_files WHERE status = 'loaded'") == [(len(files),)]


def test_a_warm_process_running_other_code_makes_way_for_a_fresh_one(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A command whose code differs from the warm process's runs itself; the warm process quits and the supervisor
    starts a fresh one."""
    monkeypatch.setattr(warm, "code_stamp", lambda: "other code")
    ready_before = log(served.folder).count("ready on")
    told: list[str] = []
    assert warm.delegate(served.folder, ["ingest", "--help"], on_stale=told.append) is None
    assert told and "other code" in told[0]
    wait_for("a fresh warm process", lambda: log(served.folder).count("ready on") > ready_before, START_S)
    assert localserver.running(served.folder) == served.state  # the server itself went on


def test_a_warm_process_holding_an_older_library_makes_way_for_a_fresh_one(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After an upgrade (here: polars installed at another version than the warm process imported), a command runs
    itself, says which library changed, and the supervisor starts a fresh warm process."""
    installed = warm.installed_versions()
    monkeypatch.setattr(warm, "installed_versions", lambda: {**installed, "polars": "0.0.1"})
    ready_before = log(served.folder).count("ready on")
    told: list[str] = []
    assert warm.delegate(served.folder, ["ingest", "--help"], on_stale=told.append) is None
    assert told and f"polars {installed['polars']} -> 0.0.1" in told[0]
    wait_for("a fresh warm process", lambda: log(served.folder).count("ready on") > ready_before, START_S)


def test_status_and_stop_end_every_process_and_free_the_port(tmp_path: Path) -> None:
    """`fitbalance server start` starts it, `status` describes it, `stop` ends the supervisor, the server's process
    group and the warm process, and frees the port; `status` then exits 1."""
    env = env_for(tmp_path / "data")
    started = fitbalance("server", "start", env=env)
    assert started.returncode == 0, started.stdout + started.stderr
    folder = tmp_path / "data" / "prefect"
    state = localserver.recorded(folder)
    assert state is not None
    wait_for("the warm process", lambda: warm_ready(folder), START_S)
    processes = family(state)
    assert len(processes) >= 3  # supervisor, server, warm process
    status = fitbalance("server", "status", env=env)
    assert status.returncode == 0 and state.url in status.stdout and str(state.server_pid) in status.stdout
    assert f"the line in {folder / 'api-auth'}" in status.stdout  # how to log in to the UI
    stopped = fitbalance("server", "stop", env=env)
    assert stopped.returncode == 0 and state.url in stopped.stdout
    wait_for("every process of the server to end", lambda: all_gone(processes), STOP_S)
    assert port_free(state.url) and not (folder / STATE).exists() and not (folder / warm.SOCKET).exists()
    assert fitbalance("server", "status", env=env).returncode == 1


def test_a_server_that_asks_for_no_credentials_is_replaced(tmp_path: Path) -> None:
    """A server recorded without credentials (one an earlier version started) is stopped, with every process of it,
    and a locked one started in its place; the command says so."""
    env = env_for(tmp_path / "data")
    folder = tmp_path / "data" / "prefect"
    assert fitbalance("server", "start", env=env).returncode == 0
    old = localserver.recorded(folder)
    assert old is not None
    try:
        processes = family(old)
        record = json.loads((folder / STATE).read_text())
        del record["locked"]  # as an earlier version wrote it
        (folder / STATE).write_text(json.dumps(record))
        again = fitbalance("server", "start", env=env)
        assert again.returncode == 0, again.stdout + again.stderr
        assert f"stopping the local Prefect server at {old.url}: it asked for no credentials" in again.stderr
        assert again.stdout.startswith("started")
        wait_for("every process of the old server to end", lambda: all_gone(processes), STOP_S)
        new = localserver.recorded(folder)
        assert new is not None and new.locked and new.pid != old.pid
    finally:
        localserver.stop(folder)


def test_an_idle_server_stops_by_itself(tmp_path: Path) -> None:
    """With nothing using it for its idle timeout, the supervisor stops the server and everything under it."""
    env = env_for(tmp_path / "data", FITBALANCE_SERVER_IDLE_MINUTES="0.05")
    started = fitbalance("server", "start", env=env)
    assert started.returncode == 0, started.stdout + started.stderr
    folder = tmp_path / "data" / "prefect"
    state = localserver.recorded(folder)
    assert state is not None and state.idle_timeout_s == pytest.approx(3.0)
    processes = family(state)
    wait_for("the idle server to stop", lambda: all_gone(processes), START_S)
    assert port_free(state.url) and not (folder / STATE).exists()
    assert "stopping the server (idle)" in log(folder)


def test_an_api_that_does_not_answer_falls_back_to_an_embedded_one(tmp_path: Path, activity_fits: list[bytes]) -> None:
    """PREFECT_API_URL naming nothing that answers: the ingest says so and runs with an embedded API; it starts no
    local server."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        nothing = f"http://127.0.0.1:{sock.getsockname()[1]}/api"
    inbox, db = tmp_path / "inbox", tmp_path / "t.duckdb"
    inbox.mkdir()
    (inbox / "a.fit").write_bytes(activity_fits[0])
    done = fitbalance("ingest", str(inbox), "--db", str(db), env=env_for(tmp_path / "data", PREFECT_API_URL=nothing))
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"the Prefect API at {nothing} does not answer" in done.stderr
    assert rows(db, "SELECT count(*) FROM activities") == [(1,)]
    assert not (tmp_path / "data" / "prefect" / STATE).exists()


def test_a_local_server_that_cannot_start_falls_back_to_an_embedded_one(
    tmp_path: Path, activity_fits: list[bytes]
) -> None:
    """A data folder that cannot be made (here: under a file): the ingest says so and runs with an embedded API."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    inbox, db = tmp_path / "inbox", tmp_path / "t.duckdb"
    inbox.mkdir()
    (inbox / "a.fit").write_bytes(activity_fits[0])
    done = fitbalance("ingest", str(inbox), "--db", str(db), env=env_for(blocker / "data"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "this run uses an embedded API" in done.stderr
    assert rows(db, "SELECT count(*) FROM activities") == [(1,)]
