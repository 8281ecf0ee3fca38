"""The progression views' rules on small histories worked out by hand: deload weeks and stalls, the +10 % cap,
increments by equipment and by exercise, the 6-week window, bodyweight work, and the defaults without settings.

(The issue's examples hold through a real ingest of Hevy, Strong and FitNotes exports: tests/test_flow_progression.py.)
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.store.history import History

MONDAY = date(2025, 1, 6)


def catalogue(history: History) -> None:
    for name, equipment, bodyweight in (
        ("Squat", "barbell", False),
        ("Dumbbell Bench Press", "dumbbell", False),
        ("Deadlift", "barbell", False),
        ("Pull-Up", "bodyweight", True),
    ):
        history.con.execute(
            "INSERT INTO exercises (exercise, equipment, bodyweight, kind) VALUES (?, ?, ?, 'resistance')",
            [name, equipment, bodyweight],
        )


def session(history: History, week: int, lifts: list[tuple[str, int, float, int]]) -> str:
    """A lifting session on the Monday of ``week``: (exercise, reps, kg, sets)."""
    day = MONDAY + timedelta(weeks=week)
    activity = history.activity(f"{day} 18:00", category="resistance", subcategory="strength")
    for exercise, reps, kg, sets in lifts:
        history.lift(activity, exercise, reps, kg, times=sets)
    return activity


def settings_row(
    history: History,
    *,
    exercise: str | None = None,
    equipment: str | None = None,
    reps: tuple[int, int] | None = None,
    increment_kg: float | None = None,
) -> None:
    low, high = reps or (None, None)
    own = exercise is None and equipment is None
    history.con.execute(
        "INSERT INTO progression_settings VALUES ('me', ?, ?, ?, ?, ?, ?, ?, ?)",
        [exercise, equipment, low, high, increment_kg, 5 if own else None, 10 if own else None, 0.5 if own else None],
    )


def plan(history: History) -> dict[str, dict[str, object]]:
    return {r["exercise"]: r for r in history.rows("SELECT * FROM exercise_next_session WHERE athlete = 'me'")}


def test_a_deload_week_neither_regresses_nor_counts_towards_a_stall(history: History) -> None:
    """Squat 100 x 5 x 3 for four weeks (weeks without gain 0-3), one set in week 5 (a third of the volume: a
    deload), then 100 x 5 x 3 again: the deload week is not regressing and restarts the count, and coming back to
    the old volume is no gain (compared with week 4, not with the deload)."""
    history.athlete()
    catalogue(history)
    for week in range(6):
        session(history, week, [("Squat", 5, 100.0, 1 if week == 4 else 3)])
    rows = history.rows(
        "SELECT is_deload_week, status, weeks_without_gain FROM exercise_progress WHERE exercise = 'Squat' "
        "ORDER BY week_start"
    )
    assert [r["is_deload_week"] for r in rows] == [False] * 4 + [True, False]
    assert [r["weeks_without_gain"] for r in rows] == [0, 1, 2, 3, 0, 1]
    assert [r["status"] for r in rows] == ["new", "holding", "holding", "stalled", "holding", "holding"]


def test_the_increase_is_capped_at_ten_percent_and_follows_the_equipment(history: History) -> None:
    """Increment 5 kg, 1 kg for dumbbells: squat 20 kg x 12 x 3 -> 22 kg (+10 % cap, not 25); dumbbell bench
    20 kg x 12 x 3 -> 21 kg; both at the bottom of 8-12."""
    history.athlete()
    catalogue(history)
    settings_row(history, reps=(8, 12), increment_kg=5.0)
    settings_row(history, equipment="dumbbell", increment_kg=1.0)
    session(history, 0, [("Squat", 12, 20.0, 3), ("Dumbbell Bench Press", 12, 20.0, 3)])
    rows = plan(history)
    assert (rows["Squat"]["next_weight_kg"], rows["Squat"]["next_reps"]) == (22.0, 8)
    assert (rows["Dumbbell Bench Press"]["next_weight_kg"], rows["Dumbbell Bench Press"]["increment_kg"]) == (21.0, 1.0)


def test_an_exercises_own_settings_win(history: History) -> None:
    """Squat has its own 3-5 range and 10 kg increment: 100 x 5 x 3 -> 110 x 3 (the cap allows exactly 10 %)."""
    history.athlete()
    catalogue(history)
    settings_row(history, reps=(8, 12), increment_kg=2.5)
    settings_row(history, exercise="Squat", reps=(3, 5), increment_kg=10.0)
    session(history, 0, [("Squat", 5, 100.0, 3)])
    squat = plan(history)["Squat"]
    assert (squat["next_weight_kg"], squat["next_reps"], squat["rep_range_source"]) == (110.0, 3, "exercise")


def test_only_exercises_of_the_last_six_weeks_get_a_plan(history: History) -> None:
    """Deadlifts 7 weeks before the athlete's last activity get no row; squats of that last day do."""
    history.athlete()
    catalogue(history)
    session(history, 0, [("Deadlift", 5, 140.0, 3)])
    session(history, 7, [("Squat", 5, 100.0, 3)])
    assert set(plan(history)) == {"Squat"}


