"""fitbalance: watch and lifting-app exports to a DuckDB training history.

The public API, for scripts and notebooks (the ``fitbalance`` command is the other way in)::

    from fitbalance import ingest, load_settings

    summary = ingest(["~/exports"], "training.duckdb", settings=load_settings())
    print(summary.loaded, summary.quarantined)

- :func:`ingest`: the whole ingest in this process (:mod:`fitbalance.run`); Prefect is never imported.
- :class:`RunSummary`: what a run did. :class:`Settings`, :func:`load_settings`: the athletes' settings.

The names load on first use, so that ``import fitbalance`` (every command starts with it) stays quick.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fitbalance.config import Settings, load_settings
    from fitbalance.run import RunSummary, ingest

__all__ = ["RunSummary", "Settings", "ingest", "load_settings"]

_HOMES = {"ingest": "run", "RunSummary": "run", "Settings": "config", "load_settings": "config"}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'fitbalance' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f"fitbalance.{_HOMES[name]}"), name)
