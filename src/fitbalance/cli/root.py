"""The ``fitbalance`` app: the library's commands, the commands installed beside it, and the one place where a
command's failure becomes its message and exit status.

The library's commands are modules of this package (:mod:`~fitbalance.cli.queries`, :mod:`~fitbalance.cli.status`,
:mod:`~fitbalance.cli.corrections`), each with a ``register(app)``. Commands of other installed packages (the Prefect
flows' ``ingest``, ``reprocess``, ``serve`` and ``server``) are found as entry points of the group
``fitbalance.commands``, each naming such a ``register``; the library never imports them by name. A command module
imports its heavy libraries (polars, duckdb, Prefect) inside the command, so ``fitbalance --help`` stays quick.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from fitbalance.cli import corrections, queries, status
from fitbalance.cli.common import CommandFailed, console, err, error, exit_code
from fitbalance.errors import FitbalanceError

COMMANDS_GROUP = "fitbalance.commands"


class Commands(TyperGroup):
    """The group of every command: a :class:`CommandFailed` or a :class:`~fitbalance.errors.FitbalanceError` out of
    a command is one line on stderr (``error: ...``) and the exit status 2 (the command line or the settings are
    wrong) or 1 (anything else); nothing else turns errors into exits."""

    def invoke(self, ctx: Any) -> Any:  # click's Context: typer's own copy of click from typer 0.2x, click's before
        try:
            return super().invoke(ctx)
        except CommandFailed as exc:
            error(exc, exc.label)
            raise typer.Exit(exc.code) from exc
        except FitbalanceError as exc:
            error(exc)
            raise typer.Exit(exit_code(exc)) from exc


app = typer.Typer(
    cls=Commands,
    add_completion=False,
    no_args_is_help=True,
    help="Your training history from watch and app exports.",
)


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


def _register_installed(app: typer.Typer) -> None:
    """The commands other installed packages register (entry points of :data:`COMMANDS_GROUP`); a package that
    cannot be imported is named on stderr and the other commands still work."""
    from importlib.metadata import entry_points

    for entry in entry_points(group=COMMANDS_GROUP):
        try:
            register = entry.load()
        except ImportError as exc:
            err.print(f"[yellow]warning:[/] the commands of {entry.value} could not be loaded: {exc}", highlight=False)
            continue
        register(app)


_register_installed(app)  # first: ingest leads the list of commands
for module in (queries, status, corrections):
    module.register(app)


def main() -> None:  # pragma: no cover - entry point
    app(prog_name="fitbalance")
