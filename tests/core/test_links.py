"""The store applies duplicate links in each load transaction, and recomputing them changes nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from fitbalance.config import Athlete
from fitbalance.models import FileStatus
from fitbalance.normalize import normalize
from fitbalance.process import BatchResult, FileOutcome
from fitbalance.store import load as store
from fitbalance.validate import validate_tables

from .builders import decoded

NOW = datetime(2026, 11, 1)
ME = Athlete(name="me")
START = datetime(2026, 3, 2, 17, 0)


def batch(file_id: str, path: str, source_format: str, start: datetime, **kw: object) -> BatchResult:
    raw = replace(decoded(start=start, **kw), source_format=source_format)  # type: ignore[arg-type]
    t = normalize(raw, file_id=file_id, athlete=ME)
    v = validate_tables(t, file_id=file_id, path=path, as_of=NOW)
    outcome = FileOutcome(file_id, path, source_format, 100, FileStatus.LOADED, "")
    return BatchResult(outcomes=[outcome], tables=v.tables, quarantine=v.quarantine)


def links(con: object) -> list[tuple[str, str | None]]:
    return store.rows(con, "SELECT source_format, duplicate_of FROM activities ORDER BY source_format")  # type: ignore[arg-type]


def test_a_watch_session_and_its_app_workout_are_linked_when_the_second_arrives(tmp_path: Path) -> None:
    with store.open_store(tmp_path / "t.duckdb") as con:
        store.load_batch(con, batch("h", "hevy.csv", "csv:hevy", START + timedelta(minutes=1), sets=[{}]), **_run())
        assert links(con) == [("csv:hevy", None)]
        store.load_batch(con, batch("w", "w.fit", "fit", START, sets=[{}], hr=[100, 101]), **_run())
        watch = store.rows(con, "SELECT activity_id FROM activities WHERE source_format = 'fit'")[0][0]
        assert links(con) == [("csv:hevy", watch), ("fit", None)]
        assert store.link_duplicates(con, ["me"]) == 0  # recomputing: the same links


def test_replacing_the_watch_file_unlinks_what_no_longer_overlaps(tmp_path: Path) -> None:
    """The FIT file at the same path now holds another day's session: the app workout counts on its own again."""
    with store.open_store(tmp_path / "t.duckdb") as con:
        store.load_batch(con, batch("w1", "w.fit", "fit", START, hr=[100]), **_run())
        store.load_batch(con, batch("h", "hevy.csv", "csv:hevy", START, sets=[{}]), **_run())
        assert [d for _, d in links(con)] != [None, None]
        store.load_batch(con, batch("w2", "w.fit", "fit", START + timedelta(days=1), hr=[100]), **_run())
        assert links(con) == [("csv:hevy", None), ("fit", None)]


def _run() -> dict[str, object]:
    return {"athlete": "me", "run_id": "r", "now": NOW}
