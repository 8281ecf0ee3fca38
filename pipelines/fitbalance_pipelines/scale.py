"""The ingest flow on a Dask cluster: decode and validate on the workers, one loader merging into DuckDB.

:func:`ingest_on_dask` runs :func:`fitbalance_pipelines.ingest.ingest_flow` with a ``prefect-dask``
``DaskTaskRunner``: either on the cluster whose scheduler is at ``address`` (``tcp://host:8786``), or on a
``LocalCluster`` of ``workers`` single-threaded worker processes (fitdecode is pure Python: threads would share one
core). Each ``stage-batch`` task writes its validated batch as Parquet files under ``staging``
(:mod:`fitbalance_pipelines.staging`); the flow process reads them back, one batch at a time, and loads each in one
transaction. Only the flow process opens the database.

On a real cluster, the inbox and ``staging`` must be paths every worker sees the same (shared storage), and the
workers must reach the Prefect API the flow uses (set ``PREFECT_API_URL`` to a server, not the ephemeral one). See
``docs/scale-out.md``.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from distributed import Client
from prefect import flow
from prefect.settings import PREFECT_API_URL, temporary_settings
from prefect_dask.task_runners import DaskTaskRunner

from fitbalance.errors import ConfigError
from fitbalance_pipelines.ingest import ingest_flow
from fitbalance_pipelines.jobs import refuse_other_jobs

LOCAL = "local"
DASK_BATCH_SIZE = 96  # files per task: each task costs API round trips, Parquet files and a load transaction


def local_runner(workers: int) -> DaskTaskRunner:
    """A task runner that starts a LocalCluster of ``workers`` single-threaded processes for the flow's run."""
    return DaskTaskRunner(
        cluster_kwargs={
            "n_workers": workers,
            "threads_per_worker": 1,
            "processes": True,
            "dashboard_address": ":0",  # the scheduler serves HTTP anyway: any free port, never a clash on 8787
        }
    )


def cluster_size(address: str) -> int:
    """How many worker threads the cluster at ``address`` has right now."""
    with Client(address, timeout="30s", set_as_default=False) as client:  # type: ignore[no-untyped-call]
        return max(1, int(sum(client.nthreads().values())))


def is_local_address(address: str) -> bool:
    """Whether a scheduler address names this machine (``local``, ``tcp://127.0.0.1:8786``, ``localhost``...)."""
    if address == LOCAL:
        return True
    host = urlsplit(address if "://" in address else f"tcp://{address}").hostname or ""
    return host in {"localhost", "127.0.0.1", "::1", socket.gethostname()}


@contextmanager
def one_api() -> Iterator[None]:
    """Make the flow and its Dask workers report to one Prefect API.

    With no ``PREFECT_API_URL``, every process would start an ephemeral API of its own (a worker's task runs would
    then be recorded where nobody looks, after tens of seconds of start-up each). So the flow's ephemeral server is
    started here and named by URL in the settings, which travel with every task to the workers.
    """
    if PREFECT_API_URL.value():
        yield
        return
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()  # the one the flow's own client would start; stopped when this process exits
    server.start()
    with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
        yield


def ingest_on_dask(
    paths: list[str],
    db: str,
    *,
    address: str | None = None,
    workers: int | None = None,
    staging: str | None = None,
    athlete: str | None = None,
    batch_size: int = DASK_BATCH_SIZE,
    settings_path: str | None = None,
    as_of: str | None = None,
) -> dict[str, Any]:
    """Run the ingest flow with its batches processed on Dask; returns the run summary (``as_of``: as the flow's).

    ``address`` None (or ``"local"``) starts a LocalCluster of ``workers`` processes (default: CPU count) for this
    run. ``staging`` is where the batches go as Parquet (default: a temporary folder, removed afterwards; on a real
    cluster, pass a folder on shared storage).
    """
    if address is None or address == LOCAL:
        n = workers or os.cpu_count() or 1
        runner = local_runner(n)
    else:
        if not PREFECT_API_URL.value() and not is_local_address(address):
            raise ConfigError(
                f"the workers of {address} report to the Prefect API: set PREFECT_API_URL to a server they can "
                "reach (the embedded one listens on 127.0.0.1 only)"
            )
        n = workers or cluster_size(address)
        runner = DaskTaskRunner(address=address)
    own_staging = staging is None
    folder = tempfile.mkdtemp(prefix="fitbalance-staging-") if staging is None else staging
    Path(folder).mkdir(parents=True, exist_ok=True)
    try:
        with one_api():
            on_dask = ingest_flow.with_options(task_runner=runner)  # type: ignore[arg-type]  # its futures subclass
            summary: dict[str, Any] = on_dask(
                paths=paths,
                db=db,
                athlete=athlete,
                workers=n,
                batch_size=batch_size,
                settings_path=settings_path,
                staging=folder,
                as_of=as_of,
            )
    finally:
        if own_staging:
            shutil.rmtree(folder, ignore_errors=True)
    return summary


@flow(name="fitbalance-ingest-dask", log_prints=False)
def dask_ingest_flow(
    paths: list[str],
    db: str,
    address: str = LOCAL,
    workers: int | None = None,
    staging: str | None = None,
    athlete: str | None = None,
    settings_path: str | None = None,
) -> dict[str, Any]:
    """:func:`ingest_on_dask` as a flow of its own, for a deployment (``prefect.yaml``): the ingest is its subflow.
    A run whose parameters are not its deployment's is refused (:mod:`fitbalance_pipelines.jobs`)."""
    given = {"paths": paths, "db": db, "address": address, "workers": workers, "staging": staging}
    refuse_other_jobs(dask_ingest_flow, given | {"athlete": athlete, "settings_path": settings_path})
    return ingest_on_dask(
        paths,
        db,
        address=address,
        workers=workers,
        staging=staging,
        athlete=athlete,
        settings_path=settings_path,
    )
