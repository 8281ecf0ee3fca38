"""Which files already recorded to read again from their paths, and why: a pure decision over ``source_files`` rows.

A file whose content is recorded is normally never read again (its hash says it is known). It is read again, and its
new rows replace its own old ones, when:

- the settings that mattered to reading it changed (``read_settings``, recorded when it was read; see
  :func:`fitbalance.sources.read_settings`): a unit setting of a CSV export that does not say its units;
- it was quarantined for a reason that was not its own (``attempts`` > 0: an internal error, the decode time cap, an
  I/O error), until it has failed :data:`MAX_ATTEMPTS` times;
- the user asks (:class:`Request`): every quarantined file (``fitbalance ingest --retry-quarantined``, ``fitbalance
  reprocess --quarantined``), every file (``reprocess --all``), or the files an older release read (``reprocess
  --since-version X``).

Overrides, corrections and exercise names need no re-read (a run applies them to the stored rows when they changed), nor
do the heart-rate settings and birth year (the views read them from ``athletes``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import StrEnum

import polars as pl

from fitbalance.config import Athlete
from fitbalance.errors import ConfigError
from fitbalance.sources import read_settings

MAX_ATTEMPTS = 3
"""Reads of a file that failed for a passing reason after which it is left alone (until the user asks again)."""

FILE_STATE_SCHEMA: dict[str, pl.DataType] = {
    "file_id": pl.String(),
    "path": pl.String(),
    "format": pl.String(),
    "status": pl.String(),
    "read_settings": pl.String(),
    "reader_version": pl.String(),
    "attempts": pl.Int32(),
}
"""The ``source_files`` columns the decision reads (one athlete's files)."""


class Scope(StrEnum):
    ALL = "all"
    QUARANTINED = "quarantined"
    SINCE_VERSION = "since-version"


@dataclass(frozen=True)
class Request:
    """What the user asked to read again: every file, every quarantined file, or the files read by a release older
    than ``version``."""

    scope: Scope
    version: str | None = None

    @classmethod
    def parse(cls, text: str) -> Request:
        """``all``, ``quarantined`` or ``since-version:X`` (the flow's parameter is plain text)."""
        scope, _, version = text.partition(":")
        try:
            request = cls(Scope(scope), version or None)
        except ValueError as exc:
            raise ConfigError(
                f"unknown reprocess request {text!r}: expected all, quarantined or since-version:X"
            ) from exc
        if request.scope is Scope.SINCE_VERSION:
            version_key(request.version or "")
        return request

    def __str__(self) -> str:
        return f"{self.scope}:{self.version}" if self.version else str(self.scope)


_VERSION = re.compile(r"^\d+(\.\d+)*$")


def version_key(version: str) -> tuple[int, ...]:
    """A release number as a tuple that sorts like releases do: ``0.10.1`` -> ``(0, 10, 1)``."""
    core = version.split("+")[0].split("-")[0]
    if not _VERSION.match(core):
        raise ConfigError(f"version {version!r}: expected a release number such as 0.2.0")
    return tuple(int(part) for part in core.split("."))


@dataclass(frozen=True)
class Reread:
    """A file to read again from ``path``, and why (a sentence for the run's log and ``fitbalance status``)."""

    file_id: str
    path: str
    why: str


def _settings_change(recorded: str | None, current: str) -> str | None:
    """What changed between the settings a file was read with and those it would be read with now, or None."""
    if recorded is None or recorded == current:  # null: read before settings were recorded
        return None
    before, after = json.loads(recorded), json.loads(current)
    changes = [f"{key} {before.get(key)!r} -> {after.get(key)!r}" for key in after if before.get(key) != after.get(key)]
    return "its settings changed: " + ", ".join(changes) if changes else None


def _requested(row: dict[str, object], request: Request | None) -> str | None:
    if request is None:
        return None
    if request.scope is Scope.ALL:
        return "reprocess --all"
    if request.scope is Scope.QUARANTINED:
        return "retry of a quarantined file" if row["status"] == "quarantined" else None
    read_by = row["reader_version"]
    assert request.version is not None
    if read_by is None or version_key(str(read_by)) < version_key(request.version):
        return f"read by {read_by or 'an unrecorded release'}, before {request.version}"
    return None


def files_to_read_again(files: pl.DataFrame, athlete: Athlete, request: Request | None = None) -> list[Reread]:
    """The files of ``files`` (:data:`FILE_STATE_SCHEMA`, one athlete's) to read again, in path order."""
    found: list[Reread] = []
    for row in files.sort("path").iter_rows(named=True):
        attempts = row["attempts"] or 0
        reasons = [
            _requested(row, request),
            _settings_change(row["read_settings"], read_settings(row["format"], athlete)),
            (
                f"attempt {attempts + 1} of {MAX_ATTEMPTS} after a failure that was not the file's"
                if row["status"] == "quarantined" and 0 < attempts < MAX_ATTEMPTS
                else None
            ),
        ]
        why = "; ".join(r for r in reasons if r)
        if why:
            found.append(Reread(row["file_id"], row["path"], why))
    return found
