"""The ``fitbalance`` command line. Prefect is imported only by the commands that run flows."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from fitbalance.config import Settings, default_db_path
from fitbalance.errors import ConfigError, FitbalanceError, StoreError

if TYPE_CHECKING:  # the run's module imports the data libraries: loaded when a command ingests
    from fitbalance.run import RunSummary

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Your training history from watch and app exports.")
console = Console()
err = Console(stderr=True, soft_wrap=True)

NoServerOption = Annotated[
    bool,
    typer.Option(
        "--no-server",
        envvar="FITBALANCE_NO_SERVER",
        help="Run Prefect embedded in this process (10-20 s to start) instead of using, or starting, the local "
        "Prefect server (when PREFECT_API_URL names none)",
    ),
]
DbOption = Annotated[
    Path | None, typer.Option("--db", help="DuckDB file (default: $FITBALANCE_DB or ./fitbalance.duckdb)")
]


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def _print_version(asked: bool) -> None:
    if asked:
        from importlib.metadata import version

        console.print(f"fitbalance {version('fitbalance')}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool, typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit")
    ] = False,
) -> None:
    """Your training history from watch and app exports."""


def _db(db: Path | None) -> Path:
    return db if db is not None else default_db_path()


def _settings_or_exit(path: Path | None) -> Settings:
    """The settings file, read before anything starts; a mistake in it is one line naming the file, line and fix."""
    from fitbalance.config import load_settings

    try:
        return load_settings(path)
    except ConfigError as exc:
        _error(exc)
        raise typer.Exit(2) from exc


def _error(problem: object) -> None:
    """``error: <problem>`` on stderr, the problem's own brackets (``[athletes.me]``) shown as written."""
    err.print("[red]error:[/] " + escape(str(problem)), highlight=False)


def _quiet_prefect() -> None:
    """Prefect's settings for a command (quiet logs, no analytics, a patient embedded server), before it is imported."""
    from fitbalance_pipelines.warm import command_env

    command_env()


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files, folders (recursive) or archives to ingest")],
    db: DbOption = None,
    athlete: Annotated[str | None, typer.Option(help="Athlete the files belong to (settings file entry)")] = None,
    workers: Annotated[int | None, typer.Option(help="Decoder processes (default: CPU count)")] = None,
    settings: Annotated[Path | None, typer.Option(help="Settings TOML (default: ./fitbalance.toml)")] = None,
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
        err.print(f"[red]error:[/] no such file or folder: {', '.join(map(str, missing))}")
        raise typer.Exit(2)
    target = _db(db)
    if not target.parent.exists():
        err.print(f"[red]error:[/] cannot write the database: folder {target.parent} does not exist")
        raise typer.Exit(2)
    if staging is not None and dask is None:
        err.print("[red]error:[/] --staging goes with --dask")
        raise typer.Exit(2)
    if retry_quarantined and dask is not None:
        err.print("[red]error:[/] --retry-quarantined runs without --dask")
        raise typer.Exit(2)
    _settings_or_exit(settings)
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
    _print_summary(summary)


@app.command()
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
    settings: Annotated[Path | None, typer.Option(help="Settings TOML (default: ./fitbalance.toml)")] = None,
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
        _error("give one of --all, --quarantined, --since-version X")
        raise typer.Exit(2)
    if since_version is not None:
        try:
            version_key(since_version)
        except ConfigError as exc:
            _error(exc)
            raise typer.Exit(2) from exc
    target = _db(db)
    if not target.is_file():
        _error(f"no database at {target}: run `fitbalance ingest` first")
        raise typer.Exit(1)
    _settings_or_exit(settings)
    request = "all" if all_files else "quarantined" if quarantined else f"since-version:{since_version}"
    flag = ["--all"] if all_files else ["--quarantined"] if quarantined else ["--since-version", str(since_version)]
    request = "all" if all_files else "quarantined" if quarantined else f"since-version:{since_version}"
    run = _FlowRun(["reprocess", *flag], [], target, athlete, workers, settings, wait, reread=request)
    summary = _run_flow(run, no_server)
    _print_summary(summary)


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
        except FitbalanceError as exc:
            _error(exc)
            raise typer.Exit(1) from exc
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


