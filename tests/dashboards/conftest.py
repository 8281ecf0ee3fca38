"""Fixtures for the dashboard, report and read-side tests: sample databases (real tables and views) and a writer
that holds the database lock."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest

from tests.dashboards import fixture_db

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "dashboards" / "fitbalance_dashboards" / "app.py"
OUTPUT = ROOT / "test-output"


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with two athletes' weeks of training (``ana`` metric, ``ben`` imperial and 65+). Read only."""
    return fixture_db.build(tmp_path_factory.mktemp("db") / "sample.duckdb")


@pytest.fixture(scope="session")
def empty_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with every table and view but no rows: what a fresh install has."""
    return fixture_db.build(tmp_path_factory.mktemp("db") / "empty.duckdb", empty=True)


@pytest.fixture
def output_dir() -> Path:
    """Where tests leave screenshots and reports for people to look at (``test-output/``, git-ignored)."""
    OUTPUT.mkdir(exist_ok=True)
    return OUTPUT


_HOLDER = textwrap.dedent(
    """
    import sys, duckdb
    con = duckdb.connect(sys.argv[1])
    print("locked", flush=True)
    sys.stdin.readline()
    con.close()
    print("released", flush=True)
    """
)


@contextmanager
def _lock_held(db: Path) -> Iterator[subprocess.Popen[str]]:
    with subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as proc:  # the context closes the pipes and waits for the process
        try:
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "locked"
            yield proc
        finally:
            if proc.poll() is None:
                proc.kill()


@pytest.fixture
def lock_held() -> Callable[[Path], AbstractContextManager[subprocess.Popen[str]]]:
    """``with lock_held(db) as writer:`` another process holds the database's write lock (as an ingest does).

    Write a line to ``writer.stdin`` to make it close the database and release the lock.
    """
    return _lock_held
