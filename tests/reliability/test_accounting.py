"""Accounting: every run is recorded, every file a run saw is in a table, and `fitbalance status` says so (or says
which file is not). Also: `fitbalance sql` opens the database read-only.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

from fitbalance.cli import app
from fitbalance.store import connection, ledger

from .inputs import build_inputs

AS_OF = datetime(2026, 1, 1)
runner = CliRunner()


def _q(db: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _write(db: Path, sql: str, params: list[Any] | None = None) -> None:
    con = duckdb.connect(str(db))
    try:
        con.execute(sql, params or [])
    finally:
        con.close()


@pytest.fixture(scope="module")
def ingested(prefect_harness: None, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    from fitbalance_pipelines.ingest import ingest_flow

    root = tmp_path_factory.mktemp("accounting")
    inputs = build_inputs(root / "exports", good=8)
    db = root / "t.duckdb"
    summary = ingest_flow(paths=[str(inputs)], db=str(db), batch_size=4, workers=1, as_of=AS_OF.isoformat())
    return db, summary


def test_a_run_records_start_end_counts_and_its_flow_run(ingested: tuple[Path, dict[str, Any]]) -> None:
    db, s = ingested
    [run] = _q(db, f"SELECT {', '.join(ledger.RUN_COLUMNS)} FROM ingest_runs")
    row = dict(zip(ledger.RUN_COLUMNS, run, strict=True))
    assert row["run_id"] == s["run_id"] and row["outcome"] == "completed"
    assert uuid.UUID(row["flow_run_id"]) and row["started_at"] <= row["ended_at"]
    assert (row["files_seen"], row["files_loaded"], row["files_skipped"], row["files_known"]) == (
        s["files_seen"],
        s["loaded"],
        s["skipped"],
        s["already_loaded"],
    )
    assert (row["files_quarantined"], row["activities_added"], row["sets_added"]) == (
        s["quarantined"],
        s["activities_added"],
        s["sets_added"],
    )


def test_run_files_has_one_row_per_discovered_path_with_its_outcome(ingested: tuple[Path, dict[str, Any]]) -> None:
    """Seen = loaded + skipped + known + quarantined (+ refused by discovery), path by path; none left pending."""
    db, s = ingested
    outcomes = Counter(
        dict(_q(db, "SELECT outcome, count(*) FROM run_files WHERE run_id = ? GROUP BY 1", [s["run_id"]]))
    )
    assert sum(outcomes.values()) == s["files_seen"]
    assert outcomes["loaded"] == s["loaded"] and outcomes["skipped"] == s["skipped"]
    assert outcomes["known"] == s["already_loaded"] == 1  # the copy at a second path
    assert outcomes["quarantined"] + outcomes["refused"] == s["quarantined"] and outcomes["refused"] == 1
    assert outcomes["pending"] == 0
    assert _q(db, "SELECT count(*) FROM run_files WHERE outcome = 'refused' AND file_id IS NOT NULL") == [(0,)]


def test_status_shows_the_runs_and_that_nothing_is_missing(ingested: tuple[Path, dict[str, Any]]) -> None:
    db, s = ingested
    result = runner.invoke(app, ["status", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert s["run_id"][:8] in result.output and "completed" in result.output
    assert "Every file a run has seen is in source_files" in result.output


def test_status_names_a_file_that_is_in_no_table(ingested: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    """A file whose source_files row vanished (the invariant broken) is listed, and the exit status is 1."""
    db, _ = ingested
    broken = tmp_path / "broken.duckdb"
    broken.write_bytes(db.read_bytes())
    [(file_id, path)] = _q(broken, "SELECT file_id, path FROM source_files WHERE status = 'loaded' LIMIT 1")
    _write(broken, "DELETE FROM source_files WHERE file_id = ?", [file_id])
    result = runner.invoke(app, ["status", "--db", str(broken)])
    assert result.exit_code == 1
    assert "1 files were seen but are in no table" in result.output and Path(path).name in result.output


def test_status_explains_files_an_interrupted_run_did_not_reach(
    ingested: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    db, _ = ingested
    killed = tmp_path / "killed.duckdb"
    killed.write_bytes(db.read_bytes())
    _write(
        killed,
        "INSERT INTO ingest_runs (run_id, started_at, outcome) VALUES ('deadbeef00', '2026-01-02', 'running'); "
        "INSERT INTO run_files VALUES ('deadbeef00', 'new/later.fit', 'abc', 'pending')",
    )
    result = runner.invoke(app, ["status", "--db", str(killed)])
    assert result.exit_code == 1
    assert "later.fit" in result.output and "run `fitbalance ingest` again" in " ".join(result.output.split())
    assert "deadbeef" in result.output and "it was killed" in " ".join(result.output.split())


def test_status_tells_files_of_a_run_in_progress_from_lost_ones(
    ingested: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    """While an ingest holds the run lock, its pending files are work in progress, not a broken invariant."""
    db, _ = ingested
    live = tmp_path / "live.duckdb"
    live.write_bytes(db.read_bytes())
    _write(
        live,
        "INSERT INTO ingest_runs (run_id, started_at, outcome) VALUES ('cafe000000', '2026-01-02', 'running'); "
        "INSERT INTO run_files VALUES ('cafe000000', 'new/now.fit', 'abc', 'pending')",
    )
    with ledger.run_lock(live, wait_s=0):
        result = runner.invoke(app, ["status", "--db", str(live)])
    assert result.exit_code == 0, result.output
    assert "1 files are still to be ingested by the run in progress" in result.output
    assert "now.fit" not in result.output and "killed" not in result.output


def test_the_next_run_marks_a_run_left_running_as_interrupted(tmp_path: Path) -> None:
    with connection.open_store(tmp_path / "t.duckdb") as con:
        ledger.begin_run(con, run_id="killed", flow_run_id=None, started_at=datetime(2026, 1, 1))
        ledger.begin_run(con, run_id="next", flow_run_id=None, started_at=datetime(2026, 1, 2))
        rows = connection.rows(con, "SELECT run_id, outcome, detail FROM ingest_runs ORDER BY started_at")
    assert rows == [
        ("killed", "interrupted", "ended without recording its end (killed?); marked by run next"),
        ("next", "running", None),
    ]


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM activities",
        "DROP TABLE quarantine",
        "CREATE TABLE x (i INTEGER)",
        "UPDATE source_files SET path = 'x'",
    ],
)
def test_sql_opens_the_database_read_only(ingested: tuple[Path, dict[str, Any]], statement: str) -> None:
    """`fitbalance sql` refuses statements that change the database, saying why; nothing changes."""
    db, _ = ingested
    before = _q(db, "SELECT (SELECT count(*) FROM activities), (SELECT count(*) FROM quarantine)")
    result = runner.invoke(app, ["sql", statement, "--db", str(db)])
    assert result.exit_code == 1
    assert "opens the database read-only" in " ".join(result.output.split())
    assert _q(db, "SELECT (SELECT count(*) FROM activities), (SELECT count(*) FROM quarantine)") == before
    assert runner.invoke(app, ["sql", "SELECT count(*) AS n FROM activities", "--db", str(db)]).exit_code == 0


@pytest.mark.corpus
@pytest.mark.slow
def test_every_file_of_the_real_world_corpus_is_accounted_for(
    corpus: Path, prefect_harness: None, tmp_path: Path
) -> None:
    """The whole ../shared/corpus (FIT and CSV folders): every discovered file is in source_files or has a
    discover-stage quarantine row, and run_files says what became of each."""
    from fitbalance_pipelines.ingest import ingest_flow

    db = tmp_path / "corpus.duckdb"
    s = ingest_flow(paths=[str(corpus / "fit"), str(corpus / "csv")], db=str(db), as_of=AS_OF.isoformat())
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert ledger.unaccounted_files(con) == []
        outcomes = dict(connection.rows(con, "SELECT outcome, count(*) FROM run_files GROUP BY 1"))
        discover_rows = connection.rows(con, "SELECT count(*) FROM quarantine WHERE stage = 'discover'")[0][0]
        files = connection.rows(con, "SELECT count(*) FROM source_files")[0][0]
    finally:
        con.close()
    assert s["files_seen"] > 150 and sum(outcomes.values()) == s["files_seen"]
    assert "pending" not in outcomes and outcomes.get("refused", 0) == discover_rows
    assert files == s["files_seen"] - s["already_loaded"] - discover_rows
