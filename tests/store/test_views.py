"""The SQL views, checked against numbers worked out by hand on small histories."""

from __future__ import annotations

import math
from datetime import date, timedelta

import duckdb
import pytest

from fitbalance.store.schema import apply_schema
from fitbalance.store.views import apply_views, refresh_derived
from tests.store.history import History

# The column contract the dashboards are built on: views may gain columns, never lose or rename these.
CONTRACT = {
    "activities_effective": [
        "activity_id",
        "athlete",
        "category",
        "subcategory",
        "start_time_local",
        "duplicate_of",
    ],
    "weekly_balance": [
        "athlete",
        "week_start",
        "iso_week",
        "resistance_sessions",
        "resistance_minutes",
        "resistance_days",
        "other_sessions",
        "other_minutes",
        "endurance_minutes",
        "flexibility_minutes",
        "balance_minutes",
        "mixed_minutes",
        "sport_minutes",
        "unspecified_minutes",
        "total_minutes",
        "moderate_minutes",
        "vigorous_minutes",
        "who_aerobic_minutes",
        "meets_aerobic",
        "meets_strength",
        "age",
        "is_65_plus",
        "multicomponent_days",
        "meets_multicomponent",
        "meets_guideline",
        "resistance_share",
        "well_rounded",
    ],
    "exercise_progress": [
        "athlete",
        "exercise",
        "week_start",
        "working_sets",
        "total_reps",
        "volume_load_kg",
        "is_bodyweight",
        "top_set_kg",
        "best_e1rm_kg",
        "best_e1rm_brzycki_kg",
        "prev_week_start",
        "e1rm_change_kg",
        "e1rm_change_pct",
        "e1rm_vs_4wk_avg_pct",
        "volume_change_pct",
        "volume_vs_4wk_avg_pct",
        "reps_change",
        "status",
    ],
    "personal_records": [
        "athlete",
        "exercise",
        "best_e1rm_kg",
        "best_e1rm_date",
        "best_weight_kg",
        "best_weight_date",
        "best_weight_reps",
        "max_reps",
        "max_reps_date",
    ],
    "muscle_group_weekly": [
        "athlete",
        "week_start",
        "muscle_group",
        "sets",
        "primary_sets",
        "secondary_sets",
    ],
    "training_load_daily": [
        "athlete",
        "day",
        "endurance_load",
        "strength_load",
        "total_load",
        "acute_load",
        "chronic_load",
        "acwr_rolling",
        "acute_ewma",
        "chronic_ewma",
        "acwr_ewma",
        "acwr_band",
    ],
    "unmapped_exercises": ["exercise_name", "sets", "first_seen", "last_seen"],
}


def male_trimp_per_min(x: float) -> float:
    return x * 0.64 * math.exp(1.92 * x)


def female_trimp_per_min(x: float) -> float:
    return x * 0.86 * math.exp(1.67 * x)


def week(history: History, athlete: str, week_start: str) -> dict[str, object]:
    return history.one("SELECT * FROM weekly_balance WHERE athlete = ? AND week_start = ?", [athlete, week_start])


# ---- applying ----------------------------------------------------------------------------------------------


def test_views_keep_their_column_contract(con: duckdb.DuckDBPyConnection) -> None:
    """Every view the dashboards read exists with every column of its contract."""
    for view, columns in CONTRACT.items():
        present = [d[0] for d in con.execute(f"SELECT * FROM {view} LIMIT 0").description]
        missing = [c for c in columns if c not in present]
        assert not missing, f"{view} lacks {missing}"


def test_applying_twice_changes_nothing_and_keeps_data(con: duckdb.DuckDBPyConnection) -> None:
    """Schema and views can be applied again at every start: rows stay, views are replaced."""
    history = History(con)
    history.activity("2024-01-01 10:00")
    apply_schema(con)
    apply_views(con)
    assert history.one("SELECT count(*) AS n FROM activities_effective")["n"] == 1


# ---- activities_effective ----------------------------------------------------------------------------------


def test_duplicates_are_counted_once_everywhere(history: History) -> None:
    """A session imported twice counts once: the copy's minutes, sets, samples and loads vanish."""
    history.athlete("me", max_hr=200, resting_hr=60, sex="male")
    first = history.activity("2024-01-01 10:00", category="resistance", subcategory="strength", rpe=6)
    copy = history.activity(
        "2024-01-01 10:00", category="resistance", subcategory="strength", rpe=6, duplicate_of=first
    )
    history.lift(first, "Squat", 5, 100.0, times=3)
    history.lift(copy, "Squat", 5, 100.0, times=3)
    history.heart_rate(copy, "2024-01-01 10:00", [130] * 61)
    history.refresh()

    assert [r["activity_id"] for r in history.rows("SELECT activity_id FROM activities_effective")] == [first]
    balance = week(history, "me", "2024-01-01")
    assert (balance["resistance_sessions"], balance["resistance_minutes"]) == (1, 60.0)
    progress = history.one("SELECT * FROM exercise_progress")
    assert (progress["working_sets"], progress["volume_load_kg"]) == (3, 1500.0)
    load = history.one("SELECT * FROM training_load_daily")
    assert load["strength_load"] == pytest.approx(60 * male_trimp_per_min(0.5))  # RPE 6 -> x = 0.5


def test_minutes_are_moving_time_for_endurance_and_elapsed_time_otherwise(history: History) -> None:
    """A run counts its moving time (50 of 60 min); a lifting session its elapsed time, rests included."""
    history.activity("2024-01-01 07:00", minutes=60, moving_minutes=50, sport="running")
    history.activity("2024-01-02 18:00", category="resistance", subcategory="strength", minutes=60, moving_minutes=10)
    balance = week(history, "me", "2024-01-01")
    assert balance["endurance_minutes"] == pytest.approx(50.0)
    assert balance["resistance_minutes"] == pytest.approx(60.0)
    assert balance["total_minutes"] == pytest.approx(110.0)
    assert balance["resistance_share"] == pytest.approx(60 / 110)