@app.command()
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
    settings: Annotated[Path | None, typer.Option(help="Settings TOML (default: ./fitbalance.toml)")] = None,
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
        err.print(f"[red]error:[/] no such folder: {inbox}")
        raise typer.Exit(2)
    target = _db(db)
    if not target.parent.exists():
        err.print(f"[red]error:[/] cannot write the database: folder {target.parent} does not exist")
        raise typer.Exit(2)
    given = [o for o in (every, cron, every_seconds) if o is not None]
    if len(given) > 1:
        err.print("[red]error:[/] give one of --every and --cron")
        raise typer.Exit(2)
    if (every is not None and every <= 0) or (every_seconds is not None and every_seconds <= 0):
        err.print("[red]error:[/] the interval must be positive")
        raise typer.Exit(2)
    interval = None
    if cron is None:
        seconds = every_seconds if every_seconds is not None else 60 * (every if every is not None else 60)
        interval = timedelta(seconds=seconds)
    _settings_or_exit(settings)
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
    except ConfigError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from exc
    except (FitbalanceError, ServerStartError) as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(1) from exc


def _print_summary(s: RunSummary) -> None:
    table = Table(title=f"ingest into {s.db}", show_header=False)
    for label, value in [
        ("files seen", s.files_seen),
        ("loaded", s.loaded),
        ("skipped (not activity files)", s.skipped),
        ("already loaded", s.already_loaded),
        ("quarantined", s.quarantined),
        ("activities added", s.activities_added),
        ("strength sets added", s.sets_added),
    ]:
        table.add_row(label, str(value))
    console.print(table)
    if s.ignored:
        from fitbalance.sources.archive import EXPORT_SUFFIXES

        console.print(f"{s.ignored} other files (not named like an export: {' '.join(EXPORT_SUFFIXES)}) were ignored.")
    for reason in s.quarantine_reasons:
        console.print(f"  [yellow]quarantined[/] {escape(reason)}")
    if s.reread:
        console.print(f"{s.reread} files recorded earlier were read again and replaced their own rows.")
    for problem in s.not_reread[:10]:
        console.print(f"  [yellow]not read again[/] {escape(problem)}")
    changed = [f"{n} {what}" for n, what in ((s.reclassified, "activities"), (s.sets_remapped, "sets")) if n]
    if changed:
        console.print(f"Settings and corrections changed {' and '.join(changed)} already loaded.")
    _print_waiting(Path(s.db))


def _print_waiting(db: Path) -> None:
    """The values that wait for a unit setting, and which setting fills them in (nothing when none wait)."""
    from fitbalance.store import read

    try:
        _, waiting = _read(db, lambda con: ([], read.waiting_values(con)))
    except (FitbalanceError, OSError) as exc:  # the run's summary stands without this line
        err.print(f"[yellow]could not count the values waiting for a unit: {exc}[/]")
        return
    for line in read.waiting_lines(waiting):
        console.print(f"[yellow]{escape(line)}[/]", highlight=False, soft_wrap=True)


