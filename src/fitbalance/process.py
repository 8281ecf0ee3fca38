"""One batch of files through decode -> repair -> normalize -> validate, with no database and no orchestrator.

This is the unit of work the Prefect flow hands to a worker process (or a Dask worker): a list of
:class:`~fitbalance.models.WorkItem` in, a :class:`~fitbalance.models.BatchResult` of loadable frames, quarantine
rows, repairs and one :class:`~fitbalance.models.FileOutcome` per file out, with the rows the files held per table
(so the run can account for every one of them). A broken file never stops the batch: whatever goes wrong with one
file becomes that file's quarantine row.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from fitbalance.config import Athlete
from fitbalance.contracts import TABLE_NAMES
from fitbalance.errors import InputError, ReadFailed
from fitbalance.exercises import Catalog, load_catalog
from fitbalance.models import (
    SAMPLE_SCHEMA,
    BatchResult,
    Decoded,
    FileOutcome,
    FileStatus,
    Rejected,
    Tables,
    WorkItem,
    conform,
)
from fitbalance.normalize import ExerciseMatch, ExerciseResolver, normalize
from fitbalance.repair import REPAIRS_SCHEMA, repair
from fitbalance.sources import decode_bytes, decode_source, read_settings, reader_version, sniff_format
from fitbalance.sources.archive import read_source
from fitbalance.validate import quarantine_frame, quarantine_row, validate_child, validate_tables


def exercise_resolver(athlete: Athlete, catalog: Catalog | None = None) -> ExerciseResolver:
    """The packaged catalogue (or ``catalog``) with the athlete's own ``exercise_names`` mappings on top."""
    source = catalog or load_catalog()
    user_names = athlete.exercise_names

    def resolve(name: str | None, category: str | None) -> ExerciseMatch | None:
        found = source.resolve(name, category, user_names)
        if found is None:
            return None
        canonical, how = found
        entry = source.get(canonical)
        return ExerciseMatch(canonical, entry.fit_category if entry else None, how)

    return resolve


@dataclass
class _Prepared:
    """One file after decode and normalize, before validation."""

    item: WorkItem
    fmt: str
    tables: Tables
    rows: list[dict[str, Any]]  # decode-stage quarantine rows (parts of the file left out)
    settings: str  # the settings it was read with (read_settings)
    final: FileOutcome | None = None  # set when the file is done already: skipped or failed
    warning: str | None = None
    note: str | None = None  # how the file was read (Decoded.notes), for its detail
    repairs: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=REPAIRS_SCHEMA))
    read: dict[str, int] = field(default_factory=dict)  # rows the file held, per table
    chunks: Callable[[], Iterator[pl.DataFrame | Rejected]] | None = None  # more samples, in parts (Decoded)


def _file_outcome(item: WorkItem, fmt: str, settings: str, status: FileStatus, **counts: Any) -> FileOutcome:
    ref = item.ref
    return FileOutcome(
        item.file_id,
        ref.path,
        fmt,
        ref.size_bytes,
        status,
        read_settings=settings,
        reader_version=reader_version(),
        **counts,
    )


def _read(item: WorkItem) -> bytes:
    try:
        return read_source(item.ref)
    except OSError as exc:  # not the content: a disk, a network share, a file removed since it was found
        raise ReadFailed(f"could not read the file: {exc}", path=item.ref.path, stage="read") from exc


def _streamed(item: WorkItem, athlete: Athlete) -> Decoded | None:
    """The file decoded as a stream when its reader reads streams (:func:`fitbalance.sources.decode_source`)."""
    try:
        return decode_source(
            item.ref, time_zone=athlete.time_zone, weight_unit=athlete.weight_unit, distance_unit=athlete.distance_unit
        )
    except OSError as exc:  # not the content: a disk, a network share, a file removed since it was found
        raise ReadFailed(f"could not read the file: {exc}", path=item.ref.path, stage="read") from exc