# ---- weekly_balance: calendar ------------------------------------------------------------------------------


def test_weeks_follow_local_dates_and_iso_numbering(history: History) -> None:
    """Sunday 23:30 local (Monday 01:30 UTC) is in the week before; Monday 30 Dec 2024 starts 2025-W01."""
    history.activity("2024-12-29 23:30", utc_offset_s=-7200)
    history.activity("2024-12-30 09:00")
    weeks = history.rows("SELECT week_start, iso_week, other_sessions FROM weekly_balance ORDER BY week_start")
    assert weeks == [
        {"week_start": date(2024, 12, 23), "iso_week": "2024-W52", "other_sessions": 1},
        {"week_start": date(2024, 12, 30), "iso_week": "2025-W01", "other_sessions": 1},
    ]


def test_a_session_that_crosses_into_a_new_week_spends_its_minutes_where_they_were(history: History) -> None:
    """A one-hour session from Sunday 23:30 counts as a session of its starting week, with 30 minutes there and 30
    in the week after."""
    history.activity("2024-01-07 23:30", minutes=60)
    weeks = history.rows("SELECT week_start, other_sessions, other_minutes FROM weekly_balance ORDER BY week_start")
    assert weeks == [
        {"week_start": date(2024, 1, 1), "other_sessions": 1, "other_minutes": pytest.approx(30.0)},
        {"week_start": date(2024, 1, 8), "other_sessions": 0, "other_minutes": pytest.approx(30.0)},
    ]


def test_overlapping_activities_count_their_time_once(history: History) -> None:
    """A ride from 10:00 for 90 minutes and a lifting session from 11:00 (not the same session: other kinds) count
    60 + 45 minutes; of two activities starting together, the longer counts its time."""
    history.activity("2024-01-02 10:00", minutes=90)
    history.activity("2024-01-02 11:00", category="resistance", subcategory="strength", minutes=45)
    history.activity("2024-01-03 09:00", minutes=20, activity_id="short")
    history.activity("2024-01-03 09:00", category="resistance", subcategory="strength", minutes=50, activity_id="long")
    minutes = dict(history.con.execute("SELECT activity_id, minutes FROM activities_effective").fetchall())
    assert minutes == {"act-001": 60.0, "act-002": 45.0, "short": 0.0, "long": 50.0}
    balance = week(history, "me", "2024-01-01")
    assert (balance["other_minutes"], balance["resistance_minutes"]) == (60.0, 95.0)
    assert (balance["other_sessions"], balance["resistance_sessions"]) == (2, 2)


def test_weeks_without_exercise_appear_with_zeros(history: History) -> None:
    """Between the first and last activity week, empty weeks are rows of zeros, not gaps."""
    history.activity("2024-01-02 10:00", category="resistance", subcategory="strength")
    history.activity("2024-01-24 10:00")
    weeks = history.rows("SELECT * FROM weekly_balance ORDER BY week_start")
    assert [w["week_start"] for w in weeks] == [
        date(2024, 1, 1),
        date(2024, 1, 8),
        date(2024, 1, 15),
        date(2024, 1, 22),
    ]
    for empty in weeks[1:3]:
        assert empty["resistance_sessions"] == empty["other_sessions"] == empty["resistance_days"] == 0
        assert empty["total_minutes"] == empty["moderate_minutes"] == empty["who_aerobic_minutes"] == 0.0
        assert empty["meets_aerobic"] is False and empty["meets_strength"] is False
        assert empty["resistance_share"] is None and empty["well_rounded"] is False


def test_minutes_per_subcategory_add_up_to_other_minutes(history: History) -> None:
    """Each kind of other exercise has its column; subcategory 'other' is unspecified_minutes."""
    for hour, (minutes, sub) in enumerate(
        [(30, "endurance"), (20, "flexibility"), (15, "balance"), (25, "mixed"), (40, "sport"), (10, "other")]
    ):
        history.activity(f"2024-01-03 {10 + hour}:00", subcategory=sub, minutes=minutes)
    history.activity("2024-01-04 10:00", category="resistance", subcategory="strength", minutes=45)
    balance = week(history, "me", "2024-01-01")
    assert [
        balance[c]
        for c in (
            "endurance_minutes",
            "flexibility_minutes",
            "balance_minutes",
            "mixed_minutes",
            "sport_minutes",
            "unspecified_minutes",
        )
    ] == [30, 20, 15, 25, 40, 10]
    assert balance["other_minutes"] == 30 + 20 + 15 + 25 + 40 + 10 == 140
    assert balance["other_sessions"] == 6
    assert balance["total_minutes"] == 140 + 45
    assert balance["resistance_share"] == pytest.approx(45 / 185)
    assert balance["well_rounded"] is True


# ---- intensity ---------------------------------------------------------------------------------------------


def test_heart_rate_samples_split_minutes_into_zones(history: History) -> None:
    """Max 200, rest 60: 100 bpm is light (29 % HRR), 130 moderate (50 %), 150 vigorous (64 %).

    Ten samples of each every 10 s, plus a last 150: 100 s per zone, a third each of the 60-minute run.
    """
    history.athlete("me", max_hr=200, resting_hr=60, sex="male")
    run = history.activity("2024-01-01 10:00", minutes=60)
    history.heart_rate(run, "2024-01-01 10:00", [100] * 10 + [130] * 10 + [150] * 11)
    history.refresh()

    activity = history.one("SELECT * FROM activity_intensity")
    assert activity["intensity_source"] == "heart_rate"
    assert activity["hr_minutes"] == pytest.approx(300 / 60)
    assert activity["moderate_minutes"] == pytest.approx(20.0)
    assert activity["vigorous_minutes"] == pytest.approx(20.0)
    light, moderate, vigorous = 40 / 140, 70 / 140, 90 / 140
    trimp = 20 * (male_trimp_per_min(light) + male_trimp_per_min(moderate) + male_trimp_per_min(vigorous))
    assert activity["endurance_load"] == pytest.approx(trimp)

    balance = week(history, "me", "2024-01-01")
    assert balance["who_aerobic_minutes"] == pytest.approx(20 + 2 * 20)


