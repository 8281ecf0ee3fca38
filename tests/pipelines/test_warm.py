"""The warm process's safety rules (:mod:`fitbalance_pipelines.warm`), without a server: it forks only with no other
thread running, and it is stale once a library it imported is installed at another version."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from importlib.metadata import version

from fitbalance_pipelines import warm

NATIVE_THREAD_AFTER_THE_BASELINE = """
import _thread, json, time
from fitbalance_pipelines import warm
before = warm.thread_ids()
started = []
_thread.start_new_thread(lambda: (started.append(1), time.sleep(600)), ())  # unknown to threading, as a C library's
while not started:
    time.sleep(0.01)
print(json.dumps({"before": warm.other_threads(before), "after_baseline": warm.other_threads(warm.thread_ids())}))
"""

PYTHON_THREAD = """
import json, threading, time
from fitbalance_pipelines import warm
allowed = warm.thread_ids()
stop = threading.Event()
thread = threading.Thread(target=stop.wait, name="log-shipper")
thread.start()
running = warm.other_threads(allowed)
stop.set()
thread.join()
for _ in range(1000):  # join() returns as the thread's Python part ends; the kernel's thread goes a moment later
    ended = warm.other_threads(allowed)
    if not ended:
        break
    time.sleep(0.01)
print(json.dumps({"running": running, "ended": ended}))
"""

IMPORTED = """
import json
import duckdb, polars
from fitbalance_pipelines import warm
print(json.dumps(warm.imported_versions()))
"""


def test_another_python_thread_is_named_until_it_ends() -> None:
    """A Python thread running beside the caller is reported by name; once it has ended, nothing is (in a process
    of its own: pytest's may start threads of its own at any time)."""
    done = subprocess.run([sys.executable, "-c", PYTHON_THREAD], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"running": ["log-shipper (Python)"], "ended": []}


def test_a_native_thread_started_after_the_imports_is_named_and_those_before_are_allowed() -> None:
    """A thread the threading module does not know (as a C library starts one: numpy's BLAS pool, polars' cleaner)
    counts when it appeared after the allowed set was taken, and not once it is part of it (the warm process takes
    that set after its imports)."""
    done = subprocess.run([sys.executable, "-c", NATIVE_THREAD_AFTER_THE_BASELINE], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    assert len(got["before"]) == 1 and got["before"][0].endswith(" (native)")
    assert got["after_baseline"] == []


def test_the_versions_of_the_imported_libraries_are_recorded() -> None:
    """A process that imported polars and duckdb records their installed versions (and nothing it did not import,
    such as Prefect)."""
    done = subprocess.run([sys.executable, "-c", IMPORTED], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    recorded = json.loads(done.stdout)
    assert recorded["polars"] == version("polars") and recorded["duckdb"] == version("duckdb")
    assert "prefect" not in recorded


def test_the_installed_versions_are_read_from_the_environment() -> None:
    """What a command compares with: every installed distribution, normalized names, the versions pip reports."""
    installed = warm.installed_versions()
    assert installed["polars"] == version("polars") and installed["prefect"] == version("prefect")
    assert installed["typing_extensions"] == version("typing-extensions")


def test_an_upgraded_library_makes_the_warm_process_stale() -> None:
    """A library recorded at one version and installed at another (or removed) is named; the same versions are not."""
    installed = {"polars": "2.1.0", "duckdb": "2.0.0"}
    assert warm.changed_libraries({"polars": "2.1.0", "duckdb": "2.0.0"}, installed) == []
    assert warm.changed_libraries({"polars": "2.0.3", "duckdb": "2.0.0"}, installed) == ["polars 2.0.3 -> 2.1.0"]
    assert warm.changed_libraries({"fitdecode": "0.11.0"}, installed) == ["fitdecode 0.11.0 -> not installed"]


def test_a_refused_fork_makes_the_command_run_itself_and_say_why() -> None:
    """When the warm process answers that it will not fork (threads running), the command is told why and gets no
    exit status: it runs the flow in its own process."""
    command, warm_side = socket.socketpair()
    with command, warm_side:
        warm_side.sendall(json.dumps({"refused": "the warm process has other threads running (x)"}).encode() + b"\n")
        told: list[str] = []
        assert warm._follow(command, told.append) is None
    assert told == ["the warm process has other threads running (x)"]


def test_an_exit_status_reaches_the_command() -> None:
    """The child's pid, then its exit status: the command exits with that status."""
    command, warm_side = socket.socketpair()
    with command, warm_side:
        warm_side.sendall(b'{"pid": 999999999}\n{"exit": 3}\n')
        warm_side.shutdown(socket.SHUT_WR)
        assert warm._follow(command, lambda _: None) == 3
