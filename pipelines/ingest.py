"""The Prefect ingest flow: discover -> plan -> process batches in parallel -> load each batch -> refresh views.

Thin on purpose: every step is a library call from :mod:`fitbalance`. Tasks are batches of files (a task run costs
about 10 ms and loads the API server with events, so never one task per file). Decoding is CPU-bound pure Python
(fitdecode), so batches run in worker processes; the flow process alone writes the database, one short transaction
per batch. Only the I/O tasks retry, and only on transient errors (a locked database).

One run per database at a time: the flow holds ``<db>.ingest.lock`` (:func:`fitbalance.store.load.run_lock`) from
discovery to the end, so a second run waits for the first (up to ``lock_wait_s``, then fails with a clear message).
A run killed midway leaves only whole batches behind; the next run marks it ``interrupted``, deletes its scratch
folder, and loads what it had not reached.

Two ways to process a batch, the rest of the flow being the same:

- local (default): ``process-batch`` tasks hand batches to a process pool of this machine and get the frames back;
- staged (``staging`` set; :mod:`pipelines.scale` runs the flow so on a Dask cluster): ``stage-batch`` tasks run on
  the flow's task runner (a ``DaskTaskRunner``), each writing its validated batch as Parquet files under
  ``staging`` (:mod:`pipelines.staging`); the flow process reads them back and loads them. Only it writes the
  database either way.
"""

from __future__ import annotations

import os
import sys
import tempfile
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.context import get_run_context
from prefect.futures import PrefectFuture

from fitbalance.config import Athlete, load_settings
from fitbalance.errors import FitbalanceError
from fitbalance.exercises import exercises_table
from fitbalance.models import FileStatus
from fitbalance.pipelines.staging import StagedBatch, discard, read_batch, write_batch
from fitbalance.process import BatchResult, FileOutcome, WorkItem, exercise_resolver, process_batch
from fitbalance.sources.archive import cleanup, discover, file_digest, scratch_dir
from fitbalance.store import load as store
from fitbalance.store.views import apply_views

MIN_BATCH_SIZE, MAX_BATCH_SIZE = 16, 96
"""Files per batch when the caller does not say: about four batches per worker, within these bounds. A batch costs
two task runs, a worker round trip and a load transaction, so big runs take big batches; small runs still keep every
worker busy, and the last batches leave no worker waiting long."""

ProgressListener = Callable[[str, int, int], None]
"""(phase, done, total): called in the flow's process as files are processed."""
progress_listeners: list[ProgressListener] = []


def _progress(phase: str, done: int, total: int) -> None:
    for listener in progress_listeners:
        listener(phase, done, total)


@dataclass
class Plan:
    todo: list[WorkItem]
    known: int
    seen: int
    ignored: int
    problems: list[tuple[str, str]]
    known_files: list[tuple[str, str]] = field(default_factory=list)  # (path, file_id) already in the database


@dataclass
class RunSummary:
    run_id: str
    db: str
    files_seen: int = 0
    loaded: int = 0
    skipped: int = 0
    already_loaded: int = 0
    quarantined: int = 0
    ignored: int = 0
    activities_added: int = 0
    sets_added: int = 0
    samples_added: int = 0
    quarantine_reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _transient(task: Any, task_run: Any, state: Any) -> bool:
    """Retry only errors that say a retry may help (a locked database), never a bad input."""
    try:
        state.result()
    except FitbalanceError as exc:
        return exc.transient
    except Exception:
        return False
    return False


@task(name="plan", retries=3, retry_delay_seconds=2, retry_condition_fn=_transient, cache_policy=NO_CACHE)
def plan_files(paths: Sequence[str], db: str, workdir: str) -> Plan:
    """Find the files, hash them, and keep those whose content is not in the database yet."""
    found = discover([Path(p) for p in paths], Path(workdir))
    db_path = Path(db)
    known: dict[str, str] = {}
    if db_path.exists():
        with store.open_store(db_path) as con:
            known = store.known_files(con)
    todo: list[WorkItem] = []
    known_files: list[tuple[str, str]] = []
    queued: set[str] = set()
    for ref in found.files:
        digest = file_digest(ref.local_path)
        if digest in known or digest in queued:
            known_files.append((ref.path, digest))
            continue
        queued.add(digest)
        todo.append(WorkItem(ref=ref, file_id=digest))
    problems = [(p.path, p.reason) for p in found.problems]
    return Plan(
        todo=todo,
        known=len(known_files),
        seen=len(found.files) + len(problems),
        ignored=found.ignored,
        problems=problems,
        known_files=known_files,
    )


class Handoff:
    """Processed batches waiting for the loader, by batch number.

    Batches travel from the process tasks to the load task through this, not as task results or parameters:
    Prefect keeps every task run's engine (its parameters and result) until the flow run ends, so frames handed
    through tasks would keep the whole corpus in memory. Here a batch lives from its processing to its load.
    """

    def __init__(self) -> None:
        self._batches: dict[int, BatchResult] = {}

    def put(self, number: int, batch: BatchResult) -> None:
        self._batches[number] = batch

    def get(self, number: int) -> BatchResult:
        return self._batches[number]

    def drop(self, number: int) -> None:
        self._batches.pop(number, None)


