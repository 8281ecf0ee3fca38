"""Samsung Health exports: the exercise table in both column layouts, every published type, and the other tables."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

import pytest

from fitbalance.classify import classify_activity
from fitbalance.errors import DecodeError
from fitbalance.models import Category, Decoded
from fitbalance.sources.csv import read_csv, samsung_health, typetables
from synth import watch_csvs
from synth.csv_samples import csv_text
from tests.sources.csv.conftest import ZONE

PREFIX = "com.samsung.health.exercise."
TABLE_LINE = "com.samsung.shealth.exercise,6313001,9"
COLUMNS = ["start_time", "end_time", "time_offset", "exercise_type", "exercise_custom_type", "duration", "distance"]
COLUMNS += ["calorie", "mean_heart_rate", "max_heart_rate", "datauuid", "live_data"]


def exercise_csv(
    rows: list[dict[str, str]], *, prefixed: bool = True, table_line: bool = True, bom: bool = True
) -> bytes:
    """An exercise table as the app writes it: BOM, table line, header, rows ending in a stray comma."""
    names = [f"{PREFIX}{c}" if prefixed else c for c in COLUMNS]
    lines = [TABLE_LINE] if table_line else []
    lines.append(",".join(["total_calorie", *names]) + ",")
    for row in rows:
        cells = [row.get("total_calorie", "")] + [row.get(c, "") for c in COLUMNS]
        lines.append(csv_text([cells]).rstrip("\n") + ",")
    return (("\ufeff" if bom else "") + "\n".join(lines) + "\n").encode()


LIFT = {
    "start_time": "2026-01-05 17:02:00.000",
    "end_time": "2026-01-05 18:03:30.000",
    "time_offset": "UTC+0100",
    "exercise_type": "15002",
    "duration": "3600000",
    "calorie": "310.5",
    "mean_heart_rate": "108",
    "max_heart_rate": "151",
    "datauuid": "uuid-lift",
}
RUN = {**LIFT, "exercise_type": "1002", "distance": "7512.4", "datauuid": "uuid-run", "duration": "2400000"}


def read(data: bytes, name: str = "com.samsung.shealth.exercise.20260202090000.csv") -> Decoded:
    return read_csv(data, name, ZONE)


def category(row: dict[str, object]) -> Category:
    return classify_activity(
        activity_id="a",
        sport=str(row["sport"]),
        sub_sport=str(row["sub_sport"]),
        name=row["name"] if isinstance(row["name"], str) else None,
        working_sets=0,
        distance_m=row["distance_m"] if isinstance(row["distance_m"], float) else None,
        elapsed_s=row["elapsed_s"] if isinstance(row["elapsed_s"], float) else None,
    ).category


def test_a_weight_machine_workout_is_resistance_in_si_units_placed_with_its_own_offset() -> None:
    """UTC start, the row's UTC+0100 (marked "row"), duration ms -> s as the timer time (pauses left out), end -
    start as elapsed (pauses in), kcal, bpm."""
    decoded = read(exercise_csv([LIFT, RUN]))
    assert decoded.source_format == "csv:samsung_health" and decoded.is_activity
    lift, run = decoded.activities.iter_rows(named=True)
    assert (lift["sport"], lift["sub_sport"], lift["name"]) == ("training", "strength_training", "Weight machine")
    assert lift["start_time_utc"] == datetime(2026, 1, 5, 17, 2)
    assert (lift["utc_offset_s"], lift["utc_offset_source"]) == (3600, "row")
    assert (lift["timer_s"], lift["moving_s"], lift["elapsed_s"]) == (3600.0, 3600.0, 3690.0)
    assert (lift["calories_kcal"], lift["avg_hr"], lift["max_hr"]) == (310.5, 108.0, 151.0)
    assert lift["source_ref"] == "uuid-lift" and lift["source_line"] == 3
    assert category(lift) is Category.RESISTANCE
    assert (run["sport"], run["distance_m"]) == ("running", 7512.4)
    assert category(run) is Category.OTHER


@pytest.mark.parametrize(
    ("prefixed", "table_line", "bom"),
    [(True, True, True), (False, True, True), (True, False, False), (False, False, True)],
    ids=["current", "unprefixed", "no-table-line", "older"],
)
def test_every_layout_reads_the_same_workouts(prefixed: bool, table_line: bool, bom: bool) -> None:
    """Prefixed or plain column names, with or without the table line and the byte-order mark: the same rows."""
    reference = read(exercise_csv([LIFT, RUN])).activities.drop("source_line")
    decoded = read(exercise_csv([LIFT, RUN], prefixed=prefixed, table_line=table_line, bom=bom))
    assert decoded.activities.drop("source_line").equals(reference)


def test_a_custom_workout_is_classified_by_its_own_name() -> None:
    """Code 0 with exercise_custom_type: a known type name maps like the type, any other name decides by its words."""
    rows = [
        {**LIFT, "exercise_type": "0", "exercise_custom_type": "Weight training"},
        {**LIFT, "exercise_type": "0", "exercise_custom_type": "Kettlebell strength"},
        {**LIFT, "exercise_type": "0", "exercise_custom_type": "Sunday swim"},
        {**LIFT, "exercise_type": "0", "exercise_custom_type": "com.example.gym.weight_training"},
    ]
    decoded = read(exercise_csv(rows))
    named, kettlebell, swim, app_type = decoded.activities.iter_rows(named=True)
    assert (app_type["sub_sport"], app_type["name"]) == ("strength_training", "com.example.gym.weight_training")
    assert (named["sub_sport"], named["name"]) == ("strength_training", "Weight training")
    assert (kettlebell["sport"], kettlebell["name"]) == ("generic", "Kettlebell strength")
    assert category(kettlebell) is Category.RESISTANCE  # by its name
    assert category(swim) is Category.OTHER
    assert any("custom 'Kettlebell strength'" in w for w in decoded.warnings)


def test_every_published_exercise_type_loads_with_a_sport_and_a_reason() -> None:
    """All of Samsung's predefined types (about 100): each code loads to its table's FIT pair, each with a why."""
    table = typetables.load(samsung_health.DATA_FILE)
    codes = [e.code for e in table.entries if e.code not in (None, samsung_health.CUSTOM_CODE)]
    assert len(codes) >= 95 and {"1001", "1002", "15002", "10007", "14001", "16009"} <= set(codes)
    assert all(e.why for e in table.entries)
    rows = [{**LIFT, "exercise_type": str(code), "datauuid": f"u{code}"} for code in codes]
    decoded = read(exercise_csv(rows))
    assert decoded.activities.height == len(codes) and not decoded.rejected and not decoded.warnings
    loaded = {(r["sport"], r["sub_sport"]) for r in decoded.activities.iter_rows(named=True)}
    assert loaded == {table.by_code[str(c)].pair for c in codes}
    resistance = {e.code for e in table.entries if e.sub_sport == "strength_training"}
    assert {"15002", "10011", "10019"} <= resistance and "10007" not in resistance and "1002" not in resistance


def test_a_bad_row_is_set_aside_with_its_line_reason_and_values_and_the_rest_loads() -> None:
    """An unreadable start, a broken duration, an absurd length: one Rejected each, naming the line; the rest load."""
    rows = [
        LIFT,
        {**RUN, "start_time": "yesterday"},
        {**RUN, "duration": "fast"},
        {**RUN, "end_time": "2026-03-05 17:00:00.000"},
        RUN,
    ]
    decoded = read(exercise_csv(rows))
    assert decoded.activities.height == 2
    assert [r.line for r in decoded.rejected] == [4, 5, 6]
    assert "start_time" in decoded.rejected[0].reason and "line 4" in decoded.rejected[0].reason
    assert "duration" in decoded.rejected[1].reason
    assert json.loads(decoded.rejected[1].payload or "{}")["values"][f"{PREFIX}duration"] == "fast"
    assert all(r.table == "activities" for r in decoded.rejected)


def test_a_row_without_an_understood_offset_keeps_its_utc_time_and_takes_the_athletes_zone() -> None:
    """No time_offset, or one that is not an offset: the UTC time stands, the local offset is the zone's, a warning."""
    decoded = read(exercise_csv([{**LIFT, "time_offset": ""}, {**LIFT, "time_offset": "Berlin"}]))
    for row in decoded.activities.iter_rows(named=True):
        assert row["start_time_utc"] == datetime(2026, 1, 5, 17, 2)
        assert (row["utc_offset_s"], row["utc_offset_source"]) == (3600, None)
    assert any("line(s) 4" in w for w in decoded.warnings)


