"""Reference data: the athletes' settings and the packaged catalogue, as tables the views read, and the settings'
rules carried to the rows already loaded.

:func:`refresh` brings the reference tables up to date at the start of a run: ``athletes`` (with the CSV times
placed again by the zones, :func:`fitbalance.store.placement.place_and_link`), ``progression_settings`` and
``athlete_targets`` from the settings file, ``exercises`` from the packaged catalogue plus the settings' mappings,
``exercise_patterns`` from the packaged movement patterns. Each table is made from its inputs only when they changed:
the digest of what it was last made from (the settings it reads, the packaged files, the release) is recorded beside
it in ``fitbalance_schema`` (part ``inputs:<table>``, :mod:`fitbalance.store.schema`), in the transaction that
writes it, and a run whose inputs have that digest writes nothing. A table edited by hand keeps the edit until its
inputs change.

:func:`remap_exercises` carries a mapping added later to the sets already loaded (a set the user corrected with
``fitbalance correct-set`` keeps its correction); :func:`fitbalance.store.corrections.apply_rules` calls it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import duckdb
import polars as pl

from fitbalance import contracts
from fitbalance.config import Settings, default_progression
from fitbalance.exercises import exercises_table
from fitbalance.normalize import ExerciseResolver
from fitbalance.patterns import patterns_frame
from fitbalance.store import inputs
from fitbalance.store.connection import registered, rows, transaction
from fitbalance.store.placement import place_and_link


def refresh(
    con: duckdb.DuckDBPyConnection, settings: Settings, names: Sequence[str], release: str | None = None
) -> list[str]:
    """Make again, in one transaction, each reference table whose inputs changed since it was last made: the
    settings of every athlete in the file and of ``names`` (the run's athlete), the packaged catalogue, the release
    (:func:`fitbalance.store.inputs.release`, asked when not given). Returns the tables written (none in a run where
    nothing changed)."""
    people = list(dict.fromkeys([*settings.athletes, *names]))
    release = release or inputs.release()
    user_names = [dict(sorted(a.exercise_names.items())) for a in settings.athletes.values()]
    athletes = athlete_rows(settings, people)
    progression = progression_rows(settings, people)
    targets = target_rows(settings, people)
    tables: list[tuple[str, object, Callable[[], object]]] = [
        ("athletes", athletes.rows(), lambda: _write_athletes(con, athletes, people)),
        ("progression_settings", progression, lambda: _replace(con, "progression_settings", _frame(progression))),
        ("athlete_targets", targets.rows(), lambda: _write_targets(con, targets, people)),
        ("exercises", user_names, lambda: refresh_exercises(con, exercises_table(user_names=user_names))),
        ("exercise_patterns", None, lambda: refresh_patterns(con, patterns_frame())),
    ]
    written: list[str] = []
    with transaction(con):
        made_from = inputs.recorded(con)
        for table, given, write in tables:
            wanted = inputs.fingerprint(release, given)
            if made_from.get(table) != wanted:
                write()
                inputs.record(con, table, wanted)
                written.append(table)
    return written


# ---- the tables' rows, from the settings -----------------------------------------------------------------------


def athlete_rows(settings: Settings, names: Sequence[str]) -> pl.DataFrame:
    """The ``athletes`` rows of every athlete in the file and of ``names``."""
    found = [
        (a.name, a.time_zone, a.birth_year, a.max_hr, a.resting_hr, a.sex, a.units)
        for a in (settings.athlete(name) for name in dict.fromkeys([*settings.athletes, *names]))
    ]
    return pl.DataFrame(found, schema=contracts.ATHLETES.schema, orient="row")


def target_rows(settings: Settings, names: Sequence[str]) -> pl.DataFrame:
    """The ``athlete_targets`` rows (``[athletes.NAME.targets]``, defaults for what it does not set) of every athlete
    in the file and of ``names``."""
    return pl.DataFrame(
        [
            (name, r.target, r.muscle_group, r.low, r.high, r.from_age, r.source)
            for name in dict.fromkeys([*settings.athletes, *names])
            for r in settings.athlete(name).targets.rows()
        ],
        schema=contracts.ATHLETE_TARGETS.schema,
        orient="row",
    )


def progression_rows(settings: Settings, names: Sequence[str]) -> list[tuple[object, ...]]:
    """The ``progression_settings`` rows of every athlete in the file (and any athlete named by this run): the
    athlete's own row (defaults filled in), one per equipment increment, one per exercise of its own."""
    found: list[tuple[object, ...]] = []
    for name in dict.fromkeys([*settings.athletes, *names]):
        athlete = settings.athlete(name)
        p = athlete.progression if name in settings.athletes else default_progression(athlete.units)
        low, high = p.rep_range or (None, None)
        found.append((name, None, None, low, high, p.increment_kg, p.deload_after_weeks, p.deload_pct, p.load_step_kg))
        for equipment, increment in sorted(p.increments_kg.items()):
            found.append((name, None, equipment, None, None, increment, None, None, None))
        for exercise, rule in sorted(p.exercises.items()):
            low, high = rule.rep_range or (None, None)
            found.append(
                (name, exercise, None, low, high, rule.increment_kg, rule.deload_after_weeks, rule.deload_pct, None)
            )
    return found


def _frame(progression: list[tuple[object, ...]]) -> pl.DataFrame:
    return pl.DataFrame(progression, schema=contracts.PROGRESSION_SETTINGS.schema, orient="row")


# ---- writing them (each call writes, whatever the table holds) ----------------------------------------------------


def refresh_athletes(con: duckdb.DuckDBPyConnection, settings: Settings, names: Sequence[str]) -> None:
    """Write the settings of every athlete in the file (and any athlete named by this run) to ``athletes``."""
    people = list(dict.fromkeys([*settings.athletes, *names]))
    _write_athletes(con, athlete_rows(settings, people), people)


def _write_athletes(con: duckdb.DuckDBPyConnection, athletes: pl.DataFrame, people: list[str]) -> None:
    """Their rows replaced in ``athletes`` (others' rows kept), and their CSV times placed again by the zones."""
    with transaction(con), registered(con, "_athletes", athletes):
        con.execute("INSERT OR REPLACE INTO athletes BY NAME SELECT * FROM _athletes")
        place_and_link(con, people)


def refresh_targets(con: duckdb.DuckDBPyConnection, settings: Settings, names: Sequence[str]) -> None:
    """Write the weekly targets of every athlete in the file and any athlete named by this run to
    ``athlete_targets`` (:func:`target_rows`), replacing their rows."""
    people = list(dict.fromkeys([*settings.athletes, *names]))
    _write_targets(con, target_rows(settings, people), people)


def _write_targets(con: duckdb.DuckDBPyConnection, targets: pl.DataFrame, people: list[str]) -> None:
    with transaction(con):
        con.execute("DELETE FROM athlete_targets WHERE list_contains($names, athlete)", {"names": people})
        with registered(con, "_targets", targets):
            con.execute("INSERT INTO athlete_targets BY NAME SELECT * FROM _targets")


def refresh_progression(con: duckdb.DuckDBPyConnection, settings: Settings, names: Sequence[str]) -> None:
    """Replace ``progression_settings`` with the settings file's progression settings (see :func:`progression_rows`),
    in one statement."""
    _replace(con, "progression_settings", _frame(progression_rows(settings, names)))


def refresh_patterns(con: duckdb.DuckDBPyConnection, patterns: pl.DataFrame) -> None:
    """Replace the ``exercise_patterns`` table with these rows (:func:`fitbalance.patterns.patterns_frame`)."""
    _replace(con, "exercise_patterns", patterns)


def refresh_exercises(con: duckdb.DuckDBPyConnection, catalog: pl.DataFrame) -> None:
    """Replace the ``exercises`` table with the catalogue rows (columns as in the table)."""
    _replace(con, "exercises", catalog)


def _replace(con: duckdb.DuckDBPyConnection, table: str, rows: pl.DataFrame) -> None:
    """Replace every row of ``table`` (one of this module's own names) with ``rows``, matched by column name."""
    with transaction(con):
        con.execute(f"DELETE FROM {table}")
        if rows.height:
            with registered(con, "_rows", rows):
                con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _rows")


# ---- the settings' exercise names, carried to the sets already loaded -------------------------------------------

_REMAP_SQL = """
UPDATE strength_sets AS s
SET exercise = m.exercise, exercise_match = m.how, exercise_category = coalesce(s.exercise_category, m.fit_category)
FROM _remap AS m
WHERE s.exercise_name IS NOT DISTINCT FROM m.name
  AND s.exercise_category IS NOT DISTINCT FROM m.category
  AND m.moved = $moved
  AND NOT list_contains($not_sets, s.set_type)
  AND s.activity_id IN (SELECT activity_id FROM activities WHERE athlete = $athlete)
  AND NOT EXISTS (SELECT 1 FROM set_corrections AS c WHERE c.activity_id = s.activity_id AND c.set_index = s.set_index)
RETURNING s.activity_id
"""


def remap_exercises(con: duckdb.DuckDBPyConnection, athlete: str, resolve: ExerciseResolver) -> int:
    """Re-resolve the canonical ``exercise`` of an athlete's loaded sets with the current catalogue and settings.

    A mapping added to the settings file (or a catalogue that learned a name) reaches the sets already loaded: each
    distinct (name, category) is resolved again and the sets whose ``exercise`` changes are updated, in one
    transaction, with how it was found (``exercise_match``: also filled in for sets loaded before that column
    existed); ``exercise_category`` is filled from the catalogue only where it is still null. Returns how many
    sets were given another exercise.
    """
    pairs = rows(
        con,
        """SELECT DISTINCT s.exercise_name, s.exercise_category, s.exercise, s.exercise_match FROM strength_sets AS s
           JOIN activities AS a ON a.activity_id = s.activity_id
           WHERE a.athlete = $athlete AND NOT list_contains($not_sets, s.set_type)
             AND NOT EXISTS (SELECT 1 FROM set_corrections AS c
                             WHERE c.activity_id = s.activity_id AND c.set_index = s.set_index)""",
        {"athlete": athlete, "not_sets": list(contracts.NOT_EXERCISE_SET_TYPES)},
    )
    changes = []
    for name, category, current, current_how in pairs:
        match = resolve(name, category)
        wanted, how = (match.exercise, match.how) if match else (None, None)
        if (wanted, how) != (current, current_how):
            changes.append((name, category, wanted, match.fit_category if match else None, how, wanted != current))
    if not changes:
        return 0
    frame = pl.DataFrame(
        changes,
        schema={
            "name": pl.String(),
            "category": pl.String(),
            "exercise": pl.String(),
            "fit_category": pl.String(),
            "how": pl.String(),
            "moved": pl.Boolean(),
        },
        orient="row",
    )
    with transaction(con), registered(con, "_remap", frame):
        params = {"athlete": athlete, "not_sets": list(contracts.NOT_EXERCISE_SET_TYPES)}
        rows(con, _REMAP_SQL, {**params, "moved": False})  # only how it was found changes: not counted
        return len(rows(con, _REMAP_SQL, {**params, "moved": True}))
