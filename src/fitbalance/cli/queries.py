"""The commands that read the database: ``sql``, ``summary``, ``unmapped``, ``next``, ``report`` and ``dashboard``."""

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
from rich.markup import escape
from rich.table import Table

from fitbalance.cli.common import (
    CommandFailed,
    DbOption,
    SettingsOption,
    clock_or_exit,
    console,
    db_path,
    err,
    read_db,
)
from fitbalance.errors import ConfigError


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def sql(
    query: Annotated[str, typer.Argument(help="SQL to run (read-only)")],
    db: DbOption = None,
    format: Annotated[OutputFormat, typer.Option("--format", help="table, csv or json")] = OutputFormat.table,
) -> None:
    """Run SQL against the database, read-only, and print the result."""
    import duckdb

    from fitbalance.store import read

    try:
        columns, rows = read_db(db_path(db), lambda con: read.query(con, query))
    except duckdb.Error as exc:
        if "read-only mode" in str(exc):
            raise CommandFailed(
                "`fitbalance sql` opens the database read-only, so statements that change it are "
                f"refused ({exc}). Change data with `fitbalance ingest`, or with the duckdb CLI at your own risk."
            ) from exc
        raise CommandFailed(str(exc), label="SQL error") from exc
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

    clock = clock_or_exit(today)
    columns, rows = read_db(db_path(db), lambda con: read.recent_weeks(con, weeks))
    left_this_week = read_db(db_path(db), lambda con: _left_this_week(con, clock))[1]
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


def unmapped(db: DbOption = None) -> None:
    """List exercise names the catalogue does not know, most used first, and how to map them."""
    import duckdb

    from fitbalance.store import read

    try:
        columns, rows = read_db(db_path(db), read.unmapped_names)
    except duckdb.CatalogException as exc:
        raise CommandFailed(f"the database has no views yet: run `fitbalance ingest` first ({exc})") from exc
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


def dashboard(
    db: DbOption = None,
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 to serve on")] = 8501,
) -> None:
    """Start the dashboard on localhost (read-only; it keeps working while an ingest writes)."""
    from fitbalance.dashboard import run_dashboard

    target = db_path(db)
    if not target.exists():
        err.print(f"[yellow]note:[/] no database at {target} yet; the dashboard will say how to ingest")
    raise typer.Exit(run_dashboard(target, port, echo=console.print))


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

    clock = clock_or_exit(today)
    try:
        written = write_report(db_path(db), week, out, athlete=athlete, clock=clock)
    except ConfigError as exc:  # a --week that is no ISO week: exit status 1, as report has always said it
        raise CommandFailed(str(exc)) from exc
    console.print(f"report written to {written}")


def next_session(
    exercise: Annotated[str | None, typer.Option(help="Only this exercise (its name, any case)")] = None,
    athlete: Annotated[str | None, typer.Option(help="Only this athlete (default: every athlete)")] = None,
    db: DbOption = None,
    settings: SettingsOption = None,
) -> None:
    """Print what to lift next time, per exercise trained in the last 6 weeks: weight, reps, and why.

    The progression settings ([athletes.NAME.progression]) are read from the settings file now, so an edit shows
    without an ingest; without a settings file, those the last ingest stored are used.
    """
    import polars as pl

    from fitbalance import summaries
    from fitbalance.config import load_settings, settings_path
    from fitbalance.store import read
    from fitbalance.store.reference import progression_rows

    config = load_settings(settings)
    target, _named = settings_path(settings)

    def query(con: Any) -> tuple[list[str], list[Any]]:
        if target.exists():
            read.use_progression_settings(con, progression_rows(config, []))
        frame = read.exercise_next_session(con, athlete)
        return list(frame.columns), [frame]

    _columns, (plan,) = read_db(db_path(db), query)
    if exercise is not None:
        wanted = exercise.casefold()
        names = plan.get_column("exercise").to_list()
        chosen = [n for n in names if n.casefold() == wanted] or [n for n in names if wanted in n.casefold()]
        if not chosen:
            raise CommandFailed(f"no exercise {exercise!r} in the last 6 weeks; trained: {', '.join(names)}")
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


def register(app: typer.Typer) -> None:
    app.command()(sql)
    app.command()(summary)
    app.command()(unmapped)
    app.command()(dashboard)
    app.command()(report)
    app.command(name="next")(next_session)
