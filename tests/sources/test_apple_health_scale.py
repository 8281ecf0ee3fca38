"""An Apple Health export bigger than the caps of one file, through the real ingest into a DuckDB file.

The export is made by the generator of the benchmark (``synth.xml_exports.write_big_export``: days of
records, a workout most days with heart rate every 10 s). The caps are lowered so that a small file crosses them:
the per-file row cap (``limits.MAX_ROWS``), the samples handed on at once (``apple_health.SAMPLE_CHUNK_ROWS``) and
the samples of one workout (``apple_health.MAX_WORKOUT_SAMPLES``).
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import duckdb
import pytest

from fitbalance.sources import limits
from fitbalance.sources.xml import apple_health
from synth import xml_exports

from ..accounts import assert_every_row_is_accounted_for
from ..ingesting import ingest_like_the_flow

CAP = 300  # samples per workout, lowered; the generator's workouts have 150-420 readings
ROW_CAP = 100  # rows one file may yield, lowered


def q(db: Path, sql: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def big_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int], dict[str, object]]:
    root = tmp_path_factory.mktemp("apple-scale")
    text = io.StringIO()
    counts = xml_exports.write_big_export(text, 2_500_000)
    (root / "export.xml").write_text(text.getvalue(), encoding="utf-8")
    db = root / "f.duckdb"
    (root / "tmp").mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tempfile, "tempdir", str(root / "tmp"))
        patch.delenv("FITBALANCE_SETTINGS", raising=False)
        patch.chdir(root)
        patch.setattr(limits, "MAX_ROWS", ROW_CAP)
        patch.setattr(apple_health, "SAMPLE_CHUNK_ROWS", 250)
        patch.setattr(apple_health, "MAX_WORKOUT_SAMPLES", CAP)
        summary = ingest_like_the_flow([root / "export.xml"], db, workers=1)
    return db, counts, summary


def test_more_rows_than_the_file_cap_load_every_workout(
    big_run: tuple[Path, dict[str, int], dict[str, object]],
) -> None:
    """The export holds more samples than one file may yield at once: it is not quarantined whole; every workout
    loads, and the samples stream in bounded parts."""
    db, counts, summary = big_run
    assert counts["samples_in_workouts"] > ROW_CAP  # the generator's file crosses the (lowered) cap
    assert summary["loaded"] == 1 and summary["quarantined"] == 0
    assert summary["activities_added"] == counts["workouts"] > 5
    ((activities,),) = q(db, "SELECT count(*) FROM activities")
    assert activities == counts["workouts"]


def test_samples_beyond_a_workouts_cap_are_set_aside_with_the_cap_named(
    big_run: tuple[Path, dict[str, int], dict[str, object]],
) -> None:
    """A workout with more readings than the per-workout cap keeps its first ``CAP`` samples; the rest are one
    quarantine row naming the cap and counting them; the other workouts keep all their samples."""
    db, counts, _ = big_run
    per_workout = [
        n
        for (n,) in q(
            db,
            "SELECT count(s.activity_id) FROM activities AS a LEFT JOIN samples AS s USING (activity_id) "
            "GROUP BY a.activity_id",
        )
    ]
    assert max(per_workout) == CAP and min(per_workout) < CAP
    set_aside = q(db, "SELECT rows, reason FROM quarantine WHERE table_name = 'samples'")
    assert set_aside and all("MAX_WORKOUT_SAMPLES" in reason and f"{CAP}" in reason for _, reason in set_aside)
    ((loaded,),) = q(db, "SELECT count(*) FROM samples")
    assert loaded + sum(int(n) for n, _ in set_aside) == counts["samples_in_workouts"]  # type: ignore[call-overload]


def test_every_streamed_sample_is_accounted_for(big_run: tuple[Path, dict[str, int], dict[str, object]]) -> None:
    """run_rows: the samples read are those loaded plus those set aside, and agree with the tables."""
    db, counts, summary = big_run
    totals = assert_every_row_is_accounted_for(db)
    read, loaded, quarantined, repeated = totals["samples"]
    assert read == counts["samples_in_workouts"] and repeated == 0
    assert loaded == summary["samples_added"] and quarantined > 0


def test_the_streamed_parts_are_removed_once_loaded(big_run: tuple[Path, dict[str, int], dict[str, object]]) -> None:
    """The samples went to the loader as Parquet parts in the temporary folder: none is left behind."""
    db, _, _ = big_run
    assert (db.parent / "tmp").is_dir()
    assert not list((db.parent / "tmp").rglob("*.parquet"))