def test_hr_histogram_caps_gaps_and_drops_noise(history: History) -> None:
    """Heart rate holds until the next sample (30 s at most); nulls and values outside 25-250 bpm drop out."""
    act = history.activity("2024-01-01 10:00")
    history.samples(
        act,
        "2024-01-01 10:00",
        [
            (0, 130),
            (10, 130),
            (20, 130),
            (620, 130),
            (630, 0),
            (640, 300),
            (650, None),
            (660, 130),
            (670, 140),
        ],
    )
    history.refresh()
    rows = history.rows("SELECT heart_rate, seconds, samples FROM activity_hr_seconds ORDER BY heart_rate")
    # 130 bpm: 10 + 10 + 30 (600 s gap, capped) + 10 + 10; 140 is the last sample and has no interval
    assert rows == [{"heart_rate": 130, "seconds": 70.0, "samples": 5}]


def test_heart_rate_settings_fall_back_to_tanaka_then_190_and_rest_60(history: History) -> None:
    """Without max_hr: 208 - 0.7 x age (age 44 in 2024 -> 177.2); without birth year either: 190; rest 60."""
    history.athlete("born", birth_year=1980)
    history.athlete("unknown")
    history.activity("2024-03-01 10:00", athlete="born")
    history.activity("2024-03-01 10:00", athlete="unknown")
    rows = history.rows("SELECT athlete, age, hr_max_used, hr_rest_used FROM activity_intensity ORDER BY athlete")
    assert rows[0]["age"] == 44 and rows[0]["hr_max_used"] == pytest.approx(208 - 0.7 * 44)
    assert rows[1]["age"] is None and rows[1]["hr_max_used"] == 190.0
    assert rows[0]["hr_rest_used"] == rows[1]["hr_rest_used"] == 60.0


def test_changing_heart_rate_settings_needs_no_refresh(history: History) -> None:
    """The histogram is settings-free: a higher max HR moves the same samples from vigorous to moderate."""
    history.athlete("me", max_hr=200, resting_hr=60)
    run = history.activity("2024-01-01 10:00", minutes=30)
    history.heart_rate(run, "2024-01-01 10:00", [150] * 31)
    history.refresh()
    assert history.one("SELECT vigorous_minutes FROM activity_intensity")["vigorous_minutes"] == 30.0
    history.con.execute("UPDATE athletes SET max_hr = 240")  # (150 - 60) / 180 = 0.5: moderate
    after = history.one("SELECT moderate_minutes, vigorous_minutes FROM activity_intensity")
    assert (after["moderate_minutes"], after["vigorous_minutes"]) == (30.0, 0.0)


@pytest.mark.parametrize(
    ("kwargs", "source", "moderate", "vigorous"),
    [
        ({"avg_hr": 150.0}, "avg_hr", 0.0, 30.0),  # (150 - 60) / 140 = 0.64
        ({"avg_hr": 120.0}, "avg_hr", 30.0, 0.0),  # 0.43
        ({"avg_hr": 100.0}, "avg_hr", 0.0, 0.0),  # 0.29: light
        ({"rpe": 7.0}, "rpe", 0.0, 30.0),  # (7 - 1) / 10 = 0.6
        ({"rpe": 6.0}, "rpe", 30.0, 0.0),
        ({"rpe": 4.0}, "rpe", 0.0, 0.0),
        ({"sport": "running", "distance_m": 6000.0}, "activity_kind", 0.0, 30.0),  # 3.3 m/s
        ({"sport": "running", "distance_m": 2500.0}, "activity_kind", 30.0, 0.0),  # 1.4 m/s
        ({"sport": "cycling", "distance_m": 10000.0}, "activity_kind", 0.0, 30.0),  # 5.6 m/s
        ({"sport": "e_biking", "distance_m": 10000.0}, "activity_kind", 30.0, 0.0),
        ({"sport": "walking", "distance_m": 2500.0}, "activity_kind", 30.0, 0.0),
        ({"subcategory": "sport", "sport": "tennis"}, "activity_kind", 30.0, 0.0),
        ({"subcategory": "flexibility", "sport": "yoga"}, "activity_kind", 0.0, 0.0),
        ({"subcategory": "balance"}, "activity_kind", 0.0, 0.0),
    ],
)
def test_without_samples_intensity_falls_back(
    history: History, kwargs: dict[str, object], source: str, moderate: float, vigorous: float
) -> None:
    """No samples: average heart rate, then session RPE, then the kind of activity set the zone."""
    history.athlete("me", max_hr=200, resting_hr=60)
    history.activity("2024-01-01 10:00", minutes=30, **kwargs)  # type: ignore[arg-type]
    activity = history.one("SELECT * FROM activity_intensity")
    assert activity["intensity_source"] == source
    assert (activity["moderate_minutes"], activity["vigorous_minutes"]) == (moderate, vigorous)


def test_lifting_is_not_aerobic_time(history: History) -> None:
    """A resistance session adds no aerobic minutes, even at a vigorous heart rate."""
    history.athlete("me", max_hr=200, resting_hr=60)
    lift = history.activity("2024-01-01 10:00", category="resistance", subcategory="strength")
    history.heart_rate(lift, "2024-01-01 10:00", [160] * 31)
    history.refresh()
    balance = week(history, "me", "2024-01-01")
    assert balance["moderate_minutes"] == balance["vigorous_minutes"] == 0.0


# ---- WHO 2020 ----------------------------------------------------------------------------------------------


