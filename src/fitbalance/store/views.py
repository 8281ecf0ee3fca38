"""The SQL views users query: packaged ``sql/1NN_<name>.sql`` files applied in order (CREATE OR REPLACE VIEW)."""

from __future__ import annotations

from importlib import resources

import duckdb


def view_files() -> list[str]:
    folder = resources.files("fitbalance.store").joinpath("sql")
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".sql") and p.name[0] in "123456789")


def apply_views(con: duckdb.DuckDBPyConnection) -> None:
    """Create or replace every view (idempotent)."""
    folder = resources.files("fitbalance.store").joinpath("sql")
    for name in view_files():
        con.execute(folder.joinpath(name).read_text(encoding="utf-8"))
