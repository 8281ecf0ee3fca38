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

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DATA = ROOT / "sample_data"
CORPUS = ROOT.parent / "shared" / "corpus"


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
