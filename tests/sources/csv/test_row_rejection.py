"""One bad row sets aside that row, not the file: for any single corrupted row of a generated export of every
dialect, what a user sees after decode, repair, normalize and validate (``process_batch``) is every other row loaded
and exactly one quarantine row naming the line, the reason and the row's values.

Three kinds of corruption:

- the ones the reader itself must catch: a date or a number nobody can read, absurd repetitions, a field too few (a
  lost delimiter) or one too many (an unquoted one): stage ``decode``;
- a value the reader reads but no history holds, which only validation (Pandera) catches: a set of 5,000 kg or
  5,000 reps, an activity dated 1985: stage ``validate:<table>``, the line carried from the reader through
  normalize into validation;
- a value that is impossible in a field the row can stand without (a heart rate of 300, an RPE of 12, a set of
  28 hours): the row loads with that field null, and exactly one ``repairs`` row names the line.

Exports of daily totals (skipped whole, nothing loads from them) have no rows to set aside and are not among the
cases.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fitbalance.config import Athlete
from fitbalance.models import FileStatus
from fitbalance.process import BatchResult, WorkItem, process_batch
from fitbalance.sources.archive import SourceRef
from synth import csv_exports, csv_samples
from tests.conftest import examples

ATHLETE = Athlete(time_zone="Europe/Berlin", weight_unit="kg", distance_unit="km")
AS_OF = datetime(2030, 1, 1)
DAY = date(2024, 3, 4)  # a Monday


YEAR_1985 = "year 1985"  # the cell's year becomes 1985: a date the reader reads and validation refuses


@dataclass(frozen=True)
class Case:
    """A generated export and where its data rows are: after the line ``header`` starts with (the first line with
    ``header`` empty), each one activity, set or sample (``unit``); the columns the reader parses as dates and
    numbers, and which hold repetitions; the (column, value) pairs only validation refuses (``invalid``), and those
    a repair nulls (``repairable``)."""

    name: str
    make: Callable[[random.Random], bytes]
    unit: str
    dates: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()
    reps: tuple[str, ...] = ()
    header: str = ""
    delimiter: str = ","
    invalid: tuple[tuple[str, str], ...] = ()
    repairable: tuple[tuple[str, str], ...] = ()


def _workouts(rng: random.Random) -> list[csv_samples.Workout]:
    return csv_samples.hevy_workouts(rng, DAY, 1)


CASES = {
    case.name: case
    for case in (
        Case(
            "garmin_en.csv",
            lambda rng: csv_samples.garmin_english(rng, csv_samples.runs(rng, DAY, 1), _workouts(rng)),
            "activity",
            dates=("Date",),
            numbers=("Distance", "Calories", "Avg HR", "Time"),
            invalid=(("Date", YEAR_1985),),
            repairable=(("Avg HR", "300"),),
        ),
        Case(
            "garmin_sv.csv",
            lambda rng: csv_exports.garmin_swedish(rng, DAY, 1)[0],
            "activity",
            dates=("Datum",),
            numbers=("Distans", "Kalorier", "Medelpuls"),
            invalid=(("Datum", YEAR_1985),),
            repairable=(("Medelpuls", "300"),),
        ),
        Case(
            "garmin_old_de.csv",
            lambda rng: csv_exports.garmin_old(rng, "de", datetime(2012, 5, 25, 20, 31))[0],
            "activity",
            dates=("Start",),
            numbers=("Distanz", "Kalorien", "Ø HF"),
            header="Aktivitätsname",
            invalid=(("Start", YEAR_1985),),
            repairable=(("Ø HF", "300"),),
        ),
        Case(
            "strava.csv",
            lambda rng: csv_samples.strava_bulk(rng, csv_samples.runs(rng, DAY, 1)),
            "activity",
            dates=("Activity Date",),
            numbers=("Calories", "Average Heart Rate"),
            invalid=(("Activity Date", YEAR_1985),),
            repairable=(("Average Heart Rate", "300"),),
        ),
        Case(
            "strava_2019.csv",
            csv_samples.strava_older,
            "activity",
            dates=("date",),
            numbers=("distance", "elapsed_time"),
            invalid=(("date", YEAR_1985),),
            repairable=(("distance", "5000000"),),
        ),
        Case(
            "hevy.csv",
            lambda rng: csv_samples.hevy(_workouts(rng)),
            "set",
            dates=("start_time",),
            numbers=("weight_kg", "reps"),
            reps=("reps",),
            invalid=(("weight_kg", "5000"), ("reps", "5000")),
            repairable=(("rpe", "12"), ("duration_seconds", "99999")),
        ),
        Case(
            "strong_semicolon.csv",
            lambda rng: csv_samples.strong_semicolon_lbs(_workouts(rng)),
            "set",
            dates=("Date",),
            numbers=("Weight", "Reps"),
            reps=("Reps",),
            delimiter=";",
            invalid=(("Weight", "5000"), ("Reps", "5000")),
            repairable=(("Seconds", "99999"),),
        ),
        Case(
            "strong_current.csv",
            lambda rng: csv_samples.strong_current(_workouts(rng)),
            "set",
            dates=("Date",),
            numbers=("Weight", "Reps", "Seconds"),
            reps=("Reps",),
            invalid=(("Weight", "5000"), ("Reps", "5000")),
            repairable=(("Seconds", "99999"),),
        ),
        Case(
            "strong_legacy.csv",
            csv_samples.strong_legacy_kg_km,
            "set",
            numbers=("kg", "Reps"),
            reps=("Reps",),
            invalid=(("kg", "5000"), ("Reps", "5000")),
            repairable=(("Seconds", "99999"),),
        ),
        Case(
            "fitnotes.csv",
            lambda rng: csv_samples.fitnotes(_workouts(rng)),
            "set",
            dates=("Date",),
            numbers=("Weight (kgs)", "Reps"),
            reps=("Reps",),
            invalid=(("Weight (kgs)", "5000"), ("Reps", "5000")),
        ),
        Case(
            "apple_health.csv",
            csv_samples.apple_health,
            "activity",
            dates=("Date",),
            numbers=("Duration(s)", "Heart rate: Average(count/min)"),
            invalid=(("Date", YEAR_1985),),
            repairable=(("Heart rate: Average(count/min)", "300"),),
        ),
        Case(
            "polar.csv",
            csv_samples.polar,
            "sample",
            numbers=("HR (bpm)", "Speed (km/h)", "Time"),
            header="Sample rate",
            repairable=(("HR (bpm)", "280"), ("Speed (km/h)", "500")),
        ),
        Case(
            "2016-10-07-1712_Biking_WF.csv",
            lambda rng: csv_exports.wahoo(rng)[0],
            "sample",
            numbers=("hr_heartrate", "gps_speed", "time"),
            header="interval,time",
            repairable=(("hr_heartrate", "280"), ("gps_speed", "150")),
        ),
    )
}
CORRUPTIONS = ("date", "number", "reps", "short", "long")
_files = itertools.count()


@cache
def _lines(name: str) -> tuple[tuple[str, ...], int]:
    """The case's file as lines, and the index of its header line."""
    case = CASES[name]
    lines = tuple(case.make(random.Random(name)).decode("utf-8-sig").splitlines())
    at = next(i for i, line in enumerate(lines) if line.strip() and line.startswith(case.header))
    return lines, at


