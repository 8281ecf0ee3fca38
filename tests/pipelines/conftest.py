"""FIT files for the scheduling and scale-out tests, and helpers that read the database they end up in.

Activity files come from the project's generator (:mod:`synth`) when it is installed, else from the
real-world corpus at ``../shared/corpus`` (the tests skip when neither is there). A corrupt file is a good file whose
CRC no longer matches (quarantined whole); a half-copied one is a good file cut in half (its part loads).
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from fitbalance.config import Athlete
from fitbalance.models import FileStatus, SourceRef, WorkItem
from fitbalance.process import process_batch
from tests.conftest import CORPUS

HAS_SYNTH = importlib.util.find_spec("synth") is not None
MAX_CORPUS_FILE = 400_000  # bytes: keeps the tests quick
VOLATILE = re.compile(r"(^|_)run_id$|_at$")  # columns that differ between two runs of the same files


def _from_synth(folder: Path, n: int) -> list[bytes]:
    from synth import generate_corpus  # type: ignore[import-not-found, unused-ignore]

    return [p.read_bytes() for p in generate_corpus(folder, n, seed=11)]


def _from_corpus(n: int) -> list[bytes]:
    """The first ``n`` corpus FIT files (sorted by path) that load as activities."""
    if not CORPUS.is_dir():
        pytest.skip(f"neither synth nor the corpus at {CORPUS} is available")
    found: list[bytes] = []
    candidates = sorted(p for p in (CORPUS / "fit").rglob("*") if p.suffix.lower() == ".fit")
    for path in candidates:
        if path.stat().st_size > MAX_CORPUS_FILE:
            continue
        data = path.read_bytes()
        item = WorkItem(SourceRef(str(path), str(path), len(data)), hashlib.sha256(data).hexdigest())
        result = process_batch([item], athlete=Athlete(), as_of=datetime(2030, 1, 1))
        if result.outcomes[0].status is FileStatus.LOADED:
            found.append(data)
        if len(found) == n:
            return found
    pytest.skip(f"the corpus has fewer than {n} small activity files")


@pytest.fixture(scope="session")
def activity_fits(tmp_path_factory: pytest.TempPathFactory) -> list[bytes]:
    """Twelve distinct activity FIT files that load."""
    if HAS_SYNTH:
        return _from_synth(tmp_path_factory.mktemp("synth"), 12)
    return _from_corpus(12)


def truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def bad_crc(data: bytes) -> bytes:
    """The same file with its closing CRC flipped: the decoder refuses it whole."""
    return data[:-2] + bytes(b ^ 0xFF for b in data[-2:])


def rows(db: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def table_contents(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, sorted by all columns, without the columns that name a run or a moment of a run."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    tables = [t for (t,) in rows(db, "SELECT table_name FROM duckdb_tables() ORDER BY 1")]
    for table in tables:
        if table == "ingest_runs":
            continue
        columns = [
            c
            for (c,) in rows(
                db, "SELECT column_name FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index", [table]
            )
            if not VOLATILE.search(c)
        ]
        listed = ", ".join(f'"{c}"' for c in columns)  # identifiers from the catalogue, not user input
        out[table] = rows(db, f'SELECT {listed} FROM "{table}" ORDER BY ALL')
    return out
