"""Where the ingest flow's batches are processed: one interface, one class per engine.

The flow's loop is the same whatever runs the batches: it hands :meth:`BatchExecutor.processed` the batches of work
items and loads each :class:`~fitbalance.models.BatchResult` it yields, in order. An engine says how a batch is
started (:meth:`~BatchExecutor.submit`), how its result reaches the flow's process (:meth:`~BatchExecutor.result`)
and what to clean up after its load (:meth:`~BatchExecutor.release`). A third engine is one more subclass.

- :class:`LocalBatches`: a pool of this machine's processes (one thread when there is one worker); the frames come
  back in memory.
- :class:`DaskBatches`: ``stage-batch`` tasks on the flow's task runner (a ``DaskTaskRunner``; see
  :mod:`fitbalance.pipelines.scale`), each writing its validated batch as Parquet under the staging folder
  (:mod:`fitbalance.pipelines.staging`); the flow process reads each back when its turn comes, and removes it once
  loaded.

Memory stays flat however many files there are: at most two batches per worker are in flight, and a batch never
travels as a Prefect task parameter or result of its own (Prefect keeps those until the flow run ends).
"""

from __future__ import annotations

import tempfile
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from datetime import datetime
from multiprocessing import get_context
from pathlib import Path
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture

from fitbalance.config import Athlete
from fitbalance.models import BatchResult, WorkItem
from fitbalance.pipelines.staging import StagedBatch, discard, read_batch, write_batch
from fitbalance.process import process_batch
from fitbalance.sources.archive import cleanup

Pending = TypeVar("Pending")
"""What an engine holds for a batch in flight (a future of some kind)."""


class BatchExecutor(ABC, Generic[Pending]):
    """Processes batches of files (decode, normalize, validate) for the flow, which loads them one at a time."""

    def __init__(self, athlete: Athlete, as_of: datetime) -> None:
        self.athlete = athlete
        self.as_of = as_of
        self.workers = 1

    def unpack_dir(self, default: str) -> str:
        """Where discovery unpacks archives: a folder every worker can read (``default``: this machine's)."""
        return default

    def start(self, workers: int) -> None:
        """Get ``workers`` workers ready (called once, before the first batch)."""
        self.workers = workers

    @abstractmethod
    def submit(self, number: int, items: list[WorkItem]) -> Pending:
        """Start processing batch ``number``."""

    @abstractmethod
    def result(self, pending: Pending) -> BatchResult:
        """Wait for a batch and bring it into the flow's process."""

    def release(self, pending: Pending) -> None:
        """Clean up after a batch has been loaded."""

    def close(self) -> None:
        """Stop the workers and remove what the batches left behind."""

    def processed(self, batches: list[list[WorkItem]], workers: int) -> Iterator[BatchResult]:
        """Every batch processed, in the order given, with at most two per worker in flight."""
        self.start(workers)
        window = max(2, 2 * workers)
        todo = enumerate(batches)
        in_flight: deque[Pending] = deque()
        while True:
            while len(in_flight) < window and (numbered := next(todo, None)) is not None:
                in_flight.append(self.submit(*numbered))
            if not in_flight:
                return
            pending = in_flight.popleft()
            yield self.result(pending)
            self.release(pending)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


def process_pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes forked from a server that has imported the library once (polars, pandera: seconds)."""
    context = get_context("forkserver")
    context.set_forkserver_preload(["fitbalance.process"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


class LocalBatches(BatchExecutor["Future[BatchResult]"]):
    """Batches processed by this machine's processes (a thread beside the loader when there is one worker)."""

    pool: Executor | None = None

    def start(self, workers: int) -> None:
        super().start(workers)
        self.pool = process_pool(workers) if workers > 1 else ThreadPoolExecutor(max_workers=1)

    def submit(self, number: int, items: list[WorkItem]) -> Future[BatchResult]:
        assert self.pool is not None, "start() comes first"
        return self.pool.submit(process_batch, items, athlete=self.athlete, as_of=self.as_of)

    def result(self, pending: Future[BatchResult]) -> BatchResult:
        return pending.result()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)


@task(name="stage-batch", cache_policy=NO_CACHE)
def stage_task(items: list[WorkItem], athlete: Any, as_of: datetime, folder: str) -> StagedBatch:
    """Decode, normalize and validate a batch where the task runner puts it, and stage the result as Parquet."""
    return write_batch(process_batch(items, athlete=athlete, as_of=as_of), Path(folder))


class DaskBatches(BatchExecutor[PrefectFuture[StagedBatch]]):
    """Batches processed by the flow's task runner as ``stage-batch`` tasks and handed back as Parquet in ``folder``.

    ``folder`` (the run's own, under the staging folder every worker reaches) is made here and removed on close.
    """

    def __init__(self, athlete: Athlete, as_of: datetime, folder: Path) -> None:
        super().__init__(athlete, as_of)
        self.folder = folder
        folder.mkdir(parents=True)

    def unpack_dir(self, default: str) -> str:
        return tempfile.mkdtemp(prefix="fitbalance-", dir=self.folder)

    def submit(self, number: int, items: list[WorkItem]) -> PrefectFuture[StagedBatch]:
        return stage_task.submit(items, self.athlete, self.as_of, str(self.folder / f"batch-{number:06d}"))

    def result(self, pending: PrefectFuture[StagedBatch]) -> BatchResult:
        return read_batch(pending.result())

    def release(self, pending: PrefectFuture[StagedBatch]) -> None:
        discard(pending.result())

    def close(self) -> None:
        cleanup(self.folder)
