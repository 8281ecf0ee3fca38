"""The whole ingest, read top to bottom: plan -> process and load the batches -> finish -> :class:`RunSummary`.

    from fitbalance import ingest
    summary = ingest(["~/exports"], "training.duckdb")

:func:`ingest` takes the database's run lock and hands the run to :func:`execute`, the loop every ingest runs (the
Prefect flow too). The loop calls three steps, each on a connection of its own:

1. **Plan** (:func:`plan`): find the files under the paths (archives unpacked), hash them, keep those whose content
   is not in the database yet and those recorded that are to be read again (:mod:`fitbalance.rereads`: their
   settings changed, they failed for a passing reason, or the caller asks); then open the run in the database
   (:func:`start_run`): the run's row, what was found, and the reference tables the settings and the release make
   (:func:`fitbalance.store.reference.refresh`: written only when those changed).
2. **Load the batches** (:func:`load`): the files to read go in batches to an engine (:mod:`fitbalance.executors`:
   a pool of this machine's processes by default) that decodes, normalizes and validates them; each processed batch
   is loaded in one short write transaction, in order, by this process alone.
3. **Finish** (:func:`finish`): the settings' overrides and exercise names and the user's corrections applied to the
   loaded rows (:func:`apply_rules`: when a batch was loaded or those changed), the views made again where their SQL
   changed, the run's end and counts recorded.

The counts the steps return add up, in a :class:`Tally`, to the :class:`RunSummary` the caller gets. One run per
database at a time: :func:`ingest` holds ``<db>.ingest.lock`` (:func:`fitbalance.store.ledger.run_lock`) from the
plan to the end. A run killed midway leaves only whole batches behind; the next run marks it ``interrupted`` and
loads what it had not reached. A run that fails records its end all the same.

Nothing here imports Prefect: the Prefect flow (``fitbalance_pipelines.ingest``) runs the same loop with the same
steps wrapped as tasks (:class:`Steps`), and adds task runs, retries and the UI around them.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from fitbalance.config import Athlete, Settings, load_settings
from fitbalance.errors import FitbalanceError
from fitbalance.executors import BatchExecutor, LocalBatches
from fitbalance.models import BatchResult, FileOutcome, FileStatus, LoadCounts, SourceRef, WorkItem
from fitbalance.process import exercise_resolver
from fitbalance.rereads import Request, Reread, files_to_read_again
from fitbalance.sources.archive import discover, file_digest, locate, scratch_dir
from fitbalance.store import corrections, inputs, ledger, reference
from fitbalance.store.connection import open_store
from fitbalance.store.load import load_batch
from fitbalance.store.views import apply_views

log = logging.getLogger(__name__)

MIN_BATCH_SIZE, MAX_BATCH_SIZE = 16, 96
"""Files per batch when the caller does not say: about four batches per worker, within these bounds. A batch costs
a worker round trip and a load transaction (and, in the flow, task runs), so big runs take big batches; small runs
still keep every worker busy, and the last batches leave no worker waiting long."""

LOAD_MEMORY_LIMIT = "128MB"
"""What DuckDB may hold while a batch loads; beyond it, it writes to its temporary folder beside the database. A
batch's rows are written to the file as they are inserted, so what it would keep is a cache: without the limit, an
Apple Health export of 800,000 samples kept 60 MB more in the loading process (bench/RESULTS-apple.md)."""

MAX_REASONS = 5
"""Quarantine reasons a summary quotes (every one is in the ``quarantine`` table)."""

RULES = "rules"
"""The part of :mod:`fitbalance.store.inputs` that records what the rules were last applied to the rows with."""

ProgressListener = Callable[[str, int, int], None]
"""(phase, done, total): called in the ingest's process as files are processed."""

BatchListener = Callable[[int], None]
"""Called with a batch's number (from 0) once it is committed and its connection closed: a test can look at the
database between any two batches without betting on timing."""


# ---- the whole ingest ---------------------------------------------------------------------------------------------


