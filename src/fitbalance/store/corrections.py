"""What the user corrected, applied to the rows already in the store: classes and exercises, in place.

Nothing here decodes a file: the rules are applied to the stored rows, set-based, inside one
:func:`~fitbalance.store.connection.transaction` (joining the caller's when one is open).

- :func:`reclassify` classifies an athlete's loaded activities again with the pure
  :func:`fitbalance.classify.classify_frame` (the corrections of ``activity_corrections`` first, then the settings'
  overrides, then the rules) and updates the rows whose class changed, keeping their ids; the duplicate links around
  them are recomputed (two sessions are the same only when they agree in kind).
- :func:`apply_rules` is what every ingest runs once its files are loaded: the settings' ``exercise_names``
  (:func:`fitbalance.store.reference.remap_exercises`), the set corrections and the classification, for every
  athlete, whether or not a file was new.
- :func:`apply_corrections` gives the rows a batch just loaded their corrections (the loader calls it, so a file
  read again keeps them).
- :func:`correct_class`, :func:`correct_exercise` and their ``clear_`` pairs are the commands ``fitbalance
  classify`` and ``fitbalance correct-set``: they record the correction and apply it at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb
import polars as pl

from fitbalance.classify import CLASSIFY_INPUT, CLASSIFY_OUTPUT, CORRECTION, classify_frame
from fitbalance.config import Override, Settings
from fitbalance.contracts import COUNTED_SET_TYPES, NOT_EXERCISE_SET_TYPES, Category, Subcategory
from fitbalance.errors import ConfigError
from fitbalance.normalize import ExerciseResolver
from fitbalance.store.connection import registered, rows, transaction
from fitbalance.store.links import CHANGED_SCHEMA, link_duplicates
from fitbalance.store.reference import remap_exercises

_STORED_SQL = """
SELECT a.activity_id, a.sport, a.sub_sport, a.name, coalesce(w.working_sets, 0) AS working_sets, a.distance_m,
       a.elapsed_s, a.category, a.subcategory, a.classification_reason, a.classification_confidence,
       a.athlete, a.start_time_utc, c.category AS fixed_category, c.subcategory AS fixed_subcategory
FROM activities AS a
LEFT JOIN (
    SELECT activity_id, count(*) AS working_sets FROM strength_sets
    WHERE list_contains($counted, set_type) AND (coalesce(reps, 0) > 0 OR coalesce(weight_kg, 0) > 0)
    GROUP BY activity_id
) AS w ON w.activity_id = a.activity_id
LEFT JOIN activity_corrections AS c ON c.activity_id = a.activity_id
WHERE a.athlete = $athlete AND ($ids IS NULL OR list_contains($ids, a.activity_id))
ORDER BY a.activity_id
"""
_STORED_SCHEMA: dict[str, pl.DataType] = {
    **CLASSIFY_INPUT,
    **CLASSIFY_OUTPUT,
    "athlete": pl.String(),
    "start_time_utc": pl.Datetime("us"),
    "fixed_category": pl.String(),
    "fixed_subcategory": pl.String(),
}
_CLASS_COLUMNS = list(CLASSIFY_OUTPUT)


def reclassify(
    con: duckdb.DuckDBPyConnection,
    athlete: str,
    overrides: Sequence[Override],
    activity_ids: Sequence[str] | None = None,
) -> int:
    """Classify ``athlete``'s loaded activities (or only ``activity_ids``) again; returns how many changed.

    The input is what the store holds (sport, sub_sport, name, distance, elapsed time, working sets with reps or
    load), so nothing is decoded. Rows whose class, reason or confidence changed are updated in place; the duplicate
    links around them are recomputed in the same transaction.
    """
    params: dict[str, Any] = {
        "athlete": athlete,
        "ids": None if activity_ids is None else list(activity_ids),
        "counted": list(COUNTED_SET_TYPES),
    }
    with transaction(con):
        stored = pl.DataFrame(rows(con, _STORED_SQL, params), schema=_STORED_SCHEMA, orient="row")
        if stored.height == 0:
            return 0
        fixed = {
            activity_id: (Category(category), Subcategory(subcategory))
            for activity_id, category, subcategory in stored.select(
                "activity_id", "fixed_category", "fixed_subcategory"
            )
            .drop_nulls()
            .iter_rows()
        }
        keys = stored.select("activity_id", "athlete", "start_time_utc", "elapsed_s")
        wanted = pl.concat([keys, classify_frame(stored, overrides, fixed)], how="horizontal")
        changed = wanted.join(stored.select("activity_id", *_CLASS_COLUMNS), on="activity_id", suffix="_now").filter(
            pl.any_horizontal(pl.col(c).ne_missing(pl.col(f"{c}_now")) for c in _CLASS_COLUMNS)
        )
        if changed.height == 0:
            return 0
        with registered(con, "_reclassified", changed.select("activity_id", *_CLASS_COLUMNS)):
            con.execute(
                """UPDATE activities SET category = r.category, subcategory = r.subcategory,
                       classification_reason = r.classification_reason,
                       classification_confidence = r.classification_confidence
                   FROM _reclassified AS r WHERE activities.activity_id = r.activity_id"""
            )
        link_duplicates(con, [athlete], changed=changed.select(list(CHANGED_SCHEMA)))
        return changed.height


_SET_CORRECTIONS_SQL = """
UPDATE strength_sets AS s SET exercise = c.exercise, exercise_match = 'correction'
FROM set_corrections AS c
WHERE s.activity_id = c.activity_id AND s.set_index = c.set_index
  AND (s.exercise IS DISTINCT FROM c.exercise OR s.exercise_match IS DISTINCT FROM 'correction')
  AND ($ids IS NULL OR list_contains($ids, s.activity_id))
