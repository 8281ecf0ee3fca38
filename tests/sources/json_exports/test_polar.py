"""Polar Flow's account export (``training-session-*.json``): exercises, ISO 8601 durations, offsets, samples."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fitbalance.errors import DecodeError
from fitbalance.sources.json_exports.helpers import iso_duration
from synth import json_exports

from .conftest import decode

RUN = f"{json_exports.POLAR_DIR}/training-session-2025-05-23-8069454250-1a2b3c4d.json"
LIFT = f"{json_exports.POLAR_DIR}/training-session-2025-05-25-8069454377-5e6f7a8b.json"
DAILY = f"{json_exports.POLAR_DIR}/activity-2025-05-23-8069454251.json"


def session(*exercises: dict[str, Any], **extra: Any) -> bytes:
    return json.dumps({"exportVersion": "1.6", "exercises": list(exercises), **extra}).encode()


def exercise(**extra: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "startTime": "2021-03-02T17:48:40.000",
        "timezoneOffset": 60,
        "duration": "PT53M37.925S",
        "distance": 9000.0,
        "sport": "RUNNING",
        "kiloCalories": 700,
        "heartRate": {"min": 80, "avg": 150, "max": 180},
    }
    record.update(extra)
    return record


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("PT1H2M3.5S", 3723.5), ("PT3217.925S", 3217.925), ("PT45M", 2700.0), ("P1DT2H", 93600.0), ("PT0S", 0.0)],
)
def test_iso_8601_durations(text: str, seconds: float) -> None:
    assert iso_duration(text, "duration") == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["1:02:03", "PT", "P", "PT1X", "soon"])
def test_what_is_not_an_iso_duration_is_an_error(text: str) -> None:
    with pytest.raises(ValueError, match="ISO 8601 duration"):
        iso_duration(text, "duration")


def test_a_local_start_with_its_offset_in_minutes() -> None:
    """``startTime`` is local, ``timezoneOffset`` minutes east of UTC: UTC = local - offset (``row``)."""
    (row,) = decode(session(exercise())).activities.to_dicts()
    assert (row["start_time_utc"], row["utc_offset_s"], row["utc_offset_source"]) == (
        datetime(2021, 3, 2, 16, 48, 40),
        3600,
        "row",
    )
    assert (row["elapsed_s"], row["distance_m"], row["calories_kcal"]) == (pytest.approx(3217.925), 9000.0, 700.0)
    assert (row["avg_hr"], row["max_hr"], row["sport"]) == (150.0, 180.0, "running")


def test_exercise_times_an_offset_before_the_sessions_start_are_utc() -> None:
    """The session's ``startTime`` is the local start; exercises whose times lie ``timezoneOffset`` minutes before
    it are on UTC (as published parsers of the export read them): the exercise, its stop and its samples are placed
    as written, the offset only gives the local time."""
    sample = {"heartRate": [{"dateTime": "2021-03-02T16:48:40.000", "value": 90}]}
    utc_exercise = exercise(
        startTime="2021-03-02T16:48:40.000", stopTime="2021-03-02T17:48:40.000", samples=sample, duration="PT55M"
    )
    decoded = decode(session(utc_exercise, startTime="2021-03-02T17:48:40.000", timeZoneOffset=60))
    (row,) = decoded.activities.to_dicts()
    assert (row["start_time_utc"], row["utc_offset_s"], row["utc_offset_source"]) == (
        datetime(2021, 3, 2, 16, 48, 40),
        3600,
        "row",
    )
    assert (row["elapsed_s"], row["timer_s"]) == (3600.0, 3300.0)
    assert decoded.samples["timestamp_utc"].to_list() == [datetime(2021, 3, 2, 16, 48, 40)]


def test_exercise_times_equal_to_the_sessions_start_are_local() -> None:
    """The session's start and its exercise's agree: both local, UTC = local - offset; samples alike."""
    sample = {"heartRate": [{"dateTime": "2021-03-02T17:48:40.000", "value": 90}]}
    decoded = decode(session(exercise(samples=sample), startTime="2021-03-02T17:48:40.000", timeZoneOffset=60))
    (row,) = decoded.activities.to_dicts()
    assert row["start_time_utc"] == datetime(2021, 3, 2, 16, 48, 40)
    assert decoded.samples["timestamp_utc"].to_list() == [datetime(2021, 3, 2, 16, 48, 40)]


def test_an_unreadable_stop_beside_a_duration_costs_only_the_elapsed_time() -> None:
    """The duration still says how long it was: the exercise loads, its elapsed time the timer time."""
    (row,) = decode(session(exercise(stopTime="later"))).activities.to_dicts()
    assert row["elapsed_s"] == row["timer_s"] == pytest.approx(3217.925)


def test_a_start_with_its_own_offset_is_read_as_written() -> None:
    (row,) = decode(session(exercise(startTime="2021-03-02T17:48:40.000-05:00", timezoneOffset=60))).activities.rows(
        named=True
    )
    assert (row["start_time_utc"], row["utc_offset_s"]) == (datetime(2021, 3, 2, 22, 48, 40), -18000)


def test_the_generated_run_with_its_samples(samples: Any) -> None:
    """One row per sample time (heart rate, speed in km/h to m/s, distance); an unreadable heart rate is left out and
    counted in a quarantine row that names the exercise."""
    data, expected = samples[RUN]
    decoded = decode(data, RUN)
    (row,) = decoded.activities.to_dicts()
    (want,) = expected["activities"]
    assert row["start_time_utc"].isoformat() == want["start_time_utc"] and row["elapsed_s"] == want["elapsed_s"]
    assert decoded.samples.height == expected["samples"]
    assert decoded.samples["heart_rate"].null_count() == 1
    assert decoded.samples["speed_mps"].max() == pytest.approx(11.4 / 3.6, abs=0.03)
    assert decoded.samples["timestamp_utc"].min() == row["start_time_utc"]
    (rejected,) = decoded.rejected
    assert rejected.reason.startswith("exercise 1: 1 heartRate samples unreadable") and rejected.table == "samples"


def test_polar_strength_is_strength_training(samples: Any) -> None:
    (row,) = decode(samples[LIFT][0], LIFT).activities.to_dicts()
    assert (row["sport"], row["sub_sport"], row["name"]) == ("training", "strength_training", "Strength Training")


def test_each_exercise_of_a_multisport_session_is_an_activity() -> None:
    legs = [
        exercise(sport="OPEN_WATER_SWIMMING", duration="PT20M"),
        exercise(sport="ROAD_BIKING", startTime="2021-03-02T18:10:00.000", duration="PT1H"),
    ]
    rows = decode(session(*legs)).activities.select("session_index", "sport", "sub_sport").rows()
    assert rows == [(0, "swimming", "open_water"), (1, "cycling", "road")]


def test_an_exercise_without_a_start_is_set_aside_with_its_samples() -> None:
    lost = exercise(startTime=None, samples={"heartRate": [{"dateTime": "2021-03-02T17:48:40.000", "value": 90}]})
    decoded = decode(session(exercise(), lost))
    assert decoded.activities.height == 1
    assert sorted((r.table, r.rows) for r in decoded.rejected) == [("activities", 1), ("samples", 1)]


def test_a_session_of_unreadable_exercises_is_refused() -> None:
    with pytest.raises(DecodeError, match="no exercise could be read"):
        decode(session(exercise(duration="an hour")))


def test_polars_other_files_are_skipped_with_their_kind(samples: Any) -> None:
    decoded = decode(samples[DAILY][0], DAILY)
    assert (decoded.file_type, decoded.source_format) == ("no_activities", "json:polar")
    assert decoded.detail.startswith(samples[DAILY][1]["skipped"])


@pytest.mark.parametrize(
    ("doc", "kind"),
    [
        ({"exportVersion": "1.0", "deviceDays": [{"date": "2025-01-01", "samples": []}]}, "Polar 24/7 heart rate"),
        ({"night": "2025-01-01", "sleepResult": {"hypnogram": {}}}, "Polar sleep"),
        ({"username": "a@b.c", "firstName": "A", "sportProfiles": []}, "Polar account profile"),
        ({"weights": [{"weight": 70}], "physicalInformations": []}, "Polar calendar"),
    ],
)
def test_other_polar_kinds_are_told_by_their_keys(doc: Any, kind: str) -> None:
    decoded = decode(json.dumps(doc).encode(), "anything.json")
    assert decoded.file_type == "no_activities" and decoded.detail.startswith(kind), decoded.detail


def test_samples_that_are_not_lists_hold_none() -> None:
    decoded = decode(session(exercise(samples={"heartRate": 5, "speed": "fast", "recordedRoute": {"a": 1}})))
    assert decoded.activities.height == 1 and decoded.samples.height == 0


def test_laps_start_at_their_split_time_less_their_duration(samples: Any) -> None:
    data, expected = samples[RUN]
    decoded = decode(data, RUN)
    laps = decoded.laps.to_dicts()
    assert len(laps) == expected["laps"] == 8
    start = decoded.activities["start_time_utc"][0]
    assert laps[0]["start_time_utc"] == start and laps[0]["distance_m"] == 1000.0
    assert (laps[1]["start_time_utc"] - start).total_seconds() == pytest.approx(laps[0]["elapsed_s"], abs=0.2)
    assert [lap["lap_index"] for lap in laps] == list(range(8)) and laps[3]["avg_hr"] == 143.0


def test_a_lap_that_cannot_be_read_is_set_aside_alone() -> None:
    laps = [{"duration": "PT5M", "splitTime": "PT5M", "distance": 1000}, {"duration": "five", "distance": 1000}]
    decoded = decode(session(exercise(laps=laps)))
    assert decoded.laps.height == 1
    (rejected,) = decoded.rejected
    assert rejected.table == "laps" and rejected.reason.startswith("exercise 1, lap 2: duration 'five'")


def test_a_sport_written_as_an_object_is_read_by_its_name() -> None:
    (row,) = decode(session(exercise(sport={"id": 1, "name": "Road running"}))).activities.to_dicts()
    assert (row["sport"], row["sub_sport"]) == ("running", "road")


def test_a_session_without_exercises_is_read_from_its_own_totals() -> None:
    data = session(
        startTime="2021-03-02T17:48:40.000",
        timeZoneOffset=60,
        duration="PT30M",
        distance=5000.0,
        sport="RUNNING",
        averageHeartRate=140,
        maximumHeartRate=170,
    )
    (row,) = decode(data).activities.to_dicts()
    assert (row["start_time_utc"], row["elapsed_s"], row["distance_m"], row["max_hr"]) == (
        datetime(2021, 3, 2, 16, 48, 40),
        1800.0,
        5000.0,
        170.0,
    )


def test_a_heart_rate_no_column_can_hold_is_an_unreadable_sample() -> None:
    samples = {"heartRate": [{"dateTime": "2021-03-02T17:48:40.000", "value": 1e12}]}
    decoded = decode(session(exercise(samples=samples)))
    assert decoded.samples["heart_rate"].to_list() == [None]
    assert "heartRate 1e+12 is not a heart rate" in decoded.rejected[0].reason


@given(
    offset_min=st.integers(min_value=-12 * 60, max_value=14 * 60).filter(lambda m: m != 0),
    minute=st.integers(min_value=0, max_value=60 * 24 * 365),
    utc_clock=st.booleans(),
)
def test_the_exercise_clock_follows_the_sessions_own_start(offset_min: int, minute: int, utc_clock: bool) -> None:
    """For any offset and moment: exercise times written on UTC (an offset before the session's local start) and
    on the local clock (equal to it) give the same instant, the same offset, and samples at that instant."""
    instant = datetime(2021, 1, 1) + timedelta(minutes=minute)
    local = instant + timedelta(minutes=offset_min)
    written = (instant if utc_clock else local).isoformat(timespec="milliseconds")
    sample = {"heartRate": [{"dateTime": written, "value": 90}]}
    doc = session(
        exercise(startTime=written, timezoneOffset=offset_min, samples=sample),
        startTime=local.isoformat(timespec="milliseconds"),
        timeZoneOffset=offset_min,
    )
    decoded = decode(doc)
    (row,) = decoded.activities.to_dicts()
    assert (row["start_time_utc"], row["utc_offset_s"]) == (instant, offset_min * 60)
    assert decoded.samples["timestamp_utc"].to_list() == [instant]
