"""The exports of Samsung Health, WHOOP and Mi Fit / Zepp through the real ingest into a DuckDB file.

The sample folders of sample_data/watches (written by synth.watch_csvs: four weeks from 2026-01-05 of an
athlete in Berlin; the Samsung Health folder zipped, as the app's download is) with two FIT files of the same
athlete's other watch: one is the first Samsung weight-machine workout, one the first WHOOP run. Strength workouts of
every app are resistance and the weekly balance counts them; each session recorded twice counts once; the exports'
other files are skipped with their kind; a WHOOP row that cannot be read is quarantined alone; every row read is
accounted for.
"""

from __future__ import annotations

import json
import random
import shutil
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from synth import watch_csvs
from synth.history import DEVICES, LIFTS, ActivityPlan, encode_activity, endurance_session, strength_session
from tests.ingesting import ingest_like_the_flow

from .accounts import assert_every_row_is_accounted_for
from .conftest import SAMPLE_DATA

SETTINGS = 'default_athlete = "me"\n[athletes.me]\ntime_zone = "Europe/Berlin"\n'
EXPECTED: dict[str, dict[str, Any]] = json.loads((SAMPLE_DATA / "EXPECTED.json").read_text())["watches"]
LOADED = {Path(name).name: e for name, e in EXPECTED.items() if e["status"] == "loaded"}
SKIPPED = {Path(name).name: e["kind"] for name, e in EXPECTED.items() if e["status"] == "skipped"}
BAD_WHOOP = (
    "Cycle start time,Cycle end time,Cycle timezone,Workout start time,Workout end time,Duration (min),"
    "Activity name,Energy burned (cal),Max HR (bpm),Average HR (bpm)\n"
    "2026-02-06 00:10:00,2026-02-07 00:10:00,UTC+01:00,2026-02-06 07:00:00,2026-02-06 07:45:00,45,"
    "Powerlifting,300,150,110\n"
    "2026-02-07 00:10:00,2026-02-08 00:10:00,UTC+01:00,not a time,2026-02-07 07:45:00,45,Powerlifting,300,150,110\n"
)


