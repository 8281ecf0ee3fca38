"""A database file that the user's own DuckDB can open: a DuckDB 1.4 client (installed in a venv of its own) reads
the tables and the views of a database made by the sample ingest, and gets what DuckDB 2.0 gets."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest

from fitbalance.config import STORAGE_VERSION
from fitbalance.store.connection import open_store
from tests.conftest import ROOT, SAMPLE_DATA

OLD_CLIENT = "duckdb>=1.4,<1.5"
QUERIES = {
    "weekly_balance": "SELECT count(*), round(sum(total_minutes), 3), count(*) FILTER (WHERE meets_guideline) "
    "FROM weekly_balance",
    "exercise_progress": "SELECT count(*), round(sum(best_e1rm_kg), 3) FROM exercise_progress",
    "personal_records": "SELECT count(*), round(sum(best_e1rm_kg), 3) FROM personal_records",
    "muscle_group_weekly": "SELECT count(*), round(sum(sets), 3) FROM muscle_group_weekly",
    "training_load_daily": "SELECT count(*), round(sum(total_load), 3) FROM training_load_daily",
    "unmapped_exercises": "SELECT count(*) FROM unmapped_exercises",
    "weekly_targets": "SELECT count(*), round(sum(actual), 3), round(sum(remaining), 3) "
    "FROM weekly_targets_at(DATE '2030-01-01')",
    "strength_balance_weekly": "SELECT count(*), sum(push_sets), sum(pull_sets) FROM strength_balance_weekly",
    "activities": "SELECT count(*), count(duplicate_of) FROM activities",
    "strength_sets": "SELECT count(*), list_sort(list(DISTINCT set_type)) FROM strength_sets",
}
READER = """
import json, sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
queries = json.loads(sys.argv[2])
print(json.dumps({"version": duckdb.__version__,
                  "answers": {name: [list(r) for r in con.execute(sql).fetchall()] for name, sql in queries.items()}}))
"""


@pytest.fixture(scope="module")
def old_client(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The python of a fresh venv holding DuckDB 1.4 (skips, saying why, when it cannot be installed)."""
    venv = tmp_path_factory.mktemp("duckdb-1.4") / "venv"
    uv = ROOT / ".tools" / "bin" / "uv"
    if uv.exists():
        steps = [[str(uv), "venv", "-q", "-p", sys.executable, str(venv)]]
        steps.append([str(uv), "pip", "install", "-q", "-p", str(venv / "bin" / "python"), OLD_CLIENT])
    else:
        steps = [[sys.executable, "-m", "venv", str(venv)]]
        steps.append([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", OLD_CLIENT])
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True, timeout=600, check=False)
        if done.returncode != 0:
            pytest.skip(f"cannot install {OLD_CLIENT} into a venv ({' '.join(step[:3])}): {done.stderr.strip()[-300:]}")
    return venv / "bin" / "python"


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory, prefect_harness: None) -> Path:
    from fitbalance_pipelines.ingest import ingest_flow

    db = tmp_path_factory.mktemp("sample") / "fitbalance.duckdb"
    ingest_flow(paths=[str(SAMPLE_DATA)], db=str(db), settings_path=str(SAMPLE_DATA / "fitbalance.toml"))
    return db


def _answers(db: Path) -> dict[str, Any]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {name: [list(r) for r in con.execute(sql).fetchall()] for name, sql in QUERIES.items()}


def _storage(db: Path) -> str:
    with duckdb.connect(str(db), read_only=True) as con:
        [(tags,)] = con.execute(
            "SELECT tags FROM duckdb_databases() WHERE database_name = current_database()"
        ).fetchall()
    return str(tags["storage_version"])


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_a_duckdb_1_4_client_reads_the_views_of_a_sample_ingest(old_client: Path, sample_db: Path) -> None:
    """The file is in the configured storage version, and DuckDB 1.4 answers every view as DuckDB 2.0 does."""
    assert _storage(sample_db).startswith(STORAGE_VERSION)
    done = subprocess.run(
        [str(old_client), "-c", READER, str(sample_db), json.dumps(QUERIES)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    old = json.loads(done.stdout)
    assert old["version"].startswith("1.4.")
    assert old["answers"] == json.loads(json.dumps(_answers(sample_db)))
    weeks, minutes, _ = old["answers"]["weekly_balance"][0]
    assert weeks > 10 and minutes > 0


def test_a_new_database_gets_the_configured_storage_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The default, or another version named by FITBALANCE_STORAGE_VERSION; a file keeps the one it was made in."""
    with open_store(tmp_path / "default.duckdb"):
        pass
    assert _storage(tmp_path / "default.duckdb").startswith(STORAGE_VERSION)
    monkeypatch.setenv("FITBALANCE_STORAGE_VERSION", "v1.2.0")
    with open_store(tmp_path / "newer.duckdb"):
        pass
    assert _storage(tmp_path / "newer.duckdb").startswith("v1.2.0")
    with open_store(tmp_path / "default.duckdb"):  # an existing file is not converted
        pass
    assert _storage(tmp_path / "default.duckdb").startswith(STORAGE_VERSION)
