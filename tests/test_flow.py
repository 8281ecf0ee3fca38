"""The real Prefect ingest flow on the bundled sample data, checked against the generator's EXPECTED.json."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

from .conftest import SAMPLE_DATA

EXPECTED = json.loads((SAMPLE_DATA / "EXPECTED.json").read_text())


def q(db: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def table_snapshot(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    return {
        "activities": q(db, "SELECT * EXCLUDE (file_id) FROM activities ORDER BY activity_id"),
        "strength_sets": q(db, "SELECT * FROM strength_sets ORDER BY activity_id, set_index"),
        "samples": q(db, "SELECT count(*), sum(heart_rate), round(sum(distance_m), 3) FROM samples"),
        "quarantine": q(db, "SELECT path, stage, reason FROM quarantine ORDER BY ALL"),
    }


@pytest.fixture(scope="module")
def sample_run(prefect_harness: None, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from fitbalance.pipelines.ingest import ingest_flow

    root = tmp_path_factory.mktemp("flow")
    data = root / "sample_data"
    shutil.copytree(SAMPLE_DATA / "fit", data / "fit")
    shutil.copytree(SAMPLE_DATA / "archives", data / "archives")
    shutil.copytree(SAMPLE_DATA / "invalid", data / "invalid")
    db = root / "t.duckdb"
    first = ingest_flow(paths=[str(data)], db=str(db), workers=2, batch_size=8)
    snapshot = table_snapshot(db)
    second = ingest_flow(paths=[str(data)], db=str(db))
    return {"db": db, "data": data, "first": first, "second": second, "snapshot": snapshot}


def test_every_activity_of_the_sample_history_is_loaded_and_classified(sample_run: dict[str, Any]) -> None:
    """81 activities: 36 resistance and 45 other, as the generator intended."""
    counts = EXPECTED["counts"]
    rows = dict(q(sample_run["db"], "SELECT category, count(*) FROM activities GROUP BY ALL"))
    assert rows == {"resistance": counts["resistance_activities"], "other": counts["other_activities"]}
    intended = {(a["start_time_utc"], a["category"]) for a in EXPECTED["activities"]}
    got = {(t.isoformat(), c) for t, c in q(sample_run["db"], "SELECT start_time_utc, category FROM activities")}
    assert got == intended


def test_sets_and_offsets_match_what_was_written(sample_run: dict[str, Any]) -> None:
    """Active sets count, and every activity's UTC offset (Wahoo files have none: the athlete's zone fills it)."""
    sets = q(
        sample_run["db"],
        "SELECT count(*) FILTER (WHERE set_type = 'working'), "
        "count(*) FILTER (WHERE set_type = 'rest') FROM strength_sets",
    )
    assert sets == [(EXPECTED["counts"]["active_sets"], EXPECTED["counts"]["rest_sets"])]
    offsets = dict(
        q(sample_run["db"], "SELECT strftime(start_time_utc, '%Y-%m-%dT%H:%M:%S'), utc_offset_s FROM activities")
    )
    for a in EXPECTED["activities"]:
        if a["utc_offset_s"] is not None:
            assert offsets[a["start_time_utc"]] == a["utc_offset_s"], a["file"]
        else:  # Europe/Berlin is not the default athlete's zone: the default (UTC) applies
            assert offsets[a["start_time_utc"]] == 0


def test_multisport_file_gives_one_classified_activity_per_session(sample_run: dict[str, Any]) -> None:
    rows = q(
        sample_run["db"],
        "SELECT session_index, sport, category FROM activities a JOIN source_files f "
        "USING (file_id) WHERE f.path LIKE '%multisport.fit' ORDER BY 1",
    )
    assert rows == [(0, "training", "resistance"), (1, "running", "other")]


def test_strength_without_sets_is_resistance(sample_run: dict[str, Any]) -> None:
    rows = q(
        sample_run["db"],
        """SELECT a.category, a.classification_reason FROM activities a
        WHERE a.sub_sport = 'strength_training'
          AND NOT EXISTS (SELECT 1 FROM strength_sets s WHERE s.activity_id = a.activity_id)""",
    )
    assert rows == [("resistance", "sport:training/strength_training")]


def test_nothing_is_lost(sample_run: dict[str, Any]) -> None:
    """files seen = loaded + skipped + already loaded + quarantined, for both runs."""
    for run in (sample_run["first"], sample_run["second"]):
        assert run["files_seen"] == run["loaded"] + run["skipped"] + run["already_loaded"] + run["quarantined"]
    first = sample_run["first"]
    counts = EXPECTED["counts"]
    assert (
        first["files_seen"]
        == counts["activity_files"]
        - counts["zip_fit_members"]
        + counts["zip_fit_members"]
        - counts["chained_files"] * 0
        + counts["other_files"]
        + counts["invalid_files"]
    )
    assert first["skipped"] == counts["other_files"]
    assert first["quarantined"] == counts["invalid_files"]


def test_broken_files_are_quarantined_with_the_decoders_reason(sample_run: dict[str, Any]) -> None:
    rows = dict(
        q(
            sample_run["db"],
            "SELECT regexp_extract(path, '[^/]+$'), detail FROM source_files WHERE status = 'quarantined'",
        )
    )
    assert "bad CRC" in rows["bad-crc.fit"]
    assert "truncated" in rows["truncated.fit"] and "truncated" in rows["header-only.fit"]
    assert "not a FIT file" in rows["not-fit.fit"]
    assert "empty" in rows["empty.fit"]
    assert "max_hr" in rows["impossible-values.fit"] and "254" in rows["impossible-values.fit"]


def test_a_second_run_adds_nothing_and_changes_nothing(sample_run: dict[str, Any]) -> None:
    second = sample_run["second"]
    assert second["loaded"] == second["activities_added"] == second["quarantined"] == 0
    assert second["already_loaded"] == sample_run["first"]["files_seen"]
    assert table_snapshot(sample_run["db"]) == sample_run["snapshot"]


def test_runs_are_recorded(sample_run: dict[str, Any]) -> None:
    rows = q(
        sample_run["db"],
        "SELECT outcome, files_seen, activities_added, flow_run_id IS NOT NULL FROM ingest_runs ORDER BY started_at",
    )
    assert rows == [
        ("completed", sample_run["first"]["files_seen"], EXPECTED["counts"]["activities"], True),
        ("completed", sample_run["second"]["files_seen"], 0, True),
    ]


def test_cli_ingest_sql_and_errors(sample_run: dict[str, Any], tmp_path: Path) -> None:
    """The CLI: ingest prints the summary; sql answers in csv and json; bad paths exit non-zero with a message."""
    from fitbalance.cli import app

    runner = CliRunner()
    src = tmp_path / "in"
    src.mkdir()
    one = next((sample_run["data"] / "fit").rglob("*strength.fit"))
    shutil.copy(one, src / one.name)
    db = tmp_path / "cli.duckdb"
    result = runner.invoke(app, ["ingest", str(src), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "files seen" in result.output and "activities added" in result.output
    result = runner.invoke(
        app, ["sql", "SELECT category, count(*) AS n FROM activities GROUP BY 1", "--db", str(db), "--format", "json"]
    )
    assert result.exit_code == 0 and json.loads(result.output) == [{"category": "resistance", "n": 1}]
    result = runner.invoke(app, ["sql", "SELECT 1 AS a", "--db", str(db), "--format", "csv"])
    assert result.output.splitlines() == ["a", "1"]
    result = runner.invoke(app, ["sql", "DELETE FROM activities", "--db", str(db)])
    assert result.exit_code == 1 and "read-only" in result.output.lower()
    assert runner.invoke(app, ["ingest", str(tmp_path / "missing"), "--db", str(db)]).exit_code == 2
    result = runner.invoke(app, ["ingest", str(src), "--db", str(tmp_path / "no" / "such" / "x.duckdb")])
    assert result.exit_code == 2 and "does not exist" in result.output
