"""The tables of the store: creating the tables that do not exist yet, and the packaged SQL files.

The tables users query are created from their contracts (:func:`fitbalance.contracts.ddl`). Derived tables and the
views are SQL in the package, in ``fitbalance/store/sql``, one statement group per file, applied in name order:
``0NN_<name>.sql`` are derived tables (``CREATE TABLE IF NOT EXISTS``, applied by :func:`apply_schema`),
``1NN_<name>.sql`` macros and views (applied by :func:`fitbalance.store.views.apply_views`).
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import duckdb

from fitbalance.contracts import ddl, relaxed_columns

SQL_PACKAGE = "fitbalance.store"
SQL_FOLDER = "sql"
SCHEMA_FILE = re.compile(r"^0\d\d_[a-z0-9_]+\.sql$")


def sql_files(pattern: re.Pattern[str]) -> list[tuple[str, str]]:
    """The packaged SQL files whose names match ``pattern``, as ``(name, text)`` in name order."""
    folder = resources.files(SQL_PACKAGE).joinpath(SQL_FOLDER)
    found = [entry for entry in folder.iterdir() if entry.is_file() and pattern.match(entry.name)]
    return [(entry.name, entry.read_text(encoding="utf-8")) for entry in sorted(found, key=lambda e: e.name)]


@cache
def _schema_sql() -> list[str]:
    return [ddl(), *(text for _name, text in sql_files(SCHEMA_FILE))]


def apply_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the tables (the contracts', then ``0NN_*.sql``) that do not exist yet, add columns added later and drop
    the ``NOT NULL`` of columns that may be null now. Idempotent; never drops data."""
    for text in _schema_sql():
        con.execute(text)
    for table, column in relaxed_columns():  # a database made when the column was NOT NULL
        strict = con.execute(
            "SELECT count(*) FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = ? "
            "AND column_name = ? AND NOT is_nullable",
            [table, column],
        ).fetchall()
        if strict[0][0]:
            con.execute(f"ALTER TABLE {table} ALTER COLUMN {column} DROP NOT NULL")  # names from the contracts