def _read(db: Path, query: Callable[[Any], tuple[list[str], list[tuple[Any, ...]]]]) -> tuple[list[str], list[Any]]:
    from fitbalance.store import read

    if not db.exists():
        raise StoreError(f"no database at {db}: run `fitbalance ingest` first")
    with read.reading(db, retries=60, wait_s=0.5, on_wait=read.once(lambda m: err.print(f"[yellow]{m}[/]"))) as con:
        return query(con)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="SQL to run (read-only)")],
    db: DbOption = None,
    format: Annotated[OutputFormat, typer.Option("--format", help="table, csv or json")] = OutputFormat.table,
) -> None:
    """Run SQL against the database, read-only, and print the result."""
    import duckdb

    from fitbalance.store import read

    try:
        columns, rows = _read(_db(db), lambda con: read.query(con, query))
    except FitbalanceError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(1) from exc
    except duckdb.Error as exc:
        if "read-only mode" in str(exc):
            err.print(
                "[red]error:[/] `fitbalance sql` opens the database read-only, so statements that change it are "
                f"refused ({exc}). Change data with `fitbalance ingest`, or with the duckdb CLI at your own risk."
            )
        else:
            err.print(f"[red]SQL error:[/] {exc}")
        raise typer.Exit(1) from exc
    if format is OutputFormat.json:
        sys.stdout.write(json.dumps([dict(zip(columns, map(_jsonable, r), strict=True)) for r in rows], indent=1))
        sys.stdout.write("\n")
    elif format is OutputFormat.csv:
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(columns)
        writer.writerows(rows)
        sys.stdout.write(buf.getvalue())
    else:
        table = Table(*columns)
        for r in rows:
            table.add_row(*("" if v is None else str(v) for v in r))
        console.print(table)


@app.command()
def summary(
    db: DbOption = None,
    weeks: Annotated[int, typer.Option(help="How many recent weeks")] = 8,
    today: Annotated[
        str | None,
        typer.Option(
            "--today",
            help="The day to count this week's targets from, YYYY-MM-DD (default: today, in each athlete's time zone)",
        ),
    ] = None,
) -> None:
    """Print a short weekly summary: resistance training against other exercise, then what is left this week."""
    from fitbalance.store import read

    clock = _clock_or_exit(today)
    try:
        columns, rows = _read(_db(db), lambda con: read.recent_weeks(con, weeks))
        left_this_week = _read(_db(db), lambda con: _left_this_week(con, clock))[1]
    except FitbalanceError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(1) from exc
    table = Table(title="weekly balance, most recent first", box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1))
    for i, name in enumerate(columns):
        widest = max([len(str(r[i])) for r in rows] + [4])
        left = name in ("athlete", "week")
        header = name if left else name.replace(" ", "\n", 1)  # two short lines fit an 80-column terminal
        table.add_column(header, min_width=widest if left else None, justify="left" if left else "right")
    for r in rows:
        table.add_row(*("" if v is None else str(v) for v in r))
    console.print(table)
    for athlete, words in left_this_week:
        console.print(f"{athlete}: {words}", highlight=False, soft_wrap=True)


# ---- summary: what is left this week (weekly targets) ---------------------------------------------------------------


def _clock_or_exit(today: str | None) -> date | datetime:
    """``--today`` as a date, or now (each athlete's local date is then read in SQL); a bad date exits with 2."""
    if today is None:
        return datetime.now(UTC)
    try:
        return date.fromisoformat(today)
    except ValueError as exc:
        _error(f"--today {today!r}: expected a date like 2025-03-05")
        raise typer.Exit(2) from exc


def _left_this_week(con: Any, clock: date | datetime) -> tuple[list[str], list[tuple[str, str]]]:
    """(athlete, what is left this week in words) for every athlete with targets this week."""
    from fitbalance import summaries
    from fitbalance.store import read

    found = []
    for name in read.athletes(con).get_column("athlete").to_list():
        monday = summaries.week_monday(read.athlete_today(con, name, clock))
        left = summaries.week_left(read.weekly_targets(con, name, clock, monday, monday), monday)
        if left is not None:
            found.append((name, summaries.left_in_words(left)))
    return ["athlete", "left"], found


def _duration(start: datetime, end: datetime | None) -> str:
    if end is None:
        return "-"
    seconds = round((end - start).total_seconds())
    return f"{seconds // 60}m {seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


