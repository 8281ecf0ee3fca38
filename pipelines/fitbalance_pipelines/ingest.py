"""The Prefect ingest flow: :mod:`fitbalance.run`'s steps as tasks, in the library's own loop.

Thin on purpose: the ingest is :func:`fitbalance.run.execute` (plan -> process and load the batches -> finish), the
same loop :func:`fitbalance.ingest` runs without Prefect; the flow runs each step as a task run (visible in the
Prefect UI, retried on transient errors) and adds the run's log. Tasks are batches of files (a task run costs about
10 ms and loads the API server with events, so never one task per file), and the steps around the batches are one
task each, on one connection each: an everyday run, with nothing new to read, is those two tasks. Only the I/O tasks
retry, and only on transient errors (a locked database).

Where the batches are processed is a :class:`~fitbalance.executors.BatchExecutor`: a process pool of this machine
(default), or, with ``staging`` set, the flow's Dask task runner handing batches back as Parquet
(:class:`~fitbalance_pipelines.executors.DaskBatches`, :mod:`fitbalance_pipelines.scale`). Only the flow process
writes the database either way.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.context import get_run_context

from fitbalance import run as engine
from fitbalance.config import Athlete, load_settings
from fitbalance.errors import FitbalanceError
from fitbalance.executors import BatchExecutor, LocalBatches
from fitbalance.models import BatchResult, LoadCounts
from fitbalance.run import MAX_BATCH_SIZE, MIN_BATCH_SIZE, RunStart, RunSummary, end_of_today
from fitbalance.sources.archive import scratch_dir
from fitbalance.store import ledger
from fitbalance_pipelines.executors import DaskBatches

__all__ = ["MAX_BATCH_SIZE", "MIN_BATCH_SIZE", "ingest_flow", "progress_to"]

ProgressListener = engine.ProgressListener
_listener: ContextVar[ProgressListener | None] = ContextVar("fitbalance_ingest_progress", default=None)


@contextmanager
def progress_to(listener: ProgressListener) -> Iterator[None]:
    """Tell ``listener`` how far the ingest flows run in this block (in this thread) have come."""
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)


def _progress(phase: str, done: int, total: int) -> None:
    listener = _listener.get()
    if listener is not None:
        listener(phase, done, total)


def _transient(task: Any, task_run: Any, state: Any) -> bool:
    """Retry only errors that say a retry may help (a locked database), never a bad input."""
    try:
        state.result()
    except FitbalanceError as exc:
        return exc.transient
    except Exception:
        return False
    return False


RETRIES: dict[str, Any] = {
    "retries": 3,
    "retry_delay_seconds": 2,
    "retry_condition_fn": _transient,
    "cache_policy": NO_CACHE,
}

plan_task = task(name="plan", **RETRIES)(engine.plan)
finish_task = task(name="finish", **RETRIES)(engine.finish)


class Parcel:
    """One processed batch on its way to the loader, emptied once it is loaded.

    Prefect keeps every task run's parameters until the flow run ends, so a batch handed to the load task as a
    parameter would keep the whole corpus in memory. It travels in this box instead: the load task empties it on
    success (a retry finds it still full), and what Prefect keeps is an empty box.
    """

    def __init__(self, batch: BatchResult) -> None:
        self._batch: BatchResult | None = batch

    def open(self) -> BatchResult:
        assert self._batch is not None, "a parcel is loaded once"
        return self._batch

    def empty(self) -> None:
        self._batch = None


@task(name="load-batch", **RETRIES)
def load_task(run: RunStart, parcel: Parcel) -> LoadCounts:
    """:func:`fitbalance.run.load`, the batch in a :class:`Parcel`."""
    counts = engine.load(run, parcel.open())
    parcel.empty()
    return counts


def _load(run: RunStart, batch: BatchResult) -> LoadCounts:
    return load_task(run, Parcel(batch))


TASK_STEPS = engine.Steps(plan=plan_task, load=_load, finish=finish_task)
""":mod:`fitbalance.run`'s steps, each a task run of the flow."""


@flow(name="fitbalance-ingest", log_prints=False)
def ingest_flow(
    paths: list[str],
    db: str,
    athlete: str | None = None,
    workers: int | None = None,
    batch_size: int | None = None,
    settings_path: str | None = None,
    lock_wait_s: float = 600.0,
    as_of: str | None = None,
    staging: str | None = None,
    reread: str | None = None,
) -> dict[str, Any]:
    """Ingest FIT and CSV exports under ``paths`` into the DuckDB file ``db``; returns the run summary
    (:meth:`fitbalance.run.RunSummary.as_dict`).

    As :func:`fitbalance.ingest`, with plain JSON parameters (a served deployment validates them without this
    module's imports): ``settings_path`` is the settings file (read once), ``as_of`` ISO text, ``workers`` None one
    per CPU. With ``staging`` (a folder every worker of the flow's task runner can reach), batches are processed by
    the task runner and handed back as Parquet files in ``<staging>/<run_id>/`` instead of through a local process
    pool; ``workers`` is then the cluster's worker count (twice as many batches are kept in flight).
    """
    logger = get_run_logger()
    settings = load_settings(Path(settings_path) if settings_path else None)
    who = settings.athlete(athlete)

    def tell(message: str) -> None:  # on the run's log and on stderr, whatever Prefect's log level
        logger.warning(message)
        print(message, file=sys.stderr, flush=True)

    clock = datetime.fromisoformat(as_of) if as_of else end_of_today()
    flow_run = get_run_context().flow_run  # type: ignore[union-attr]
    with ledger.run_lock(Path(db), wait_s=lock_wait_s, on_wait=tell), scratch_dir() as scratch:
        run = RunStart.new(db, who, settings, str(flow_run.id) if flow_run else None)
        summary = engine.execute(
            run,
            paths,
            str(scratch),
            _executor(who, clock, staging, run.run_id),
            TASK_STEPS,
            workers=workers,
            batch_size=batch_size,
            reread=reread,
            progress=_progress,
        )
    _log(logger, summary)
    return summary.as_dict()


def _executor(who: Athlete, as_of: datetime, staging: str | None, run_id: str) -> BatchExecutor[Any]:
    """The engine that processes this run's batches: Dask's, handing back Parquet under ``staging``, or a local pool."""
    if staging is not None:
        return DaskBatches(who, as_of, Path(staging) / run_id)
    return LocalBatches(who, as_of)


def _log(logger: Any, summary: RunSummary) -> None:
    logger.info(
        "ingest %s: %d seen, %d loaded, %d skipped, %d already loaded, %d quarantined, %d read again; "
        "%d activities, %d sets; %d activities reclassified",
        summary.run_id,
        summary.files_seen,
        summary.loaded,
        summary.skipped,
        summary.already_loaded,
        summary.quarantined,
        summary.reread,
        summary.activities_added,
        summary.sets_added,
        summary.reclassified,
    )
    for problem in summary.not_reread:
        logger.warning("not read again: %s", problem)
