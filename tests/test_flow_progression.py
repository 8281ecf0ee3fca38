"""What to lift next time, through a real ingest: lifting-app exports written here, ingested by the library
(:func:`fitbalance.run.ingest`, the steps the Prefect flow runs) into a DuckDB file, and the plan read from the views.

The athlete ``me`` trains with rep range 8-12, increment 2.5 kg, a 10 % deload after 5 weeks without gain (the
settings file below), and logs in Hevy every Monday from 3 February to 17 March 2025 (7 weeks): 80 kg x 5 x 3
deadlifts every week, and in the last session bench press 60 x 12, 12, 12, squats 60 x 12, 11, 10, overhead press
100 x 5 at RPE 8 and 100 x 5 without RPE, pull-ups with no load 12, 12, 12, and a barbell row of 60 x 12, 12, 12 at
RPE 10. Lat pulldowns at RPE 7.5 come from Strong (12 March), leg presses with RPE 8 from FitNotes (14 March).
``sam`` is imperial (5 lb steps) and logs bench press 135 lb x 12, 12, 12 in Hevy's pound layout.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

from tests.ingesting import ingest_like_the_flow

HEVY_HEADER = (
    '"title","start_time","end_time","description","exercise_title","superset_id","exercise_notes","set_index",'
    '"set_type","{weight}","reps","distance_km","duration_seconds","rpe"'
)
SETTINGS = """default_athlete = "me"

[athletes.me]
time_zone = "Europe/Berlin"
weight_unit = "kg"

[athletes.me.progression]
rep_range = [8, 12]
increment_kg = 2.5
deload_after_weeks = 5
deload_pct = 10

[athletes.me.progression.exercises."Overhead Press"]
rep_range = [3, 5]

