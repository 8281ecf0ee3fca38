"""With ``fitbalance serve`` running as its owner, another user of the same machine can neither read its flow runs nor
make it read a file or write a database of their choosing.

The other user is real: ``fitbalance-other``, a system account without a home or a login shell, made with ``useradd``
when the tests run as root (as CI does) and kept for the next runs. Code runs as that user in a subprocess that
imports what it needs, then drops root for good (``setgroups``, ``setgid``, ``setuid``) before it touches anything.
Where no second user can be made (not root, no ``useradd``), the tests skip and say why.

The owner's data folder lies in a folder every user may enter (0755): what keeps the other user out is fitbalance's
own permissions, not the test's temporary folder.
"""

from __future__ import annotations

import base64
import json
import os
import pwd
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from fitbalance_pipelines.localserver import LOG, STATE, recorded
from fitbalance_pipelines.server import AUTH_FILE, auth_string
from tests.pipelines.test_serve import FIRST_RUN_S, LATER_RUN_S, Served, completed_runs, serve, wait_for

pytestmark = [pytest.mark.server, pytest.mark.slow, pytest.mark.timeout(600)]

OTHER = "fitbalance-other"
FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}

AS_OTHER = """
import base64, json, os, sys, urllib.error, urllib.request
import encodings.idna  # socket looks the host up with it: after setuid the standard library may be out of reach

uid, gid = int(sys.argv[1]), int(sys.argv[2])
os.setgroups([])
os.setgid(gid)
os.setuid(uid)
try:
    os.setuid(0)
except PermissionError:
    pass
else:
    raise SystemExit("root could be taken back")
args = json.loads(sys.argv[3])


def http(method, url, body=None, auth=None):
    headers = {"Content-Type": "application/json"}
    if auth is not None:
        headers["Authorization"] = "Basic " + base64.b64encode(auth.encode()).decode()
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return [answer.status, answer.read().decode()]
    except urllib.error.HTTPError as refused:
        return [refused.code, refused.read().decode()]


def reach(path):
    try:
        if os.path.isdir(path):
            return sorted(os.listdir(path))
        with open(path, "rb") as fh:
            return len(fh.read())
    except OSError as exc:
        return type(exc).__name__


out = {"uid": os.getuid(), "euid": os.geteuid()}
out["http"] = [http(*request) for request in args.get("http", [])]
out["reach"] = {path: reach(path) for path in args.get("reach", [])}
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def other_user() -> pwd.struct_passwd:
    """The second user, made now or by an earlier run (two runs making it at once: either one wins)."""
    if sys.platform != "linux":
        pytest.skip("a second user is made with Linux's useradd")
    if os.geteuid() != 0:
        pytest.skip(f"a second user can be made only when the tests run as root (as CI does), not uid {os.geteuid()}")
    useradd = shutil.which("useradd")
    if useradd is None:
        pytest.skip("no useradd on this machine to make a second user")
    try:
        return pwd.getpwnam(OTHER)
    except KeyError:
        pass
    made = subprocess.run(
        [useradd, "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", OTHER],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        return pwd.getpwnam(OTHER)
    except KeyError:
        pytest.skip(f"useradd could not make a second user ({made.returncode}): {made.stderr.strip()}")


def as_other(user: pwd.struct_passwd, **args: Any) -> dict[str, Any]:
    """Run :data:`AS_OTHER` as ``user``: ``http`` requests ([method, url, body, auth]) and ``reach`` paths (a folder
    listed, a file read); what each got (a status and body, the listing, the size, or the error's name)."""
    done = subprocess.run(
        [sys.executable, "-c", AS_OTHER, str(user.pw_uid), str(user.pw_gid), json.dumps(args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd="/",
    )
    assert done.returncode == 0, done.stderr
    got: dict[str, Any] = json.loads(done.stdout)
    assert got["uid"] == got["euid"] == user.pw_uid
    return got


BUSY = {429, 502, 503}
"""What the Prefect server answers while its database is busy (a locked SQLite file: 503 with Retry-After; the
request was rolled back). Prefect's own client retries these; so does the owner here."""


def owner_api(url: str, auth: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """The owner's request, with the credentials the local server asks for; asked again while the server says it is
    busy (for up to a minute), as Prefect's client does."""
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json", "Authorization": "Basic " + base64.b64encode(auth.encode()).decode()}
    deadline = time.monotonic() + 60
    while True:
        request = urllib.request.Request(f"{url}{path}", data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return json.loads(answer.read())
        except urllib.error.HTTPError as exc:
            if exc.code not in BUSY or time.monotonic() > deadline:
                raise
            wait = exc.headers.get("Retry-After", "")
            time.sleep(min(float(wait), 5.0) if wait.replace(".", "", 1).isdigit() else 0.5)


@dataclass
class Owner:
    base: Path  # a folder every user may enter
    data: Path  # the owner's data folder: FITBALANCE_DATA_DIR
    home: Path  # the local server's folder in it
    inbox: Path
    db: Path
    url: str
    auth: str
    deployment_id: str
    served: Served


@pytest.fixture(scope="module")
def owner(other_user: pwd.struct_passwd, activity_fits: list[bytes]) -> Iterator[Owner]:
    """``fitbalance serve`` running as its owner, on a local server it started, after its first run loaded a file."""
    base = Path(tempfile.mkdtemp(prefix="fitbalance-owner-"))
    try:
        base.chmod(0o755)
        (base / "open.txt").write_text("anyone may read this")
        data, inbox, db = base / "data", base / "inbox", base / "training.duckdb"
        inbox.mkdir()
        (inbox / "a.fit").write_bytes(activity_fits[0])
        home = data / "prefect"
        with serve(inbox, db, home, FITBALANCE_DATA_DIR=str(data)) as served:
            wait_for("the first run of serve's own job", lambda: completed_runs(db) >= 1, served, FIRST_RUN_S)
            state = recorded(home)
            assert state is not None, served.output()
            auth = auth_string(home)
            body = {"deployments": {"name": {"any_": [inbox.name]}}}
            (deployment,) = owner_api(state.url, auth, "POST", "/deployments/filter", body)
            yield Owner(base, data, home, inbox, db, state.url, auth, deployment["id"], served)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_another_user_gets_401_from_the_api(owner: Owner, other_user: pwd.struct_passwd) -> None:
    """Listing the flow runs (whose parameters name the owner's files), creating a run of serve's deployment, with no
    credentials or guessed ones: 401 and nothing else. The health check answers anyone, and tells nothing."""
    theirs = owner.base / "theirs.duckdb"
    create = f"{owner.url}/deployments/{owner.deployment_id}/create_flow_run"
    got = as_other(
        other_user,
        http=[
            ["POST", f"{owner.url}/flow_runs/filter", {}, None],
            ["POST", f"{owner.url}/flow_runs/filter", {}, "fitbalance:" + "A" * 43],
            ["POST", create, {"parameters": {"inbox": str(owner.inbox), "db": str(theirs)}}, None],
            ["GET", f"{owner.url}/deployments/{owner.deployment_id}", None, "admin:pass"],
            ["GET", f"{owner.url}/health", None, None],
        ],
    )
    statuses = [status for status, _ in got["http"]]
    assert statuses == [401, 401, 401, 401, 200], got
    assert all(str(owner.inbox) not in body and str(owner.db) not in body for _, body in got["http"])
    assert not theirs.exists()


def test_another_user_cannot_read_the_state_folder(owner: Owner, other_user: pwd.struct_passwd) -> None:
    """The data folder and the server's folder are 0700, its files 0600: the other user lists neither folder and
    reads neither the run database, the log, nor the credentials, though they read a file left open beside them."""
    assert stat.S_IMODE(owner.data.stat().st_mode) == stat.S_IMODE(owner.home.stat().st_mode) == 0o700
    for name in ["prefect.db", LOG, STATE, AUTH_FILE]:
        assert stat.S_IMODE((owner.home / name).stat().st_mode) == 0o600, name
    paths = [owner.data, owner.home, *(owner.home / name for name in ["prefect.db", LOG, AUTH_FILE])]
    got = as_other(other_user, reach=[str(owner.base / "open.txt"), *map(str, paths)])
    assert got["reach"][str(owner.base / "open.txt")] == len("anyone may read this")  # the test can tell
    assert {got["reach"][str(path)] for path in paths} == {"PermissionError"}, got


def test_a_run_with_other_parameters_is_refused_and_writes_nothing(owner: Owner) -> None:
    """Even with the credentials (someone the owner gave them to, a shared server of their own), a flow run of
    serve's deployment with another database and report fails before reading a file: its state and serve's output
    say why, and no file appears at the database or the report it named."""
    theirs, report = owner.base / "theirs.duckdb", owner.base / "theirs.html"
    parameters = {"inbox": str(owner.inbox), "db": str(theirs), "report": str(report)}
    create = f"/deployments/{owner.deployment_id}/create_flow_run"
    # due before every scheduled run (they come every 3 s, and may queue up on a busy machine): the runner takes it next
    due = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    state = {"type": "SCHEDULED", "name": "Scheduled", "state_details": {"scheduled_time": due}}
    run = owner_api(owner.url, owner.auth, "POST", create, {"parameters": parameters, "state": state})

    def final() -> bool:
        nonlocal run
        run = owner_api(owner.url, owner.auth, "GET", f"/flow_runs/{run['id']}")
        return run["state_type"] in FINAL

    wait_for("the other run's end", final, owner.served, LATER_RUN_S)
    assert run["state_type"] == "FAILED", run["state"]
    message = run["state"]["message"] or ""
    assert "its parameters are not the ones `fitbalance serve` was started with" in message
    assert f"db={str(theirs)!r}" in message
    assert not theirs.exists() and not report.exists()
    deadline = time.monotonic() + LATER_RUN_S
    while f"refused flow run {run['name']!r}" not in owner.served.output() and time.monotonic() < deadline:
        time.sleep(0.5)  # the runner streams the run's output as it comes
    assert f"refused flow run {run['name']!r}" in owner.served.output()
    runs_before = completed_runs(owner.db)
    wait_for("serve's own job to run again", lambda: completed_runs(owner.db) > runs_before, owner.served, LATER_RUN_S)
