"""Settings: one entry per athlete, validated with errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from fitbalance.config import load_settings, parse_settings
from fitbalance.errors import ConfigError
from fitbalance.models import Category, Subcategory

GOOD = """
default_athlete = "ann"
[athletes.ann]
time_zone = "Europe/Berlin"
birth_year = 1955
max_hr = 170
units = "imperial"
[[athletes.ann.overrides]]
name = "mobility"
category = "other"
subcategory = "flexibility"
[athletes.ann.exercise_names]
"Landmine Press" = "Overhead Press"
"""


def test_it_reads_athletes_overrides_and_names() -> None:
    s = parse_settings(GOOD)
    ann = s.athlete(None)
    assert ann.name == "ann" and ann.time_zone == "Europe/Berlin" and ann.birth_year == 1955
    assert ann.units == "imperial" and ann.max_hr == 170.0
    assert ann.overrides[0].category is Category.OTHER and ann.overrides[0].subcategory is Subcategory.FLEXIBILITY
    assert ann.exercise_names == {"Landmine Press": "Overhead Press"}


def test_csv_units_are_optional_and_never_implied_by_display_units() -> None:
    """weight_unit and distance_unit are read when given; display ``units`` do not stand in for them."""
    ann = parse_settings(GOOD).athlete("ann")
    assert ann.units == "imperial" and ann.weight_unit is None and ann.distance_unit is None
    lifter = parse_settings('[athletes.b]\nweight_unit = "lbs"\ndistance_unit = "mi"').athlete("b")
    assert (lifter.weight_unit, lifter.distance_unit) == ("lbs", "mi")


def test_unknown_athlete_gets_defaults_under_its_name() -> None:
    """No zone is set for an athlete the file does not name: CSV times are placed by their FIT files."""
    assert parse_settings(GOOD).athlete("bob").name == "bob"
    assert parse_settings(GOOD).athlete("bob").time_zone is None


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('[athletes.a]\ntime_zone = "Mars/Base"', "athletes.a.time_zone"),
        ("[athletes.a]\nmax_hr = 400", "athletes.a.max_hr"),
        ('[athletes.a]\nunits = "furlongs"', "athletes.a.units"),
        ('[athletes.a]\nweight_unit = "stone"', "athletes.a.weight_unit: expected one of 'kg', 'lbs'"),
        ('[athletes.a]\ndistance_unit = "metres"', "athletes.a.distance_unit: expected one of 'km', 'mi'"),
        ("[athletes.a]\ncolour = 1", "unknown keys ['colour']"),
        ('[[athletes.a.overrides]]\ncategory = "cardio"\nname = "x"', "overrides[0]"),
        ('[[athletes.a.overrides]]\ncategory = "other"', "at least one of"),
        ('[[athletes.a.overrides]]\ncategory = "other"\nname = "("', "regular expression"),
        ("not = [toml", "not valid TOML"),
    ],
)
def test_bad_settings_name_the_key(text: str, fragment: str) -> None:
    """A wrong settings file fails with an error that says which key is wrong."""
    with pytest.raises(ConfigError, match=None) as info:
        parse_settings(text, source="fitbalance.toml")
    assert fragment in str(info.value)


def test_missing_default_file_means_defaults_but_missing_explicit_file_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FITBALANCE_SETTINGS", raising=False)
    assert load_settings().athlete(None).name == "default"
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("text", "line", "fragments"),
    [
        ('[athletes.a]\nbirth_year = 1980\ntime_zone = "Europe/Berln"\n', 3, ["did you mean 'Europe/Berlin'"]),
        ("[athletes.a]\nmax_hr = 180\nmax_heartrate = 180\n", 3, ["max_heartrate", "did you mean 'max_hr'"]),
        ('default_athlete = "a"\ndefault_athelte = "b"\n', 2, ["default_athelte", "did you mean 'default_athlete'"]),
        ('[athletes.a]\nname = "x\n', 2, ["not valid TOML", "column"]),
        (
            '[athletes.a]\n[[athletes.a.overrides]]\nname = "x"\ncategory = "other"\n\n'
            '[[athletes.a.overrides]]\ncategory = "other"\n',
            6,
            ["athletes.a.overrides[1]", "matches nothing", "activity_id"],
        ),
        ('[[athletes.a.overrides]]\nname = "x"\ncategory = "cardio"\n', 3, ["overrides[0].category"]),
    ],
)
def test_a_mistake_gets_one_line_naming_the_file_the_line_and_the_fix(
    text: str, line: int, fragments: list[str]
) -> None:
    """Whatever is wrong, the error is one line: the file, the line of the mistake, the key, and how to fix it."""
    with pytest.raises(ConfigError) as info:
        parse_settings(text, source="my.toml")
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"my.toml: line {line}: ")
    assert "; fix: " in message
    for fragment in fragments:
        assert fragment in message


# ---- [athletes.NAME.progression] ---------------------------------------------------------------------------------


def test_progression_has_defaults_in_the_athletes_units() -> None:
    """Without a progression table: 2.5 kg steps, a 10 % deload after 5 weeks, a 0.5 kg load step, the rep range
    inferred (None); an imperial athlete gets 5 lb and 1 lb, kept in kg."""
    settings = parse_settings('[athletes.me]\n[athletes.sam]\nunits = "imperial"\n')
    me, sam = settings.athlete("me").progression, settings.athlete("sam").progression
    assert (me.rep_range, me.increment_kg, me.deload_after_weeks, me.deload_pct, me.load_step_kg) == (
        None,
        2.5,
        5,
        10.0,
        0.5,
    )
    assert sam.increment_kg == pytest.approx(5 * 0.45359237) and sam.load_step_kg == pytest.approx(0.45359237)


def test_progression_reads_ranges_increments_by_equipment_and_exercises() -> None:
    """rep_range, increments in lb (one or by equipment), the deload, and an exercise's own range and deload."""
    settings = parse_settings(
        "[athletes.me]\n"
        "[athletes.me.progression]\n"
        "rep_range = [8, 12]\n"
        "increment_lb = { default = 5, dumbbell = 2.5 }\n"
        "deload_after_weeks = 4\n"
        "deload_pct = 15\n"
        "load_step_kg = 1\n"
        '[athletes.me.progression.exercises."Bench Press"]\n'
        "rep_range = [5, 8]\n"
        "increment_kg = 1.25\n"
    )
    p = settings.athlete("me").progression
    assert p.rep_range == (8, 12) and (p.deload_after_weeks, p.deload_pct, p.load_step_kg) == (4, 15.0, 1.0)
    assert p.increment_kg == pytest.approx(5 * 0.45359237)
    assert p.increments_kg == {"dumbbell": pytest.approx(2.5 * 0.45359237)}
    bench = p.exercises["Bench Press"]
    assert (bench.rep_range, bench.increment_kg, bench.deload_pct) == ((5, 8), 1.25, None)


