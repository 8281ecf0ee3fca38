"""A warm process for ``fitbalance ingest``: Prefect and the ingest flow imported once, one fork per command.

Importing Prefect takes 1.7 s and the ingest flow's libraries (polars, pandera, pandas, duckdb) about as much again, in
every command, before it looks at a single file; an ingest that finds nothing new does well under a second of work. So
beside the local Prefect server (:mod:`fitbalance_pipelines.localserver`) its supervisor keeps this process: it has
imported all of that, reports to the local server, and listens on ``<home>/runner.sock`` (a Unix socket only its user
can open, checked by the peer's uid).

``fitbalance ingest ...`` (:func:`delegate`) asks it first whether it runs the same code (package files unchanged, same
Python, same ``PREFECT_*`` settings); if so it sends its arguments, working folder, umask, environment and its
terminal (its stdin, stdout and stderr, as file descriptors). The process forks a child that becomes the command: it
runs the same ``fitbalance ingest`` in the command's folder, with its umask and environment, writing to its terminal,
as a real Prefect flow run on the local server (with the server's credentials); it sends back its process id and, at
the end, its exit status, which the command exits with. SIGINT, SIGTERM and SIGHUP to the command are passed on to the
child's process group, so Ctrl-C and ``kill`` act as on an ingest run in the command's own process. Whenever anything
does not fit (no warm process yet, other code, other settings, not Linux), the command runs the flow itself, as it
always could.

The warm process ends with the local server (SIGTERM from the supervisor), or on its own when its supervisor is gone,
stopping any child still running first; a command finding it on other code asks it to quit, and the supervisor starts
a fresh one.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import re
import select
import signal
import socket
import struct
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, suppress
from importlib.util import find_spec
from pathlib import Path
from types import FrameType
from typing import Any

from fitbalance.process_tree import terminate_trees
from fitbalance_pipelines.server import API_URL_VAR, AUTH_VAR, command_flow_settings, flush_prefect

SOCKET = "runner.sock"
CHILD_VAR = "FITBALANCE_WARM_CHILD"  # set in a command run by the warm process: it never delegates again
HEADER = struct.Struct("!I")
ASK_TIMEOUT_S = 5.0
STOP_GRACE_S = 10.0
FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
# what a command imports, in this order, before and during its first flow run (measured: the first run in a fresh
# process takes three times as long as the next); imported once in the warm process
PRELOAD = (
    "typer",
    "fitbalance_pipelines.localserver",
    "fitbalance_pipelines.ingest",
    "prefect.flow_engine",
    "prefect.task_engine",
    "prefect.utilities.visualization",
    "fastapi.encoders",
    "anyio._backends._asyncio",
    "fitbalance.cli",  # and the flow commands: dropped again in each command (COMMAND_MODULES)
)
# imported again in each command: their consoles are made for the command's terminal
COMMAND_MODULES = ("fitbalance.cli", "fitbalance_pipelines.commands")
# the defaults every command applies before Prefect reads its settings (the flow commands set them too)
COMMAND_ENV = {
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_LOGGING_LEVEL": "WARNING",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
}


def command_env() -> None:
    """Apply :data:`COMMAND_ENV` where the user has not set those variables (before Prefect is imported)."""
    for key, value in COMMAND_ENV.items():
        os.environ.setdefault(key, value)


def code_stamp() -> str:
    """What identifies the code a process runs: the package files' count, sizes and newest time."""
    roots = {
        Path(location)
        for name in ("fitbalance", "fitbalance_pipelines", "fitbalance_dashboards")
        if (spec := find_spec(name)) is not None
        for location in (spec.submodule_search_locations or [])
    }
    count, size, newest = 0, 0, 0
    for root in sorted(roots):
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            for name in files:
                if name.endswith((".py", ".sql", ".toml")):
                    info = os.stat(os.path.join(folder, name))
                    count, size, newest = count + 1, size + info.st_size, max(newest, info.st_mtime_ns)
    return f"{count}|{size}|{newest}"


def thread_ids() -> set[int]:
    """The ids of this process's threads as the kernel knows them (Python's and those libraries start natively)."""
    return {int(tid) for tid in os.listdir("/proc/self/task")}


def other_threads(allowed: set[int]) -> list[str]:
    """The threads running beside the calling one, by name: every other Python thread, and any native thread not in
    ``allowed`` (the warm process allows those its imports started and which wait idle: jemalloc's background threads,
    which jemalloc stops around a fork, the BLAS pool numpy loads, polars' spill cleaner). A fork copies only the
    calling thread; a lock another thread holds at that moment (logging's, an event loop's, a thread pool's) stays
    locked in the child for good."""
    me = threading.current_thread()
    python = {t.native_id: t.name for t in threading.enumerate() if t is not me and t.native_id is not None}
    found = [f"{name} (Python)" for name in python.values()]
    for tid in sorted(thread_ids() - allowed - set(python) - {threading.get_native_id()}):
        with suppress(OSError):
            found.append(Path(f"/proc/self/task/{tid}/comm").read_text().strip() + " (native)")
    return found


