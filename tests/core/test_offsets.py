"""offsets.place: a time without a zone takes the offset of the athlete's nearest FIT activity within 3 days, else
the configured zone, else their most common FIT offset, else UTC; the answer does not depend on the order of
anything."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from fitbalance.offsets import FLOATING_SCHEMA, LEARNED_SCHEMA, place, zone_offset
from tests.conftest import examples

H = 3600


def floating(*rows: tuple[str, str, bool, datetime]) -> pl.DataFrame:
    """(id, athlete, wall, time): a wall time is local, an instant UTC (the other column is a provisional UTC)."""
    return pl.DataFrame([(i, a, wall, t, t) for i, a, wall, t in rows], schema=FLOATING_SCHEMA, orient="row")


def learned(*rows: tuple[str, datetime, int]) -> pl.DataFrame:
    """(athlete, UTC start, offset) of FIT activities with a local time."""
    return pl.DataFrame([(a, t, t + timedelta(seconds=o), o) for a, t, o in rows], schema=LEARNED_SCHEMA, orient="row")


def placed(frame: pl.DataFrame) -> dict[str, tuple[int, str]]:
    return {i: (o, s) for i, o, s in frame.iter_rows()}


def test_the_nearest_fit_activity_within_three_days_gives_the_offset() -> None:
    """A Hevy time at 16:42 (wall) next to a watch session at 20:42 UTC, 16:42 local: -4 h, learned; two days later
    the athlete flew home (+1 h): a wall time nearer to that FIT activity takes +1 h."""
    fit = learned(("me", datetime(2025, 9, 1, 20, 42), -4 * H), ("me", datetime(2025, 9, 5, 8, 0), 1 * H))
    csv = floating(("hevy", "me", True, datetime(2025, 9, 1, 16, 42)), ("later", "me", True, datetime(2025, 9, 5, 10)))
    assert placed(place(csv, fit, {})) == {"hevy": (-4 * H, "learned"), "later": (1 * H, "learned")}


def test_beyond_three_days_the_zone_then_the_most_common_offset_then_utc() -> None:
    fit = learned(
        ("me", datetime(2025, 1, 1, 10), -5 * H),
        ("me", datetime(2025, 1, 2, 10), -5 * H),
        ("me", datetime(2025, 1, 3, 10), 2 * H),
    )
    far = floating(("a", "me", True, datetime(2025, 7, 1, 12)), ("b", "you", True, datetime(2025, 7, 1, 12)))
    assert placed(place(far, fit, {"me": "Europe/Berlin"})) == {"a": (2 * H, "settings"), "b": (0, "assumed_utc")}
    assert placed(place(far, fit, {})) == {"a": (-5 * H, "learned"), "b": (0, "assumed_utc")}
    assert placed(place(far, fit, {"you": "America/New_York"}))["b"] == (-4 * H, "settings")


def test_a_zone_gives_the_offset_of_the_wall_time_or_of_the_instant() -> None:
    """Berlin, 30 March 2025: 01:30 local is CET (+1), 03:30 CEST (+2); the instant 01:30 UTC is CEST."""
    assert zone_offset("Europe/Berlin", datetime(2025, 3, 30, 1, 30), wall=True) == 1 * H
    assert zone_offset("Europe/Berlin", datetime(2025, 3, 30, 3, 30), wall=True) == 2 * H
    assert zone_offset("Europe/Berlin", datetime(2025, 3, 30, 1, 30), wall=False) == 2 * H
    both = floating(
        ("wall", "me", True, datetime(2025, 3, 30, 1, 30)), ("utc", "me", False, datetime(2025, 3, 30, 1, 30))
    )
    assert placed(place(both, learned(), {"me": "Europe/Berlin"})) == {
        "wall": (1 * H, "settings"),
        "utc": (2 * H, "settings"),
    }


def test_a_wall_time_is_compared_in_local_time_and_an_instant_in_utc() -> None:
    """A FIT activity at 23:00 UTC on the 1st (local 13:00, -10 h): a wall time of 14:00 on the 1st is 1 h from it
    and learns -10 h, while the same digits as a UTC instant are 9 h before it: still within 3 days, also -10 h; an
    instant four days later learns nothing from it."""
    fit = learned(("me", datetime(2025, 6, 1, 23), -10 * H))
    times = floating(
        ("wall", "me", True, datetime(2025, 6, 1, 14)),
        ("utc", "me", False, datetime(2025, 6, 1, 14)),
        ("late", "me", False, datetime(2025, 6, 5, 23, 30)),
    )
    got = placed(place(times, fit, {"me": "UTC"}))
    assert got == {"wall": (-10 * H, "learned"), "utc": (-10 * H, "learned"), "late": (0, "settings")}


@settings(max_examples=examples(50), deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 40 * 24), st.sampled_from([-5 * H, 0, H, 2 * H])), min_size=0, max_size=12),
    st.lists(st.tuples(st.integers(0, 40 * 24), st.booleans()), min_size=1, max_size=12),
    st.randoms(use_true_random=False),
)
def test_the_placement_does_not_depend_on_the_order_of_anything(
    fits: list[tuple[int, int]], csvs: list[tuple[int, bool]], rng: random.Random
) -> None:
    """Shuffle the FIT activities and the floating times: every activity is placed the same."""
    start = datetime(2025, 1, 1)
    fit_rows = [("me", start + timedelta(hours=h), o) for h, o in fits]
    csv_rows = [(f"a{i}", "me", wall, start + timedelta(hours=h)) for i, (h, wall) in enumerate(csvs)]
    first = place(floating(*csv_rows), learned(*fit_rows), {})
    rng.shuffle(fit_rows)
    rng.shuffle(csv_rows)
    assert place(floating(*csv_rows), learned(*fit_rows), {}).equals(first)
