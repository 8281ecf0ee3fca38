"""Weekly targets: what an athlete aims at each week, with defaults from the evidence when the settings say nothing.

The settings file may give every athlete their own targets (parsed and checked by :mod:`fitbalance.config`)::

    [athletes.me.targets]
    aerobic_minutes = 150        # WHO moderate-equivalent minutes (a vigorous minute counts double)
    strength_days = 2            # days with muscle-strengthening activity
    muscle_sets = [10, 20]       # weekly working sets per muscle group: low and high
    muscle_days = 2              # days a week each targeted muscle group is worked
    muscle_groups = ["chest", "lats", ...]   # the groups with a target (default: TARGET_MUSCLES)
    multicomponent_days = 3      # WHO's balance target for 65+; setting it applies it at any age
    [athletes.me.targets.muscles]
    chest = [12, 18]             # a muscle group's own range (a group named here gets a target too)

Defaults (:data:`DEFAULTS`, each with its source):

- ``aerobic_minutes`` 150 and ``strength_days`` 2: WHO 2020 guidelines (Bull et al. 2020), adults.
- ``multicomponent_days`` 3 from the ISO year the athlete turns 65 (their ``birth_year``): WHO 2020, older adults,
  "varied multicomponent physical activity that emphasises functional balance and strength training ... on 3 or
  more days a week". A day counts when it holds strength work or a balance or mixed activity, as the
  ``weekly_balance`` view's ``multicomponent_days`` counts it (docs/views.md).
- ``muscle_sets`` 10 to 20 weekly sets per muscle group: Schoenfeld, Ogborn & Krieger 2017 (10+ weekly sets give
  more growth than fewer), Baz-Valle et al. 2022 (12-20 sets per muscle a week), and the ACSM 2026 position stand
  (about 10 weekly sets per muscle group). A set counts 1 for a primary muscle and 0.5 for a secondary one (Pelland
  et al. 2024), as ``muscle_group_weekly`` counts it.
- ``muscle_days`` 2: ACSM 2026, each muscle group trained at least twice a week.

The targets reach SQL through the ``athlete_targets`` table (:func:`target_rows`, written on every ingest by
:func:`fitbalance.store.reference.refresh_targets`); athletes without rows there get :func:`defaults_sql`'s
``target_defaults`` view. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field

AEROBIC_MINUTES = 150.0
STRENGTH_DAYS = 2
MULTICOMPONENT_DAYS = 3
MULTICOMPONENT_FROM_AGE = 65
MUSCLE_SETS = (10.0, 20.0)
MUSCLE_DAYS = 2

# The muscle groups that get a target unless the settings name others: the major groups of the guidelines (chest,
# back, shoulders, arms, abdomen, hips and legs). Front delts are left out (every press works them), and so are the
# small or stabilising groups (forearms, traps, lower back, obliques, adductors, abductors, hip flexors, neck).
TARGET_MUSCLES: tuple[str, ...] = (
    "chest",
    "lats",
    "upper_back",
    "side_delts",
    "rear_delts",
    "biceps",
    "triceps",
    "abs",
    "glutes",
    "quads",
    "hamstrings",
    "calves",
)

# target kinds, in the order they are shown
AEROBIC = "aerobic_minutes"
STRENGTH = "strength_days"
MULTICOMPONENT = "multicomponent_days"
MUSCLE_SETS_TARGET = "muscle_sets"
MUSCLE_DAYS_TARGET = "muscle_days"
KINDS: tuple[str, ...] = (AEROBIC, STRENGTH, MULTICOMPONENT, MUSCLE_SETS_TARGET, MUSCLE_DAYS_TARGET)

SETTINGS_SOURCE = "settings"
SOURCES: dict[str, str] = {
    AEROBIC: "WHO 2020",
    STRENGTH: "WHO 2020",
    MULTICOMPONENT: "WHO 2020 (65+)",
    MUSCLE_SETS_TARGET: "Schoenfeld 2017; Baz-Valle 2022; ACSM 2026",
    MUSCLE_DAYS_TARGET: "ACSM 2026",
}


@dataclass(frozen=True)
class TargetRow:
    """One row of ``athlete_targets`` (without the athlete): a target, its range and where it comes from.

    ``muscle_group`` is set for the muscle targets only; ``high`` is None where there is no upper bound;
    ``from_age`` is the age from which the target applies (None: at every age)."""

    target: str
    muscle_group: str | None
    low: float
    high: float | None
    from_age: int | None
    source: str


@dataclass(frozen=True)
class Targets:
    """An athlete's weekly targets. ``chosen`` names the keys the settings file set (their rows' source is
    ``settings``); ``muscles`` holds the groups' own ranges, as (group, low, high)."""

    aerobic_minutes: float = AEROBIC_MINUTES
    strength_days: int = STRENGTH_DAYS
    muscle_sets: tuple[float, float] = MUSCLE_SETS
    muscle_days: int = MUSCLE_DAYS
    muscle_groups: tuple[str, ...] = TARGET_MUSCLES
    muscles: tuple[tuple[str, float, float], ...] = ()
    multicomponent_days: int = MULTICOMPONENT_DAYS
    chosen: frozenset[str] = field(default_factory=frozenset)

    @property
    def targeted_groups(self) -> tuple[str, ...]:
        """The muscle groups with a target: ``muscle_groups``, then any group with its own range."""
        return tuple(dict.fromkeys([*self.muscle_groups, *(name for name, _, _ in self.muscles)]))

    def rows(self) -> list[TargetRow]:
        """The targets as ``athlete_targets`` rows, in :data:`KINDS` order, muscle groups in their order."""

        def source(key: str, kind: str) -> str:
            return SETTINGS_SOURCE if key in self.chosen else SOURCES[kind]

        own = {name: (low, high) for name, low, high in self.muscles}
        rows = [
            TargetRow(AEROBIC, None, float(self.aerobic_minutes), None, None, source(AEROBIC, AEROBIC)),
            TargetRow(STRENGTH, None, float(self.strength_days), None, None, source(STRENGTH, STRENGTH)),
            TargetRow(
                MULTICOMPONENT,
                None,
                float(self.multicomponent_days),
                None,
                None if MULTICOMPONENT in self.chosen else MULTICOMPONENT_FROM_AGE,
                source(MULTICOMPONENT, MULTICOMPONENT),
            ),
        ]
        for group in self.targeted_groups:
            low, high = own.get(group, self.muscle_sets)
            chosen = f"muscles.{group}" if group in own else MUSCLE_SETS_TARGET
            rows.append(TargetRow(MUSCLE_SETS_TARGET, group, low, high, None, source(chosen, MUSCLE_SETS_TARGET)))
        rows += [
            TargetRow(
                MUSCLE_DAYS_TARGET,
                group,
                float(self.muscle_days),
                None,
                None,
                source(MUSCLE_DAYS_TARGET, MUSCLE_DAYS_TARGET),
            )
            for group in self.targeted_groups
        ]
        return rows


