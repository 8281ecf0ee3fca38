"""The real Prefect ingest flow on the bundled sample data, checked against the generator's EXPECTED.json."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import pytest
from typer.testing import CliRunner

from .conftest import SAMPLE_DATA

EXPECTED = json.loads((SAMPLE_DATA / "EXPECTED.json").read_text())
# the files under invalid/ that load: a valid file with impossible values (repaired) and one cut short (its part)
LOADED_BROKEN = [e for e in EXPECTED["invalid"] if e["status"] == "loaded"]


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
    from fitbalance_pipelines.ingest import ingest_flow

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
    """81 activities: 36 resistance and 45 other, as the generator intended, the run whose impossible values
    were repaired and the part of the file cut short."""
    counts = EXPECTED["counts"]
    rows = dict(q(sample_run["db"], "SELECT category, count(*) FROM activities GROUP BY ALL"))
    other = counts["other_activities"] + len(LOADED_BROKEN)
    assert rows == {"resistance": counts["resistance_activities"], "other": other}
    written = [*EXPECTED["activities"], *(e["activity"] for e in LOADED_BROKEN)]
    intended = {(a["start_time_utc"], a["category"]) for a in written}
    got = {(t.isoformat(), c) for t, c in q(sample_run["db"], "SELECT start_time_utc, category FROM activities")}
    assert got == intended


def test_sets_and_offsets_match_what_was_written(sample_run: dict[str, Any]) -> None:
    """Active sets count, and every activity's UTC offset. Wahoo files have none, and no zone is set: the athlete's
    other FIT files, a day or two away, say it (``learned``), daylight saving time included."""
    sets = q(
        sample_run["db"],
        "SELECT count(*) FILTER (WHERE set_type = 'working'), "
        "count(*) FILTER (WHERE set_type = 'rest') FROM strength_sets",
    )
    assert sets == [(EXPECTED["counts"]["active_sets"], EXPECTED["counts"]["rest_sets"])]
    offsets = {
        start: (offset, source)
        for start, offset, source in q(
            sample_run["db"],
            "SELECT strftime(start_time_utc, '%Y-%m-%dT%H:%M:%S'), utc_offset_s, utc_offset_source FROM activities",
        )
    }
    zone = ZoneInfo(EXPECTED["athlete_time_zone"])
    for a in EXPECTED["activities"]:
        if a["utc_offset_s"] is not None:
            assert offsets[a["start_time_utc"]] == (a["utc_offset_s"], "fit"), a["file"]
        else:
            start = datetime.fromisoformat(a["start_time_utc"]).replace(tzinfo=UTC)
            berlin = start.astimezone(zone).utcoffset()
            assert berlin is not None
            assert offsets[a["start_time_utc"]] == (berlin.total_seconds(), "learned"), a["file"]


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


def _export_files(folder: Path) -> list[str]:
    """The files an ingest of ``folder`` must account for, found here from the bytes on disk: every FIT, gzip and
    CSV file, on disk or inside a zip (at any depth). A zip is a container, not a file of its own."""
    found: list[str] = []

    def visit(name: str, data: bytes) -> None:
        if name.lower().endswith(".zip"):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for member in archive.infolist():
                    if not member.is_dir():
                        visit(f"{name}!/{member.filename}", archive.read(member))
        elif name.lower().endswith((".fit", ".gz", ".csv")):
            found.append(name)

    for path in sorted(folder.rglob("*")):
        if path.is_file():
            visit(str(path.relative_to(folder)), path.read_bytes())
    return found


def test_nothing_is_lost(sample_run: dict[str, Any]) -> None:
    """Every file is accounted for exactly once: files seen = loaded + skipped + already loaded + quarantined, in
    both runs. The first run sees the sample's 73 FIT files, its gzipped one and the 5 FIT files inside the export
    zip (79 activity files, all loaded), its 3 FIT files that are not activities (skipped) and its 6 files under
    invalid/: 4 that cannot be decoded (quarantined), one valid file with impossible values (repaired, loaded) and
    one cut short (what precedes the cut loaded);
    the second finds all 88 already loaded."""
    for run in (sample_run["first"], sample_run["second"]):
        assert run["files_seen"] == run["loaded"] + run["skipped"] + run["already_loaded"] + run["quarantined"]
    files = _export_files(sample_run["data"])
    other = [f for f in files if f.startswith("fit/other/")]
    broken = [f for f in files if f.startswith("invalid/")]
    in_zip = [f for f in files if "!/" in f]
    activity_files = [f for f in files if f not in other and f not in broken]
    counts = EXPECTED["counts"]
    assert len(activity_files) == counts["activity_files"] == 79
    assert len(in_zip) == counts["zip_fit_members"] and sum(f.endswith(".gz") for f in files) == counts["fit_gz_files"]
    assert (len(other), len(broken)) == (counts["other_files"], counts["invalid_files"]) == (3, 6)
    loaded_broken = [f for f in broken if any(f.endswith(e["file"]) for e in LOADED_BROKEN)]
    assert len(loaded_broken) == len(LOADED_BROKEN) == 2

    first, second = sample_run["first"], sample_run["second"]
    assert first["files_seen"] == len(files) == 88
    assert (first["loaded"], first["skipped"], first["quarantined"]) == (
        len(activity_files) + len(loaded_broken),
        len(other),
        len(broken) - len(loaded_broken),
    )
    assert first["quarantined"] == counts["quarantined_files"]
    assert first["already_loaded"] == 0
    assert second["already_loaded"] == len(files) and second["loaded"] == second["quarantined"] == 0


def test_broken_files_are_quarantined_with_the_decoders_reason(sample_run: dict[str, Any]) -> None:
    rows = dict(
        q(
            sample_run["db"],
            "SELECT regexp_extract(path, '[^/]+$'), detail FROM source_files WHERE status = 'quarantined'",
        )
    )
    assert "bad CRC" in rows["bad-crc.fit"]
    assert "truncated" in rows["header-only.fit"]  # nothing whole before its end
    assert "not a FIT file" in rows["not-fit.fit"]
    assert "empty" in rows["empty.fit"]
    assert "impossible-values.fit" not in rows and "truncated.fit" not in rows


def test_impossible_values_are_repaired_or_quarantined_alone(sample_run: dict[str, Any]) -> None:
    """The run with a 254 bpm maximum loads with that field null (a repairs row says what it was); its record without
    a date and its record in 2100 are quarantined one by one; every other record loads."""
    (entry,) = [e for e in LOADED_BROKEN if e["file"] == "invalid/impossible-values.fit"]
    db, path = sample_run["db"], f"%/{entry['file']}"
    repairs = q(db, "SELECT table_name, column_name, rule, original FROM repairs WHERE path LIKE ?", [path])
    assert repairs == [(r["table"], r["column"], r["rule"], r["original"]) for r in entry["repairs"]]
    quarantined = q(db, "SELECT stage, table_name, rows FROM quarantine WHERE path LIKE ? ORDER BY stage", [path])
    assert quarantined == [(r["stage"], r["table"], r["rows"]) for r in entry["quarantined"]]
    [(max_hr, samples)] = q(
        db,
        "SELECT a.max_hr, (SELECT count(*) FROM samples s WHERE s.activity_id = a.activity_id) FROM activities a "
        "JOIN source_files f USING (file_id) WHERE f.path LIKE ?",
        [path],
    )
    assert max_hr is None and samples == entry["activity"]["records"] - 2
    details = dict(q(db, "SELECT regexp_extract(path, '[^/]+$'), detail FROM source_files"))
    assert details["impossible-values.fit"] == "1 activities, 2 rows quarantined, 1 fields repaired"


def test_every_row_read_is_loaded_quarantined_or_repeated(sample_run: dict[str, Any]) -> None:
    """The run's accounts, per table: rows read = loaded + quarantined + repeated; what they say was loaded is in the
    tables, what they say was quarantined is in quarantine, and the activities read are every activity the generator
    wrote plus the two under invalid/ that load."""
    db = sample_run["db"]
    first = q(db, "SELECT run_id FROM ingest_runs ORDER BY started_at LIMIT 1")[0][0]
    accounts = {
        r[0]: r[1:]
        for r in q(
            db,
            "SELECT table_name, rows_read, rows_loaded, rows_quarantined, rows_repeated, fields_repaired "
            "FROM run_rows WHERE run_id = ?",
            [first],
        )
    }
    for table, (read, loaded, quarantined, repeated, _) in accounts.items():
        assert read == loaded + quarantined + repeated, table
        assert loaded == q(db, f"SELECT count(*) FROM {table}")[0][0], table
        in_quarantine = q(db, "SELECT coalesce(sum(rows), 0) FROM quarantine WHERE table_name = ?", [table])[0][0]
        assert quarantined == in_quarantine, table
    assert accounts["activities"][0] == EXPECTED["counts"]["activities"] + len(LOADED_BROKEN)
    assert accounts["strength_sets"][0] == EXPECTED["counts"]["active_sets"] + EXPECTED["counts"]["rest_sets"]
    records = EXPECTED["counts"]["records"] + sum(e["activity"]["records"] for e in LOADED_BROKEN)
    assert accounts["samples"][:3] == (records, records - 2, 2)
    repaired = q(db, "SELECT table_name, sum(rows) FROM repairs GROUP BY ALL")
    assert {t: n for t, n in repaired} == {t: a[4] for t, a in accounts.items() if a[4]}
    second = q(
        db, "SELECT sum(rows_read) FROM run_rows r JOIN ingest_runs i USING (run_id) WHERE i.run_id <> ?", [first]
    )
    assert second == [(None,)]  # the second run read no file again


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
        ("completed", sample_run["first"]["files_seen"], EXPECTED["counts"]["activities"] + len(LOADED_BROKEN), True),
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
