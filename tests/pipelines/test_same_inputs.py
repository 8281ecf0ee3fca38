"""The same inputs give the same database, however they were run: one worker or two, batches of 1 file or 96, a
local process pool or a Dask cluster. Every table is compared row for row, less the columns that name a run or a
moment of it (run ids, timestamps)."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from synth import csv_samples
from tests.conftest import CORPUS_AS_OF
from tests.pipelines.conftest import rows, table_contents

pytestmark = pytest.mark.timeout(900)


def _flow(paths: list[Path], db: Path, **options: Any) -> dict[str, Any]:
    from fitbalance_pipelines.ingest import ingest_flow

    summary: dict[str, Any] = ingest_flow(paths=[str(p) for p in paths], db=str(db), **options)
    return summary


def _dask(paths: list[Path], db: Path, workers: int, as_of: str) -> dict[str, Any]:
    from fitbalance_pipelines.scale import ingest_on_dask

    return ingest_on_dask([str(p) for p in paths], str(db), workers=workers, as_of=as_of)


def test_a_session_in_two_files_is_judged_the_same_in_one_batch_or_two(tmp_path: Path, prefect_harness: None) -> None:
    """Two Hevy exports share a workout; the second's copy has a set of 5,000 kg. Whether the two files share a
    batch or not, that set is quarantined from the second file, the first file's copy is the one loaded, and the
    second file's detail counts the workout as already in an earlier file."""
    workouts = csv_samples.hevy_workouts(random.Random(11), first=date(2024, 1, 1), weeks=1)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.csv").write_bytes(csv_samples.hevy(workouts[:2]))
    second = csv_samples.hevy(workouts[:1]).replace(b'"normal",80,5,', b'"normal",5000,5,', 1)
    assert b"5000" in second
    (inbox / "b.csv").write_bytes(second + csv_samples.hevy(workouts[2:]).split(b"\n", 1)[1])

    together, apart = tmp_path / "together.duckdb", tmp_path / "apart.duckdb"
    _flow([inbox], together, workers=1, batch_size=2)
    _flow([inbox], apart, workers=1, batch_size=1)

    assert table_contents(together) == table_contents(apart)
    assert rows(together, "SELECT path, stage FROM quarantine") == [(str(inbox / "b.csv"), "validate:strength_sets")]
    details = dict(rows(together, "SELECT path, detail FROM source_files"))
    assert details[str(inbox / "b.csv")] == "2 activities, 1 rows quarantined; 1 already in an earlier file"
    assert rows(together, "SELECT count(*), count(DISTINCT file_id) FROM activities") == [(3, 2)]
    [(heaviest,)] = rows(together, "SELECT max(weight_kg) FROM strength_sets")
    assert heaviest < 1000


@pytest.fixture(scope="module")
def corpus_fit(corpus: Path) -> Path:
    return corpus / "fit"


@pytest.fixture(scope="module")
def reference(corpus_fit_db: tuple[Path, dict[str, Any]]) -> dict[str, list[tuple[Any, ...]]]:
    """The real-world FIT corpus through one worker, batches of the default size (the session's shared ingest)."""
    return table_contents(corpus_fit_db[0])


@pytest.mark.slow
@pytest.mark.parametrize(
    "engine",
    ["2 workers", "batches of 1 file", "batches of 96 files", pytest.param("Dask, 2 workers", marks=pytest.mark.dask)],
)
def test_the_fit_corpus_gives_the_same_tables_however_it_is_run(
    engine: str,
    corpus_fit: Path,
    reference: dict[str, list[tuple[Any, ...]]],
    tmp_path: Path,
    prefect_harness: None,
) -> None:
    """Chained files whose sessions are also in other files (muktihari__fit/chained_*) included: every table, row
    for row, is what one worker made."""
    db = tmp_path / "t.duckdb"
    if engine == "2 workers":
        _flow([corpus_fit], db, workers=2, as_of=CORPUS_AS_OF)
    elif engine == "batches of 1 file":
        _flow([corpus_fit], db, workers=2, batch_size=1, as_of=CORPUS_AS_OF)
    elif engine == "batches of 96 files":
        _flow([corpus_fit], db, workers=1, batch_size=96, as_of=CORPUS_AS_OF)
    else:
        _dask([corpus_fit], db, workers=2, as_of=CORPUS_AS_OF)
    got = table_contents(db)
    assert set(got) == set(reference)
    for table in reference:
        assert got[table] == reference[table], table
    assert len(got["activities"]) > 50 and len(got["quarantine"]) > 0 and len(got["samples"]) > 10_000
