"""repair: the rule table nulls what a row can stand without, records each repair once per column, and leaves what
only validation can judge."""

from __future__ import annotations

from datetime import datetime

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from fitbalance.contracts import MAX_ACTIVITY_S
from fitbalance.models import RAW_LAP_SCHEMA, Decoded
from fitbalance.repair import RULES, repair
from tests.conftest import examples

from .builders import decoded

WEEKS_3 = 21 * 24 * 3600.0


def repairs(raw: Decoded) -> list[tuple[str, str, str, str, int]]:
    found = repair(raw).repairs
    return [tuple(r) for r in found.select("table_name", "column_name", "rule", "original", "rows").rows()]  # type: ignore[misc]


def test_clean_frames_come_back_untouched() -> None:
    raw = decoded(sets=[{}, {}], hr=[120, 130, 140])
    fixed = repair(raw)
    assert fixed.repairs.height == 0 and fixed.decoded is raw


def test_a_ride_without_a_strap_has_its_zero_heart_rates_nulled_and_recorded_once_per_column() -> None:
    """0 is "no reading" in the session summary and in every sample: one repair per column, with how many rows."""
    raw = decoded(activity={"avg_hr": 0.0, "max_hr": 0.0}, hr=[0, 0, 0, 95])
    fixed = repair(raw)
    assert fixed.decoded.activities.select("avg_hr", "max_hr").row(0) == (None, None)
    assert fixed.decoded.samples["heart_rate"].to_list() == [None, None, None, 95]
    assert repairs(raw) == [
        ("activities", "avg_hr", "no_reading", "0", 1),
        ("activities", "max_hr", "no_reading", "0", 1),
        ("samples", "heart_rate", "no_reading", "0", 3),
    ]


def test_a_clock_jump_nulls_the_elapsed_time_and_keeps_the_timer_time() -> None:
    """Three weeks elapsed for two hours on the timer: the elapsed time is null, the timer time stays."""
    raw = decoded(sport="cycling", sub_sport="road", activity={"elapsed_s": WEEKS_3, "moving_s": 7200.0})
    fixed = repair(raw)
    assert fixed.decoded.activities.select("elapsed_s", "moving_s").row(0) == (None, 7200.0)
    assert repairs(raw) == [("activities", "elapsed_s", "elapsed_beyond_timer", "1814400", 1)]


def test_a_day_long_elapsed_time_with_the_timer_running_most_of_it_stays() -> None:
    """An ultra of 30 h elapsed and 28 h on the timer is not a clock jump."""
    raw = decoded(sport="running", activity={"elapsed_s": 30 * 3600.0, "moving_s": 28 * 3600.0})
    assert repairs(raw) == []


def test_an_activity_whose_every_duration_is_impossible_is_left_for_validation() -> None:
    """No usable sibling: neither duration is repaired, so validation quarantines the activity (no usable
    duration); the same impossible elapsed time with a usable timer time is repaired."""
    both = decoded(activity={"elapsed_s": MAX_ACTIVITY_S * 2, "moving_s": MAX_ACTIVITY_S * 3})
    only = decoded(activity={"elapsed_s": MAX_ACTIVITY_S * 2, "moving_s": None})
    assert repairs(both) == [] and repairs(only) == []
    with_timer = decoded(activity={"elapsed_s": -60.0, "moving_s": 3000.0})
    assert repairs(with_timer) == [("activities", "elapsed_s", "impossible", "-60", 1)]


def test_a_distance_no_human_covers_in_that_time_is_nulled() -> None:
    raw = decoded(sport="running", activity={"distance_m": 1_500_000.0, "elapsed_s": 3600.0, "moving_s": 3500.0})
    assert repairs(raw) == [("activities", "distance_m", "implied_speed", "1500000", 1)]


def test_sensor_glitches_in_samples_are_nulled_and_the_samples_kept() -> None:
    """A heart rate of 254 and one of 7 are nulled in one record (from 7 to 254); the samples all stay."""
    raw = decoded(hr=[120, 254, 7, 130])
    fixed = repair(raw)
    assert fixed.decoded.samples.height == 4
    assert fixed.decoded.samples["heart_rate"].to_list() == [120, None, None, 130]
    assert repairs(raw) == [("samples", "heart_rate", "impossible", "7 to 254", 2)]


