"""Activity type tables kept as data: a watch's own type codes or names, each with its FIT ``(sport, sub_sport)`` and
the reason for that choice.

A table is a TOML file beside the dialect (``samsung_health.toml``, ``whoop.toml``, ``mifit.toml``) holding
``types = [{ code = ..., name = ..., sport = ..., sub_sport = ..., why = ... }, ...]``, one line per published type.
``code`` is the app's number for it (Samsung Health, Mi Fit) and may be absent where the app writes names (Whoop);
``why`` says why the type is resistance training or not (what :mod:`fitbalance.classify` will make of the pair).
The tables are read once; a code is compared as written (``"1001"``), a name with :func:`helpers.fold_key`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from fitbalance.sources.csv.helpers import fold_key


@dataclass(frozen=True)
class TypeEntry:
    """One published activity type: the app's code (or None) and name, the FIT pair it maps to, and why."""

    code: str | None
    name: str
    sport: str
    sub_sport: str
    why: str

    @property
    def pair(self) -> tuple[str, str]:
        return self.sport, self.sub_sport


@dataclass(frozen=True)
class TypeTable:
    """A dialect's type table: by code, and by folded name (the names of the table, then ``aliases``)."""

    entries: tuple[TypeEntry, ...]
    by_code: dict[str, TypeEntry]
    by_name: dict[str, TypeEntry]
    data: dict[str, Any]  # the whole TOML document (a dialect may keep column names or kinds beside its types)

    def code(self, code: str) -> TypeEntry | None:
        """The entry of a code as the file writes it (``"1001"``, ``"1001.0"`` and `` 1001`` are one code)."""
        text = code.strip()
        if text.endswith(".0"):
            text = text[:-2]
        return self.by_code.get(text)

    def name(self, name: str) -> TypeEntry | None:
        return self.by_name.get(fold_key(name))


@cache
def load(file_name: str) -> TypeTable:
    """The type table in ``file_name`` (a TOML file of this package), read once."""
    package = __package__ or "fitbalance.sources.csv"
    document = tomllib.loads(resources.files(package).joinpath(file_name).read_text(encoding="utf-8"))
    entries = tuple(
        TypeEntry(
            code=str(row["code"]) if "code" in row else None,
            name=str(row["name"]),
            sport=str(row["sport"]),
            sub_sport=str(row.get("sub_sport", "generic")),
            why=str(row["why"]),
        )
        for row in document["types"]
    )
    by_code = {e.code: e for e in entries if e.code is not None}
    by_name: dict[str, TypeEntry] = {}
    for entry in entries:
        by_name.setdefault(fold_key(entry.name), entry)
    for alias, target in document.get("aliases", {}).items():
        found = by_name.get(fold_key(str(target)))
        if found is not None:
            by_name.setdefault(fold_key(alias), found)
    return TypeTable(entries=entries, by_code=by_code, by_name=by_name, data=document)
