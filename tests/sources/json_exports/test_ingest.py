"""The JSON account exports through a real ingest into a DuckDB file (fitbalance.run, the steps the flow runs): every
workout counted once, strength sessions as resistance with their sets, the exports' other files skipped with their
kind, rows without a start quarantined alone, a JSON file over its cap quarantined with the cap named, and every
row accounted for."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from fitbalance.sources.limits import MAX_JSON_BYTES
from synth import json_exports
from tests.accounts import assert_every_row_is_accounted_for
from tests.conftest import SAMPLE_DATA
from tests.ingesting import ingest_like_the_flow

SETTINGS = 'default_athlete = "me"\n[athletes.me]\ntime_zone = "Europe/Berlin"\n'


def q(db: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


@pytest.fixture(scope="module")
def exports_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("jsonflow")
    data = root / "in"
    shutil.copytree(SAMPLE_DATA / json_exports.FOLDER, data / json_exports.FOLDER)
    (data / "huge.json").write_bytes(b"[" + b" " * MAX_JSON_BYTES + b"]")
    settings = root / "fitbalance.toml"
    settings.write_text(SETTINGS)
    db = root / "json.duckdb"
    first = ingest_like_the_flow([data], db, settings, workers=1, batch_size=4)
    second = ingest_like_the_flow([data], db, settings)
    return {"db": db, "first": first, "second": second}


def expected() -> dict[str, dict[str, Any]]:
    return {name: expect for name, (_, expect) in json_exports.export_files().items()}


def test_every_workout_counts_once(exports_run: dict[str, Any]) -> None:
    """What the generator wrote, once each: the Garmin run that is also a FIT file in the export counts as the FIT
    file's activity (the JSON row is its duplicate), the triathlon as its legs, nothing as its parent."""
    db = exports_run["db"]
    written = [a for e in expected().values() for a in e.get("activities", [])]
    counted = q(
        db,
        "SELECT strftime(start_time_utc, '%Y-%m-%dT%H:%M:%S'), sport, category FROM activities "
        "WHERE duplicate_of IS NULL ORDER BY 1",
    )
    assert counted == sorted((a["start_time_utc"], a["sport"], a["category"]) for a in written)
    [(json_row, fit_format)] = q(
        db,
        "SELECT d.source_format, p.source_format FROM activities d JOIN activities p ON p.activity_id = d.duplicate_of",
    )
    assert (json_row, fit_format) == ("json:garmin", "fit")


def test_strength_sessions_are_resistance_with_their_sets(exports_run: dict[str, Any]) -> None:
    """Garmin's summarised sets land mapped to the catalogue as a watch's FIT sets are; Polar's strength training and
    Fitbit's Weights are resistance too, and the week's balance shows all three."""
    db = exports_run["db"]
    rows = q(
        db,
        "SELECT source_format, category, classification_reason FROM activities WHERE category = 'resistance' "
        "ORDER BY start_time_utc",
    )
    assert [r[:2] for r in rows] == [
        ("json:garmin", "resistance"),
        ("json:polar", "resistance"),
        ("json:fitbit", "resistance"),
    ]
    sets = dict(q(db, "SELECT exercise, count(*) FROM strength_sets WHERE exercise IS NOT NULL GROUP BY ALL"))
    assert sets == {"Bench Press": 3, "Squat": 3, "Pull-Up": 3, "Plank": 1}
    [(top,)] = q(db, "SELECT max(weight_kg) FROM strength_sets WHERE exercise = 'Squat'")
    assert top == 80.0
    weeks = dict(q(db, "SELECT week_start, resistance_sessions FROM weekly_balance WHERE resistance_sessions > 0"))
    assert weeks == {date(2025, 5, 19): 2, date(2025, 5, 26): 1}


def test_the_exports_files_end_as_they_should(exports_run: dict[str, Any]) -> None:
    """Loaded, or skipped with their kind, or (the file over the JSON cap) quarantined with the cap named."""
    db = exports_run["db"]
    status = {path.rsplit("/", 1)[-1]: (s, d) for path, s, d in q(db, "SELECT path, status, detail FROM source_files")}
    assert status["huge.json"][0] == "quarantined" and "limits.MAX_JSON_BYTES" in status["huge.json"][1]
    for folder in expected().values():
        for name, kind in (folder.get("skipped") or {}).items() if isinstance(folder.get("skipped"), dict) else []:
            got = status[name.rsplit("/", 1)[-1]]
            assert got[0] == "skipped" and kind in got[1], (name, got)
    assert status["athlete@example.org_18500001.fit"][0] == "loaded"
    assert status["activity-2025-05-23-8069454251.json"][0] == "skipped"
    loaded = sorted(name for name, (s, _) in status.items() if s == "loaded")
    assert loaded == [
        "athlete@example.org_0_summarizedActivities.json",
        "athlete@example.org_18500001.fit",
        "exercise-0.json",
        "training-session-2025-05-23-8069454250-1a2b3c4d.json",
        "training-session-2025-05-25-8069454377-5e6f7a8b.json",
    ]


def test_rows_that_cannot_stand_are_quarantined_alone_and_every_row_is_accounted(exports_run: dict[str, Any]) -> None:
    db = exports_run["db"]
    rows = q(db, "SELECT table_name, reason FROM quarantine WHERE table_name IS NOT NULL ORDER BY reason")
    want = sorted((r["table"], r["reason"]) for e in expected().values() for r in e.get("quarantined_rows", []))
    assert [(t, r) for t, r in rows if any(r.startswith(w) for _, w in want)] == rows
    assert sorted(t for t, _ in rows) == sorted(t for t, _ in want)
    accounts = assert_every_row_is_accounted_for(db)
    assert accounts["activities"][2] == 2  # the Garmin and the Fitbit activity without a start


def test_a_second_ingest_adds_nothing(exports_run: dict[str, Any]) -> None:
    second = exports_run["second"]
    assert second["loaded"] == 0 and second["already_loaded"] + second["quarantined"] == second["files_seen"]
