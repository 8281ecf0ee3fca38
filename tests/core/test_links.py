"""The store applies duplicate links in each load transaction, and recomputing them changes nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl
from hypothesis import example, given, settings
from hypothesis import strategies as st

from fitbalance.config import Athlete
from fitbalance.dedupe import touched_windows
from fitbalance.models import BatchResult, FileOutcome, FileStatus
from fitbalance.normalize import normalize
from fitbalance.store import connection, load, schema
from fitbalance.store.links import link_duplicates
from fitbalance.store.views import apply_views
from fitbalance.validate import validate_tables
from tests.conftest import examples

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
    return connection.rows(con, "SELECT source_format, duplicate_of FROM activities ORDER BY source_format")  # type: ignore[arg-type]


def test_a_watch_session_and_its_app_workout_are_linked_when_the_second_arrives(tmp_path: Path) -> None:
    with connection.open_store(tmp_path / "t.duckdb") as con:
        load.load_batch(con, batch("h", "hevy.csv", "csv:hevy", START + timedelta(minutes=1), sets=[{}]), **_run())
        assert links(con) == [("csv:hevy", None)]
        load.load_batch(con, batch("w", "w.fit", "fit", START, sets=[{}], hr=[100, 101]), **_run())
        watch = connection.rows(con, "SELECT activity_id FROM activities WHERE source_format = 'fit'")[0][0]
        assert links(con) == [("csv:hevy", watch), ("fit", None)]
        assert link_duplicates(con, ["me"]) == 0  # recomputing: the same links


def test_replacing_the_watch_file_unlinks_what_no_longer_overlaps(tmp_path: Path) -> None:
    """The FIT file at the same path now holds another day's session: the app workout counts on its own again."""
    with connection.open_store(tmp_path / "t.duckdb") as con:
        load.load_batch(con, batch("w1", "w.fit", "fit", START, hr=[100]), **_run())
        load.load_batch(con, batch("h", "hevy.csv", "csv:hevy", START, sets=[{}]), **_run())
        assert [d for _, d in links(con)] != [None, None]
        load.load_batch(con, batch("w2", "w.fit", "fit", START + timedelta(days=1), hr=[100]), **_run())
        assert links(con) == [("csv:hevy", None), ("fit", None)]


def _run() -> dict[str, object]:
    return {"athlete": "me", "run_id": "r", "now": NOW}


# ---- recomputing only the days around a batch gives the links of a full recompute ----------------------------

SOURCES = ("fit", "csv:garmin", "csv:strava", "csv:hevy")


@st.composite
def loads(draw: st.DrawFn) -> list[list[dict[str, object]]]:
    """Activities around the same hour of a few days, split into batches in the order they arrive."""
    count = draw(st.integers(1, 16))
    rows = []
    for i in range(count):
        category = draw(st.sampled_from(("resistance", "other")))
        rows.append(
            {
                "activity_id": f"a{i:02d}",
                "file_id": f"f{i:02d}",
                "athlete": "me",
                "source_format": draw(st.sampled_from(SOURCES)),
                "session_index": 0,
                "sport": "training" if category == "resistance" else "running",
                # whole days apart, give or take: sessions straddle the edges of the recomputed windows
                "start_time_utc": START + timedelta(days=draw(st.integers(0, 3)), minutes=draw(st.integers(-60, 60))),
                "utc_offset_s": 0,
                "elapsed_s": float(draw(st.integers(0, 90))) * 60,
                "category": category,
            }
        )
    cuts = sorted(draw(st.sets(st.integers(1, max(1, count - 1)), max_size=4)))
    return [rows[a:b] for a, b in zip([0, *cuts], [*cuts, count], strict=True) if rows[a:b]]


def _row(activity_id: str, source: str, start: datetime, minutes: float) -> dict[str, object]:
    return {
        "activity_id": activity_id,
        "file_id": activity_id,
        "athlete": "me",
        "source_format": source,
        "session_index": 0,
        "sport": "running",
        "start_time_utc": start,
        "utc_offset_s": 0,
        "elapsed_s": minutes * 60,
        "category": "other",
    }