def _prepare(item: WorkItem, *, athlete: Athlete, resolve_exercise: ExerciseResolver) -> _Prepared:
    """Decode and normalize one file; every failure becomes the file's quarantine row.

    A failure that is not the file's fault (an internal error, the time cap, an I/O error) makes a ``retryable``
    outcome: the next run reads the file again.
    """
    ref, file_id = item.ref, item.file_id
    fmt = "unknown"
    empty = Tables.concat([])

    def failed(stage: str, reason: str, *, retryable: bool, payload: str | None = None) -> _Prepared:
        row = quarantine_row(file_id, ref.path, stage, reason, payload)
        settings = read_settings(fmt, athlete)
        outcome = _file_outcome(item, fmt, settings, FileStatus.QUARANTINED, reason=reason, retryable=retryable)
        return _Prepared(item, fmt, empty, [row], settings, final=outcome)

    try:
        decoded = _streamed(item, athlete)  # XML exports are read as a stream, never whole
        if decoded is None:
            data = _read(item)
            fmt = sniff_format(data)
            decoded = decode_bytes(
                data,
                ref.path,
                time_zone=athlete.time_zone,
                weight_unit=athlete.weight_unit,
                distance_unit=athlete.distance_unit,
                place=ref,
            )
        fmt = decoded.source_format
        settings = read_settings(fmt, athlete)
        if not decoded.is_activity:
            outcome = _file_outcome(item, fmt, settings, FileStatus.SKIPPED, reason=decoded.detail)
            return _Prepared(item, fmt, empty, [], settings, final=outcome)
        read = _rows_read(decoded)
        repaired = repair(decoded)
        decoded = repaired.decoded
        tables = normalize(decoded, file_id=file_id, athlete=athlete, resolve_exercise=resolve_exercise)
        repairs = _named_repairs(repaired.repairs, tables, file_id, ref.path)
    except (InputError, ReadFailed) as exc:
        return failed(exc.stage or "decode", exc.reason, retryable=exc.transient)
    except Exception as exc:  # a bug of ours must not stop the run: the file is quarantined with the traceback
        reason = f"internal error ({type(exc).__name__}: {exc}); please report it"
        return failed("internal", reason, retryable=True, payload=traceback.format_exc(limit=-3))
    rows = [
        quarantine_row(file_id, ref.path, r.stage, r.reason, r.payload, table=r.table, line=r.line, rows=r.rows)
        for r in decoded.rejected
    ]
    warning = decoded.warnings[0] if decoded.warnings else None
    note = "; ".join(decoded.notes) or None
    return _Prepared(
        item,
        fmt,
        tables,
        rows,
        settings,
        warning=warning,
        note=note,
        repairs=repairs,
        read=read,
        chunks=decoded.sample_chunks,
    )


def _rows_read(decoded: Decoded) -> dict[str, int]:
    """The rows a file held per table, as decoded: the rows the reader returned and the rows it set aside."""
    held = {
        "activities": decoded.activities.height,
        "strength_sets": decoded.sets.height,
        "samples": decoded.samples.height,
        "laps": decoded.laps.height,
    }
    for rejected in decoded.rejected:
        if rejected.table is not None:
            held[rejected.table] += rejected.rows
    return held


def _named_repairs(repairs: pl.DataFrame, tables: Tables, file_id: str, path: str) -> pl.DataFrame:
    """A file's repairs (per session) as ``repairs`` rows: with the file, its path and the activity."""
    if repairs.height == 0:
        return pl.DataFrame(schema=REPAIRS_SCHEMA)
    ids = tables.activities.select("session_index", "activity_id")
    return (
        repairs.join(ids, on="session_index", how="inner")
        .with_columns(pl.lit(file_id).alias("file_id"), pl.lit(path).alias("path"))
        .select([pl.col(name).cast(dtype) for name, dtype in REPAIRS_SCHEMA.items()])
    )


def _outcome(p: _Prepared, passed: int, repeated: int, quarantine: pl.DataFrame, repaired: int) -> FileOutcome:
    """The file's status after validation: quarantined when it had activities and none passed."""
    if p.final is not None:
        return p.final
    failed = quarantine.height
    if passed == 0 and p.tables.activities.height > 0:
        first = _headline(quarantine) if failed else "no activity passed validation"
        return _file_outcome(p.item, p.fmt, p.settings, FileStatus.QUARANTINED, reason=first)
    # activities counted with their repeats, as the loader counts them: the same words whichever batch it was in
    return _file_outcome(
        p.item,
        p.fmt,
        p.settings,
        FileStatus.LOADED,
        activities=passed,
        rows_quarantined=failed,
        repeated=repeated,
        warning=p.warning,
        note=p.note,
        repaired=repaired,
    )


def _headline(quarantine: pl.DataFrame) -> str:
    """The reasons that explain a file's quarantine best: the activity rows' own failures first."""
    ranked = quarantine.with_columns((pl.col("stage") != "validate:activities").alias("_later")).sort("_later")
    return "; ".join(dict.fromkeys(ranked["reason"].to_list()[:3]))


