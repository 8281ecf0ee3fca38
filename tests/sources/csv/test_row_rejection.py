"""One bad row sets aside that row, not the file: for any single corrupted row of a generated export of every
dialect, what a user sees after decode, normalize and validate (``process_batch``) is every other row loaded and
exactly one quarantine row naming the line, the reason and the row's values.

The corruptions are the ones the reader itself must catch: a date or a number nobody can read, absurd repetitions,
a field too few (a lost delimiter) or one too many (an unquoted one). Exports of daily totals (skipped whole, nothing
loads from them) have no rows to set aside and are not among the cases.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fitbalance.config import Athlete
from fitbalance.models import FileStatus
from fitbalance.process import BatchResult, WorkItem, process_batch
from fitbalance.sources.archive import SourceRef
from fitbalance.synth import csv_exports, csv_samples

ATHLETE = Athlete(time_zone="Europe/Berlin", weight_unit="kg", distance_unit="km")
AS_OF = datetime(2030, 1, 1)
DAY = date(2024, 3, 4)  # a Monday


@dataclass(frozen=True)
class Case:
    """A generated export and where its data rows are: after the line ``header`` starts with (the first line with
    ``header`` empty), each one activity, set or sample (``unit``); the columns the reader parses as dates and
    numbers, and which hold repetitions."""

    name: str
    make: Callable[[random.Random], bytes]
    unit: str
    dates: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()
    reps: tuple[str, ...] = ()
    header: str = ""
    delimiter: str = ","


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
        ),
        Case(
            "garmin_sv.csv",
            lambda rng: csv_exports.garmin_swedish(rng, DAY, 1)[0],
            "activity",
            dates=("Datum",),
            numbers=("Distans", "Kalorier", "Medelpuls"),
        ),
        Case(
            "garmin_old_de.csv",
            lambda rng: csv_exports.garmin_old(rng, "de", datetime(2012, 5, 25, 20, 31))[0],
            "activity",
            dates=("Start",),
            numbers=("Distanz", "Kalorien", "Ø HF"),
            header="Aktivitätsname",
        ),
        Case(
            "strava.csv",
            lambda rng: csv_samples.strava_bulk(rng, csv_samples.runs(rng, DAY, 1)),
            "activity",
            dates=("Activity Date",),
            numbers=("Calories", "Average Heart Rate"),
        ),
        Case(
            "strava_2019.csv",
            csv_samples.strava_older,
            "activity",
            dates=("date",),
            numbers=("distance", "elapsed_time"),
        ),
        Case(
            "hevy.csv",
            lambda rng: csv_samples.hevy(_workouts(rng)),
            "set",
            dates=("start_time",),
            numbers=("weight_kg", "reps"),
            reps=("reps",),
        ),
        Case(
            "strong_semicolon.csv",
            lambda rng: csv_samples.strong_semicolon_lbs(_workouts(rng)),
            "set",
            dates=("Date",),
            numbers=("Weight", "Reps"),
            reps=("Reps",),
            delimiter=";",
        ),
        Case(
            "strong_current.csv",
            lambda rng: csv_samples.strong_current(_workouts(rng)),
            "set",
            dates=("Date",),
            numbers=("Weight", "Reps", "Seconds"),
            reps=("Reps",),
        ),
        Case("strong_legacy.csv", csv_samples.strong_legacy_kg_km, "set", numbers=("kg", "Reps"), reps=("Reps",)),
        Case(
            "fitnotes.csv",
            lambda rng: csv_samples.fitnotes(_workouts(rng)),
            "set",
            dates=("Date",),
            numbers=("Weight (kgs)", "Reps"),
            reps=("Reps",),
        ),
        Case(
            "apple_health.csv",
            csv_samples.apple_health,
            "activity",
            dates=("Date",),
            numbers=("Duration(s)", "Heart rate: Average(count/min)"),
        ),
        Case(
            "polar.csv",
            csv_samples.polar,
            "sample",
            numbers=("HR (bpm)", "Speed (km/h)", "Time"),
            header="Sample rate",
        ),
        Case(
            "2016-10-07-1712_Biking_WF.csv",
            lambda rng: csv_exports.wahoo(rng)[0],
            "sample",
            numbers=("hr_heartrate", "gps_speed", "time"),
            header="interval,time",
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
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
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