@pytest.mark.parametrize(
    ("written", "offset_s"),
    [("3600000", 3600), ("-18000000", -18000), ("19800000", 19800), ("0", 0), ("UTC", 0), ("UTC+0530", 19800)],
)
def test_an_offset_in_milliseconds_or_utc_alone_places_the_row(written: str, offset_s: int) -> None:
    """time_offset in the SDK's unit (milliseconds, as older exports write it) or ``UTC`` alone is the row's own
    offset, like ``UTC+0530``; the UTC start stands."""
    row = next(read(exercise_csv([{**LIFT, "time_offset": written}])).activities.iter_rows(named=True))
    assert row["start_time_utc"] == datetime(2026, 1, 5, 17, 2)
    assert (row["utc_offset_s"], row["utc_offset_source"]) == (offset_s, "row")


@pytest.mark.parametrize("written", ["1234567", "90000000", "+0200x"])
def test_a_millisecond_offset_that_is_no_zones_is_not_used(written: str) -> None:
    """Milliseconds that are not whole minutes or over 14 hours: not an offset; the athlete's zone and a warning."""
    decoded = read(exercise_csv([{**LIFT, "time_offset": written}]))
    row = next(decoded.activities.iter_rows(named=True))
    assert (row["utc_offset_s"], row["utc_offset_source"]) == (3600, None)
    assert any("time_offset not understood" in w for w in decoded.warnings)


