"""The commands that run the Prefect flows: ``ingest``, ``reprocess``, ``serve`` and ``server start/stop/status``.

Registered in the ``fitbalance`` app (:mod:`fitbalance.cli`) through the entry point ``flows`` of the group
``fitbalance.commands`` (pyproject.toml). Only typer and rich are imported with this module: Prefect and the flows
are imported inside the commands, so ``fitbalance --help`` stays quick.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from fitbalance.cli.common import CommandFailed, DbOption, SettingsOption, console, db_path, err, print_summary
from fitbalance.config import load_settings
from fitbalance.errors import FitbalanceError

if TYPE_CHECKING:  # the run's module imports the data libraries: loaded when a command ingests
    from fitbalance.run import RunSummary

NoServerOption = Annotated[
    bool,
    typer.Option(
        "--no-server",
        envvar="FITBALANCE_NO_SERVER",
        help="Run Prefect embedded in this process (10-20 s to start) instead of using, or starting, the local "
        "Prefect server (when PREFECT_API_URL names none)",
    ),
]


def _quiet_prefect() -> None:
    """Prefect's settings for a command (quiet logs, no analytics, a patient embedded server), before it is imported."""
    from fitbalance_pipelines.warm import command_env

    command_env()


def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files, folders (recursive) or archives to ingest")],
    db: DbOption = None,
    athlete: Annotated[str | None, typer.Option(help="Athlete the files belong to (settings file entry)")] = None,
    workers: Annotated[int | None, typer.Option(help="Decoder processes (default: CPU count)")] = None,
    settings: SettingsOption = None,
    wait: Annotated[
        float, typer.Option(help="Seconds to wait while another ingest runs on the same database", min=0)
    ] = 600.0,
    dask: Annotated[
        str | None,
        typer.Option(
            "--dask",
            metavar="ADDRESS",
            help="Decode and validate on a Dask cluster: a scheduler address (tcp://host:8786), "
            "or 'local' for a local cluster of --workers processes",
        ),
    ] = None,
    staging: Annotated[
        Path | None,
        typer.Option(help="With --dask: folder for the Parquet batches, shared by the workers (default: temporary)"),
    ] = None,
    retry_quarantined: Annotated[
        bool, typer.Option("--retry-quarantined", help="Read every quarantined file of the athlete again")
    ] = False,
    no_server: NoServerOption = False,
) -> None:
    """Ingest FIT and CSV exports with the Prefect flow and print what happened to every file.

    The flow run reports to the Prefect API that PREFECT_API_URL names, else to the local Prefect server, started on
    first use and kept until it is idle (`fitbalance server status`).
    """
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise CommandFailed(f"no such file or folder: {', '.join(map(str, missing))}", 2)
    target = db_path(db)
    if not target.parent.exists():
        raise CommandFailed(f"cannot write the database: folder {target.parent} does not exist", 2)
    if staging is not None and dask is None:
        raise CommandFailed("--staging goes with --dask", 2)
    if retry_quarantined and dask is not None:
        raise CommandFailed("--retry-quarantined runs without --dask", 2)
    load_settings(settings)
    # recorded as absolute paths, so that a file can be read again from wherever fitbalance runs next
    sources = [str(p.absolute()) for p in paths]
    run = _FlowRun(
        ["ingest", *sources, *(["--retry-quarantined"] if retry_quarantined else [])],
        sources,
        target,
        athlete,
        workers,
        settings,
        wait,
        dask,
        staging,
        reread="quarantined" if retry_quarantined else None,
    )
    summary = _run_flow(run, no_server)
    print_summary(summary)