[athletes.sam]
time_zone = "Europe/Berlin"
units = "imperial"
"""
MONDAYS = [datetime(2025, 2, 3, 18, 0) + timedelta(weeks=w) for w in range(7)]
Lift = tuple[str, float, int, float | None]  # exercise title, weight, reps, rpe


def hevy_rows(start: datetime, lifts: list[Lift]) -> list[str]:
    """One Hevy workout of an hour: a row per set, numbered per exercise."""
    stamp, end = f"{start:%-d %b %Y, %H:%M}", f"{start + timedelta(hours=1):%-d %b %Y, %H:%M}"
    rows, index = [], {}
    for title, weight, reps, rpe in lifts:
        number = index[title] = index.get(title, -1) + 1
        rpe_text = "" if rpe is None else f"{rpe:g}"
        weight_text = "" if weight == 0 else f"{weight:g}"
        rows.append(f'"Monday","{stamp}","{end}","","{title}",,"",{number},"normal",{weight_text},{reps},,,{rpe_text}')
    return rows


def write_exports(folder: Path) -> None:
    folder.mkdir(parents=True)
    deadlifts: list[Lift] = [("Deadlift (Barbell)", 80.0, 5, None)] * 3
    last: list[Lift] = [
        *[("Bench Press (Barbell)", 60.0, reps, None) for reps in (12, 12, 12)],
        *[("Squat (Barbell)", 60.0, reps, None) for reps in (12, 11, 10)],
        ("Overhead Press (Barbell)", 100.0, 5, 8.0),
        ("Overhead Press (Barbell)", 100.0, 5, None),
        *[("Pull Up", 0.0, 12, None)] * 3,
        *[("Bent Over Row (Barbell)", 60.0, 12, 10.0)] * 3,
    ]
    rows = [row for monday in MONDAYS[:-1] for row in hevy_rows(monday, deadlifts)]
    rows += hevy_rows(MONDAYS[-1], [*deadlifts, *last])
    (folder / "hevy.csv").write_text("\n".join([HEVY_HEADER.format(weight="weight_kg"), *rows]) + "\n")
    (folder / "strong.csv").write_text(
        "Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,Workout Notes,RPE\n"
        '2025-03-12 18:00:00,"Pull",45m,"Lat Pulldown (Cable)",1,50,10,0,0,"","",7.5\n'
        '2025-03-12 18:00:00,"Pull",45m,"Lat Pulldown (Cable)",2,50,10,0,0,"","",\n'
    )
    (folder / "fitnotes.csv").write_text(
        "Date,Exercise,Category,Weight (kgs),Reps,Distance,Distance Unit,Time,RPE\n"
        "2025-03-14,Leg Press,Legs,100.0,10,,,,8\n"
    )


def write_sam(folder: Path) -> None:
    folder.mkdir(parents=True)
    rows = hevy_rows(MONDAYS[-1], [("Bench Press (Barbell)", 135.0, 12, None)] * 3)
    (folder / "hevy-lb.csv").write_text("\n".join([HEVY_HEADER.format(weight="weight_lbs"), *rows]) + "\n")


def q(db: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def lifted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("progression")
    settings = root / "fitbalance.toml"
    settings.write_text(SETTINGS)
    db = root / "lifts.duckdb"
    write_exports(root / "me")
    write_sam(root / "sam")
    for folder, athlete in (("me", "me"), ("sam", "sam")):
        summary = ingest_like_the_flow([root / folder], db, settings, athlete=athlete)
        assert summary["quarantined"] == 0, summary
    return {"db": db, "settings": settings}


def plan(db: Path, athlete: str = "me") -> dict[str, dict[str, Any]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        cursor = con.execute("SELECT * FROM exercise_next_session WHERE athlete = ?", [athlete])
        names = [d[0] for d in cursor.description]
        return {row[1]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}
    finally:
        con.close()


def test_every_set_of_the_range_top_earns_load_and_the_bottom_of_the_range(lifted: dict[str, Path]) -> None:
    """60 kg x 12, 12, 12 in 8-12 -> 62.5 kg x 8, increase_load."""
    bench = plan(lifted["db"])["Bench Press"]
    assert (bench["last_weight_kg"], bench["next_weight_kg"], bench["next_reps"], bench["action"]) == (
        60.0,
        62.5,
        8,
        "increase_load",
    )
    assert bench["last_session_date"] == date(2025, 3, 17) and bench["rep_range_source"] == "athlete"


def test_a_set_short_of_the_top_keeps_the_weight_and_asks_one_rep_more(lifted: dict[str, Path]) -> None:
    """60 kg x 12, 11, 10 -> 60 kg, next_reps 11, add_reps; the reason names the set to beat."""
    squat = plan(lifted["db"])["Squat"]
    assert (squat["next_weight_kg"], squat["next_reps"], squat["action"]) == (60.0, 11, "add_reps")
    assert "12, 11, 10" in squat["reason"] and "10-rep set" in squat["reason"]


def test_seven_weeks_without_gain_bring_a_deload(lifted: dict[str, Path]) -> None:
    """80 kg x 5 x 3 every week for 7 weeks, no gain -> 72 kg (10 % lighter), deload."""
    deadlift = plan(lifted["db"])["Deadlift"]
    assert (deadlift["next_weight_kg"], deadlift["action"], deadlift["weeks_without_gain"]) == (72.0, "deload", 6)
    weeks = q(
        lifted["db"],
        "SELECT weeks_without_gain FROM exercise_progress WHERE athlete = 'me' AND exercise = 'Deadlift' "
        "ORDER BY week_start",
    )
    assert [w for (w,) in weeks] == [0, 1, 2, 3, 4, 5, 6]


def test_an_rpe_above_9_at_the_top_of_the_range_repeats_the_weight(lifted: dict[str, Path]) -> None:
    """60 kg x 12, 12, 12 at RPE 10 reached the top, but not at RPE 9 or easier: the weight stays at 12 reps."""
    row = plan(lifted["db"])["Barbell Row"]
    assert (row["next_weight_kg"], row["next_reps"], row["action"]) == (60.0, 12, "add_reps")
    assert "RPE 10" in row["reason"]


def test_an_exercise_of_its_own_range_and_a_bodyweight_exercise(lifted: dict[str, Path]) -> None:
    """Overhead press has its own 3-5 range: 100 x 5, 5 (RPE 8) -> 102.5 x 3. Pull-ups without load at the top of
    8-12 progress by load: 2.5 kg added, 8 reps."""
    rows = plan(lifted["db"])
    press, pull = rows["Overhead Press"], rows["Pull-Up"]
    assert (press["next_weight_kg"], press["next_reps"], press["action"], press["rep_range_source"]) == (
        102.5,
        3,
        "increase_load",
        "exercise",
    )
    assert (pull["last_weight_kg"], pull["next_weight_kg"], pull["next_reps"], pull["action"]) == (
        0.0,
        2.5,
        8,
        "increase_load",
    )


def test_an_imperial_athlete_gets_pounds_rounded_to_the_pound(lifted: dict[str, Path]) -> None:
    """sam (imperial, default 5 lb increment, no rep range: inferred from his sets as 12-12) did 135 lb x 12, 12, 12
    -> 140 lb x 12."""
    bench = plan(lifted["db"], "sam")["Bench Press"]
    assert (bench["weight_unit"], bench["last_weight"], bench["next_weight"]) == ("lb", 135.0, 140.0)
    assert bench["next_weight_kg"] == pytest.approx(140 * 0.45359237)
    assert (bench["rep_range_source"], bench["rep_low"], bench["rep_high"], bench["next_reps"]) == (
        "inferred",
        12,
        12,
        12,
    )


def test_rpe_gives_reps_in_reserve_and_an_rpe_aware_e1rm(lifted: dict[str, Path]) -> None:
    """100 kg x 5 at RPE 8 -> RIR 2, e1rm_rir_kg 123.33; the set without RPE -> null; the week's best is 123.33."""
    sets = q(
        lifted["db"],
        "SELECT rpe, rir, round(e1rm_rir_kg, 2) FROM working_sets WHERE exercise = 'Overhead Press' ORDER BY set_index",
    )
    assert sets == [(8.0, 2.0, 123.33), (None, None, None)]
    (best,) = q(lifted["db"], "SELECT best_e1rm_rir_kg FROM exercise_progress WHERE exercise = 'Overhead Press'")
    assert best[0] == pytest.approx(100 * (1 + 7 / 30))