def _disjoint(prepared: list[_Prepared]) -> list[list[_Prepared]]:
    """The files in groups (order kept) in which no two share an activity: each group is validated in one call.

    A session in two files of a batch would otherwise meet itself in one frame. Nearly always one group.
    """
    groups: list[tuple[list[_Prepared], set[str]]] = []
    for p in prepared:
        ids = set(p.tables.activities["activity_id"].to_list())
        group = next((g for g in groups if not ids & g[1]), None)
        if group is None:
            groups.append(([p], ids))
        else:
            group[0].append(p)
            group[1].update(ids)
    return [files for files, _ in groups]


def process_batch(
    items: list[WorkItem],
    *,
    athlete: Athlete,
    as_of: datetime,
    resolve_exercise: ExerciseResolver | None = None,
) -> BatchResult:
    """Process a batch of files (see the module docstring). Validation runs once per group of files that share no
    activity (:func:`_disjoint`: nearly always once for the whole batch).

    Every file's rows are validated, also those of a session that another file of the batch holds too, so what a
    file quarantines depends on the file alone, not on which batch the other copy fell into. Of the copies that pass,
    the first in the order of ``items`` is kept; the others count as the files' ``repeated`` activities, as the
    loader counts a session loaded from an earlier batch.
    """
    resolve = resolve_exercise or exercise_resolver(athlete)
    prepared = [_prepare(item, athlete=athlete, resolve_exercise=resolve) for item in items]
    checked = [
        (group, validate_tables(Tables.concat([p.tables for p in group]), as_of=as_of, paths=_paths(group)))
        for group in _disjoint(prepared)
    ]
    valid: dict[str, list[str]] = {}  # file_id -> its activities that passed
    for _, v in checked:
        for file_id, ids in v.tables.activities.group_by("file_id", maintain_order=True).agg("activity_id").iter_rows():
            valid[file_id] = ids
    seen: set[str] = set()
    repeats: dict[str, set[str]] = {}  # file_id -> its activities kept from an earlier file instead
    for p in prepared:
        ids = valid.get(p.item.file_id, [])
        repeats[p.item.file_id] = seen.intersection(ids)
        seen.update(ids)
    passed = Tables.concat([v.tables for _, v in checked])
    tables = Tables.concat(
        [v.tables.without(set().union(*(repeats[p.item.file_id] for p in group)))[0] for group, v in checked]
    )
    streamed = _Streamed()
    for p in prepared:
        if p.chunks is not None and p.final is None:
            fid = p.item.file_id
            _stream_samples(p, set(valid.get(fid, [])) - repeats[fid], repeats[fid], as_of, streamed)
    decode_rows = quarantine_frame([row for p in prepared for row in p.rows] + streamed.quarantine)
    quarantine = pl.concat([decode_rows, *(v.quarantine for _, v in checked)])
    repairs = _repairs_of(pl.concat([*(p.repairs for p in prepared), *streamed.repairs]), passed.activities)
    repaired = dict(repairs.group_by("file_id").agg(pl.col("rows").sum()).iter_rows())
    outcomes = [
        _outcome(
            p,
            passed=len(valid.get(p.item.file_id, [])),
            repeated=len(repeats[p.item.file_id]),
            quarantine=quarantine.filter(pl.col("file_id") == p.item.file_id),
            repaired=int(repaired.get(p.item.file_id, 0)),
        )
        for p in prepared
    ]
    read = {table: sum(p.read.get(table, 0) for p in prepared) for table in TABLE_NAMES}
    read["samples"] += streamed.read
    repeated = {table: n - tables.heights[table] for table, n in passed.heights.items()}
    repeated["samples"] += streamed.repeated
    return BatchResult(
        outcomes=outcomes,
        tables=tables,
        quarantine=quarantine,
        repairs=_repairs_of(repairs, tables.activities),
        read=read,
        repeated=repeated,
        sample_parts=tuple(streamed.parts),
    )


@dataclass
class _Streamed:
    """What the samples streamed in parts came to, over the files of a batch."""

    read: int = 0
    repeated: int = 0
    parts: list[str] = field(default_factory=list)  # Parquet files of the rows to load
    quarantine: list[dict[str, Any]] = field(default_factory=list)
    repairs: list[pl.DataFrame] = field(default_factory=list)
    folder: Path | None = None