def test_aerobic_guideline_is_150_moderate_equivalent_minutes(history: History) -> None:
    """3 x 50 min of walking meets it (150); 3 x 49.6 does not; 2 x 40 vigorous minutes count double (160)."""
    for day in (1, 3, 5):
        history.activity(f"2024-01-0{day} 10:00", athlete="walker", minutes=50, sport="walking")
        history.activity(f"2024-01-0{day} 10:00", athlete="short", minutes=49.6, sport="walking")
    for day in (1, 3):
        history.activity(f"2024-01-0{day} 10:00", athlete="runner", minutes=40, rpe=8.0)
    walker, short, runner = (week(history, a, "2024-01-01") for a in ("walker", "short", "runner"))
    assert walker["who_aerobic_minutes"] == pytest.approx(150.0) and walker["meets_aerobic"] is True
    assert short["who_aerobic_minutes"] == pytest.approx(148.8) and short["meets_aerobic"] is False
    assert (runner["moderate_minutes"], runner["vigorous_minutes"]) == (0.0, 80.0)
    assert runner["who_aerobic_minutes"] == 160.0 and runner["meets_aerobic"] is True


def test_strength_guideline_counts_days_not_sessions(history: History) -> None:
    """Two sessions on one day are one resistance day; a working set inside a mixed class makes a day too."""
    history.activity("2024-01-01 07:00", athlete="one_day", category="resistance", subcategory="strength")
    history.activity("2024-01-01 18:00", athlete="one_day", category="resistance", subcategory="strength")
    history.activity("2024-01-01 07:00", athlete="two_days", category="resistance", subcategory="strength")
    circuit = history.activity("2024-01-04 18:00", athlete="two_days", subcategory="mixed")
    history.lift(circuit, "Kettlebell Swing", 15, 16.0)
    history.lift(circuit, "Burpee", 10, 0.0, set_type="warmup")

    one_day, two_days = week(history, "one_day", "2024-01-01"), week(history, "two_days", "2024-01-01")
    assert (one_day["resistance_sessions"], one_day["resistance_days"], one_day["meets_strength"]) == (
        2,
        1,
        False,
    )
    assert (two_days["resistance_sessions"], two_days["resistance_days"], two_days["meets_strength"]) == (
        1,
        2,
        True,
    )


def test_older_adults_need_three_multicomponent_days(history: History) -> None:
    """From 65 (born 1958: 66 in 2024; born 1959: 65) the guideline adds balance-and-strength work on 3 days;
    under 65 it does not apply.

    Each athlete: resistance Monday and Friday, 160 min of walking; 'full' adds balance work on Wednesday.
    """
    history.athlete("senior_full", birth_year=1958)
    history.athlete("senior_two", birth_year=1958)
    history.athlete("just_65", birth_year=1959)
    history.athlete("adult", birth_year=1990)
    history.athlete("unknown")
    for athlete in ("senior_full", "senior_two", "just_65", "adult", "unknown"):
        history.activity("2024-01-01 08:00", athlete=athlete, category="resistance", subcategory="strength")
        history.activity("2024-01-05 08:00", athlete=athlete, category="resistance", subcategory="strength")
        history.activity("2024-01-06 08:00", athlete=athlete, minutes=160, sport="walking")
    history.activity("2024-01-03 08:00", athlete="senior_full", subcategory="balance", minutes=20)

    full, two = week(history, "senior_full", "2024-01-01"), week(history, "senior_two", "2024-01-01")
    adult, unknown = week(history, "adult", "2024-01-01"), week(history, "unknown", "2024-01-01")
    assert (full["age"], full["is_65_plus"], full["multicomponent_days"]) == (66, True, 3)
    assert full["meets_multicomponent"] is True and full["meets_guideline"] is True
    assert (two["multicomponent_days"], two["meets_multicomponent"], two["meets_guideline"]) == (
        2,
        False,
        False,
    )
    assert two["meets_aerobic"] is True and two["meets_strength"] is True
    just_65 = week(history, "just_65", "2024-01-01")
    assert (just_65["age"], just_65["is_65_plus"], just_65["meets_multicomponent"]) == (65, True, False)
    assert (adult["age"], adult["is_65_plus"], adult["meets_multicomponent"]) == (34, False, None)
    assert adult["meets_guideline"] is True
    assert (unknown["age"], unknown["is_65_plus"], unknown["meets_multicomponent"]) == (None, None, None)
    assert unknown["meets_guideline"] is True


# ---- exercise_progress -------------------------------------------------------------------------------------


def test_working_sets_leave_out_warmups_rest_and_cardio_rows(history: History) -> None:
    """Warm-up, rest and a rowing row without reps are left out; drop and failure sets count.

    Sets: 3 x 5 @ 100, drop 8 @ 80, failure 6 @ 90, 12 @ 70 (too many reps for an e1RM).
    """
    lift = history.activity("2024-01-01 18:00", category="resistance", subcategory="strength")
    history.lift(lift, "Bench Press", 10, 60.0, set_type="warmup")
    history.lift(lift, "Bench Press", 5, 100.0, times=3)
    history.lift(lift, "Bench Press", 8, 80.0, set_type="drop")
    history.lift(lift, "Bench Press", 6, 90.0, set_type="failure")
    history.lift(lift, "Bench Press", 12, 70.0)
    history.lift(lift, None, None, None, set_type="rest")
    history.lift(lift, "Rowing Machine", None, None, duration_s=300)

    rows = history.rows("SELECT * FROM exercise_progress")
    assert [r["exercise"] for r in rows] == ["Bench Press"]
    bench = rows[0]
    assert bench["working_sets"] == 6
    assert bench["total_reps"] == 15 + 8 + 6 + 12 == 41
    assert bench["volume_load_kg"] == 1500 + 640 + 540 + 840 == 3520
    assert bench["top_set_kg"] == 100.0 and bench["is_bodyweight"] is False
    assert bench["best_e1rm_kg"] == pytest.approx(100 * (1 + 5 / 30))  # beats 90 x 1.2 = 108 and 80 x 1.267
    assert bench["best_e1rm_brzycki_kg"] == pytest.approx(100 * 36 / 32)
    assert bench["status"] == "new" and bench["prev_week_start"] is None


