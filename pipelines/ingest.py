"""The Prefect ingest flow: plan (discover, hash, record what was found) -> process batches in parallel -> load each
batch -> finish (apply the rules, refresh views, record the end).

Thin on purpose: every step is a library call from :mod:`fitbalance`. Tasks are batches of files (a task run costs about
10 ms and loads the API server with events, so never one task per file), and the steps around the batches are one task
each, on one connection each: an everyday run, with nothing new to read, is those two tasks. Decoding is CPU-bound pure
Python (fitdecode), so batches run in worker processes; the flow process alone writes the database, one short
transaction per batch. Only the I/O tasks retry, and only on transient errors (a locked database).

One run per database at a time: the flow holds ``<db>.ingest.lock`` (:func:`fitbalance.store.ledger.run_lock`) from
discovery to the end, so a second run waits for the first (up to ``lock_wait_s``, then fails with a clear message).
A run killed midway leaves only whole batches behind; the next run marks it ``interrupted``, deletes its scratch
folder, and loads what it had not reached.

The plan also reads again files already recorded (:mod:`fitbalance.rereads`): those whose settings changed, those
quarantined for a passing reason, and those the caller asks for (``reread``: ``fitbalance reprocess``, ``ingest
--retry-quarantined``), from where this run found them or else from their recorded paths; they go through the same
batches and replace their own rows. Once every batch is loaded, the settings' overrides and exercise names and the
user's corrections are applied to every loaded row (:func:`fitbalance.store.corrections.apply_rules`), whether or
not a file was new.

Where the batches are processed is a :class:`~fitbalance.pipelines.executors.BatchExecutor`, the loop being the same for
every engine: a process pool of this machine (default), or, with ``staging`` set, the flow's Dask task runner handing
batches back as Parquet (:mod:`fitbalance.pipelines.scale`). Only the flow process writes the database either way.
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.context import get_run_context

from fitbalance.config import Athlete, load_settings
from fitbalance.errors import FitbalanceError
from fitbalance.exercises import exercises_table
from fitbalance.models import BatchResult, FileOutcome, FileStatus, LoadCounts, SourceRef, WorkItem
from fitbalance.patterns import patterns_frame
from fitbalance.pipelines.executors import BatchExecutor, DaskBatches, LocalBatches
from fitbalance.process import exercise_resolver
from fitbalance.rereads import Request, Reread, files_to_read_again
from fitbalance.sources.archive import discover, file_digest, locate, scratch_dir
from fitbalance.store import corrections, ledger, placement, reference
from fitbalance.store.connection import open_store
from fitbalance.store.load import load_batch
from fitbalance.store.views import apply_views

MIN_BATCH_SIZE, MAX_BATCH_SIZE = 16, 96
"""Files per batch when the caller does not say: about four batches per worker, within these bounds. A batch costs
task runs, a worker round trip and a load transaction, so big runs take big batches; small runs still keep every
worker busy, and the last batches leave no worker waiting long."""

ProgressListener = Callable[[str, int, int], None]
"""(phase, done, total): called in the flow's process as files are processed."""
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


@dataclass
class Plan:
    todo: list[WorkItem]
    known: int
    seen: int
    ignored: int
    problems: list[tuple[str, str]]
    known_files: list[tuple[str, str]] = field(default_factory=list)  # (path, file_id) already in the database
    rereads: int = 0  # files of todo already recorded, read again
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (file_id, problem): to read again, but cannot


@dataclass(frozen=True)
class RunStart:
    """What the run's first and last tasks record about it."""

    run_id: str
    flow_run_id: str | None
    started: datetime  # the time every row the run writes is stamped with
    athlete: str
    settings_path: str | None


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
    reread: int = 0
    not_reread: list[str] = field(default_factory=list)
    reclassified: int = 0
    sets_remapped: int = 0
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
def plan_task(paths: Sequence[str], db: str, workdir: str, who: Athlete, reread: str | None, run: RunStart) -> Plan:
    """Decide what this run reads (:func:`plan_files`) and open the run in the database (:func:`start_run`), on one
    connection: in an everyday run these are most of the work, and a task and a connection each cost time."""
    with open_store(Path(db)) as con:
        plan = plan_files(con, paths, workdir, who, reread)
        start_run(con, run, plan)
    return plan


