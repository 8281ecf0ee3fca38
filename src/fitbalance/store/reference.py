"""Reference data refreshed at the start of every run: the athletes' settings and the exercise catalogue.

``athletes`` and ``exercises`` are rewritten from the settings file and the packaged catalogue (plus the settings'
mappings), ``athlete_targets`` from the settings' weekly targets and ``exercise_patterns`` from the packaged
movement patterns; :func:`remap_exercises` carries a mapping added later to the sets already loaded (a set the user
corrected with ``fitbalance correct-set`` keeps its correction).
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import polars as pl

from fitbalance import contracts
from fitbalance.config import Settings, default_progression
from fitbalance.normalize import ExerciseResolver
from fitbalance.store.connection import registered, rows, transaction


def refresh_athletes(con: duckdb.DuckDBPyConnection, settings: Settings, names: Sequence[str]) -> None:
    """Write the settings of every athlete in the file (and any athlete named by this run) to ``athletes``."""
    with transaction(con):
        for name in dict.fromkeys([*settings.athletes, *names]):
            a = settings.athlete(name)
            con.execute(
                "INSERT OR REPLACE INTO athletes VALUES (?, ?, ?, ?, ?, ?, ?)",
                [a.name, a.time_zone, a.birth_year, a.max_hr, a.resting_hr, a.sex, a.units],
            )


def refresh_targets(con: duckdb.DuckDBPyConnection, settings: Settings, names: Sequence[str]) -> None:
    """Write the weekly targets (``[athletes.NAME.targets]``, defaults for what it does not set) of every athlete in
    the file and any athlete named by this run to ``athlete_targets``, replacing their rows."""
    people = list(dict.fromkeys([*settings.athletes, *names]))
    frame = pl.DataFrame(
        [
            (name, r.target, r.muscle_group, r.low, r.high, r.from_age, r.source)
            for name in people
            for r in settings.athlete(name).targets.rows()
        ],
        schema=contracts.ATHLETE_TARGETS.schema,
        orient="row",
    )
    with transaction(con):
        con.execute("DELETE FROM athlete_targets WHERE list_contains($names, athlete)", {"names": people})
        with registered(con, "_targets", frame):
            con.execute("INSERT INTO athlete_targets BY NAME SELECT * FROM _targets")


def _replace(con: duckdb.DuckDBPyConnection, table: str, rows: pl.DataFrame) -> None:
    """Replace every row of ``table`` (one of this module's own names) with ``rows``, matched by column name."""
    with transaction(con):
        con.execute(f"DELETE FROM {table}")
        if rows.height:
            with registered(con, "_rows", rows):
                con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _rows")


def refresh_patterns(con: duckdb.DuckDBPyConnection, patterns: pl.DataFrame) -> None:
    """Replace the ``exercise_patterns`` table with these rows (:func:`fitbalance.patterns.patterns_frame`)."""
    _replace(con, "exercise_patterns", patterns)


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


def refresh_progression(con: duckdb.DuckDBPyConnection, settings: Settings, names: Sequence[str]) -> None:
    """Replace ``progression_settings`` with the settings file's progression settings (see :func:`progression_rows`)."""
    with transaction(con):
        con.execute("DELETE FROM progression_settings")
        for row in progression_rows(settings, names):
            con.execute("INSERT INTO progression_settings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", list(row))


def refresh_exercises(con: duckdb.DuckDBPyConnection, catalog: pl.DataFrame) -> None:
    """Replace the ``exercises`` table with the catalogue rows (columns as in the table)."""
    _replace(con, "exercises", catalog)


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