def test_the_older_layout_reads_the_same_workouts_as_the_current_one() -> None:
    """The generator's legacy layout (the table named alone as com.samsung.health.exercise, no BOM, plain column
    names, offsets in milliseconds) reads to the same workouts and samples as the sample export's layout."""
    sessions = watch_csvs.planned_sessions()["samsung"]
    current, expect = watch_csvs.samsung_exercise(random.Random(1), sessions)
    legacy, _ = watch_csvs.samsung_exercise(random.Random(1), sessions, layout="legacy")
    assert legacy.startswith(b"com.samsung.health.exercise\n") and b"UTC+" not in legacy
    reference, decoded = read(current), read(legacy, "com.samsung.health.exercise.202507.csv")
    assert decoded.activities.height == expect["activities"] and not decoded.rejected
    assert decoded.activities.equals(reference.activities)
    assert decoded.samples.equals(reference.samples) and decoded.samples.height == expect["samples"]


def test_inline_live_data_becomes_samples_and_a_file_reference_is_named() -> None:
    """live_data as a JSON list gives samples (epoch ms, bpm, m/s); a jsons/ file name is counted in a warning."""
    start_ms = int(datetime(2026, 1, 6, 6, 0, tzinfo=UTC).timestamp() * 1000)
    points = [{"start_time": start_ms + i * 60_000, "heart_rate": 120 + i, "speed": 2.8} for i in range(5)]
    reference = "abc.com.samsung.health.exercise.live_data.json"
    rows = [{**RUN, "live_data": json.dumps(points)}, {**RUN, "live_data": reference}]
    decoded = read(exercise_csv(rows))
    assert decoded.samples.height == 5
    assert decoded.samples["heart_rate"].to_list() == [120, 121, 122, 123, 124]
    times = decoded.samples["timestamp_utc"].to_list()
    assert (times[0], times[1] - times[0]) == (datetime(2026, 1, 6, 6, 0), timedelta(minutes=1))
    assert any("1 workout(s) keep their samples" in w for w in decoded.warnings)


