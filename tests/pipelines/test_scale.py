"""The ingest flow on a real Dask cluster gives the same tables, row for row, as the single-process run."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from pipelines.staging import StagedBatch, read_batch, write_batch
from typer.testing import CliRunner

from fitbalance.cli import app
from tests.pipelines.conftest import rows, table_contents, truncated

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory, activity_fits: list[bytes]) -> Path:
    """Ten activities, a copy of one, a truncated file, a file that is not FIT, and a zip of a new one and a copy."""
    folder = tmp_path_factory.mktemp("inbox")
    for i, data in enumerate(activity_fits[:10]):
        (folder / f"act-{i:02d}.fit").write_bytes(data)
    (folder / "copy-of-act-00.fit").write_bytes(activity_fits[0])
    (folder / "broken.fit").write_bytes(truncated(activity_fits[10]))
    (folder / "noise.fit").write_bytes(b"this is not a FIT file " * 20)
    with zipfile.ZipFile(folder / "export.zip", "w") as zf:
        zf.writestr("export/one.fit", activity_fits[11])
        zf.writestr("export/again.fit", activity_fits[1])
    return folder


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """A LocalCluster of two single-threaded worker processes; yields the scheduler address."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as local:
        yield local.scheduler_address


@pytest.fixture(scope="module")
def single_process_db(inbox: Path, tmp_path_factory: pytest.TempPathFactory, prefect_harness: None) -> Path:
    from pipelines.ingest import ingest_flow

    db = tmp_path_factory.mktemp("single") / "single.duckdb"
    ingest_flow(paths=[str(inbox)], db=str(db), workers=1, batch_size=3)
    return db


def test_dask_run_matches_the_single_process_run_row_for_row(
    inbox: Path, cluster: str, single_process_db: Path, tmp_path: Path, prefect_harness: None
) -> None:
    """It decodes and validates on both workers of the cluster, stages Parquet batches, loads them in the flow
    process, and ends with exactly the rows (less run ids and times) of a run without Dask."""
    from distributed import Client, get_task_stream
    from pipelines.scale import ingest_on_dask

    db, staging = tmp_path / "dask.duckdb", tmp_path / "staging"
    with Client(cluster, set_as_default=False) as client, get_task_stream(client) as stream:
        summary = ingest_on_dask([str(inbox)], str(db), address=cluster, staging=str(staging), batch_size=3)
    workers = {t["worker"] for t in stream.data}
    assert len(workers) == 2, "both workers processed batches"
    assert len(stream.data) == 5  # 15 files to process in batches of 3

    assert summary["loaded"] == 11 and summary["quarantined"] == 2 and summary["already_loaded"] == 2
    expected, got = table_contents(single_process_db), table_contents(db)
    assert set(got) == set(expected)
    for table in expected:
        assert got[table] == expected[table], table
    assert len(got["activities"]) == summary["activities_added"] >= 11
    assert len(got["samples"]) > 0 and len(got["quarantine"]) >= 2
    assert list(staging.iterdir()) == [], "the run's staged batches are removed once loaded"


def test_cli_ingest_on_a_local_cluster(inbox: Path, tmp_path: Path, prefect_harness: None) -> None:
    """`fitbalance ingest --dask local --workers 2` starts its own cluster and loads what the flow loads."""
    db = tmp_path / "cli.duckdb"
    result = CliRunner().invoke(app, ["ingest", str(inbox), "--db", str(db), "--dask", "local", "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert rows(db, "SELECT status, count(*) FROM source_files GROUP BY ALL ORDER BY 1") == [
        ("loaded", 11),
        ("quarantined", 2),
    ]


def test_cli_refuses_staging_without_dask(inbox: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["ingest", str(inbox), "--db", str(tmp_path / "x.duckdb"), "--staging", "s"])
    assert result.exit_code == 2 and "--staging goes with --dask" in result.output


def test_a_staged_batch_reads_back_frame_for_frame(inbox: Path, tmp_path: Path) -> None:
    """Parquet staging keeps every column's type and value, including list columns and empty tables."""
    import hashlib
    from datetime import datetime

    from fitbalance.config import Athlete
    from fitbalance.process import WorkItem, process_batch
    from fitbalance.sources.archive import SourceRef

    items = []
    for path in sorted(inbox.glob("*.fit")):
        data = path.read_bytes()
        items.append(WorkItem(SourceRef(str(path), str(path), len(data)), hashlib.sha256(data).hexdigest()))
    made = process_batch(items, athlete=Athlete(), as_of=datetime(2030, 1, 1))
    staged = write_batch(made, tmp_path / "batch-000001")
    assert isinstance(staged, StagedBatch) and not list(tmp_path.glob(".*.tmp"))
    back = read_batch(staged)
    assert back.outcomes == made.outcomes
    for name in ("activities", "sets", "samples", "laps"):
        assert getattr(back.tables, name).equals(getattr(made.tables, name)), name
        assert getattr(back.tables, name).schema == getattr(made.tables, name).schema, name
    assert back.quarantine.equals(made.quarantine) and back.quarantine.height >= 2
