"""How files are cut into batches (or where a killed run stopped) must not change what ends up in the database."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from fitbalance.config import Athlete
from fitbalance.models import SourceRef, WorkItem
from fitbalance.process import process_batch
from fitbalance.sources.archive import file_digest
from fitbalance.store import connection, load

from . import fitbytes as fb
from .dbcheck import CLEAN, integrity, snapshot

ME = Athlete(name="me")
AS_OF = datetime(2026, 1, 1)
DAY = datetime(2025, 3, 3, 7, 0, tzinfo=UTC)


@pytest.fixture
def items(tmp_path: Path) -> list[WorkItem]:
    files = {
        "a.fit": fb.strength_activity(DAY, sets=2, records=5),
        "b-same-session.fit": fb.strength_activity(DAY, sets=2, records=6),  # other bytes, same session as a.fit
        "c.fit": fb.run_activity(datetime(2025, 3, 4, tzinfo=UTC)),
        "d-same-again.fit": fb.strength_activity(DAY, sets=2, records=7),
    }
    out = []
    for name, data in files.items():
        path = tmp_path / name
        path.write_bytes(data)
        out.append(WorkItem(SourceRef(name, str(path), len(data)), file_digest(str(path))))
    return out


@pytest.mark.parametrize("cuts", [[4], [1, 3], [2, 2], [1, 1, 1, 1], [3, 1]], ids=str)
def test_batches_of_any_size_give_the_same_database(items: list[WorkItem], tmp_path: Path, cuts: list[int]) -> None:
    """One batch of four files, or the same files cut differently: identical rows, including each file's detail
    ("1 activities; 1 already in an earlier file" for a repeated session, wherever its first copy was)."""
    databases = {}
    for label, sizes in (("one batch", [4]), ("cut", cuts)):
        db = tmp_path / f"{label}.duckdb"
        start = 0
        with connection.open_store(db) as con:
            for size in sizes:
                batch = process_batch(items[start : start + size], athlete=ME, as_of=AS_OF)
                load.load_batch(con, batch, athlete="me", run_id=label, now=AS_OF)
                start += size
        databases[label] = db
    assert snapshot(databases["cut"]) == snapshot(databases["one batch"])
    assert integrity(databases["cut"]) == CLEAN
    details = dict((r[1], r[5]) for r in snapshot(databases["cut"])["source_files"])
    assert details["b-same-session.fit"] == details["d-same-again.fit"] == "1 activities; 1 already in an earlier file"
    assert details["a.fit"] == "1 activities"