def reprocess(
    db: DbOption = None,
    all_files: Annotated[bool, typer.Option("--all", help="Every recorded file of the athlete")] = False,
    quarantined: Annotated[bool, typer.Option("--quarantined", help="Every quarantined file of the athlete")] = False,
    since_version: Annotated[
        str | None,
        typer.Option("--since-version", metavar="X", help="The files a release older than X read (e.g. 0.2.0)"),
    ] = None,
    athlete: Annotated[str | None, typer.Option(help="Athlete the files belong to (settings file entry)")] = None,
    workers: Annotated[int | None, typer.Option(help="Decoder processes (default: CPU count)")] = None,
    settings: SettingsOption = None,
    wait: Annotated[
        float, typer.Option(help="Seconds to wait while another ingest runs on the same database", min=0)
    ] = 600.0,
    no_server: NoServerOption = False,
) -> None:
    """Read recorded files again from their paths (a release that reads files better), in the ingest flow.

    Each file read again replaces its own rows; corrections made with `classify` and `correct-set` hold. A file
    that is gone keeps its rows (`fitbalance status` lists it).
    """
    from fitbalance.rereads import version_key

    chosen = [name for name, given in (("--all", all_files), ("--quarantined", quarantined)) if given]
    chosen += ["--since-version"] if since_version is not None else []
    if len(chosen) != 1:
        raise CommandFailed("give one of --all, --quarantined, --since-version X", 2)
    if since_version is not None:
        version_key(since_version)  # a ConfigError: exit status 2
    target = db_path(db)
    if not target.is_file():
        raise CommandFailed(f"no database at {target}: run `fitbalance ingest` first")
    load_settings(settings)
    request = "all" if all_files else "quarantined" if quarantined else f"since-version:{since_version}"
    flag = ["--all"] if all_files else ["--quarantined"] if quarantined else ["--since-version", str(since_version)]
    request = "all" if all_files else "quarantined" if quarantined else f"since-version:{since_version}"
    run = _FlowRun(["reprocess", *flag], [], target, athlete, workers, settings, wait, reread=request)
    summary = _run_flow(run, no_server)
    print_summary(summary)


@dataclass(frozen=True)
class _FlowRun:
    """What an ingest or a reprocess asks of the ingest flow. ``command`` is the command with its own arguments, to
    which :meth:`command_line` adds the options they share, for the warm process to run it."""

    command: list[str]
    sources: list[str]
    target: Path
    athlete: str | None
    workers: int | None
    settings: Path | None
    wait: float
    dask: str | None = None
    staging: Path | None = None
    reread: str | None = None

    def command_line(self) -> list[str]:
        args = [*self.command, "--wait", str(self.wait), "--db", str(self.target.absolute())]
        for option, value in [
            ("--athlete", self.athlete),
            ("--workers", self.workers),
            ("--settings", self.settings),
            ("--dask", self.dask),
            ("--staging", self.staging),
        ]:
            args += [option, str(value)] if value is not None else []
        return args


def _run_flow(run: _FlowRun, no_server: bool) -> RunSummary:
    """Run the ingest flow (on Dask with ``dask``) with a progress bar; a run that cannot go on exits 1.

    Unless ``no_server``, the warm process of the local server runs the same command when it can (Prefect already
    imported there), and this process exits with its status.
    """
    _quiet_prefect()
    if not no_server:  # the everyday case: the warm process of the local server runs it, Prefect already imported
        from fitbalance_pipelines.localserver import run_warm

        code = run_warm(run.command_line(), announce=lambda line: err.print(line, highlight=False))
        if code is not None:
            raise typer.Exit(code)
    from fitbalance_pipelines.ingest import progress_to
    from fitbalance_pipelines.localserver import prefect_api
    from fitbalance_pipelines.server import command_flow_settings

    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as progress:
        bar = progress.add_task("starting Prefect", total=None)

        def show(phase: str, done: int, total: int) -> None:
            progress.update(bar, description="ingesting files", completed=done, total=total)

        try:
            api = prefect_api(no_server=no_server, announce=lambda line: progress.console.print(line, highlight=False))
            with api, _children_end_with_us(), progress_to(show), command_flow_settings():
                summary = _run_ingest(run)
        except FitbalanceError as exc:  # a run that cannot go on, whatever the reason: exit status 1
            raise CommandFailed(str(exc)) from exc
    return summary


