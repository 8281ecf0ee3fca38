"""The weekly_targets and strength_balance_weekly views, checked against numbers worked out by hand on small
histories, and weekly_targets against weekly_balance and muscle_group_weekly in every week."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import duckdb
import pytest

from fitbalance.config import parse_settings
from fitbalance.store import reference
from fitbalance.targets import DEFAULTS, TARGET_MUSCLES
from tests.store.history import History, example_history

MONDAY = date(2024, 3, 4)
CLOCK = date(2024, 4, 3)  # a Wednesday, four weeks after the last activity
COLUMNS = ["athlete", "week_start", "target", "actual", "low", "high", "remaining", "days_left", "status"]
SETTINGS = """
[athletes.me]
birth_year = 1980
[athletes.me.targets]
aerobic_minutes = 120
[athletes.me.targets.muscles]
chest = [14, 18]
"""


def targets_at(history: History, clock: object, athlete: str = "me") -> dict[tuple[date, str], dict[str, object]]:
    """The rows of weekly_targets_at(clock) for one athlete, by (week_start, target)."""
    rows = history.rows(
        "SELECT * FROM weekly_targets_at($clock) WHERE athlete = $athlete", {"clock": clock, "athlete": athlete}
    )
    return {(r["week_start"], r["target"]): r for r in rows}


@pytest.fixture
def lifter(history: History) -> History:
    """Two weeks of training, then nothing until the clock.

    Week 1 (2024-03-04): Monday 4 bench press and 3 squat sets; Wednesday a 60-minute run at RPE 8 (vigorous: 120
    WHO minutes); Thursday 8 bench press and 3 row sets (and a warm-up that does not count). Week 3 (2024-03-18):
    Monday 25 bench press sets. Targets from the settings: 120 aerobic minutes, chest 14-18 sets, the rest default.
    """
    history.athlete("me", birth_year=1980)
    history.exercise("Bench Press", primary=["chest"], secondary=["triceps", "front_delts"])
    history.exercise("Squat", primary=["quads", "glutes"], secondary=["hamstrings"])
    history.exercise("Barbell Row", primary=["upper_back", "lats"], secondary=["biceps", "rear_delts"])
    monday = history.activity("2024-03-04 18:00", category="resistance", subcategory="strength", minutes=50)
    history.lift(monday, "Bench Press", 8, 60.0, times=4)
    history.lift(monday, "Squat", 5, 80.0, times=3)
    history.activity("2024-03-06 07:00", minutes=60, sport="running", rpe=8.0)
    thursday = history.activity("2024-03-07 18:00", category="resistance", subcategory="strength", minutes=50)
    history.lift(thursday, "Bench Press", 10, 30.0, set_type="warmup")
    history.lift(thursday, "Bench Press", 8, 60.0, times=8)
    history.lift(thursday, "Barbell Row", 8, 50.0, times=3)
    later = history.activity("2024-03-18 18:00", category="resistance", subcategory="strength", minutes=90)
    history.lift(later, "Bench Press", 5, 70.0, times=25)
    reference.refresh_targets(history.con, parse_settings(SETTINGS), [])
    return history


def test_it_has_the_documented_columns(lifter: History) -> None:
    """Columns exactly as docs/views.md lists them, in order, for the view and for the macro."""
    for relation in ("weekly_targets", "weekly_targets_at(DATE '2024-04-03')"):
        names = [d[0] for d in lifter.con.execute(f"SELECT * FROM {relation} LIMIT 0").description]
        assert names == COLUMNS


def test_a_past_week_is_judged_against_the_athletes_own_targets(lifter: History) -> None:
    """Week 1: 120 WHO minutes meet the athlete's 120; 2 strength days meet 2; chest's 12 sets are below its own 14
    (the default 10 would be met); triceps (12 x 0.5 = 6 sets) is below the default 10; nothing is left to come."""
    rows = targets_at(lifter, CLOCK)
    week = {target: r for (start, target), r in rows.items() if start == MONDAY}
    assert {k: (r["actual"], r["low"], r["status"]) for k, r in week.items() if ":" not in k} == {
        "aerobic_minutes": (120.0, 120.0, "met"),
        "strength_days": (2.0, 2.0, "met"),
    }
    chest = week["muscle_sets:chest"]
    assert (chest["actual"], chest["low"], chest["high"], chest["remaining"], chest["status"]) == (
        12.0,
        14.0,
        18.0,
        2.0,
        "below",
    )
    triceps = week["muscle_sets:triceps"]
    assert (triceps["actual"], triceps["low"], triceps["high"], triceps["remaining"]) == (6.0, 10.0, 20.0, 4.0)
    assert week["muscle_days:chest"]["actual"] == 2.0 and week["muscle_days:chest"]["status"] == "met"
    assert {r["days_left"] for r in week.values()} == {0}
    assert {target.split(":")[1] for target in week if ":" in target} == set(TARGET_MUSCLES)


def test_a_muscle_groups_own_range_overrides_the_default(lifter: History) -> None:
    """chest has its own 14-18; every other targeted group keeps the default 10-20; over 18 is above."""
    rows = targets_at(lifter, CLOCK)
    ranges = {t: (r["low"], r["high"]) for (start, t), r in rows.items() if start == MONDAY and "muscle_sets" in t}
    assert ranges.pop("muscle_sets:chest") == (14.0, 18.0)
    assert set(ranges.values()) == {DEFAULTS.muscle_sets}
    week3 = rows[(MONDAY + timedelta(weeks=2), "muscle_sets:chest")]
    assert (week3["actual"], week3["remaining"], week3["status"]) == (25.0, 0.0, "above")
    triceps3 = rows[(MONDAY + timedelta(weeks=2), "muscle_sets:triceps")]
    assert (triceps3["actual"], triceps3["status"]) == (12.5, "met")


def test_the_current_week_is_there_with_nothing_done_and_everything_remaining(lifter: History) -> None:
    """On Wednesday 2024-04-03, four weeks after the last activity, the week of Monday 2024-04-01 is there: every
    target at 0 with all of it remaining, 5 days left (Wednesday to Sunday), in progress; the weeks between the
    last activity and this one are there too, at 0 and below."""
    rows = targets_at(lifter, CLOCK)
    this_week = {t: r for (start, t), r in rows.items() if start == date(2024, 4, 1)}
    assert len(this_week) == 2 + 2 * len(TARGET_MUSCLES)  # no multicomponent target under 65
    assert all(r["actual"] == 0 and r["remaining"] == r["low"] for r in this_week.values())
    assert {(r["days_left"], r["status"]) for r in this_week.values()} == {(5, "in_progress")}
    assert this_week["aerobic_minutes"]["remaining"] == 120.0
    assert sorted({start for start, _ in rows}) == [MONDAY + timedelta(weeks=n) for n in range(5)]
    quiet = {r["status"] for (start, _), r in rows.items() if start == date(2024, 3, 25)}
    assert quiet == {"below"}


def test_while_the_week_runs_a_target_is_met_or_in_progress(lifter: History) -> None:
    """With the clock on week 1's Monday (a local date), 7 days are left: its 2 strength days are met, chest's 12
    sets (of 14) in progress with 2 remaining; on Sunday 1 day is left; the next Monday none, and chest is below."""
    monday = targets_at(lifter, MONDAY)
    assert monday[(MONDAY, "strength_days")]["days_left"] == 7
    assert monday[(MONDAY, "strength_days")]["status"] == "met"
    chest = monday[(MONDAY, "muscle_sets:chest")]
    assert (chest["status"], chest["remaining"]) == ("in_progress", 2.0)
    assert targets_at(lifter, MONDAY + timedelta(days=6))[(MONDAY, "muscle_sets:chest")]["days_left"] == 1
    after = targets_at(lifter, MONDAY + timedelta(days=7))[(MONDAY, "muscle_sets:chest")]
    assert (after["days_left"], after["status"]) == (0, "below")


def test_today_is_the_athletes_local_date_at_an_instant(history: History) -> None:
    """An instant (TIMESTAMPTZ) is read in the athlete's time zone: Sunday 2024-03-10 23:30 UTC is already Monday
    in Berlin (a new week with 7 days left) and still Sunday in UTC; an athlete without a zone is read at the offset
    of their latest activity."""
    history.con.execute(
        "INSERT INTO athletes VALUES ('berlin', 'Europe/Berlin', NULL, NULL, NULL, NULL, 'metric'), "
        "('utc', 'UTC', NULL, NULL, NULL, NULL, 'metric')"
    )
    history.activity("2024-03-04 10:00", athlete="nozone", utc_offset_s=3600)
    instant = datetime(2024, 3, 10, 23, 30, tzinfo=UTC)
    today = {
        r["athlete"]: (r["today"], r["today_from"])
        for r in history.rows("SELECT * FROM athlete_today($clock)", {"clock": instant})
    }
    assert today == {
        "berlin": (date(2024, 3, 11), "time_zone"),
        "utc": (date(2024, 3, 10), "time_zone"),
        "nozone": (date(2024, 3, 11), "latest_activity"),
    }
    berlin = targets_at(history, instant, "berlin")
    assert {(start, r["days_left"]) for (start, _), r in berlin.items()} == {(date(2024, 3, 11), 7)}
    assert {start for start, _ in targets_at(history, instant, "utc")} == {date(2024, 3, 4)}


def test_an_athlete_with_settings_and_no_activity_has_this_week(history: History) -> None:
    """A new athlete (settings, nothing logged) sees this week's targets, all of them still to do (the defaults)."""
    history.athlete("new")
    rows = targets_at(history, date(2025, 1, 1), "new")
    assert {start for start, _ in rows} == {date(2024, 12, 30)}
    assert rows[(date(2024, 12, 30), "aerobic_minutes")]["remaining"] == DEFAULTS.aerobic_minutes


