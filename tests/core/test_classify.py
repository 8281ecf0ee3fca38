"""The classifier: resistance training or other exercise, with a reason and a confidence."""

from __future__ import annotations

import tomllib
from importlib import resources

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fitbalance.classify import (
    CLASSIFY_INPUT,
    NAME_RULES,
    SPORT_RULES,
    SUB_SPORT_RULES,
    classify_activity,
    classify_frame,
)
from fitbalance.config import Override
from fitbalance.models import Category, Subcategory


def classify(**kw: object):  # type: ignore[no-untyped-def]
    args = dict(
        activity_id="a1", sport=None, sub_sport=None, name=None, working_sets=0, distance_m=None, elapsed_s=None
    )
    args.update(kw)
    return classify_activity(**args)  # type: ignore[arg-type]


def test_strength_sub_sport_without_sets_is_resistance() -> None:
    """A strength session recorded without any set messages is still resistance training."""
    c = classify(sport="training", sub_sport="strength_training")
    assert (c.category, c.subcategory) == (Category.RESISTANCE, Subcategory.STRENGTH)
    assert c.reason == "sport:training/strength_training"


def test_working_sets_make_resistance_even_for_generic_sport() -> None:
    """Sets with repetitions are the structure of strength training: they decide over a vague sport."""
    c = classify(sport="fitness_equipment", sub_sport="generic", working_sets=12)
    assert c.category is Category.RESISTANCE and c.reason == "sets"


def test_yoga_with_logged_sets_stays_flexibility() -> None:
    """A firm non-strength sub_sport (yoga) wins over sets the watch happened to log."""
    c = classify(sport="training", sub_sport="yoga", working_sets=5)
    assert (c.category, c.subcategory) == (Category.OTHER, Subcategory.FLEXIBILITY)


def test_hiit_is_mixed_and_running_is_endurance_and_tennis_is_sport() -> None:
    assert classify(sport="training", sub_sport="hiit").subcategory is Subcategory.MIXED
    assert classify(sport="running").subcategory is Subcategory.ENDURANCE
    assert classify(sport="tennis").subcategory is Subcategory.SPORT


def test_name_decides_when_sport_is_vague() -> None:
    """The activity name, in several languages, decides when the sport says little."""
    assert classify(sport="generic", name="Krafttraining Oberkörper").category is Category.RESISTANCE
    assert classify(sport="generic", name="Morning Yoga").subcategory is Subcategory.FLEXIBILITY
    assert classify(sport="generic", name="Tai Chi").subcategory is Subcategory.BALANCE
    assert classify(sport=None, name="Styrketräning").category is Category.RESISTANCE


def test_distance_signal_only_after_sport_and_name() -> None:
    """Without sport or name, 5 km in 30 minutes says endurance; nothing at all says other/other."""
    c = classify(sport="generic", distance_m=5000.0, elapsed_s=1800.0)
    assert c.subcategory is Subcategory.ENDURANCE and c.reason == "signal:distance"
    c = classify(sport=None)
    assert (c.category, c.subcategory, c.reason) == (Category.OTHER, Subcategory.OTHER, "fallback")
    assert c.confidence < 0.5


def test_override_wins_over_every_rule() -> None:
    """A user override matches by sport, name pattern or id, and wins."""
    mobility = Override(category=Category.OTHER, subcategory=Subcategory.FLEXIBILITY, name="mobility")
    c = classify(
        sport="training", sub_sport="strength_training", name="Mobility flow", working_sets=3, overrides=[mobility]
    )
    assert (c.category, c.subcategory, c.reason, c.confidence) == (
        Category.OTHER,
        Subcategory.FLEXIBILITY,
        "override:name=mobility",
        1.0,
    )
    by_id = Override(category=Category.RESISTANCE, subcategory=Subcategory.STRENGTH, activity_id="a1")
    assert classify(sport="running", overrides=[by_id]).category is Category.RESISTANCE
    assert classify(sport="running", activity_id="other", overrides=[by_id]).category is Category.OTHER


def test_an_override_naming_the_activity_wins_over_an_earlier_pattern() -> None:
    """An activity_id override is the most specific rule: it decides even when a name rule comes first in the file,
    and the reason names the override that decided."""
    spin = Override(category=Category.OTHER, subcategory=Subcategory.ENDURANCE, name="spin")
    this_one = Override(category=Category.OTHER, subcategory=Subcategory.MIXED, activity_id="a1")
    c = classify(name="Spin class", overrides=[spin, this_one])
    assert (c.subcategory, c.reason) == (Subcategory.MIXED, "override:activity_id=a1")
    c = classify(name="Spin class", activity_id="a2", overrides=[spin, this_one])
    assert (c.subcategory, c.reason) == (Subcategory.ENDURANCE, "override:name=spin")
    both = Override(category=Category.OTHER, subcategory=Subcategory.SPORT, sport="cycling", sub_sport="spin")
    reason = classify(sport="cycling", sub_sport="spin", overrides=[both]).reason
    assert reason == "override:sport=cycling,sub_sport=spin"


def test_a_correction_wins_over_every_override() -> None:
    """A class set with `fitbalance classify` decides over the settings' overrides and every rule."""
    by_id = Override(category=Category.OTHER, subcategory=Subcategory.MIXED, activity_id="a1")
    c = classify(sport="running", overrides=[by_id], correction=(Category.RESISTANCE, Subcategory.STRENGTH))
    assert (c.category, c.reason, c.confidence) == (Category.RESISTANCE, "correction", 1.0)