def test_what_a_row_cannot_stand_without_is_left_for_validation() -> None:
    """A set of 5,000 kg or 5,000 reps, a start in 1985: no rule touches them."""
    raw = decoded(start=datetime(1985, 1, 1), sets=[{"weight_kg": 5000.0}, {"reps": 5000}])
    fixed = repair(raw)
    assert fixed.repairs.height == 0
    assert fixed.decoded.sets["weight_kg"].to_list() == [5000.0, 60.0]


def test_a_single_csv_row_repaired_names_its_line() -> None:
    raw = decoded(sets=[{"rpe": 12.0, "source_line": 7}, {"rpe": 8.0, "source_line": 8}])
    found = repair(raw).repairs
    assert found.select("table_name", "column_name", "rule", "original", "rows", "line").rows() == [
        ("strength_sets", "rpe", "impossible", "12", 1, 7)
    ]


def test_laps_are_repaired_like_their_session() -> None:
    laps = pl.DataFrame(
        [{"session_index": 0, "lap_index": 0, "elapsed_s": WEEKS_3, "avg_hr": 0.0, "max_hr": 0.0}],
        schema=RAW_LAP_SCHEMA,
        strict=False,
    )
    raw = Decoded(source_format="fit", activities=decoded().activities, laps=laps)
    assert repairs(raw) == [
        ("laps", "avg_hr", "no_reading", "0", 1),
        ("laps", "max_hr", "no_reading", "0", 1),
        ("laps", "elapsed_s", "impossible", "1814400", 1),
    ]


def test_every_rule_names_columns_of_its_table() -> None:
    from fitbalance import contracts

    tables = {t.name: {c.name for c in t.columns} for t in contracts.TABLES}
    for rule in RULES:
        assert set(rule.columns) <= tables[rule.table], rule
        assert rule.needs is None or rule.needs in tables[rule.table], rule


@settings(max_examples=examples(60), deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(-50, 400)), min_size=1, max_size=30))
def test_repaired_samples_are_what_validation_accepts_and_every_change_is_recorded(hr: list[int | None]) -> None:
    """Whatever the heart rates, after repair each is null or within 20..250, and the repairs count exactly the
    values that changed."""
    fixed = repair(decoded(hr=hr))
    after = fixed.decoded.samples["heart_rate"].to_list()
    assert all(v is None or 20 <= v <= 250 for v in after)
    changed = sum(1 for a, b in zip(hr, after, strict=True) if a != b)
    assert int(fixed.repairs["rows"].sum() or 0) == changed


def test_a_value_whose_unit_waits_is_recorded_once_per_value_with_its_cell() -> None:
    """A reader's ``waiting`` values (already null) become ``unit_unknown`` repairs, one per value, each with the cell
    as written and its line: what ``fitbalance status`` counts and the setting fills in."""
    from dataclasses import replace

    from fitbalance.models import Waiting
    from fitbalance.repair import UNIT_SETTINGS, UNIT_UNKNOWN

    raw = replace(
        decoded(sets=[{}, {}]),
        waiting=(
            Waiting(0, "strength_sets", "weight_kg", "135", 2),
            Waiting(0, "strength_sets", "weight_kg", "140.5", 3),
        ),
    )
    fixed = repair(raw).repairs
    assert fixed.select("column_name", "rule", "original", "rows", "line").rows() == [
        ("weight_kg", UNIT_UNKNOWN, "135", 1, 2),
        ("weight_kg", UNIT_UNKNOWN, "140.5", 1, 3),
    ]
    assert UNIT_SETTINGS["weight_kg"] == "weight_unit" and UNIT_SETTINGS["distance_m"] == "distance_unit"


STRONG_OVER_A_DAY = (
    "Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,Workout Notes,RPE\n"
    "2024-03-04 18:00:00,Left running,264h,Squat (Barbell),1,100,5,0,0,,,\n"
    "2024-03-05 07:00:00,Morning,45m,Bench Press (Barbell),1,60,8,0,0,,,\n"
    "2024-03-10 18:00:00,Left running again,100h,Deadlift (Barbell),1,140,3,0,0,,,\n"
    "2024-03-10 18:00:00,Left running again,100h,Deadlift (Barbell),2,140,3,0,0,,,\n"
)