def ingest(
    paths: Sequence[str | os.PathLike[str]],
    db: str | os.PathLike[str],
    *,
    settings: Settings | None = None,
    athlete: str | None = None,
    workers: int | None = 1,
    batch_size: int | None = None,
    as_of: datetime | None = None,
    reread: str | None = None,
    lock_wait_s: float = 600.0,
    on_wait: Callable[[str], None] | None = None,
    progress: ProgressListener | None = None,
    on_batch: BatchListener | None = None,
) -> RunSummary:
    """Ingest the FIT and CSV exports under ``paths`` into the DuckDB file ``db``, in this process and its workers.

    ``settings``: the athletes' settings (default: read once, from ``$FITBALANCE_SETTINGS`` or ``./fitbalance.toml``);
    ``athlete``: whose files these are (default: the settings' default athlete). ``workers`` processes decode the
    batches (1: a thread beside the loader; None: one per CPU), ``batch_size`` files each (default: about four
    batches per worker). Timestamps after ``as_of`` (naive UTC; default: the end of today, UTC) are quarantined as
    being in the future. ``reread`` (``all``, ``quarantined`` or ``since-version:X``) asks for recorded files to be
    read again.

    Waits up to ``lock_wait_s`` seconds while another ingest runs on the same database (telling ``on_wait``), then
    raises :class:`~fitbalance.errors.StoreLockedError`. ``progress`` hears how far the files have come; ``on_batch``
    is called after each batch's commit.
    """
    settings = settings if settings is not None else load_settings()
    who = settings.athlete(athlete)
    clock = as_of or end_of_today()
    with ledger.run_lock(Path(db), wait_s=lock_wait_s, on_wait=on_wait), scratch_dir() as scratch:
        return execute(
            RunStart.new(db, who, settings),
            [str(p) for p in paths],
            str(scratch),
            LocalBatches(who, clock),
            STEPS,
            workers=workers,
            batch_size=batch_size,
            reread=reread,
            progress=progress,
            on_batch=on_batch,
        )


def execute(
    run: RunStart,
    paths: Sequence[str],
    workdir: str,
    engine: BatchExecutor[Any],
    steps: Steps,
    *,
    workers: int | None = None,
    batch_size: int | None = None,
    reread: str | None = None,
    progress: ProgressListener | None = None,
    on_batch: BatchListener | None = None,
) -> RunSummary:
    """The loop of a run, whoever runs it: plan, process the batches (``engine``, ``workers`` processes, None: one
    per CPU) and load each, finish. The run's end is recorded whether it completes or fails."""
    tally = Tally(run.run_id, run.db)
    tell = progress or (lambda phase, done, total: None)
    finished = False
    try:
        with engine:
            plan = steps.plan(run, paths, engine.unpack_dir(workdir), reread)
            tally.planned(plan)
            size = batch_size or batch_size_for(len(plan.todo), worker_count(workers, len(plan.todo)))
            batches = list(_chunks(plan.todo, size))
            done, total = 0, len(plan.todo)
            tell("process", done, total)
            for number, batch in enumerate(engine.processed(batches, worker_count(workers, len(batches)))):
                tally.loaded_batch(batch.outcomes, steps.load(run, batch))
                if on_batch is not None:
                    on_batch(number)
                done += len(batch.outcomes)
                tell("process", done, total)
        tally.ruled(steps.finish(run, tally.summary(), "completed"))
        finished = True
    finally:
        if not finished:  # the run failed or was stopped: its end is recorded all the same
            try:
                steps.finish(run, tally.summary(), "failed")
            except FitbalanceError as exc:  # the error that stopped the run is the one raised
                log.error("could not record the end of run %s: %s", run.run_id, exc)
    return tally.summary()


@dataclass(frozen=True)
class Steps:
    """The three steps :func:`execute` calls: :data:`STEPS`, the functions below; the flow gives the same functions
    wrapped as Prefect tasks."""

    plan: Callable[[RunStart, Sequence[str], str, str | None], Plan]
    load: Callable[[RunStart, BatchResult], LoadCounts]
    finish: Callable[[RunStart, RunSummary, str], corrections.RuleCounts | None]


# ---- 1. plan ------------------------------------------------------------------------------------------------------


def plan(run: RunStart, paths: Sequence[str], workdir: str, reread: str | None = None) -> Plan:
    """Decide what this run reads (:func:`plan_files`) and open the run in the database (:func:`start_run`), on one
    connection: in an everyday run these are most of the work."""
    with open_store(Path(run.db)) as con:
        found = plan_files(con, paths, workdir, run.athlete, reread)
        start_run(con, run, found)
    return found


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


