"""The classifier: resistance training or other exercise, with a reason and a confidence."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from fitbalance.classify import NAME_RULES, SPORT_RULES, SUB_SPORT_RULES, classify_activity
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
        "override",
        1.0,
    )
    by_id = Override(category=Category.RESISTANCE, subcategory=Subcategory.STRENGTH, activity_id="a1")
    assert classify(sport="running", overrides=[by_id]).category is Category.RESISTANCE
    assert classify(sport="running", activity_id="other", overrides=[by_id]).category is Category.OTHER


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
