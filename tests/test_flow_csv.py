"""CSV exports through the real Prefect flow: every dialect lands, the same session from two sources counts once,
an updated export adds only its new workouts, and units come from the settings, never from a guess.

The counts are the rows of the files in sample_data/csv (written by synth.csv_samples): open a file and
count. The athlete runs with a Garmin watch (its runs also reach Strava) and logs lifts in Hevy while the watch
records the same sessions as "Strength Training" a minute earlier.
"""

from __future__ import annotations

import json
import random
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

from synth import csv_exports, csv_samples
from synth.csv_samples import LiftSet, Workout
from synth.history import DEVICES, LIFTS, ActivityPlan, encode_activity, strength_session
from tests.ingesting import ingest_like_the_flow as ingest

from .accounts import assert_every_row_is_accounted_for
from .conftest import SAMPLE_DATA

SETTINGS = 'default_athlete = "me"\n[athletes.me]\ntime_zone = "Europe/Berlin"\n'
CSV_SETTINGS = SETTINGS + 'distance_unit = "km"\n'  # as sample_data/fitbalance.toml: the old Garmin export needs it
PAIR_START_UTC = datetime(2025, 11, 3, 17, 0)  # Monday 18:00 in Berlin, after the Hevy sample period
EXPECTED_CSV = {
    name.removeprefix("csv/"): e for name, e in json.loads((SAMPLE_DATA / "EXPECTED.json").read_text())["csv"].items()
}
ABSURD = "strong_absurd_set.csv"  # one set typed as 877777 reps

# activities per file, as a person counts them (checked by hand for the first ones: 24 Garmin runs + 24 "Strength
# Training", 12 "Laufen", 24 Strava runs + 4 rides, 24 distinct Hevy (title, start_time), ...); files of daily totals,
# body mass and the Fitbit account export hold none: skipped
ACTIVITIES = {
    **{name: e["activities"] for name, e in EXPECTED_CSV.items() if e["status"] == "loaded"},
    "watch-strength.fit": 1,
    "hevy-same-session.csv": 1,
}
SKIPPED = {name: e["kind"] for name, e in EXPECTED_CSV.items() if e["status"] == "skipped"}


