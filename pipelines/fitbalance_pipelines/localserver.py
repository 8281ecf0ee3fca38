"""The local Prefect server: started by the first command that runs a flow, kept for the next ones, stopped when idle.

An embedded (ephemeral) Prefect API costs 10-20 s to start in every process; an everyday ingest that finds nothing new
does well under a second of work. So a command that runs a flow uses, in this order (:func:`prefect_api`):

1. the API Prefect is configured with (``PREFECT_API_URL``, a Prefect profile): a server of the user's, or the one a
   ``fitbalance serve`` elsewhere uses; when it does not answer, the run falls back to an embedded API, with a warning;
2. the local server, when one runs, else one started now (unless ``--no-server`` / ``FITBALANCE_NO_SERVER=1``: then
   the embedded API, as before); when it cannot start, the embedded API, with a warning.

The local server keeps its state under the user's data folder (:func:`data_dir`), in ``prefect/`` (:func:`home`)::

    prefect/                the server's PREFECT_HOME: its SQLite database of flow runs, task runs and logs
    prefect/api-auth        the credentials the server asks every request for (``fitbalance:<random secret>``)
    prefect/server.log      what the server and its supervisor said
    prefect/server.json     the running server (address, process ids, idle timeout); absent when none runs
    prefect/in-use          held (a shared lock) by every command using the server, touched when one starts or ends
    prefect/start.lock      one command at a time looks for a server and starts one
    prefect/runner.sock     the warm process (:mod:`fitbalance_pipelines.warm`) that runs ``fitbalance ingest``

Processes: ``python -m fitbalance_pipelines.localserver`` (the supervisor), detached in a session of its own, runs
``prefect server start --host 127.0.0.1 --port <free port>`` in its own process group
(:func:`fitbalance_pipelines.server.start_server`), writes ``server.json`` once the server answers, starts the warm
process (again if it ends), and then looks every :data:`POLL_S` seconds whether anyone holds ``in-use``. When nobody
has for the idle timeout, when it gets SIGTERM or SIGINT (:func:`stop`, ``fitbalance server stop``), or SIGUSR1 while
nobody uses the server, it stops the server's process group (SIGTERM, then SIGKILL) and the warm process, removes
``server.json`` and exits: no process and no port are left.
It takes ``in-use`` exclusively while it stops, so a command arriving then waits and starts a fresh server.

Both folders are their user's only (0700, files 0600; :func:`private_state`): the runs' parameters name the user's
files, and the credentials open the API. A command that uses the local server sets ``PREFECT_API_AUTH_STRING`` for
itself and the processes it starts (:func:`_pointed_at`); a server of the user's own (``PREFECT_API_URL``) is used
with whatever credentials the user configured for it.

No Prefect import at module level: the supervisor needs none, and a command decides on the API before Prefect reads
its settings.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO

import psutil

from fitbalance.process_tree import terminate_tree
from fitbalance_pipelines.server import (
    API_URL_VAR,
    AUTH_FILE,
    AUTH_VAR,
    STARTUP_TIMEOUT_S,
    STOP_GRACE_S,
    ServerStartError,
    auth_string,
    is_healthy,
    open_private,
    private_folder,
    start_server,
    tighten,
)

DATA_DIR_VAR = "FITBALANCE_DATA_DIR"
IDLE_VAR = "FITBALANCE_SERVER_IDLE_MINUTES"
DEFAULT_IDLE_S = 30 * 60.0
POLL_S = 1.0  # how often the supervisor looks whether the server is in use (a flock attempt and a stat)
STOP_TIMEOUT_S = 30.0  # SIGTERM to the supervisor until it has stopped the server (its group gets SIGKILL after 8 s)
STATE, IN_USE, START_LOCK, LOG = "server.json", "in-use", "start.lock", "server.log"
SUPERVISOR_MODULE = "fitbalance_pipelines.localserver"


@dataclass(frozen=True)
class Running:
    """A local server, as its supervisor recorded it in ``server.json``."""

    url: str
    pid: int  # the supervisor
    server_pid: int  # ``prefect server start``, the leader of its own process group
    home: str
    started_at: float  # seconds since the epoch
    idle_timeout_s: float
    locked: bool = False  # it asks for the credentials in <home>/api-auth (a server of an earlier version did not)

    @property
    def ui_url(self) -> str:
        return self.url.removesuffix("/api")

    @property
    def auth_file(self) -> Path:
        return Path(self.home) / AUTH_FILE


def data_dir() -> Path:
    """``$FITBALANCE_DATA_DIR``, else ``$XDG_DATA_HOME/fitbalance``, else ``~/.local/share/fitbalance``."""
    if configured := os.environ.get(DATA_DIR_VAR):
        return Path(configured)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "fitbalance"


def home() -> Path:
    """The local server's folder: ``<data folder>/prefect``."""
    return data_dir() / "prefect"