def test_the_balance_target_is_for_65_and_over_unless_the_settings_set_it(history: History) -> None:
    """WHO's multicomponent days (3) apply from the ISO year the athlete turns 65; an athlete who sets
    multicomponent_days has it at any age; without a birth year, only when set."""
    settings = parse_settings(
        "[athletes.old]\nbirth_year = 1959\n[athletes.young]\nbirth_year = 1990\n"
        "[athletes.keen]\nbirth_year = 1990\n[athletes.keen.targets]\nmulticomponent_days = 4\n"
    )
    for name in ("old", "young", "keen"):
        history.athlete(name, birth_year=settings.athlete(name).birth_year)
        history.activity("2023-12-20 10:00", athlete=name, subcategory="balance", minutes=30)
    reference.refresh_targets(history.con, settings, [])
    clock = date(2024, 1, 3)

    def multicomponent(name: str) -> dict[date, float]:
        rows = targets_at(history, clock, name)
        return {start: r["low"] for (start, t), r in rows.items() if t == "multicomponent_days"}

    assert multicomponent("old") == {date(2024, 1, 1): 3.0}  # 64 in 2023, 65 in 2024
    assert multicomponent("young") == {}
    assert multicomponent("keen") == {date(2023, 12, 18): 4.0, date(2023, 12, 25): 4.0, date(2024, 1, 1): 4.0}
    assert targets_at(history, clock, "keen")[(date(2023, 12, 18), "multicomponent_days")]["actual"] == 1.0