def start_run(con: duckdb.DuckDBPyConnection, run: RunStart, plan: Plan) -> None:
    """Record the run and what it found, and bring the reference tables (and with ``athletes`` the CSV times'
    placement) up to date where the settings or the release changed."""
    ledger.begin_run(con, run_id=run.run_id, flow_run_id=run.flow_run_id, started_at=run.started)
    reference.refresh(con, run.settings, [run.athlete.name], run.release)
    ledger.record_problems(con, plan.problems, run_id=run.run_id, now=run.started)
    ledger.record_unreadable(con, plan.unreadable)
    ledger.record_seen(
        con,
        run_id=run.run_id,
        pending=[(item.ref.path, item.file_id) for item in plan.todo],
        known=plan.known_files,
        refused=[path for path, _ in plan.problems],
    )


# ---- 2. load a batch ----------------------------------------------------------------------------------------------


def load(run: RunStart, batch: BatchResult) -> LoadCounts:
    """Load a processed batch in one short write transaction, stamping its rows with the run's start."""
    with open_store(Path(run.db)) as con:
        # one thread: the loader shares the machine with the workers, and a batch's small transaction gains nothing
        # from more (measured: 12 % less CPU per load)
        con.execute("SET threads = 1")
        con.execute(f"SET memory_limit = '{LOAD_MEMORY_LIMIT}'")
        inputs.forget(con, RULES)  # the rows change: the end of the run applies the rules to them again
        return load_batch(con, batch, athlete=run.athlete.name, run_id=run.run_id, now=run.started)


# ---- 3. finish ----------------------------------------------------------------------------------------------------


def finish(run: RunStart, summary: RunSummary, outcome: str) -> corrections.RuleCounts | None:
    """The end of the run, on one connection: when it ``completed``, the rules applied to the loaded rows
    (:func:`apply_rules`, what they changed returned); the views made again where their SQL changed; the run's end
    and counts recorded."""
    with open_store(Path(run.db)) as con:
        rules = apply_rules(con, run) if outcome == "completed" else None
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


def apply_rules(con: duckdb.DuckDBPyConnection, run: RunStart) -> corrections.RuleCounts:
    """The settings' overrides and exercise names and the user's corrections, applied to every athlete's rows, when
    what they are applied with changed since they were last applied (:mod:`fitbalance.store.inputs`): those
    settings, the release (its catalogue and rules), or the rows (:func:`load` forgets the record). Nothing loaded
    and nothing changed: nothing is written."""
    names = _athletes(run)
    athletes = [run.settings.athlete(name) for name in names]
    given = (run.release, [(a.name, a.overrides, a.exercise_names) for a in athletes])
    resolvers = {a.name: exercise_resolver(a) for a in athletes}
    applied = inputs.when_changed(
        con, RULES, given, lambda: corrections.apply_rules(con, run.settings, names, resolvers)
    )
    return applied or corrections.RuleCounts()


def _athletes(run: RunStart) -> list[str]:
    """Every athlete of the settings, and the run's own."""
    return list(dict.fromkeys([*run.settings.athletes, run.athlete.name]))


STEPS = Steps(plan=plan, load=load, finish=finish)
"""The steps of :func:`ingest`: plain function calls."""


# ---- the records a run hands on -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunStart:
    """Who runs, with which settings, and the run's identity: what every step records about it."""

    run_id: str
    db: str
    started: datetime  # the time every row the run writes is stamped with (naive UTC)
    athlete: Athlete
    settings: Settings
    release: str  # the code and packaged data it runs (fitbalance.store.inputs.release)
    flow_run_id: str | None = None  # the Prefect flow run that runs it, if one does

    @classmethod
    def new(
        cls, db: str | os.PathLike[str], who: Athlete, settings: Settings, flow_run_id: str | None = None
    ) -> RunStart:
        """A new run, started now: one time for every row it writes, so which file counts first among equals
        (dedupe's "earliest loaded") is the same however the run's files fell into batches."""
        started = datetime.now(UTC).replace(tzinfo=None)
        return cls(uuid.uuid4().hex, str(db), started, who, settings, inputs.release(), flow_run_id)