def installed_versions() -> dict[str, str]:
    """Every distribution installed on ``sys.path``, by normalized name, with its version: read from the names of the
    ``*.dist-info`` folders (one listing per folder, no metadata file opened: a command pays a few milliseconds)."""
    found: dict[str, str] = {}
    for folder in sys.path:
        try:
            entries = os.scandir(folder or ".")
        except OSError:
            continue
        with entries:
            for entry in entries:
                if entry.name.endswith(".dist-info"):
                    name, _, version = entry.name.removesuffix(".dist-info").partition("-")
                    found.setdefault(_normal(name), version)
    return found


def imported_versions() -> dict[str, str]:
    """The distributions this process has imported from (polars, duckdb, prefect, pandera, fitdecode, numpy, ...),
    with their installed versions: what the warm process keeps in memory, so after an upgrade it is stale."""
    from importlib.metadata import packages_distributions

    owners = packages_distributions()
    installed = installed_versions()
    tops = {name.partition(".")[0] for name in list(sys.modules)}
    names = {_normal(dist) for top in tops for dist in owners.get(top, [])}
    return {name: installed[name] for name in sorted(names) if name in installed}


def changed_libraries(imported: dict[str, str], installed: dict[str, str]) -> list[str]:
    """``name old -> new`` for each library imported at one version that is now installed at another (or gone)."""
    return [
        f"{name} {version} -> {installed.get(name, 'not installed')}"
        for name, version in sorted(imported.items())
        if installed.get(name) != version
    ]


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


SERVER_SIDE = ("PREFECT_SERVER_", "PREFECT_UI_", "PREFECT_API_DATABASE_")  # the server's settings, not a command's


def prefect_env(env: dict[str, str] | os._Environ[str]) -> dict[str, str]:
    """The ``PREFECT_*`` settings of an environment that a command's flow run depends on: not the API URL and its
    credentials (the warm process's are its server's), not the server's own settings."""
    return {
        k: v
        for k, v in env.items()
        if k.startswith("PREFECT_") and k not in (API_URL_VAR, AUTH_VAR) and not k.startswith(SERVER_SIDE)
    }


# ---------------------------------------------------------------- the command's side


def _send(sock: socket.socket, message: dict[str, Any], fds: list[int] | None = None) -> None:
    body = json.dumps(message).encode()
    socket.send_fds(sock, [HEADER.pack(len(body))], fds or [])
    sock.sendall(body)


def _lines(sock: socket.socket) -> Iterator[dict[str, Any]]:
    """The JSON lines the other side sends, until it closes the connection."""
    buffer = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except InterruptedError:
            continue
        if not chunk:
            return
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            yield json.loads(line)


def _connect(home: Path, timeout_s: float | None = ASK_TIMEOUT_S) -> socket.socket | None:
    path = home / SOCKET
    if not path.exists():
        return None
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout_s)
    try:
        sock.connect(str(path))
    except OSError:
        sock.close()
        return None
    return sock


def _ask(home: Path, message: dict[str, Any]) -> dict[str, Any] | None:
    sock = _connect(home)
    if sock is None:
        return None
    with sock:
        try:
            _send(sock, message)
            return next(_lines(sock), None)
        except (OSError, ValueError):
            return None


def delegate(home: Path, args: list[str], on_stale: Callable[[str], None] = lambda _: None) -> int | None:
    """Run ``fitbalance ARGS`` in the warm process with this process's folder, environment and terminal.

    Returns its exit status, or None when there is no warm process fit for it (then run the command here).
    ``on_stale`` is told when the warm process runs other code and was asked to make way for a fresh one, or when it
    cannot fork safely now.
    """
    if sys.platform != "linux" or os.environ.get(CHILD_VAR):
        return None
    hello = _ask(home, {"op": "hello"})
    if hello is None or hello.get("python") != sys.executable:  # another installation's: not ours to replace
        return None
    if hello.get("stamp") != code_stamp():
        _ask(home, {"op": "quit"})
        on_stale("the warm process ran other code: it makes way for a fresh one")
        return None
    upgraded = changed_libraries(hello.get("libraries", {}), installed_versions())
    if upgraded or "libraries" not in hello:
        _ask(home, {"op": "quit"})
        on_stale(f"the warm process ran other library versions ({', '.join(upgraded)}): it makes way for a fresh one")
        return None
    if hello.get("prefect_env") != prefect_env(os.environ) or hello.get("profile_api", True):
        return None
    sock = _connect(home, timeout_s=None)
    if sock is None:
        return None
    with sock:
        umask = os.umask(0o077)  # read it: the only way is to set it, and at once back
        os.umask(umask)
        request = {"op": "run", "args": args, "cwd": os.getcwd(), "env": dict(os.environ), "umask": umask}
        try:
            _send(sock, request, [0, 1, 2])
        except OSError:
            return None
        return _follow(sock, on_stale)


