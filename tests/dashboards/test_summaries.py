"""The numbers the pages and the report show, from view frames: pure functions, tested hard."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fitbalance import summaries as s
from fitbalance.errors import ConfigError
from fitbalance.store import read

MONDAY = date(2025, 3, 3)


def balance(weeks: list[dict[str, object]], first: date = MONDAY) -> pl.DataFrame:
    """A one-athlete weekly_balance frame: one row per dict, consecutive weeks from ``first``."""
    rows = []
    for i, values in enumerate(weeks):
        week = first + timedelta(weeks=i)
        row: dict[str, object] = {column: None for column in read.WEEKLY_BALANCE_COLUMNS}
        row.update(athlete="ana", week_start=week, iso_week=s.iso_week_label(week))
        row.update({c: 0.0 for c, dtype in read.WEEKLY_BALANCE_COLUMNS.items() if dtype == pl.Float64() and c != "age"})
        row.update(resistance_days=0, meets_aerobic=False, meets_strength=False, meets_guideline=False)
        row.update(values)
        rows.append(row)
    return pl.DataFrame(rows, schema=read.WEEKLY_BALANCE_COLUMNS)


# ---- units and weeks ----


def test_imperial_athletes_see_pounds_and_metric_kilograms() -> None:
    """Imperial settings show pounds (1 kg = 2.20462 lb); metric or unknown show kilograms unchanged."""
    assert s.mass_unit("imperial").label == "lb"
    assert s.mass_unit("imperial").show(100.0) == pytest.approx(220.462, abs=1e-3)
    assert s.mass_unit("metric") == s.MassUnit("kg", 1.0)
    assert s.mass_unit(None).label == "kg"
    assert s.mass_unit("metric").show(None) is None


def test_in_unit_converts_only_the_named_columns_present() -> None:
    """in_unit converts the named mass columns and leaves every other column (and absent names) alone."""
    frame = pl.DataFrame({"top_set_kg": [100.0, None], "total_reps": [5, 6]})
    shown = s.in_unit(frame, ["top_set_kg", "not_there"], s.mass_unit("imperial"))
    assert shown.get_column("top_set_kg").to_list()[0] == pytest.approx(220.462, abs=1e-3)
    assert shown.get_column("top_set_kg").to_list()[1] is None
    assert shown.get_column("total_reps").to_list() == [5, 6]


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)))
def test_iso_week_label_round_trips_to_the_monday(day: date) -> None:
    """Every day's ISO week label parses back to that week's Monday."""
    monday = s.parse_iso_week(s.iso_week_label(day))
    assert monday == s.week_monday(day)
    assert monday.weekday() == 0 and 0 <= (day - monday).days < 7


@pytest.mark.parametrize("text", ["2025-W7", "2025W07", "W07", "2025-07", "", "2025-W00", "2021-W53", "x2025-W01"])
def test_a_malformed_week_is_a_config_error(text: str) -> None:
    """A week that is not YYYY-Www, or a week the year does not have, is a ConfigError naming it."""
    with pytest.raises(ConfigError, match="week"):
        s.parse_iso_week(text)


def test_week_53_and_year_boundaries_parse() -> None:
    """ISO years differ from calendar years at the edges: 2020-W53 and 2025-W01 start in the year before."""
    assert s.parse_iso_week("2020-W53") == date(2020, 12, 28)
    assert s.parse_iso_week("2025-W01") == date(2024, 12, 30)
    assert s.iso_week_label(date(2024, 12, 31)) == "2025-W01"


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)), st.integers(0, 60))
def test_weeks_between_lists_consecutive_mondays(start: date, span: int) -> None:
    """weeks_between covers both ends' weeks with consecutive Mondays."""
    end = start + timedelta(days=span)
    weeks = s.weeks_between(start, end)
    assert weeks[0] == s.week_monday(start) and weeks[-1] == s.week_monday(end)
    assert all(b - a == timedelta(weeks=1) for a, b in itertools.pairwise(weeks))


# ---- weekly balance ----


def test_week_balance_reads_the_week_and_the_change_from_the_week_before() -> None:
    """The week's numbers come from its row; the deltas compare with the row of the week before."""
    frame = balance(
        [
            {"who_aerobic_minutes": 100.0, "resistance_days": 1, "resistance_minutes": 50.0, "other_minutes": 90.0},
            {
                "who_aerobic_minutes": 160.0,
                "resistance_days": 2,
                "resistance_minutes": 80.0,
                "other_minutes": 120.0,
                "meets_aerobic": True,
                "meets_strength": True,
                "meets_guideline": True,
            },
        ]
    )
    week = s.week_balance(frame, MONDAY + timedelta(weeks=1))
    assert week is not None
    assert week.who_aerobic_minutes == 160 and week.resistance_days == 2 and week.meets_guideline
    assert week.aerobic_delta == 60 and week.strength_days_delta == 1
    assert week.resistance_minutes_delta == 30 and week.other_minutes_delta == 30
    assert week.aerobic_gap == 0 and week.strength_days_gap == 0
    first = s.week_balance(frame, MONDAY)
    assert first is not None and first.aerobic_delta is None
    assert s.week_balance(frame, MONDAY - timedelta(weeks=1)) is None