def test_a_lifting_workout_over_a_day_is_capped_at_the_next_workout_or_set_aside_as_a_row() -> None:
    """Strong's 264-hour workout ends when the next one starts (13 h later), recorded with the duration written;
    the last one, 100 hours with nothing to bound it, is set aside: its row and its two sets become quarantine rows
    holding every value read (the rows read are still counted: read = kept + set aside), and the rest loads."""
    import json

    from fitbalance.repair import OVER_A_DAY, SET_ASIDE_STAGE
    from fitbalance.sources.csv import read_csv

    raw = read_csv(STRONG_OVER_A_DAY.encode(), "strong.csv", "UTC")  # no unit setting: the weights wait
    fixed = repair(raw)
    acts = fixed.decoded.activities
    assert acts.select("name", "elapsed_s").rows() == [("Left running", 13 * 3600.0), ("Morning", 45 * 60.0)]
    assert fixed.decoded.sets["exercise_name"].to_list() == ["Squat (Barbell)", "Bench Press (Barbell)"]
    assert fixed.repairs.filter(pl.col("rule") == OVER_A_DAY).select("column_name", "original", "line").rows() == [
        ("elapsed_s", str(264 * 3600), 2)
    ]
    workout, sets = fixed.decoded.rejected
    assert (workout.table, workout.rows, workout.line, workout.stage) == ("activities", 1, 4, SET_ASIDE_STAGE)
    assert "100.0 h" in workout.reason and "nothing bounds it" in workout.reason
    assert json.loads(workout.payload or "{}")["name"] == "Left running again"
    assert (sets.table, sets.rows, sets.line) == ("strength_sets", 2, 4)
    values = json.loads(sets.payload or "[]")
    assert [(v["exercise_name"], v["reps"], v["waiting"]) for v in values] == [
        ("Deadlift (Barbell)", 3, {"weight_kg": "140"}),
        ("Deadlift (Barbell)", 3, {"weight_kg": "140"}),
    ]
    assert all(w.session_index != 2 for w in fixed.decoded.waiting)
    assert acts.height + workout.rows == raw.activities.height
    assert fixed.decoded.sets.height + sets.rows == raw.sets.height


def test_a_lifting_workout_over_a_day_takes_its_sets_span_when_they_have_times() -> None:
    """Sets with start times bound the workout: it lasted until its last set ended."""
    from dataclasses import replace

    raw = decoded(sets=[{}, {}, {}], activity={"elapsed_s": 30 * 3600.0, "moving_s": None})
    raw = replace(raw, source_format="csv:hevy")
    fixed = repair(raw)
    span = fixed.decoded.activities["elapsed_s"][0]
    last = raw.sets.select((pl.col("start_time_utc").max() - raw.activities["start_time_utc"][0]).dt.total_seconds())
    assert 0 < span <= 24 * 3600 and span >= last.item()
    assert fixed.repairs["rule"].to_list() == ["workout_over_a_day"]


def test_a_zero_duration_beside_a_timer_time_is_no_reading() -> None:
    """Connect's elapsed 00:00:00 beside a timer time of 58:20: the 0 is nulled and recorded, the timer counts; a
    timer time of 0 beside an elapsed time likewise."""
    raw = decoded(activity={"elapsed_s": 0.0, "timer_s": 3500.0, "moving_s": None})
    fixed = repair(raw)
    assert fixed.decoded.activities.select("elapsed_s", "timer_s").row(0) == (None, 3500.0)
    assert repairs(raw) == [("activities", "elapsed_s", "no_reading", "0", 1)]
    other = decoded(activity={"elapsed_s": 3600.0, "timer_s": 0.0, "moving_s": 0.0})
    assert repairs(other) == [
        ("activities", "timer_s", "no_reading", "0", 1),
        ("activities", "moving_s", "no_reading", "0", 1),
    ]
