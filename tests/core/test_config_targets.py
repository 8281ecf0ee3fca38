"""Weekly targets in the settings file: read with their defaults, checked like every other setting."""

from __future__ import annotations

import pytest

from fitbalance.config import parse_settings
from fitbalance.errors import ConfigError
from fitbalance.targets import DEFAULTS, TARGET_MUSCLES, defaults_sql

GOOD = """
[athletes.ann]
birth_year = 1955
[athletes.ann.targets]
aerobic_minutes = 180
strength_days = 3
muscle_sets = [8, 16]
muscle_days = 1
muscle_groups = ["chest", "lats", "quads"]
[athletes.ann.targets.muscles]
chest = [12, 18]
forearms = [4, 8]
"""


def test_it_reads_the_targets_and_a_groups_own_range() -> None:
    """Every key is read; a group with its own range keeps it, a group named there gets a target too; the rows say
    the settings chose them."""
    targets = parse_settings(GOOD).athlete("ann").targets
    assert (targets.aerobic_minutes, targets.strength_days, targets.muscle_days) == (180.0, 3, 1)
    assert targets.targeted_groups == ("chest", "lats", "quads", "forearms")
    sets = {r.muscle_group: (r.low, r.high, r.source) for r in targets.rows() if r.target == "muscle_sets"}
    assert sets == {
        "chest": (12.0, 18.0, "settings"),
        "lats": (8.0, 16.0, "settings"),
        "quads": (8.0, 16.0, "settings"),
        "forearms": (4.0, 8.0, "settings"),
    }
    multicomponent = next(r for r in targets.rows() if r.target == "multicomponent_days")
    assert (multicomponent.low, multicomponent.from_age, multicomponent.source) == (3.0, 65, "WHO 2020 (65+)")


def test_absent_targets_are_the_defaults_with_their_sources() -> None:
    """WHO 2020: 150 minutes, 2 strength days, 3 multicomponent days from 65; 10-20 sets and 2 days per major
    muscle group (Schoenfeld, Baz-Valle, ACSM); one key set leaves the others at their defaults."""
    plain = parse_settings("[athletes.bob]\n").athlete("bob").targets
    assert plain == DEFAULTS
    rows = {(r.target, r.muscle_group): r for r in plain.rows()}
    assert (rows[("aerobic_minutes", None)].low, rows[("aerobic_minutes", None)].source) == (150.0, "WHO 2020")
    assert rows[("strength_days", None)].low == 2.0
    assert rows[("muscle_sets", "chest")].low == 10.0 and rows[("muscle_sets", "chest")].high == 20.0
    assert {g for t, g in rows if t == "muscle_days"} == set(TARGET_MUSCLES)
    one = parse_settings("[athletes.bob.targets]\nstrength_days = 3\n").athlete("bob").targets
    assert one.strength_days == 3 and one.aerobic_minutes == 150.0 and one.muscle_sets == (10.0, 20.0)
    assert "VALUES" in defaults_sql() and "'muscle_sets', 'chest', 10.0, 20.0" in defaults_sql()


def test_setting_the_balance_target_applies_it_at_any_age() -> None:
    row = next(
        r
        for r in parse_settings("[athletes.c.targets]\nmulticomponent_days = 2\n").athlete("c").targets.rows()
        if r.target == "multicomponent_days"
    )
    assert (row.low, row.from_age, row.source) == (2.0, None, "settings")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[athletes.a.targets]\nstrength_days = 8",
            "line 2: athletes.a.targets.strength_days: expected a whole number of days from 0 to 7, got 8; "
            "fix: write e.g. strength_days = 2",
        ),
        (
            "[athletes.a.targets]\nmuscle_days = 1.5",
            "line 2: athletes.a.targets.muscle_days: expected a whole number of days from 0 to 7, got 1.5",
        ),
        (
            "[athletes.a.targets]\naerobic_minutes = -5",
            "line 2: athletes.a.targets.aerobic_minutes: expected a number from 0 to 10080, got -5",
        ),
        (
            "[athletes.a.targets]\nmuscle_sets = [20, 10]",
            "line 2: athletes.a.targets.muscle_sets: expected [low, high] weekly sets with 0 <= low <= high <= 200, "
            "got [20, 10]; fix: write two numbers in brackets, e.g. [10, 20]",
        ),
        ("[athletes.a.targets]\nmuscle_sets = 10", "athletes.a.targets.muscle_sets: expected [low, high]"),
        (
            "[athletes.a.targets]\n\n[athletes.a.targets.muscles]\nchets = [1, 2]",
            "line 4: athletes.a.targets.muscles.chets: unknown muscle group 'chets'",
        ),
        ('[athletes.a.targets]\nmuscle_groups = ["quadz"]', "(did you mean 'quads'?)"),
        ('[athletes.a.targets]\nmuscle_groups = "chest"', "athletes.a.targets.muscle_groups: expected a list"),
        ("[athletes.a.targets.muscles]\nchest = [12]", "athletes.a.targets.muscles.chest: expected [low, high]"),
        ("[athletes.a.targets]\naerobic = 150", "(did you mean 'aerobic_minutes'?)"),
        ("[athletes.a]\ntargets = 150", "line 2: athletes.a.targets: must be a table"),
    ],
)
def test_a_mistake_in_the_targets_is_one_line_naming_file_line_key_and_fix(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings(text, source="fitbalance.toml")
    said = str(caught.value)
    assert message in said and said.startswith("fitbalance.toml: ") and "\n" not in said and "fix: " in said
