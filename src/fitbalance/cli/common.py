"""What the commands share: the consoles, the ``--db`` option, the error a command fails with, reading the database
and rendering a run's summary. Only typer and rich are imported here; the data libraries load with the command."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from fitbalance.config import default_db_path
from fitbalance.errors import ConfigError, FitbalanceError, StoreError

if TYPE_CHECKING:  # the run's module imports the data libraries: loaded when a command ingests
    from fitbalance.run import RunSummary

console = Console()
err = Console(stderr=True, soft_wrap=True)

DbOption = Annotated[
    Path | None, typer.Option("--db", help="DuckDB file (default: $FITBALANCE_DB or ./fitbalance.duckdb)")
]
SettingsOption = Annotated[Path | None, typer.Option(help="Settings TOML (default: ./fitbalance.toml)")]


class CommandFailed(Exception):
    """A command cannot go on: ``label: message`` on stderr, and the command exits with ``code`` (2: the command
    line or the settings are wrong, 1: anything else). Raised by commands; turned into the exit by the app only
    (:class:`fitbalance.cli.root.Commands`), as every :class:`~fitbalance.errors.FitbalanceError` is."""

    def __init__(self, message: str, code: int = 1, *, label: str = "error") -> None:
        super().__init__(message)
        self.code = code
        self.label = label


def exit_code(exc: FitbalanceError) -> int:
    """2 for a mistake in what the user gave (a setting, an option's value), 1 for anything else."""
    return 2 if isinstance(exc, ConfigError) else 1


def error(problem: object, label: str = "error") -> None:
    """``error: <problem>`` on stderr, the problem's own brackets (``[athletes.me]``) shown as written."""
    err.print(f"[red]{label}:[/] " + escape(str(problem)), highlight=False)


def db_path(db: Path | None) -> Path:
    return db if db is not None else default_db_path()


def read_db(db: Path, query: Callable[[Any], tuple[list[str], list[Any]]]) -> tuple[list[str], list[Any]]:
    """``query`` on a read-only connection to ``db``, waiting while an ingest holds it."""
    from fitbalance.store import read

    if not db.exists():
        raise StoreError(f"no database at {db}: run `fitbalance ingest` first")
    with read.reading(db, retries=60, wait_s=0.5, on_wait=read.once(lambda m: err.print(f"[yellow]{m}[/]"))) as con:
        return query(con)


def clock_or_exit(today: str | None) -> date | datetime:
    """``--today`` as a date, or now (each athlete's local date is then read in SQL); a bad date exits with 2."""
    if today is None:
        return datetime.now(UTC)
    try:
        return date.fromisoformat(today)
    except ValueError as exc:
        raise CommandFailed(f"--today {today!r}: expected a date like 2025-03-05", 2) from exc


def print_summary(s: RunSummary) -> None:
    """What a run did: the files and rows it added, set aside and read again, then the values waiting for a unit."""
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
    print_waiting(Path(s.db))


def print_waiting(db: Path) -> None:
    """The values that wait for a unit setting, and which setting fills them in (nothing when none wait)."""
    from fitbalance.store import read

    try:
        _, waiting = read_db(db, lambda con: ([], read.waiting_values(con)))
    except (FitbalanceError, OSError) as exc:  # the run's summary stands without this line
        err.print(f"[yellow]could not count the values waiting for a unit: {exc}[/]")
        return
    for line in read.waiting_lines(waiting):
        console.print(f"[yellow]{escape(line)}[/]", highlight=False, soft_wrap=True)
