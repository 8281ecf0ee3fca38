"""The library's ingest (:func:`fitbalance.run.ingest`) called with the Prefect flow's parameters, for behaviour tests
that need no Prefect: what they check is the ingest's, and the flow runs the same steps (tests/test_run.py proves
the two make the same database)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fitbalance.config import load_settings
from fitbalance.run import ingest


def ingest_like_the_flow(
    paths: list[Path],
    db: Path,
    settings: Path | None = None,
    *,
    workers: int | None = None,
    as_of: str | None = None,
    **options: Any,
) -> dict[str, Any]:
    """As ``ingest_flow(paths=..., db=..., settings_path=..., workers=..., as_of=...)``: the settings file read once
    (None: ``$FITBALANCE_SETTINGS`` or ``./fitbalance.toml``), ``workers`` None one per CPU, ``as_of`` ISO text; the
    summary in the flow's plain form."""
    summary = ingest(
        paths,
        db,
        settings=load_settings(settings),
        workers=workers,
        as_of=datetime.fromisoformat(as_of) if as_of else None,
        **options,
    )
    return summary.as_dict()
