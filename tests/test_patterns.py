"""The movement patterns: data beside the catalogue, every resistance exercise with one, mistakes named by line."""

from __future__ import annotations

import pytest

from fitbalance.errors import ConfigError
from fitbalance.exercises import load_catalog
from fitbalance.patterns import PATTERNS, load_patterns, parse_patterns, patterns_frame


def test_every_resistance_exercise_of_the_catalogue_has_a_pattern() -> None:
    """A resistance exercise added to exercises.csv needs its row in exercise_patterns.csv; cardio and mobility
    entries have none."""
    catalog = load_catalog()
    patterns = load_patterns()
    resistance = {e.name for e in catalog.exercises.values() if e.kind == "resistance"}
    assert resistance - set(patterns) == set()
    assert set(patterns) <= resistance


@pytest.mark.parametrize(
    ("exercise", "pattern", "direction", "region"),
    [
        ("Bench Press", "horizontal_push", "push", "upper"),
        ("Overhead Press", "vertical_push", "push", "upper"),
        ("Chest Dip", "vertical_push", "push", "upper"),
        ("Barbell Row", "horizontal_pull", "pull", "upper"),
        ("Face Pull", "horizontal_pull", "pull", "upper"),
        ("Rear Delt Fly", "horizontal_pull", "pull", "upper"),
        ("Pull-Up", "vertical_pull", "pull", "upper"),
        ("Lat Pulldown", "vertical_pull", "pull", "upper"),
        ("Barbell Curl", "elbow_flexion", "pull", "upper"),
        ("Triceps Pushdown", "elbow_extension", "push", "upper"),
        ("Lateral Raise", "upper_isolation", None, "upper"),
        ("Squat", "squat", None, "lower"),
        ("Bulgarian Split Squat", "lunge", None, "lower"),
        ("Romanian Deadlift", "hinge", None, "lower"),
        ("Hip Thrust", "hinge", None, "lower"),
        ("Lying Leg Curl", "leg_isolation", None, "lower"),
        ("Plank", "core", None, "core"),
        ("Clean", "full_body", None, "full"),
    ],
)
def test_well_known_lifts_have_the_pattern_a_coach_would_give(
    exercise: str, pattern: str, direction: str | None, region: str
) -> None:
    found = load_patterns()[exercise]
    assert (found.name, found.direction, found.region) == (pattern, direction, region)


def test_the_table_rows_carry_direction_and_region() -> None:
    frame = patterns_frame()
    assert frame.columns == ["exercise", "pattern", "direction", "region"]
    assert frame.height == len(load_patterns())
    assert set(frame.get_column("pattern")) <= set(PATTERNS)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("exercise,pattern\nBench Press,diagonal_push\n", "line 2 (Bench Press): unknown pattern 'diagonal_push'"),
        ("exercise,pattern\nBench Pres,horizontal_push\n", "line 2: 'Bench Pres' is not an exercise"),
        ("# c\nexercise,pattern\nSquat,squat\nSquat,squat\n", "line 4: 'Squat' is listed twice"),
        ("exercise,kind\nSquat,squat\n", "line 1: header must be exercise,pattern"),
    ],
)
def test_a_mistake_in_the_file_names_its_line(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_patterns(text, load_catalog())
    assert message in str(caught.value) and "exercise_patterns.csv" in str(caught.value)