def q(db: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def write_pair(folder: Path) -> None:
    """A FIT strength session from the watch and the Hevy workout of the same session (heavier, named sets)."""
    folder.mkdir(parents=True)
    session = strength_session(
        random.Random(5),
        PAIR_START_UTC,
        [(LIFTS["bench press"], 60.0, 8), (LIFTS["back squat"], 80.0, 5)],
    )
    plan = ActivityPlan(device=DEVICES["garmin_fr965"], sessions=(session,), utc_offset_s=3600)
    (folder / "watch-strength.fit").write_bytes(encode_activity(plan))
    sets = (
        LiftSet("Bench Press (Barbell)", "warmup", 40.0, 10),
        *[LiftSet("Bench Press (Barbell)", "normal", 62.5, 8) for _ in range(4)],
        *[LiftSet("Squat (Barbell)", "normal", 82.5, 5) for _ in range(4)],
    )
    local_start = PAIR_START_UTC + timedelta(hours=1, minutes=1)
    workout = Workout("Full Body A", local_start, round(session.elapsed_s / 60), sets)
    (folder / "hevy-same-session.csv").write_bytes(csv_samples.hevy([workout]))


@pytest.fixture(scope="module")
def csv_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("csvflow")
    data = root / "in"
    shutil.copytree(SAMPLE_DATA / "csv", data / "csv")
    write_pair(data / "pair")
    settings = root / "fitbalance.toml"
    settings.write_text(CSV_SETTINGS)
    db = root / "csv.duckdb"
    first = ingest([data], db, settings, batch_size=4, workers=1)  # several batches: links made across them
    snapshot = q(db, "SELECT * EXCLUDE (file_id) FROM activities ORDER BY activity_id")
    second = ingest([data], db, settings)
    return {"db": db, "first": first, "second": second, "snapshot": snapshot}


def by_file(db: Path, sql_select: str, where: str = "TRUE") -> dict[str, Any]:
    rows = q(
        db,
        f"SELECT regexp_extract(f.path, '[^/]+$') AS file, {sql_select} FROM activities AS a "
        f"JOIN source_files AS f ON f.file_id = a.file_id WHERE {where} GROUP BY 1",
    )
    return {r[0]: r[1] if len(r) == 2 else r[1:] for r in rows}


def test_every_dialect_lands_with_the_counts_in_its_file(csv_run: dict[str, Any]) -> None:
    db = csv_run["db"]
    assert by_file(db, "count(*)") == ACTIVITIES
    files = {r[0]: r[1:] for r in q(db, "SELECT regexp_extract(path, '[^/]+$'), status, detail FROM source_files")}
    for name, kind in SKIPPED.items():
        status, detail = files.pop(name)
        assert status == "skipped" and kind in detail, (name, detail)
    assert {status for status, _ in files.values()} == {"loaded"}
    assert q(db, "SELECT regexp_extract(path, '[^/]+$'), stage FROM quarantine") == [(ABSURD, "decode")]
    sets = {
        file: (n, rest)
        for file, n, rest in q(
            db,
            "SELECT regexp_extract(f.path, '[^/]+$'), count(*), count(*) FILTER (WHERE s.set_type = 'rest') "
            "FROM strength_sets s JOIN activities a USING (activity_id) JOIN source_files f ON f.file_id = a.file_id "
            "WHERE a.source_format LIKE 'csv:%' GROUP BY 1",
        )
    }
    # Hevy: 308 set rows; Strong (semicolon): 154 sets and 114 rest-timer rows; Strong (kg/km): 30 rows; the Strong
    # export with the absurd set: every row but that one (what the generator says loads)
    absurd, _ = sets.pop(ABSURD)
    assert (
        absurd
        == EXPECTED_CSV[ABSURD]["sets"]
        == len(csv_samples.data_rows((SAMPLE_DATA / "csv" / ABSURD).read_bytes(), ";")) - 1
    )
    assert sets == {
        "hevy_workouts.csv": (308, 0),
        "strong_semicolon_lbs.csv": (268, 114),
        "strong_legacy_kg_km.csv": (30, 0),
        "hevy-same-session.csv": (9, 0),
    }
    samples = dict(
        q(
            db,
            "SELECT a.source_format, count(*) FROM samples s JOIN activities a USING (activity_id) "
            "WHERE a.source_format LIKE 'csv:%' GROUP BY 1",
        )
    )
    assert samples == {"csv:polar": 600, "csv:wahoo": EXPECTED_CSV[csv_exports.WAHOO_NAME]["samples"]}


def test_one_absurd_set_is_quarantined_alone_with_its_line_and_values(csv_run: dict[str, Any]) -> None:
    """The Strong export with a set of 877777 reps loads: that row is one quarantine row naming the file, the line,
    the reason and the row's values; all its other rows and workouts load."""
    db = csv_run["db"]
    (line,) = EXPECTED_CSV[ABSURD]["rejected_lines"]
    ((path, reason, payload),) = q(db, "SELECT path, reason, payload FROM quarantine")
    assert path.endswith(ABSURD) and reason == f"line {line}: reps 877777 is more than 10,000: not a set"
    values = json.loads(payload)
    assert values["line"] == line and values["values"]["Reps"] == "877777"
    assert values["values"]["Exercise Name"] and values["values"]["Date"].startswith("2022-")
    status, detail = q(db, "SELECT status, detail FROM source_files WHERE path LIKE ?", [f"%{ABSURD}"])[0]
    assert status == "loaded" and detail.startswith(f"{EXPECTED_CSV[ABSURD]['activities']} activities, 1 rows")


def test_csv_local_times_take_the_athletes_zone(csv_run: dict[str, Any]) -> None:
    """Hevy's "1 Sep 2025, 18:xx" in Europe/Berlin is 16:xx UTC with a +2 h offset; Strava's UTC dates keep theirs."""
    rows = q(
        csv_run["db"],
        "SELECT DISTINCT source_format, utc_offset_s, hour(start_time_local) - hour(start_time_utc) FROM activities "
        "WHERE source_format IN ('csv:hevy', 'csv:strava') AND start_time_utc BETWEEN '2025-09-01' AND '2025-10-01'",
    )
    assert sorted(rows) == [("csv:hevy", 7200, 2), ("csv:strava", 7200, 2)]


def test_units_are_si_whatever_the_export_wrote(csv_run: dict[str, Any]) -> None:
    """Strong's lbs and miles, Hevy's kg and km, Strava's and Garmin's km all end up in kg and m."""
    db = csv_run["db"]
    heaviest = dict(
        q(
            db,
            "SELECT a.source_format, max(s.weight_kg) FROM strength_sets s JOIN activities a USING (activity_id) "
            "WHERE s.exercise = 'Deadlift' GROUP BY 1",
        )
    )
    assert 100 <= heaviest["csv:hevy"] <= 120 and 100 <= heaviest["csv:strong"] <= 120  # not 250 (lbs)
    treadmill = q(db, "SELECT DISTINCT round(distance_m) FROM strength_sets WHERE exercise = 'Treadmill Running'")
    assert sorted(d for (d,) in treadmill) == [1996.0, 2000.0]  # Strong's "1.24" mi; Hevy's and Strong's "2" km


def test_the_same_session_from_two_sources_counts_once(csv_run: dict[str, Any]) -> None:
    """24 Garmin runs are also in Strava, 24 Hevy workouts also Garmin "Strength Training", one Hevy workout also a
    FIT file: 49 rows are linked to the row that counts, the rest count on their own."""
    db = csv_run["db"]
    total = sum(ACTIVITIES.values())
    assert q(db, "SELECT count(*), count(*) FILTER (WHERE duplicate_of IS NULL) FROM activities") == [
        (total, total - 49)
    ]
    pairs = dict(
        q(
            db,
            "SELECT d.source_format || ' -> ' || p.source_format, count(*) FROM activities d "
            "JOIN activities p ON p.activity_id = d.duplicate_of GROUP BY 1",
        )
    )
    runs = pairs.pop("csv:strava -> csv:garmin", 0) + pairs.pop("csv:garmin -> csv:strava", 0)
    assert runs == 24
    assert pairs == {"csv:hevy -> csv:garmin": 24, "csv:hevy -> fit": 1}
    assert q(
        db,
        "SELECT count(*) FROM activities WHERE duplicate_of IN (SELECT activity_id FROM activities "
        "WHERE duplicate_of IS NOT NULL)",
    ) == [(0,)]
    # duplicates keep their provenance and their sets
    assert q(
        db,
        "SELECT count(*) FROM strength_sets s JOIN activities a USING (activity_id) "
        "WHERE a.source_format = 'csv:hevy' AND a.duplicate_of IS NOT NULL",
    ) == [(308 + 9,)]


def test_a_week_of_lifting_counts_three_sessions_not_six(csv_run: dict[str, Any]) -> None:
    """The week of 1 Sep 2025: three lifting sessions (Hevy + watch each) and three runs (Garmin + Strava each)."""
    rows = q(
        csv_run["db"],
        "SELECT category, count(*) FROM activities WHERE duplicate_of IS NULL "
        "AND start_time_local >= '2025-09-01' AND start_time_local < '2025-09-08' GROUP BY 1 ORDER BY 1",
    )
    assert rows == [("other", 3 + 1), ("resistance", 3)]  # the week's Saturday ride is Strava's only


def test_the_watch_session_counts_and_keeps_its_heart_rate(csv_run: dict[str, Any]) -> None:
    rows = q(
        csv_run["db"],
        "SELECT p.source_format, p.avg_hr IS NOT NULL, d.source_format, d.name FROM activities d "
        "JOIN activities p ON p.activity_id = d.duplicate_of WHERE p.source_format = 'fit'",
    )
    assert rows == [("fit", True, "csv:hevy", "Full Body A")]


def test_set_views_read_the_apps_named_sets_and_weights(csv_run: dict[str, Any]) -> None:
    """The FIT session counts, but its working sets are Hevy's: 4 bench presses at 62.5 kg and 4 squats at 82.5 kg
    (the watch guessed 60 and 80 kg), the warm-up left out."""
    rows = q(
        csv_run["db"],
        "SELECT a.source_format, src.source_format, w.exercise, w.weight_kg, count(*) FROM working_sets w "
        "JOIN activities a ON a.activity_id = w.activity_id JOIN activities src ON src.activity_id = "
        "w.source_activity_id WHERE a.source_format = 'fit' GROUP BY ALL ORDER BY ALL",
    )
    assert rows == [("fit", "csv:hevy", "Bench Press", 62.5, 4), ("fit", "csv:hevy", "Squat", 82.5, 4)]
    week = q(
        csv_run["db"],
        "SELECT resistance_sessions, working_sets FROM weekly_balance WHERE week_start = DATE '2025-09-01'",
    )
    hevy_sets = q(
        csv_run["db"],
        "SELECT count(*) FROM strength_sets s JOIN activities a USING (activity_id) JOIN exercises e USING (exercise) "
        "WHERE a.source_format = 'csv:hevy' AND s.set_type IN ('working', 'drop', 'failure') AND e.kind = 'resistance' "
        "AND a.start_time_local >= '2025-09-01' AND a.start_time_local < '2025-09-08'",
    )[0][0]
    assert week == [(3, hevy_sets)] and hevy_sets > 0


def test_a_second_run_adds_nothing_and_keeps_the_links(csv_run: dict[str, Any]) -> None:
    second = csv_run["second"]
    assert second["loaded"] == second["activities_added"] == second["quarantined"] == 0
    assert q(csv_run["db"], "SELECT * EXCLUDE (file_id) FROM activities ORDER BY activity_id") == csv_run["snapshot"]


def test_every_app_exercise_name_of_the_samples_is_mapped(csv_run: dict[str, Any]) -> None:
    """Every set of Hevy and Strong has its canonical exercise, and the exercises table knows each one's kind."""
    db = csv_run["db"]
    assert q(db, "SELECT count(*) FROM strength_sets WHERE exercise IS NULL AND set_type <> 'rest'") == [(0,)]
    kinds = dict(q(db, "SELECT e.kind, count(*) FROM strength_sets s JOIN exercises e USING (exercise) GROUP BY 1"))
    assert set(kinds) == {"resistance", "cardio"}  # the treadmill rows are cardio, not resistance volume


# ---- which copy counts: the earliest loaded of two equally rich exports --------------------------------------


def test_of_two_equally_rich_exports_the_one_loaded_first_counts(tmp_path: Path) -> None:
    """Strava loaded in one run, Garmin in the next: Strava's runs count, Garmin's point at them."""
    settings = tmp_path / "fitbalance.toml"
    settings.write_text(SETTINGS)
    db = tmp_path / "t.duckdb"
    ingest([SAMPLE_DATA / "csv" / "strava_activities.csv"], db, settings)
    ingest([SAMPLE_DATA / "csv" / "garmin_activities_en.csv"], db, settings)
    rows = q(
        db,
        "SELECT source_format, count(*) FILTER (WHERE duplicate_of IS NULL), count(duplicate_of) FROM activities "
        "WHERE sport = 'running' GROUP BY 1 ORDER BY 1",
    )
    assert rows == [("csv:garmin", 0, 24), ("csv:strava", 24, 0)]


# ---- an updated export -------------------------------------------------------------------------------------


def test_an_updated_export_adds_only_its_new_workouts(tmp_path: Path) -> None:
    """The app's whole history again plus 2 new workouts, at the same path: exactly 2 new activities. The same
    history plus 5 new at another path: exactly 5 more."""
    workouts = csv_samples.hevy_workouts(random.Random(11), first=date(2024, 1, 1), weeks=5)  # 15 workouts
    settings = tmp_path / "fitbalance.toml"
    settings.write_text(SETTINGS)
    db = tmp_path / "t.duckdb"
    export = tmp_path / "in" / "workouts.csv"
    export.parent.mkdir()
    export.write_bytes(csv_samples.hevy(workouts[:8]))
    first = ingest([export.parent], db, settings)
    assert first["activities_added"] == 8
    ids_before = {r[0] for r in q(db, "SELECT activity_id FROM activities")}

    export.write_bytes(csv_samples.hevy(workouts[:10]))
    second = ingest([export.parent], db, settings)
    assert (second["loaded"], second["activities_added"]) == (1, 2)
    assert second["sets_added"] == sum(len([s for s in w.sets if s.set_type != "rest"]) for w in workouts[8:10])
    ids_after = {r[0] for r in q(db, "SELECT activity_id FROM activities")}
    assert ids_before < ids_after and len(ids_after) == 10
    assert q(db, "SELECT count(*) FROM source_files") == [(1,)]

    (tmp_path / "in" / "later").mkdir()
    (tmp_path / "in" / "later" / "workouts (1).csv").write_bytes(csv_samples.hevy(workouts))
    third = ingest([export.parent], db, settings)
    assert (third["loaded"], third["activities_added"], third["already_loaded"]) == (1, 5, 1)
    assert q(db, "SELECT count(*), count(DISTINCT start_time_utc) FROM activities") == [(15, 15)]


# ---- units come from the settings --------------------------------------------------------------------------


def test_strongs_current_layout_waits_for_the_unit_settings(tmp_path: Path) -> None:
    """No units set: every workout and set loads; each weight and distance loads as null and waits as written (a
    `repairs` row `unit_unknown`), the views give those sets no load, volume or e1RM (never 0 kg), and `fitbalance
    status` names the setting. Units set: the next run reads the file again, weights as written in kg, the
    treadmill's 2 km in metres, no value waits and no row is duplicated."""
    from fitbalance.cli import app

    workouts = csv_samples.hevy_workouts(random.Random(3), first=date(2024, 3, 4), weeks=1)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "strong.csv").write_bytes(csv_samples.strong_current(workouts))
    settings = tmp_path / "fitbalance.toml"
    settings.write_text(SETTINGS)
    db = tmp_path / "t.duckdb"

    first = ingest([folder], db, settings)
    assert (first["loaded"], first["activities_added"], first["quarantined"]) == (1, 3, 0)
    sets = q(db, "SELECT count(*) FROM strength_sets")[0][0]
    waiting = dict(q(db, "SELECT setting, count(*) FROM waiting_values GROUP BY 1"))
    loaded = q(db, "SELECT count(*) FROM strength_sets WHERE weight_kg IS NULL AND reps > 0")[0][0]
    assert waiting == {"weight_unit": loaded, "distance_unit": 1} and loaded > 0
    assert q(db, "SELECT DISTINCT rule, table_name FROM repairs") == [("unit_unknown", "strength_sets")]
    assert q(
        db,
        "SELECT count(*), count(weight_kg), count(volume_load_kg), count(e1rm_kg) FROM working_sets "
        "WHERE weight_waiting",
    ) == [(q(db, "SELECT count(*) FROM working_sets WHERE weight_waiting")[0][0], 0, 0, 0)]
    assert q(db, "SELECT count(*) FROM working_sets WHERE weight_kg = 0 AND weight_waiting") == [(0,)]
    assert q(db, "SELECT count(best_e1rm_kg) FROM personal_records") == [(0,)]
    status = CliRunner().invoke(app, ["status", "--db", str(db)])
    assert f"{loaded} strength_sets.weight_kg values" in status.output and "set weight_unit" in status.output

    settings.write_text(SETTINGS + 'weight_unit = "kg"\ndistance_unit = "km"\n')
    second = ingest([folder], db, settings)
    assert (second["reread"], second["activities_added"], second["quarantined"]) == (1, 0, 0)
    assert q(db, "SELECT count(*) FROM activities") == [(3,)]
    assert q(db, "SELECT count(*) FROM strength_sets") == [(sets,)]
    assert q(db, "SELECT count(*) FROM waiting_values") == [(0,)]
    bench = q(db, "SELECT max(weight_kg) FROM strength_sets WHERE exercise = 'Bench Press'")
    assert bench == [(60.0,)]
    assert q(db, "SELECT distance_m FROM strength_sets WHERE exercise = 'Treadmill Running'") == [(2000.0,)]
    assert q(db, "SELECT count(best_e1rm_kg) > 0 FROM personal_records") == [(True,)]
    third = ingest([folder], db, settings)
    assert (third["already_loaded"], third["loaded"]) == (1, 0)