def test_status_moves_through_new_progressing_holding_stalled_regressing(history: History) -> None:
    """Weekly 3 x 5 squats; e1RM = w x 7/6 and volume = 15 w, so both move together.

    100 (new), 102.5 (+2.5 %: progressing), 102.5, 102.5 (holding: 1 and 2 weeks without gain), 102.5
    (stalled: the third), 95 (-7.3 %: regressing), a week off, then 105 (progressing against the 95 two weeks
    before).
    """
    plan = [
        ("2024-01-01", 100.0),
        ("2024-01-08", 102.5),
        ("2024-01-15", 102.5),
        ("2024-01-22", 102.5),
        ("2024-01-29", 102.5),
        ("2024-02-05", 95.0),
        ("2024-02-19", 105.0),
    ]
    for day, kg in plan:
        session = history.activity(f"{day} 18:00", category="resistance", subcategory="strength")
        history.lift(session, "Squat", 5, kg, times=3)

    rows = history.rows("SELECT * FROM exercise_progress ORDER BY week_start")
    assert [r["status"] for r in rows] == [
        "new",
        "progressing",
        "holding",
        "holding",
        "stalled",
        "regressing",
        "progressing",
    ]
    assert [r["weeks_without_gain"] for r in rows] == [0, 0, 1, 2, 3, 4, 0]
    assert rows[1]["e1rm_change_kg"] == pytest.approx(2.5 * 7 / 6)
    assert rows[1]["e1rm_change_pct"] == pytest.approx(2.5)
    assert rows[1]["volume_change_pct"] == pytest.approx(2.5)
    assert rows[6]["prev_week_start"] == date(2024, 2, 5)
    assert rows[6]["e1rm_change_pct"] == pytest.approx((105 / 95 - 1) * 100)
    # 4-week average before 5 Feb: weeks of 8, 15, 22 and 29 Jan, all 102.5
    assert rows[5]["e1rm_vs_4wk_avg_pct"] == pytest.approx((95 / 102.5 - 1) * 100)
    # before 19 Feb: 22 Jan (102.5), 29 Jan (102.5), 5 Feb (95), 12 Feb untrained: mean 100
    assert rows[6]["e1rm_vs_4wk_avg_pct"] == pytest.approx(5.0)
    assert rows[6]["volume_vs_4wk_avg_pct"] == pytest.approx(5.0)
    assert rows[0]["e1rm_vs_4wk_avg_pct"] is None


def test_slow_steady_gains_count_against_the_4_week_average(history: History) -> None:
    """+1 kg a week on 60 kg is only +1.7 % a week, but from the fourth week it is >= 2.5 % above the 4-week
    average: 62 / mean(60, 61) = +2.48 % (holding), 63 / mean(60, 61, 62) = +3.3 %, 64 / 61.5 = +4.1 %."""
    for week_no in range(6):
        session = history.activity(
            f"{date(2024, 1, 1) + timedelta(weeks=week_no)} 18:00",
            category="resistance",
            subcategory="strength",
        )
        history.lift(session, "Squat", 8, 60.0 + week_no, times=3)
    rows = history.rows("SELECT * FROM exercise_progress ORDER BY week_start")
    assert [r["status"] for r in rows] == [
        "new",
        "holding",
        "holding",
        "progressing",
        "progressing",
        "progressing",
    ]
    assert rows[2]["e1rm_vs_4wk_avg_pct"] == pytest.approx((62 / 60.5 - 1) * 100)
    assert rows[3]["e1rm_vs_4wk_avg_pct"] == pytest.approx((63 / 61 - 1) * 100)


def test_a_slow_decline_becomes_regressing_against_the_4_week_average(history: History) -> None:
    """-2 kg a week from 100: each week is only -2 % on the last, but 92 is 5.2 % below mean(100, 98, 96, 94)
    = 97; 94 (-4.1 % on 98) is not yet."""
    for week_no, kg in enumerate([100.0, 98.0, 96.0, 94.0, 92.0]):
        session = history.activity(
            f"{date(2024, 1, 1) + timedelta(weeks=week_no)} 18:00",
            category="resistance",
            subcategory="strength",
        )
        history.lift(session, "Bench Press", 5, kg, times=3)
    rows = history.rows("SELECT * FROM exercise_progress ORDER BY week_start")
    assert [r["status"] for r in rows] == ["new", "holding", "holding", "stalled", "regressing"]
    assert rows[4]["e1rm_vs_4wk_avg_pct"] == pytest.approx((92 / 97 - 1) * 100)


def test_more_sets_at_the_same_weight_is_progress(history: History) -> None:
    """Volume alone (4 sets instead of 3, same e1RM) is progressing: +33 % volume load."""
    for day, sets in [("2024-01-01", 3), ("2024-01-08", 4)]:
        session = history.activity(f"{day} 18:00", category="resistance", subcategory="strength")
        history.lift(session, "Deadlift", 5, 140.0, times=sets)
    second = history.rows("SELECT * FROM exercise_progress ORDER BY week_start")[1]
    assert second["e1rm_change_pct"] == 0.0
    assert second["volume_change_pct"] == pytest.approx(100 / 3)
    assert second["status"] == "progressing"


def test_bodyweight_exercises_report_reps(history: History) -> None:
    """Pull-ups at 0 kg: no kilograms, no e1RM; reps carry the progress (3x8, 3x9, 3x9, 3x7).

    The second 3x9 still progresses: its best set (9) is 5.9 % above the 4-week average best set (8.5).
    """
    for day, reps in [("2024-01-01", 8), ("2024-01-08", 9), ("2024-01-15", 9), ("2024-01-22", 7)]:
        session = history.activity(f"{day} 18:00", category="resistance", subcategory="strength")
        history.lift(session, "Pull Up", reps, 0.0, times=3)
    rows = history.rows("SELECT * FROM exercise_progress ORDER BY week_start")
    first, second, third, fourth = rows
    assert first["is_bodyweight"] is True and first["volume_load_kg"] == 0.0 and first["total_reps"] == 24
    assert first["best_e1rm_kg"] is None and first["top_set_kg"] is None
    assert second["reps_change"] == 3 and second["volume_change_pct"] == pytest.approx(12.5)
    assert second["e1rm_change_pct"] is None
    assert [r["status"] for r in rows] == ["new", "progressing", "progressing", "regressing"]
    assert third["strength_change_pct"] == 0.0
    assert third["strength_vs_4wk_avg_pct"] == pytest.approx((9 / 8.5 - 1) * 100)
    assert fourth["reps_change"] == -6 and third["reps_change"] == 0