EDGE = [  # a run in two exports just before the edge of the window a later batch recomputes
    [_row("c", "fit", START - timedelta(minutes=10), 60), _row("b", "csv:strava", START + timedelta(minutes=5), 60)],
    [_row("a", "csv:hevy", START + timedelta(days=1), 60)],
]


@settings(max_examples=examples(60), deadline=None)
@given(batches=loads())
@example(batches=EDGE)
def test_links_made_batch_by_batch_equal_one_full_recompute(batches: list[list[dict[str, object]]]) -> None:
    con = duckdb.connect(":memory:")
    schema.apply_schema(con)
    for batch_rows in batches:
        frame = pl.DataFrame(batch_rows)
        with connection.registered(con, "_b", frame):
            con.execute(
                "INSERT INTO activities BY NAME SELECT *, start_time_utc AS start_time_local, "
                "'other' AS subcategory, 'test' AS classification_reason, 1.0 AS classification_confidence FROM _b"
            )
        link_duplicates(con, ["me"], changed=frame.select("athlete", "start_time_utc", "elapsed_s"))
    incremental = connection.rows(con, "SELECT activity_id, duplicate_of FROM activities ORDER BY 1")
    link_duplicates(con, ["me"])
    assert connection.rows(con, "SELECT activity_id, duplicate_of FROM activities ORDER BY 1") == incremental


def test_touched_windows_reach_a_day_either_side_and_merge() -> None:
    changed = pl.DataFrame(
        {
            "athlete": ["me", "me", "me", "you"],
            "start_time_utc": [START, START + timedelta(hours=30), START + timedelta(days=5), START],
            "elapsed_s": [3600.0, None, 600.0, 60.0],
        }
    )
    got = touched_windows(changed).rows()
    day = timedelta(days=1)
    assert got == [
        ("me", START - day, START + timedelta(hours=30) + day),
        ("me", START + timedelta(days=5) - day, START + timedelta(days=5, seconds=600) + day),
        ("you", START - day, START + timedelta(seconds=60) + day),
    ]


def test_a_fitnotes_day_and_the_watch_session_of_it_count_once(tmp_path: Path) -> None:
    """FitNotes has dates only (its day starts at local noon, untimed): the watch's FIT session of that evening is
    the same session and counts; the FitNotes day's sets are the ones the set views read. Another day's FitNotes
    workout stays on its own."""
    untimed = {"elapsed_s": None, "moving_s": None, "avg_hr": None, "max_hr": None, "calories_kcal": None}
    noon = START.replace(hour=11)  # local noon at offset +1 h
    evening = START + timedelta(hours=1)
    with connection.open_store(tmp_path / "t.duckdb") as con:
        load.load_batch(con, batch("w", "w.fit", "fit", evening, sets=[{}], hr=[100]), **_run())
        load.load_batch(
            con, batch("n", "fitnotes.csv", "csv:fitnotes", noon, sets=[{}, {}], activity=untimed), **_run()
        )
        watch = connection.rows(con, "SELECT activity_id FROM activities WHERE source_format = 'fit'")[0][0]
        assert links(con) == [("csv:fitnotes", watch), ("fit", None)]

        apply_views(con)
        assert connection.rows(con, "SELECT count(*) FROM activities_effective") == [(1,)]
        sources = connection.rows(
            con,
            "SELECT a.source_format, count(*) FROM working_sets AS w "
            "JOIN activities AS a ON a.activity_id = w.source_activity_id GROUP BY ALL",
        )
        assert sources == [("csv:fitnotes", 2)]

        later = batch("n2", "fitnotes2.csv", "csv:fitnotes", noon + timedelta(days=2), sets=[{}], activity=untimed)
        load.load_batch(con, later, **_run())
        assert sorted(d is None for _, d in links(con)) == [False, True, True]