@contextmanager
def _children_end_with_us() -> Iterator[None]:
    """SIGTERM or SIGHUP to this command (systemd, Docker, ``kill``) ends the processes it started (decoder workers,
    their fork server, a local Dask cluster), then the command itself as Ctrl-C does: the batch being loaded rolls
    back, and the next run loads it. A local Prefect server, started in a session of its own, is left to its idle
    timeout."""
    import signal

    import psutil

    def stop(signum: int, _frame: object) -> None:
        session = os.getsid(0)
        for child in psutil.Process().children(recursive=True):
            with suppress(psutil.Error, OSError):
                if os.getsid(child.pid) == session:
                    child.terminate()
        raise KeyboardInterrupt(f"stopped by {signal.Signals(signum).name}")

    if threading.current_thread() is not threading.main_thread():  # only the main thread can take signals
        yield
        return
    stopping = (signal.SIGTERM, signal.SIGHUP)
    previous = {sig: signal.signal(sig, stop) for sig in stopping}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _run_ingest(run: _FlowRun) -> RunSummary:
    from fitbalance.run import RunSummary
    from fitbalance_pipelines.ingest import ingest_flow

    settings = str(run.settings) if run.settings else None
    if run.dask is None:
        summary: dict[str, Any] = ingest_flow(
            paths=run.sources,
            db=str(run.target),
            athlete=run.athlete,
            workers=run.workers,
            settings_path=settings,
            lock_wait_s=run.wait,
            reread=run.reread,
        )
        return RunSummary.from_dict(summary)
    from fitbalance_pipelines.scale import ingest_on_dask

    on_dask: dict[str, Any] = ingest_on_dask(
        run.sources,
        str(run.target),
        address=run.dask,
        workers=run.workers,
        staging=str(run.staging) if run.staging else None,
        athlete=run.athlete,
        settings_path=settings,
    )
    return RunSummary.from_dict(on_dask)


def serve(
    inbox: Annotated[Path, typer.Option(help="Folder to watch: new and changed files are ingested on schedule")],
    db: DbOption = None,
    every: Annotated[
        float | None, typer.Option(help="Run every MINUTES (fractions allowed)", metavar="MINUTES")
    ] = None,
    cron: Annotated[str | None, typer.Option(help='Run on a cron schedule, e.g. "0 * * * *"', metavar="EXPR")] = None,
    every_seconds: Annotated[float | None, typer.Option(hidden=True)] = None,
    report: Annotated[
        Path | None, typer.Option(help="HTML report written after each run (default: <db>-report.html)")
    ] = None,
    athlete: Annotated[str | None, typer.Option(help="Athlete the files belong to (settings file entry)")] = None,
    workers: Annotated[int | None, typer.Option(help="Decoder processes per run (default: CPU count)")] = None,
    settings: SettingsOption = None,
    prefect_home: Annotated[
        Path | None,
        typer.Option(
            help="Folder of the local Prefect server used when PREFECT_API_URL is unset "
            "(default: <data folder>/prefect, the one `fitbalance ingest` uses too)"
        ),
    ] = None,
) -> None:
    """Serve the ingest flow on a schedule (default: every 60 minutes) until Ctrl-C or SIGTERM.

    Uses the Prefect server at PREFECT_API_URL, else the local Prefect server on 127.0.0.1 (started if none runs,
    and then stopped with this command unless another command is using it).
    """
    from datetime import timedelta

    if not inbox.is_dir():
        raise CommandFailed(f"no such folder: {inbox}", 2)
    target = db_path(db)
    if not target.parent.exists():
        raise CommandFailed(f"cannot write the database: folder {target.parent} does not exist", 2)
    given = [o for o in (every, cron, every_seconds) if o is not None]
    if len(given) > 1:
        raise CommandFailed("give one of --every and --cron", 2)
    if (every is not None and every <= 0) or (every_seconds is not None and every_seconds <= 0):
        raise CommandFailed("the interval must be positive", 2)
    interval = None
    if cron is None:
        seconds = every_seconds if every_seconds is not None else 60 * (every if every is not None else 60)
        interval = timedelta(seconds=seconds)
    load_settings(settings)
    from fitbalance_pipelines.server import ServerStartError, serving_env

    serving_env()  # before Prefect is imported: its console logging is set up on import
    from fitbalance_pipelines.serve import default_report_path, serve_inbox

    try:
        serve_inbox(
            inbox,
            target,
            prefect_home=prefect_home,
            interval=interval,
            cron=cron,
            report=report or default_report_path(target),
            athlete=athlete,
            settings_path=settings,
            workers=workers,
            announce=lambda line: err.print(line, highlight=False, soft_wrap=True),
        )
    except ServerStartError as exc:
        raise CommandFailed(str(exc)) from exc


