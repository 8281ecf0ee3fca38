"""The tables and views are applied again only when their SQL changed (or a view is missing): an everyday run does
not re-create them (issue 13), and a new release, a database made before the digests, or a view dropped by hand
still gets them."""

from __future__ import annotations

from pathlib import Path

import duckdb

from fitbalance.store.connection import open_store
from fitbalance.store.schema import SCHEMA_TABLE, applied_digest, apply_schema, schema_digest
from fitbalance.store.views import apply_views, missing_views, view_names, views_digest


def _view_sql(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    found = con.execute("SELECT view_name, sql FROM duckdb_views() WHERE NOT internal").fetchall()
    return dict(found)


def test_a_fresh_database_gets_everything_and_records_what_it_got() -> None:
    con = duckdb.connect()
    assert apply_views(con) is True
    assert applied_digest(con, "tables") == schema_digest()
    assert applied_digest(con, "views") == views_digest()
    assert not missing_views(con)
    assert set(view_names()) <= set(_view_sql(con))


def test_unchanged_sql_is_not_applied_again() -> None:
    con = duckdb.connect()
    apply_views(con)
    # a view replaced by hand stays as it is while the packaged SQL is unchanged: proof that nothing ran
    con.execute("CREATE OR REPLACE VIEW weekly_balance AS SELECT 42 AS answer")
    assert apply_schema(con) is False
    assert apply_views(con) is False
    assert con.execute("SELECT answer FROM weekly_balance").fetchall() == [(42,)]


def test_another_releases_views_are_replaced() -> None:
    con = duckdb.connect()
    apply_views(con)
    con.execute("CREATE OR REPLACE VIEW weekly_balance AS SELECT 42 AS answer")
    con.execute(f"UPDATE {SCHEMA_TABLE} SET digest = 'an older release' WHERE part = 'views'")
    assert apply_views(con) is True
    assert "answer" not in [
        c
        for (c,) in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = 'weekly_balance'"
        ).fetchall()
    ]
    assert applied_digest(con, "views") == views_digest()


def test_changed_tables_replace_the_views_too() -> None:
    con = duckdb.connect()
    apply_views(con)
    con.execute("CREATE OR REPLACE VIEW weekly_balance AS SELECT 42 AS answer")
    con.execute(f"UPDATE {SCHEMA_TABLE} SET digest = 'an older release' WHERE part = 'tables'")
    assert apply_views(con) is True
    assert con.execute("SELECT count(*) FROM weekly_balance").fetchall() == [(0,)]
    assert con.execute("SELECT count(*) FROM duckdb_columns() WHERE table_name = 'weekly_balance'").fetchall()[0][0] > 1


def test_a_view_dropped_by_hand_comes_back() -> None:
    con = duckdb.connect()
    apply_views(con)
    con.execute("DROP VIEW exercise_progress")
    assert missing_views(con) == ["exercise_progress"]
    assert apply_views(con) is True
    assert not missing_views(con)


def test_a_database_made_before_the_digests_gets_the_whole_schema(tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE exercises (exercise VARCHAR PRIMARY KEY)")  # from an older release, no digests
    with open_store(db) as con:
        assert applied_digest(con, "tables") == schema_digest()
        columns = [
            c
            for (c,) in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = 'exercises'"
            ).fetchall()
        ]
        assert "kind" in columns  # a column added later
        assert con.execute("SELECT count(*) FROM activities").fetchall() == [(0,)]