def private_state(folder: Path) -> list[str]:
    """Make the local server's folder, and the data folder when it lies in it, its user's only (0700); returns what
    the user should be told (a folder tightened, or one left open that is not theirs to change)."""
    folders = [data_dir(), folder] if folder.parent == data_dir() else [folder]
    return [note for f in folders if (note := private_folder(f))]


def idle_timeout_s() -> float:
    """The idle timeout a server started now gets: ``$FITBALANCE_SERVER_IDLE_MINUTES`` (default 30) minutes."""
    configured = os.environ.get(IDLE_VAR)
    return float(configured) * 60 if configured else DEFAULT_IDLE_S


# ---------------------------------------------------------------- what runs, and locks


def _process(pid: int, marker: str) -> psutil.Process | None:
    """The live process ``pid`` when its command line contains ``marker`` (a reused pid is someone else's)."""
    with suppress(psutil.Error):
        process = psutil.Process(pid)
        if process.status() != psutil.STATUS_ZOMBIE and marker in " ".join(process.cmdline()):
            return process
    return None


def recorded(folder: Path) -> Running | None:
    """What ``server.json`` in ``folder`` says, whether or not it is still true."""
    try:
        return Running(**json.loads((folder / STATE).read_text()))
    except (OSError, ValueError, TypeError):
        return None


def running(folder: Path) -> Running | None:
    """The server recorded in ``folder`` when its supervisor lives and the server answers, else None."""
    state = recorded(folder)
    if state is None or _process(state.pid, SUPERVISOR_MODULE) is None:
        return None
    return state if is_healthy(state.url) else None


def _lock(fh: IO[bytes], how: int) -> None:
    import fcntl

    fcntl.flock(fh.fileno(), how)


def _try_exclusive(fh: IO[bytes]) -> bool:
    import fcntl

    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _open(path: Path) -> IO[bytes]:
    return os.fdopen(open_private(path, os.O_RDWR | os.O_CREAT), "r+b")


# ---------------------------------------------------------------- the commands' side


def _clear_stale(folder: Path) -> None:
    """Remove the record of a server whose supervisor is gone, stopping that server if it still runs."""
    state = recorded(folder)
    if state is None:
        return
    if _process(state.pid, SUPERVISOR_MODULE) is None and _process(state.server_pid, "prefect") is not None:
        terminate_tree(state.server_pid, grace_s=STOP_GRACE_S)  # an orphan of a supervisor killed with -9
    (folder / STATE).unlink(missing_ok=True)


