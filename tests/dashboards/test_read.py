"""The read side: read-only connections that wait out a writer, and the query functions the pages use."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from fitbalance.errors import StoreError, StoreLockedError
from fitbalance.store import read


def test_it_opens_read_only(sample_db: Path) -> None:
    """It opens the database read-only: a write fails, the data is untouched."""
    with read.reading(sample_db) as con, pytest.raises(duckdb.Error, match="read-only"):
        con.execute("DELETE FROM source_files")
    with read.reading(sample_db) as con:
        assert not read.source_files(con).is_empty()


def test_it_closes_the_connection_when_the_block_ends(sample_db: Path) -> None:
    """It closes the connection when the batch ends, so a writer can take the lock between reads."""
    with read.reading(sample_db) as con:
        pass
    with pytest.raises(duckdb.Error):
        con.execute("SELECT 1").fetchall()


def test_a_missing_database_is_a_store_error_that_says_what_to_do(tmp_path: Path) -> None:
    """It refuses a database that does not exist, and says to ingest first; it creates no file."""
    with pytest.raises(StoreError, match="ingest") as caught:
        read.open_readonly(tmp_path / "nope.duckdb")
    assert not isinstance(caught.value, StoreLockedError)
    assert not (tmp_path / "nope.duckdb").exists()


def test_a_file_that_is_not_duckdb_is_a_store_error(tmp_path: Path) -> None:
    """It maps DuckDB's error for a file that is not a database to StoreError, not a lock error."""
    bogus = tmp_path / "notes.duckdb"
    bogus.write_text("not a database\n" * 100)
    with pytest.raises(StoreError) as caught:
        read.open_readonly(bogus, retries=3, wait_s=0.01)
    assert not isinstance(caught.value, StoreLockedError)


def test_it_waits_for_a_writer_then_gives_up_with_store_locked_error(
    sample_db: Path, tmp_path: Path, lock_held
) -> None:
    """While another process holds the write lock it retries, says so each time, then raises StoreLockedError."""
    db = tmp_path / "locked.duckdb"
    db.write_bytes(sample_db.read_bytes())
    messages: list[str] = []
    with lock_held(db), pytest.raises(StoreLockedError) as caught:
        read.open_readonly(db, retries=2, wait_s=0.05, on_wait=messages.append)
    assert caught.value.transient
    assert len(messages) == 2
    assert all(m.startswith(read.BUSY_MESSAGE) for m in messages)
    assert "3 attempts" in caught.value.reason


def test_it_reads_as_soon_as_the_writer_lets_go(sample_db: Path, tmp_path: Path, lock_held) -> None:
    """A read that starts while an ingest writes waits, and succeeds once the writer releases the lock. (The writer
    lets go when the reader says it is waiting, so the reader certainly met the lock, however slow the machine.)"""
    db = tmp_path / "busy.duckdb"
    db.write_bytes(sample_db.read_bytes())
    messages: list[str] = []
    with lock_held(db) as writer:
        assert writer.stdin is not None

        def release_on_first_wait(message: str) -> None:
            messages.append(message)
            if len(messages) == 1:
                writer.stdin.write("go\n")  # type: ignore[union-attr]
                writer.stdin.flush()  # type: ignore[union-attr]

        # up to a minute for the writer process to close the database: it has only that to do
        with read.reading(db, retries=1200, wait_s=0.05, on_wait=release_on_first_wait) as con:
            rows = read.weekly_balance(con, "ana")
    assert messages[0].startswith(read.BUSY_MESSAGE), "it should have said that it was waiting"
    assert not rows.is_empty()


def test_queries_filter_by_athlete_and_inclusive_dates(sample_db: Path) -> None:
    """Each query returns one athlete's rows within start..end, both ends included, in time order."""
    start, end = date(2025, 1, 6), date(2025, 2, 3)
    with read.reading(sample_db) as con:
        balance = read.weekly_balance(con, "ben", start, end)
        progress = read.exercise_progress(con, "ben", start, end)
        load = read.training_load_daily(con, "ben", start, end)
        muscles = read.muscle_group_weekly(con, "ben", start, end)
    assert set(balance.get_column("athlete")) == {"ben"}
    assert balance.get_column("week_start").min() == start
    assert balance.get_column("week_start").max() == end
    assert balance.get_column("week_start").is_sorted()
    assert progress.get_column("week_start").is_between(start, end).all()
    assert load.get_column("day").min() == start and load.get_column("day").max() == end
    assert muscles.get_column("week_start").is_between(start, end).all()