def test_a_day_counts_for_a_muscle_when_it_got_a_whole_sets_worth(history: History) -> None:
    """muscle_days counts the days a group got at least one set's worth: one primary set, or two sets where it is
    secondary (half a set each); one secondary set alone is not a day of training."""
    history.athlete("me")
    history.exercise("Bench Press", primary=["chest"], secondary=["triceps"])
    days = [history.activity(f"2024-03-0{d} 18:00", category="resistance", minutes=30) for d in (4, 5, 6)]
    history.lift(days[0], "Bench Press", 8, 60.0)  # triceps 0.5: not a day
    history.lift(days[1], "Bench Press", 8, 60.0, times=2)  # triceps 1.0: a day
    history.lift(days[2], "Bench Press", 8, 60.0, times=3)  # triceps 1.5: a day
    rows = targets_at(history, date(2024, 3, 20))
    assert rows[(MONDAY, "muscle_days:chest")]["actual"] == 3.0
    assert rows[(MONDAY, "muscle_days:triceps")]["actual"] == 2.0
    assert rows[(MONDAY, "muscle_sets:triceps")]["actual"] == 3.0


@pytest.fixture
def examples(history: History) -> History:
    example_history(history)
    reference.refresh_targets(history.con, parse_settings("[athletes.ana.targets.muscles]\nchest = [4, 8]\n"), [])
    return history