def test_the_shortfall_names_what_is_missing() -> None:
    """The shortfall lists the missing aerobic minutes and strength days, and multicomponent days for 65+."""
    frame = balance(
        [
            {"who_aerobic_minutes": 48.0, "resistance_days": 1},
            {
                "who_aerobic_minutes": 200.0,
                "resistance_days": 0,
                "is_65_plus": True,
                "multicomponent_days": 2,
                "meets_multicomponent": False,
            },
            {"who_aerobic_minutes": 200.0, "resistance_days": 3, "meets_guideline": True},
        ]
    )
    weeks = [s.week_balance(frame, MONDAY + timedelta(weeks=i)) for i in range(3)]
    assert [s.guideline_shortfall(w) for w in weeks if w is not None] == [
        "102 min, 1 day",
        "2 days, 1 multicomponent day",
        "",
    ]


def test_balance_long_keeps_every_kind_and_the_minutes() -> None:
    """The long frame has one row per week and kind, resistance first, and the same minutes in total."""
    frame = balance(
        [
            {"resistance_minutes": 60.0, "endurance_minutes": 90.0, "flexibility_minutes": 15.0},
            {"resistance_minutes": 0.0, "sport_minutes": 45.0, "unspecified_minutes": 10.0},
        ]
    )
    long = s.balance_long(frame)
    assert long.height == 2 * len(s.MINUTE_KINDS)
    assert long.filter(pl.col("order") == 0).get_column("kind").unique().to_list() == ["Resistance"]
    wide_total = sum(frame.get_column(c).sum() for c, _ in s.MINUTE_KINDS)
    assert long.get_column("minutes").sum() == pytest.approx(wide_total)
    assert s.balance_long(frame.clear()).is_empty()


@given(st.lists(st.booleans(), min_size=1, max_size=30), st.integers(1, 20))
def test_the_streak_counts_consecutive_guideline_weeks(met: list[bool], window: int) -> None:
    """The streak is the run of met weeks ending at the chosen week (or the week before while it is not met);
    the window shows the last ``window`` weeks, oldest first, with how many were met."""
    frame = balance([{"meets_guideline": m} for m in met])
    week = MONDAY + timedelta(weeks=len(met) - 1)
    streak = s.guideline_streak(frame, week, window)
    ending = met if met[-1] else met[:-1]
    run = 0
    for value in reversed(ending):
        if not value:
            break
        run += 1
    assert streak.current == run
    assert streak.includes_this_week == met[-1]
    assert len(streak.window) == window and streak.window[-1][0] == week
    padded = [False] * max(0, window - len(met)) + met[-window:]
    assert [m for _, _, m in streak.window] == padded
    assert streak.met_in_window == sum(padded)


def test_latest_week_is_the_newest_row() -> None:
    """latest_week is the newest week_start, None for no rows."""
    frame = balance([{}, {}, {}])
    assert s.latest_week(frame) == MONDAY + timedelta(weeks=2)
    assert s.latest_week(frame.clear()) is None


# ---- progressive overload ----


def progress_frame(rows: list[dict[str, object]]) -> pl.DataFrame:
    base: dict[str, object] = {c: None for c in read.EXERCISE_PROGRESS_COLUMNS}
    base.update(athlete="ana", working_sets=3, total_reps=15, is_bodyweight=False, status="holding")
    return pl.DataFrame([{**base, **r} for r in rows], schema=read.EXERCISE_PROGRESS_COLUMNS)


def records_frame(rows: list[dict[str, object]]) -> pl.DataFrame:
    base: dict[str, object] = {c: None for c in read.PERSONAL_RECORDS_COLUMNS}
    base.update(athlete="ana")
    return pl.DataFrame([{**base, **r} for r in rows], schema=read.PERSONAL_RECORDS_COLUMNS)


