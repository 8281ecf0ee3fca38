"""Properties of the SQL against plain-Python references, on random inputs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fitbalance.store.views import MAX_SAMPLE_GAP_S, MAX_VALID_HR, MIN_VALID_HR, apply_views
from tests.conftest import examples
from tests.store.history import History

SETTINGS = settings(max_examples=examples(30), deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def shared() -> Iterator[duckdb.DuckDBPyConnection]:
    """One in-memory database with the views for the module; each example empties it first."""
    con = duckdb.connect()
    apply_views(con)
    yield con
    con.close()


def fresh(con: duckdb.DuckDBPyConnection) -> History:
    for table in ("activities", "strength_sets", "samples", "athletes", "exercises", "activity_hr_seconds"):
        con.execute(f"DELETE FROM {table}")  # our own table names
    return History(con)


@SETTINGS
@given(
    st.lists(
        st.tuples(st.integers(1, 90), st.one_of(st.none(), st.integers(0, 300))),
        min_size=1,
        max_size=40,
    )
)
def test_hr_histogram_matches_sample_and_hold(
    shared: duckdb.DuckDBPyConnection, points: list[tuple[int, int | None]]
) -> None:
    """Each valid heart rate is credited the time to the next sample, at most 30 s; the last sample nothing."""
    times, t = [], 0
    for step, _hr in points:
        times.append(t)
        t += step
    expected: dict[int, float] = defaultdict(float)
    for i, (_step, hr) in enumerate(points[:-1]):
        if hr is not None and MIN_VALID_HR <= hr <= MAX_VALID_HR:
            expected[hr] += min(times[i + 1] - times[i], MAX_SAMPLE_GAP_S)

    history = fresh(shared)
    act = history.activity("2024-01-01 10:00")
    history.samples(act, "2024-01-01 10:00", [(float(times[i]), hr) for i, (_s, hr) in enumerate(points)])
    history.refresh()
    got = {r["heart_rate"]: r["seconds"] for r in history.rows("SELECT * FROM activity_hr_seconds")}
    assert got == dict(expected)


@SETTINGS
@given(
    st.dictionaries(st.integers(0, 420), st.floats(5, 120), min_size=1, max_size=25),
)
def test_ewma_and_rolling_means_match_the_recursion(
    shared: duckdb.DuckDBPyConnection, minutes_by_day: dict[int, float]
) -> None:
    """The unrolled EWMA equals ewma_t = lambda x load_t + (1 - lambda) x ewma_(t-1) from 0, and the rolling means
    are sums over 7 and 28 days, over any pattern of training days and gaps (up to 14 months)."""
    history = fresh(shared)
    first = date(2024, 1, 1)
    for offset, minutes in minutes_by_day.items():
        history.activity(f"{first + timedelta(days=offset)} 10:00", minutes=minutes, sport="walking")
    days = history.rows("SELECT * FROM training_load_daily ORDER BY day")
    loads = [d["total_load"] for d in days]
    assert len(days) == max(minutes_by_day) - min(minutes_by_day) + 1
    acute = chronic = 0.0
    for i, day in enumerate(days):
        acute = 0.25 * loads[i] + 0.75 * acute
        chronic = 2 / 29 * loads[i] + 27 / 29 * chronic
        tolerance = 1e-9 * max(loads)
        assert abs(day["acute_ewma"] - acute) <= tolerance
        assert abs(day["chronic_ewma"] - chronic) <= tolerance
        assert abs(day["acute_load"] - sum(loads[max(0, i - 6) : i + 1]) / 7) <= tolerance
        assert abs(day["chronic_load"] - sum(loads[max(0, i - 27) : i + 1]) / 28) <= tolerance


HOURS_168 = 7 * 24 * 60.0


@SETTINGS
@given(
    st.lists(
        st.tuples(
            st.integers(0, 28 * 24 * 60),  # start: minutes after 2024-01-01 00:00 local
            st.floats(0, 7 * 24 * 60),  # minutes recorded: up to the longest activity the contract allows
            st.sampled_from([("other", "endurance"), ("resistance", "strength"), ("other", "flexibility")]),
            st.sampled_from([0, 3600, -4 * 3600, 14 * 3600]),  # a traveller's offsets
        ),
        min_size=1,
        max_size=30,
    )
)
def test_no_week_holds_more_than_168_hours(
    shared: duckdb.DuckDBPyConnection, activities: list[tuple[int, float, tuple[str, str], int]]
) -> None:
    """However long and however overlapping the activities, no week of weekly_balance holds more than 168 hours,
    no activity counts more than it recorded, and the weeks together hold every counted minute."""
    history = fresh(shared)
    first = datetime(2024, 1, 1)
    for start, minutes, (category, subcategory), offset in activities:
        local = first + timedelta(minutes=start)
        history.activity(
            f"{local:%Y-%m-%d %H:%M}", minutes=minutes, category=category, subcategory=subcategory, utc_offset_s=offset
        )
    weeks = history.rows("SELECT week_start, total_minutes FROM weekly_balance")
    assert all(w["total_minutes"] <= HOURS_168 + 1e-6 for w in weeks), max(w["total_minutes"] for w in weeks)
    counted = history.rows("SELECT minutes, coalesce(elapsed_s, 0) / 60 AS recorded FROM activities_effective")
    assert all(a["minutes"] <= a["recorded"] + 1e-9 for a in counted)
    assert sum(w["total_minutes"] for w in weeks) == pytest.approx(sum(a["minutes"] for a in counted), abs=1e-6)