def plan_files(
    con: duckdb.DuckDBPyConnection, paths: Sequence[str], workdir: str, who: Athlete, reread: str | None = None
) -> Plan:
    """Find the files, hash them, and keep those whose content is not in the database yet, and those recorded that
    are to be read again (for ``who``; ``reread``: a :class:`~fitbalance.rereads.Request`)."""
    found = discover([Path(p) for p in paths], Path(workdir))
    known = ledger.known_files(con)
    request = Request.parse(reread) if reread else None
    states = ledger.file_states(con, who.name)
    again = {r.file_id: r for r in files_to_read_again(states, who, request)}
    todo: list[WorkItem] = []
    known_files: list[tuple[str, str]] = []
    queued: set[str] = set()
    rereads = 0
    for ref in found.files:
        digest = file_digest(ref.local_path)
        if digest in queued or (digest in known and digest not in again):
            known_files.append((ref.path, digest))
            continue
        queued.add(digest)
        todo.append(WorkItem(ref=ref, file_id=digest))
        rereads += again.pop(digest, None) is not None
    elsewhere, unreadable = _read_again_from_recorded_paths(list(again.values()), Path(workdir) / "recorded")
    todo += [item for item in elsewhere if item.file_id not in queued]
    problems = [(p.path, p.reason) for p in found.problems]
    return Plan(
        todo=todo,
        known=len(known_files),
        seen=len(found.files) + len(problems) + len(elsewhere),
        ignored=found.ignored,
        problems=problems,
        known_files=known_files,
        rereads=rereads + len(elsewhere),
        unreadable=unreadable,
    )


def _read_again_from_recorded_paths(
    wanted: list[Reread], workdir: Path
) -> tuple[list[WorkItem], list[tuple[str, str]]]:
    """Work items for recorded files this run did not find, where their recorded paths still hold the same content;
    (file_id, problem) for the others."""
    located: dict[str, SourceRef] = locate([r.path for r in wanted], workdir) if wanted else {}
    items: list[WorkItem] = []
    unreadable: list[tuple[str, str]] = []
    for r in wanted:
        ref = located.get(r.path)
        digest = _digest(ref.local_path) if ref is not None else None
        if ref is not None and digest == r.file_id:
            items.append(WorkItem(ref=ref, file_id=r.file_id))
        elif ref is None:
            unreadable.append((r.file_id, f"to read again ({r.why}), but {r.path} is gone; its rows stay"))
        else:
            unreadable.append(
                (r.file_id, f"to read again ({r.why}), but {r.path} holds other content now; its rows stay")
            )
    return items, unreadable


def _digest(path: str) -> str | None:
    try:
        return file_digest(path)
    except OSError:
        return None


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


@task(name="load-batch", retries=3, retry_delay_seconds=2, retry_condition_fn=_transient, cache_policy=NO_CACHE)
def load_task(parcel: Parcel, db: str, athlete: str, run_id: str, now: datetime) -> LoadCounts:
    """Load a processed batch in one short write transaction, stamping its rows with ``now`` (the run's start)."""
    with open_store(Path(db)) as con:
        # one thread: the loader shares the machine with the workers, and a batch's small transaction gains nothing
        # from more (measured: 12 % less CPU per load)
        con.execute("SET threads = 1")
        counts = load_batch(con, parcel.open(), athlete=athlete, run_id=run_id, now=now)
    parcel.empty()
    return counts


BATCH_GATE = "FITBALANCE_TEST_BATCH_GATE"


def batch_gate(number: int) -> None:
    """Test hook, inert unless the environment variable ``FITBALANCE_TEST_BATCH_GATE`` names a folder.

    Then, once batch ``number`` is committed and its connection closed, it creates ``<folder>/loaded-<number>`` and
    waits until ``<folder>/seen-<number>`` or ``<folder>/open`` exists (at most 5 minutes), so that a test can look
    at the database between any two batches without betting on timing (``tests/reliability/test_concurrency.py``).
    """
    folder = os.environ.get(BATCH_GATE)
    if not folder:
        return
    gate = Path(folder)
    (gate / f"loaded-{number:06d}").touch()
    deadline = time.monotonic() + 300
    while not ((gate / f"seen-{number:06d}").exists() or (gate / "open").exists()) and time.monotonic() < deadline:
        time.sleep(0.01)


def start_run(con: duckdb.DuckDBPyConnection, run: RunStart, plan: Plan) -> None:
    """Record the run and what it found, and bring the reference tables and the CSV times' placement up to date."""
    settings = load_settings(Path(run.settings_path) if run.settings_path else None)
    ledger.begin_run(con, run_id=run.run_id, flow_run_id=run.flow_run_id, started_at=run.started)
    reference.refresh_athletes(con, settings, [run.athlete])
    reference.refresh_progression(con, settings, [run.athlete])
    reference.refresh_exercises(con, exercises_table(user_names=[a.exercise_names for a in settings.athletes.values()]))
    reference.refresh_targets(con, settings, [run.athlete])
    reference.refresh_patterns(con, patterns_frame())
    # a changed time_zone re-places the CSV times loaded before
    placement.place_and_link(con, list(dict.fromkeys([*settings.athletes, run.athlete])))
    ledger.record_problems(con, plan.problems, run_id=run.run_id, now=run.started)
    ledger.record_unreadable(con, plan.unreadable)
    ledger.record_seen(
        con,
        run_id=run.run_id,
        pending=[(item.ref.path, item.file_id) for item in plan.todo],
        known=plan.known_files,
        refused=[path for path, _ in plan.problems],
    )


