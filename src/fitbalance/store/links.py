"""Applying :mod:`fitbalance.dedupe` to the store: ``activities.duplicate_of``, recomputed where activities changed.

:func:`link_duplicates` reads the candidate activities around what changed, asks the pure
:func:`~fitbalance.dedupe.duplicate_links` which of them count, and writes the links that differ. It runs inside the
caller's transaction: the loader calls it before its commit, so a batch's activities are never visible unlinked.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import polars as pl

from fitbalance.dedupe import CANDIDATE_SCHEMA, SESSION_SPAN, WINDOW_SCHEMA, duplicate_links, touched_windows
from fitbalance.errors import CUT_STAGE
from fitbalance.store.connection import registered, rows

CHANGED_SCHEMA: dict[str, pl.DataType] = {
    "athlete": pl.String(),
    "start_time_utc": pl.Datetime("us"),
    "elapsed_s": pl.Float64(),
}
"""What :func:`link_duplicates` needs to know of an activity added or removed."""

_CANDIDATES_SQL = """
WITH candidates AS (
    SELECT a.*, bool_or(a.start_time_utc BETWEEN w.lo AND w.hi) AS recompute
    FROM activities AS a
    JOIN _windows AS w
      ON w.athlete = a.athlete AND a.start_time_utc BETWEEN w.lo - ?::INTERVAL AND w.hi + ?::INTERVAL
    GROUP BY ALL
),
sampled AS (
    SELECT DISTINCT activity_id FROM samples WHERE activity_id IN (SELECT activity_id FROM candidates)
)
SELECT c.activity_id, c.athlete, c.source_format, c.start_time_utc, c.utc_offset_s, c.elapsed_s, c.moving_s,
       c.distance_m, c.calories_kcal, c.avg_hr, c.max_hr, c.category, c.sport, s.activity_id IS NOT NULL AS has_samples,
       f.first_ingested_at AS loaded_at,
       EXISTS (SELECT 1 FROM quarantine AS q WHERE q.file_id = c.file_id AND q.stage = ?) AS cut_short, c.recompute
FROM candidates AS c
LEFT JOIN sampled AS s ON s.activity_id = c.activity_id
LEFT JOIN source_files AS f ON f.file_id = c.file_id
"""
_ALL_WINDOWS_SQL = """
SELECT athlete, min(start_time_utc) - ?::INTERVAL, max(start_time_utc) + ?::INTERVAL
FROM activities WHERE list_contains(?, athlete) GROUP BY athlete
"""


def link_duplicates(
    con: duckdb.DuckDBPyConnection, athletes: Sequence[str], *, changed: pl.DataFrame | None = None
) -> int:
    """Recompute ``activities.duplicate_of`` (see :mod:`fitbalance.dedupe`) for these athletes' activities.

    With ``changed`` (:data:`CHANGED_SCHEMA` of activities just added or removed), only the days around them are
    recomputed; without, every activity of the athletes. Returns how many rows changed: recomputing unchanged data
    changes none.
    """
    if changed is not None:
        windows = touched_windows(changed.filter(pl.col("athlete").is_in(list(athletes))))
    elif athletes:
        found = rows(con, _ALL_WINDOWS_SQL, [SESSION_SPAN, SESSION_SPAN, list(athletes)])
        windows = pl.DataFrame(found, schema=WINDOW_SCHEMA, orient="row")
    else:
        return 0
    if windows.height == 0:
        return 0
    with registered(con, "_windows", windows):
        found = rows(con, _CANDIDATES_SQL, [SESSION_SPAN, SESSION_SPAN, CUT_STAGE])
    if not found:
        return 0
    candidates = pl.DataFrame(found, schema={**CANDIDATE_SCHEMA, "recompute": pl.Boolean()}, orient="row")
    links = duplicate_links(candidates).join(
        candidates.filter("recompute").select("activity_id"), on="activity_id", how="semi"
    )
    with registered(con, "_links", links):
        updated = rows(
            con,
            """UPDATE activities SET duplicate_of = l.duplicate_of FROM _links AS l
               WHERE activities.activity_id = l.activity_id
                 AND activities.duplicate_of IS DISTINCT FROM l.duplicate_of
               RETURNING activities.activity_id""",
        )
    return len(updated)