@dataclass
class Plan:
    """What a run reads, and what it found that it does not read."""

    todo: list[WorkItem]
    seen: int
    ignored: int
    problems: list[tuple[str, str]]  # (path, reason): files discovery refused
    known_files: list[tuple[str, str]] = field(default_factory=list)  # (path, file_id) already in the database
    rereads: int = 0  # files of todo already recorded, read again
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (file_id, problem): to read again, but cannot

    @property
    def known(self) -> int:
        return len(self.known_files)


@dataclass(frozen=True)
class RunSummary:
    """What a run did: the counts the command prints and the ``ingest_runs`` row records."""

    run_id: str
    db: str
    files_seen: int = 0
    loaded: int = 0
    skipped: int = 0  # readable, but not activity files (a device's settings, a monitoring file)
    already_loaded: int = 0
    quarantined: int = 0
    ignored: int = 0  # files in the folders walked whose names are not an export's (archive.EXPORT_SUFFIXES)
    activities_added: int = 0
    sets_added: int = 0
    samples_added: int = 0
    reread: int = 0  # files recorded earlier, read again
    not_reread: tuple[str, ...] = ()  # to read again, but gone or changed: why
    reclassified: int = 0  # activities given another class by the settings or a correction
    sets_remapped: int = 0  # sets given another exercise by the settings or a correction
    quarantine_reasons: tuple[str, ...] = ()  # the first few ("path: reason")

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON types: what the Prefect flow returns and a served deployment records."""
        out = asdict(self)
        out["not_reread"], out["quarantine_reasons"] = list(self.not_reread), list(self.quarantine_reasons)
        return out

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> RunSummary:
        """The summary from :meth:`as_dict`'s form (a flow run's result); keys it does not know are left out."""
        known = {f.name for f in fields(cls)}
        picked = {k: v for k, v in values.items() if k in known}
        for key in ("not_reread", "quarantine_reasons"):
            picked[key] = tuple(picked.get(key) or ())
        return cls(**picked)


@dataclass
class Tally:
    """The counts of a run in progress, added up from what each step returns; :meth:`summary` freezes them."""

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

    def planned(self, plan: Plan) -> None:
        self.files_seen, self.already_loaded, self.ignored = plan.seen, plan.known, plan.ignored
        self.reread, self.not_reread = plan.rereads, [problem for _, problem in plan.unreadable]
        self.quarantined = len(plan.problems)
        self.quarantine_reasons = [f"{p}: {r}" for p, r in plan.problems[:MAX_REASONS]]

    def loaded_batch(self, outcomes: list[FileOutcome], counts: LoadCounts) -> None:
        self.loaded += counts.loaded
        self.skipped += counts.skipped
        self.quarantined += counts.quarantined
        self.activities_added += counts.activities
        self.sets_added += counts.sets
        self.samples_added += counts.samples
        for o in outcomes:
            if o.status is FileStatus.QUARANTINED and len(self.quarantine_reasons) < MAX_REASONS:
                self.quarantine_reasons.append(f"{o.path}: {o.detail}")

    def ruled(self, rules: corrections.RuleCounts | None) -> None:
        if rules is not None:
            self.reclassified = rules.reclassified
            self.sets_remapped = rules.sets_remapped + rules.sets_corrected

    def summary(self) -> RunSummary:
        return RunSummary.from_dict(asdict(self))


# ---- the clock and the batches' size ------------------------------------------------------------------------------


def end_of_today() -> datetime:
    """Midnight UTC at the end of today: a whole-day clock, so a quarantine reason reads the same all day."""
    return datetime.combine(datetime.now(UTC).date() + timedelta(days=1), datetime.min.time())


def batch_size_for(files: int, workers: int) -> int:
    """About four batches per worker, within :data:`MIN_BATCH_SIZE` and :data:`MAX_BATCH_SIZE`."""
    return max(MIN_BATCH_SIZE, min(MAX_BATCH_SIZE, -(-files // (4 * workers))))


def worker_count(requested: int | None, batches: int) -> int:
    """The workers asked for (None: one per CPU), no more than there are batches."""
    available = requested if requested is not None else (os.cpu_count() or 1)
    return max(1, min(available, batches))


def _chunks(items: list[WorkItem], size: int) -> Iterator[list[WorkItem]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
