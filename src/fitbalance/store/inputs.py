"""What the data made from other data was last made from: one digest of its inputs per part, kept in the database.

A run makes some tables from things outside the files it reads: the reference tables from the settings file and the
packaged catalogue (:func:`fitbalance.store.reference.refresh`), the settings' rules applied to every loaded row
(:func:`fitbalance.run.apply_rules`). Made again on every run, they cost most of a run that has nothing new to read;
not made again, a user's correction (a setting, an override, a new release) would never reach the data already
loaded. So each such part records, beside what it wrote and in the same transaction, a digest of the inputs it was
made from (``fitbalance_schema``, part ``inputs:<name>``; :mod:`fitbalance.store.schema` keeps the SQL's there);
:func:`when_changed` makes the part again only when the digest of its inputs now differs. A database without the
record (a new one, an older release's) gets every part made.

The inputs are given as plain data (numbers, text, lists, dicts, dataclasses) and digested in a canonical form;
:func:`release` stands for what a new release may change in the packaged data and code.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from importlib import resources
from typing import TypeVar

import duckdb

from fitbalance.config import package_version
from fitbalance.store.connection import rows, transaction
from fitbalance.store.schema import SCHEMA_TABLE, record_digest

PREFIX = "inputs:"
PACKAGE_FILES = (".py", ".csv", ".toml", ".sql")
"""The files of the package that make what a release computes: its code and its packaged data."""

T = TypeVar("T")


def fingerprint(*inputs: object) -> str:
    """A digest of ``inputs`` that is the same in every process (dataclasses by their ``repr``, dict keys sorted)."""
    text = json.dumps(inputs, default=repr, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def release() -> str:
    """The release running: its version, and the path, size and time of every file of the package, its code and its
    packaged data (a checkout's files change without a new version number). A run asks once (a few hundred stats)."""
    sha = hashlib.sha256(package_version().encode("utf-8"))
    folders = [str(resources.files("fitbalance"))]
    while folders:
        with os.scandir(folders.pop()) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                if entry.is_dir() and entry.name != "__pycache__":
                    folders.append(entry.path)
                elif entry.name.endswith(PACKAGE_FILES):
                    info = entry.stat()
                    sha.update(f"{entry.path}|{info.st_size}|{info.st_mtime_ns}\0".encode())
    return sha.hexdigest()


def recorded(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The digest of the inputs each part was last made from, by part name (without the prefix)."""
    present = rows(
        con, "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = ?", [SCHEMA_TABLE]
    )
    if not present[0][0]:
        return {}
    found = rows(con, f"SELECT part, digest FROM {SCHEMA_TABLE} WHERE starts_with(part, ?)", [PREFIX])
    return {str(part).removeprefix(PREFIX): str(value) for part, value in found}


def record(con: duckdb.DuckDBPyConnection, part: str, value: str) -> None:
    """Record that ``part`` is now made from inputs of digest ``value`` (in the caller's transaction)."""
    record_digest(con, PREFIX + part, value)


def forget(con: duckdb.DuckDBPyConnection, part: str) -> None:
    """Forget what ``part`` was made from (the data it is made from is changing): the next :func:`when_changed`
    makes it. Needs the store's tables (:func:`fitbalance.store.connection.open_store`)."""
    con.execute(f"DELETE FROM {SCHEMA_TABLE} WHERE part = ?", [PREFIX + part])


def when_changed(con: duckdb.DuckDBPyConnection, part: str, inputs: object, make: Callable[[], T]) -> T | None:
    """Call ``make`` (which writes ``part``) when ``inputs`` differ from those ``part`` was last made from, and
    record them, in one transaction; returns what ``make`` returned, or None when nothing changed."""
    wanted = fingerprint(inputs)
    with transaction(con):
        if recorded(con).get(part) == wanted:
            return None
        made = make()
        record(con, part, wanted)
    return made
