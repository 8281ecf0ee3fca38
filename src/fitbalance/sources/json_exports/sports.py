"""Sport names of the JSON account exports -> FIT ``(sport, sub_sport)``, from ``sports.toml`` (data, not code).

Each export has its own table; a name in none is looked up in the CSV dialects' common names
(:data:`fitbalance.sources.csv.sports.COMMON`). Garmin's typeKeys go through Connect's own type list first
(``sources/csv/garmin_types.toml``, keyed by the same typeKeys, without the ``_v2`` and ``_ws`` suffixes the
account export adds to some). Names compare ignoring case, spaces and
punctuation.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources

from fitbalance.sources.csv import garmin as garmin_csv
from fitbalance.sources.csv.helpers import fold_key
from fitbalance.sources.csv.sports import COMMON

DATA_FILE = "sports.toml"
GARMIN_SUFFIXES = ("_v2", "_ws")


@lru_cache(maxsize=1)
def tables() -> dict[str, dict[str, tuple[str, str]]]:
    """Export -> folded name -> (sport, sub_sport)."""
    text = resources.files(__package__ or "fitbalance.sources.json_exports").joinpath(DATA_FILE).read_text("utf-8")
    found: dict[str, dict[str, tuple[str, str]]] = {}
    for export, names in tomllib.loads(text).items():
        table: dict[str, tuple[str, str]] = {}
        for name, fit in names.items():
            sport, _, sub_sport = str(fit).partition("/")
            table[fold_key(name)] = (sport, sub_sport or "generic")
        found[export] = table
    return found


@lru_cache(maxsize=1)
def _connect_types() -> dict[str, tuple[str, str]]:
    return {fold_key(kind.key): (kind.sport, kind.sub_sport) for kind in garmin_csv.activity_types()}


def _without_version(type_key: str) -> str:
    """A typeKey without Connect's version and winter-sports suffixes (``tennis_v2``, ``skate_skiing_ws``)."""
    for suffix in GARMIN_SUFFIXES:
        if type_key.casefold().endswith(suffix):
            return type_key[: -len(suffix)]
    return type_key


def sport_of(export: str, name: str | None) -> tuple[str, str] | None:
    """FIT (sport, sub_sport) for an export's sport name, or None when no table knows it."""
    if not name:
        return None
    key = fold_key(name)
    if export == "garmin":
        base = fold_key(_without_version(name))
        found = _connect_types().get(base) or tables()["garmin"].get(key)
        if found:
            return found
    return tables().get(export, {}).get(key) or COMMON.get(key)
