"""Stopping a process and everything it started: the one way the dashboard, the local Prefect server, its warm
process and ``fitbalance serve`` end the processes they run.

:func:`terminate_tree` sends SIGTERM to the process's group (when it leads one: a process started with
``start_new_session``) and to each of its descendants, waits up to ``grace_s`` for them to end, SIGKILLs whatever is
left (a process that ignores SIGTERM, a grandchild that outlived its parent) and reaps the process when it is this
process's child, so no zombie stays. :func:`terminate_trees` does the same for several processes at once, under one
grace period.

Not about processing data: that is :mod:`fitbalance.process`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

import psutil

DEFAULT_GRACE_S = 10.0
POLL_S = 0.05

Target = int | subprocess.Popen[Any]


@dataclass
class _Tree:
    """One process being stopped: its pid, its Popen (if we have one), whether it leads its own process group, and
    the descendants seen before the signal (they may leave its group, or be orphaned when it ends)."""

    pid: int
    popen: subprocess.Popen[Any] | None
    leads_group: bool
    members: list[psutil.Process] = field(default_factory=list)
    status: int | None = None  # the exit status, once reaped here

    @classmethod
    def of(cls, target: Target) -> _Tree:
        popen = target if isinstance(target, subprocess.Popen) else None
        pid = target.pid if isinstance(target, subprocess.Popen) else target
        tree = cls(pid, popen, leads_group=_group_of(pid) == pid)
        if popen is not None and popen.returncode is not None:  # reaped already: what is left of the group it led
            tree.status = popen.returncode
            tree.members = [p for p in psutil.process_iter() if p.pid != pid and _group_of(p.pid) == pid]
            return tree
        with suppress(psutil.Error):
            root = psutil.Process(pid)
            tree.members = [root, *root.children(recursive=True)]
        return tree

    def send(self, signum: int) -> None:
        if self.leads_group or self.status is not None:
            with suppress(ProcessLookupError, PermissionError):  # the group, even when its leader has ended
                os.killpg(self.pid, signum)
        for member in self.members:
            with suppress(psutil.Error):
                member.send_signal(signum)

    def reap(self) -> None:
        """Collect the exit status of the process if it is our child and has ended (no zombie stays)."""
        if self.status is not None:
            return
        if self.popen is not None:
            self.status = self.popen.poll()
            return
        with suppress(ChildProcessError):
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid == self.pid:
                self.status = os.waitstatus_to_exitcode(status)

    def alive(self) -> list[psutil.Process]:
        self.reap()
        return [m for m in self.members if _running(m)]


def terminate_tree(target: Target, *, grace_s: float = DEFAULT_GRACE_S) -> int | None:
    """Stop ``target`` (a pid or a Popen) and every process it started: SIGTERM, up to ``grace_s`` seconds to end,
    then SIGKILL; reaped when it is our child. Returns its exit status when known (negative: the signal that ended
    it), else None (not our child, or gone already)."""
    return terminate_trees([target], grace_s=grace_s)[0]


def terminate_trees(targets: Sequence[Target], *, grace_s: float = DEFAULT_GRACE_S) -> list[int | None]:
    """:func:`terminate_tree` for each of ``targets``, all signalled at once and given the same grace period."""
    trees = [_Tree.of(target) for target in targets]
    for tree in trees:
        tree.send(signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while any(tree.alive() for tree in trees) and time.monotonic() < deadline:
        time.sleep(POLL_S)
    for tree in trees:  # what is left, and in its group what started after we looked
        tree.send(signal.SIGKILL)
    for tree in trees:
        psutil.wait_procs([m for m in tree.members if m.pid != tree.pid], timeout=grace_s)
        _reap_now(tree, grace_s)
    return [tree.status for tree in trees]


def _reap_now(tree: _Tree, timeout_s: float) -> None:
    """After SIGKILL: wait for the process itself (our child: its status; another's: until it is gone)."""
    if tree.popen is not None:
        with suppress(subprocess.TimeoutExpired):
            tree.status = tree.popen.wait(timeout=timeout_s)
        return
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        tree.reap()
        if tree.status is not None or not any(_running(m) for m in tree.members if m.pid == tree.pid):
            return
        time.sleep(POLL_S)


def _group_of(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except (ProcessLookupError, PermissionError):
        return None


def _running(process: psutil.Process) -> bool:
    """Alive and not a zombie (a zombie has ended: it waits only for its parent to read its status)."""
    try:
        return bool(process.is_running() and process.status() != psutil.STATUS_ZOMBIE)
    except psutil.Error:
        return False