@task(name="finish", retries=3, retry_delay_seconds=2, retry_condition_fn=_transient, cache_policy=NO_CACHE)
def finish_task(run: RunStart, summary: RunSummary, outcome: str) -> corrections.RuleCounts | None:
    """The end of the run, on one connection: when it ``completed``, the settings' exercise names and overrides and
    the user's corrections applied to every loaded row (returned); the views made again where their SQL changed;
    the run's end and counts recorded."""
    with open_store(Path(summary.db)) as con:
        rules = _apply_rules(con, run.settings_path, run.athlete) if outcome == "completed" else None
        apply_views(con)
        ledger.finish_run(
            con,
            run_id=run.run_id,
            ended_at=datetime.now(UTC).replace(tzinfo=None),
            outcome=outcome,
            counts={
                "seen": summary.files_seen,
                "loaded": summary.loaded,
                "skipped": summary.skipped,
                "known": summary.already_loaded,
                "quarantined": summary.quarantined,
                "activities": summary.activities_added,
                "sets": summary.sets_added,
            },
        )
    return rules


def _apply_rules(con: duckdb.DuckDBPyConnection, settings_path: str | None, athlete: str) -> corrections.RuleCounts:
    settings = load_settings(Path(settings_path) if settings_path else None)
    names = list(dict.fromkeys([*settings.athletes, athlete]))
    resolvers = {name: exercise_resolver(settings.athlete(name)) for name in names}
    return corrections.apply_rules(con, settings, names, resolvers)


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
    reread: str | None = None,
) -> dict[str, Any]:
    """Ingest FIT and CSV exports under ``paths`` into the DuckDB file ``db``; returns the run summary.

    Files already recorded are read again when their settings changed or they failed for a passing reason, and, with
    ``reread`` (``all``, ``quarantined`` or ``since-version:X``; ``paths`` may then be empty), those the caller asks
    for: see :mod:`fitbalance.rereads`.

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
    with ledger.run_lock(Path(db), wait_s=lock_wait_s, on_wait=tell), scratch_dir() as scratch:
        return _ingest(paths, db, who, workers, batch_size, settings_path, str(scratch), clock, staging, reread)


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
    reread: str | None = None,
) -> dict[str, Any]:
    logger = get_run_logger()
    run_id = uuid.uuid4().hex
    # one time for every row the run writes: which file counts first among equals (dedupe's "earliest loaded")
    # is then the same however the run's files fell into batches
    started = datetime.now(UTC).replace(tzinfo=None)
    flow_run = get_run_context().flow_run  # type: ignore[union-attr]
    engine = _executor(who, as_of, staging, run_id)
    summary = RunSummary(run_id=run_id, db=db)
    run = RunStart(run_id, str(flow_run.id) if flow_run else None, started, who.name, settings_path)
    finished = False
    try:
        with engine:
            plan = plan_task(paths, db, engine.unpack_dir(workdir), who, reread, run)
            summary.files_seen, summary.already_loaded, summary.ignored = plan.seen, plan.known, plan.ignored
            summary.reread, summary.not_reread = plan.rereads, [problem for _, problem in plan.unreadable]
            summary.quarantined = len(plan.problems)
            summary.quarantine_reasons = [f"{p}: {r}" for p, r in plan.problems[:5]]

            size = batch_size or _batch_size(len(plan.todo), _workers(workers, len(plan.todo)))
            batches = list(_chunks(plan.todo, size))
            done, total = 0, len(plan.todo)
            _progress("process", done, total)
            for number, batch in enumerate(engine.processed(batches, _workers(workers, len(batches)))):
                counts = load_task(Parcel(batch), db, who.name, run_id, started)
                batch_gate(number)
                _account(summary, batch.outcomes, counts)
                done += len(batch.outcomes)
                _progress("process", done, total)
        rules = finish_task(run, summary, "completed")
        finished = True
        if rules is not None:
            summary.reclassified = rules.reclassified
            summary.sets_remapped = rules.sets_remapped + rules.sets_corrected
    finally:
        if not finished:  # the run failed or was stopped: its end is recorded all the same
            try:
                finish_task(run, summary, "failed")
            except FitbalanceError as exc:
                logger.error("could not record the end of run %s: %s", run_id, exc)
    logger.info(
        "ingest %s: %d seen, %d loaded, %d skipped, %d already loaded, %d quarantined, %d read again; "
        "%d activities, %d sets; %d activities reclassified",
        run_id,
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
    return summary.as_dict()


def _executor(who: Athlete, as_of: datetime, staging: str | None, run_id: str) -> BatchExecutor[Any]:
    """The engine that processes this run's batches: Dask's, handing back Parquet under ``staging``, or a local pool."""
    if staging is not None:
        return DaskBatches(who, as_of, Path(staging) / run_id)
    return LocalBatches(who, as_of)


def _account(summary: RunSummary, outcomes: list[FileOutcome], counts: LoadCounts) -> None:
    summary.loaded += counts.loaded
    summary.skipped += counts.skipped
    summary.quarantined += counts.quarantined
    summary.activities_added += counts.activities
    summary.sets_added += counts.sets
    summary.samples_added += counts.samples
    for o in outcomes:
        if o.status is FileStatus.QUARANTINED and len(summary.quarantine_reasons) < 5:
            summary.quarantine_reasons.append(f"{o.path}: {o.detail}")
