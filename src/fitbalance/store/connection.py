"""Connections to the DuckDB file: opening it (waiting while another process holds its lock) and transactions.

Every module of the store that holds a connection gets it from here or as an argument:

- :func:`connect` opens the file, read-only or for writing, and waits while another process holds DuckDB's file lock
  (a writing process locks the whole file against every other process), telling ``on_wait`` before each wait;
- :func:`open_store` is a write connection with the tables in place, closed when the block ends; a new file is
  created in the storage version of :func:`fitbalance.config.storage_version` (:func:`create_database`), so that
  older DuckDB clients open it too;
- :func:`transaction` is the one way to group statements: ``BEGIN``, then ``COMMIT``, or ``ROLLBACK`` when the block
  raises; inside a transaction that is already open it joins it;
- :func:`registered` shows a polars frame to SQL for the length of a block, :func:`rows` runs a query to its end.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from fitbalance.config import storage_version
from fitbalance.errors import StoreError, StoreLockedError
from fitbalance.store.schema import apply_schema

LOCK_MARKERS = ("could not set lock", "conflicting lock", "lock on file")
BUSY_MESSAGE = "database busy (an ingest is writing), retrying..."


def is_lock_error(exc: BaseException) -> bool:
    """Whether DuckDB refused to open a file because another process holds its lock."""
    return any(marker in str(exc).lower() for marker in LOCK_MARKERS)


def backoff(wait_s: float, *, first_s: float = 0.05, longest_s: float = 1.0) -> list[float]:
    """Delays that double from ``first_s`` up to ``longest_s`` and add up to ``wait_s``."""
    delays: list[float] = []
    delay, total = first_s, 0.0
    while total < wait_s:
        delays.append(min(delay, wait_s - total))
        total += delays[-1]
        delay = min(delay * 2, longest_s)
    return delays


def connect(
    db_path: Path | str,
    *,
    read_only: bool = False,
    wait_s: float = 60.0,
    delays: Sequence[float] | None = None,
    on_wait: Callable[[str], None] | None = None,
    stage: str = "load",
) -> duckdb.DuckDBPyConnection:
    """Open the database, trying again after each of ``delays`` (default: :func:`backoff` over ``wait_s``) while
    another process holds its lock.

    Before each wait ``on_wait`` gets a message that starts with :data:`BUSY_MESSAGE` and counts the attempts.
    Raises :class:`StoreLockedError` when the lock is still held after the last attempt, and :class:`StoreError`
    when the file cannot be opened at all (no such folder, not a DuckDB file, no permission).
    """
    waits = list(backoff(wait_s) if delays is None else delays)
    attempts = len(waits) + 1
    for attempt, delay in enumerate([*waits, None], start=1):
        try:
            return duckdb.connect(str(db_path), read_only=read_only)
        except duckdb.Error as exc:
            if not is_lock_error(exc):
                raise StoreError(f"cannot open the database: {exc}", path=str(db_path), stage=stage) from exc
            if delay is None:
                raise StoreLockedError(
                    f"the database is still locked by another process (an ingest?) after {attempts} attempts "
                    f"over {sum(waits):.1f} s; try again when it has finished",
                    path=str(db_path),
                    stage=stage,
                ) from exc
            if on_wait is not None:
                on_wait(f"{BUSY_MESSAGE} (attempt {attempt} of {attempts})")
            time.sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


def create_database(db_path: Path, version: str | None = None) -> None:
    """Create an empty database file in storage ``version`` (default: :func:`~fitbalance.config.storage_version`).

    A file keeps the storage version it was created in, whichever DuckDB writes to it later, so this is done once,
    before the first connection: attaching the new file from an in-memory database is the one way DuckDB offers to
    choose it without tying every later connection of the process to a configuration.
    """
    wanted = version or storage_version()
    with duckdb.connect() as scratch:
        try:
            scratch.execute(f"ATTACH '{_quoted(db_path)}' AS fresh (STORAGE_VERSION '{_quoted(wanted)}')")
        except duckdb.Error as exc:
            raise StoreError(
                f"cannot create the database in storage version {wanted}: {exc}", path=str(db_path)
            ) from exc
        scratch.execute("DETACH fresh")


def _quoted(text: object) -> str:
    """``text`` inside single quotes of a SQL literal (ATTACH takes no parameters)."""
    return str(text).replace("'", "''")


@contextmanager
def open_store(db_path: Path, *, wait_s: float = 60.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """A write connection with the tables in place, closed on exit."""
    if not db_path.parent.exists():
        raise StoreError(f"folder {db_path.parent} does not exist", path=str(db_path), stage="load")
    if not db_path.exists():
        create_database(db_path)
    con = connect(db_path, wait_s=wait_s)
    try:
        apply_schema(con)
        yield con
    finally:
        con.close()


def in_transaction(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether ``con`` has an explicit transaction open (in autocommit mode every statement gets a new id)."""
    first = con.execute("SELECT txid_current()").fetchall()
    second = con.execute("SELECT txid_current()").fetchall()
    return bool(first == second)


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """The block's statements in one transaction: committed at its end, rolled back when it raises.

    Inside a transaction that is already open, the block joins it (the outer one commits or rolls back).
    """
    if in_transaction(con):
        yield con
        return
    con.begin()
    try:
        yield con
    except BaseException:
        con.rollback()
        raise
    con.commit()


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> Iterator[str]:
    """Expose a polars frame to SQL as ``name`` for the duration of the block."""
    con.register(name, frame.to_arrow())
    try:
        yield name
    finally:
        with suppress(duckdb.Error):  # an aborted transaction refuses even this; the rollback cleans up
            con.unregister(name)


def rows(
    con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()
) -> list[tuple[Any, ...]]:
    """Run a query (``?`` parameters in order, or ``$name`` ones by name) and fetch every row (DuckDB 2.0 keeps a
    half-read result open; never leave one)."""
    bound: list[Any] | dict[str, Any] = dict(params) if isinstance(params, Mapping) else list(params)
    return con.execute(sql, bound).fetchall()
