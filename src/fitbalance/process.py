"""One batch of files through decode -> normalize -> validate, with no database and no orchestrator.

This is the unit of work the Prefect flow hands to a worker process (or a Dask worker): a list of
:class:`~fitbalance.sources.archive.SourceRef` in, a :class:`BatchResult` of loadable frames, quarantine rows and
one :class:`FileOutcome` per file out. A broken file never stops the batch: whatever goes wrong with one file
becomes that file's quarantine row.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, replace
from datetime import datetime

import polars as pl

from fitbalance.config import Athlete
from fitbalance.errors import InputError
from fitbalance.models import FileStatus
from fitbalance.normalize import ExerciseResolver, Tables, normalize
from fitbalance.sources import decode_bytes, sniff_format
from fitbalance.sources.archive import SourceRef, read_source
from fitbalance.validate import quarantine_frame, quarantine_row, validate_tables


@dataclass(frozen=True)
class WorkItem:
    """A file to process, with the content hash the planner computed."""

    ref: SourceRef
    file_id: str


@dataclass(frozen=True)
class FileOutcome:
    file_id: str
    path: str
    format: str
    size_bytes: int
    status: FileStatus
    detail: str


@dataclass(frozen=True)
class BatchResult:
    outcomes: list[FileOutcome]
    tables: Tables
    quarantine: pl.DataFrame

    @property
    def activity_ids(self) -> list[str]:
        return self.tables.activities["activity_id"].to_list()


def _exercise_resolver(athlete: Athlete) -> ExerciseResolver:
    try:
        from fitbalance.exercises import load_catalog
    except ImportError:  # the catalogue is optional until it lands
        return lambda name, category: None
    catalog = load_catalog()
    return lambda name, category: catalog.canonical(name, category, athlete.exercise_names)


def process_file(
    item: WorkItem, *, athlete: Athlete, as_of: datetime, resolve_exercise: ExerciseResolver
) -> tuple[FileOutcome, Tables, pl.DataFrame]:
    """Decode, normalize and validate one file; every failure becomes the file's quarantine row."""
    ref, file_id = item.ref, item.file_id
    fmt = "unknown"
    try:
        data = read_source(ref)
        fmt = sniff_format(data)
        decoded = decode_bytes(data, ref.path, time_zone=athlete.time_zone)
        fmt = decoded.source_format
        if not decoded.is_activity:
            outcome = FileOutcome(file_id, ref.path, fmt, ref.size_bytes, FileStatus.SKIPPED, decoded.detail)
            return outcome, Tables.concat([]), quarantine_frame([])
        tables = normalize(decoded, file_id=file_id, athlete=athlete, resolve_exercise=resolve_exercise)
        checked = validate_tables(tables, file_id=file_id, path=ref.path, as_of=as_of)
        if decoded.rejected:
            left_out = quarantine_frame([quarantine_row(file_id, ref.path, "decode", r) for r in decoded.rejected])
            checked = replace(checked, quarantine=pl.concat([left_out, checked.quarantine]))
    except InputError as exc:
        stage = exc.stage or "decode"
        row = quarantine_row(file_id, ref.path, stage, exc.reason)
        outcome = FileOutcome(file_id, ref.path, fmt, ref.size_bytes, FileStatus.QUARANTINED, exc.reason)
        return outcome, Tables.concat([]), quarantine_frame([row])
    except Exception as exc:  # a bug of ours must not stop the run: the file is quarantined with the traceback
        reason = f"internal error ({type(exc).__name__}: {exc}); please report it"
        last = traceback.format_exc(limit=-3)
        row = quarantine_row(file_id, ref.path, "internal", reason, last)
        outcome = FileOutcome(file_id, ref.path, fmt, ref.size_bytes, FileStatus.QUARANTINED, reason)
        return outcome, Tables.concat([]), quarantine_frame([row])

    loaded = checked.tables.activities.height
    failed = checked.quarantine.height
    if loaded == 0:
        first = _headline(checked.quarantine) if failed else "no activity passed validation"
        outcome = FileOutcome(file_id, ref.path, fmt, ref.size_bytes, FileStatus.QUARANTINED, first)
        return outcome, Tables.concat([]), checked.quarantine
    detail = f"{loaded} activities" + (f", {failed} rows quarantined" if failed else "")
    if decoded.warnings:
        detail += f"; decoder warnings: {decoded.warnings[0]}"
    outcome = FileOutcome(file_id, ref.path, fmt, ref.size_bytes, FileStatus.LOADED, detail)
    return outcome, checked.tables, checked.quarantine


def _headline(quarantine: pl.DataFrame) -> str:
    """The reasons that explain a file's quarantine best: the activity rows' own failures first."""
    ranked = quarantine.with_columns((pl.col("stage") != "validate:activities").alias("_later")).sort("_later")
    return "; ".join(dict.fromkeys(ranked["reason"].to_list()[:3]))


def process_batch(items: list[WorkItem], *, athlete: Athlete, as_of: datetime) -> BatchResult:
    """Process a batch of files (see the module docstring)."""
    resolve = _exercise_resolver(athlete)
    outcomes: list[FileOutcome] = []
    parts: list[Tables] = []
    quarantine: list[pl.DataFrame] = []
    seen: set[str] = set()
    for item in items:
        outcome, tables, rejected = process_file(item, athlete=athlete, as_of=as_of, resolve_exercise=resolve)
        tables, repeated = tables.without(seen)  # the same session in two files of one batch: the first wins
        if repeated:
            outcome = replace(outcome, detail=f"{outcome.detail}; {repeated} already in an earlier file")
        seen.update(tables.activities["activity_id"].to_list())
        outcomes.append(outcome)
        parts.append(tables)
        if rejected.height:
            quarantine.append(rejected)
    return BatchResult(
        outcomes=outcomes,
        tables=Tables.concat(parts),
        quarantine=pl.concat(quarantine) if quarantine else quarantine_frame([]),
    )
