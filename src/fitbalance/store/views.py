"""The SQL views users query, and the derived table the views read.

:func:`apply_views` makes the tables (:func:`fitbalance.store.schema.apply_schema`), the macros made from the
contracts' lists (:func:`fitbalance.contracts.vocabulary_macros`), the default weekly targets
(:func:`fitbalance.targets.defaults_sql`), then every ``1NN_<name>.sql`` and ``2NN_<name>.sql`` file of
``fitbalance/store/sql`` in name order (macros and views, ``CREATE OR REPLACE``). Idempotent.

Views read the ``activity_hr_seconds`` table, a per-activity heart-rate histogram built from ``samples`` by
:func:`refresh_derived`: the loader calls it with the ids of the activities it wrote (or removed) after each
batch. docs/views.md documents every view, column by column.

This module holds a DuckDB connection only as an argument; it never opens one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

import duckdb

from fitbalance.contracts import vocabulary_macros
from fitbalance.store.connection import transaction
from fitbalance.store.schema import applied_digest, apply_schema, digest, record_digest, schema_digest, sql_files
from fitbalance.targets import defaults_sql

VIEW_FILE = re.compile(r"^[12]\d\d_[a-z0-9_]+\.sql$")

# A sample's heart rate holds until the next sample, for at most this long: a pause or a lost signal is not
# effort.
MAX_SAMPLE_GAP_S = 30.0
# Heart rates outside this range are sensor noise.
MIN_VALID_HR = 25
MAX_VALID_HR = 250

_REFRESH_HR_SECONDS = """
INSERT INTO activity_hr_seconds (activity_id, heart_rate, seconds, samples)
SELECT activity_id, heart_rate, sum(least(to_next_s, $max_gap_s)) AS seconds, count(*) AS samples
FROM (
    SELECT
        s.activity_id,
        s.heart_rate,
        (epoch_ms(lead(s.timestamp_utc) OVER next_sample) - epoch_ms(s.timestamp_utc)) / 1000.0 AS to_next_s
    FROM samples AS s
    {where}
    WINDOW next_sample AS (PARTITION BY s.activity_id ORDER BY s.timestamp_utc, s.heart_rate NULLS LAST)
) AS timed
WHERE heart_rate BETWEEN $min_hr AND $max_hr AND to_next_s > 0  -- the last sample has no interval
GROUP BY activity_id, heart_rate
"""
_ONLY_SELECTED = "WHERE s.activity_id IN (SELECT activity_id FROM _fitbalance_refresh_ids)"


def view_files() -> list[str]:
    """Names of the packaged view files (``1NN_*.sql``, ``2NN_*.sql``), in the order :func:`apply_views` runs them."""
    return [name for name, _text in sql_files(VIEW_FILE)]


@cache
def _views_sql() -> list[str]:
    return [vocabulary_macros(), defaults_sql(), *(text for _name, text in sql_files(VIEW_FILE))]


def views_digest() -> str:
    """The digest of the views' SQL, and of the tables' (a view is made on the tables of its time)."""
    return digest([schema_digest(), *_views_sql()])


VIEW_NAME = re.compile(r"CREATE\s+OR\s+REPLACE\s+VIEW\s+(\w+)", re.IGNORECASE)


@cache
def view_names() -> tuple[str, ...]:
    """The views the packaged SQL makes."""
    return tuple(name for text in _views_sql() for name in VIEW_NAME.findall(text))


def missing_views(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The packaged views the database does not have (dropped by hand, say)."""
    found = con.execute(
        "SELECT view_name FROM duckdb_views() WHERE NOT internal AND schema_name = 'main' AND view_name IN ?",
        [list(view_names())],
    ).fetchall()
    present = {name for (name,) in found}
    return [name for name in view_names() if name not in present]


def apply_views(con: duckdb.DuckDBPyConnection) -> bool:
    """Apply the schema, then (re)create every macro (those made from the contracts' lists first) and view
    (``1NN_*.sql``, ``2NN_*.sql``) in name order. Idempotent.

    Skipped when the database records that this SQL was applied in full (see :mod:`fitbalance.store.schema`) and
    has every view; returns whether it ran."""
    tables_changed = apply_schema(con)
    wanted = views_digest()
    if not tables_changed and applied_digest(con, "views") == wanted and not missing_views(con):
        return False
    for text in _views_sql():
        con.execute(text)
    record_digest(con, "views", wanted)  # last: a failure part way leaves the old digest, and the next run retries
    return True


def refresh_derived(con: duckdb.DuckDBPyConnection, activity_ids: Iterable[str] | None = None) -> None:
    """Rebuild the derived table ``activity_hr_seconds`` from ``samples``.

    With ``activity_ids``, only those activities are rebuilt: their rows are deleted, then recomputed from
    their current samples (an id whose samples or activity are gone just loses its rows). Without, the whole
    table is rebuilt. The table does not depend on the settings file, so a change of an athlete's heart-rate
    settings needs no refresh. Runs in its own transaction, or inside the caller's when one is open.
    """
    ids = None if activity_ids is None else sorted(set(activity_ids))
    if ids is not None and not ids:
        return
    params = {"max_gap_s": MAX_SAMPLE_GAP_S, "min_hr": MIN_VALID_HR, "max_hr": MAX_VALID_HR}
    with transaction(con):
        if ids is None:
            con.execute("DELETE FROM activity_hr_seconds")
            con.execute(_REFRESH_HR_SECONDS.format(where=""), params)
        else:
            con.execute("CREATE OR REPLACE TEMP TABLE _fitbalance_refresh_ids (activity_id VARCHAR)")
            con.execute("INSERT INTO _fitbalance_refresh_ids SELECT unnest(CAST($ids AS VARCHAR[]))", {"ids": ids})
            con.execute(
                "DELETE FROM activity_hr_seconds WHERE activity_id IN (SELECT activity_id FROM _fitbalance_refresh_ids)"
            )
            con.execute(_REFRESH_HR_SECONDS.format(where=_ONLY_SELECTED), params)
            con.execute("DROP TABLE _fitbalance_refresh_ids")
