"""Placing the activities whose source gave no offset (:mod:`fitbalance.offsets`) by what the store holds.

:func:`place_times` reads an athlete's placed activities (``utc_offset_source`` ``learned``, ``settings`` or
``assumed_utc``), the offsets of their FIT activities (and of the formats whose own offset is the device's,
:data:`~fitbalance.contracts.DEVICE_ZONE_FORMATS`: Apple Health's workouts) and their configured zone (the
``athletes`` table, made from the settings), asks :func:`fitbalance.offsets.place` where each belongs, and moves
those whose placement changed:

- a local wall time (a CSV export's) keeps ``start_time_local``; its ``start_time_utc`` moves, and so do the UTC
  times of its sets, samples and laps;
- an instant (Strava's UTC, a FIT file without local time) keeps its UTC times; its ``start_time_local`` moves.

It touches nothing else. The loader calls it in every batch's transaction, before the duplicate links are
recomputed (a FIT file loaded later re-places the CSV activities near it, and the pair is linked in the same
commit); a run calls :func:`place_and_link` whenever it writes the ``athletes`` table again
(:func:`fitbalance.store.reference.refresh`), so a changed ``time_zone`` setting re-places what is loaded without
reading a file again.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import polars as pl

from fitbalance.contracts import DEVICE_ZONE_FORMATS, INSTANT_FORMATS, PLACED_SOURCES, OffsetSource
from fitbalance.offsets import FLOATING_SCHEMA, LEARNED_SCHEMA, place
from fitbalance.store.connection import registered, rows, transaction
from fitbalance.store.links import CHANGED_SCHEMA, link_duplicates

_FLOATING_SQL = """
SELECT activity_id, athlete, NOT list_contains(?, source_format) AS wall, start_time_utc,
       start_time_local, utc_offset_s, utc_offset_source, elapsed_s
FROM activities
WHERE list_contains(?, athlete) AND list_contains(?, utc_offset_source)
"""
_LEARNED_SQL = """
SELECT athlete, start_time_utc, start_time_local, utc_offset_s FROM activities
WHERE list_contains(?, athlete)
  AND (utc_offset_source = ? OR (utc_offset_source = ? AND list_contains(?, source_format)))
"""
_MOVE_ACTIVITIES = """
UPDATE activities SET
    utc_offset_s = m.new_offset,
    utc_offset_source = m.source,
    start_time_utc = CASE WHEN m.wall THEN activities.start_time_local - to_seconds(m.new_offset)
                          ELSE activities.start_time_utc END,
    start_time_local = CASE WHEN m.wall THEN activities.start_time_local
                            ELSE activities.start_time_utc + to_seconds(m.new_offset) END
FROM _moved AS m
WHERE activities.activity_id = m.activity_id
"""
_SHIFT = """
UPDATE {table} SET {column} = {table}.{column} + to_seconds(m.old_offset - m.new_offset)
FROM _moved AS m
WHERE {table}.activity_id = m.activity_id AND m.wall AND m.old_offset <> m.new_offset
"""
_CHILD_TIMES = (("strength_sets", "start_time_utc"), ("samples", "timestamp_utc"), ("laps", "start_time_utc"))
_MOVED_SCHEMA: dict[str, pl.DataType] = {
    **FLOATING_SCHEMA,
    "utc_offset_s": pl.Int32(),
    "utc_offset_source": pl.String(),
    "elapsed_s": pl.Float64(),
}


def place_times(con: duckdb.DuckDBPyConnection, athletes: Sequence[str]) -> pl.DataFrame:
    """Place these athletes' placed activities again; returns where the moved ones were and are now
    (:data:`~fitbalance.store.links.CHANGED_SCHEMA`, for :func:`link_duplicates`). Runs in the caller's transaction
    (or its own)."""
    names = sorted(set(athletes))
    if not names:
        return pl.DataFrame(schema=CHANGED_SCHEMA)
    with transaction(con):
        found = rows(con, _FLOATING_SQL, [list(INSTANT_FORMATS), names, list(PLACED_SOURCES)])
        if not found:
            return pl.DataFrame(schema=CHANGED_SCHEMA)
        floating = pl.DataFrame(found, schema=_MOVED_SCHEMA, orient="row")
        learned = pl.DataFrame(
            rows(con, _LEARNED_SQL, [names, OffsetSource.FIT.value, OffsetSource.ROW.value, list(DEVICE_ZONE_FORMATS)]),
            schema=LEARNED_SCHEMA,
            orient="row",
        )
        zones = dict(rows(con, "SELECT athlete, time_zone FROM athletes WHERE list_contains(?, athlete)", [names]))
        placed = place(floating.select(list(FLOATING_SCHEMA)), learned, zones)
        moved = (
            floating.join(placed, on="activity_id", suffix="_new")
            .filter(
                (pl.col("utc_offset_s") != pl.col("utc_offset_s_new"))
                | (pl.col("utc_offset_source") != pl.col("utc_offset_source_new"))
            )
            .select(
                "activity_id",
                "athlete",
                "wall",
                "start_time_utc",
                "start_time_local",
                "elapsed_s",
                pl.col("utc_offset_s").alias("old_offset"),
                pl.col("utc_offset_s_new").alias("new_offset"),
                pl.col("utc_offset_source_new").alias("source"),
            )
        )
        if moved.height == 0:
            return pl.DataFrame(schema=CHANGED_SCHEMA)
        with registered(con, "_moved", moved):
            con.execute(_MOVE_ACTIVITIES)
            for table, column in _CHILD_TIMES:  # our own table and column names
                con.execute(_SHIFT.format(table=table, column=column))
    new_start = (
        pl.when("wall")
        .then(pl.col("start_time_local") - pl.duration(seconds=pl.col("new_offset")))
        .otherwise(pl.col("start_time_utc"))
    )
    return pl.concat(
        [
            moved.select("athlete", "start_time_utc", "elapsed_s"),
            moved.select("athlete", new_start.alias("start_time_utc"), "elapsed_s"),
        ]
    ).cast({name: dtype for name, dtype in CHANGED_SCHEMA.items()})


def place_and_link(con: duckdb.DuckDBPyConnection, athletes: Sequence[str]) -> int:
    """Place these athletes' placed activities again and recompute the links around those that moved, in one
    transaction; returns how many activities moved."""
    with transaction(con):
        changed = place_times(con, athletes)
        if changed.height:
            link_duplicates(con, changed["athlete"].unique().to_list(), changed=changed)
    return changed.height // 2