@app.command()
def status(
    db: DbOption = None,
    runs: Annotated[int, typer.Option(help="How many recent ingest runs to show", min=1)] = 10,
) -> None:
    """Show the last ingest runs with their row accounts, the repairs, the values waiting for a unit setting, the
    activities whose UTC offset was assumed, and any file a run saw that is in no table (exit status 1 when there
    is one)."""
    from fitbalance.store import ledger as store
    from fitbalance.store import read

    target = _db(db)
    if not target.exists():
        err.print(f"[red]error:[/] no database at {target}: run `fitbalance ingest` first")
        raise typer.Exit(1)
    try:
        with read.reading(
            target, retries=60, wait_s=0.5, on_wait=read.once(lambda m: err.print(f"[yellow]{m}[/]"))
        ) as con:
            recent = store.last_runs(con, runs)
            missing = store.unaccounted_files(con)
            accounts = read.run_rows(con, [r["run_id"] for r in recent])
            repairs = read.repair_summary(con)
            waiting = read.waiting_values(con)
            sources = read.offset_sources(con)
            assumed = read.assumed_offsets(con, limit=5)
            not_reread = store.reread_problems(con)
            retries = store.retry_states(con)
    except FitbalanceError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(1) from exc
    console.print(f"[bold]last {len(recent)} ingest runs in {target}[/] (newest first)")
    for r in recent:
        style = {"completed": "green", "running": "cyan"}.get(r["outcome"], "red")
        took = _duration(r["started_at"], r["ended_at"])
        console.print(
            f"  {r['run_id'][:8]}  {r['started_at']:%Y-%m-%d %H:%M} UTC  {took}  [{style}]{r['outcome']}[/]"
            + (f"  flow run {r['flow_run_id']}" if r["flow_run_id"] else "")
        )
        if r["files_seen"] is not None:
            console.print(
                f"      {r['files_seen']} seen: {r['files_loaded']} loaded, {r['files_skipped']} skipped, "
                f"{r['files_known']} known, {r['files_quarantined']} quarantined; "
                f"{r['activities_added']} activities and {r['sets_added']} sets added"
            )
        if r["detail"]:
            console.print(f"      {r['detail']}")
        console.print(_accounts_line(accounts.filter(accounts["run_id"] == r["run_id"])))
    _print_repairs_and_offsets(repairs, sources, assumed)
    for line in read.waiting_lines(waiting):
        console.print(f"[yellow]{escape(line)}[/]", highlight=False, soft_wrap=True)
    live = store.ingest_running(target)
    for r in recent:
        if r["outcome"] == "running" and not live:
            killed = f"run {r['run_id'][:8]} is marked running but no ingest is: it was killed"
            console.print(f"[yellow]{killed}; the next ingest marks it interrupted.[/]")
    _print_rereads(not_reread, retries)
    in_progress = [m for m in missing if live and m["run_outcome"] == "running"]
    missing = [m for m in missing if m not in in_progress]
    if in_progress:
        console.print(f"{len(in_progress)} files are still to be ingested by the run in progress.")
    if not missing:
        console.print("Every file a run has seen is in source_files or, refused, in quarantine.")
        return
    console.print(f"[red]{len(missing)} files were seen but are in no table:[/]")
    for m in missing[:50]:
        console.print(f"  {m['path']} (run {m['run_id'][:12]}, {m['run_outcome']}, file {m['outcome']})")
    if len(missing) > 50:
        console.print(f"  ... and {len(missing) - 50} more")
    if all(m["outcome"] == "pending" for m in missing):
        console.print("They were not reached before their run ended: run `fitbalance ingest` again to load them.")
    raise typer.Exit(1)


def _accounts_line(accounts: Any) -> str:
    """One run's row accounts per table (read = loaded + quarantined + already loaded), and what does not add up."""
    if accounts.is_empty():
        return "      rows: not recorded"
    parts, broken, repaired = [], [], 0
    names = {"strength_sets": "sets"}
    for row in accounts.iter_rows(named=True):
        table, read_ = row["table_name"], row["rows_read"]
        counts = (read_, row["rows_loaded"], row["rows_quarantined"], row["rows_repeated"])
        repaired += row["fields_repaired"]
        if read_:
            parts.append(f"{names.get(table, table)} " + "/".join(f"{n:,}" for n in counts))
        lost = read_ - sum(counts[1:])
        if lost:
            broken.append(f"[red]{lost:,} {table} rows read are in no table: please report it[/]")
    line = "      rows read/loaded/quarantined/already loaded: " + (", ".join(parts) or "none")
    line += f"; {repaired:,} fields repaired" if repaired else ""
    return line + "".join(f"\n      {b}" for b in broken)