# ---- personal_records --------------------------------------------------------------------------------------


def test_personal_records_keep_the_first_date_a_record_was_reached(history: History) -> None:
    """e1RM: 110 x 3 = 121.0 (15 Jan) beats 110 x 2 = 117.3 and 100 x 5 = 116.7; the same set on 22 Jan is no
    new record. Heaviest: 110 kg, most reps at it 3 (15 Jan). Most reps: 12 at 80 kg. A 120 kg warm-up single
    counts for nothing."""
    sessions = {
        day: history.activity(f"{day} 18:00", category="resistance", subcategory="strength")
        for day in ("2024-01-01", "2024-01-08", "2024-01-15", "2024-01-22")
    }
    history.lift(sessions["2024-01-01"], "Bench Press", 5, 100.0)
    history.lift(sessions["2024-01-08"], "Bench Press", 2, 110.0)
    history.lift(sessions["2024-01-15"], "Bench Press", 3, 110.0)
    history.lift(sessions["2024-01-15"], "Bench Press", 12, 80.0)
    history.lift(sessions["2024-01-22"], "Bench Press", 3, 110.0)
    history.lift(sessions["2024-01-22"], "Bench Press", 1, 120.0, set_type="warmup")

    record = history.one("SELECT * FROM personal_records")
    assert record["best_e1rm_kg"] == pytest.approx(110 * (1 + 3 / 30))
    assert record["best_e1rm_date"] == date(2024, 1, 15)
    assert (record["best_weight_kg"], record["best_weight_reps"]) == (110.0, 3)
    assert record["best_weight_date"] == date(2024, 1, 15)
    assert (record["max_reps"], record["max_reps_date"], record["max_reps_weight_kg"]) == (
        12,
        date(2024, 1, 15),
        80.0,
    )


def test_bodyweight_records_have_reps_only(history: History) -> None:
    """Push-ups at 0 kg: no e1RM and no heaviest set, but the most reps with its date."""
    for day, reps in [("2024-01-01", 20), ("2024-01-03", 25)]:
        session = history.activity(f"{day} 18:00", category="resistance", subcategory="strength")
        history.lift(session, "Push Up", reps, 0.0)
    record = history.one("SELECT * FROM personal_records")
    assert record["best_e1rm_kg"] is None and record["best_e1rm_date"] is None
    assert record["best_weight_kg"] is None and record["best_weight_date"] is None
    assert (record["max_reps"], record["max_reps_date"]) == (25, date(2024, 1, 3))


# ---- muscle_group_weekly -----------------------------------------------------------------------------------


def test_muscle_groups_count_primary_as_one_and_secondary_as_half(history: History) -> None:
    """3 bench sets by name and 2 unmapped sets found by FIT category ('Bench Press' is the category's
    namesake): chest 5, triceps and front delts 2.5 each. Squat muscles show 0: neglected."""
    history.exercise("Bench Press", fit_category="bench_press", primary=["chest"], secondary=["triceps", "front_delts"])
    history.exercise("Close Grip Bench Press", fit_category="bench_press", primary=["triceps"], secondary=["chest"])
    history.exercise("Squat", fit_category="squat", primary=["quadriceps", "glutes"], secondary=["hamstrings"])
    lift = history.activity("2024-01-01 18:00", category="resistance", subcategory="strength")
    history.lift(lift, "Bench Press", 5, 80.0, times=3)
    history.lift(lift, "Bench Press", 10, 40.0, set_type="warmup")
    history.lift(lift, None, 8, 70.0, times=2, exercise_name="Bench (app)", exercise_category="bench_press")
    history.lift(lift, None, 8, 20.0, exercise_name="Mystery", exercise_category=None)

    rows = {r["muscle_group"]: r for r in history.rows("SELECT * FROM muscle_group_weekly")}
    assert set(rows) == {"chest", "triceps", "front_delts", "quadriceps", "glutes", "hamstrings"}
    assert (rows["chest"]["sets"], rows["chest"]["primary_sets"], rows["chest"]["secondary_sets"]) == (
        5.0,
        5,
        0,
    )
    assert (rows["triceps"]["sets"], rows["triceps"]["primary_sets"], rows["triceps"]["secondary_sets"]) == (
        2.5,
        0,
        5,
    )
    assert rows["front_delts"]["sets"] == 2.5
    assert rows["quadriceps"]["sets"] == rows["hamstrings"]["sets"] == 0.0