def test_records_mark_the_week_that_holds_the_record_date() -> None:
    """A record dated any day of a week (Monday to Sunday) marks that week of that exercise, and no other."""
    progress = progress_frame(
        [
            {"exercise": "Bench Press", "week_start": MONDAY, "best_e1rm_kg": 100.0},
            {"exercise": "Bench Press", "week_start": MONDAY + timedelta(weeks=1), "best_e1rm_kg": 98.0},
            {"exercise": "Back Squat", "week_start": MONDAY, "best_e1rm_kg": 140.0},
            {"exercise": "Pull Up", "week_start": MONDAY + timedelta(weeks=1), "is_bodyweight": True},
        ]
    )
    records = records_frame(
        [
            {
                "exercise": "Bench Press",
                "best_e1rm_date": MONDAY + timedelta(days=6),
                "best_weight_date": MONDAY + timedelta(days=7),
            },
            {"exercise": "Pull Up", "max_reps_date": MONDAY + timedelta(days=7)},
        ]
    )
    marked = s.mark_records(progress, records).sort("exercise", "week_start")
    assert marked.height == progress.height
    flags = {
        (r["exercise"], r["week_start"]): (r["is_e1rm_pr"], r["is_weight_pr"], r["is_reps_pr"])
        for r in marked.iter_rows(named=True)
    }
    assert flags[("Bench Press", MONDAY)] == (True, False, False)
    assert flags[("Bench Press", MONDAY + timedelta(weeks=1))] == (False, True, False)
    assert flags[("Back Squat", MONDAY)] == (False, False, False)
    assert flags[("Pull Up", MONDAY + timedelta(weeks=1))] == (False, False, True)


def test_the_overload_summary_is_this_weeks_exercises_most_sets_first() -> None:
    """The summary lists only the chosen week's exercises, most working sets first, with status counts."""
    progress = progress_frame(
        [
            {"exercise": "Bench Press", "week_start": MONDAY, "working_sets": 3, "status": "progressing"},
            {"exercise": "Deadlift", "week_start": MONDAY, "working_sets": 5, "status": "stalled"},
            {"exercise": "Curl", "week_start": MONDAY - timedelta(weeks=1), "working_sets": 9, "status": "regressing"},
        ]
    )
    summary = s.overload_summary(progress, records_frame([]), MONDAY)
    assert summary.get_column("exercise").to_list() == ["Deadlift", "Bench Press"]
    counts = s.status_counts(summary)
    assert counts == {"progressing": 1, "holding": 0, "stalled": 1, "regressing": 0, "new": 0}
    assert s.status_counts(summary.clear()) == dict.fromkeys(s.STATUS_ORDER, 0)


def test_exercises_by_sets_orders_by_total_sets_then_name() -> None:
    """Exercises come most working sets first; ties by name."""
    progress = progress_frame(
        [
            {"exercise": "B", "week_start": MONDAY, "working_sets": 3},
            {"exercise": "A", "week_start": MONDAY, "working_sets": 3},
            {"exercise": "C", "week_start": MONDAY, "working_sets": 2},
            {"exercise": "C", "week_start": MONDAY + timedelta(weeks=1), "working_sets": 2},
        ]
    )
    assert s.exercises_by_sets(progress) == ["C", "A", "B"]
    assert s.exercises_by_sets(progress.clear()) == []


def test_latest_status_is_each_exercises_newest_week() -> None:
    """latest_status keeps each exercise's newest week."""
    progress = progress_frame(
        [
            {"exercise": "A", "week_start": MONDAY + timedelta(weeks=1), "status": "stalled"},
            {"exercise": "A", "week_start": MONDAY, "status": "progressing"},
        ]
    )
    assert s.latest_status(progress).rows()[0][:3] == ("A", MONDAY + timedelta(weeks=1), "stalled")


def test_the_heat_map_has_every_group_and_week_and_flags_neglect() -> None:
    """Every (muscle group, week) pair is present; untrained pairs have 0 sets and are neglected; a known group
    without any set in these weeks is a whole neglected row."""
    muscles = pl.DataFrame(
        {
            "athlete": ["ana"] * 3,
            "week_start": [MONDAY, MONDAY, MONDAY + timedelta(weeks=1)],
            "muscle_group": ["chest", "back", "chest"],
            "sets": [6.0, 4.0, 3.0],
            "primary_sets": [6.0, 4.0, 3.0],
            "secondary_sets": [0.0, 0.0, 0.0],
        }
    )
    weeks = s.weeks_between(MONDAY, MONDAY + timedelta(weeks=2))
    heat = s.muscle_heatmap_frame(muscles, weeks, ["calves"])
    assert heat.height == 3 * 3
    assert set(heat.get_column("muscle_group")) == {"back", "calves", "chest"}
    cell = {(r["muscle_group"], r["week_start"]): (r["sets"], r["neglected"]) for r in heat.iter_rows(named=True)}
    assert cell[("chest", MONDAY)] == (6.0, False)
    assert cell[("back", MONDAY + timedelta(weeks=1))] == (0.0, True)
    assert all(cell[("calves", w)] == (0.0, True) for w in weeks)
    assert heat.get_column("iso_week").to_list()[0] == s.iso_week_label(MONDAY)
    assert s.muscle_heatmap_frame(muscles.clear(), weeks).is_empty()