def _print_repairs_and_offsets(repairs: list[tuple[str, str, int, int]], sources: dict[str, int], assumed: Any) -> None:
    if repairs:
        console.print('[bold]repairs[/] (fields loaded as null; see `fitbalance sql "SELECT * FROM repairs"`):')
        for rule, field, activities, rows in repairs:
            console.print(f"  {rule} {field}: {rows:,} values in {activities:,} activities")
    if sources:
        listed = ", ".join(f"{n:,} {source}" for source, n in sorted(sources.items(), key=lambda kv: -kv[1]))
        console.print(f"[bold]UTC offsets[/] of the activities that count: {listed}")
    if not assumed.is_empty():
        total = sources.get("assumed_utc", assumed.height)
        console.print(
            f"[yellow]{total:,} activities have times read as UTC: no time_zone is set for their athlete and no FIT "
            "file of theirs gives an offset. Set time_zone in the settings file (or ingest the watch's FIT files); "
            "the next ingest places them.[/]"
        )
        for row in assumed.iter_rows(named=True):
            console.print(f"  {row['start_time_local']:%Y-%m-%d %H:%M}  {row['athlete']}  {row['path']}")


def _now() -> datetime:
    from datetime import UTC

    return datetime.now(UTC).replace(tzinfo=None)


def _open_for_writing(db: Path) -> Any:
    """A write connection to an existing database (waiting while an ingest loads a batch), closed by ``with``."""
    from fitbalance.store.connection import open_store

    if not db.is_file():
        _error(f"no database at {db}: run `fitbalance ingest` first")
        raise typer.Exit(1)
    return open_store(db)


ACTIVITY_HELP = "The activity (activities.activity_id, or its first 6+ characters)"


def _class_of(text: str) -> tuple[Any, Any]:
    """``resistance``, ``other`` or ``other/SUBCATEGORY`` as (Category, Subcategory)."""
    from fitbalance.contracts import Category, Subcategory

    category, _, sub = text.strip().lower().partition("/")
    try:
        kind = Category(category)
        default = Subcategory.STRENGTH if kind is Category.RESISTANCE else Subcategory.OTHER
        subcategory = Subcategory(sub) if sub else default
    except ValueError:
        subcategory = None
    others = [s.value for s in Subcategory if s is not Subcategory.STRENGTH]
    if subcategory is None or (kind is Category.RESISTANCE) != (subcategory is Subcategory.STRENGTH):
        raise ConfigError(
            f"--as {text!r}: expected resistance (strength) or other/SUBCATEGORY with SUBCATEGORY one of "
            f"{', '.join(others)}"
        )
    return kind, subcategory


@app.command()
def classify(
    activity_id: Annotated[
        str, typer.Argument(help="The activity (activities.activity_id, or its first 6+ characters)")
    ],
    as_: Annotated[
        str | None,
        typer.Option("--as", metavar="CLASS", help="resistance, other, or other/SUBCATEGORY (e.g. other/mixed)"),
    ] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Remove the correction: the rules decide again")] = False,
    db: DbOption = None,
    settings: Annotated[Path | None, typer.Option(help="Settings TOML (default: ./fitbalance.toml)")] = None,
) -> None:
    """Correct the class of one activity, at once and for good (kept through every later ingest and reprocess)."""
    from fitbalance.store import corrections

    if (as_ is None) == (not clear):
        _error("give --as CLASS or --clear")
        raise typer.Exit(2)
    config = _settings_or_exit(settings)
    try:
        wanted = _class_of(as_) if as_ is not None else None
        with _open_for_writing(_db(db)) as con:
            activity = corrections.find_activity(con, activity_id)
            overrides = config.athlete(activity.athlete).overrides
            if wanted is not None:
                corrections.correct_class(con, activity, *wanted, overrides, _now())
            else:
                had = corrections.clear_class(con, activity, overrides)
            now = corrections.find_activity(con, activity.activity_id)
    except FitbalanceError as exc:
        _error(exc)
        raise typer.Exit(2 if isinstance(exc, ConfigError) else 1) from exc
    what = f"{now.start_time_local:%Y-%m-%d %H:%M} {now.sport or ''} {now.name or ''}".strip()
    was = f"{activity.category}/{activity.subcategory} ({activity.classification_reason})"
    console.print(
        f"activity {now.activity_id} ({escape(what)}): {was} -> {now.category}/{now.subcategory} "
        f"({now.classification_reason})",
        highlight=False,
    )
    if wanted is not None:
        console.print(f"Kept through later ingests and reprocess; undo: fitbalance classify {now.activity_id} --clear")
    elif not had:
        console.print("It had no correction; the rules decide it.")