def _cells(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter))


def _join(cells: list[str], delimiter: str) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="").writerow(cells)
    return out.getvalue()


def _run(name: str, lines: tuple[str, ...] | list[str], folder: Path) -> BatchResult:
    path = folder / f"{next(_files)}-{name}"
    data = ("\n".join(lines) + "\n").encode()
    path.write_bytes(data)
    item = WorkItem(SourceRef(path.name, str(path), len(data)), file_id=f"{path.name:0>64}")
    return process_batch([item], athlete=ATHLETE, as_of=AS_OF)


def _counts(result: BatchResult) -> dict[str, int]:
    tables = result.tables
    return {"activity": tables.activities.height, "set": tables.sets.height, "sample": tables.samples.height}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("rows")


@pytest.fixture(scope="module")
def clean(folder: Path) -> dict[str, dict[str, int]]:
    """What each uncorrupted export loads; nothing of it is quarantined."""
    counts = {}
    for name in CASES:
        result = _run(name, _lines(name)[0], folder)
        assert result.quarantine.height == 0, (name, result.quarantine["reason"].to_list())
        assert result.repairs.height == 0, (name, result.repairs.to_dicts())
        counts[name] = _counts(result)
        assert counts[name][CASES[name].unit] >= 3, name
    return counts


def _corrupt(name: str, draw: st.DataObject) -> tuple[list[str], int, str]:
    """The file with one data row corrupted, the 1-based line of that row, and the corruption."""
    case = CASES[name]
    lines, at = _lines(name)
    header = _cells(lines[at], case.delimiter)
    columns = {"date": case.dates, "number": case.numbers, "reps": case.reps, "short": ("",), "long": ("",)}
    kind = draw.draw(st.sampled_from([k for k in CORRUPTIONS if columns[k]]), label="corruption")
    rows = [i for i in range(at + 1, len(lines)) if lines[i].strip()]
    if kind == "reps":
        column = header.index(case.reps[0])
        rows = [i for i in rows if _cells(lines[i], case.delimiter)[column] not in ("", "0")]
    index = draw.draw(st.sampled_from(rows), label="row")
    cells = _cells(lines[index], case.delimiter)
    if kind == "short":
        cells = cells[:-1]
    elif kind == "long":
        cells = [*cells, "stray"]
    else:
        column = header.index(draw.draw(st.sampled_from(columns[kind]), label="column"))
        cells[column] = {"date": "2024-02-30 25:61", "number": "12x", "reps": str(csv_exports.ABSURD_REPS)}[kind]
    corrupted = list(lines)
    corrupted[index] = _join(cells, case.delimiter)
    return corrupted, index + 1, kind