def test_without_settings_the_range_is_inferred_and_the_defaults_apply(history: History) -> None:
    """No progression_settings rows: squats of 10, 8, 12 reps one week and 10, 10, 10 the next give an inferred
    range (10th to 90th percentile) of 8-12, a 2.5 kg increment and a 0.5 kg load step; 10, 10, 10 -> 11 reps."""
    history.athlete()
    catalogue(history)
    a = session(history, 0, [])
    for reps in (10, 8, 12):
        history.lift(a, "Squat", reps, 60.0)
    session(history, 1, [("Squat", 10, 60.0, 3)])
    squat = plan(history)["Squat"]
    assert (squat["rep_low"], squat["rep_high"], squat["rep_range_source"]) == (8, 12, "inferred")
    assert (squat["increment_kg"], squat["load_step_kg"], squat["deload_after_weeks"]) == (2.5, 0.5, 5)
    assert (squat["action"], squat["next_weight_kg"], squat["next_reps"]) == ("add_reps", 60.0, 11)


def test_bodyweight_work_deloads_by_reps(history: History) -> None:
    """Pull-ups without load, 10 x 3 every week for 7 weeks in 8-12, no gain: a deload keeps bodyweight and asks
    9 reps (10 % fewer)."""
    history.athlete()
    catalogue(history)
    settings_row(history, reps=(8, 12), increment_kg=2.5)
    for week in range(7):
        session(history, week, [("Pull-Up", 10, 0.0, 3)])
    pull = plan(history)["Pull-Up"]
    assert (pull["action"], pull["next_weight_kg"], pull["next_reps"]) == ("deload", 0.0, 9)
    assert pull["is_bodyweight_exercise"] is True


def test_a_back_off_set_is_not_judged(history: History) -> None:
    """60 x 12, 12 then a back-off set of 50 x 9: the work sets are those at the top weight, so load goes up."""
    history.athlete()
    catalogue(history)
    settings_row(history, reps=(8, 12), increment_kg=2.5)
    session(history, 0, [("Squat", 12, 60.0, 2), ("Squat", 9, 50.0, 1)])
    squat = plan(history)["Squat"]
    assert (squat["action"], squat["next_weight_kg"], squat["work_sets"]) == ("increase_load", 62.5, 2)


@pytest.mark.parametrize(("rpe", "action"), [(9.0, "increase_load"), (9.5, "add_reps")])
def test_rpe_above_9_holds_the_load(history: History, rpe: float, action: str) -> None:
    """The top of the range reached at RPE 9 earns load; at RPE 9.5 the weight is repeated."""
    history.athlete()
    catalogue(history)
    settings_row(history, reps=(8, 12), increment_kg=2.5)
    activity = session(history, 0, [("Squat", 12, 60.0, 3)])
    history.con.execute("UPDATE strength_sets SET rpe = ? WHERE activity_id = ?", [rpe, activity])
    assert plan(history)["Squat"]["action"] == action


def test_a_set_of_more_than_ten_reps_counts_as_ten_for_the_e1rm(history: History) -> None:
    """60 x 12 and 60 x 10 have the same e1RM (80 kg); 60 x 8 has 76; without RPE there is no RPE-aware e1RM."""
    history.athlete()
    catalogue(history)
    activity = session(history, 0, [])
    for reps in (12, 10, 8):
        history.lift(activity, "Squat", reps, 60.0)
    rows = history.rows("SELECT reps, e1rm_kg, e1rm_rir_kg FROM working_sets ORDER BY set_index")
    assert [(r["reps"], r["e1rm_kg"]) for r in rows] == [(12, 80.0), (10, 80.0), (8, 76.0)]
    assert all(r["e1rm_rir_kg"] is None for r in rows)