def test_actual_agrees_with_weekly_balance_and_muscle_group_weekly_in_every_week(examples: History) -> None:
    """In every week of both athletes: aerobic minutes are weekly_balance's WHO minutes, strength days its
    resistance days, multicomponent days (ana, 69) its multicomponent days, and each muscle group's sets
    muscle_group_weekly's sets; the weeks after the history, to the clock's week, hold 0. ben, without targets of
    his own, has the defaults."""
    con = examples.con
    found = {
        (a, w, t): actual
        for a, w, t, actual in con.execute(
            "SELECT athlete, week_start, target, actual FROM weekly_targets_at(DATE '2024-06-01')"
        ).fetchall()
    }
    expected: dict[tuple[str, date, str], float] = {}
    for athlete, week, aerobic, days, multi, age in con.execute(
        "SELECT athlete, week_start, who_aerobic_minutes, resistance_days, multicomponent_days, age FROM weekly_balance"
    ).fetchall():
        expected[(athlete, week, "aerobic_minutes")] = aerobic
        expected[(athlete, week, "strength_days")] = days
        if age >= 65:
            expected[(athlete, week, "multicomponent_days")] = multi
    for athlete, week, group, sets in con.execute(
        "SELECT athlete, week_start, muscle_group, sets FROM muscle_group_weekly"
    ).fetchall():
        if group in TARGET_MUSCLES:
            expected[(athlete, week, f"muscle_sets:{group}")] = sets
    history_weeks = {(a, w) for a, w, _ in expected}
    assert len(history_weeks) == 20
    compared = {key: found[key] for key in found if (key[0], key[1]) in history_weeks and "muscle_days" not in key[2]}
    expected_targeted = {k: v for k, v in expected.items() if ":" not in k[2] or k[2].split(":")[1] in TARGET_MUSCLES}
    # muscle_group_weekly names only the groups the (small) example catalogue has: the others hold 0
    assert compared == {key: expected_targeted.get(key, 0.0) for key in compared}
    assert set(expected_targeted) <= set(compared)
    after = {v for (a, w, t), v in found.items() if (a, w) not in history_weeks}
    assert after == {0.0}
    weeks = con.execute(
        "SELECT athlete, count(DISTINCT week_start) FROM weekly_targets_at(DATE '2024-06-01') GROUP BY ALL ORDER BY 1"
    ).fetchall()
    assert weeks == [("ana", 13), ("ben", 13)]  # ten weeks of history and three to the clock's week (2024-05-27)
    per_week = dict(
        con.execute("SELECT athlete, count(*) / 13 FROM weekly_targets_at(DATE '2024-06-01') GROUP BY ALL").fetchall()
    )
    assert per_week == {"ana": 3 + 2 * len(TARGET_MUSCLES), "ben": 2 + 2 * len(TARGET_MUSCLES)}
    chest = con.execute(
        "SELECT DISTINCT athlete, low, high FROM weekly_targets_at(DATE '2024-06-01') "
        "WHERE target = 'muscle_sets:chest' ORDER BY 1"
    ).fetchall()
    assert chest == [("ana", 4.0, 8.0), ("ben", 10.0, 20.0)]


def test_the_plain_view_is_the_macro_at_the_wall_clock(examples: History) -> None:
    """weekly_targets reads today from the wall clock: every week of this 2024 history is long past, judged as the
    macro judges it at any later date."""
    con = examples.con
    past = "WHERE week_start < DATE '2024-05-13' ORDER BY athlete, week_start, target"
    plain = con.execute(f"SELECT * FROM weekly_targets {past}").fetchall()
    assert plain and plain == con.execute(f"SELECT * FROM weekly_targets_at(DATE '2025-01-01') {past}").fetchall()


# ---- strength_balance_weekly --------------------------------------------------------------------------------------