server_app = typer.Typer(
    no_args_is_help=True,
    help="The local Prefect server: started by the first ingest or serve that needs one, stopped when idle.",
)


def _describe(state: Any, idle_s: float | None) -> None:
    started = datetime.fromtimestamp(state.started_at).astimezone()
    use = "in use now" if idle_s is None else f"idle for {_duration_s(idle_s)}"
    console.print(f"local Prefect server at {state.url} (UI {state.ui_url})", highlight=False)
    console.print(
        f"  server pid {state.server_pid} (a process group of its own), supervisor pid {state.pid}\n"
        f"  started {started:%Y-%m-%d %H:%M:%S %Z}; {use}; "
        f"stops after {_duration_s(state.idle_timeout_s)} without use\n"
        f"  state in {state.home} (flow runs and logs; server.log), readable by you only",
        highlight=False,
    )
    if state.locked:
        console.print(
            f"  it asks for credentials: open {state.ui_url} and enter, as the password, the line in "
            f"{state.auth_file} (`cat {state.auth_file}`); Prefect's own commands need it as "
            f"PREFECT_API_AUTH_STRING (with PREFECT_API_URL={state.url})",
            highlight=False,
            soft_wrap=True,  # the paths whole, to copy
        )
    else:
        console.print("  it asks for no credentials (an earlier version's): the next command replaces it")


def _duration_s(seconds: float) -> str:
    minutes = seconds / 60
    return f"{seconds:.0f} s" if seconds < 120 else f"{minutes:.0f} min" if minutes < 120 else f"{minutes / 60:.1f} h"


@server_app.command("status")
def server_status() -> None:
    """Whether the local Prefect server runs: its address, processes, idle time, folder and how to log in to its UI
    (exit status 1: none)."""
    from fitbalance_pipelines.localserver import home, idle_for, running

    state = running(home())
    if state is None:
        console.print(f"no local Prefect server runs (its folder: {home()})", highlight=False)
        raise typer.Exit(1)
    _describe(state, idle_for(home()))


@server_app.command("start")
def server_start(
    idle_minutes: Annotated[
        float | None,
        typer.Option(
            help="Stop it after this many minutes without use (default: $FITBALANCE_SERVER_IDLE_MINUTES or 30)"
        ),
    ] = None,
) -> None:
    """Start the local Prefect server now (the UI shows every ingest), or say that it runs."""
    from fitbalance_pipelines.localserver import home, use
    from fitbalance_pipelines.server import ServerStartError

    idle_s = None if idle_minutes is None else idle_minutes * 60
    try:
        with use(home(), idle_s=idle_s, announce=lambda line: err.print(line, highlight=False)) as (state, started):
            console.print("started" if started else "already running")
    except ServerStartError as exc:
        raise CommandFailed(str(exc)) from exc
    _describe(state, 0.0)


@server_app.command("stop")
def server_stop() -> None:
    """Stop the local Prefect server and every process it runs (a run using it loses its API)."""
    from fitbalance_pipelines.localserver import home, stop

    stopped = stop(home())
    if stopped is None:
        console.print("no local Prefect server runs")
        return
    console.print(f"stopped the local Prefect server at {stopped.url} (pids {stopped.server_pid}, {stopped.pid})")


def register(app: typer.Typer) -> None:
    """Add the flow commands to the ``fitbalance`` app (the entry point ``fitbalance.commands: flows``)."""
    app.command()(ingest)
    app.command()(reprocess)
    app.command()(serve)
    app.add_typer(server_app, name="server")
