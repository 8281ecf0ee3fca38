"""The ten example queries of docs/views.md run, as written, against a small history and find rows."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from fitbalance.store.views import apply_views
from tests.store.history import History, example_history

DOC = Path(__file__).resolve().parents[2] / "docs" / "views.md"


def example_queries() -> list[tuple[str, str]]:
    """(title, sql) of each example under the doc's 'Example queries' heading."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("\n## Example queries\n", 1)[1].split("\n## ", 1)[0]
    found = re.findall(r"^### (.+?)\n.*?```sql\n(.*?)```", section, flags=re.MULTILINE | re.DOTALL)
    return [(title.strip(), sql.strip()) for title, sql in found]


@pytest.fixture(scope="module")
def example_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(tmp_path_factory.mktemp("examples") / "examples.duckdb"))
    apply_views(con)
    example_history(History(con))
    yield con
    con.close()


def test_the_doc_has_ten_examples() -> None:
    """docs/views.md promises ten example queries, each with a title and one SQL block."""
    queries = example_queries()
    assert len(queries) == 10, [t for t, _ in queries]
    assert all(sql.endswith(";") for _, sql in queries)


@pytest.mark.parametrize(("title", "sql"), example_queries(), ids=[t for t, _ in example_queries()])
def test_example_query_runs_and_finds_rows(example_db: duckdb.DuckDBPyConnection, title: str, sql: str) -> None:
    """Each example runs unchanged and returns at least one row on the example history."""
    rows = example_db.execute(sql).fetchall()
    assert rows, f"{title}: no rows"
