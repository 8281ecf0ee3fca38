"""Scheduled ingestion: the ingest flow served as a Prefect deployment that watches an inbox folder.

``fitbalance serve --inbox DIR`` calls :func:`serve_inbox`. It makes sure there is a real Prefect API (the one named
by ``PREFECT_API_URL``, or the local server of :mod:`fitbalance_pipelines.localserver`, started if none runs),
registers the deployment ``fitbalance-inbox/<inbox folder name>`` with an interval or cron schedule, and serves it from
this process: each scheduled run is a subprocess running :func:`inbox_flow`, which

0. refuses a run whose parameters are not the ones serve was started with (:mod:`fitbalance_pipelines.jobs`):
   whoever creates a run of this deployment cannot make it read other files or write another database;
1. ingests the inbox with :func:`fitbalance_pipelines.ingest.ingest_flow` (a subflow): a file whose content hash is
   already in the database is not read again, so a run costs a scan and a hash per known file, plus the work on new
   ones;
2. writes the HTML report (when :mod:`fitbalance.report` is installed) if anything changed or it is missing;
3. logs one line: what the run loaded, quarantined and skipped.

Runs never overlap: the runner starts one at a time, and a run that came due meanwhile starts when the previous one
ends (it finds little to do). Ctrl-C or SIGTERM stops the runner, which cancels a run in progress (its open batch
transaction is rolled back: no half-written activity) and pauses the schedule; then the local server, when this command
started it and no other command uses it, is stopped with its whole process group.

``prefect.yaml`` deploys the same flow to a Prefect server or Prefect Cloud with a work pool instead.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import signal
from collections.abc import Callable
from contextlib import suppress
from datetime import timedelta
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.schedules import construct_schedule
from prefect.runner import Runner
from pydantic import ValidationError

from fitbalance.errors import ConfigError, FitbalanceError
from fitbalance_pipelines.ingest import ingest_flow
from fitbalance_pipelines.jobs import JOB_VAR, job_env, refuse_other_jobs
from fitbalance_pipelines.localserver import serving_api
from fitbalance_pipelines.server import RUN_STOP_GRACE_S, flush_prefect, serving_env, stop_children

FLOW_NAME = "fitbalance-inbox"
RUNNER_STOP_S = 2.0  # each step of stopping the runner (cancel, pause the schedule) gets this long, then goes on


def default_report_path(db: Path) -> Path:
    """``training.duckdb`` -> ``training-report.html`` beside it."""
    return db.with_name(f"{db.stem}-report.html")


def can_report() -> bool:
    """Whether the report module (the dashboards issue) is installed."""
    return importlib.util.find_spec("fitbalance.report") is not None


@task(name="write-report", cache_policy=NO_CACHE)
def report_task(db: str, out: str) -> str:
    """Write the HTML report of the newest week in the database to ``out``."""
    from fitbalance.report import write_report  # type: ignore[import-not-found, unused-ignore]

    return str(write_report(Path(db), None, Path(out)))


def summary_line(inbox: str, summary: dict[str, Any], report: str | None) -> str:
    line = (
        f"inbox {inbox}: {summary['loaded']} new files loaded ({summary['activities_added']} activities, "
        f"{summary['sets_added']} sets), {summary['quarantined']} quarantined, {summary['skipped']} skipped, "
        f"{summary['already_loaded']} already loaded"
    )
    return f"{line}; report {report}" if report else line


@flow(name=FLOW_NAME, log_prints=False)
def inbox_flow(
    inbox: str,
    db: str,
    report: str | None = None,
    athlete: str | None = None,
    settings_path: str | None = None,
    workers: int | None = None,
) -> dict[str, Any]:
    """One scheduled pass over ``inbox``: ingest what is new, refresh the report, log one line.

    ``report`` is the HTML file to write (default: ``<db stem>-report.html`` beside the database). A run of a
    deployment, or of ``fitbalance serve``, whose parameters are not the job's is refused before it reads a file.
    """
    refuse_other_jobs(
        inbox_flow,
        {
            "inbox": inbox,
            "db": db,
            "report": report,
            "athlete": athlete,
            "settings_path": settings_path,
            "workers": workers,
        },
    )
    logger = get_run_logger()
    report = report or str(default_report_path(Path(db)))
    summary: dict[str, Any] = ingest_flow(
        paths=[inbox], db=db, athlete=athlete, workers=workers, settings_path=settings_path
    )
    written = None
    changed = summary["loaded"] or summary["quarantined"] or summary["skipped"]
    if can_report() and (changed or not Path(report).exists()):
        try:
            written = report_task(db, report)
        except FitbalanceError as exc:  # a report that cannot be written never fails the ingest
            logger.warning("report not written: %s", exc)
    line = summary_line(inbox, summary, written)
    logger.info(line)
    print(line, flush=True)  # the runner streams a run's stdout to the terminal that serves it
    return summary


def deployment_name(inbox: Path) -> str:
    return inbox.resolve().name or "inbox"


async def _serve_until_stopped(
    runner: Runner, announce: Callable[[str], None], step_timeout_s: float = RUNNER_STOP_S
) -> None:
    """Run ``runner`` until SIGINT or SIGTERM, then stop within seconds: a run in progress gets SIGTERM (its open
    batch transaction is rolled back) and is killed if it has not ended after a grace period; the runner is stopped
    (the schedule paused) for as long as ``step_timeout_s`` allows each step."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    serving = asyncio.create_task(runner.start())
    await asyncio.sleep(0)  # start() has installed its own SIGTERM handler (which exits without stopping runs) ...
    for sig in (signal.SIGINT, signal.SIGTERM):  # ... and both signals now mean: stop in order
        loop.add_signal_handler(sig, stop.set)
    stopping = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if not serving.done():
            announce("stopping: ending a run in progress (its open batch is rolled back), pausing the schedule")
            ending = asyncio.gather(asyncio.to_thread(stop_children), runner.astop(), return_exceptions=True)
            with suppress(TimeoutError):  # the run processes get their grace period; the runner stops meanwhile
                await asyncio.wait_for(asyncio.shield(ending), timeout=RUN_STOP_GRACE_S + step_timeout_s)
            with suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(serving), timeout=step_timeout_s)  # pauses the schedule
            if not serving.done():
                serving.cancel()
                with suppress(TimeoutError, asyncio.CancelledError):
                    await asyncio.wait_for(serving, timeout=step_timeout_s)
                return
    finally:
        stopping.cancel()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
    serving.result()  # a runner that failed on its own says why


