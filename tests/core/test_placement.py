"""The store places times without a zone by what it holds: a FIT file loaded later moves the CSV times near it (with
their samples and their duplicate links), and the tables do not depend on the order the files came in."""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from fitbalance.config import Athlete
from fitbalance.models import SourceRef, WorkItem
from fitbalance.process import process_batch
from fitbalance.store import connection, load, placement
from synth import cases, csv_samples
from synth.history import DEVICES, ActivityPlan, encode_activity, endurance_session

AS_OF = datetime(2030, 1, 1)
ME = Athlete(name="me")
POLAR_LOCAL = datetime(2025, 6, 15, 7, 45, 10)  # the generated Polar session's start, a local wall time


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A Polar session (samples, local time), a run the next day from a watch 4 h behind UTC, and the fenix 8 and
    Hevy copies of one strength session."""
    folder = tmp_path_factory.mktemp("placement")
    made = {"polar.csv": csv_samples.polar(random.Random(3))}
    run = endurance_session(random.Random(4), datetime(2025, 6, 16, 11, 0, tzinfo=UTC), "running", 1200)
    made["run.fit"] = encode_activity(ActivityPlan(DEVICES["garmin_fr965"], (run,), -4 * 3600))
    for name, (data, _) in cases.case_files().items():
        if name.endswith(("fenix8-strength.fit", "hevy-same-session.csv")):
            made[Path(name).name] = data
    paths = {}
    for name, data in made.items():
        paths[name] = folder / name
        paths[name].write_bytes(data)
    return paths


def item(path: Path) -> WorkItem:
    data = path.read_bytes()
    return WorkItem(SourceRef(path.name, str(path), len(data)), hashlib.sha256(data).hexdigest())


def ingest(db: Path, batches: list[list[Path]]) -> None:
    with connection.open_store(db) as con:
        for number, paths in enumerate(batches):
            result = process_batch([item(p) for p in paths], athlete=ME, as_of=AS_OF)
            load.load_batch(con, result, athlete="me", run_id=f"r{number}", now=AS_OF)


def rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with connection.open_store(db) as con:
        return connection.rows(con, sql)


def test_a_fit_file_loaded_later_moves_the_csv_time_near_it_with_its_samples(
    files: dict[str, Path], tmp_path: Path
) -> None:
    """The Polar session alone is read as UTC (assumed); once the watch's run of the next day is loaded, it is
    placed 4 h behind UTC (learned): its UTC start and every sample move 4 h, its local time and id stay."""
    db = tmp_path / "t.duckdb"
    query = (
        "SELECT a.activity_id, a.start_time_local, a.start_time_utc, a.utc_offset_source, min(s.timestamp_utc) "
        "FROM activities a JOIN samples s USING (activity_id) WHERE a.source_format = 'csv:polar' GROUP BY ALL"
    )
    ingest(db, [[files["polar.csv"]]])
    [(polar_id, local, utc, source, first_sample)] = rows(db, query)
    assert (local, utc, source, first_sample) == (POLAR_LOCAL, POLAR_LOCAL, "assumed_utc", POLAR_LOCAL)
    ingest(db, [[files["run.fit"]]])
    moved = POLAR_LOCAL.replace(hour=11)
    assert rows(db, query) == [(polar_id, POLAR_LOCAL, moved, "learned", moved)]


def test_the_watch_session_loaded_after_its_hevy_copy_links_them(files: dict[str, Path], tmp_path: Path) -> None:
    db = tmp_path / "t.duckdb"
    ingest(db, [[files["hevy-same-session.csv"]], [files["fenix8-strength.fit"]]])
    found = rows(db, "SELECT source_format, utc_offset_source, duplicate_of IS NOT NULL FROM activities ORDER BY 1")
    assert found == [("csv:hevy", "learned", True), ("fit", "fit", False)]


@pytest.mark.parametrize("order", ["CSV files first", "FIT files first", "one batch", "one file a batch, reversed"])
def test_the_tables_do_not_depend_on_the_order_the_files_came_in(
    order: str, files: dict[str, Path], tmp_path: Path
) -> None:
    csv = [p for name, p in sorted(files.items()) if name.endswith(".csv")]
    fit = [p for name, p in sorted(files.items()) if name.endswith(".fit")]
    batches = {
        "CSV files first": [csv, fit],
        "FIT files first": [fit, csv],
        "one batch": [csv + fit],
        "one file a batch, reversed": [[p] for p in reversed(csv + fit)],
    }[order]
    reference, db = tmp_path / "reference.duckdb", tmp_path / "t.duckdb"
    ingest(reference, [sorted(files.values())])
    ingest(db, batches)
    for table in ("activities", "strength_sets", "samples", "laps", "repairs", "quarantine"):
        sql = f"SELECT * EXCLUDE (run_id, created_at) FROM {table} ORDER BY ALL"
        if table not in ("repairs", "quarantine"):
            sql = f"SELECT * FROM {table} ORDER BY ALL"
        assert rows(db, sql) == rows(reference, sql), table


def test_placing_again_with_nothing_new_moves_nothing(files: dict[str, Path], tmp_path: Path) -> None:
    db = tmp_path / "t.duckdb"
    ingest(db, [sorted(files.values())])
    with connection.open_store(db) as con:
        assert placement.place_and_link(con, ["me"]) == 0
