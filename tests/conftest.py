"""Shared fixtures: paths to the bundled sample data and the real-world corpus, and one Prefect test harness."""

from __future__ import annotations

import gc
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
CORPUS = Path(os.environ.get("FITBALANCE_CORPUS") or ROOT.parent / "shared" / "corpus")  # FITBALANCE_CORPUS: elsewhere


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


HARNESS_STARTUP_POLLS = 6000
"""How long the session waits for its Prefect server to answer, in Prefect's unit: polls of its health endpoint,
0.1 s apart (each poll adds 0.1 to the count, however long the machine took for it). The wait ends as soon as the
server answers; this only says when to give up on a server that never will (it crashed: the error then gives its
exit code and output). A server starved of CPU is not broken: with both cores busy it has taken over 1,200 polls
(more than two minutes) to start, so the budget is five times that, not a bet on the machine's speed."""


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One ephemeral Prefect API for the whole session (starting one costs seconds)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=HARNESS_STARTUP_POLLS):
        yield


@pytest.fixture(autouse=True)
def _collect_garbage_after_each_test() -> Iterator[None]:
    """Collect garbage as each test ends, so that a file or socket it left open (a ResourceWarning, an error here)
    fails that test, not whichever later test the garbage collector happens to run in."""
    yield
    gc.collect()
