"""A session that arrived twice counts once, with the lifting app's named sets and weights (set_sources)."""

from __future__ import annotations

from tests.store.history import History

LIFT = {"category": "resistance", "subcategory": "strength"}


def sets_of(history: History) -> list[tuple[str, str, str, float]]:
    rows = history.rows(
        "SELECT activity_id, source_activity_id, exercise, weight_kg FROM working_sets "
        "ORDER BY activity_id, source_activity_id, set_index"
    )
    return [(r["activity_id"], r["source_activity_id"], r["exercise"], r["weight_kg"]) for r in rows]


def test_the_apps_sets_win_over_the_watchs_for_the_session_the_watch_counts(history: History) -> None:
    """Watch: 3 bench sets guessed at 60 kg. Hevy, same session: 3 named sets at 62.5 kg. The session is the
    watch's, its sets are Hevy's, and progress reads 62.5 kg."""
    history.exercise("Bench Press", fit_category="bench_press", primary=["chest"])
    watch = history.activity("2024-01-01 18:00", activity_id="watch", **LIFT)
    hevy = history.activity(
        "2024-01-01 18:01", activity_id="hevy", source_format="csv:hevy", duplicate_of=watch, **LIFT
    )
    history.lift(watch, None, 8, 60.0, exercise_category="bench_press", times=3)
    history.lift(hevy, "Bench Press", 8, 62.5, exercise_name="Bench Press (Barbell)", times=3)
    history.lift(hevy, "Bench Press", 10, 40.0, set_type="warmup")

    assert sets_of(history) == [("watch", "hevy", "Bench Press", 62.5)] * 3
    progress = history.one("SELECT working_sets, top_set_kg FROM exercise_progress")
    assert (progress["working_sets"], progress["top_set_kg"]) == (3, 62.5)
    balance = history.one("SELECT resistance_sessions, working_sets FROM weekly_balance")
    assert (balance["resistance_sessions"], balance["working_sets"]) == (1, 3)


def test_without_a_lifting_app_copy_the_session_keeps_its_own_sets(history: History) -> None:
    """A watch session also in Strava (no sets there): the watch's sets count."""
    watch = history.activity("2024-01-01 18:00", activity_id="watch", **LIFT)
    history.activity("2024-01-01 18:00", activity_id="strava", source_format="csv:strava", duplicate_of=watch, **LIFT)
    history.lift(watch, "Squat", 5, 100.0, times=2)
    assert sets_of(history) == [("watch", "watch", "Squat", 100.0)] * 2


def test_an_app_workout_that_counts_keeps_its_own_sets_only(history: History) -> None:
    """Hevy counts (nothing else recorded the session); the same workout also logged in Strong adds nothing."""
    hevy = history.activity("2024-01-01 18:00", activity_id="hevy", source_format="csv:hevy", **LIFT)
    strong = history.activity(
        "2024-01-01 18:00", activity_id="strong", source_format="csv:strong", duplicate_of=hevy, **LIFT
    )
    history.lift(hevy, "Squat", 5, 100.0, times=2)
    history.lift(strong, "Squat", 5, 100.0, times=2)
    assert sets_of(history) == [("hevy", "hevy", "Squat", 100.0)] * 2


def test_one_watch_recording_takes_the_sets_of_both_app_workouts_logged_during_it(history: History) -> None:
    watch = history.activity("2024-01-01 18:00", minutes=90, activity_id="watch", **LIFT)
    push = history.activity(
        "2024-01-01 18:00", activity_id="push", source_format="csv:hevy", duplicate_of=watch, **LIFT
    )
    core = history.activity(
        "2024-01-01 19:02", minutes=25, activity_id="core", source_format="csv:hevy", duplicate_of=watch, **LIFT
    )
    history.lift(watch, None, 8, 60.0, exercise_category="bench_press")
    history.lift(push, "Bench Press", 8, 62.5)
    history.lift(core, "Crunch", 20, 0.0)
    assert sets_of(history) == [("watch", "core", "Crunch", 0.0), ("watch", "push", "Bench Press", 62.5)]


def test_unmapped_names_are_those_of_the_sets_that_count(history: History) -> None:
    """The app copy's unknown name is listed under the session; the watch's superseded guesses are not."""
    watch = history.activity("2024-01-01 18:00", activity_id="watch", **LIFT)
    hevy = history.activity(
        "2024-01-01 18:01", activity_id="hevy", source_format="csv:hevy", duplicate_of=watch, **LIFT
    )
    history.lift(watch, None, 8, 60.0, exercise_name="Unknown watch move")
    history.lift(hevy, None, 8, 62.5, exercise_name="Garage Stone Lift", times=2)
    rows = history.rows("SELECT exercise_name, sets, activities FROM unmapped_exercises")
    assert [(r["exercise_name"], r["sets"], r["activities"]) for r in rows] == [("Garage Stone Lift", 2, 1)]
