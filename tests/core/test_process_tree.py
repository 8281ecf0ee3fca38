"""Stopping a process tree (:mod:`fitbalance.process_tree`), with real processes: SIGTERM to the group and every
descendant, SIGKILL after the grace period, the process reaped."""

from __future__ import annotations

import json
import subprocess
import sys

import psutil

from fitbalance.process_tree import terminate_tree, terminate_trees

SLEEP = "import time; time.sleep(600)"
STUBBORN_SLEEP = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)"


def _parent(child_code: str, *, ignore_sigterm: bool = False, child_session: bool = False) -> str:
    """A process that starts a child (which may start its own session, leaving the group), says both pids once the
    child runs, and sleeps; ``ignore_sigterm``: it ignores SIGTERM."""
    ignore = "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n" if ignore_sigterm else ""
    return (
        "import json, os, signal, subprocess, sys, time\n"
        f"{ignore}"
        f"child = subprocess.Popen([sys.executable, '-c', {child_code!r}], start_new_session={child_session})\n"
        "print(json.dumps([os.getpid(), child.pid]), flush=True)\n"
        "time.sleep(600)\n"
    )


def _start(code: str, *, new_session: bool = True) -> tuple[subprocess.Popen[bytes], list[psutil.Process]]:
    leader = subprocess.Popen([sys.executable, "-c", code], start_new_session=new_session, stdout=subprocess.PIPE)
    assert leader.stdout is not None
    pids = json.loads(leader.stdout.readline())
    leader.stdout.close()
    return leader, [psutil.Process(pid) for pid in pids]


def _gone(processes: list[psutil.Process]) -> bool:
    return not psutil.wait_procs(processes, timeout=10)[1]


def test_a_group_leader_and_its_child_end_and_the_leader_is_reaped() -> None:
    """A process leading its own group and the child it started both end on SIGTERM; its exit status is read."""
    leader, tree = _start(_parent(SLEEP))
    status = terminate_tree(leader, grace_s=10)
    assert status == -15 and leader.returncode == -15
    assert _gone(tree)


def test_a_tree_that_ignores_sigterm_is_killed_after_the_grace_period() -> None:
    """A leader and a grandchild that both ignore SIGTERM (set before they say they run) are SIGKILLed once the
    grace period is over."""
    leader, tree = _start(_parent(STUBBORN_SLEEP, ignore_sigterm=True))
    assert terminate_tree(leader, grace_s=0.5) == -9
    assert _gone(tree)


def test_a_child_that_left_the_group_is_stopped_too() -> None:
    """A child that started a session of its own (out of reach of the group's signal) is still found and ended."""
    leader, tree = _start(_parent(STUBBORN_SLEEP, child_session=True))
    terminate_tree(leader, grace_s=0.5)
    assert _gone(tree)


def test_a_pid_in_our_own_group_is_stopped_with_its_children_and_reaped() -> None:
    """Given a bare pid of a child in this process's group (no group of its own to signal), the process and its
    child end, and no zombie is left (its status was read here)."""
    leader, tree = _start(_parent(SLEEP), new_session=False)
    assert terminate_tree(leader.pid, grace_s=10) == -15
    assert _gone(tree)
    assert not psutil.pid_exists(leader.pid) or psutil.Process(leader.pid).status() != psutil.STATUS_ZOMBIE
    leader.wait()  # the Popen learns it is gone (its status was read by terminate_tree)


def test_what_outlived_an_ended_leader_is_killed() -> None:
    """A leader that has ended (and was reaped) leaves its child in the group: the child is ended and the leader's
    status returned."""
    leader, (_, child) = _start(_parent(STUBBORN_SLEEP))
    leader.kill()
    leader.wait()
    assert terminate_tree(leader, grace_s=0.5) == -9
    assert _gone([child])


def test_several_trees_are_stopped_together() -> None:
    """terminate_trees stops every tree it is given, stubborn or not, and returns each one's status in order."""
    stubborn, first = _start(_parent(STUBBORN_SLEEP, ignore_sigterm=True))
    polite, second = _start(_parent(SLEEP))
    assert terminate_trees([stubborn, polite], grace_s=0.5) == [-9, -15]
    assert _gone(first + second)