def serve_inbox(
    inbox: Path,
    db: Path,
    *,
    prefect_home: Path | None = None,
    interval: timedelta | None = None,
    cron: str | None = None,
    report: Path | None = None,
    athlete: str | None = None,
    settings_path: Path | None = None,
    workers: int | None = None,
    announce: Callable[[str], None] = print,
) -> None:
    """Serve :func:`inbox_flow` for ``inbox`` on a schedule until Ctrl-C or SIGTERM (see the module docstring).

    ``prefect_home`` is the local server's folder when no API is configured (default: the one ``fitbalance ingest``
    uses too, :func:`fitbalance_pipelines.localserver.home`).
    """
    if (interval is None) == (cron is None):
        raise ConfigError("give exactly one of an interval and a cron expression")
    try:  # a bad schedule is refused before a server is started for it
        construct_schedule(interval=interval, cron=cron)
    except ValidationError as exc:
        raise ConfigError(f"not a valid schedule: {exc.errors()[0]['msg']}") from exc
    serving_env()  # for the flow-run processes (this one has imported Prefect already)
    with serving_api(prefect_home, announce):
        name = deployment_name(inbox)
        runner = Runner(name=f"fitbalance-{name}", limit=1, pause_on_shutdown=True)  # one run at a time
        parameters = {
            "inbox": str(inbox.resolve()),
            "db": str(db.resolve()),
            "report": str(report.resolve()) if report else None,
            "athlete": athlete,
            "settings_path": str(settings_path.resolve()) if settings_path else None,
            "workers": workers,
        }
        # the flow-run processes inherit it, and refuse a run with other parameters
        os.environ[JOB_VAR] = job_env(inbox_flow, parameters)
        try:
            runner.add_flow(
                inbox_flow,
                name=name,
                interval=interval,
                cron=cron,
                paused=False,
                parameters=parameters,
                description=f"Ingest new files from {inbox.resolve()} into {db.resolve()}",
                tags=["fitbalance"],
            )
            when = f"every {interval.total_seconds():g} s" if interval is not None else f"on cron {cron!r}"
            announce(f"serving {FLOW_NAME}/{name} {when}: inbox {inbox.resolve()} -> {db.resolve()}; Ctrl-C stops")
            asyncio.run(_serve_until_stopped(runner, announce))
        finally:  # whatever a stopped runner left behind goes before the API it reports to
            if stopped := stop_children():
                announce(f"stopped {stopped} leftover process(es)")
            flush_prefect(timeout_s=RUNNER_STOP_S)
            os.environ.pop(JOB_VAR, None)
            announce("stopped")