def test_cardio_and_mobility_sets_are_not_resistance_work(history: History) -> None:
    """A treadmill row and a warm-up logged in a lifting app (catalogue kinds cardio and mobility) make no
    resistance day, no progress row, no record and no muscle-group sets; an unmapped set is taken for lifting."""
    history.exercise("Treadmill", fit_category="run", primary=["quadriceps"], kind="cardio")
    history.exercise("Warm Up", fit_category="warm_up", primary=["full_body"], kind="mobility")
    history.exercise("Squat", fit_category="squat", primary=["quadriceps"])
    gym = history.activity("2024-01-01 18:00", athlete="cardio_only", subcategory="mixed")
    history.lift(gym, "Treadmill", 10, 0.0, duration_s=600)
    history.lift(gym, None, 12, 0.0, exercise_name="Arm Circles (app)", exercise_category="warm_up")
    circuit = history.activity("2024-01-01 18:00", athlete="unmapped", subcategory="mixed")
    history.lift(circuit, None, 10, 20.0, exercise_name="Landmine Press")

    cardio_only, unmapped = week(history, "cardio_only", "2024-01-01"), week(history, "unmapped", "2024-01-01")
    assert (cardio_only["resistance_days"], cardio_only["working_sets"]) == (0, 0)
    assert (unmapped["resistance_days"], unmapped["working_sets"]) == (1, 1)
    assert [r["exercise"] for r in history.rows("SELECT * FROM exercise_progress")] == ["Landmine Press"]
    assert [r["exercise"] for r in history.rows("SELECT * FROM personal_records")] == ["Landmine Press"]
    muscles = history.rows("SELECT DISTINCT muscle_group, sets FROM muscle_group_weekly WHERE athlete = 'cardio_only'")
    assert muscles == [{"muscle_group": "quadriceps", "sets": 0.0}]  # full_body (mobility only) is not a group
    kinds = history.rows("SELECT exercise, catalogue_match, kind, is_resistance FROM working_sets ORDER BY exercise")
    assert kinds == [
        {"exercise": "Landmine Press", "catalogue_match": None, "kind": None, "is_resistance": True},
        {"exercise": "Treadmill", "catalogue_match": "Treadmill", "kind": "cardio", "is_resistance": False},
        {"exercise": "warm_up", "catalogue_match": "Warm Up", "kind": "mobility", "is_resistance": False},
    ]


def test_a_muscle_listed_twice_counts_once_as_primary(history: History) -> None:
    """A catalogue entry naming a muscle as primary and secondary counts it 1 per set, not 1.5."""
    history.exercise("Dip", primary=["triceps", "chest"], secondary=["chest"])
    lift = history.activity("2024-01-01 18:00", category="resistance", subcategory="strength")
    history.lift(lift, "Dip", 10, 0.0, times=2)
    chest = history.one("SELECT * FROM muscle_group_weekly WHERE muscle_group = 'chest'")
    assert (chest["sets"], chest["primary_sets"], chest["secondary_sets"]) == (2.0, 2, 0)


# ---- training_load_daily -----------------------------------------------------------------------------------


def test_training_load_by_hand(history: History) -> None:
    """Max 200, rest 60, male. Day 1: a 60-min run at 130 bpm (x = 0.5): TRIMP 60 x 0.5 x 0.64 e^0.96.
    Day 3: a 60-min lifting session without RPE (RPE 5: x = 0.4): 60 x 0.4 x 0.64 e^0.768. Day 2 is rest."""
    history.athlete("me", max_hr=200, resting_hr=60, sex="male")
    run = history.activity("2024-01-01 10:00")
    history.heart_rate(run, "2024-01-01 10:00", [130] * 61)
    history.activity("2024-01-03 10:00", category="resistance", subcategory="strength")
    history.refresh()

    days = history.rows("SELECT * FROM training_load_daily ORDER BY day")
    run_load, lift_load = 60 * male_trimp_per_min(0.5), 60 * male_trimp_per_min(0.4)
    assert [d["day"] for d in days] == [date(2024, 1, 1), date(2024, 1, 2), date(2024, 1, 3)]
    assert [d["endurance_load"] for d in days] == pytest.approx([run_load, 0.0, 0.0])
    assert [d["strength_load"] for d in days] == pytest.approx([0.0, 0.0, lift_load])
    assert days[2]["total_load"] == pytest.approx(lift_load)
    # rolling means over 7 and 28 days, days before the history count as zero
    assert days[0]["acute_load"] == pytest.approx(run_load / 7)
    assert days[0]["chronic_load"] == pytest.approx(run_load / 28)
    assert days[0]["acwr_rolling"] == pytest.approx(4.0)
    assert days[2]["acute_load"] == pytest.approx((run_load + lift_load) / 7)
    # EWMA: lambda_a = 2/8 = 0.25, lambda_c = 2/29
    la, lc = 0.25, 2 / 29
    assert days[0]["acute_ewma"] == pytest.approx(la * run_load)
    assert days[0]["chronic_ewma"] == pytest.approx(lc * run_load)
    assert days[0]["acwr_ewma"] == pytest.approx(3.625) and days[0]["acwr_band"] == "high_risk"
    assert days[1]["acute_ewma"] == pytest.approx((1 - la) * la * run_load)
    assert days[2]["acute_ewma"] == pytest.approx(la * lift_load + (1 - la) ** 2 * la * run_load)
    assert days[2]["chronic_ewma"] == pytest.approx(lc * lift_load + (1 - lc) ** 2 * lc * run_load)


def test_trimp_coefficients_follow_sex(history: History) -> None:
    """Same run at x = 0.5: women 0.86 e^(1.67 x), unknown sex the mean of the two curves."""
    for athlete, sex in [("she", "female"), ("anyone", None)]:
        history.athlete(athlete, max_hr=200, resting_hr=60, sex=sex)
        history.activity("2024-01-01 10:00", athlete=athlete, minutes=30, avg_hr=130.0)
    loads = {r["athlete"]: r["endurance_load"] for r in history.rows("SELECT * FROM training_load_daily")}
    assert loads["she"] == pytest.approx(30 * female_trimp_per_min(0.5))
    assert loads["anyone"] == pytest.approx(30 * (male_trimp_per_min(0.5) + female_trimp_per_min(0.5)) / 2)


def test_session_rpe_sets_the_strength_load(history: History) -> None:
    """A 45-min lifting session at RPE 8: x = 0.7, strength load 45 x 0.7 x 0.64 e^(1.344) for a man."""
    history.athlete("me", sex="male")
    history.activity("2024-01-01 10:00", category="resistance", subcategory="strength", minutes=45, rpe=8.0)
    row = history.one("SELECT strength_rpe, strength_load FROM activity_intensity")
    assert row["strength_rpe"] == 8.0
    assert row["strength_load"] == pytest.approx(45 * male_trimp_per_min(0.7))