def test_classify_frame_gives_each_row_what_classify_activity_gives_it() -> None:
    """The frame form is the one-row form applied to every row, in order, with overrides and corrections."""
    rows = [
        ("a1", "training", "strength_training", None, 0, None, 1800.0),
        ("a2", "cycling", "road", "Spin class", 0, 20000.0, 3600.0),
        ("a3", None, None, "Okategoriserad", 0, None, 600.0),
        ("a4", "fitness_equipment", "generic", "Leg day", 6, None, 3000.0),
    ]
    frame = pl.DataFrame(rows, schema=CLASSIFY_INPUT, orient="row")
    spin = Override(category=Category.OTHER, subcategory=Subcategory.MIXED, name="spin")
    fixed = {"a4": (Category.OTHER, Subcategory.FLEXIBILITY)}
    got = classify_frame(frame, [spin], fixed)
    expected = [
        classify_activity(
            activity_id=r[0],
            sport=r[1],
            sub_sport=r[2],
            name=r[3],
            working_sets=r[4],
            distance_m=r[5],
            elapsed_s=r[6],
            overrides=[spin],
            correction=fixed.get(r[0]),
        )
        for r in rows
    ]
    assert got.rows() == [(c.category.value, c.subcategory.value, c.reason, c.confidence) for c in expected]
    assert got["classification_reason"].to_list() == [
        "sport:training/strength_training",
        "override:name=spin",
        "fallback",
        "correction",
    ]


def test_a_word_that_only_contains_rad_is_not_a_ride() -> None:
    """German "Rad" (bike) counts at the start of a word, not inside Swedish "Okategoriserad" (uncategorized)."""
    assert classify(name="Okategoriserad").reason == "fallback"
    assert classify(name="Stockholm Okategoriserat").reason == "fallback"
    assert classify(name="Radtour an der Elbe").subcategory is Subcategory.ENDURANCE
    assert classify(name="Rennrad am Sonntag").subcategory is Subcategory.ENDURANCE


def test_gym_in_a_title_is_strength_but_garmins_gym_equipment_type_is_not() -> None:
    """A title saying gym is a strength session; Garmin's generic "Gym & Fitness Equipment" names the place and its
    machines, so the sport decides, as it does for the same type in every other language."""
    assert classify(sport="fitness_equipment", name="Morning gym").category is Category.RESISTANCE
    assert classify(sport="fitness_equipment", name="Kuntosali").category is Category.RESISTANCE
    for title in ("Gym & Fitness Equipment", "Gym och träningsutrustning", "Kuntosali ja -laitteet"):
        c = classify(sport="fitness_equipment", sub_sport="generic", name=title)
        assert (c.category, c.subcategory, c.reason) == (Category.OTHER, Subcategory.MIXED, "sport:fitness_equipment")


def _garmin_types() -> dict[str, dict[str, object]]:
    text = resources.files("fitbalance.sources.csv").joinpath("garmin_types.toml").read_text(encoding="utf-8")
    types: dict[str, dict[str, object]] = tomllib.loads(text)["types"]
    return types


LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "sv", "da", "no", "fi")


@pytest.mark.parametrize("type_key", sorted(_garmin_types()))
def test_a_garmin_activity_type_gets_one_class_in_every_language(type_key: str) -> None:
    """A Garmin Connect activity with its type's default title ("Stockholm Löpning", "Gym & Fitness Equipment")
    gets the same class whichever of the ten UI languages wrote it."""
    entry = _garmin_types()[type_key]
    sport, _, sub_sport = str(entry["fit"]).partition("/")
    names = [str(n) for lang in LANGUAGES for n in entry.get(lang, [])]  # type: ignore[attr-defined]
    classes = {
        (title, (c.category, c.subcategory))
        for name in names
        for title in (name, f"Stockholm {name}")
        for c in [classify(sport=sport, sub_sport=sub_sport or None, name=title, elapsed_s=1800.0)]
    }
    assert len({cls for _, cls in classes}) == 1, sorted(classes)


def test_tables_only_name_valid_classes() -> None:
    for cat, sub, conf in [*SPORT_RULES.values(), *SUB_SPORT_RULES.values()]:
        assert (cat is Category.RESISTANCE) == (sub is Subcategory.STRENGTH)
        assert 0 < conf <= 1
    for _, cat, sub, conf in NAME_RULES:
        assert (cat is Category.RESISTANCE) == (sub is Subcategory.STRENGTH) and 0 < conf <= 1


@given(
    sport=st.one_of(st.none(), st.sampled_from(sorted(SPORT_RULES)), st.text(max_size=20)),
    sub_sport=st.one_of(st.none(), st.sampled_from(sorted(SUB_SPORT_RULES)), st.text(max_size=20)),
    name=st.one_of(st.none(), st.text(max_size=60)),
    working_sets=st.integers(0, 50),
    distance=st.one_of(st.none(), st.floats(0, 1e6)),
    elapsed=st.one_of(st.none(), st.floats(0, 1e5)),
)
def test_any_input_gets_a_consistent_class(sport, sub_sport, name, working_sets, distance, elapsed) -> None:  # type: ignore[no-untyped-def]
    """Whatever comes in, the answer is a valid pair with a reason and a confidence in 0..1."""
    c = classify(
        sport=sport, sub_sport=sub_sport, name=name, working_sets=working_sets, distance_m=distance, elapsed_s=elapsed
    )
    assert (c.category is Category.RESISTANCE) == (c.subcategory is Subcategory.STRENGTH)
    assert c.reason and 0 <= c.confidence <= 1