def _follow(sock: socket.socket, on_refused: Callable[[str], None]) -> int | None:
    """Pass signals on to the child until it says how it ended; then its exit status. None when the warm process
    refuses to fork (``on_refused`` is told why): the command runs itself."""
    child: list[int] = []
    received: list[int] = []

    def forward(signum: int, _frame: FrameType | None) -> None:
        received.append(signum)
        if child:
            with suppress(ProcessLookupError, PermissionError):
                os.killpg(child[0], signum)

    previous = {sig: signal.signal(sig, forward) for sig in FORWARDED}
    try:
        for message in _lines(sock):
            if "refused" in message:
                on_refused(str(message["refused"]))
                return None
            if "pid" in message:
                child.append(int(message["pid"]))
                for signum in received:  # a signal that came before the child was known
                    with suppress(ProcessLookupError, PermissionError):
                        os.killpg(child[0], signum)
            elif "exit" in message:
                return int(message["exit"])
    except (OSError, ValueError):
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if received:  # ended by the signal passed on before it could answer
        return 128 + received[-1]
    print("error: the warm fitbalance process ended without an answer; run the command again", file=sys.stderr)
    return 1


# ---------------------------------------------------------------- the warm process


class _Runner:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.children: set[int] = set()
        self.stopping = False
        self.supervisor = os.getppid()
        command_env()
        for module in PRELOAD:
            importlib.import_module(module)
        from prefect.settings import PREFECT_API_URL, load_current_profile

        from fitbalance.exercises import load_catalog
        from fitbalance.patterns import load_patterns

        load_catalog()  # the packaged catalogue, read once (every run resolves exercise names with it)
        load_patterns()  # and its movement patterns (every run refreshes the exercise_patterns table)
        self.import_threads = thread_ids()  # the native threads the imports started, idle (other_threads)
        _check_api_version()
        # held for the process's life: its commands inherit the settings instead of each paying for a copy
        self.settings = ExitStack()
        self.settings.enter_context(command_flow_settings())
        self.stamp = code_stamp()
        self.libraries = imported_versions()  # after every import above: what this process holds in memory
        self.prefect_env = prefect_env(os.environ)
        # a Prefect profile naming an API: a command reports there, not to the local server, so it runs itself
        self.profile_api = any(setting.name == PREFECT_API_URL.name for setting in load_current_profile().settings)

    def _on_signal(self, _signum: int, _frame: FrameType | None) -> None:
        self.stopping = True

    def _reap(self) -> None:
        while self.children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                self.children.clear()
                return
            if pid == 0:
                return
            self.children.discard(pid)
            print(f"warm process {os.getpid()}: command {pid} ended ({_ended(status)})", file=sys.stderr, flush=True)

    def _stop_children(self) -> None:
        """Stop the commands still running (each leads its own process group) and what they started."""
        children = sorted(self.children)
        for pid, status in zip(children, terminate_trees(children, grace_s=STOP_GRACE_S), strict=True):
            self.children.discard(pid)
            ended = "gone" if status is None else f"exit status {status}" if status >= 0 else f"signal {-status}"
            print(f"warm process {os.getpid()}: command {pid} stopped ({ended})", file=sys.stderr, flush=True)

    def _read(self, conn: socket.socket) -> tuple[dict[str, Any], list[int]]:
        conn.settimeout(ASK_TIMEOUT_S)
        head, fds, _, _ = socket.recv_fds(conn, HEADER.size, 3)
        (length,) = HEADER.unpack(head)
        body = b""
        while len(body) < length:
            chunk = conn.recv(length - len(body))
            if not chunk:
                raise ValueError("the request ended early")
            body += chunk
        return json.loads(body), fds

    def serve(self) -> int:
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, self._on_signal)
        path = self.home / SOCKET
        tmp = self.home / f".{SOCKET}.{os.getpid()}"
        tmp.unlink(missing_ok=True)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old_umask = os.umask(0o177)  # the socket file: its user only
        try:
            listener.bind(str(tmp))
        finally:
            os.umask(old_umask)
        listener.listen(16)
        tmp.replace(path)
        mine = path.stat()
        print(f"warm process {os.getpid()}: ready on {path}", file=sys.stderr, flush=True)
        try:
            while not self.stopping and os.getppid() == self.supervisor:  # it never outlives its supervisor
                self._reap()
                with suppress(InterruptedError):
                    ready, _, _ = select.select([listener], [], [], 1.0)
                    if ready:
                        self._accept(listener)
        finally:
            listener.close()
            with suppress(FileNotFoundError):
                if os.path.samestat(path.stat(), mine):  # not a newer warm process's socket
                    path.unlink()
            self._stop_children()
        return 0

    def _accept(self, listener: socket.socket) -> None:
        conn, _ = listener.accept()
        with conn:
            uid = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))[1]
            if uid != os.getuid():
                return
            try:
                request, fds = self._read(conn)
            except (OSError, ValueError):
                return
            if request.get("op") == "hello":
                reply = {
                    "python": sys.executable,
                    "stamp": self.stamp,
                    "libraries": self.libraries,
                    "prefect_env": self.prefect_env,
                    "profile_api": self.profile_api,
                }
                with suppress(OSError):
                    conn.sendall(json.dumps(reply).encode() + b"\n")
                return
            if request.get("op") == "quit":
                self.stopping = True
                return
            if request.get("op") != "run" or len(fds) != 3:
                for fd in fds:
                    os.close(fd)
                return
            running = other_threads(self.import_threads)
            if running:  # a fork now could leave the command's child stuck on a lock: the command runs itself
                reason = f"the warm process has other threads running ({', '.join(running)}): running it here"
                print(f"warm process {os.getpid()}: {reason}", file=sys.stderr, flush=True)
                with suppress(OSError):
                    conn.sendall(json.dumps({"refused": reason}).encode() + b"\n")
                for fd in fds:
                    os.close(fd)
                return
            pid = os.fork()
            if pid == 0:  # the command's child: never returns
                listener.close()
                _run_command(conn, request, fds)
            self.children.add(pid)
            command = " ".join(["fitbalance", *request.get("args", [])[:1]])
            print(f"warm process {os.getpid()}: command {pid} started: {command}", file=sys.stderr, flush=True)
            for fd in fds:
                os.close(fd)


