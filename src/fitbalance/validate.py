"""Validate table frames with Pandera and split them into rows to load and rows to quarantine.

Every failure is collected (``lazy=True``). A failing row is not loaded: it becomes a quarantine row naming the
file, the stage (``validate:<table>``), the table, the CSV line it was read from (``source_line``, also at the start
of the reason: ``line 12: reps ...``), every rule it broke and its values as JSON. The good rows of the same file are
loaded. When an activity row fails, its sets, samples and laps are not loaded either, and one quarantine row per
child table says how many rows went with it (``rows``), so nothing disappears without a trace.

What reaches this stage has been repaired where a field could be (:mod:`fitbalance.repair`): a failure here is a
row that cannot stand.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandera.errors as pa_errors
import pandera.polars as pa
import polars as pl

from fitbalance.contracts import QUARANTINE
from fitbalance.models import Tables
from fitbalance.schemas import activity_schema, lap_schema, sample_schema, set_schema

QUARANTINE_SCHEMA: dict[str, pl.DataType] = {
    name: dtype for name, dtype in QUARANTINE.schema.items() if name not in ("run_id", "created_at")
}
"""A quarantine row as a stage makes it; the loader adds the run and the time."""
MAX_ROWS_PER_CHECK = 200  # per file and table: further failing rows are summarised in one row with their count


@dataclass(frozen=True)
class Validated:
    tables: Tables
    quarantine: pl.DataFrame


def quarantine_row(
    file_id: str | None,
    path: str,
    stage: str,
    reason: str,
    payload: str | None = None,
    *,
    table: str | None = None,
    line: int | None = None,
    rows: int | None = None,
) -> dict[str, Any]:
    """One quarantine row; ``table`` and ``rows`` say which rows it stands for (none: the whole file)."""
    return {
        "file_id": file_id,
        "path": path,
        "stage": stage,
        "table_name": table,
        "line": line,
        "rows": rows if rows is not None else (1 if table is not None else None),
        "reason": reason,
        "payload": payload,
    }


def quarantine_frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=QUARANTINE_SCHEMA) if rows else pl.DataFrame(schema=QUARANTINE_SCHEMA)


def _payload(row: dict[str, Any]) -> str:
    return json.dumps(row, default=str, ensure_ascii=False)


def _split(
    frame: pl.DataFrame, schema: pa.DataFrameSchema, *, owners: pl.DataFrame, paths: Mapping[str, str]
) -> tuple[pl.DataFrame, list[dict[str, Any]]]:
    """Rows that pass ``schema``, and quarantine rows for the rest."""
    if frame.height == 0:
        return frame, []
    try:
        schema.validate(frame, lazy=True)
        return frame, []
    except pa_errors.SchemaErrors as exc:
        cases = exc.failure_cases
    table = str(schema.name)
    stage = f"validate:{table}"
    whole = cases.filter(pl.col("index").is_null())
    if whole.height:  # a schema-level failure (a missing column, a wrong type): the table as a whole is bad
        reasons = "; ".join(f"{c} {k}: {v}" for c, k, v in whole.select("column", "check", "failure_case").iter_rows())
        held = dict(pl.Series("f", _owner_ids(frame, owners)).value_counts().iter_rows())
        return frame.clear(), [
            quarantine_row(
                fid, paths[fid], stage, f"table failed its schema: {reasons}", table=table, rows=int(held[fid])
            )
            for fid in held
        ]
    per_row = (
        cases.with_columns(
            (pl.col("column") + " " + pl.col("check") + " failed (got " + pl.col("failure_case") + ")").alias("why")
        )
        .group_by("index")
        .agg(pl.col("why").sort().str.join("; "))
        .sort("index")
    )
    bad_index = per_row["index"].cast(pl.UInt32)
    bad_rows = frame.with_row_index("_i").filter(pl.col("_i").is_in(bad_index.implode())).drop("_i")
    owner_ids = _owner_ids(bad_rows, owners)
    rows: list[dict[str, Any]] = []
    per_file: dict[str, int] = {}
    for why, row, fid in zip(per_row["why"].to_list(), bad_rows.iter_rows(named=True), owner_ids, strict=True):
        per_file[fid] = per_file.get(fid, 0) + 1
        if per_file[fid] == MAX_ROWS_PER_CHECK + 1:
            rest = sum(1 for f in owner_ids if f == fid) - MAX_ROWS_PER_CHECK
            reason = f"{rest} more {table} rows failed: {why}"
            rows.append(quarantine_row(fid, paths[fid], stage, reason, table=table, rows=rest))
        elif per_file[fid] <= MAX_ROWS_PER_CHECK:
            line = row.get("source_line")
            reason = f"line {line}: {why}" if line is not None else why
            rows.append(quarantine_row(fid, paths[fid], stage, reason, _payload(row), table=table, line=line))
    good = frame.with_row_index("_i").filter(~pl.col("_i").is_in(bad_index.implode())).drop("_i")
    return good, rows


def _owner_ids(frame: pl.DataFrame, owners: pl.DataFrame) -> list[str]:
    """The file each row came from, through its activity."""
    if "file_id" in frame.columns:
        return [str(f) for f in frame["file_id"].to_list()]
    joined = frame.select("activity_id").join(owners, on="activity_id", how="left", maintain_order="left")
    return [str(f) for f in joined["file_id"].to_list()]


def _drop_orphans(
    frame: pl.DataFrame, table: str, bad: pl.DataFrame, *, paths: Mapping[str, str]
) -> tuple[pl.DataFrame, list[dict[str, Any]]]:
    if bad.height == 0 or frame.height == 0:
        return frame, []
    bad_ids = bad["activity_id"].implode()
    orphans = frame.filter(pl.col("activity_id").is_in(bad_ids))
    if orphans.height == 0:
        return frame, []
    counts = orphans.group_by("activity_id").len().join(bad, on="activity_id").sort("activity_id")
    rows = [
        quarantine_row(
            fid,
            paths[fid],
            f"validate:{table}",
            f"{n} {table} rows not loaded: their activity {aid} failed validation",
            json.dumps({"activity_id": aid, "rows": n}),
            table=table,
            rows=n,
        )
        for aid, n, fid in counts.select("activity_id", "len", "file_id").iter_rows()
    ]
    return frame.filter(~pl.col("activity_id").is_in(bad_ids)), rows


def validate_tables(
    tables: Tables,
    *,
    as_of: datetime,
    file_id: str | None = None,
    path: str | None = None,
    paths: Mapping[str, str] | None = None,
) -> Validated:
    """Split tables into valid rows and quarantine rows (see the module docstring).

    The tables may hold one file (give ``file_id`` and ``path``) or a batch of files (give ``paths``: file_id ->
    path); validating a batch at once is much cheaper than file by file (Pandera's cost is mostly per call).
    """
    where: Mapping[str, str] = paths if paths is not None else {str(file_id): str(path)}
    owners = tables.activities.select("activity_id", "file_id")
    activities, quarantined = _split(tables.activities, activity_schema(as_of), owners=owners, paths=where)
    bad = owners.join(activities.select("activity_id"), on="activity_id", how="anti")

    children: dict[str, pl.DataFrame] = {}
    checks: dict[str, tuple[pl.DataFrame, Callable[[datetime], pa.DataFrameSchema]]] = {
        "strength_sets": (tables.sets, set_schema),
        "samples": (tables.samples, sample_schema),
        "laps": (tables.laps, lap_schema),
    }
    for table, (frame, make_schema) in checks.items():
        kept, orphan_rows = _drop_orphans(frame, table, bad, paths=where)
        good, failed = _split(kept, make_schema(as_of), owners=owners, paths=where)
        children[table] = good
        quarantined += orphan_rows + failed
    return Validated(
        tables=Tables(
            activities=activities,
            sets=children["strength_sets"],
            samples=children["samples"],
            laps=children["laps"],
        ),
        quarantine=quarantine_frame(quarantined),
    )


def validate_child(
    frame: pl.DataFrame,
    table: str,
    *,
    as_of: datetime,
    owners: pl.DataFrame,
    paths: Mapping[str, str],
) -> tuple[pl.DataFrame, list[dict[str, Any]]]:
    """One part of a child table (``samples`` streamed in bounded parts) checked against its schema, for activities
    already validated (``owners``: their ``activity_id`` and ``file_id``; the caller leaves out the rows of an
    activity that failed): the rows that pass, and quarantine rows for the others."""
    make_schema = {"strength_sets": set_schema, "samples": sample_schema, "laps": lap_schema}[table]
    return _split(frame, make_schema(as_of), owners=owners, paths=paths)