@app.command(name="correct-set")
def correct_set(
    activity_id: Annotated[
        str, typer.Argument(help="The activity (activities.activity_id, or its first 6+ characters)")
    ],
    set_index: Annotated[int, typer.Argument(help="The set (strength_sets.set_index)", min=0)],
    exercise: Annotated[str | None, typer.Argument(help='The exercise it was, e.g. "Bench Dip"')] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Remove the correction: the set's own name decides")] = False,
    db: DbOption = None,
    settings: Annotated[Path | None, typer.Option(help="Settings TOML (default: ./fitbalance.toml)")] = None,
) -> None:
    """Correct the exercise of one set (a watch's wrong guess), at once and for good.

    To rename every set of one name, map it in the settings instead: [athletes.NAME.exercise_names] with the app's
    name, or a watch's FIT exercise as category/name ("triceps_extension/bench_dip" = "Chest Dip").
    """
    from fitbalance.process import exercise_resolver
    from fitbalance.store import corrections

    if (exercise is None) == (not clear):
        _error('give the exercise ("Bench Dip") or --clear')
        raise typer.Exit(2)
    config = _settings_or_exit(settings)
    try:
        canonical = _canonical_exercise(exercise, config) if exercise is not None else None
        with _open_for_writing(_db(db)) as con:
            activity = corrections.find_activity(con, activity_id)
            found = corrections.find_set(con, activity, set_index)
            if canonical is not None:
                corrections.correct_exercise(con, found, canonical, _now())
            else:
                corrections.clear_exercise(con, found, exercise_resolver(config.athlete(activity.athlete)))
            now = corrections.find_set(con, activity, set_index)
    except FitbalanceError as exc:
        _error(exc)
        raise typer.Exit(2 if isinstance(exc, ConfigError) else 1) from exc
    load = f"{found.reps or 0} x {found.weight_kg or 0:g} kg"
    console.print(
        f"set {set_index} of activity {activity.activity_id} ({load}, written {found.exercise_name!r}): "
        f"{found.exercise or 'unmapped'} -> {now.exercise or 'unmapped'}",
        highlight=False,
        markup=False,
    )


def _canonical_exercise(name: str, config: Settings) -> str:
    """The catalogue's (or the settings' own) exercise ``name`` means; an unknown name is refused with suggestions."""
    import difflib

    from fitbalance.exercises import load_catalog

    catalog = load_catalog()
    own = {target for a in config.athletes.values() for target in a.exercise_names.values()}
    if name in catalog or name in own:
        return name
    found = catalog.lookup(name)
    if found is not None:
        return found
    close = difflib.get_close_matches(name, [*catalog.exercises, *own], n=3, cutoff=0.5)
    hint = f"did you mean {', '.join(map(repr, close))}? " if close else ""
    raise ConfigError(
        f"{name!r} is not an exercise of the catalogue; {hint}list them with: "
        'fitbalance sql "SELECT exercise FROM exercises ORDER BY 1"'
    )