# ---- unmapped exercise names -------------------------------------------------------------------------------


def test_unmapped_names_are_listed_and_a_mapping_reaches_loaded_sets(tmp_path: Path) -> None:
    """`fitbalance unmapped` lists a name the catalogue does not know with its count and how to map it; after the
    mapping is added, the next ingest maps the sets already loaded."""
    from fitbalance.cli import app

    sets = (
        LiftSet("Bench Press (Barbell)", "normal", 60.0, 8),
        *[LiftSet("Garage Stone Lift", "normal", 40.0, 5) for _ in range(3)],
    )
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "hevy.csv").write_bytes(csv_samples.hevy([Workout("Odd day", datetime(2024, 5, 6, 18, 0), 40, sets)]))
    settings = tmp_path / "fitbalance.toml"
    settings.write_text(SETTINGS)
    db = tmp_path / "t.duckdb"
    ingest([folder], db, settings)

    runner = CliRunner()
    result = runner.invoke(app, ["unmapped", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "Garage Stone Lift" in result.output and "3" in result.output
    assert "Bench Press (Barbell)" not in result.output
    assert '"Garage Stone Lift" = ' in result.output and "exercise_names" in result.output

    settings.write_text(SETTINGS + '[athletes.me.exercise_names]\n"Garage Stone Lift" = "Deadlift"\n')
    ingest([folder], db, settings)
    assert q(db, "SELECT exercise, count(*) FROM strength_sets GROUP BY 1 ORDER BY 1") == [
        ("Bench Press", 1),
        ("Deadlift", 3),
    ]
    result = runner.invoke(app, ["unmapped", "--db", str(db)])
    assert result.exit_code == 0 and "Every exercise name maps" in result.output


def test_every_row_read_is_loaded_quarantined_or_repeated(csv_run: dict[str, Any]) -> None:
    """Over both runs, per table: read = loaded + quarantined + repeated, agreeing with the tables; of the sets read,
    the absurd one alone is quarantined, and the activities read are those of every loaded export."""
    totals = assert_every_row_is_accounted_for(csv_run["db"])
    assert totals["strength_sets"][2] == 1
    assert totals["activities"][0] == sum(ACTIVITIES.values())
