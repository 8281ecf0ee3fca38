"""One contract per table: the DDL, the Pandera schemas, the polars schemas, the docs page and the SQL vocabulary
all agree with ``fitbalance.contracts``."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import duckdb
import pandera.errors as pa_errors
import polars as pl
import pytest

from fitbalance import contracts
from fitbalance.contracts import TABLES, Category, Column, Subcategory, Table
from fitbalance.exercises import EXERCISE_SCHEMA
from fitbalance.models import ACTIVITY_SCHEMA, LAP_SCHEMA, SAMPLE_SCHEMA, SET_SCHEMA, conform
from fitbalance.schemas import table_schema
from fitbalance.store.schema import apply_schema
from fitbalance.store.views import apply_views, view_files
from fitbalance.validate import QUARANTINE_SCHEMA
from tests.conftest import ROOT

AS_OF = datetime(2026, 6, 1)
SQL_FOLDER = ROOT / "src" / "fitbalance" / "store" / "sql"


def test_docs_tables_md_is_the_page_the_contracts_make() -> None:
    """docs/tables.md is generated: run `python -m fitbalance.contracts > docs/tables.md` after editing a contract."""
    assert (ROOT / "docs" / "tables.md").read_text(encoding="utf-8") == contracts.tables_page()


def test_the_database_has_every_column_of_every_contract_with_its_type_and_nullability(tmp_path: Path) -> None:
    """Also a database made before a column existed gets it (exercises.kind)."""
    db = tmp_path / "t.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute(
            "CREATE TABLE exercises (exercise VARCHAR PRIMARY KEY, fit_category VARCHAR, "
            "primary_muscles VARCHAR[], secondary_muscles VARCHAR[], equipment VARCHAR, bodyweight BOOLEAN NOT NULL)"
        )
        apply_schema(con)
        apply_schema(con)  # idempotent
        found = con.execute(
            "SELECT table_name, column_name, data_type, is_nullable FROM duckdb_columns() "
            "WHERE schema_name = 'main' ORDER BY table_name, column_index"
        ).fetchall()
    columns: dict[str, list[tuple[str, str, bool]]] = {}
    for table, column, sql_type, nullable in found:
        columns.setdefault(table, []).append((column, sql_type, nullable))
    for table in TABLES:
        expected = [(c.name, c.sql, c.nullable or c.added_later) for c in table.columns]
        assert columns[table.name] == expected, table.name


def test_the_stages_frames_have_the_contracts_columns() -> None:
    assert contracts.ACTIVITIES.schema == ACTIVITY_SCHEMA and contracts.STRENGTH_SETS.schema == SET_SCHEMA
    assert contracts.SAMPLES.schema == SAMPLE_SCHEMA and contracts.LAPS.schema == LAP_SCHEMA
    assert contracts.EXERCISES.schema == EXERCISE_SCHEMA  # the catalogue's frame is the exercises table
    assert list(QUARANTINE_SCHEMA) == [c.name for c in contracts.QUARANTINE.columns][:-2]


def _valid_row(table: Table) -> dict[str, object]:
    """A row that passes every check of ``table``."""
    row: dict[str, object] = {}
    for c in table.columns:
        if c.values:
            row[c.name] = c.values[0]
        elif c.in_history or c.sql == "TIMESTAMP":
            row[c.name] = datetime(2026, 1, 1)
        elif c.lo is not None:
            row[c.name] = c.lo
        elif c.sql == "VARCHAR":
            row[c.name] = "x"
        elif c.sql == "VARCHAR[]":
            row[c.name] = ["x"]
        elif c.sql == "BOOLEAN":
            row[c.name] = True
        else:
            row[c.name] = 1
    return row


def _broken(column: Column) -> list[object]:
    """Values the column's contract forbids."""
    bad: list[object] = []
    if not column.nullable:
        bad.append(None)
    if column.lo is not None:
        bad.append(column.lo - 1)
    if column.hi is not None:
        bad.append(column.hi + 1)
    if column.in_history:
        bad += [datetime(1985, 1, 1), datetime(2026, 6, 3)]
    if column.values:
        bad.append("not-a-" + column.name)
    if column.max_length is not None:
        bad.append("x" * (column.max_length + 1))
    return bad


VALIDATED = [t for t in TABLES if t.validated]
CASES = [(t, c, v) for t in VALIDATED for c in t.columns for v in _broken(c)]


@pytest.mark.parametrize("table", VALIDATED, ids=lambda t: t.name)
def test_a_row_within_every_rule_passes(table: Table) -> None:
    frame = conform(pl.DataFrame([_valid_row(table)]), table.schema)
    table_schema(table, AS_OF).validate(frame, lazy=True)


@pytest.mark.parametrize(("table", "column", "value"), CASES, ids=lambda x: getattr(x, "name", repr(x)))
def test_each_rule_of_a_contract_rejects_what_it_forbids(table: Table, column: Column, value: object) -> None:
    """A value out of range, out of the allowed values, too long, outside the history or null where the contract
    says not null: that column is named in the failure."""
    row = _valid_row(table) | {column.name: value}
    frame = conform(pl.DataFrame([row], schema_overrides=table.schema, strict=False), table.schema)
    with pytest.raises(pa_errors.SchemaErrors) as caught:
        table_schema(table, AS_OF).validate(frame, lazy=True)
    assert set(caught.value.failure_cases["column"].to_list()) == {column.name}


def test_every_table_documents_every_column() -> None:
    for table in TABLES:
        assert table.row and all(c.meaning.strip() for c in table.columns), table.name


def _macro(sql: str, value: object) -> object:
    with duckdb.connect() as con:
        con.execute(contracts.vocabulary_macros())
        return con.execute(sql, [value]).fetchall()[0][0]


def test_the_lifting_apps_and_counted_set_types_reach_the_sql() -> None:
    for app in contracts.LIFTING_APPS:
        assert _macro("SELECT is_lifting_app(?)", app) is True
    assert _macro("SELECT is_lifting_app(?)", "fit") is False
    assert [t for t in contracts.SetType if _macro("SELECT is_counted_set(?)", t.value)] == [
        contracts.SetType.WORKING,
        contracts.SetType.DROP,
        contracts.SetType.FAILURE,
    ]


def test_the_views_name_only_categories_and_set_types_the_contracts_know() -> None:
    """Every quoted category, subcategory and set type a view compares with is a value of its enum; the views
    name no lifting app or counted set type by hand (they call the macros made from the lists)."""
    known = {
        "category": {c.value for c in Category},
        "subcategory": {s.value for s in Subcategory},
        "set_type": {t.value for t in contracts.SetType},
    }
    compared = re.compile(r"\b(category|subcategory|set_type)\s*(?:=|<>|(?:NOT\s+)?IN)\s*\(?([^)\n]*)", re.I)
    texts = [(SQL_FOLDER / name).read_text(encoding="utf-8") for name in view_files()]
    seen = 0
    for text in texts:
        code = "\n".join(line.split("--")[0] for line in text.splitlines())
        for column, values in compared.findall(code):
            literals = re.findall(r"'([^']*)'", values.split(" THEN ")[0].split(" AND ")[0])
            assert set(literals) <= known[column.lower()], (column, literals)
            seen += len(literals)
        assert "'csv:hevy'" not in code and "'csv:strong'" not in code
        assert not re.search(r"IN\s*\(\s*'working'", code)
    assert seen > 10


def test_the_views_apply_on_the_contracts_tables(tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "t.duckdb")) as con:
        apply_views(con)
        assert con.execute("SELECT count(*) FROM weekly_balance").fetchall() == [(0,)]