def _check_api_version() -> None:
    """Prefect's handshake with its server (``GET /admin/version``), done once here: a process remembers it for the
    server's URL, so the commands forked from this one skip it (measured: 0.05-0.17 s of every command). A server
    that does not answer yet is asked again by each command, as before."""
    from prefect.client.orchestration import get_client

    with suppress(Exception), get_client(sync_client=True) as client:
        client.raise_for_api_version_mismatch_once()


def _ended(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"


def _run_command(conn: socket.socket, request: dict[str, Any], fds: list[int]) -> None:
    """In the forked child: become the command (its group, folder, environment, terminal), run it, report, exit."""
    code = 1
    try:
        os.setpgid(0, 0)  # its own process group: the command's signals reach it and what it starts
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115
        sys.stdout = open(1, "w", encoding="utf-8", buffering=1, closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", encoding="utf-8", buffering=1, closefd=False)  # noqa: SIM115
        for sig in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        server = {name: value for name in (API_URL_VAR, AUTH_VAR) if (value := os.environ.get(name)) is not None}
        os.chdir(request["cwd"])
        os.umask(int(request["umask"]))  # the databases and reports it writes are as the command would write them
        os.environ.clear()
        os.environ.update(request["env"])
        os.environ.update(server)
        os.environ[CHILD_VAR] = "1"
        conn.settimeout(None)
        conn.sendall(json.dumps({"pid": os.getpid()}).encode() + b"\n")
        code = _main(request["args"])
    except BaseException as exc:  # the command's own errors were reported by it; this is ours
        with suppress(Exception):
            print(f"error: the warm fitbalance process failed: {exc!r}", file=sys.stderr, flush=True)
    finally:
        with suppress(Exception):
            flush_prefect(timeout_s=10)
        with suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        with suppress(OSError):
            conn.sendall(json.dumps({"exit": code}).encode() + b"\n")
        os._exit(code)


def _main(args: list[str]) -> int:
    """``fitbalance ARGS``, as the command line would run it; its exit status."""
    for name in [m for m in sys.modules if m in COMMAND_MODULES or m.startswith("fitbalance.cli.")]:
        del sys.modules[name]
    from fitbalance.cli import app

    try:
        app(args=args, prog_name="fitbalance")
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The warm process of the local Prefect server.")
    parser.add_argument("--home", type=Path, required=True)
    args = parser.parse_args(argv)
    if API_URL_VAR not in os.environ:
        parser.error(f"{API_URL_VAR} must name the local server")
    return _Runner(args.home).serve()


if __name__ == "__main__":
    sys.exit(main())
