"""The loader: one transaction per batch, nothing twice, a changed file replaces its own rows."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from fitbalance.config import Athlete
from fitbalance.errors import StoreLockedError
from fitbalance.models import BatchResult, FileOutcome, FileStatus
from fitbalance.normalize import normalize
from fitbalance.store import connection, ledger, load
from fitbalance.validate import quarantine_frame, validate_tables

from .builders import decoded

NOW = datetime(2026, 11, 1)
ME = Athlete(name="me")


def batch(file_id: str, path: str, **kw: object) -> BatchResult:
    t = normalize(decoded(**kw), file_id=file_id, athlete=ME)  # type: ignore[arg-type]
    v = validate_tables(t, file_id=file_id, path=path, as_of=NOW)
    outcome = FileOutcome(file_id, path, "fit", 100, FileStatus.LOADED, "")
    return BatchResult(outcomes=[outcome], tables=v.tables, quarantine=v.quarantine)


def counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {
        t: connection.rows(con, f"SELECT count(*) FROM {t}")[0][0]
        for t in ("source_files", "activities", "strength_sets", "samples", "quarantine")
    }


def test_a_batch_loads_and_loading_it_again_changes_nothing(tmp_path: Path) -> None:
    """A file loaded again (read again: its settings changed, a retry, a reprocess) replaces its own rows with the
    same rows: nothing added, nothing counted twice."""
    b = batch("f1", "a.fit", sets=[{}, {}], hr=[100, 101])
    with connection.open_store(tmp_path / "t.duckdb") as con:
        added = load.load_batch(con, b, athlete="me", run_id="r1", now=NOW)
        assert added.activities == 1 and added.sets == 2 and added.loaded == 1
        first = counts(con)
        again = load.load_batch(con, b, athlete="me", run_id="r2", now=NOW)
        assert (again.activities, again.sets, again.samples, again.repeated) == (0, 0, 0, 0)
        assert (
            counts(con)
            == first
            == {"source_files": 1, "activities": 1, "strength_sets": 2, "samples": 2, "quarantine": 0}
        )


def test_a_changed_file_replaces_its_own_rows(tmp_path: Path) -> None:
    """Same path, new content: the old content's activities, sets and samples go, the new ones come."""
    with connection.open_store(tmp_path / "t.duckdb") as con:
        load.load_batch(con, batch("old", "a.fit", sets=[{}, {}], hr=[100]), athlete="me", run_id="r", now=NOW)
        load.load_batch(
            con,
            batch("new", "a.fit", start=datetime(2026, 3, 3), sets=[{}], hr=[100, 1, 2][:1]),
            athlete="me",
            run_id="r",
            now=NOW,
        )
        assert connection.rows(con, "SELECT file_id FROM source_files") == [("new",)]
        assert connection.rows(con, "SELECT file_id, start_time_utc FROM activities") == [("new", datetime(2026, 3, 3))]
        assert counts(con)["strength_sets"] == 1


def test_content_a_copy_still_holds_stays_when_its_first_path_changes(tmp_path: Path) -> None:
    """a.fit and b.fit held the same bytes; now a.fit holds a new session. The run found the old bytes still at
    b.fit: the old session stays, its file now known at b.fit, and the new one comes."""
    with connection.open_store(tmp_path / "t.duckdb") as con:
        load.load_batch(con, batch("old", "a.fit", sets=[{}, {}]), athlete="me", run_id="r1", now=NOW)
        ledger.record_seen(con, run_id="r2", pending=[("a.fit", "new")], known=[("b.fit", "old")], refused=[])
        load.load_batch(con, batch("new", "a.fit", start=datetime(2026, 3, 3)), athlete="me", run_id="r2", now=NOW)
        assert connection.rows(con, "SELECT file_id, path FROM source_files ORDER BY file_id") == [
            ("new", "a.fit"),
            ("old", "b.fit"),
        ]
        assert connection.rows(con, "SELECT file_id FROM activities ORDER BY file_id") == [("new",), ("old",)]
        assert counts(con)["strength_sets"] == 2
        # without the copy (a later run finds only a.fit, changed again), the old content's rows go as before
        ledger.record_seen(con, run_id="r3", pending=[("b.fit", "newer")], known=[], refused=[])
        load.load_batch(con, batch("newer", "b.fit", start=datetime(2026, 4, 4)), athlete="me", run_id="r3", now=NOW)
        assert connection.rows(con, "SELECT file_id FROM activities ORDER BY file_id") == [("new",), ("newer",)]


def test_the_same_session_from_two_files_is_loaded_once(tmp_path: Path) -> None:
    with connection.open_store(tmp_path / "t.duckdb") as con:
        load.load_batch(con, batch("f1", "a.fit", sets=[{}]), athlete="me", run_id="r", now=NOW)
        added = load.load_batch(con, batch("f2", "copy/a.fit", sets=[{}]), athlete="me", run_id="r", now=NOW)
        assert added.repeated == 1 and counts(con)["activities"] == 1 and counts(con)["source_files"] == 2


def test_a_failing_batch_leaves_nothing_behind(tmp_path: Path) -> None:
    """A crash in the middle of a load rolls the whole batch back: never half an activity."""
    good = batch("f1", "a.fit", sets=[{}, {}], hr=[100, 101])
    broken = BatchResult(
        outcomes=good.outcomes,
        tables=type(good.tables)(
            activities=good.tables.activities,
            sets=good.tables.sets,
            samples=good.tables.samples.with_columns(
                good.tables.samples["activity_id"].alias("timestamp_utc").cast(str)
            )
            .drop("timestamp_utc")
            .with_columns(timestamp_utc=good.tables.samples["activity_id"]),  # text where a timestamp belongs
            laps=good.tables.laps,
        ),
        quarantine=quarantine_frame([]),
    )
    with connection.open_store(tmp_path / "t.duckdb") as con:
        with pytest.raises(duckdb.Error):
            load.load_batch(con, broken, athlete="me", run_id="r", now=NOW)
        assert counts(con) == {"source_files": 0, "activities": 0, "strength_sets": 0, "samples": 0, "quarantine": 0}


def test_a_locked_database_waits_then_says_so(tmp_path: Path) -> None:
    """While another process writes, opening waits and then fails with a transient, clear error."""
    import subprocess
    import sys

    db = tmp_path / "t.duckdb"
    with connection.open_store(db):
        pass
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb,time; c=duckdb.connect({str(db)!r}); print('ok', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ok"
        messages: list[str] = []
        with pytest.raises(StoreLockedError) as info:
            connection.connect(db, wait_s=0.5, on_wait=messages.append)
        assert info.value.transient and "locked" in str(info.value)
        assert messages and all(m.startswith(connection.BUSY_MESSAGE) for m in messages)
    finally:
        holder.kill()
        holder.wait()
        assert holder.stdout is not None
        holder.stdout.close()
    connection.connect(db, read_only=True).close()