def test_a_high_rep_week_has_a_strength_measure(lifted: dict[str, Path]) -> None:
    """60 kg x 12 counts as 60 kg x 10 for the e1RM: 80 kg, not blank."""
    (row,) = q(
        lifted["db"], "SELECT best_e1rm_kg FROM exercise_progress WHERE athlete = 'me' AND exercise = 'Bench Press'"
    )
    assert row[0] == pytest.approx(80.0)


def test_rep_records_hold_the_heaviest_weight_for_at_least_each_rep_count(lifted: dict[str, Path]) -> None:
    """Deadlift 80 x 5: the record for 1 to 5 reps, none above; bench 60 x 12: records for 1 to 12."""
    rows = q(
        lifted["db"], "SELECT exercise, reps, best_weight_kg, best_weight_date FROM rep_records WHERE athlete = 'me'"
    )
    deadlift = {reps: (kg, day) for ex, reps, kg, day in rows if ex == "Deadlift"}
    assert deadlift == {r: (80.0, date(2025, 2, 3)) for r in range(1, 6)}
    assert sorted(reps for ex, reps, *_ in rows if ex == "Bench Press") == list(range(1, 13))


def test_rpe_from_hevy_strong_and_fitnotes_reaches_the_sets(lifted: dict[str, Path]) -> None:
    """Each lifting app's RPE column lands in strength_sets.rpe."""
    rows = q(
        lifted["db"],
        "SELECT a.source_format, s.rpe FROM strength_sets AS s JOIN activities AS a USING (activity_id) "
        "WHERE s.rpe IS NOT NULL ORDER BY 1, 2",
    )
    assert sorted(set(rows)) == [("csv:fitnotes", 8.0), ("csv:hevy", 8.0), ("csv:hevy", 10.0), ("csv:strong", 7.5)]


