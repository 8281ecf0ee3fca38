"""The ``fitbalance`` command line. Prefect is imported only by the commands that run flows."""

from __future__ import annotations

import csv
import io
import json
import sys
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from fitbalance.config import default_db_path
from fitbalance.errors import ConfigError, FitbalanceError, StoreError

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Your training history from watch and app exports.")
console = Console()
err = Console(stderr=True, soft_wrap=True)

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


def _quiet_prefect() -> None:
    """Prefect's settings for a command (quiet logs, no analytics, a patient embedded server), before it is imported."""
    from fitbalance.pipelines.warm import command_env

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
    no_server: Annotated[
        bool,
        typer.Option(
            "--no-server",
            envvar="FITBALANCE_NO_SERVER",
            help="Run Prefect embedded in this process (10-20 s to start) instead of using, or starting, the local "
            "Prefect server (when PREFECT_API_URL names none)",
        ),
    ] = False,
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
    _quiet_prefect()
    if not no_server:  # the everyday case: the warm process of the local server runs it, Prefect already imported
        from fitbalance.pipelines.localserver import run_warm

        args = [*map(str, paths), "--wait", str(wait), "--db", str(target)]
        for option, value in [("--athlete", athlete), ("--workers", workers), ("--settings", settings)]:
            args += [option, str(value)] if value is not None else []
        for option, value in [("--dask", dask), ("--staging", staging)]:
            args += [option, str(value)] if value is not None else []
        code = run_warm(["ingest", *args], announce=lambda line: err.print(line, highlight=False))
        if code is not None:
            raise typer.Exit(code)
    from fitbalance.pipelines.ingest import progress_listeners
    from fitbalance.pipelines.localserver import prefect_api

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

        progress_listeners.append(show)
        try:
            api = prefect_api(no_server=no_server, announce=lambda line: progress.console.print(line, highlight=False))
            with api:
                summary = _run_ingest(paths, target, athlete, workers, settings, wait, dask, staging)
        except FitbalanceError as exc:
            err.print(f"[red]error:[/] {exc}")
            raise typer.Exit(1) from exc
        finally:
            progress_listeners.remove(show)
    _print_summary(summary)


def _run_ingest(
    paths: list[Path],
    target: Path,
    athlete: str | None,
    workers: int | None,
    settings: Path | None,
    wait: float,
    dask: str | None,
    staging: Path | None,
) -> dict[str, Any]:
    from fitbalance.pipelines.ingest import ingest_flow

    if dask is None:
        summary: dict[str, Any] = ingest_flow(
            paths=[str(p) for p in paths],
            db=str(target),
            athlete=athlete,
            workers=workers,
            settings_path=str(settings) if settings else None,
            lock_wait_s=wait,
        )
        return summary
    from fitbalance.pipelines.scale import ingest_on_dask

    on_dask: dict[str, Any] = ingest_on_dask(
        [str(p) for p in paths],
        str(target),
        address=dask,
        workers=workers,
        staging=str(staging) if staging else None,
        athlete=athlete,
        settings_path=str(settings) if settings else None,
    )
    return on_dask


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
    from fitbalance.pipelines.server import ServerStartError, serving_env

    serving_env()  # before Prefect is imported: its console logging is set up on import
    from fitbalance.pipelines.serve import default_report_path, serve_inbox

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


def _print_summary(s: dict[str, Any]) -> None:
    table = Table(title=f"ingest into {s['db']}", show_header=False)
    for label, key in [
        ("files seen", "files_seen"),
        ("loaded", "loaded"),
        ("skipped (not activity files)", "skipped"),
        ("already loaded", "already_loaded"),
        ("quarantined", "quarantined"),
        ("activities added", "activities_added"),
        ("strength sets added", "sets_added"),
    ]:
        table.add_row(label, str(s[key]))
    console.print(table)
    if s["ignored"]:
        console.print(f"{s['ignored']} other files (not .fit/.csv/.zip/.gz) were ignored.")
    for reason in s["quarantine_reasons"]:
        console.print(f"  [yellow]quarantined[/] {reason}")


def _query(db: Path, sql: str, params: list[Any] | None = None) -> tuple[list[str], list[tuple[Any, ...]]]:
    from fitbalance.store.load import connect

    if not db.exists():
        raise StoreError(f"no database at {db}: run `fitbalance ingest` first")
    con = connect(db, read_only=True, wait_s=30.0, on_wait=lambda m: err.print(f"[yellow]{m}[/]"))
    try:
        cur = con.execute(sql, params or [])
        columns = [d[0] for d in cur.description] if cur.description else []
        rows = cur.fetchall()
    finally:
        con.close()
    return columns, rows


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

    try:
        columns, rows = _query(_db(db), query)
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