@task(name="process-batch", cache_policy=NO_CACHE)
def process_task(
    items: list[WorkItem], athlete: Any, as_of: datetime, pool: Executor | None, handoff: Handoff, number: int
) -> int:
    """Decode, normalize and validate a batch, in a worker process when a pool is given; hand it to the loader."""
    if pool is None:
        batch = process_batch(items, athlete=athlete, as_of=as_of)
    else:
        batch = pool.submit(process_batch, items, athlete=athlete, as_of=as_of).result()
    handoff.put(number, batch)
    return number


@task(name="stage-batch", cache_policy=NO_CACHE)
def stage_task(items: list[WorkItem], athlete: Any, as_of: datetime, folder: str) -> StagedBatch:
    """Decode, normalize and validate a batch where the task runner puts it, and stage the result as Parquet."""
    return write_batch(process_batch(items, athlete=athlete, as_of=as_of), Path(folder))


@task(name="load-batch", retries=3, retry_delay_seconds=2, retry_condition_fn=_transient, cache_policy=NO_CACHE)
def load_task(handoff: Handoff, number: int, db: str, athlete: str, run_id: str) -> dict[str, int]:
    """Load batch ``number`` in one short write transaction (a retry finds it still in the hand-off)."""
    batch = handoff.get(number)
    now = datetime.now(UTC).replace(tzinfo=None)
    with store.open_store(Path(db)) as con:
        # one thread: the loader shares the machine with the workers, and a batch's small transaction gains nothing
        # from more (measured: 12 % less CPU per load)
        con.execute("SET threads = 1")
        return store.load_batch(con, batch, athlete=athlete, run_id=run_id, now=now)


@task(name="bookkeeping", retries=3, retry_delay_seconds=2, retry_condition_fn=_transient, cache_policy=NO_CACHE)
def start_run_task(
    db: str,
    run_id: str,
    flow_run_id: str | None,
    settings_path: str | None,
    athlete: str,
    plan: Plan,
) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    settings = load_settings(Path(settings_path) if settings_path else None)
    with store.open_store(Path(db)) as con:
        store.begin_run(con, run_id=run_id, flow_run_id=flow_run_id, started_at=now)
        store.refresh_athletes(con, settings, [athlete])
        store.refresh_exercises(con, exercises_table(user_names=[a.exercise_names for a in settings.athletes.values()]))
        for name in dict.fromkeys([*settings.athletes, athlete]):  # settings' mappings reach sets loaded before
            store.remap_exercises(con, name, exercise_resolver(settings.athlete(name)))
        store.record_problems(con, plan.problems, athlete=athlete, run_id=run_id, now=now)
        store.record_seen(
            con,
            run_id=run_id,
            pending=[(item.ref.path, item.file_id) for item in plan.todo],
            known=plan.known_files,
            refused=[path for path, _ in plan.problems],
        )


@task(
    name="refresh-views",
    retries=3,
    retry_delay_seconds=2,
    retry_condition_fn=_transient,
    cache_policy=NO_CACHE,
)
def finish_run_task(db: str, run_id: str, summary: RunSummary, outcome: str) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    counts = {
        "seen": summary.files_seen,
        "loaded": summary.loaded,
        "skipped": summary.skipped,
        "known": summary.already_loaded,
        "quarantined": summary.quarantined,
        "activities": summary.activities_added,
        "sets": summary.sets_added,
    }
    with store.open_store(Path(db)) as con:
        apply_views(con)
        store.finish_run(con, run_id=run_id, ended_at=now, outcome=outcome, counts=counts)


