"""Samsung Health's per-workout samples kept beside the exercise table (``jsons/.../<uuid>...live_data.json``): read
as that workout's samples from the export's folder on disk or from the zip it came in."""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

import duckdb
import pytest

from fitbalance.models import Decoded, SourceRef
from fitbalance.sources import decode_bytes
from synth import watch_csvs
from tests.ingesting import ingest_like_the_flow
from tests.sources.csv.conftest import ZONE

TABLE = "com.samsung.shealth.exercise.20260202090000.csv"


def export(folder: Path) -> tuple[Path, list[watch_csvs.Session]]:
    """The generated exercise table in ``folder/samsunghealth_athlete`` with every jsons/ file its rows name."""
    sessions = watch_csvs.planned_sessions()["samsung"]
    root = folder / "samsunghealth_athlete"
    table, _ = watch_csvs.samsung_exercise(random.Random(5), sessions)
    for relative, data in {TABLE: table, **watch_csvs.samsung_live_data_files(sessions)}.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(data)
    return root / TABLE, sessions


def decode(path: Path, shown: str | None = None) -> Decoded:
    data = path.read_bytes()
    place = SourceRef(shown or str(path), str(path), len(data))
    return decode_bytes(data, place.path, time_zone=ZONE, place=place)


def test_each_workouts_live_data_file_on_disk_is_its_samples(tmp_path: Path) -> None:
    """Every workout that names a jsons/ file gets that file's points (one a minute: its length in minutes), with
    their heart rate; the second's inline samples as before; no warning."""
    table, sessions = export(tmp_path)
    decoded = decode(table)
    assert not any("live_data" in w for w in decoded.warnings) and not decoded.rejected
    counts = dict(decoded.samples.group_by("session_index").len().iter_rows())
    assert counts == {i: s.minutes for i, s in enumerate(sessions)}
    first = decoded.samples.filter(session_index=0).sort("timestamp_utc")
    assert first["timestamp_utc"][0] == sessions[0].utc_start and first["heart_rate"][0] == 120


def test_the_same_files_inside_the_exports_zip_are_read(tmp_path: Path) -> None:
    """The export as the zip the app writes: the table is a member, its jsons/ files are read from the same zip."""
    table, sessions = export(tmp_path / "unzipped")
    archive = tmp_path / "samsunghealth_athlete.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for file in sorted((tmp_path / "unzipped").rglob("*")):
            if file.is_file():
                zipped.write(file, file.relative_to(tmp_path / "unzipped").as_posix())
    decoded = decode(table, f"{archive}!/samsunghealth_athlete/{TABLE}")
    assert decoded.samples.height == sum(s.minutes for s in sessions)
    assert not any("live_data" in w for w in decoded.warnings)


def test_a_missing_broken_or_escaping_file_costs_only_that_workouts_samples(tmp_path: Path) -> None:
    """One file removed, one not JSON, one row naming a path out of the export: those workouts load without samples
    and the warnings say how many and which lines; every other workout has its samples."""
    table, sessions = export(tmp_path)
    files = sorted((table.parent / "jsons").rglob("*.json"))
    files[0].unlink()
    files[1].write_text("{not json")
    text = table.read_text(encoding="utf-8-sig").replace(files[2].name, "../../secret.json")
    table.write_text(text, encoding="utf-8-sig")
    decoded = decode(table)
    assert decoded.activities.height == len(sessions) and not decoded.rejected
    assert decoded.samples["session_index"].n_unique() == len(sessions) - 3
    assert any("1 workout(s) keep their samples" in w and "not found" in w for w in decoded.warnings)
    assert any("not a readable list of samples" in w for w in decoded.warnings)


def test_bytes_without_a_place_load_the_workouts_and_say_why_the_files_were_not_read(tmp_path: Path) -> None:
    table, sessions = export(tmp_path)
    decoded = decode_bytes(table.read_bytes(), TABLE, time_zone=ZONE)
    assert decoded.activities.height == len(sessions) and decoded.samples.height == sessions[1].minutes
    assert any("its folder is unknown" in w for w in decoded.warnings)


def test_an_ingest_of_the_export_folder_stores_every_workouts_samples_and_skips_the_json_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole folder ingested: the workouts' samples are in the store by their activities, and the jsons/ files
    themselves are accounted as skipped (their points are the table's workouts', not activities)."""
    table, sessions = export(tmp_path / "data")
    db = tmp_path / "history.duckdb"
    monkeypatch.delenv("FITBALANCE_SETTINGS", raising=False)
    monkeypatch.chdir(tmp_path)  # no settings file: the defaults
    ingest_like_the_flow([table.parent], db, workers=1)
    with duckdb.connect(str(db), read_only=True) as con:
        (stored,) = con.execute(
            "SELECT count(*) FROM samples JOIN activities USING (activity_id) "
            "WHERE activities.source_format = 'csv:samsung_health'"
        ).fetchone() or (0,)
        skipped = con.execute("SELECT count(*) FROM source_files WHERE path LIKE '%live_data.json'").fetchone()
    assert stored == sum(s.minutes for s in sessions)
    assert skipped == (len(sessions) - 1,)