def test_a_long_workouts_inline_samples_fit_in_one_cell() -> None:
    """Three hours of one-second live_data (far over the csv module's default 128 KiB per field) is one cell."""
    start_ms = int(datetime(2026, 1, 6, 6, 0, tzinfo=UTC).timestamp() * 1000)
    points = [
        {"start_time": start_ms + i * 1000, "heart_rate": 130, "speed": 2.8, "distance": i * 2.8} for i in range(10800)
    ]
    decoded = read(exercise_csv([{**RUN, "live_data": json.dumps(points)}]))
    assert decoded.samples.height == 10800 and decoded.activities.height == 1


def test_live_data_points_without_a_usable_time_are_left_out() -> None:
    """Points timed before 1980, after 2100, as text or Infinity are left out; the workout and the rest load."""
    good = int(datetime(2026, 1, 6, 6, 0, tzinfo=UTC).timestamp() * 1000)
    cell = f'[{{"start_time": {good}, "heart_rate": 120}}, {{"start_time": 1e20}}, {{"start_time": -5}}, '
    cell += '{"start_time": "soon"}, {"start_time": Infinity}, 7]'
    decoded = read(exercise_csv([{**RUN, "live_data": cell}]))
    assert decoded.samples.height == 1 and decoded.activities.height == 1


def test_the_exercise_table_without_workout_columns_is_refused_not_skipped() -> None:
    """A file whose table line says exercise but whose header is not a workout's is an error naming the line."""
    data = f"{TABLE_LINE}\nfoo,bar\n1,2\n".encode()
    with pytest.raises(DecodeError, match="line 2"):
        read(data)


@pytest.mark.parametrize(
    ("table", "kind"),
    [
        ("com.samsung.shealth.tracker.pedometer_step_count", "step counts"),
        ("com.samsung.shealth.sleep", "sleep records"),
        ("com.samsung.health.weight", "body weight"),
        ("com.samsung.shealth.tracker.heart_rate", "heart-rate"),
        ("com.samsung.health.floors_climbed", "floors climbed"),
        ("com.samsung.shealth.exercise.weather", "beside the exercise sessions"),
        ("com.samsung.health.exercise.location", "beside the exercise sessions"),
        ("com.samsung.shealth.something_new", "records"),
    ],
)
def test_the_exports_other_tables_are_skipped_with_their_kind(table: str, kind: str) -> None:
    """Every other table of the export, known or new, is skipped naming what it holds and its rows."""
    data = f"\ufeff{table},6313001,3\nstart_time,value,time_offset,\n2026-01-05 07:00:00.000,5,UTC+0100,\n".encode()
    decoded = read(data, f"{table}.20260202090000.csv")
    assert (decoded.file_type, decoded.source_format) == ("no_activities", "csv:samsung_health")
    assert kind in decoded.detail and "1 data rows" in decoded.detail


def test_an_older_table_line_that_names_the_table_alone_is_skipped_with_its_kind() -> None:
    """``com.samsung.health.weight`` alone on the first line (older exports, no version or count): its kind."""
    data = b"com.samsung.health.weight\nweight,height,start_time,time_offset,datauuid,\n"
    data += b"91.0,,2025-07-01 20:49:34.277,0,w,\n"
    decoded = read(data, "com.samsung.health.weight.202507.csv")
    assert (decoded.file_type, decoded.source_format) == ("no_activities", "csv:samsung_health")
    assert "body weight" in decoded.detail and "1 data rows" in decoded.detail


def test_the_generated_export_gives_what_the_generator_planned() -> None:
    """The sample export folder: the exercise table loads its workouts (8 resistance) and samples, the rest skip."""
    for name, (data, expect) in watch_csvs.watch_files().items():
        if watch_csvs.SAMSUNG_DIR not in name:
            continue
        decoded = read(data, name)
        if expect["status"] == "skipped":
            assert decoded.file_type == "no_activities" and expect["kind"] in decoded.detail
            continue
        rows = list(decoded.activities.iter_rows(named=True))
        assert len(rows) == expect["activities"] and decoded.samples.height == expect["samples"]
        assert sum(category(r) is Category.RESISTANCE for r in rows) == expect["resistance"] == 8
        assert not decoded.rejected
