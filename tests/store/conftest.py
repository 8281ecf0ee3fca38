from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from fitbalance.store.views import apply_views
from tests.store.history import History


@pytest.fixture(scope="session")
def empty_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database file with the tables and views and no rows, made once per session."""
    path = tmp_path_factory.mktemp("template") / "empty.duckdb"
    connection = duckdb.connect(str(path))
    apply_views(connection)
    connection.close()
    return path


@pytest.fixture
def con(empty_db: Path, tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A fresh database file (a copy of the empty one) with the tables and views."""
    path = tmp_path / "views.duckdb"
    shutil.copyfile(empty_db, path)
    connection = duckdb.connect(str(path))
    yield connection
    connection.close()


@pytest.fixture
def history(con: duckdb.DuckDBPyConnection) -> History:
    return History(con)
