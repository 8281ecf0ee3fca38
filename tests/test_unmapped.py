"""`fitbalance unmapped` and how each set found its exercise: a real ingest, a real DuckDB file, the real command."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
from typer.testing import CliRunner

from fitbalance import ingest
from fitbalance.cli import app
from fitbalance.config import load_settings

AS_OF = datetime(2026, 1, 1)
STRONG = (
    "Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,Workout Notes,RPE\n"
    '2025-03-04 18:00:00,"Push",50m,"Bench Press (Barbell)",1,60,8,0,0,"",,\n'
    '2025-03-04 18:00:00,"Push",50m,"Bench Press DBs",1,24,10,0,0,"",,\n'
    '2025-03-04 18:00:00,"Push",50m,"Incline Lateral Raise Db",1,8,12,0,0,"",,\n'
    '2025-03-04 18:00:00,"Push",50m,"Zercher Squat (Barbell)",1,80,5,0,0,"",,\n'
    '2025-03-04 18:00:00,"Push",50m,"Cable Hamer Curls",1,20,12,0,0,"",,\n'
    '2025-03-04 18:00:00,"Push",50m,"Cable Hamer Curls",2,20,10,0,0,"",,\n'
    '2025-03-04 18:00:00,"Push",50m,"Intensity",1,0,7,0,0,"",,\n'
)
SETTINGS = 'default_athlete = "me"\n[athletes.me]\nweight_unit = "kg"\ndistance_unit = "km"\n'


def q(db: Path, sql: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_each_set_says_how_it_found_its_exercise(tmp_path: Path) -> None:
    """`strength_sets.exercise_match` says, for every set, which rule found its exercise (null when none did); a
    session rating is no set: no exercise, no match."""
    export = tmp_path / "exports" / "strong.csv"
    export.parent.mkdir()
    export.write_text(STRONG)
    (tmp_path / "fitbalance.toml").write_text(SETTINGS)
    db = tmp_path / "t.duckdb"
    ingest([export.parent], db, settings=load_settings(tmp_path / "fitbalance.toml"), as_of=AS_OF)
    found = q(db, "SELECT exercise_name, exercise, exercise_match, set_type FROM strength_sets ORDER BY source_line")
    assert found == [
        ("Bench Press (Barbell)", "Bench Press", "alias", "working"),
        ("Bench Press DBs", "Dumbbell Bench Press", "alias", "working"),
        ("Incline Lateral Raise Db", "Lateral Raise", "position", "working"),
        ("Zercher Squat (Barbell)", "Zercher Squat", "equipment", "working"),
        ("Cable Hamer Curls", None, None, "working"),
        ("Cable Hamer Curls", None, None, "working"),
        ("Intensity", None, None, "rating"),
    ]


def test_one_settings_line_printed_by_unmapped_maps_the_name(tmp_path: Path) -> None:
    """`fitbalance unmapped` lists the name nothing matched with the closest catalogue names and prints, under the
    athlete whose sets they are, a settings line for it; that block, pasted into the settings file as printed, maps
    its sets on the next ingest (found by `setting`), and the command then says every name maps."""
    export = tmp_path / "exports" / "strong.csv"
    export.parent.mkdir()
    export.write_text(STRONG)
    settings = tmp_path / "fitbalance.toml"
    settings.write_text(SETTINGS)
    db = tmp_path / "t.duckdb"
    ingest([export.parent], db, settings=load_settings(settings), as_of=AS_OF)

    listed = CliRunner().invoke(app, ["unmapped", "--db", str(db)])
    assert listed.exit_code == 0, listed.output
    row = next(line for line in listed.output.splitlines() if "Cable Hamer Curls" in line)
    assert "Cable Hammer Curl" in row and "Intensity" not in listed.output
    block = re.search(r"^\s*(\[athletes\.me\.exercise_names\]\n\s*.+)$", listed.output, re.MULTILINE)
    assert block is not None, listed.output
    assert block.group(1).split() == [
        "[athletes.me.exercise_names]",
        '"Cable',
        "Hamer",
        'Curls"',
        "=",
        '"Cable',
        "Hammer",
        'Curl"',
    ]

    settings.write_text(SETTINGS + "\n".join(line.strip() for line in block.group(1).splitlines()) + "\n")
    ingest([export.parent], db, settings=load_settings(settings), as_of=AS_OF)
    assert q(db, "SELECT exercise, exercise_match FROM strength_sets WHERE exercise_name = 'Cable Hamer Curls'") == [
        ("Cable Hammer Curl", "setting"),
        ("Cable Hammer Curl", "setting"),
    ]
    again = CliRunner().invoke(app, ["unmapped", "--db", str(db)])
    assert again.exit_code == 0 and "Every exercise name maps to the catalogue." in again.output
