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
from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from fitbalance.config import default_db_path
from fitbalance.errors import FitbalanceError, StoreError

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
            summary = ingest_flow(
                paths=[str(p) for p in paths],
                db=str(target),
                athlete=athlete,
                workers=workers,
                settings_path=str(settings) if settings else None,
            )
        except FitbalanceError as exc:
            err.print(f"[red]error:[/] {exc}")
            raise typer.Exit(1) from exc
        finally:
            progress_listeners.remove(show)
    _print_summary(summary)


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


def main() -> None:  # pragma: no cover - entry point
    app()