SUMMARY_SQL = """
SELECT athlete, iso_week AS week, resistance_sessions AS "strength sessions", resistance_days AS "strength days",
       round(resistance_minutes)::INT AS "strength min", round(other_minutes)::INT AS "other min",
       round(who_aerobic_minutes)::INT AS "aerobic min", CASE WHEN meets_guideline THEN 'yes' ELSE 'no' END
       AS "WHO met"
FROM weekly_balance
WHERE week_start > (SELECT max(week_start) FROM weekly_balance) - INTERVAL (?) WEEK
ORDER BY athlete, week_start DESC
"""


@app.command()
def summary(
    db: DbOption = None,
    weeks: Annotated[int, typer.Option(help="How many recent weeks")] = 8,
) -> None:
    """Print a short weekly summary: resistance training against other exercise."""
    try:
        columns, rows = _query(_db(db), SUMMARY_SQL, [weeks])
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
    """Show the last ingest runs, and any file a run saw that is in no table (exit status 1 when there is one)."""
    from fitbalance.store import load as store

    target = _db(db)
    if not target.exists():
        err.print(f"[red]error:[/] no database at {target}: run `fitbalance ingest` first")
        raise typer.Exit(1)
    try:
        con = store.connect(target, read_only=True, wait_s=30.0, on_wait=lambda m: err.print(f"[yellow]{m}[/]"))
    except FitbalanceError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(1) from exc
    try:
        recent = store.last_runs(con, runs)
        missing = store.unaccounted_files(con)
    finally:
        con.close()
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
    live = store.ingest_running(target)
    for r in recent:
        if r["outcome"] == "running" and not live:
            killed = f"run {r['run_id'][:8]} is marked running but no ingest is: it was killed"
            console.print(f"[yellow]{killed}; the next ingest marks it interrupted.[/]")
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


UNMAPPED_SQL = """
SELECT exercise_name, sets, activities, first_seen, last_seen, athletes FROM unmapped_exercises
WHERE exercise_name IS NOT NULL ORDER BY sets DESC, exercise_name
"""


@app.command()
def unmapped(db: DbOption = None) -> None:
    """List exercise names the catalogue does not know, most used first, and how to map them."""
    import duckdb

    try:
        columns, rows = _query(_db(db), UNMAPPED_SQL)
    except FitbalanceError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(1) from exc
    except duckdb.CatalogException as exc:
        err.print(f"[red]error:[/] the database has no views yet: run `fitbalance ingest` first ({exc})")
        raise typer.Exit(1) from exc
    if not rows:
        console.print("Every exercise name maps to the catalogue.")
        return
    table = Table(*columns, title=f"{len(rows)} unmapped exercise names")
    for r in rows:
        table.add_row(*("" if v is None else ", ".join(v) if isinstance(v, list) else str(v) for v in r))
    console.print(table)
    first = str(rows[0][0]).replace('"', '\\"')
    console.print(
        "Map a name to a catalogue exercise (or a name of your own) in the settings file (fitbalance.toml),\n"
        "under the athlete it belongs to; the next `fitbalance ingest` applies it to the sets already loaded:\n"
        f'  [athletes.NAME.exercise_names]\n  "{first}" = "Catalogue Exercise"\n'
        'Catalogue names: fitbalance sql "SELECT exercise, fit_category, kind FROM exercises ORDER BY 1"',
        markup=False,
        highlight=False,
    )


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
) -> None:
    """Write the week's balance and overload summary as one self-contained HTML file."""
    from fitbalance.report import write_report

    try:
        written = write_report(_db(db), week, out, athlete=athlete)
    except FitbalanceError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(1) from exc
    console.print(f"report written to {written}")


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
        f"  state in {state.home} (flow runs and logs; server.log)",
        highlight=False,
    )


def _duration_s(seconds: float) -> str:
    minutes = seconds / 60
    return f"{seconds:.0f} s" if seconds < 120 else f"{minutes:.0f} min" if minutes < 120 else f"{minutes / 60:.1f} h"


@server_app.command("status")
def server_status() -> None:
    """Whether the local Prefect server runs: its address, processes, idle time and folder (exit status 1: none)."""
    from fitbalance.pipelines.localserver import home, idle_for, running

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
    from fitbalance.pipelines.localserver import home, use
    from fitbalance.pipelines.server import ServerStartError

    try:
        with use(home(), idle_s=None if idle_minutes is None else idle_minutes * 60) as (state, started):
            console.print("started" if started else "already running")
    except ServerStartError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(1) from exc
    _describe(state, 0.0)


@server_app.command("stop")
def server_stop() -> None:
    """Stop the local Prefect server and every process it runs (a run using it loses its API)."""
    from fitbalance.pipelines.localserver import home, stop

    stopped = stop(home())
    if stopped is None:
        console.print("no local Prefect server runs")
        return
    console.print(f"stopped the local Prefect server at {stopped.url} (pids {stopped.server_pid}, {stopped.pid})")


def main() -> None:  # pragma: no cover - entry point
    app(prog_name="fitbalance")
