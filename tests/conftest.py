"""Shared fixtures: paths to the bundled sample data and the real-world corpus, one Prefect test harness, the one
ingest of the corpus the tests read, and what keeps parallel workers (pytest-xdist) apart.

Parallel runs (``make test``: ``pytest -n 2 --dist loadgroup``): tests of a module that share a module-scoped fixture
(a database built once, an installed wheel) run in one worker, so the fixture is built once; tests that start servers,
browsers, Dask clusters or other commands' processes, or take ports, run one after another in one worker (the
``processes`` group), so they never compete for a port, a data folder or the CPU they wait on. Each worker has its
own ``PREFECT_HOME``, temp folder (``tmp_path``) and data folder (``FITBALANCE_DATA_DIR``).

Hypothesis profiles: ``ci`` (the default) and ``quick`` (``--hypothesis-profile quick``: ``make test-fast``). A test
that needs more examples than the profile's asks for :func:`examples` of a count, which scales with the profile.
"""

from __future__ import annotations

import gc
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
# Commands run by the tests use an embedded Prefect API, as before the local server existed; the tests of the local
# server (tests/pipelines/test_localserver.py) ask for it, in a data folder of their own.
os.environ.setdefault("FITBALANCE_NO_SERVER", "1")

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DATA = ROOT / "sample_data"
CORPUS = Path(os.environ.get("FITBALANCE_TEST_CORPUS") or ROOT.parent / "shared" / "corpus")
"""The real-world corpus: ``../shared/corpus`` beside the checkout, or wherever ``FITBALANCE_TEST_CORPUS`` says (a
second checkout, a worktree)."""

WORKER = os.environ.get("PYTEST_XDIST_WORKER")
"""The name of this pytest-xdist worker (gw0, gw1, ...), None in a run without workers."""
if WORKER:
    # Prefect keeps state in PREFECT_HOME (the embedded API's SQLite database among it): each worker its own, set
    # before anything imports Prefect, so parallel workers never share a database or a file
    _home = Path(os.environ.get("PREFECT_HOME") or Path.home() / ".prefect") / f"xdist-{WORKER}"
    _home.mkdir(parents=True, exist_ok=True)  # Prefect makes the last folder only
    os.environ["PREFECT_HOME"] = str(_home)


CI_EXAMPLES = 100
"""Examples per property test in the ``ci`` profile (Hypothesis's own default)."""
# No per-example deadline: on a loaded 2-core machine (two xdist workers, a server beside them) one polars call can
# take longer than Hypothesis's default 200 ms, and a test that fails on the machine's load is a flaky test. Slow
# examples still show in Hypothesis's statistics and in pytest --durations; the suite's timeout bounds a test.
hypothesis_settings.register_profile("ci", max_examples=CI_EXAMPLES, deadline=None)
hypothesis_settings.register_profile(
    "quick", max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)  # the edit-test loop: a fifth of the examples
hypothesis_settings.load_profile("ci")  # pytest's --hypothesis-profile chooses another


def examples(count: int) -> int:
    """``count`` examples in the ``ci`` profile, and as many fewer in another as its ``max_examples`` is smaller:
    for a property test that needs more examples than most (hostile input, a wide space)."""
    return max(1, count * hypothesis_settings.default.max_examples // CI_EXAMPLES)


PROCESSES = "processes"
"""The xdist group of tests that start servers, browsers, Dask clusters or commands' processes, or take ports."""
PROCESS_MARKS = ("server", "browser", "dask", "processes")


def pytest_itemcollected(item: pytest.Item) -> None:
    """Group each test for ``--dist loadgroup`` as it is collected (xdist reads the groups in its
    ``pytest_collection_modifyitems``, which runs before a conftest's): see the module docstring."""
    if item.get_closest_marker("xdist_group"):
        return
    if any(item.get_closest_marker(mark) for mark in PROCESS_MARKS):
        item.add_marker(pytest.mark.xdist_group(PROCESSES))
    elif _shares_a_module_fixture(item):
        item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))


def _shares_a_module_fixture(item: pytest.Item) -> bool:
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return False
    return any(d.scope in ("module", "class", "package") for defs in info.name2fixturedefs.values() for d in defs)


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


_frozen_for: list[Path] = []
"""The module whose tests the objects frozen out of the collector's sight (``gc.freeze``) were made before."""


@pytest.fixture(autouse=True)
def _collect_garbage_after_each_test(request: pytest.FixtureRequest) -> Iterator[None]:
    """Collect garbage as each test ends, so that a file or socket it left open (a ResourceWarning, an error here)
    fails that test, not whichever later test the garbage collector happens to run in.

    A full collection walks every object of the process (Prefect, polars, Hypothesis...: 0.2-0.3 s of CPU, which
    over 1,800 tests was a third of the suite), so what survives each collection is frozen (``gc.freeze``): the
    next test's collection walks only the objects made since. Frozen objects still go when nothing refers to them;
    only a cycle among them waits, until the first test of the next module unfreezes everything (a module's
    fixtures are gone by then) and collects it all, as every test did before."""
    module = request.node.path
    if _frozen_for != [module]:
        gc.unfreeze()
        _frozen_for[:] = [module]
    yield
    gc.collect()
    gc.freeze()


def pytest_sessionfinish() -> None:
    """Nothing stays frozen past the tests: pytest's last collection (and the interpreter's exit) sees it all."""
    gc.unfreeze()


@pytest.fixture(scope="session")
def shared_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder every worker of this run sees (the run's temp root): what one worker makes there, under a lock, the
    others read instead of making it again."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if WORKER else base


CORPUS_AS_OF = "2026-12-31T00:00:00"
"""The clock of the shared corpus ingest (naive UTC): a fixed day, so what it quarantines as being in the future does
not depend on the day the tests run."""


@pytest.fixture(scope="session")
def corpus_fit_db(corpus: Path, shared_folder: Path, prefect_harness: None) -> tuple[Path, dict[str, Any]]:
    """The real-world FIT corpus ingested once for the whole run by the Prefect flow (one worker, batches of the
    default size, :data:`CORPUS_AS_OF`): the database (read it, or copy it to change it) and the run summary.

    Made by the first worker that asks, under a file lock; the others wait for it and read the same file."""
    folder = shared_folder / "corpus-fit"
    done = folder / "summary.json"
    with FileLock(str(shared_folder / "corpus-fit.lock")):
        if not done.exists():
            from fitbalance_pipelines.ingest import ingest_flow

            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            summary = ingest_flow(
                paths=[str(corpus / "fit")], db=str(folder / "corpus.duckdb"), workers=1, as_of=CORPUS_AS_OF
            )
            done.write_text(json.dumps(summary))
    return folder / "corpus.duckdb", json.loads(done.read_text())
