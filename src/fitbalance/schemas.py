"""Pandera schemas (polars backend) for the tables loaded from files, derived from :mod:`fitbalance.contracts`.

Each column is checked for its type, its nullability, and the range or values its contract allows. The bounds are
plausibility limits for a human training history, not performance judgements. Timestamps must lie between
:data:`~fitbalance.contracts.EARLIEST` and ``as_of`` plus one day (``as_of`` is passed in: the schemas read no
clock).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pandera.polars as pa

from fitbalance.contracts import ACTIVITIES, EARLIEST, LAPS, SAMPLES, STRENGTH_SETS, Column, Table


def _checks(column: Column, as_of: datetime) -> list[pa.Check]:
    checks = []
    if column.lo is not None and column.hi is not None:
        checks.append(pa.Check.in_range(column.lo, column.hi))
    elif column.lo is not None:
        checks.append(pa.Check.ge(column.lo))
    if column.in_history:
        checks.append(pa.Check.in_range(EARLIEST, as_of + timedelta(days=1)))
    if column.values:
        checks.append(pa.Check.isin(list(column.values)))
    if column.max_length is not None:
        checks.append(pa.Check.str_length(1, column.max_length))
    return checks


def table_schema(table: Table, as_of: datetime) -> pa.DataFrameSchema:
    """The Pandera schema of ``table``'s contract, with timestamps bounded by ``as_of``."""
    return pa.DataFrameSchema(
        {
            c.name: pa.Column(c.dtype, checks=_checks(c, as_of), nullable=c.nullable, coerce=False)
            for c in table.columns
        },
        strict=False,
        name=table.name,
    )


def activity_schema(as_of: datetime) -> pa.DataFrameSchema:
    return table_schema(ACTIVITIES, as_of)


def set_schema(as_of: datetime) -> pa.DataFrameSchema:
    return table_schema(STRENGTH_SETS, as_of)


def sample_schema(as_of: datetime) -> pa.DataFrameSchema:
    return table_schema(SAMPLES, as_of)


def lap_schema(as_of: datetime) -> pa.DataFrameSchema:
    return table_schema(LAPS, as_of)
