"""Movement patterns of the catalogue's exercises: which sets push, which pull, which load the upper or lower body.

The data is ``exercise_patterns.csv`` beside this module (``#`` lines are comments): one row per resistance exercise
of ``exercises.csv``, as ``exercise, pattern``. It is kept apart from the catalogue so that either file can be edited
on its own; :func:`parse_patterns` checks that every exercise it names is in the catalogue and every pattern is one
of :data:`PATTERNS`. :func:`patterns_frame` gives the rows of the ``exercise_patterns`` table (with each pattern's
direction and region), which a run writes when they changed (:func:`fitbalance.store.reference.refresh`) and the
``strength_balance_weekly`` view reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import polars as pl

from fitbalance.errors import ConfigError
from fitbalance.exercises import Catalog, load_catalog, read_rows

PATTERN_COLUMNS = ("exercise", "pattern")
PATTERNS_FILE = "exercise_patterns.csv"


@dataclass(frozen=True)
class Pattern:
    """A movement pattern: ``direction`` is ``push``, ``pull`` or None; ``region`` upper, lower, core or full."""

    name: str
    direction: str | None
    region: str


PATTERNS: dict[str, Pattern] = {
    p.name: p
    for p in (
        Pattern("horizontal_push", "push", "upper"),
        Pattern("vertical_push", "push", "upper"),
        Pattern("horizontal_pull", "pull", "upper"),
        Pattern("vertical_pull", "pull", "upper"),
        Pattern("elbow_extension", "push", "upper"),
        Pattern("elbow_flexion", "pull", "upper"),
        Pattern("upper_isolation", None, "upper"),
        Pattern("squat", None, "lower"),
        Pattern("lunge", None, "lower"),
        Pattern("hinge", None, "lower"),
        Pattern("leg_isolation", None, "lower"),
        Pattern("core", None, "core"),
        Pattern("carry", None, "full"),
        Pattern("full_body", None, "full"),
    )
}

PATTERN_SCHEMA: dict[str, pl.DataType] = {
    "exercise": pl.String(),
    "pattern": pl.String(),
    "direction": pl.String(),
    "region": pl.String(),
}


def parse_patterns(text: str, catalog: Catalog) -> dict[str, Pattern]:
    """Each exercise's pattern from the text of ``exercise_patterns.csv``.

    Raises :class:`ConfigError` naming the file and line of a row whose exercise the catalogue does not know, whose
    pattern is unknown, or whose exercise is listed twice."""
    found: dict[str, Pattern] = {}
    for line, row in read_rows(text, PATTERN_COLUMNS, PATTERNS_FILE):
        exercise, pattern = row["exercise"], row["pattern"]
        if exercise not in catalog:
            raise ConfigError(f"line {line}: {exercise!r} is not an exercise of exercises.csv", path=PATTERNS_FILE)
        if pattern not in PATTERNS:
            raise ConfigError(
                f"line {line} ({exercise}): unknown pattern {pattern!r}; one of {', '.join(PATTERNS)}",
                path=PATTERNS_FILE,
            )
        if exercise in found:
            raise ConfigError(f"line {line}: {exercise!r} is listed twice", path=PATTERNS_FILE)
        found[exercise] = PATTERNS[pattern]
    return found


@lru_cache(maxsize=1)
def load_patterns() -> dict[str, Pattern]:
    """The movement patterns packaged with fitbalance, checked against the packaged catalogue."""
    text = resources.files("fitbalance").joinpath(PATTERNS_FILE).read_text(encoding="utf-8")
    return parse_patterns(text, load_catalog())


def patterns_frame(patterns: dict[str, Pattern] | None = None) -> pl.DataFrame:
    """Rows for the ``exercise_patterns`` table: ``exercise, pattern, direction, region``."""
    source = load_patterns() if patterns is None else patterns
    rows = [
        {"exercise": name, "pattern": p.name, "direction": p.direction, "region": p.region}
        for name, p in sorted(source.items())
    ]
    return pl.DataFrame(rows, schema=PATTERN_SCHEMA) if rows else pl.DataFrame(schema=PATTERN_SCHEMA)