# ---- training load ----


@given(st.floats(min_value=0, max_value=10, allow_nan=False))
def test_acwr_bands_match_the_views(ratio: float) -> None:
    """The bands are Gabbett's: below 0.8 low, to 1.3 sweet spot, to 1.5 caution, above high risk (as the SQL)."""
    band = s.acwr_band(ratio)
    expected = "low" if ratio < 0.8 else "sweet_spot" if ratio <= 1.3 else "caution" if ratio <= 1.5 else "high_risk"
    assert band == expected
    assert s.acwr_band(None) is None


def test_load_summary_reads_the_newest_day_by_method() -> None:
    """The summary is the newest day; EWMA or rolling picks the columns; the week's load sums the last 7 days."""
    days = [MONDAY + timedelta(days=i) for i in range(10)]
    load = pl.DataFrame(
        {
            "athlete": ["ana"] * 10,
            "day": days,
            "endurance_load": [10.0] * 10,
            "strength_load": [0.0] * 10,
            "total_load": [10.0] * 10,
            "acute_load": [1.0] * 9 + [14.0],
            "chronic_load": [1.0] * 9 + [10.0],
            "acwr_rolling": [1.0] * 9 + [1.4],
            "acute_ewma": [1.0] * 9 + [5.0],
            "chronic_ewma": [1.0] * 9 + [10.0],
            "acwr_ewma": [1.0] * 9 + [0.5],
            "acwr_band": ["sweet_spot"] * 9 + ["low"],
        },
        schema=read.TRAINING_LOAD_DAILY_COLUMNS,
    ).reverse()
    ewma = s.load_summary(load)
    rolling = s.load_summary(load, "rolling")
    assert ewma is not None and rolling is not None
    assert ewma.day == days[-1] and ewma.acwr == 0.5 and ewma.band == "low" and ewma.acute == 5.0
    assert rolling.acwr == 1.4 and rolling.band == "caution" and rolling.chronic == 10.0
    assert ewma.week_load == 70.0
    assert s.load_summary(load.clear()) is None
    long = s.load_long(load, "rolling")
    assert long.height == 20 and set(long.get_column("series")) == {"Acute (7 d)", "Chronic (28 d)"}


# ---- data page ----


def test_status_totals_count_every_status() -> None:
    """Every status is counted, 0 when absent."""
    files = pl.DataFrame({"status": ["loaded", "loaded", "quarantined"]})
    assert s.status_totals(files) == {"loaded": 2, "skipped": 0, "quarantined": 1}


def test_the_run_sentence_says_when_and_how_long() -> None:
    """A finished run says its outcome, UTC start and duration; a running one says it is still running."""
    started = datetime(2025, 3, 6, 21, 30)
    done = {"started_at": started, "ended_at": started + timedelta(seconds=8), "outcome": "completed"}
    assert s.run_sentence(done) == "**Completed**, started 2025-03-06 21:30 UTC, took 8 s."
    long = {**done, "ended_at": started + timedelta(minutes=5)}
    assert s.run_sentence(long).endswith("took 5 min.")
    assert "still running" in s.run_sentence({"started_at": started, "ended_at": None, "outcome": "running"})
    assert s.run_sentence({}) == "No ingest has run yet."


def test_the_rep_record_grid_is_one_row_per_exercise_and_a_column_per_rep_count() -> None:
    """Rep records in pounds for an imperial athlete; counts never reached are empty, and every count has a column."""
    records = pl.DataFrame(
        {
            "athlete": ["me"] * 3,
            "exercise": ["Squat", "Squat", "Bench Press"],
            "reps": [1, 5, 1],
            "best_weight_kg": [100.0, 90.0, 60.0],
            "best_weight_date": [date(2025, 1, 6)] * 3,
        }
    )
    grid = s.rep_record_grid(records, s.mass_unit("imperial"))
    assert grid.columns == ["exercise", *[str(n) for n in range(1, 13)]]
    assert grid.get_column("exercise").to_list() == ["Bench Press", "Squat"]
    squat = grid.row(1, named=True)
    assert squat["1"] == pytest.approx(100 * s.LB_PER_KG) and squat["5"] == pytest.approx(90 * s.LB_PER_KG)
    assert squat["2"] is None and squat["12"] is None
    assert s.rep_record_grid(records.clear(), s.mass_unit("metric")).columns == grid.columns