def test_queries_return_the_documented_columns(sample_db: Path) -> None:
    """Every query returns at least the documented columns with the documented types."""
    with read.reading(sample_db) as con:
        frames = {
            "weekly_balance": (read.weekly_balance(con, "ana"), read.WEEKLY_BALANCE_COLUMNS),
            "exercise_progress": (read.exercise_progress(con, "ana"), read.EXERCISE_PROGRESS_COLUMNS),
            "personal_records": (read.personal_records(con, "ana"), read.PERSONAL_RECORDS_COLUMNS),
            "muscle_group_weekly": (read.muscle_group_weekly(con, "ana"), read.MUSCLE_GROUP_WEEKLY_COLUMNS),
            "training_load_daily": (read.training_load_daily(con, "ana"), read.TRAINING_LOAD_DAILY_COLUMNS),
            "unmapped_exercises": (read.unmapped_exercises(con), read.UNMAPPED_EXERCISES_COLUMNS),
            "source_files": (read.source_files(con), read.SOURCE_FILES_COLUMNS),
            "quarantine": (read.quarantine(con), read.QUARANTINE_COLUMNS),
            "ingest_runs": (read.ingest_runs(con), read.INGEST_RUNS_COLUMNS),
        }
    for name, (frame, columns) in frames.items():
        assert not frame.is_empty(), name
        assert dict(frame.schema) == columns, name


def test_a_database_without_the_views_reads_as_empty_frames(tmp_path: Path) -> None:
    """A database with no views yet (no ingest has run) reads as empty frames of the right shape, not errors."""
    db = tmp_path / "bare.duckdb"
    duckdb.connect(str(db)).close()
    with read.reading(db) as con:
        assert read.weekly_balance(con, "ana").schema == pl.Schema(read.WEEKLY_BALANCE_COLUMNS)
        assert read.exercise_progress(con, "ana").is_empty()
        assert read.training_load_daily(con, "ana").is_empty()
        assert read.source_files(con).is_empty()
        assert read.athletes(con).is_empty()
        assert read.date_bounds(con, "ana") is None


def test_a_view_missing_a_column_reads_it_as_null(tmp_path: Path) -> None:
    """An older view without a newer column still reads: the column comes back null."""
    db = tmp_path / "old.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE unmapped_exercises (exercise_name VARCHAR, sets BIGINT)")
    con.execute("INSERT INTO unmapped_exercises VALUES ('Zercher Thing', 3)")
    con.close()
    with read.reading(db) as ro:
        frame = read.unmapped_exercises(ro)
    assert frame.get_column("exercise_name").to_list() == ["Zercher Thing"]
    assert frame.get_column("first_seen").to_list() == [None]


def test_athletes_come_from_settings_and_data_with_units(sample_db: Path) -> None:
    """Athletes are those in the settings table or the data, each with display units."""
    with read.reading(sample_db) as con:
        people = read.athletes(con)
    assert people.rows() == [("ana", "metric"), ("ben", "imperial")]


def test_date_bounds_are_the_first_and_last_week(sample_db: Path) -> None:
    """date_bounds gives the athlete's first and last week_start, None for an unknown athlete."""
    with read.reading(sample_db) as con:
        assert read.date_bounds(con, "ana") == (date(2024, 11, 18), date(2025, 3, 3))
        assert read.date_bounds(con, "nobody") is None


def test_athlete_names_are_parameters_not_sql(sample_db: Path) -> None:
    """An athlete name with SQL in it is only a value: no rows, no error."""
    with read.reading(sample_db) as con:
        assert read.weekly_balance(con, "x' OR '1'='1").is_empty()