def q(db: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def write_watch_files(folder: Path) -> None:
    """The other watch's FIT files of the first Samsung weight-machine workout and the first WHOOP run."""
    planned = watch_csvs.planned_sessions()
    lift = next(s for s in planned["samsung"] if s.kind == "15002")
    run = next(s for s in planned["whoop"] if s.kind == "Running")
    rng = random.Random(27)
    sessions = {
        "watch-lift.fit": strength_session(
            rng,
            lift.utc_start.replace(tzinfo=UTC) + timedelta(minutes=1),
            [(LIFTS["bench press"], 60.0, 8), (LIFTS["back squat"], 80.0, 5)],
        ),
        "watch-run.fit": endurance_session(rng, run.utc_start.replace(tzinfo=UTC), "running", run.minutes * 60),
    }
    folder.mkdir(parents=True)
    for name, session in sessions.items():
        plan = ActivityPlan(device=DEVICES["garmin_fr965"], sessions=(session,), utc_offset_s=3600)
        (folder / name).write_bytes(encode_activity(plan))


@pytest.fixture(scope="module")
def watch_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("watches")
    data = root / "in"
    shutil.copytree(SAMPLE_DATA / "watches", data / "watches")
    samsung = data / "watches" / watch_csvs.SAMSUNG_DIR
    shutil.make_archive(str(samsung), "zip", root_dir=samsung.parent, base_dir=samsung.name)
    shutil.rmtree(samsung)
    write_watch_files(data / "other-watch")
    (data / "whoop-february").mkdir()
    (data / "whoop-february" / "workouts.csv").write_text(BAD_WHOOP)
    settings = root / "fitbalance.toml"
    settings.write_text(SETTINGS)
    db = root / "watches.duckdb"
    first = ingest_like_the_flow([data], db, settings, workers=1, batch_size=4)
    second = ingest_like_the_flow([data], db, settings)
    return {"db": db, "first": first, "second": second}


def test_every_export_file_is_loaded_or_skipped_with_its_kind(watch_run: dict[str, Any]) -> None:
    """Exercise table, workouts.csv and SPORT csv load their workouts; steps, sleep, cycles and daily totals skip."""
    db = watch_run["db"]
    files = {
        Path(path).name: (fmt, status, detail)
        for path, fmt, status, detail in q(db, "SELECT path, format, status, detail FROM source_files")
    }
    for name, kind in SKIPPED.items():
        _, status, detail = files[name]
        assert status == "skipped" and kind in detail, (name, detail)
    counts = dict(
        q(
            db,
            "SELECT regexp_extract(f.path, '[^/]+$'), count(*) FROM activities a JOIN source_files f USING (file_id) "
            "WHERE f.path LIKE '%/in/watches/%' GROUP BY 1",
        )
    )
    assert counts == {name: e["activities"] for name, e in LOADED.items()}
    formats = {fmt for fmt, status, _ in files.values() if status == "loaded"}
    assert formats == {"csv:samsung_health", "csv:whoop", "csv:mifit", "fit"}
    zipped = q(db, "SELECT count(*) FROM source_files WHERE path LIKE ?", [f"%{watch_csvs.SAMSUNG_DIR}.zip!/%"])
    assert zipped == [(3,)]


def test_times_keep_the_offset_their_row_gives(watch_run: dict[str, Any]) -> None:
    """Samsung and WHOOP rows carry their offset (+01:00, from the row); Mi Fit's instants are placed by the
    athlete's own watch or zone (learned, settings), never moved in UTC."""
    rows = q(
        watch_run["db"],
        "SELECT source_format, min(utc_offset_s), max(utc_offset_s), list(DISTINCT utc_offset_source ORDER BY 1) "
        "FROM activities WHERE source_format LIKE 'csv:%' GROUP BY 1 ORDER BY 1",
    )
    expected = [("csv:mifit", 3600, 3600), ("csv:samsung_health", 3600, 3600), ("csv:whoop", 3600, 3600)]
    assert [r[:3] for r in rows] == expected
    assert [r[3] for r in rows[1:]] == [["row"], ["row"]] and set(rows[0][3]) <= {"learned", "settings"}
    planned = [s.utc_start for s in watch_csvs.planned_sessions()["mifit"]]
    assert [
        r[0]
        for r in q(
            watch_run["db"], "SELECT start_time_utc FROM activities WHERE source_format = 'csv:mifit' ORDER BY 1"
        )
    ] == planned
    first_lift = next(s for s in watch_csvs.planned_sessions()["samsung"] if s.kind == "15002")
    assert q(
        watch_run["db"],
        "SELECT start_time_local FROM activities WHERE source_format = 'csv:samsung_health' ORDER BY 1 LIMIT 1",
    ) == [(first_lift.local_start,)]


def test_a_session_recorded_by_two_watches_counts_once(watch_run: dict[str, Any]) -> None:
    """The Samsung weight-machine workout and the WHOOP run that a FIT file also holds are its duplicates."""
    pairs = q(
        watch_run["db"],
        "SELECT d.source_format, d.name, p.source_format FROM activities d JOIN activities p "
        "ON p.activity_id = d.duplicate_of ORDER BY 1",
    )
    assert pairs == [("csv:samsung_health", "Weight machine", "fit"), ("csv:whoop", "Running", "fit")]


def test_strength_workouts_are_resistance_and_the_weekly_balance_counts_them(watch_run: dict[str, Any]) -> None:
    """Each of the four weeks: two Samsung strength workouts (machines, kettlebell), one WHOOP Weightlifting (one
    week Functional Fitness) and one Mi Fit strength training: four resistance sessions, the FIT copy counted once."""
    db = watch_run["db"]
    by_source = dict(
        q(
            db,
            "SELECT source_format, count(*) FROM activities WHERE category = 'resistance' AND duplicate_of IS NULL "
            "GROUP BY 1",
        )
    )
    planned = watch_csvs.planned_sessions()
    samsung, whoop, mifit = (sum(s.resistance for s in planned[app]) for app in ("samsung", "whoop", "mifit"))
    assert by_source == {"csv:samsung_health": samsung - 1, "csv:whoop": whoop + 1, "csv:mifit": mifit, "fit": 1}
    weeks = q(
        db,
        "SELECT iso_week, resistance_sessions FROM weekly_balance WHERE week_start BETWEEN ? AND ? ORDER BY 1",
        [watch_csvs.START, watch_csvs.START + timedelta(weeks=watch_csvs.WEEKS - 1)],
    )
    assert weeks == [("2026-W02", 4), ("2026-W03", 4), ("2026-W04", 4), ("2026-W05", 4)]
    reasons = q(db, "SELECT DISTINCT classification_reason FROM activities WHERE name = 'Kettlebell strength'")
    assert reasons == [("name:strength",)]


def test_a_bad_row_is_quarantined_alone_and_every_row_is_accounted(watch_run: dict[str, Any]) -> None:
    """The WHOOP row with an unreadable start is a quarantine row naming line 3; its neighbour loads; the second run
    adds nothing; read = loaded + quarantined + repeated in every table."""
    db = watch_run["db"]
    rows = q(db, "SELECT stage, reason FROM quarantine")
    assert len(rows) == 1 and rows[0][0] == "decode" and "line 3" in rows[0][1] and "workout start time" in rows[0][1]
    assert q(db, "SELECT count(*) FROM activities WHERE name = 'Powerlifting'") == [(1,)]
    assert watch_run["second"]["loaded"] == 0
    totals = assert_every_row_is_accounted_for(db)
    assert totals["activities"][2] == 1
