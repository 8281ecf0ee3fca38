"""JSON files of the account exports that hold no activities, recognised by shape so they are skipped with their kind.

The layouts are data, in ``no_activities.toml`` (one ``[[export]]`` each, first match wins); this module only matches
them against the keys of a document's first record (:func:`~.helpers.shape_keys`). A matched file gives
``file_type="no_activities"``, ``source_format`` ``"json:<app>"`` and a ``detail`` naming what it holds and how
many records.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from fitbalance.models import Decoded
from fitbalance.sources.json_exports.helpers import first_record, record_count, shape_keys

DATA_FILE = "no_activities.toml"


@dataclass(frozen=True)
class Export:
    """One layout of ``no_activities.toml``."""

    app: str
    kind: str
    row: str = "record"
    all: frozenset[str] = frozenset()
    any: frozenset[str] = frozenset()

    def matches(self, keys: frozenset[str]) -> bool:
        return bool(self.all or self.any) and self.all <= keys and (not self.any or bool(self.any & keys))


@lru_cache(maxsize=1)
def exports() -> tuple[Export, ...]:
    """Every layout of ``no_activities.toml``, in file order."""
    text = resources.files(__package__ or "fitbalance.sources.json_exports").joinpath(DATA_FILE).read_text("utf-8")
    return tuple(
        Export(
            app=str(entry["app"]),
            kind=str(entry["kind"]),
            row=str(entry.get("row", "record")),
            all=frozenset(str(k) for k in entry.get("all", ())),
            any=frozenset(str(k) for k in entry.get("any", ())),
        )
        for entry in tomllib.loads(text)["export"]
    )


def which(doc: Any) -> Export | None:
    """The first known layout the document's shape matches."""
    keys = shape_keys(first_record(doc))
    return next((e for e in exports() if e.matches(keys)), None)


def skipped(export: Export, doc: Any) -> Decoded:
    """The skip of a file of this layout: its kind and how many records it holds."""
    rows = record_count(doc)
    return Decoded(
        f"json:{export.app}",
        file_type="no_activities",
        detail=f"{export.kind} ({rows} {_plural(export.row) if rows != 1 else export.row}): it holds no activities",
    )


def _plural(word: str) -> str:
    return word[:-1] + "ies" if word.endswith("y") and word[-2:-1] not in ("a", "e", "i", "o", "u") else word + "s"
