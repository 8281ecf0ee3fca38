"""Validated batches as Parquet files: how Dask workers hand their work to the one process that loads the database.

A worker writes one folder per batch, ``<staging>/<run_id>/batch-<n>/``, holding ``activities``, ``sets``,
``samples``, ``laps``, ``quarantine`` and ``repairs`` as Parquet (a table with no rows has no file). It writes into
a hidden ``.batch-<n>.tmp`` folder and renames it when every file is complete, so a folder that exists is whole.
What travels back through the Dask scheduler is only a :class:`StagedBatch`: the folder, one small outcome per file
and the row counts per table. The loader reads the folder back (:func:`read_batch`), loads it in one transaction,
and removes it (:func:`discard`).

On a real cluster the staging folder is shared storage that every worker and the loader can reach (NFS, a mounted
bucket); polars reads and writes Parquet with the exact column types, so a batch comes back as it was made.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from fitbalance.models import (
    ACTIVITY_SCHEMA,
    LAP_SCHEMA,
    REPAIRS_SCHEMA,
    SAMPLE_SCHEMA,
    SET_SCHEMA,
    BatchResult,
    FileOutcome,
    Tables,
)
from fitbalance.process import discard_sample_parts
from fitbalance.validate import QUARANTINE_SCHEMA

SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "activities": ACTIVITY_SCHEMA,
    "sets": SET_SCHEMA,
    "samples": SAMPLE_SCHEMA,
    "laps": LAP_SCHEMA,
    "quarantine": QUARANTINE_SCHEMA,
    "repairs": REPAIRS_SCHEMA,
}


@dataclass(frozen=True)
class StagedBatch:
    """A processed batch on disk: its folder, what happened to each of its files, and its rows read and repeated."""

    folder: str
    outcomes: list[FileOutcome]
    read: dict[str, int]
    repeated: dict[str, int]
    sample_parts: tuple[str, ...] = ()  # the streamed samples' Parquet parts, by name in the folder


def _frames(batch: BatchResult) -> dict[str, pl.DataFrame]:
    t = batch.tables
    return {
        "activities": t.activities,
        "sets": t.sets,
        "samples": t.samples,
        "laps": t.laps,
        "quarantine": batch.quarantine,
        "repairs": batch.repairs,
    }


def write_batch(batch: BatchResult, folder: Path) -> StagedBatch:
    """Write ``batch`` to ``folder`` (which must not exist yet), atomically."""
    tmp = folder.with_name(f".{folder.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)  # a worker that died half-way through this batch before
    tmp.mkdir(parents=True)
    for name, frame in _frames(batch).items():
        if frame.height:
            frame.write_parquet(tmp / f"{name}.parquet", compression="lz4", statistics=False)
    parts = tuple(f"samples-part-{i}.parquet" for i in range(len(batch.sample_parts)))
    for part, name in zip(batch.sample_parts, parts, strict=True):  # a big export's samples, already on disk
        shutil.move(part, tmp / name)
    discard_sample_parts(batch)
    tmp.rename(folder)
    return StagedBatch(
        folder=str(folder), outcomes=batch.outcomes, read=batch.read, repeated=batch.repeated, sample_parts=parts
    )


def _read(folder: Path, name: str) -> pl.DataFrame:
    path = folder / f"{name}.parquet"
    if not path.exists():
        return pl.DataFrame(schema=SCHEMAS[name])
    return pl.read_parquet(path)


def read_batch(staged: StagedBatch) -> BatchResult:
    """The batch written by :func:`write_batch`, frame for frame."""
    folder = Path(staged.folder)
    return BatchResult(
        outcomes=staged.outcomes,
        tables=Tables(
            activities=_read(folder, "activities"),
            sets=_read(folder, "sets"),
            samples=_read(folder, "samples"),
            laps=_read(folder, "laps"),
        ),
        quarantine=_read(folder, "quarantine"),
        repairs=_read(folder, "repairs"),
        read=staged.read,
        repeated=staged.repeated,
        sample_parts=tuple(str(folder / name) for name in staged.sample_parts),
    )


def discard(staged: StagedBatch) -> None:
    shutil.rmtree(staged.folder, ignore_errors=True)