def _process_pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes forked from a server that has imported the library once (polars, pandera: seconds)."""
    context = get_context("forkserver")
    context.set_forkserver_preload(["fitbalance.process"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


def _chunks(items: list[WorkItem], size: int) -> Iterator[list[WorkItem]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _batch_size(files: int, workers: int) -> int:
    return max(MIN_BATCH_SIZE, min(MAX_BATCH_SIZE, -(-files // (4 * workers))))


def _workers(requested: int | None, batches: int) -> int:
    available = requested if requested is not None else (os.cpu_count() or 1)
    return max(1, min(available, batches))


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
) -> dict[str, Any]:
    """Ingest FIT and CSV exports under ``paths`` into the DuckDB file ``db``; returns the run summary.

    ``batch_size`` files go to a worker at a time (default: about four batches per worker, 16 to 96 files each).
    Waits up to ``lock_wait_s`` seconds while another ingest runs on the same database. Timestamps after ``as_of``
    (ISO text, naive UTC; default: the end of today, UTC) are quarantined as being in the future. (Parameters are
    plain JSON types: a served deployment validates them without this module's imports.)

    With ``staging`` (a folder every worker of the flow's task runner can reach), batches are processed by the task
    runner and handed back as Parquet files in ``<staging>/<run_id>/`` instead of through a local process pool;
    ``workers`` is then the cluster's worker count (twice as many batches are kept in flight).
    """
    logger = get_run_logger()
    settings = load_settings(Path(settings_path) if settings_path else None)
    who = settings.athlete(athlete)

    def tell(message: str) -> None:  # on the run's log and on stderr, whatever Prefect's log level
        logger.warning(message)
        print(message, file=sys.stderr, flush=True)

    clock = datetime.fromisoformat(as_of) if as_of else _end_of_today()
    with store.run_lock(Path(db), wait_s=lock_wait_s, on_wait=tell), scratch_dir() as scratch:
        return _ingest(paths, db, who, workers, batch_size, settings_path, str(scratch), clock, staging)


def _end_of_today() -> datetime:
    """Midnight UTC at the end of today: a whole-day clock, so a quarantine reason reads the same all day."""
    return datetime.combine(datetime.now(UTC).date() + timedelta(days=1), datetime.min.time())


def _ingest(
    paths: list[str],
    db: str,
    who: Athlete,
    workers: int | None,
    batch_size: int | None,
    settings_path: str | None,
    workdir: str,
    as_of: datetime,
    staging: str | None = None,
) -> dict[str, Any]:
    logger = get_run_logger()
    run_id = uuid.uuid4().hex
    flow_run = get_run_context().flow_run  # type: ignore[union-attr]
    staged_in = Path(staging) / run_id if staging else None
    if staged_in is not None:  # archives are unpacked where the workers can read the members too
        staged_in.mkdir(parents=True)
        workdir = tempfile.mkdtemp(prefix="fitbalance-", dir=staged_in)
    summary = RunSummary(run_id=run_id, db=db)
    outcome = "failed"
    try:
        plan = plan_files(paths, db, workdir)
        summary.files_seen, summary.already_loaded, summary.ignored = plan.seen, plan.known, plan.ignored
        summary.quarantined = len(plan.problems)
        summary.quarantine_reasons = [f"{p}: {r}" for p, r in plan.problems[:5]]
        start_run_task(db, run_id, str(flow_run.id) if flow_run else None, settings_path, who.name, plan)

        size = batch_size or _batch_size(len(plan.todo), _workers(workers, len(plan.todo)))
        batches = list(_chunks(plan.todo, size))
        n_workers = _workers(workers, len(batches))
        total = len(plan.todo)
        _progress("process", 0, total)
        pool = _process_pool(n_workers) if n_workers > 1 and staged_in is None else None

        handoff = Handoff()

        def submit(number: int, batch: list[WorkItem]) -> PrefectFuture[int] | PrefectFuture[StagedBatch]:
            if staged_in is None:
                return process_task.submit(batch, who, as_of, pool, handoff, number)
            return stage_task.submit(batch, who, as_of, str(staged_in / f"batch-{number:06d}"))

        try:
            in_flight: deque[tuple[int, PrefectFuture[int] | PrefectFuture[StagedBatch]]] = deque()
            pending = enumerate(batches)
            done = 0
            window = max(2, 2 * n_workers)  # bounded: memory stays flat however many files there are
            while True:
                while len(in_flight) < window and (numbered := next(pending, None)) is not None:
                    in_flight.append((numbered[0], submit(*numbered)))
                if not in_flight:
                    break
                number, future = in_flight.popleft()
                made = future.result()
                if isinstance(made, StagedBatch):
                    handoff.put(number, read_batch(made))
                outcomes = handoff.get(number).outcomes
                try:
                    counts = load_task(handoff, number, db, who.name, run_id)
                finally:
                    handoff.drop(number)
                if isinstance(made, StagedBatch):
                    discard(made)
                _account(summary, outcomes, counts)
                done += len(outcomes)
                _progress("process", done, total)
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)
        outcome = "completed"
    finally:
        if staged_in is not None:
            cleanup(staged_in)
        try:
            finish_run_task(db, run_id, summary, outcome)
        except FitbalanceError as exc:
            logger.error("could not record the end of run %s: %s", run_id, exc)
    logger.info(
        "ingest %s: %d seen, %d loaded, %d skipped, %d already loaded, %d quarantined; %d activities, %d sets",
        run_id,
        summary.files_seen,
        summary.loaded,
        summary.skipped,
        summary.already_loaded,
        summary.quarantined,
        summary.activities_added,
        summary.sets_added,
    )
    return summary.as_dict()


def _account(summary: RunSummary, outcomes: list[FileOutcome], counts: dict[str, int]) -> None:
    summary.loaded += counts[FileStatus.LOADED.value]
    summary.skipped += counts[FileStatus.SKIPPED.value]
    summary.quarantined += counts[FileStatus.QUARANTINED.value]
    summary.activities_added += counts["activities"]
    summary.sets_added += counts["sets"]
    summary.samples_added += counts["samples"]
    for o in outcomes:
        if o.status is FileStatus.QUARANTINED and len(summary.quarantine_reasons) < 5:
            summary.quarantine_reasons.append(f"{o.path}: {o.detail}")