def _start(folder: Path, idle_s: float, timeout_s: float = STARTUP_TIMEOUT_S) -> Running:
    """Start a supervisor (detached) and wait until it says its server answers."""
    command = [sys.executable, "-m", SUPERVISOR_MODULE, "--home", str(folder), "--idle-timeout", str(idle_s)]
    with os.fdopen(open_private(folder / LOG), "ab") as log:
        launcher = subprocess.Popen(
            [*command, "--detach"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=log,
            start_new_session=True,  # a terminal's Ctrl-C for this command does not reach the server
        )
    assert launcher.stdout is not None
    with launcher.stdout as answer:
        launcher.wait()  # the launcher forks the supervisor and exits at once; the supervisor writes the answer
        ready, _, _ = select.select([answer], [], [], timeout_s)
        line = answer.readline().decode("utf-8", errors="replace").strip() if ready else ""
    if not line.startswith("{"):
        raise ServerStartError(
            f"the local Prefect server did not start ({line or f'no answer in {timeout_s:.0f} s'}); see {folder / LOG}"
        )
    return Running(**json.loads(line))


@contextmanager
def use(
    folder: Path | None = None,
    *,
    idle_s: float | None = None,
    on_start: Callable[[], None] = lambda: None,
    announce: Callable[[str], None] = lambda _: None,
) -> Iterator[tuple[Running, bool]]:
    """Hold the local server in use for the block: the one running, or one started now (``on_start`` is told first).

    Yields the server and whether this block started it. While the block runs, the supervisor does not stop it for
    idleness; afterwards its idle time counts from the block's end. Raises ServerStartError when it cannot start.
    A server of an earlier version, which asked for no credentials, is stopped and a new one started. ``announce``
    is told when a folder was made private, or could not be.
    """
    folder = folder or home()
    for note in private_state(folder):
        announce(note)
    in_use = _open(folder / IN_USE)
    try:
        with _open(folder / START_LOCK) as start_lock:
            _lock(start_lock, _fcntl("LOCK_EX"))
            _lock(in_use, _fcntl("LOCK_SH"))  # waits while a supervisor is stopping its server
            os.utime(folder / IN_USE)
            state = running(folder)
            if state is not None and not state.locked:
                announce(f"stopping the local Prefect server at {state.url}: it asked for no credentials")
                stop(folder)
                state = None
            started = state is None
            if state is None:
                _clear_stale(folder)
                if tightened := tighten(folder):
                    announce(f"made {tightened} files in {folder} private (other users could read them)")
                on_start()
                state = _start(folder, idle_timeout_s() if idle_s is None else idle_s)
        yield state, started
    finally:
        with suppress(OSError):
            os.utime(folder / IN_USE)
        in_use.close()


def run_warm(args: list[str], announce: Callable[[str], None]) -> int | None:
    """Run ``fitbalance ARGS`` in the warm process of the local server that runs, holding the server in use meanwhile
    (:func:`fitbalance_pipelines.warm.delegate`); its exit status, or None when it cannot (then run it here).

    With no server recorded, returns None at once: the command runs itself and starts one (:func:`prefect_api`).
    """
    from fitbalance_pipelines import warm

    if sys.platform != "linux" or os.environ.get(API_URL_VAR) or os.environ.get(warm.CHILD_VAR):
        return None
    folder = home()
    if recorded(folder) is None or not (folder / warm.SOCKET).exists():
        return None
    with use(folder, announce=announce) as (_, started):
        if started:  # the recorded server was gone; this one has no warm process yet
            return None
        return warm.delegate(folder, args, on_stale=announce)


def _fcntl(name: str) -> int:
    import fcntl

    value: int = getattr(fcntl, name)
    return value


def idle_for(folder: Path | None = None) -> float | None:
    """Seconds since a command last used the local server, or None while one uses it."""
    folder = folder or home()
    with _open(folder / IN_USE) as in_use:
        if not _try_exclusive(in_use):
            return None
        return max(0.0, time.time() - (folder / IN_USE).stat().st_mtime)


def stop(folder: Path | None = None, *, when_idle: bool = False, timeout_s: float = STOP_TIMEOUT_S) -> Running | None:
    """Stop the local server (its supervisor, the server's process group, the warm process); returns what ran.

    Waits up to ``timeout_s`` for the supervisor to end, then kills what is left. ``when_idle`` (``fitbalance serve``
    leaving the server it started): only asks the supervisor to stop as soon as no command uses the server, which it
    does within :data:`POLL_S` seconds, and returns at once.
    """
    folder = folder or home()
    state = recorded(folder)
    if state is None:
        return None
    supervisor = _process(state.pid, SUPERVISOR_MODULE)
    if supervisor is None:
        _clear_stale(folder)
        return state
    with suppress(psutil.Error):
        supervisor.send_signal(signal.SIGUSR1 if when_idle else signal.SIGTERM)
    if when_idle:
        return state
    try:
        supervisor.wait(timeout=timeout_s)
    except psutil.TimeoutExpired:
        with suppress(psutil.Error):
            supervisor.kill()
    except psutil.Error:
        pass
    _clear_stale(folder)
    return state


def reachable(api_url: str, timeout_s: float = 3.0) -> bool:
    """Whether anything answers HTTP at ``<api_url>/health`` (an error status is an answer: a server is there)."""
    try:
        with urllib.request.urlopen(f"{api_url.rstrip('/')}/health", timeout=timeout_s):
            return True
    except urllib.error.HTTPError:
        return True
    except (OSError, ValueError):
        return False


@contextmanager
def prefect_api(*, no_server: bool, announce: Callable[[str], None]) -> Iterator[str | None]:
    """Point Prefect, in this process and the processes it starts, at the API a command's flow runs report to.

    See the module docstring for the order. Yields the API URL, or None for the embedded API. Imports Prefect.
    """
    from prefect.settings import PREFECT_API_URL, temporary_settings

    configured = PREFECT_API_URL.value()
    if configured:
        if reachable(configured):
            yield configured
            return
        announce(f"the Prefect API at {configured} does not answer: this run uses an embedded API")
        inherited = os.environ.pop(API_URL_VAR, None)
        try:
            with temporary_settings(restore_defaults={PREFECT_API_URL}):
                yield None
        finally:
            if inherited is not None:
                os.environ[API_URL_VAR] = inherited
        return
    if no_server or os.name != "posix":  # the local server needs POSIX process groups and file locks
        yield None
        return
    with ExitStack() as stack:
        try:
            starting = use(on_start=lambda: announce("starting the local Prefect server"), announce=announce)
            state, started = stack.enter_context(starting)
        except (ServerStartError, OSError) as exc:
            announce(f"{exc}: this run uses an embedded API")
            state = None
        if state is None:
            yield None
            return
        if started:
            announce(
                f"started the local Prefect server at {state.ui_url} (its UI shows the runs; `fitbalance server "
                f"status` says how to log in); it stops after {state.idle_timeout_s / 60:g} minutes without use, "
                "or with `fitbalance server stop`"
            )
        with _pointed_at(state):  # and the processes this one starts (Dask workers)
            yield state.url


@contextmanager
def _pointed_at(state: Running) -> Iterator[None]:
    """Prefect in this process, and the processes it starts, reports to the local server ``state``, with its
    credentials, for the block. Imports Prefect."""
    from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL, temporary_settings

    secret = auth_string(Path(state.home))
    before = {name: os.environ.get(name) for name in (API_URL_VAR, AUTH_VAR)}
    os.environ |= {API_URL_VAR: state.url, AUTH_VAR: secret}
    try:
        with temporary_settings(updates={PREFECT_API_URL: state.url, PREFECT_API_AUTH_STRING: secret}):
            yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextmanager
def serving_api(folder: Path | None, announce: Callable[[str], None]) -> Iterator[str]:
    """The API ``fitbalance serve`` serves its deployment on, for the block: the configured one, or the local server
    in ``folder`` (default :func:`home`), started if none runs and then stopped when the block ends, unless another
    command uses it then (it stops when idle). Imports Prefect.
    """
    from prefect.settings import PREFECT_API_URL

    configured = PREFECT_API_URL.value()
    if configured:
        announce(f"Prefect API {configured}: configured")
        yield configured
        return
    folder = folder or home()
    started = False
    try:
        starting = f"starting the local Prefect server (state in {folder})"
        with use(folder, on_start=lambda: announce(starting), announce=announce) as (state, started):
            where = "started here" if started else "already running"
            announce(
                f"Prefect API {state.url}: {where} (pid {state.server_pid}, supervisor pid {state.pid}, state in "
                f"{folder}, log {folder / LOG}); the UI is at {state.ui_url} (it asks for the line in "
                f"{state.auth_file})"
            )
            with _pointed_at(state):  # and the flow-run processes
                yield state.url
    finally:
        if started and stop(folder, when_idle=True):
            announce("the local Prefect server it started stops as soon as no other command uses it")


# ---------------------------------------------------------------- the supervisor


class _Stop(Exception):
    """SIGTERM or SIGINT while the server is still starting."""


def runner_env(api_url: str, auth: str, base: dict[str, str] | None = None) -> dict[str, str]:
    """The warm process's environment: ours without Prefect settings (but its home and profile), and the server's URL
    and credentials.

    Commands compare their own ``PREFECT_*`` settings with the warm process's (defaults applied on both sides), so a
    server started by ``fitbalance serve`` (with its logging settings) serves plain ingests warm too.
    """
    env = dict(os.environ if base is None else base)
    keep = {"PREFECT_HOME", "PREFECT_PROFILE"}
    env = {k: v for k, v in env.items() if not k.startswith("PREFECT_") or k in keep}
    env[API_URL_VAR] = api_url
    env[AUTH_VAR] = auth
    return env


class _Supervisor:
    def __init__(self, folder: Path, idle_s: float, warm: bool = True, umask: int = 0o022) -> None:
        self.folder = folder
        self.umask = umask  # the user's, for the warm process (whose commands write databases and reports)
        self.idle_s = idle_s
        self.warm = warm and sys.platform == "linux"
        self.serving = False
        self.stop_now = False
        self.stop_when_idle = False
        self.runner: subprocess.Popen[bytes] | None = None
        self.runner_starts: list[float] = []

    def _on_signal(self, signum: int, _frame: object) -> None:
        if signum == signal.SIGUSR1:
            self.stop_when_idle = True
            return
        self.stop_now = True
        if not self.serving:
            raise _Stop  # out of the start-up wait; start_server stops what it started

    def _idle_for(self, in_use: IO[bytes]) -> float | None:
        """Seconds since the server was last used, or None while a command uses it (then nothing is locked)."""
        if not _try_exclusive(in_use):
            return None
        try:
            return max(0.0, time.time() - (self.folder / IN_USE).stat().st_mtime)
        except OSError:
            return self.idle_s
        finally:
            _lock(in_use, _fcntl("LOCK_UN"))

    def _record(self, url: str, server_pid: int) -> Running:
        state = Running(url, os.getpid(), server_pid, str(self.folder), time.time(), self.idle_s, locked=True)
        tmp = self.folder / f".{STATE}.{os.getpid()}"
        with os.fdopen(open_private(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), "w") as out:
            out.write(json.dumps(asdict(state)))
        tmp.replace(self.folder / STATE)
        return state

    def _keep_runner(self, url: str) -> None:
        """Start the warm process, again when it has ended (a command asked it to make way for new code), but not
        more than three times a minute."""
        if not self.warm or (self.runner is not None and self.runner.poll() is None):
            return
        now = time.monotonic()
        self.runner_starts = [t for t in self.runner_starts if now - t < 60]
        if len(self.runner_starts) >= 3:
            return
        self.runner_starts.append(now)
        with os.fdopen(open_private(self.folder / LOG), "ab") as log:
            self.runner = subprocess.Popen(
                [sys.executable, "-m", "fitbalance_pipelines.warm", "--home", str(self.folder)],
                env=runner_env(url, auth_string(self.folder)),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                umask=self.umask,
            )

    def _stop_runner(self) -> None:
        """Stop the warm process (it stops the commands it runs first) and whatever of its family is left."""
        if self.runner is not None:
            terminate_tree(self.runner, grace_s=STOP_TIMEOUT_S / 2)

    def _serve(self, in_use: IO[bytes], url: str) -> str:
        """Wait until stopped or idle; then hold ``in-use`` exclusively (until this process ends)."""
        while not self.stop_now:
            self._keep_runner(url)
            idle = self._idle_for(in_use)
            if idle is not None and (self.stop_when_idle or idle >= self.idle_s) and _try_exclusive(in_use):
                return "idle"
            time.sleep(POLL_S)
        return "stopped"

    def run(self, answer: IO[str]) -> int:
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGUSR1):
            signal.signal(sig, self._on_signal)
        try:
            with start_server(self.folder) as api, _open(self.folder / IN_USE) as in_use:
                assert api.pid is not None
                state = self._record(api.url, api.pid)
                self.serving = True
                print(json.dumps(asdict(state)), file=answer, flush=True)
                answer.close()
                say = f"supervisor {os.getpid()}:"
                print(f"{say} serving {api.url}, idle timeout {self.idle_s:g} s", file=sys.stderr, flush=True)
                try:
                    reason = self._serve(in_use, api.url)
                    print(f"{say} stopping the server ({reason})", file=sys.stderr, flush=True)
                    (self.folder / STATE).unlink(missing_ok=True)
                finally:
                    self._stop_runner()  # first: a command it runs records its end while the server answers
        except (ServerStartError, _Stop) as exc:  # the server never answered: nothing was recorded
            with suppress(OSError, ValueError):
                print(f"error: {exc or 'stopped while starting'}", file=answer, flush=True)
            return 1
        finally:
            self._stop_runner()  # started before the server failed to answer
        return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the local Prefect server until it is idle or stopped.")
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--idle-timeout", type=float, default=DEFAULT_IDLE_S, help="seconds")
    parser.add_argument("--detach", action="store_true", help="fork, and exit in the parent at once")
    parser.add_argument("--no-warm", action="store_true", help="no warm process for the commands")
    args = parser.parse_args(argv)
    if args.detach and os.fork() > 0:
        os._exit(0)  # the command that started us waits for this exit, then reads our answer on the pipe
    os.environ.pop(API_URL_VAR, None)
    user_umask = os.umask(0o077)  # what the supervisor and the server write is its user's only
    answer = sys.stdout
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115  # nothing more goes to the pipe after the answer
    return _Supervisor(args.home, args.idle_timeout, warm=not args.no_warm, umask=user_umask).run(answer)


if __name__ == "__main__":
    sys.exit(main())
