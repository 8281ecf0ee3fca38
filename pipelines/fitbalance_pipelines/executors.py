"""Where the ingest flow's batches are processed on a Prefect task runner: :class:`DaskBatches`, beside the
library's engines (:mod:`fitbalance.executors`, re-exported here).

- :class:`DaskBatches`: ``stage-batch`` tasks on the flow's task runner (a ``DaskTaskRunner``; see
  :mod:`fitbalance_pipelines.scale`), each writing its validated batch as Parquet under the staging folder
  (:mod:`fitbalance_pipelines.staging`); the flow process reads each back when its turn comes, and removes it once
  loaded. A batch never travels as a Prefect task parameter or result of its own (Prefect keeps those until the flow
  run ends).
"""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture

from fitbalance.config import Athlete
from fitbalance.executors import BatchExecutor, LocalBatches, process_pool
from fitbalance.models import BatchResult, WorkItem
from fitbalance.process import process_batch
from fitbalance.sources.archive import cleanup
from fitbalance_pipelines.staging import StagedBatch, discard, read_batch, write_batch

__all__ = ["BatchExecutor", "DaskBatches", "LocalBatches", "process_pool", "stage_task"]


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