def _print_rereads(not_reread: list[dict[str, Any]], retries: list[dict[str, Any]]) -> None:
    """Files that could not be read again, and quarantined files waiting for (or past) another attempt."""
    from fitbalance.rereads import MAX_ATTEMPTS

    if not_reread:
        console.print(f"[yellow]{len(not_reread)} files could not be read again[/] (their rows stay as they were):")
        for r in not_reread[:50]:
            console.print(f"  {escape(r['path'])}: {escape(r['problem'])}", highlight=False, soft_wrap=True)
    waiting = [r for r in retries if r["attempts"] < MAX_ATTEMPTS]
    given_up = [r for r in retries if r["attempts"] >= MAX_ATTEMPTS]
    if waiting:
        console.print(f"{len(waiting)} quarantined files failed for a reason not their own; the next ingest retries:")
        for r in waiting[:50]:
            console.print(
                f"  {escape(r['path'])} (attempt {r['attempts']} of {MAX_ATTEMPTS}): {escape(r['detail'] or '')}",
                highlight=False,
                soft_wrap=True,
            )
    if given_up:
        console.print(
            f"[yellow]{len(given_up)} quarantined files failed {MAX_ATTEMPTS} times for a reason not their own; "
            "given up[/] (fitbalance ingest --retry-quarantined tries them again):"
        )
        for r in given_up[:50]:
            console.print(f"  {escape(r['path'])}: {escape(r['detail'] or '')}", highlight=False, soft_wrap=True)


@app.command()
def unmapped(db: DbOption = None) -> None:
    """List exercise names the catalogue does not know, most used first, and how to map them."""
    import duckdb

    from fitbalance.store import read

    try:
        columns, rows = _read(_db(db), read.unmapped_names)
    except FitbalanceError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(1) from exc
    except duckdb.CatalogException as exc:
        err.print(f"[red]error:[/] the database has no views yet: run `fitbalance ingest` first ({exc})")
        raise typer.Exit(1) from exc
    if not rows:
        console.print("Every exercise name maps to the catalogue.")
        return
    from fitbalance.exercises import load_catalog

    catalog = load_catalog()
    closest = [catalog.closest(str(r[0])) if r[0] is not None else [] for r in rows]
    table = Table(*columns, "closest catalogue names", title=f"{len(rows)} unmapped exercise names")
    for r, near in zip(rows, closest, strict=True):
        cells = ("" if v is None else ", ".join(v) if isinstance(v, list) else str(v) for v in r)
        table.add_row(*cells, "; ".join(near))
    console.print(table)
    whose = columns.index("athletes")
    by_athlete: dict[str, list[str]] = {}
    for r, near in list(zip(rows, closest, strict=True))[:UNMAPPED_LINES]:
        if r[0] is None:  # a watch's set it did not name: mapped as category/name, see the README
            continue
        line = f'  "{_toml_text(str(r[0]))}" = "{_toml_text(near[0] if near else "Catalogue Exercise")}"'
        for athlete in r[whose] or ["NAME"]:
            by_athlete.setdefault(str(athlete), []).append(line)
    blocks = "".join(
        f"  [athletes.{athlete}.exercise_names]\n" + "\n".join(lines) + "\n" for athlete, lines in by_athlete.items()
    )
    console.print(
        "Map a name to a catalogue exercise (or a name of your own) in the settings file (fitbalance.toml),\n"
        "under the athlete it belongs to; the next `fitbalance ingest` applies it to the sets already loaded.\n"
        "Each line maps one name to its closest catalogue name: keep the lines you agree with, change the others:\n"
        f"{blocks}"
        'Catalogue names: fitbalance sql "SELECT exercise, fit_category, kind FROM exercises ORDER BY 1"',
        markup=False,
        highlight=False,
    )


UNMAPPED_LINES = 20  # settings lines `fitbalance unmapped` prints, for the most used names


