"""The cases of real exports that once lost or double-counted training (sample_data/cases, written by
synth.cases), through the real Prefect flow with **no settings file**, checked against EXPECTED.json: a
field is repaired before a row is rejected, a row before a file, and CSV times are placed by the athlete's watch.
Also: a changed ``time_zone`` re-places the CSV times already loaded, without reading a file again."""

from __future__ import annotations

import json
import random
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

from synth import csv_samples
from synth.history import DEVICES, LIFTS, ActivityPlan, encode_activity, endurance_session, strength_session
from tests.ingesting import ingest_like_the_flow as ingest

from .accounts import assert_every_row_is_accounted_for
from .conftest import SAMPLE_DATA

CASES: dict[str, dict[str, Any]] = json.loads((SAMPLE_DATA / "EXPECTED.json").read_text())["cases"]


def q(db: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def cases_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """sample_data/cases ingested from a folder with no fitbalance.toml and no FITBALANCE_SETTINGS."""
    root = tmp_path_factory.mktemp("cases")
    shutil.copytree(SAMPLE_DATA / "cases", root / "cases")
    db = root / "cases.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("FITBALANCE_SETTINGS", raising=False)
        patch.chdir(root)
        first = ingest([root / "cases"], db)
    return {"db": db, "root": root, "first": first}


def activity(db: Path, name: str, columns: str) -> tuple[Any, ...]:
    (row,) = q(
        db,
        f"SELECT {columns} FROM activities AS a JOIN source_files AS f USING (file_id) WHERE f.path LIKE ?",
        [f"%/{name}"],
    )
    return row


def repairs_of(db: Path, name: str) -> list[dict[str, Any]]:
    found = q(
        db,
        "SELECT table_name, column_name, rule, original, rows FROM repairs WHERE path LIKE ? ORDER BY ALL",
        [f"%/{name}"],
    )
    return [dict(zip(("table", "column", "rule", "original", "rows"), r, strict=True)) for r in found]


def expected_repairs(name: str) -> list[dict[str, Any]]:
    return sorted(CASES[name]["repairs"], key=lambda r: tuple(r.values()))


def test_every_case_file_loads(cases_run: dict[str, Any]) -> None:
    """No case file is quarantined whole: each loads, with its activities."""
    files = dict(q(cases_run["db"], "SELECT regexp_extract(path, 'cases/.*$'), status FROM source_files"))
    assert files == {name: case["status"] for name, case in CASES.items()}
    per_file = dict(
        q(
            cases_run["db"],
            "SELECT regexp_extract(f.path, 'cases/.*$'), count(*) FROM activities a "
            "JOIN source_files f USING (file_id) GROUP BY 1",
        )
    )
    assert per_file == {name: case["activities"] for name, case in CASES.items()}


def test_an_indoor_ride_without_a_strap_loads_with_its_heart_rate_repaired(cases_run: dict[str, Any]) -> None:
    """The session's, the lap's and every record's heart rate of 0 are null, each column recorded once with how many
    rows; the ride's samples all load."""
    name = "cases/indoor-ride-no-hr-strap.fit"
    case, db = CASES[name], cases_run["db"]
    assert repairs_of(db, name) == expected_repairs(name)
    avg_hr, max_hr, samples, with_hr = activity(
        db,
        name,
        "a.avg_hr, a.max_hr, (SELECT count(*) FROM samples s WHERE s.activity_id = a.activity_id), "
        "(SELECT count(heart_rate) FROM samples s WHERE s.activity_id = a.activity_id)",
    )
    assert (avg_hr, max_hr, samples, with_hr) == (None, None, case["samples"], case["heart_rate_samples"])
    [(minutes,)] = q(db, "SELECT minutes FROM activities_effective WHERE sub_sport = 'indoor_cycling'")
    assert minutes == pytest.approx(case["minutes"])


def test_a_clock_jump_ride_counts_its_timer_minutes(cases_run: dict[str, Any]) -> None:
    """A session whose elapsed time says three weeks loads: the elapsed time is null (recorded, with the three
    weeks), its minutes are the two hours of the timer, and its week holds them."""
    name = "cases/clock-jump-ride.fit"
    case, db = CASES[name], cases_run["db"]
    assert repairs_of(db, name) == expected_repairs(name)
    elapsed, moving, activity_id = activity(db, name, "a.elapsed_s, a.moving_s, a.activity_id")
    assert elapsed is None and moving == pytest.approx(case["minutes"] * 60)
    [(minutes, week)] = q(
        db, "SELECT minutes, week_start FROM activities_effective WHERE activity_id = ?", [activity_id]
    )
    assert minutes == pytest.approx(case["minutes"])
    [(total,)] = q(db, "SELECT total_minutes FROM weekly_balance WHERE week_start = ?", [week])
    assert case["minutes"] <= total < 7 * 24 * 60


def test_the_watch_and_hevy_copies_of_a_session_count_once_with_no_settings(cases_run: dict[str, Any]) -> None:
    """Hevy's "1 Sep 2025, 16:42" is placed by the fenix 8's offset (-4 h, learned): 20:42 UTC, the watch's start;
    the two are linked, the watch's row counts, and the week has one strength session, not two."""
    db = cases_run["db"]
    watch, hevy = CASES["cases/fenix8-strength.fit"], CASES["cases/hevy-same-session.csv"]
    fit_id, *fit_time = activity(
        db, "fenix8-strength.fit", "a.activity_id, a.start_time_utc, a.utc_offset_s, a.utc_offset_source"
    )
    assert [t.isoformat() if isinstance(t, datetime) else t for t in fit_time] == [
        watch["start_time_utc"],
        watch["utc_offset_s"],
        watch["utc_offset_source"],
    ]
    placed = activity(
        db,
        "hevy-same-session.csv",
        "a.start_time_local, a.start_time_utc, a.utc_offset_s, a.utc_offset_source, a.duplicate_of",
    )
    assert placed == (
        datetime.fromisoformat(hevy["start_time_local"]),
        datetime.fromisoformat(hevy["start_time_utc"]),
        hevy["utc_offset_s"],
        hevy["utc_offset_source"],
        fit_id,
    )
    [(sessions, days)] = q(
        db,
        "SELECT resistance_sessions, resistance_days FROM weekly_balance WHERE week_start = DATE '2025-09-01'",
    )
    assert (sessions, days) == (1, 1)


def test_a_row_dated_1985_is_quarantined_alone_naming_its_line(cases_run: dict[str, Any]) -> None:
    """The Garmin export's run dated 1985 is one quarantine row (its line, the rule it broke, its values); the other
    runs load, placed by the watch's offsets."""
    name = "cases/garmin-row-dated-1985.csv"
    case, db = CASES[name], cases_run["db"]
    rows = q(
        db, "SELECT stage, table_name, line, rows, reason, payload FROM quarantine WHERE path LIKE ?", [f"%/{name}"]
    )
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        (case["quarantine_stage"], "activities", line, 1) for line in case["quarantined_lines"]
    ]
    reason, payload = rows[0][4], json.loads(rows[0][5])
    assert reason.startswith(f"line {case['quarantined_lines'][0]}: start_time_utc") and "1985" in reason
    assert payload["source_line"] == case["quarantined_lines"][0]
    sources = q(
        db,
        "SELECT DISTINCT a.utc_offset_source FROM activities a JOIN source_files f USING (file_id) WHERE f.path LIKE ?",
        [f"%/{name}"],
    )
    assert sources == [(case["utc_offset_source"],)]