def test_steady_training_lands_in_the_sweet_spot(history: History) -> None:
    """The same load every day: after 28 days acute = chronic (ratio 1.0); EWMA ratio at day 60 is
    (1 - 0.75^60) / (1 - (27/29)^60) = 1.014."""
    for day in range(60):
        history.activity(f"{date(2024, 1, 1) + timedelta(days=day)} 10:00", minutes=30, avg_hr=130.0)
    last = history.rows("SELECT * FROM training_load_daily ORDER BY day")[-1]
    assert last["acwr_rolling"] == pytest.approx(1.0) and last["acwr_rolling_band"] == "sweet_spot"
    assert last["acwr_ewma"] == pytest.approx((1 - 0.75**60) / (1 - (27 / 29) ** 60))
    assert last["acwr_band"] == "sweet_spot"


def test_after_a_year_off_the_ratio_is_undefined_then_high_risk(history: History) -> None:
    """Days continue through a 400-day break with zero load; once chronic load is 0 (28 days for the rolling
    mean, 366 for the EWMA) there is no ratio and no band; the first day back is a spike."""
    history.activity("2023-01-01 10:00", minutes=30, avg_hr=130.0)
    history.activity("2024-02-05 10:00", minutes=30, avg_hr=130.0)  # 400 days later
    days = history.rows("SELECT * FROM training_load_daily ORDER BY day")
    assert len(days) == 401 and sum(d["total_load"] > 0 for d in days) == 2
    assert days[28]["chronic_load"] == 0.0 and days[28]["acwr_rolling"] is None
    assert days[28]["acwr_rolling_band"] is None and days[28]["acwr_band"] is not None  # EWMA still remembers
    load = days[0]["total_load"]
    assert days[365]["chronic_ewma"] == pytest.approx(2 / 29 * (27 / 29) ** 365 * load)  # the last day it counts
    assert days[366]["chronic_ewma"] == 0.0
    assert days[399]["chronic_ewma"] == 0.0 and days[399]["acwr_ewma"] is None and days[399]["acwr_band"] is None
    assert days[400]["acwr_ewma"] == pytest.approx(3.625) and days[400]["acwr_band"] == "high_risk"


@pytest.mark.parametrize(
    ("ratio", "band"),
    [
        (0.0, "low"),
        (0.79, "low"),
        (0.8, "sweet_spot"),
        (1.3, "sweet_spot"),
        (1.31, "caution"),
        (1.5, "caution"),
        (1.51, "high_risk"),
        (None, None),
    ],
)
def test_acwr_bands(history: History, ratio: float | None, band: str | None) -> None:
    """Bands: low < 0.8 <= sweet spot <= 1.3 < caution <= 1.5 < high risk."""
    assert history.one("SELECT acwr_band(CAST(? AS DOUBLE)) AS band", [ratio])["band"] == band


# ---- unmapped_exercises ------------------------------------------------------------------------------------


def test_unmapped_exercises_list_names_without_a_catalogue_match(history: History) -> None:
    """Sets with no canonical exercise, warm-ups included, rest rows and duplicate sessions left out."""
    first = history.activity("2024-01-02 18:00", category="resistance", subcategory="strength")
    second = history.activity("2024-01-09 18:00", category="resistance", subcategory="strength")
    copy = history.activity("2024-01-09 18:00", category="resistance", subcategory="strength", duplicate_of=second)
    history.lift(first, None, 10, 20.0, set_type="warmup", exercise_name="Landmine Press")
    history.lift(first, None, 8, 40.0, exercise_name="Landmine Press", exercise_category="shoulder_press")
    history.lift(second, None, 8, 42.5, exercise_name="Landmine Press", exercise_category="shoulder_press")
    history.lift(second, None, None, None, set_type="rest", exercise_name="Landmine Press")
    history.lift(copy, None, 8, 42.5, exercise_name="Landmine Press")
    history.lift(second, "Bench Press", 5, 80.0)

    row = history.one("SELECT * FROM unmapped_exercises")
    assert row["exercise_name"] == "Landmine Press"
    assert (row["sets"], row["activities"]) == (3, 2)
    assert (row["first_seen"], row["last_seen"]) == (date(2024, 1, 2), date(2024, 1, 9))
    assert row["exercise_category"] == "shoulder_press"


# ---- refresh_derived ---------------------------------------------------------------------------------------


def test_refresh_of_some_activities_leaves_the_others_alone(history: History) -> None:
    """An incremental refresh rebuilds exactly the named activities; an id without samples loses its rows."""
    a = history.activity("2024-01-01 10:00")
    b = history.activity("2024-01-02 10:00")
    history.heart_rate(a, "2024-01-01 10:00", [120] * 4)
    history.heart_rate(b, "2024-01-02 10:00", [140] * 4)
    history.refresh()
    history.con.execute("DELETE FROM samples")
    history.heart_rate(a, "2024-01-01 10:00", [125] * 7)

    refresh_derived(history.con, [a])
    rows = history.rows("SELECT activity_id, heart_rate, seconds FROM activity_hr_seconds ORDER BY activity_id")
    assert rows == [
        {"activity_id": a, "heart_rate": 125, "seconds": 60.0},
        {"activity_id": b, "heart_rate": 140, "seconds": 30.0},
    ]  # b was not named: unchanged

    refresh_derived(history.con, [b])
    assert history.rows("SELECT DISTINCT activity_id FROM activity_hr_seconds") == [{"activity_id": a}]
    refresh_derived(history.con, [])  # nothing to do
    assert history.one("SELECT count(*) AS n FROM activity_hr_seconds")["n"] == 1


def test_refresh_joins_the_callers_transaction(history: History) -> None:
    """Called inside an open transaction, the refresh is part of it: a rollback undoes it."""
    a = history.activity("2024-01-01 10:00")
    history.heart_rate(a, "2024-01-01 10:00", [120] * 4)
    history.con.begin()
    refresh_derived(history.con)
    assert history.one("SELECT count(*) AS n FROM activity_hr_seconds")["n"] == 1
    history.con.rollback()
    assert history.one("SELECT count(*) AS n FROM activity_hr_seconds")["n"] == 0
