"""Mi Fitness (Xiaomi Wear) sport records: one workout a row, its figures a JSON object in ``Value``."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from fitbalance.classify import classify_activity
from fitbalance.errors import DecodeError
from fitbalance.models import Category, Decoded
from fitbalance.sources.csv import mi_fitness, read_csv, typetables
from synth import watch_csvs
from tests.sources.csv.conftest import ZONE

NAME = "20260208_6499811869_MiFitness_hlth_center_sport_record.csv"
HEADER = "Uid,Sid,Key,Time,Category,Value,UpdateTime"


def read(text: str | bytes, name: str = NAME) -> Decoded:
    return read_csv(text.encode() if isinstance(text, str) else text, name, ZONE)


def row(key: str, category: str, value: dict[str, object] | str, time: int = 1768025400) -> str:
    cell = value if isinstance(value, str) else json.dumps(value)
    return f'6499811869,1130263720,{key},{time},{category},"{cell.replace(chr(34), 2 * chr(34))}",{time + 4000}'


def category(found: dict[str, object]) -> Category:
    return classify_activity(
        activity_id="a",
        sport=str(found["sport"]),
        sub_sport=str(found["sub_sport"]),
        name=str(found["name"]),
        working_sets=0,
        distance_m=None,
        elapsed_s=None,
    ).category


def test_the_generated_export_loads_its_runs_and_strength_sessions() -> None:
    """The generator's Mi Fitness file of the Mi Fit athlete's workouts: every one, lifts as resistance, UTC starts
    placed in the athlete's zone, seconds, metres and kcal as written."""
    sessions = watch_csvs.planned_sessions()["mifit"]
    data, expect = watch_csvs.mi_fitness_sport_record(sessions)
    decoded = read(data)
    assert (decoded.source_format, decoded.file_type) == ("csv:mi_fitness", "activity")
    rows = list(decoded.activities.iter_rows(named=True))
    assert len(rows) == expect["activities"] and not decoded.rejected and not decoded.warnings
    assert sum(category(r) is Category.RESISTANCE for r in rows) == expect["resistance"]
    assert [r["start_time_utc"] for r in rows] == [s.utc_start for s in sessions]
    assert all(r["utc_offset_s"] == 3600 and r["utc_offset_source"] is None for r in rows)
    for found, planned in zip(rows, sessions, strict=True):
        assert (found["timer_s"], found["elapsed_s"]) == (planned.minutes * 60.0, planned.minutes * 60.0)
        assert found["distance_m"] == (float(planned.metres) if planned.metres else None)
        assert found["calories_kcal"] == planned.kcal


def test_a_key_maps_by_the_table_then_its_words_then_its_category() -> None:
    """``pool_swimm`` (a key a published parser pins) is pool swimming; ``gravel_cycling`` by its words; a key no
    table knows in Category ``running`` is running; a key and category nobody knows is generic with a warning."""
    start = {"start_time": 1768025400, "duration": 1800}
    lines = [
        row("pool_swimm", "swimming", start),
        row("gravel_cycling", "cycling", start),
        row("city_challenge", "running", start),
        row("sky_diving", "air", start),
    ]
    decoded = read("\n".join([HEADER, *lines]) + "\n")
    pairs = decoded.activities.select("sport", "sub_sport").rows()
    assert pairs == [
        ("swimming", "lap_swimming"),
        ("cycling", "gravel_cycling"),
        ("running", "generic"),
        ("generic", "generic"),
    ]
    assert decoded.activities["name"].to_list()[3] == "Sky diving"
    assert any("'sky_diving' (1)" in w for w in decoded.warnings)


def test_a_value_without_figures_takes_its_start_from_time_and_total_cal_for_calories() -> None:
    """No start_time: the row's Time; total_cal when calories is absent; a bare JSON cell (quotes unescaped, as a
    published importer's test writes it) reads the same."""
    text = f'{HEADER}\n1,2,pool_swimm,1731888000,swimming,{{"total_cal":180}},1731888000\n'
    found = read(text).activities.row(0, named=True)
    assert found["start_time_utc"] == datetime(2024, 11, 18, 0, 0)
    assert (found["calories_kcal"], found["timer_s"]) == (180.0, None)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("not json", "not JSON"),
        ("[1, 2]", "not an object"),
        ('{"start_time": "soon"}', "start_time"),
        ('{"start_time": 1768025400, "duration": -5}', "duration"),
        ('{"start_time": 1768025400, "duration": 900000}', "hours is not a workout"),
        ('{"start_time": 99}', "outside"),
    ],
)
def test_a_row_that_cannot_be_read_is_set_aside_with_its_line_and_the_rest_loads(value: str, reason: str) -> None:
    good = row("outdoor_running", "running", {"start_time": 1768025400, "duration": 1800, "distance": 5000})
    decoded = read(f"{HEADER}\n{good}\n{row('outdoor_running', 'running', value)}\n")
    assert decoded.activities.height == 1 and len(decoded.rejected) == 1
    assert decoded.rejected[0].line == 3 and reason in decoded.rejected[0].reason


def test_a_file_of_no_readable_row_is_refused() -> None:
    with pytest.raises(DecodeError, match="no row could be read"):
        read(f"{HEADER}\n{row('outdoor_running', 'running', 'nope')}\n")


def test_every_listed_key_loads_with_its_sport_and_a_reason() -> None:
    table = typetables.load(mi_fitness.DATA_FILE)
    assert all(e.why for e in table.entries)
    lines = [row(e.name.lower().replace(" ", "_"), "", {"start_time": 1768025400}) for e in table.entries]
    decoded = read("\n".join([HEADER, *lines]) + "\n")
    assert decoded.activities.select("sport", "sub_sport").rows() == [e.pair for e in table.entries]
    strength = {e.name for e in table.entries if e.sub_sport == "strength_training"}
    assert strength == {"Strength training", "Weightlifting"}


@pytest.mark.parametrize(
    ("name", "header", "kind"),
    [
        ("x_MiFitness_hlth_center_fitness_data.csv", "Uid,Sid,Key,Time,Value,UpdateTime", "health records"),
        ("x_MiFitness_hlth_center_aggregated_fitness_data.csv", "Uid,Tag,Key,Time,Value,UpdateTime", "daily reports"),
        ("x_MiFitness_hlth_center_data_source.csv", "Uid,Sid,Identifier,Model,Name,Alias,Status", "device list"),
    ],
)
def test_the_exports_other_files_are_skipped_with_their_kind(name: str, header: str, kind: str) -> None:
    cells = ",".join(["1"] * len(header.split(",")))
    decoded = read(f"{header}\n{cells}\n", name)
    assert (decoded.file_type, decoded.source_format) == ("no_activities", "csv:mi_fitness")
    assert kind in decoded.detail