@pytest.mark.parametrize(
    ("body", "line", "names"),
    [
        ("rep_range = [12, 8]", 3, ("athletes.me.progression.rep_range", "lowest first", "rep_range = [8, 12]")),
        (
            "rep_range = 10",
            3,
            (
                "rep_range",
                "[lowest, highest]",
            ),
        ),
        ("increment_kg = 2.5\nincrement_lb = 5", 4, ("increment_lb", "both increment_kg and increment_lb")),
        ("increment_kg = { dumbell = 2 }", 3, ("unknown equipment 'dumbell'", "did you mean 'dumbbell'")),
        ("increment_kg = -1", 3, ("increment_kg", "expected a number from 0.1 to 100")),
        ("deload_after_weeks = 2.5", 3, ("deload_after_weeks", "whole weeks")),
        ("deload_pct = 80", 3, ("deload_pct", "from 1 to 50")),
        ("rep_ranges = [8, 12]", 3, ("unknown keys ['rep_ranges']", "did you mean 'rep_range'")),
        ('[athletes.me.progression.exercises."Squat"]\nload_step_kg = 1', 4, ("exercises.Squat.load_step_kg",)),
        (
            '[athletes.me.progression.exercises."Squat"]\nincrement_kg = { barbell = 2 }',
            4,
            ("one exercise has one", "increment_kg = 2"),
        ),
    ],
)
def test_a_progression_mistake_is_one_line_naming_file_line_and_fix(
    body: str, line: int, names: tuple[str, ...]
) -> None:
    """Every progression key is checked like the other settings: the file, the line, the key, what is wrong, the fix."""
    with pytest.raises(ConfigError) as caught:
        parse_settings(f"[athletes.me]\n[athletes.me.progression]\n{body}\n", source="fitbalance.toml")
    message = str(caught.value)
    assert message.startswith(f"fitbalance.toml: line {line}: ") and "; fix: " in message
    assert "\n" not in message
    for name in names:
        assert name in message
