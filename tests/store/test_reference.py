"""The reference tables (:func:`fitbalance.store.reference.refresh`): made again only when what they are made from
changed (the settings, the packaged catalogue, the release), and then in full."""

from __future__ import annotations

from typing import Any

import duckdb
import pytest

from fitbalance.config import parse_settings
from fitbalance.store import inputs, reference

TABLES = ["athletes", "progression_settings", "athlete_targets", "exercises", "exercise_patterns"]
SETTINGS = """
default_athlete = "me"
[athletes.me]
time_zone = "Europe/Berlin"
[athletes.me.targets]
aerobic_minutes = 120
[athletes.me.progression]
rep_range = [6, 10]
[athletes.me.progression.exercises."Bench Press"]
increment_kg = 1.25
[athletes.me.exercise_names]
"Zercher thing" = "Zercher Hold"
"""
# one value of each table, changed by hand: what a table made again loses
HAND_EDITS = {
    "athletes": "UPDATE athletes SET resting_hr = 1 WHERE athlete = 'me'",
    "progression_settings": "UPDATE progression_settings SET deload_pct = 1 WHERE exercise = 'Bench Press'",
    "athlete_targets": "UPDATE athlete_targets SET low = 1 WHERE target = 'aerobic_minutes'",
    "exercises": "UPDATE exercises SET equipment = 'by hand' WHERE exercise = 'Bench Press'",
    "exercise_patterns": "UPDATE exercise_patterns SET region = 'full' WHERE exercise = 'Bench Press'",
}
EDITED = {
    "athletes": "SELECT resting_hr = 1 FROM athletes WHERE athlete = 'me'",
    "progression_settings": "SELECT deload_pct = 1 FROM progression_settings WHERE exercise = 'Bench Press'",
    "athlete_targets": "SELECT low = 1 FROM athlete_targets WHERE target = 'aerobic_minutes'",
    "exercises": "SELECT equipment = 'by hand' FROM exercises WHERE exercise = 'Bench Press'",
    "exercise_patterns": "SELECT region = 'full' FROM exercise_patterns WHERE exercise = 'Bench Press'",
}


def one(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    return con.execute(sql).fetchall()[0][0]


def edit_by_hand(con: duckdb.DuckDBPyConnection) -> None:
    for sql in HAND_EDITS.values():
        con.execute(sql)


def edited(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The tables that still hold their hand edit."""
    return [table for table, sql in EDITED.items() if one(con, sql)]


def test_a_refresh_with_the_same_inputs_writes_nothing(con: duckdb.DuckDBPyConnection) -> None:
    """The first refresh makes every table; the next one, with the same settings, writes none of them: a value
    changed by hand in each is still there, and the recorded digests are the same."""
    settings = parse_settings(SETTINGS)
    assert reference.refresh(con, settings, ["me"]) == TABLES
    made_from = inputs.recorded(con)
    assert sorted(made_from) == sorted(TABLES)
    edit_by_hand(con)
    assert reference.refresh(con, parse_settings(SETTINGS), ["me"]) == []
    assert edited(con) == TABLES
    assert inputs.recorded(con) == made_from


CHANGES = {  # table: (a line of SETTINGS, what it becomes, what the table then holds)
    "athletes": (
        'time_zone = "Europe/Berlin"',
        'time_zone = "Asia/Tokyo"',
        "SELECT time_zone = 'Asia/Tokyo' FROM athletes",
    ),
    "athlete_targets": (
        "aerobic_minutes = 120",
        "aerobic_minutes = 90",
        "SELECT low = 90 FROM athlete_targets WHERE target = 'aerobic_minutes'",
    ),
    "progression_settings": (
        "increment_kg = 1.25",
        "increment_kg = 2.0",
        "SELECT increment_kg = 2 FROM progression_settings WHERE exercise = 'Bench Press'",
    ),
    "exercises": (
        '= "Zercher Hold"',
        '= "My Own Lift"',
        "SELECT count(*) = 1 FROM exercises WHERE exercise = 'My Own Lift'",
    ),
}


@pytest.mark.parametrize("table", list(CHANGES))
def test_a_changed_setting_remakes_the_table_made_from_it_and_no_other(
    con: duckdb.DuckDBPyConnection, table: str
) -> None:
    """A setting changed since the last refresh reaches its table (the others keep their hand edits)."""
    reference.refresh(con, parse_settings(SETTINGS), ["me"])
    edit_by_hand(con)
    line, new, check = CHANGES[table]
    assert reference.refresh(con, parse_settings(SETTINGS.replace(line, new)), ["me"]) == [table]
    assert one(con, check)
    assert edited(con) == [t for t in TABLES if t != table]


def test_an_athlete_named_by_a_run_gets_the_default_rows(con: duckdb.DuckDBPyConnection) -> None:
    """A run for an athlete the settings do not name makes the tables again with that athlete's default rows."""
    settings = parse_settings(SETTINGS)
    reference.refresh(con, settings, ["me"])
    written = reference.refresh(con, settings, ["guest"])
    assert written == ["athletes", "progression_settings", "athlete_targets"]
    assert one(con, "SELECT count(*) FROM athletes WHERE athlete = 'guest'") == 1
    assert one(con, "SELECT count(*) FROM progression_settings WHERE athlete = 'guest'") == 1
    assert one(con, "SELECT count(*) > 0 FROM athlete_targets WHERE athlete = 'guest'")


def test_a_database_an_older_release_made_gets_every_table_again(con: duckdb.DuckDBPyConnection) -> None:
    """Tables whose recorded inputs are another release's (or none: a database from before the record) are made
    again in full, whatever the settings."""
    settings = parse_settings(SETTINGS)
    reference.refresh(con, settings, ["me"])
    edit_by_hand(con)
    con.execute("UPDATE fitbalance_schema SET digest = 'an older release' WHERE starts_with(part, 'inputs:')")
    assert reference.refresh(con, settings, ["me"]) == TABLES
    assert edited(con) == []
    edit_by_hand(con)
    con.execute("DELETE FROM fitbalance_schema WHERE starts_with(part, 'inputs:')")
    assert reference.refresh(con, settings, ["me"]) == TABLES
    assert edited(con) == []


def test_progression_settings_hold_exactly_the_settings_rows(con: duckdb.DuckDBPyConnection) -> None:
    """``progression_settings`` holds :func:`~fitbalance.store.reference.progression_rows`, every row and only
    those: the athlete's own row, one per equipment increment, one per exercise of its own."""
    settings = parse_settings(
        SETTINGS + "[athletes.me.progression.increment_kg]\nbarbell = 2.5\ndumbbell = 1.0\n"
        "[athletes.me.progression.exercises.Squat]\nrep_range = [3, 5]\ndeload_pct = 15\n"
    )
    con.execute("INSERT INTO progression_settings (athlete, increment_kg) VALUES ('gone', 9)")
    reference.refresh_progression(con, settings, ["me"])
    stored = con.execute("SELECT * FROM progression_settings ORDER BY ALL").fetchall()
    expected = reference.progression_rows(settings, ["me"])
    assert len(expected) == 5
    assert stored == sorted(expected, key=lambda row: tuple((v is None, v) for v in row))


def test_the_release_stands_for_the_version_and_the_packaged_data() -> None:
    """The release's digest is the same each time it is asked (it goes into every recorded digest)."""
    assert inputs.release() == inputs.release()
    assert inputs.fingerprint({"b": 1, "a": (2, None)}) == inputs.fingerprint({"a": [2, None], "b": 1})
    assert inputs.fingerprint(1.0) != inputs.fingerprint(1.5)
