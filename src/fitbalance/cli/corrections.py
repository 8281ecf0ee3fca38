"""The corrections a user makes by hand, at once and for good: ``classify`` (an activity's class) and
``correct-set`` (a set's exercise). Kept through every later ingest and reprocess."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from fitbalance.cli.common import CommandFailed, DbOption, SettingsOption, console, db_path
from fitbalance.config import Settings, load_settings
from fitbalance.errors import ConfigError


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _open_for_writing(db: Path) -> Any:
    """A write connection to an existing database (waiting while an ingest loads a batch), closed by ``with``."""
    from fitbalance.store.connection import open_store

    if not db.is_file():
        raise CommandFailed(f"no database at {db}: run `fitbalance ingest` first")
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
    settings: SettingsOption = None,
) -> None:
    """Correct the class of one activity, at once and for good (kept through every later ingest and reprocess)."""
    from fitbalance.store import corrections

    if (as_ is None) == (not clear):
        raise CommandFailed("give --as CLASS or --clear", 2)
    config = load_settings(settings)
    wanted = _class_of(as_) if as_ is not None else None
    with _open_for_writing(db_path(db)) as con:
        activity = corrections.find_activity(con, activity_id)
        overrides = config.athlete(activity.athlete).overrides
        if wanted is not None:
            corrections.correct_class(con, activity, *wanted, overrides, _now())
        else:
            had = corrections.clear_class(con, activity, overrides)
        now = corrections.find_activity(con, activity.activity_id)
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


def correct_set(
    activity_id: Annotated[
        str, typer.Argument(help="The activity (activities.activity_id, or its first 6+ characters)")
    ],
    set_index: Annotated[int, typer.Argument(help="The set (strength_sets.set_index)", min=0)],
    exercise: Annotated[str | None, typer.Argument(help='The exercise it was, e.g. "Bench Dip"')] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Remove the correction: the set's own name decides")] = False,
    db: DbOption = None,
    settings: SettingsOption = None,
) -> None:
    """Correct the exercise of one set (a watch's wrong guess), at once and for good.

    To rename every set of one name, map it in the settings instead: [athletes.NAME.exercise_names] with the app's
    name, or a watch's FIT exercise as category/name ("triceps_extension/bench_dip" = "Chest Dip").
    """
    from fitbalance.process import exercise_resolver
    from fitbalance.store import corrections

    if (exercise is None) == (not clear):
        raise CommandFailed('give the exercise ("Bench Dip") or --clear', 2)
    config = load_settings(settings)
    canonical = _canonical_exercise(exercise, config) if exercise is not None else None
    with _open_for_writing(db_path(db)) as con:
        activity = corrections.find_activity(con, activity_id)
        found = corrections.find_set(con, activity, set_index)
        if canonical is not None:
            corrections.correct_exercise(con, found, canonical, _now())
        else:
            corrections.clear_exercise(con, found, exercise_resolver(config.athlete(activity.athlete)))
        now = corrections.find_set(con, activity, set_index)
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


def register(app: typer.Typer) -> None:
    app.command()(classify)
    app.command(name="correct-set")(correct_set)
