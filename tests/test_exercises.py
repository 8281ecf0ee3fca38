"""The exercise catalogue: app and watch names map onto canonical exercises; unknown names stay unmapped."""

from __future__ import annotations

import fitdecode.profile
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fitbalance.errors import ConfigError
from fitbalance.exercises import (
    EXERCISE_SCHEMA,
    MUSCLES,
    catalog_frame,
    load_catalog,
    name_key,
    parse_catalog,
)

FIT_CATEGORIES = [c for c in fitdecode.profile.FIELD_TYPES["exercise_category"].enum.values() if c != "unknown"]


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("Bench Press (Barbell)", "Bench Press"),
        ("Barbell Bench Press", "Bench Press"),
        ("bench press", "Bench Press"),
        ("BARBELL_BENCH_PRESS", "Bench Press"),
        ("Bench Press (Dumbbell)", "Dumbbell Bench Press"),
        ("Dumbbell Bench Press", "Dumbbell Bench Press"),
        ("DB Bench Press", "Dumbbell Bench Press"),
        ("Lat Pulldown (Cable)", "Lat Pulldown"),
        ("Lat Pull-Down", "Lat Pulldown"),
        ("Pull-Ups", "Pull-Up"),
        ("Pull Up (Weighted)", "Pull-Up"),
        ("weighted_pull_up", "Pull-Up"),
        ("Pull Up (Assisted)", "Assisted Pull-Up"),
        ("Squat (Barbell)", "Squat"),
        ("Pause Squat (Barbell)", "Squat"),
        ("barbell_back_squat", "Squat"),
        ("Deadlift (Barbell)", "Deadlift"),
        ("RDL", "Romanian Deadlift"),
        ("Overhead Press (Barbell)", "Overhead Press"),
        ("OHP", "Overhead Press"),
        ("Seated Cable Row - V Grip (Cable)", "Seated Cable Row"),
        ("Triceps Rope Pushdown", "Triceps Pushdown"),
        ("Bicep Curl (Dumbbell)", "Dumbbell Curl"),
        ("Farmer’s Walk", "Farmer's Carry"),
        ("Rowing (Machine)", "Rowing Machine"),
        ("Treadmill", "Treadmill Running"),
    ],
)
def test_app_and_watch_names_map(written: str, canonical: str) -> None:
    """Names as Hevy, Strong and FIT write them map to one canonical exercise, whatever the case or order."""
    assert load_catalog().canonical(written, None, {}) == canonical


@pytest.mark.parametrize("category", FIT_CATEGORIES)
def test_every_fit_category_maps(category: str) -> None:
    """Every FIT exercise category (fitdecode profile) has a canonical exercise."""
    found = load_catalog().canonical(None, category, {})
    assert found is not None and found in load_catalog()


def test_every_fit_category_named_in_the_catalogue_is_real() -> None:
    """Each exercise's fit_category is a FIT category name."""
    for exercise in load_catalog().exercises.values():
        assert exercise.fit_category in FIT_CATEGORIES, exercise.name


def test_name_wins_over_the_category() -> None:
    """A known name decides; the category is only the fallback."""
    catalog = load_catalog()
    assert catalog.canonical("Incline Bench Press (Dumbbell)", "bench_press", {}) == "Incline Dumbbell Bench Press"
    assert catalog.canonical("some watch name we do not know", "bench_press", {}) == "Bench Press"


@pytest.mark.parametrize("name", ["Intensity", "Bench Press (Kettlebell)", "Zorbing", "", "   "])
def test_unknown_names_stay_unmapped(name: str) -> None:
    """A name matching nothing is None for the loader to flag; equipment is never dropped to force a match."""
    assert load_catalog().canonical(name, None, {}) is None


def test_user_names_come_first() -> None:
    """The settings mapping wins and is matched like catalogue names."""
    catalog = load_catalog()
    user = {"Landmine Press (Barbell)": "Overhead Press", "My Secret Lift": "Deadlift"}
    assert catalog.canonical("landmine press (barbell)", None, user) == "Overhead Press"
    assert catalog.canonical("MY SECRET LIFT", None, user) == "Deadlift"
    assert catalog.canonical("My Secret Lift", None, {}) is None


def test_kinds_mark_cardio_so_views_can_exclude_it() -> None:
    """Cardio logged in lifting apps is kind cardio; lifts are resistance; warm-ups mobility."""
    catalog = load_catalog()
    assert catalog.kind(catalog.canonical("Treadmill", None, {})) == "cardio"
    assert catalog.kind(catalog.canonical("Rowing (Machine)", None, {})) == "cardio"
    assert catalog.kind("Bench Press") == "resistance"
    assert catalog.kind("Warm Up") == "mobility"
    assert catalog.kind("Nope") is None


def test_catalogue_size_and_vocabulary() -> None:
    """At least 80 exercises, every muscle from the documented vocabulary."""
    exercises = load_catalog().exercises.values()
    assert len(exercises) >= 80
    for exercise in exercises:
        assert exercise.primary, exercise.name
        assert set(exercise.primary + exercise.secondary) <= set(MUSCLES)


def test_catalog_frame_matches_the_exercises_table() -> None:
    """catalog_frame gives one row per exercise with the exercises table columns (plus kind)."""
    frame = catalog_frame()
    assert frame.schema == EXERCISE_SCHEMA
    assert frame.height == len(load_catalog().exercises)
    assert frame["exercise"].is_unique().all()
    bench = frame.filter(frame["exercise"] == "Bench Press").row(0, named=True)
    assert bench["fit_category"] == "bench_press" and bench["bodyweight"] is False
    assert bench["primary_muscles"] == ["chest"]
    assert catalog_frame(names=["Pull-Up", "not there"]).height == 1


def test_a_name_claimed_twice_is_refused() -> None:
    """Catalogue data that maps one name to two exercises does not load."""
    text = """
[[exercise]]
name = "A"
primary = ["chest"]
aliases = ["Press"]
[[exercise]]
name = "B"
primary = ["chest"]
aliases = ["press"]
"""
    with pytest.raises(ConfigError, match="names both"):
        parse_catalog(text)


@given(st.text(max_size=80))
def test_any_text_maps_or_stays_none(text: str) -> None:
    """Matching never fails: any text gives a canonical name or None."""
    found = load_catalog().canonical(text, None, {})
    assert found is None or found in load_catalog()
    assert name_key(text) == name_key(name_key(text))
