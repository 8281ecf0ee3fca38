"""The ingest in the library (:mod:`fitbalance.run`): the whole run in-process, Prefect never imported, and the same
database, table for table, as the Prefect flow that runs the same steps as tasks."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from fitbalance.config import load_settings
from fitbalance.run import RunSummary, ingest
from tests.conftest import ROOT, SAMPLE_DATA
from tests.pipelines.conftest import table_contents

EXPECTED = json.loads((SAMPLE_DATA / "EXPECTED.json").read_text())
AS_OF = datetime(2026, 12, 31)
SETTINGS = SAMPLE_DATA / "fitbalance.toml"

LIBRARY_ONLY = """
import json, sys
from fitbalance import ingest

summary = ingest([sys.argv[1]], sys.argv[2])
prefect = sorted(m for m in sys.modules if m.split(".")[0] == "prefect")
print(json.dumps({"summary": summary.as_dict(), "prefect": prefect}))
"""
# the files under invalid/ that load: a valid file with impossible values (repaired) and one cut short (its part)
LOADED_BROKEN = [e for e in EXPECTED["invalid"] if e["status"] == "loaded"]


def test_from_fitbalance_import_ingest_loads_the_sample_data_without_prefect(tmp_path: Path) -> None:
    """A script that does ``from fitbalance import ingest`` loads the sample FIT files, archives and broken files
    (the generator's counts) in its own process, and no module of Prefect is ever imported."""
    data = tmp_path / "sample_data"
    for part in ("fit", "archives", "invalid"):
        shutil.copytree(SAMPLE_DATA / part, data / part)
    db = tmp_path / "t.duckdb"
    env = {k: v for k, v in os.environ.items() if k != "FITBALANCE_SETTINGS"}
    done = subprocess.run(
        [sys.executable, "-c", LIBRARY_ONLY, str(data), str(db)],
        cwd=tmp_path,  # no fitbalance.toml there: the default settings
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.splitlines()[-1])
    assert out["prefect"] == []
    summary = RunSummary.from_dict(out["summary"])
    counts = EXPECTED["counts"]
    assert summary.quarantined == counts["quarantined_files"]
    assert summary.activities_added == counts["activities"] + len(LOADED_BROKEN)
    assert summary.sets_added == counts["active_sets"]
    assert summary.files_seen == summary.loaded + summary.skipped + summary.quarantined
    con = duckdb.connect(str(db), read_only=True)
    try:
        runs = con.execute("SELECT outcome, flow_run_id, files_seen FROM ingest_runs").fetchall()
    finally:
        con.close()
    assert runs == [("completed", None, summary.files_seen)]


def test_the_flow_and_the_library_make_the_same_database(tmp_path: Path, prefect_harness: None) -> None:
    """The sample data through the Prefect flow and through ``fitbalance.run.ingest``, with the same settings and
    clock: every table, row for row (less run ids and times), and the same summary."""
    from fitbalance_pipelines.ingest import ingest_flow

    flow_db, library_db = tmp_path / "flow.duckdb", tmp_path / "library.duckdb"
    by_flow = ingest_flow(
        paths=[str(SAMPLE_DATA)], db=str(flow_db), settings_path=str(SETTINGS), workers=2, as_of=AS_OF.isoformat()
    )
    by_library = ingest([SAMPLE_DATA], library_db, settings=load_settings(SETTINGS), workers=2, as_of=AS_OF)
    flow_tables, library_tables = table_contents(flow_db), table_contents(library_db)
    assert set(flow_tables) == set(library_tables)
    for table, rows in flow_tables.items():
        assert library_tables[table] == rows, table
    ignore = {"run_id", "db"}
    assert {k: v for k, v in by_flow.items() if k not in ignore} == {
        k: v for k, v in by_library.as_dict().items() if k not in ignore
    }


def test_each_batch_is_committed_before_the_callback_hears_of_it(tmp_path: Path) -> None:
    """``on_batch`` is called with 0, 1, 2, ... once each batch is committed: the files of every batch so far are
    recorded when it is told, and ``progress`` counts the files up to all of them."""
    data = tmp_path / "fit"
    shutil.copytree(SAMPLE_DATA / "fit" / "2025-02", data)
    db = tmp_path / "t.duckdb"
    seen: list[tuple[int, int]] = []
    done: list[int] = []

    def loaded(number: int) -> None:
        con = duckdb.connect(str(db), read_only=True)
        try:
            [(recorded,)] = con.execute("SELECT count(*) FROM source_files").fetchall()
        finally:
            con.close()
        seen.append((number, recorded))

    summary = ingest(
        [data],
        db,
        settings=load_settings(SETTINGS),
        batch_size=2,
        as_of=AS_OF,
        on_batch=loaded,
        progress=lambda phase, n, total: done.append(n),
    )
    files = summary.files_seen
    batches = -(-files // 2)
    assert files > 4 and summary.already_loaded == 0
    assert [n for n, _ in seen] == list(range(batches))
    assert [recorded for _, recorded in seen] == [min(2 * (n + 1), files) for n in range(batches)]
    assert done[0] == 0 and done[-1] == files and done == sorted(done)


def test_a_second_run_reads_nothing_and_says_so(tmp_path: Path) -> None:
    """Run again over the same files: everything is already loaded, nothing is added, and both runs are recorded."""
    data = tmp_path / "fit"
    shutil.copytree(SAMPLE_DATA / "fit" / "2025-02", data)
    db = tmp_path / "t.duckdb"
    settings = load_settings(SETTINGS)
    first = ingest([data], db, settings=settings, as_of=AS_OF)
    second = ingest([data], db, settings=settings, as_of=AS_OF)
    assert first.loaded > 0 and second.already_loaded == first.files_seen == second.files_seen
    assert (second.loaded, second.activities_added, second.sets_added) == (0, 0, 0)
    assert second.run_id != first.run_id


def test_the_summary_round_trips_through_its_plain_form() -> None:
    """What the flow returns (plain JSON types) gives back the same typed summary; unknown keys are left out."""
    summary = RunSummary("r", "t.duckdb", files_seen=3, loaded=2, quarantined=1, quarantine_reasons=("a: b",))
    plain = summary.as_dict()
    assert json.loads(json.dumps(plain)) == plain and plain["quarantine_reasons"] == ["a: b"]
    assert RunSummary.from_dict({**plain, "from_a_newer_release": 1}) == summary
    with pytest.raises(AttributeError):
        summary.loaded = 5  # type: ignore[misc]


def test_the_library_modules_import_nothing_of_the_orchestration_layer() -> None:
    """``fitbalance``, ``fitbalance.run`` and ``fitbalance.executors`` import neither Prefect nor
    ``fitbalance_pipelines``, at the top or inside a function."""
    for module in ("run.py", "executors.py", "__init__.py"):
        tree = ast.parse((ROOT / "src" / "fitbalance" / module).read_text())
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert not {name for name in imported if name.split(".")[0] == "prefect"}, module
        assert not {name for name in imported if name.startswith("fitbalance_pipelines")}, module


# ---- what a run with nothing new writes ---------------------------------------------------------------------------

BY_HAND = [  # one value of each table a run makes from the settings and the release, changed by hand
    "UPDATE athletes SET resting_hr = 1",
    "UPDATE progression_settings SET deload_pct = 1",
    "UPDATE athlete_targets SET low = 1 WHERE target = 'aerobic_minutes'",
    "UPDATE exercises SET equipment = 'by hand' WHERE exercise = 'Bench Press'",
    "UPDATE exercise_patterns SET region = 'full' WHERE exercise = 'Bench Press'",
    "UPDATE strength_sets SET exercise = 'By Hand' WHERE exercise = 'Bench Press'",  # the rules remap it back
]
STILL_BY_HAND = """
SELECT (SELECT bool_and(resting_hr = 1) FROM athletes), (SELECT bool_and(deload_pct = 1) FROM progression_settings),
       (SELECT bool_and(low = 1) FROM athlete_targets WHERE target = 'aerobic_minutes'),
       (SELECT bool_and(equipment = 'by hand') FROM exercises WHERE exercise = 'Bench Press'),
       (SELECT bool_and(region = 'full') FROM exercise_patterns WHERE exercise = 'Bench Press'),
       (SELECT count(*) > 0 FROM strength_sets WHERE exercise = 'By Hand')
"""


def by_hand(db: Path, sql: list[str]) -> list[object]:
    """Run ``sql``, then say which of the hand edits hold."""
    con = duckdb.connect(str(db))
    try:
        for statement in sql:
            con.execute(statement)
        return list(con.execute(STILL_BY_HAND).fetchall()[0])
    finally:
        con.close()


def test_a_run_with_nothing_new_writes_no_reference_table_and_applies_no_rule(tmp_path: Path) -> None:
    """Nothing new and nothing changed: the next run rewrites none of the tables made from the settings and the
    release, and applies no rule to the loaded rows (a value changed by hand in each is still there). A database an
    older release made (its recorded inputs another release's) gets them all made and applied again."""
    data = tmp_path / "fit"
    shutil.copytree(SAMPLE_DATA / "fit" / "2025-02", data)
    db = tmp_path / "t.duckdb"
    settings = load_settings(SETTINGS)
    ingest([data], db, settings=settings, as_of=AS_OF)
    assert by_hand(db, BY_HAND) == [True] * len(BY_HAND)

    again = ingest([data], db, settings=load_settings(SETTINGS), as_of=AS_OF)
    assert (again.loaded, again.sets_remapped, again.reclassified) == (0, 0, 0)
    assert by_hand(db, []) == [True] * len(BY_HAND)

    older = ["UPDATE fitbalance_schema SET digest = 'an older release' WHERE starts_with(part, 'inputs:')"]
    assert by_hand(db, older) == [True] * len(BY_HAND)
    newer = ingest([data], db, settings=settings, as_of=AS_OF)
    assert newer.loaded == 0 and newer.sets_remapped > 0
    assert by_hand(db, []) == [False] * len(BY_HAND)


def test_a_new_file_applies_the_rules_again(tmp_path: Path) -> None:
    """A run that loads a file applies the settings' rules to every loaded row again (a set changed by hand is
    remapped), while the reference tables, their inputs unchanged, keep what they hold."""
    data = tmp_path / "fit"
    shutil.copytree(SAMPLE_DATA / "fit" / "2025-02", data)
    late = data / "2025-02-27-0700-strength.fit"
    aside = tmp_path / late.name
    late.rename(aside)
    db = tmp_path / "t.duckdb"
    settings = load_settings(SETTINGS)
    ingest([data], db, settings=settings, as_of=AS_OF)
    by_hand(db, BY_HAND)
    aside.rename(late)
    summary = ingest([data], db, settings=settings, as_of=AS_OF)
    assert summary.loaded == 1 and summary.sets_remapped > 0
    assert by_hand(db, []) == [True] * (len(BY_HAND) - 1) + [False]
