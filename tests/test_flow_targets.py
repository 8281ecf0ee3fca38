"""Weekly targets on the bundled sample data, ingested by the library (the steps the Prefect flow runs) with the
sample settings (which set targets of their own, chest's own range among them)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from fitbalance.config import load_settings
from fitbalance.targets import TARGET_MUSCLES
from tests.ingesting import ingest_like_the_flow

from .conftest import SAMPLE_DATA

pytestmark = [pytest.mark.slow]


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("targets") / "fitbalance.duckdb"
    ingest_like_the_flow([SAMPLE_DATA], db, SAMPLE_DATA / "fitbalance.toml")
    return db


def rows(db: Path, sql: str, params: dict[str, object] | None = None) -> list[tuple[object, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or {}).fetchall()


def test_every_weeks_targets_agree_with_weekly_balance_and_muscle_group_weekly(sample_db: Path) -> None:
    """In every week of the sample history, each target's actual is the week's weekly_balance WHO minutes and
    strength days and muscle_group_weekly sets; the weeks after it, up to the clock's week, hold 0."""
    clock = rows(sample_db, "SELECT max(week_start) + 9 FROM weekly_balance WHERE athlete = 'sam'")[0][0]
    assert isinstance(clock, date)
    found = {
        (week, target): actual
        for week, target, actual in rows(
            sample_db,
            "SELECT week_start, target, actual FROM weekly_targets_at($clock) WHERE athlete = 'sam'",
            {"clock": clock},
        )
    }
    expected: dict[tuple[object, str], object] = {}
    for week, aerobic, days in rows(
        sample_db, "SELECT week_start, who_aerobic_minutes, resistance_days FROM weekly_balance WHERE athlete = 'sam'"
    ):
        expected[(week, "aerobic_minutes")] = aerobic
        expected[(week, "strength_days")] = float(days)  # type: ignore[arg-type]
    for week, group, sets in rows(
        sample_db, "SELECT week_start, muscle_group, sets FROM muscle_group_weekly WHERE athlete = 'sam'"
    ):
        if group in TARGET_MUSCLES:
            expected[(week, f"muscle_sets:{group}")] = sets
    weeks = {week for week, _ in expected}
    assert len(weeks) > 20 and any(v for (_, t), v in expected.items() if t.startswith("muscle_sets") and v)
    # DuckDB sums floats in parallel, in no fixed order: two views of the same minutes may differ in the last bit
    assert {key: found[key] for key in expected} == pytest.approx(expected, rel=1e-12)
    later = {actual for (week, target), actual in found.items() if week not in weeks}
    assert later == {0.0}
    assert max(w for w, _ in found) == clock - timedelta(days=clock.weekday())  # type: ignore[operator]


def test_the_settings_targets_reach_the_view(sample_db: Path) -> None:
    """The sample settings give chest 12-18 sets: that range overrides the default 10-20 in every week; the rows
    the ingest wrote say the settings chose them."""
    settings = load_settings(SAMPLE_DATA / "fitbalance.toml").athlete("sam").targets
    assert ("chest", 12.0, 18.0) in settings.muscles
    ranges = rows(
        sample_db,
        "SELECT DISTINCT target, low, high FROM weekly_targets_at(DATE '2030-01-01') "
        "WHERE athlete = 'sam' AND target LIKE 'muscle_sets:%' ORDER BY target",
    )
    assert ("muscle_sets:chest", 12.0, 18.0) in ranges
    assert {(low, high) for target, low, high in ranges if target != "muscle_sets:chest"} == {(10.0, 20.0)}
    chosen = "SELECT target, source FROM athlete_targets WHERE athlete = 'sam' AND muscle_group = 'chest' ORDER BY 1"
    assert rows(sample_db, chosen) == [("muscle_days", "ACSM 2026"), ("muscle_sets", "settings")]
    patterns = rows(sample_db, "SELECT count(*) FROM exercise_patterns")[0][0]
    assert isinstance(patterns, int) and patterns > 250


def test_the_current_week_is_there_with_everything_remaining(sample_db: Path) -> None:
    """Years after the sample history, on a Thursday, this week is there with nothing done, all of every target
    remaining and 4 days left."""
    found = rows(
        sample_db,
        "SELECT target, actual, low, remaining, days_left, status FROM weekly_targets_at(DATE '2030-01-03') "
        "WHERE athlete = 'sam' AND week_start = DATE '2029-12-31'",
    )
    assert len(found) == 2 + 2 * len(TARGET_MUSCLES)
    assert all(actual == 0 and remaining == low and left == 4 for _, actual, low, remaining, left, _ in found)
    assert {status for *_, status in found} == {"in_progress"}


def test_strength_balance_counts_the_sample_lifting(sample_db: Path) -> None:
    """Every week of the sample calendar has a strength_balance_weekly row; pushing and pulling sets are counted
    and, with both, their ratio is push / pull."""
    found = rows(
        sample_db,
        "SELECT count(*), sum(push_sets), sum(pull_sets), count(*) FILTER (WHERE push_pull_ratio IS NOT NULL "
        "AND abs(push_pull_ratio - push_sets / pull_sets) > 1e-9) FROM strength_balance_weekly WHERE athlete = 'sam'",
    )[0]
    weeks = rows(sample_db, "SELECT count(*) FROM weekly_balance WHERE athlete = 'sam'")[0][0]
    assert found[0] == weeks and found[1] > 0 and found[2] > 0 and found[3] == 0  # type: ignore[operator]