@pytest.fixture
def balanced(history: History) -> History:
    """Week 1: 6 bench press (horizontal push), 3 overhead press (vertical push), 4 rows (horizontal pull), 2
    pull-ups (vertical pull), 3 curls (pull), 5 squats and 2 deadlifts (lower), 3 planks (core), a warm-up and 4 sets
    of an exercise without a pattern. Week 2: nothing. Week 3: 3 squats and 1 row."""
    history.athlete("me")
    for name, pattern in [
        ("Bench Press", "horizontal_push"),
        ("Overhead Press", "vertical_push"),
        ("Barbell Row", "horizontal_pull"),
        ("Pull-Up", "vertical_pull"),
        ("Barbell Curl", "elbow_flexion"),
        ("Squat", "squat"),
        ("Deadlift", "hinge"),
        ("Plank", "core"),
    ]:
        history.exercise(name, primary=["chest"])
        history.pattern(name, pattern)
    history.exercise("Mystery Machine", primary=["chest"])
    one = history.activity("2024-03-04 18:00", category="resistance", minutes=60)
    for name, times in [
        ("Bench Press", 6),
        ("Overhead Press", 3),
        ("Barbell Row", 4),
        ("Pull-Up", 2),
        ("Barbell Curl", 3),
        ("Squat", 5),
        ("Deadlift", 2),
        ("Plank", 3),
        ("Mystery Machine", 4),
    ]:
        history.lift(one, name, 8, 20.0, times=times)
    history.lift(one, "Bench Press", 10, 20.0, set_type="warmup")
    three = history.activity("2024-03-18 18:00", category="resistance", minutes=60)
    history.lift(three, "Squat", 5, 80.0, times=3)
    history.lift(three, "Barbell Row", 5, 50.0)
    return history


def test_push_pull_upper_and_lower_sets_come_from_the_patterns(balanced: History) -> None:
    """Week 1: push 9 (6 + 3), pull 9 (4 + 2 + 3 curls), upper 18, lower 7; ratios 1.0 and 18/7 (upper-heavy: over
    2); the core, the warm-up and the exercise without a pattern count nowhere."""
    row = balanced.one("SELECT * FROM strength_balance_weekly WHERE week_start = ?", [MONDAY])
    assert {k: row[k] for k in ("push_sets", "pull_sets", "upper_sets", "lower_sets")} == {
        "push_sets": 9,
        "pull_sets": 9,
        "upper_sets": 18,
        "lower_sets": 7,
    }
    assert (row["horizontal_push_sets"], row["vertical_push_sets"]) == (6, 3)
    assert (row["horizontal_pull_sets"], row["vertical_pull_sets"]) == (4, 2)
    assert row["push_pull_ratio"] == 1.0 and row["upper_lower_ratio"] == pytest.approx(18 / 7)
    assert (row["push_pull_flag"], row["upper_lower_flag"]) == (None, "upper_heavy")


def test_every_week_is_there_and_one_sided_weeks_are_flagged(balanced: History) -> None:
    """Week 2 (nothing lifted) is a row of zeros without flags or ratios; week 3 (1 row, 3 squats) is pull-heavy
    with no pushing (ratio 0) and lower-heavy (1/3)."""
    rows = balanced.rows("SELECT * FROM strength_balance_weekly ORDER BY week_start")
    assert [r["week_start"] for r in rows] == [MONDAY + timedelta(weeks=n) for n in range(3)]
    empty = rows[1]
    assert (empty["push_sets"], empty["pull_sets"], empty["push_pull_ratio"], empty["push_pull_flag"]) == (
        0,
        0,
        None,
        None,
    )
    assert empty["upper_lower_flag"] is None
    third = rows[2]
    assert (third["push_pull_ratio"], third["push_pull_flag"]) == (0.0, "pull_heavy")
    assert third["upper_lower_ratio"] == pytest.approx(1 / 3) and third["upper_lower_flag"] == "lower_heavy"


def test_pushing_without_pulling_is_push_heavy(history: History) -> None:
    """A week of bench press alone has no ratio (nothing to divide by) and is flagged push-heavy."""
    history.athlete("me")
    history.exercise("Bench Press", primary=["chest"])
    history.pattern("Bench Press", "horizontal_push")
    history.lift(history.activity("2024-03-04 18:00", category="resistance"), "Bench Press", 5, 60.0, times=3)
    row = history.one("SELECT * FROM strength_balance_weekly")
    assert (row["push_sets"], row["push_pull_ratio"], row["push_pull_flag"]) == (3, None, "push_heavy")
    assert row["upper_lower_flag"] == "upper_heavy"


def test_the_views_read_athletes_as_parameters(examples: History) -> None:
    """A name with a quote is a value, never SQL."""
    con: duckdb.DuckDBPyConnection = examples.con
    rows = con.execute("SELECT * FROM weekly_targets_at($c) WHERE athlete = $a", {"c": CLOCK, "a": "o'hara"})
    assert rows.fetchall() == []
