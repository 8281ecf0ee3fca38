"""The XML exports of sample_data/xml through the real ingest (fitbalance.run) into a DuckDB file, with **no settings
file**: an Apple Watch owner who lifts, whose Hevy and Strava workouts reach Apple Health too.

Checked against EXPECTED.json (written by ``synth.xml_exports`` from its own plan): every workout once,
Apple's strength workouts as resistance in the weekly balance, the Strava run and Hevy's workout (each in Apple
Health and in the app's own export) counted once, and every row accounted for.
"""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from synth import csv_samples, xml_exports
from tests.ingesting import ingest_like_the_flow

from ..accounts import assert_every_row_is_accounted_for
from ..conftest import SAMPLE_DATA

EXPECTED: dict[str, dict[str, Any]] = json.loads((SAMPLE_DATA / "EXPECTED.json").read_text())["xml"]
APPLE = EXPECTED["xml/apple_health/export.zip"]
HEVY_LOCAL = datetime(2025, 11, 12, 18, 30)  # Hevy wrote this workout into Apple Health (its times as Hevy's)


def q(db: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def xml_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("xmlflow")
    shutil.copytree(SAMPLE_DATA / "xml", root / "xml")
    sets = [csv_samples.LiftSet("Bench Press (Barbell)", "normal", 60.0, 8) for _ in range(4)]
    (root / "xml" / "hevy.csv").write_bytes(
        csv_samples.hevy([csv_samples.Workout("Push", HEVY_LOCAL, 62, tuple(sets))])
    )
    db = root / "x.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("FITBALANCE_SETTINGS", raising=False)
        patch.chdir(root)
        first = ingest_like_the_flow([root / "xml"], db)
        second = ingest_like_the_flow([root / "xml"], db)
    return {"db": db, "first": first, "second": second}


def test_every_file_and_member_ends_where_expected(xml_run: dict[str, Any]) -> None:
    """export.xml loads; the clinical document, the route and the ECG beside it are skipped with their kind; the
    export without workouts is skipped as such; the TCX and GPX load."""
    status = {
        path.split("/xml/", 1)[1]: (s, d)
        for path, s, d in q(xml_run["db"], "SELECT path, status, detail FROM source_files")
    }
    for member, expected in APPLE["members"].items():
        assert status[f"apple_health/export.zip!/{member}"][0] == expected, member
    assert status["apple_health_records_only/export.xml"] == (
        "skipped",
        pytest.approx(status["apple_health_records_only/export.xml"][1]),
    )
    assert (
        EXPECTED["xml/apple_health_records_only/export.xml"]["kind"]
        in status["apple_health_records_only/export.xml"][1]
    )
    assert status["garmin_run_ride_stub.tcx"][0] == status["strava_morning_run.gpx"][0] == "loaded"
    first = xml_run["first"]
    assert first["files_seen"] == first["loaded"] + first["skipped"] + first["quarantined"] == len(status)
    assert xml_run["second"]["already_loaded"] == len(status)


def test_apple_strength_workouts_are_resistance_in_the_weekly_balance(xml_run: dict[str, Any]) -> None:
    """The week of the sample export: Apple's traditional strength session and Hevy's functional one (once) are the
    week's resistance sessions, on two days."""
    rows = q(
        xml_run["db"],
        "SELECT resistance_sessions, resistance_minutes, resistance_days, other_sessions FROM weekly_balance "
        "WHERE week_start = ?",
        [xml_exports.WEEK],
    )
    ((sessions, minutes, days, other),) = rows
    assert sessions == days == APPLE["resistance"] == 2
    assert minutes == pytest.approx(55 + 62)
    # Apple's five other workouts, the Strava run among them counted once (its GPX counts in its place)
    assert other == APPLE["activities"] - APPLE["resistance"] == 5


def test_the_same_session_in_apple_health_and_the_apps_own_export_counts_once(xml_run: dict[str, Any]) -> None:
    """Strava's run: in Apple Health (written by Strava) and in Strava's GPX; Hevy's workout: in Apple Health and in
    Hevy's CSV, placed by Apple's offsets with no settings. One of each counts; the other points at it."""
    rows = q(
        xml_run["db"],
        "SELECT a.source_format, a.device, a.duplicate_of IS NULL, p.source_format FROM activities AS a "
        "LEFT JOIN activities AS p ON p.activity_id = a.duplicate_of WHERE a.duplicate_of IS NOT NULL",
    )
    assert sorted(rows) == [
        ("csv:hevy", None, False, "xml:apple_health"),
        ("xml:apple_health", "Strava", False, "gpx"),
    ]
    (placed,) = q(
        xml_run["db"], "SELECT utc_offset_s, utc_offset_source FROM activities WHERE source_format = 'csv:hevy'"
    )
    assert placed == (3600, "learned")


def test_heart_rate_samples_and_the_repair_are_stored(xml_run: dict[str, Any]) -> None:
    """The heart-rate records of Apple's workouts are their samples; the run whose total and statistic disagree has
    a repairs row saying the statistic won."""
    (samples,) = q(
        xml_run["db"],
        "SELECT count(*) FROM samples AS s JOIN activities AS a USING (activity_id) "
        "WHERE a.source_format = 'xml:apple_health'",
    )[0]
    assert samples == APPLE["samples"]
    repairs = q(xml_run["db"], "SELECT table_name, column_name, rule FROM repairs")
    assert repairs == [("activities", "distance_m", "statistic_over_total")]


def test_the_stub_is_quarantined_alone_and_every_row_is_accounted_for(xml_run: dict[str, Any]) -> None:
    """The TCX's 8-second activity is a quarantine row of its own (its samples and lap counted with it); run_rows
    adds up."""
    rows = q(xml_run["db"], "SELECT table_name, rows FROM quarantine WHERE path LIKE '%.tcx' ORDER BY table_name")
    assert rows == [("activities", 1), ("laps", 1), ("samples", 2)]
    assert_every_row_is_accounted_for(xml_run["db"])


def test_times_with_an_offset_keep_it_and_instants_are_placed(xml_run: dict[str, Any]) -> None:
    """Apple's times keep their own offset (row); the GPX run's UTC time is placed by Apple's nearby offset."""
    sources = dict(
        q(xml_run["db"], "SELECT source_format, list(DISTINCT utc_offset_source) FROM activities GROUP BY 1")
    )
    assert sources["xml:apple_health"] == ["row"]
    assert q(xml_run["db"], "SELECT start_time_local FROM activities WHERE source_format = 'gpx'") == [
        (datetime(2025, 11, 13, 7, 15),)
    ]
    assert date(2025, 11, 10) == xml_exports.WEEK


def test_the_route_of_apples_run_is_its_positions_not_an_activity(xml_run: dict[str, Any]) -> None:
    """The route GPX in export.zip is the watch's run's positions (samples with lat/lon), never an activity of its
    own: no activity comes from a workout-routes/ file."""
    ((positions, with_hr),) = q(
        xml_run["db"],
        "SELECT count(s.lat), count(s.heart_rate) FROM samples AS s JOIN activities AS a USING (activity_id) "
        "WHERE a.source_format = 'xml:apple_health' AND a.sport = 'running' AND a.device = 'Apple Watch'",
    )
    assert positions == 48 * 60 // 10 + 1 and with_hr >= positions
    assert q(
        xml_run["db"],
        "SELECT count(*) FROM activities AS a JOIN source_files AS f USING (file_id) "
        "WHERE f.path LIKE '%workout-routes/%'",
    ) == [(0,)]


def test_apples_average_mets_are_a_column_of_the_workout(xml_run: dict[str, Any]) -> None:
    """``HKAverageMETs`` of the strength session (``4.2 kcal/hr·kg``) is its ``avg_mets``, there for SQL."""
    rows = q(xml_run["db"], "SELECT sport, avg_mets FROM activities WHERE avg_mets IS NOT NULL")
    assert rows == [("training", 4.2)]
