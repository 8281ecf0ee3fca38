"""Where an ingest's batches are processed: one interface, one class per engine.

The ingest's loop (:func:`fitbalance.run.execute`) is the same whatever runs the batches: it hands
:meth:`BatchExecutor.processed` the batches of work items and loads each :class:`~fitbalance.models.BatchResult` it
yields, in order. An engine says how a batch is started (:meth:`~BatchExecutor.submit`), how its result reaches the
loader's process (:meth:`~BatchExecutor.result`) and what to clean up after its load (:meth:`~BatchExecutor.release`).
A third engine is one more subclass.

- :class:`LocalBatches` (here): a pool of this machine's processes (one thread when there is one worker); the frames
  come back in memory.
- ``DaskBatches`` (:mod:`fitbalance_pipelines.executors`): ``stage-batch`` tasks on a Prefect flow's Dask task runner,
  each handing its validated batch back as Parquet.

Memory stays flat however many files there are: at most two batches per worker are in flight.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from datetime import datetime
from multiprocessing import get_context
from types import TracebackType
from typing import Generic, Self, TypeVar

from fitbalance.config import Athlete
from fitbalance.models import BatchResult, WorkItem
from fitbalance.process import discard_sample_parts, process_batch

Pending = TypeVar("Pending")
"""What an engine holds for a batch in flight (a future of some kind)."""


class BatchExecutor(ABC, Generic[Pending]):
    """Processes batches of files (decode, normalize, validate) for the ingest, which loads them one at a time."""

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
        """Wait for a batch and bring it into the loader's process."""

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

    def __init__(self, athlete: Athlete, as_of: datetime) -> None:
        super().__init__(athlete, as_of)
        self.unreleased: set[Future[BatchResult]] = set()

    def start(self, workers: int) -> None:
        super().start(workers)
        self.pool = process_pool(workers) if workers > 1 else ThreadPoolExecutor(max_workers=1)

    def submit(self, number: int, items: list[WorkItem]) -> Future[BatchResult]:
        assert self.pool is not None, "start() comes first"
        pending = self.pool.submit(process_batch, items, athlete=self.athlete, as_of=self.as_of)
        self.unreleased.add(pending)
        return pending

    def result(self, pending: Future[BatchResult]) -> BatchResult:
        return pending.result()

    def release(self, pending: Future[BatchResult]) -> None:
        self.unreleased.discard(pending)
        if pending.done() and not pending.cancelled() and pending.exception() is None:
            discard_sample_parts(pending.result())  # the streamed samples' files, loaded now

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
        for pending in list(self.unreleased):  # a run that stopped early: its batches' files go too
            self.release(pending)