@pytest.mark.parametrize("name", sorted(CASES))
@settings(max_examples=examples(12), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(draw=st.data())
def test_one_corrupted_row_is_quarantined_alone(
    name: str, draw: st.DataObject, folder: Path, clean: dict[str, dict[str, int]]
) -> None:
    """Whatever row is corrupted and however, exactly one quarantine row names its line (with its values), and every
    other row of the file loads."""
    lines, line, kind = _corrupt(name, draw)
    result = _run(name, lines, folder)
    (outcome,) = result.outcomes
    assert outcome.status == FileStatus.LOADED, outcome.detail
    assert result.quarantine.height == 1, result.quarantine["reason"].to_list()
    row = result.quarantine.row(0, named=True)
    assert row["stage"] == "decode" and row["reason"].startswith(f"line {line}: "), (kind, row["reason"])
    assert json.loads(row["payload"])["line"] == line
    unit = CASES[name].unit
    loaded, before = _counts(result), clean[name]
    assert loaded[unit] == before[unit] - 1
    if unit == "set":  # a workout goes only with its last set
        assert loaded["activity"] in (before["activity"], before["activity"] - 1)
    else:
        assert {k: v for k, v in loaded.items() if k != unit} == {k: v for k, v in before.items() if k != unit}


def _set_value(name: str, draw: st.DataObject, choices: tuple[tuple[str, str], ...]) -> tuple[list[str], int, str]:
    """The file with one data row's cell set to one of ``choices``: the lines, the 1-based line, the column."""
    case = CASES[name]
    lines, at = _lines(name)
    header = _cells(lines[at], case.delimiter)
    column_name, value = draw.draw(st.sampled_from(choices), label="corruption")
    column = header.index(column_name)
    rows = [i for i in range(at + 1, len(lines)) if lines[i].strip()]
    rows = [i for i in rows if _cells(lines[i], case.delimiter)[column] not in ("", "0") or value != "5000"]
    index = draw.draw(st.sampled_from(rows), label="row")
    cells = _cells(lines[index], case.delimiter)
    if value == YEAR_1985:
        cells[column] = re.sub(r"(19|20)\d\d", "1985", cells[column])
    else:
        cells[column] = value
    corrupted = list(lines)
    corrupted[index] = _join(cells, case.delimiter)
    return corrupted, index + 1, column_name


@pytest.mark.parametrize("name", sorted(n for n, c in CASES.items() if c.invalid))
@settings(max_examples=examples(8), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(draw=st.data())
def test_a_value_only_validation_refuses_quarantines_its_row_alone_naming_the_line(
    name: str, draw: st.DataObject, folder: Path, clean: dict[str, dict[str, int]]
) -> None:
    """A set of 5,000 kg or 5,000 reps, an activity dated 1985: the reader reads the row, validation refuses it. It
    is one quarantine row whose reason and ``line`` name its line (carried through normalize), with its values; every
    other row of the file loads, and nothing is repaired."""
    lines, line, column = _set_value(name, draw, CASES[name].invalid)
    result = _run(name, lines, folder)
    (outcome,) = result.outcomes
    assert outcome.status == FileStatus.LOADED, outcome.detail
    assert result.quarantine.height == 1, result.quarantine["reason"].to_list()
    row = result.quarantine.row(0, named=True)
    assert row["stage"].startswith("validate:") and row["line"] == line and row["rows"] == 1, (column, row)
    assert row["reason"].startswith(f"line {line}: "), row["reason"]
    assert json.loads(row["payload"])["source_line"] == line
    assert result.repairs.height == 0
    unit = CASES[name].unit
    loaded, before = _counts(result), clean[name]
    assert loaded[unit] == before[unit] - 1
    if unit != "set":
        assert {k: v for k, v in loaded.items() if k != unit} == {k: v for k, v in before.items() if k != unit}


@pytest.mark.parametrize("name", sorted(n for n, c in CASES.items() if c.repairable))
@settings(max_examples=examples(8), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(draw=st.data())
def test_an_impossible_value_in_a_field_the_row_can_stand_without_is_repaired_naming_the_line(
    name: str, draw: st.DataObject, folder: Path, clean: dict[str, dict[str, int]]
) -> None:
    """A heart rate of 300, an RPE of 12, a set lasting 28 hours, a speed of 500 km/h: every row loads, that field
    null, and exactly one repairs row names the line and the value the file had; nothing is quarantined. (A summary
    the reader derives from that row, a session's maximum heart rate from its samples, is repaired too.)"""
    lines, line, column = _set_value(name, draw, CASES[name].repairable)
    result = _run(name, lines, folder)
    (outcome,) = result.outcomes
    assert outcome.status == FileStatus.LOADED and result.quarantine.height == 0, result.quarantine.to_dicts()
    named = result.repairs.filter(pl.col("line") == line)
    assert named.height == 1 and named["rows"].to_list() == [1], (column, result.repairs.to_dicts())
    others = result.repairs.filter(pl.col("line").ne_missing(line))
    assert set(others["table_name"]) <= {"activities"} and others.height <= 1, others.to_dicts()
    assert _counts(result) == clean[name]
