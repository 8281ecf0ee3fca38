"""Shared fixtures: paths to the bundled sample data and the real-world corpus, and one Prefect test harness."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
# Commands run by the tests use an embedded Prefect API, as before the local server existed; the tests of the local
# server (tests/pipelines/test_localserver.py) ask for it, in a data folder of their own.
os.environ.setdefault("FITBALANCE_NO_SERVER", "1")

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DATA = ROOT / "sample_data"
CORPUS = ROOT.parent / "shared" / "corpus"


@pytest.fixture(scope="session", autouse=True)
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The user's data folder (``FITBALANCE_DATA_DIR``) of every command a test runs: never the developer's own."""
    folder = tmp_path_factory.mktemp("data")
    before = os.environ.get("FITBALANCE_DATA_DIR")
    os.environ["FITBALANCE_DATA_DIR"] = str(folder)
    yield folder
    if before is None:
        os.environ.pop("FITBALANCE_DATA_DIR", None)
    else:
        os.environ["FITBALANCE_DATA_DIR"] = before


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The real-world corpus at ../shared/corpus; tests using it skip when it is absent."""
    if not CORPUS.is_dir():
        pytest.skip(f"real-world corpus not present at {CORPUS}")
    return CORPUS


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One ephemeral Prefect API for the whole session (starting one costs seconds)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
