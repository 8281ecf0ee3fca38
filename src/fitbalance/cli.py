"""The ``fitbalance`` command line. Prefect is imported only by the commands that run flows."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
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


def _db(db: Path | None) -> Path:
    return db if db is not None else default_db_path()


def _quiet_prefect() -> None:
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "WARNING")
    # the embedded server can take longer than Prefect's 20 s default to start on a busy 2-core machine
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files, folders (recursive) or archives to ingest")],
    db: DbOption = None,
    athlete: Annotated[str | None, typer.Option(help="Athlete the files belong to (settings file entry)")] = None,
    workers: Annotated[int | None, typer.Option(help="Decoder processes (default: CPU count)")] = None,
    settings: Annotated[Path | None, typer.Option(help="Settings TOML (default: ./fitbalance.toml)")] = None,
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
) -> None:
    """Ingest FIT and CSV exports with the Prefect flow and print what happened to every file."""
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
    from pipelines.ingest import ingest_flow, progress_listeners

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
            if dask is None:
                summary = ingest_flow(
                    paths=[str(p) for p in paths],
                    db=str(target),
                    athlete=athlete,
                    workers=workers,
                    settings_path=str(settings) if settings else None,
                )
            else:
                from pipelines.scale import ingest_on_dask

                summary = ingest_on_dask(
                    [str(p) for p in paths],
                    str(target),
                    address=dask,
                    workers=workers,
                    staging=str(staging) if staging else None,
                    athlete=athlete,
                    settings_path=str(settings) if settings else None,
                )
        except FitbalanceError as exc:
            err.print(f"[red]error:[/] {exc}")
            raise typer.Exit(1) from exc
        finally:
            progress_listeners.remove(show)
    _print_summary(summary)


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
            help="State of the Prefect server started when PREFECT_API_URL is unset "
            "(default: .fitbalance/prefect next to the database)"
        ),
    ] = None,
) -> None:
    """Serve the ingest flow on a schedule (default: every 60 minutes) until Ctrl-C or SIGTERM.

    Uses the Prefect server at PREFECT_API_URL, or starts one on 127.0.0.1 for as long as this command runs.
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
    from pipelines.server import ServerStartError, default_home, serving_env

    serving_env()  # before Prefect is imported: its console logging is set up on import
    from pipelines.serve import default_report_path, serve_inbox

    try:
        serve_inbox(
            inbox,
            target,
            prefect_home=prefect_home or default_home(target),
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
SELECT athlete, date_trunc('week', start_time_local)::DATE AS week_start,
       count(*) FILTER (WHERE category = 'resistance') AS resistance_sessions,
       round(sum(coalesce(elapsed_s, 0)) FILTER (WHERE category = 'resistance') / 60) AS resistance_min,
       count(*) FILTER (WHERE category = 'other') AS other_sessions,
       round(sum(coalesce(elapsed_s, 0)) FILTER (WHERE category = 'other') / 60) AS other_min
FROM activities WHERE duplicate_of IS NULL
GROUP BY ALL ORDER BY athlete, week_start DESC LIMIT ?
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
    table = Table(*columns, title="weekly balance (most recent first)")
    for r in rows:
        table.add_row(*("" if v is None else str(v) for v in r))
    console.print(table)


def main() -> None:  # pragma: no cover - entry point
    app()