DEFAULTS = Targets()


def _sql_text(value: str | None) -> str:
    return "NULL" if value is None else "'" + value.replace("'", "''") + "'"


def _sql_number(value: float | int | None) -> str:
    return "NULL" if value is None else repr(float(value))


def defaults_sql() -> str:
    """``CREATE OR REPLACE VIEW target_defaults``: the default targets (:data:`DEFAULTS`) as rows, for the athletes
    the ``athlete_targets`` table has no rows for (the views read it; only our own constants are formatted in)."""
    values = ",\n    ".join(
        f"({_sql_text(r.target)}, {_sql_text(r.muscle_group)}, {_sql_number(r.low)}, {_sql_number(r.high)}, "
        f"{'NULL' if r.from_age is None else int(r.from_age)}, {_sql_text(r.source)})"
        for r in DEFAULTS.rows()
    )
    return f"""
-- The default weekly targets (fitbalance/targets.py), for athletes without rows in athlete_targets.
CREATE OR REPLACE VIEW target_defaults AS
SELECT
    CAST(target AS VARCHAR) AS target,
    CAST(muscle_group AS VARCHAR) AS muscle_group,
    CAST(low AS DOUBLE) AS low,
    CAST(high AS DOUBLE) AS high,
    CAST(from_age AS INTEGER) AS from_age,
    CAST(source AS VARCHAR) AS source
FROM (VALUES
    {values}
) AS t(target, muscle_group, low, high, from_age, source);
"""