def test_every_row_read_is_loaded_quarantined_or_repeated(cases_run: dict[str, Any]) -> None:
    """Per table: read = loaded + quarantined + repeated in the run's accounts, which agree with the tables; the
    activities read are the loaded ones and the one dated 1985."""
    totals = assert_every_row_is_accounted_for(cases_run["db"])
    assert totals["activities"] == (sum(c["activities"] for c in CASES.values()) + 1, 7, 1, 0)


def test_status_shows_the_row_accounts_the_repairs_and_where_offsets_came_from(cases_run: dict[str, Any]) -> None:
    from fitbalance.cli import app

    result = CliRunner().invoke(app, ["status", "--db", str(cases_run["db"])], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "rows read/loaded/quarantined/already loaded: activities 8/7/1/0" in result.output
    assert "no_reading samples.heart_rate: " in result.output
    assert "elapsed_beyond_timer activities.elapsed_s: 1 values in 1 activities" in result.output
    assert "UTC offsets of the activities that count: 3 fit, 3 learned" in result.output
    assert "read as UTC" not in result.output


# ---- the athlete's time zone changes -------------------------------------------------------------------------

NEW_YORK_NOON = datetime(2025, 11, 3, 17, 0)  # UTC: Monday 12:00 in New York (EST, -5 h), 18:00 in Berlin


def _zone_inbox(folder: Path) -> None:
    """A run from the watch a month earlier (its own offset), a Wahoo bike computer's strength session at New York
    noon (no local time in the file) and the Hevy workout of that session, "3 Nov 2025, 12:00" (no zone)."""
    folder.mkdir()
    run = endurance_session(random.Random(1), datetime(2025, 10, 1, 11, 0, tzinfo=UTC), "running", 1800)
    (folder / "run.fit").write_bytes(encode_activity(ActivityPlan(DEVICES["garmin_fr965"], (run,), -4 * 3600)))
    lift = strength_session(random.Random(2), NEW_YORK_NOON.replace(tzinfo=UTC), [(LIFTS["bench press"], 60.0, 8)])
    (folder / "strength.fit").write_bytes(encode_activity(ActivityPlan(DEVICES["wahoo_bolt"], (lift,), 0)))
    sets = tuple(csv_samples.LiftSet("Bench Press (Barbell)", "normal", 60.0, 8) for _ in range(4))
    local = NEW_YORK_NOON - timedelta(hours=5)
    workout = csv_samples.Workout("Bench", local, round(lift.elapsed_s / 60), sets)
    (folder / "hevy.csv").write_bytes(csv_samples.hevy([workout]))


def test_a_new_time_zone_moves_the_csv_times_already_loaded_and_not_the_watchs(tmp_path: Path) -> None:
    """Ingested with time_zone Europe/Berlin, the Hevy workout is placed at 11:00 UTC and the Wahoo session (an
    instant without an offset) at 18:00 local: two sessions. With America/New_York and nothing new to read, the
    next run places the Hevy workout at 17:00 UTC (same id, same local time) and the Wahoo session at 12:00 local:
    one session, linked. The watch's run, with its own offset, does not move."""
    inbox = tmp_path / "inbox"
    _zone_inbox(inbox)
    settings, db = tmp_path / "fitbalance.toml", tmp_path / "t.duckdb"
    settings.write_text('[athletes.me]\ntime_zone = "Europe/Berlin"\n')
    ingest([inbox], db, settings)
    query = (
        "SELECT f.path, a.activity_id, a.start_time_utc, a.start_time_local, a.utc_offset_source, "
        "a.duplicate_of IS NOT NULL FROM activities a JOIN source_files f USING (file_id) ORDER BY f.path"
    )
    before = {Path(r[0]).name: r[1:] for r in q(db, query)}
    week = "SELECT resistance_sessions FROM weekly_balance WHERE week_start = DATE '2025-11-03'"
    assert q(db, week) == [(2,)]
    assert before["hevy.csv"][1:4] == (datetime(2025, 11, 3, 11, 0), datetime(2025, 11, 3, 12, 0), "settings")

    settings.write_text('[athletes.me]\ntime_zone = "America/New_York"\n')
    again = ingest([inbox], db, settings)
    assert again["loaded"] == 0 and again["already_loaded"] == 3
    after = {Path(r[0]).name: r[1:] for r in q(db, query)}
    assert after["run.fit"] == before["run.fit"]
    assert after["hevy.csv"][0] == before["hevy.csv"][0]  # the same activity: its id is its local time
    assert after["hevy.csv"][1:3] == (datetime(2025, 11, 3, 17, 0), datetime(2025, 11, 3, 12, 0))
    assert after["strength.fit"][1:3] == (NEW_YORK_NOON, datetime(2025, 11, 3, 12, 0))
    assert after["hevy.csv"][4] is True  # the Hevy workout is now the watch session's duplicate
    assert q(db, week) == [(1,)]
    assert q(
        db,
        "SELECT sum(rows_read) FROM run_rows r JOIN ingest_runs i USING (run_id) "
        "WHERE i.started_at = (SELECT max(started_at) FROM ingest_runs)",
    ) == [(None,)]