def _stream_samples(p: _Prepared, loads: set[str], repeated: set[str], as_of: datetime, out: _Streamed) -> None:
    """The samples a reader hands on in parts (a big export's), one part at a time: repaired, normalized (the
    activity ids of ``p``), validated, and written to a Parquet file for the loader; never all in memory.

    ``loads`` are the file's activities that passed validation and load from this file; ``repeated`` those another
    file of the batch holds first (their samples count as repeated). The samples of an activity that failed
    validation are one quarantine row per activity, as :func:`fitbalance.validate.validate_tables` makes them.
    """
    assert p.chunks is not None
    fid, path = p.item.file_id, p.item.ref.path
    ids = p.tables.activities.select("session_index", "activity_id")
    owners = p.tables.activities.select("activity_id", "file_id")
    orphans: dict[str, int] = {}
    for chunk in p.chunks():
        if isinstance(chunk, Rejected):  # samples the reader set aside on the way
            out.read += chunk.rows
            out.quarantine.append(
                quarantine_row(
                    fid,
                    path,
                    chunk.stage,
                    chunk.reason,
                    chunk.payload,
                    table="samples",
                    line=chunk.line,
                    rows=chunk.rows,
                )
            )
            continue
        out.read += chunk.height
        repaired = repair(Decoded(p.fmt, samples=chunk))
        out.repairs.append(_named_repairs(repaired.repairs, p.tables, fid, path))
        rows = conform(repaired.decoded.samples.join(ids, on="session_index", how="inner"), SAMPLE_SCHEMA)
        unknown = chunk.height - rows.height  # a sample of no activity of the file: a reader's bug, still counted
        if unknown:
            reason = f"{unknown} samples rows of no activity of the file not loaded"
            out.quarantine.append(quarantine_row(fid, path, "decode", reason, table="samples", rows=unknown))
        failed = ~pl.col("activity_id").is_in(list(loads | repeated))
        for activity_id, n in rows.filter(failed).group_by("activity_id").len().iter_rows():
            orphans[activity_id] = orphans.get(activity_id, 0) + n
        good, bad = validate_child(rows.filter(~failed), "samples", as_of=as_of, owners=owners, paths={fid: path})
        out.quarantine += bad
        if repeated:
            again = pl.col("activity_id").is_in(list(repeated))
            out.repeated += good.filter(again).height
            good = good.filter(~again)
        if good.height:
            if out.folder is None:
                out.folder = Path(tempfile.mkdtemp(prefix="fitbalance-samples-"))
            part = out.folder / f"samples-{len(out.parts)}.parquet"
            good.write_parquet(part, compression="lz4", statistics=False)
            out.parts.append(str(part))
    out.quarantine += [
        quarantine_row(
            fid,
            path,
            "validate:samples",
            f"{n} samples rows not loaded: their activity {activity_id} failed validation",
            json.dumps({"activity_id": activity_id, "rows": n}),
            table="samples",
            rows=n,
        )
        for activity_id, n in sorted(orphans.items())
    ]


def discard_sample_parts(batch: BatchResult) -> None:
    """Remove the Parquet parts of a batch's streamed samples (once loaded, or when the run gives up on it)."""
    for part in batch.sample_parts:
        Path(part).unlink(missing_ok=True)
    for folder in {Path(part).parent for part in batch.sample_parts}:
        shutil.rmtree(folder, ignore_errors=True)


def _repairs_of(repairs: pl.DataFrame, activities: pl.DataFrame) -> pl.DataFrame:
    """The repairs of these activities (of the file each came from): a row not loaded keeps no repair."""
    return repairs.join(activities.select("file_id", "activity_id"), on=["file_id", "activity_id"], how="semi")


def _paths(group: list[_Prepared]) -> dict[str, str]:
    return {p.item.file_id: p.item.ref.path for p in group}


def process_file(
    item: WorkItem, *, athlete: Athlete, as_of: datetime, resolve_exercise: ExerciseResolver | None = None
) -> tuple[FileOutcome, Tables, pl.DataFrame]:
    """Decode, normalize and validate one file: its outcome, its loadable tables, its quarantine rows (the samples
    a big export streamed to disk are read back into the tables: for one file's checks, not for the ingest)."""
    result = process_batch([item], athlete=athlete, as_of=as_of, resolve_exercise=resolve_exercise)
    tables = result.tables
    if result.sample_parts:
        streamed = [pl.read_parquet(part) for part in result.sample_parts]
        tables = replace(tables, samples=pl.concat([tables.samples, *streamed]))
        discard_sample_parts(result)
    return result.outcomes[0], tables, result.quarantine