def _toml_text(text: str) -> str:
    """``text`` inside a TOML basic string."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


@app.command()
def dashboard(
    db: DbOption = None,
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 to serve on")] = 8501,
) -> None:
    """Start the dashboard on localhost (read-only; it keeps working while an ingest writes)."""
    from fitbalance.dashboard import run_dashboard

    target = _db(db)
    if not target.exists():
        err.print(f"[yellow]note:[/] no database at {target} yet; the dashboard will say how to ingest")
    try:
        code = run_dashboard(target, port, echo=console.print)
    except FitbalanceError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from exc
    raise typer.Exit(code)


@app.command()
def report(
    out: Annotated[Path, typer.Option("--out", help="HTML file to write (self-contained: opens offline)")],
    db: DbOption = None,
    week: Annotated[str | None, typer.Option(help="ISO week YYYY-Www (default: the newest week in the data)")] = None,
    athlete: Annotated[str | None, typer.Option(help="Only this athlete (default: every athlete)")] = None,
    today: Annotated[
        str | None,
        typer.Option("--today", help="The day the targets are judged on, YYYY-MM-DD (default: today)"),
    ] = None,
) -> None:
    """Write the week's balance, targets and overload summary as one self-contained HTML file."""
    from fitbalance.report import write_report

    clock = _clock_or_exit(today)
    try:
        written = write_report(_db(db), week, out, athlete=athlete, clock=clock)
    except FitbalanceError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(1) from exc
    console.print(f"report written to {written}")


# ---- fitbalance next: what to lift next time (the exercise_next_session view) ---------------------------------


@app.command(name="next")
def next_session(
    exercise: Annotated[str | None, typer.Option(help="Only this exercise (its name, any case)")] = None,
    athlete: Annotated[str | None, typer.Option(help="Only this athlete (default: every athlete)")] = None,
    db: DbOption = None,
    settings: Annotated[Path | None, typer.Option(help="Settings TOML (default: ./fitbalance.toml)")] = None,
) -> None:
    """Print what to lift next time, per exercise trained in the last 6 weeks: weight, reps, and why.

    The progression settings ([athletes.NAME.progression]) are read from the settings file now, so an edit shows
    without an ingest; without a settings file, those the last ingest stored are used.
    """
    import polars as pl

    from fitbalance import summaries
    from fitbalance.config import settings_path
    from fitbalance.store import read
    from fitbalance.store.reference import progression_rows

    config = _settings_or_exit(settings)
    target, _named = settings_path(settings)

    def query(con: Any) -> tuple[list[str], list[Any]]:
        if target.exists():
            read.use_progression_settings(con, progression_rows(config, []))
        frame = read.exercise_next_session(con, athlete)
        return list(frame.columns), [frame]

    try:
        _columns, (plan,) = _read(_db(db), query)
    except FitbalanceError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(1) from exc
    if exercise is not None:
        wanted = exercise.casefold()
        names = plan.get_column("exercise").to_list()
        chosen = [n for n in names if n.casefold() == wanted] or [n for n in names if wanted in n.casefold()]
        if not chosen:
            err.print(f"[red]error:[/] no exercise {exercise!r} in the last 6 weeks; trained: {', '.join(names)}")
            raise typer.Exit(1)
        plan = plan.filter(pl.col("exercise").is_in(chosen))
    if plan.is_empty():
        console.print("No lifts in the last 6 weeks: ingest a Hevy, Strong or FitNotes export or a FIT strength file.")
        return
    text = summaries.next_session_text(plan)
    for name in text.get_column("athlete").unique(maintain_order=True).to_list():
        console.print(f"[bold]{escape(name)}[/]: next session")
        for row in text.filter(pl.col("athlete") == name).iter_rows(named=True):
            console.print(
                f"  {row['exercise']}: {row['next_session']} ({row['action']}: {row['reason']}); "
                f"last {row['last_session']}",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )


server_app = typer.Typer(
    no_args_is_help=True,
    help="The local Prefect server: started by the first ingest or serve that needs one, stopped when idle.",
)
app.add_typer(server_app, name="server")


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
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(1) from exc
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


def main() -> None:  # pragma: no cover - entry point
    app(prog_name="fitbalance")