def test_session_rpe_comes_from_the_sets_when_the_app_logged_it(lifted: dict[str, Path]) -> None:
    """The last Hevy session's load uses the mean RPE of its sets with RPE (8 and three 10s: 9.5); earlier
    sessions without any RPE keep the default 5."""
    rows = dict(
        q(
            lifted["db"],
            "SELECT local_date, strength_rpe || ' ' || strength_rpe_source FROM activity_intensity "
            "WHERE athlete = 'me' AND category = 'resistance'",
        )
    )
    assert rows[date(2025, 3, 17)] == "9.5 sets"
    assert rows[date(2025, 3, 10)] == "5.0 default"
    assert rows[date(2025, 3, 12)] == "7.5 sets"


def test_monotony_and_strain_follow_foster(lifted: dict[str, Path]) -> None:
    """monotony = mean daily load / SD of the week's seven daily loads; strain = weekly load x monotony."""
    import statistics

    week = date(2025, 3, 10)
    daily = dict(
        q(
            lifted["db"],
            "SELECT day, total_load FROM training_load_daily WHERE athlete = 'me' AND day BETWEEN ? AND ?",
            [week, week + timedelta(days=6)],
        )
    )
    loads = [daily.get(week + timedelta(days=d), 0.0) for d in range(7)]
    assert sum(1 for x in loads if x > 0) == 2  # Monday (Hevy), Wednesday (Strong); FitNotes does not time a day
    (row,) = q(
        lifted["db"],
        "SELECT weekly_load, monotony, strain, training_days FROM training_load_weekly "
        "WHERE athlete = 'me' AND week_start = ?",
        [week],
    )
    assert row[3] == 3  # days with a session: the FitNotes day counts, with no load
    monotony = statistics.mean(loads) / statistics.stdev(loads)
    assert row[:3] == (pytest.approx(sum(loads)), pytest.approx(monotony), pytest.approx(sum(loads) * monotony))


def test_the_next_command_prints_the_plan(lifted: dict[str, Path]) -> None:
    """`fitbalance next` prints one line per exercise in the athlete's units; --exercise picks one."""
    from fitbalance.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["next", "--db", str(lifted["db"]), "--settings", str(lifted["settings"])])
    assert result.exit_code == 0, result.output
    assert "Bench Press" in result.output and "62.5 kg x 8" in result.output and "(deload: " in result.output
    one = runner.invoke(
        app, ["next", "--db", str(lifted["db"]), "--settings", str(lifted["settings"]), "--exercise", "squat"]
    )
    assert one.exit_code == 0, one.output
    assert "Squat" in one.output and "Bench Press" not in one.output
    sam = runner.invoke(
        app, ["next", "--db", str(lifted["db"]), "--settings", str(lifted["settings"]), "--athlete", "sam"]
    )
    assert "140 lb x 12" in sam.output  # no rep range set: inferred from his sets, 12-12


def test_the_next_command_plans_with_the_settings_file_as_it_is_now(lifted: dict[str, Path], tmp_path: Path) -> None:
    """An edited settings file counts at once, without an ingest: with rep range 10-15 the bench press of 60 x 12,
    12, 12 asks for 13 reps at 60 kg; the database keeps the settings of the last ingest (the views say 62.5 x 8)."""
    from fitbalance.cli import app

    edited = tmp_path / "fitbalance.toml"
    edited.write_text(SETTINGS.replace("rep_range = [8, 12]", "rep_range = [10, 15]"))
    result = CliRunner().invoke(
        app, ["next", "--db", str(lifted["db"]), "--settings", str(edited), "--exercise", "bench press"]
    )
    assert result.exit_code == 0, result.output
    assert "Bench Press: 60 kg x 13 (add reps" in result.output
    assert plan(lifted["db"])["Bench Press"]["next_weight_kg"] == 62.5


def test_a_mistake_in_the_progression_settings_stops_the_command(lifted: dict[str, Path], tmp_path: Path) -> None:
    """A rep range written backwards is one line naming the file, the line and the fix; exit status 2."""
    from fitbalance.cli import app

    wrong = tmp_path / "fitbalance.toml"
    wrong.write_text(SETTINGS.replace("rep_range = [8, 12]", "rep_range = [12, 8]"))
    result = CliRunner().invoke(app, ["next", "--db", str(lifted["db"]), "--settings", str(wrong)])
    assert result.exit_code == 2
    assert "fitbalance.toml: line 8: athletes.me.progression.rep_range" in result.output and "fix: " in result.output