RETURNING s.activity_id
"""
_CLASS_CORRECTIONS_SQL = """
UPDATE activities AS a SET category = c.category, subcategory = c.subcategory,
    classification_reason = $reason, classification_confidence = 1.0
FROM activity_corrections AS c
WHERE a.activity_id = c.activity_id AND list_contains($ids, a.activity_id)
RETURNING a.activity_id
"""


def apply_corrections(con: duckdb.DuckDBPyConnection, activity_ids: Sequence[str]) -> int:
    """Give these activities (rows just loaded) the classes and set exercises the user corrected; returns how many
    rows changed. The caller recomputes the duplicate links (the loader does, before its commit)."""
    if not activity_ids:
        return 0
    ids = list(activity_ids)
    with transaction(con):
        made = rows(con, "SELECT (SELECT count(*) FROM activity_corrections), (SELECT count(*) FROM set_corrections)")
        classes = rows(con, _CLASS_CORRECTIONS_SQL, {"ids": ids, "reason": CORRECTION}) if made[0][0] else []
        sets = rows(con, _SET_CORRECTIONS_SQL, {"ids": ids}) if made[0][1] else []
    return len(classes) + len(sets)


@dataclass(frozen=True)
class RuleCounts:
    """What :func:`apply_rules` changed: sets given another exercise by a mapping or a set correction, activities
    given another class."""

    sets_remapped: int = 0
    sets_corrected: int = 0
    reclassified: int = 0


def apply_rules(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    athletes: Sequence[str],
    resolvers: dict[str, ExerciseResolver],
) -> RuleCounts:
    """The settings and the corrections, applied to every loaded row of these athletes, in one transaction.

    ``resolvers`` are the athletes' exercise resolvers (the catalogue with their ``exercise_names``). Cheap when
    nothing changed: the rows are read and compared, and only rows that differ are written.
    """
    remapped = corrected = reclassified = 0
    with transaction(con):
        for name in dict.fromkeys(athletes):
            remapped += remap_exercises(con, name, resolvers[name])
        corrected = len(rows(con, _SET_CORRECTIONS_SQL, {"ids": None}))
        for name in dict.fromkeys(athletes):
            reclassified += reclassify(con, name, settings.athlete(name).overrides)
    return RuleCounts(sets_remapped=remapped, sets_corrected=corrected, reclassified=reclassified)


# ---- the commands: fitbalance classify, fitbalance correct-set -----------------------------------------------------


@dataclass(frozen=True)
class ActivityRef:
    """One stored activity, as the commands name it back to the user."""

    activity_id: str
    athlete: str
    start_time_local: datetime
    sport: str | None
    name: str | None
    category: str
    subcategory: str
    classification_reason: str


_FIND_SQL = """
SELECT activity_id, athlete, start_time_local, sport, name, category, subcategory, classification_reason
FROM activities WHERE starts_with(activity_id, ?) ORDER BY activity_id LIMIT 2
"""


def find_activity(con: duckdb.DuckDBPyConnection, wanted: str) -> ActivityRef:
    """The activity whose id is ``wanted`` or starts with it (at least 6 characters, naming one activity)."""
    key = wanted.strip().lower()
    found = rows(con, _FIND_SQL, [key]) if len(key) >= 6 else []
    exact = [r for r in found if r[0] == key]
    if len(found) == 1 or exact:
        return ActivityRef(*(exact or found)[0])
    hint = (
        'list them with: fitbalance sql "SELECT activity_id, start_time_local, sport, name, category '
        'FROM activities ORDER BY start_time_local DESC LIMIT 20"'
    )
    if len(found) > 1:
        raise ConfigError(f"activity id {wanted!r} starts more than one activity id: give more of it; {hint}")
    raise ConfigError(f"no activity with id {wanted!r} in the database; {hint}")


def correct_class(
    con: duckdb.DuckDBPyConnection,
    activity: ActivityRef,
    category: Category,
    subcategory: Subcategory,
    overrides: Sequence[Override],
    now: datetime,
) -> None:
    """Record that ``activity`` is ``category``/``subcategory`` and apply it (with its duplicate links) at once."""
    with transaction(con):
        con.execute(
            """INSERT OR REPLACE INTO activity_corrections (activity_id, athlete, category, subcategory, corrected_at)
               VALUES (?, ?, ?, ?, ?)""",
            [activity.activity_id, activity.athlete, category.value, subcategory.value, now],
        )
        reclassify(con, activity.athlete, overrides, [activity.activity_id])


def clear_class(con: duckdb.DuckDBPyConnection, activity: ActivityRef, overrides: Sequence[Override]) -> bool:
    """Remove the class correction of ``activity`` (whether there was one) and classify it by the rules again."""
    with transaction(con):
        removed = rows(
            con, "DELETE FROM activity_corrections WHERE activity_id = ? RETURNING 1", [activity.activity_id]
        )
        reclassify(con, activity.athlete, overrides, [activity.activity_id])
    return bool(removed)


@dataclass(frozen=True)
class SetRef:
    """One stored set, as ``fitbalance correct-set`` names it back to the user."""

    activity_id: str
    set_index: int
    set_type: str
    exercise_name: str | None
    exercise_category: str | None
    exercise: str | None
    reps: int | None
    weight_kg: float | None


def find_set(con: duckdb.DuckDBPyConnection, activity: ActivityRef, set_index: int) -> SetRef:
    """Set ``set_index`` of ``activity``; a rest row or a session rating is not a set of an exercise."""
    found = rows(
        con,
        """SELECT activity_id, set_index, set_type, exercise_name, exercise_category, exercise, reps, weight_kg
           FROM strength_sets WHERE activity_id = ? AND set_index = ?""",
        [activity.activity_id, set_index],
    )
    if not found or found[0][2] in NOT_EXERCISE_SET_TYPES:
        listing = rows(
            con,
            "SELECT min(set_index), max(set_index), count(*) FROM strength_sets WHERE activity_id = ? "
            "AND NOT list_contains(?, set_type)",
            [activity.activity_id, list(NOT_EXERCISE_SET_TYPES)],
        )[0]
        have = f"its sets are {listing[0]} to {listing[1]}" if listing[2] else "it has no sets"
        what = f"is a {found[0][2]} row" if found else "does not exist"
        raise ConfigError(
            f"set {set_index} of activity {activity.activity_id} {what}; {have} (set_index in strength_sets)"
        )
    return SetRef(*found[0])


def correct_exercise(con: duckdb.DuckDBPyConnection, found: SetRef, exercise: str, now: datetime) -> None:
    """Record that set ``found`` is ``exercise`` (a canonical name) and apply it at once."""
    with transaction(con):
        con.execute(
            "INSERT OR REPLACE INTO set_corrections (activity_id, set_index, exercise, corrected_at) "
            "VALUES (?, ?, ?, ?)",
            [found.activity_id, found.set_index, exercise, now],
        )
        con.execute(
            "UPDATE strength_sets SET exercise = ?, exercise_match = 'correction' "
            "WHERE activity_id = ? AND set_index = ?",
            [exercise, found.activity_id, found.set_index],
        )


def clear_exercise(con: duckdb.DuckDBPyConnection, found: SetRef, resolve: ExerciseResolver) -> bool:
    """Remove the exercise correction of set ``found`` (whether there was one); the set gets the exercise the
    catalogue and the settings' mappings give its name again."""
    match = resolve(found.exercise_name, found.exercise_category)
    with transaction(con):
        removed = rows(
            con,
            "DELETE FROM set_corrections WHERE activity_id = ? AND set_index = ? RETURNING 1",
            [found.activity_id, found.set_index],
        )
        con.execute(
            "UPDATE strength_sets SET exercise = ?, exercise_match = ? WHERE activity_id = ? AND set_index = ?",
            [match.exercise if match else None, match.how if match else None, found.activity_id, found.set_index],
        )
    return bool(removed)
