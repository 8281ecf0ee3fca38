"""The tables of the store: creating the tables that do not exist yet, and the packaged SQL files.

The tables users query are created from their contracts (:func:`fitbalance.contracts.ddl`). Derived tables and the
views are SQL in the package, in ``fitbalance/store/sql``, one statement group per file, applied in name order:
``0NN_<name>.sql`` are derived tables (``CREATE TABLE IF NOT EXISTS``, applied by :func:`apply_schema`),
``1NN_<name>.sql`` and ``2NN_<name>.sql`` macros and views (applied by :func:`fitbalance.store.views.apply_views`).

Every write connection and every run would apply them again; the table ``fitbalance_schema`` keeps, per part
(``tables``, ``views``), a digest of the SQL last applied in full, and a part whose SQL is unchanged is not applied
again (measured: a quarter of an unchanged re-run's work in the database). A database without that table, or with
another digest (another release, hand-made changes being the user's own), gets the whole part again. The same table
keeps, as parts ``inputs:<name>``, the digests of what the reference tables and the rules were last made from
(:mod:`fitbalance.store.inputs`).
"""

from __future__ import annotations

import hashlib
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


SCHEMA_TABLE = "fitbalance_schema"
_SCHEMA_TABLE_DDL = f"""CREATE TABLE IF NOT EXISTS {SCHEMA_TABLE} (
    part VARCHAR PRIMARY KEY,  -- tables, views
    digest VARCHAR NOT NULL    -- sha256 of the SQL applied
)"""


def digest(texts: list[str]) -> str:
    """A digest of SQL texts, in order."""
    sha = hashlib.sha256()
    for text in texts:
        sha.update(text.encode("utf-8"))
        sha.update(b"\0")
    return sha.hexdigest()


@cache
def schema_digest() -> str:
    """The digest of the tables' SQL (:func:`apply_schema`)."""
    return digest([*_schema_sql(), repr(relaxed_columns())])


def applied_digest(con: duckdb.DuckDBPyConnection, part: str) -> str | None:
    """The digest of the SQL last applied in full for ``part``, or None."""
    present = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = ?", [SCHEMA_TABLE]
    ).fetchall()
    if not present[0][0]:
        return None
    found = con.execute(f"SELECT digest FROM {SCHEMA_TABLE} WHERE part = ?", [part]).fetchall()
    return str(found[0][0]) if found else None


def record_digest(con: duckdb.DuckDBPyConnection, part: str, value: str) -> None:
    """Record that the SQL of ``part`` with digest ``value`` has been applied in full."""
    con.execute(_SCHEMA_TABLE_DDL)
    con.execute(f"INSERT OR REPLACE INTO {SCHEMA_TABLE} (part, digest) VALUES (?, ?)", [part, value])


def apply_schema(con: duckdb.DuckDBPyConnection) -> bool:
    """Create the tables (the contracts', then ``0NN_*.sql``) that do not exist yet, add columns added later and drop
    the ``NOT NULL`` of columns that may be null now. Idempotent; never drops data.

    Skipped when the database records that this SQL was applied (:data:`SCHEMA_TABLE`); returns whether it ran."""
    if applied_digest(con, "tables") == schema_digest():
        return False
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
    record_digest(con, "tables", schema_digest())
    return True
