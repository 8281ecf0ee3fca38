"""Fitbit's Google Takeout ``exercise-*.json``: local starts, ms durations, distances with their unit, log types."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from synth import json_exports

from .conftest import decode

EXERCISES = f"{json_exports.FITBIT_DIR}/exercise-0.json"


def exercises(*records: dict[str, Any]) -> bytes:
    return json.dumps(list(records)).encode()


def exercise(**extra: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "logId": 1,
        "activityName": "Run",
        "activityTypeId": 90009,
        "startTime": "04/24/20 17:35:46",
        "duration": 1_536_000,
        "activeDuration": 1_500_000,
        "distance": 5.0,
        "distanceUnit": "Kilometer",
        "calories": 300,
        "averageHeartRate": 150,
        "logType": "tracker",
    }
    record.update(extra)
    return record


def test_a_local_start_is_placed_in_the_athletes_zone_for_now() -> None:
    """``MM/DD/YY HH:MM:SS`` has no zone: read in the athlete's zone and left to the store to place (no source)."""
    (row,) = decode(exercises(exercise())).activities.to_dicts()
    assert (row["start_time_utc"], row["utc_offset_s"], row["utc_offset_source"]) == (
        datetime(2020, 4, 24, 15, 35, 46),
        7200,
        None,
    )
    assert (row["elapsed_s"], row["moving_s"], row["timer_s"]) == (1536.0, 1500.0, 1500.0)
    assert row["distance_m"] == 5000.0
    assert (row["calories_kcal"], row["avg_hr"], row["source_ref"]) == (300.0, 150.0, "1")


@pytest.mark.parametrize(
    ("type_id", "name", "sport"),
    [
        (2131, "Gewichtheben", ("training", "strength_training")),  # the id, whatever the account's language
        (90013, "Gehen", ("walking", "generic")),
        (2040, "Circuit Training", ("training", "cardio_training")),
        (2050, "Krafttraining", ("training", "strength_training")),  # a Compendium code of resistance training
        (12150, "Laufen, 8 km/h", ("running", "generic")),  # the Compendium's running heading
        (1010, "Radfahren", ("cycling", "generic")),
        (99999999, "Weights", ("training", "strength_training")),  # an id of no table: the name
    ],
)
def test_the_activity_type_id_is_read_before_the_name(type_id: int, name: str, sport: tuple[str, str]) -> None:
    """Fitbit's catalogue id says the sport in every language; Compendium codes by their heading; then the name."""
    record = exercise(activityTypeId=type_id, activityName=name)
    (row,) = decode(exercises(record)).activities.to_dicts()
    assert (row["sport"], row["sub_sport"]) == sport


def test_an_original_start_with_an_offset_places_it() -> None:
    record = exercise(originalStartTime="2020-04-24T17:35:46.000-07:00")
    (row,) = decode(exercises(record)).activities.to_dicts()
    assert (row["start_time_utc"], row["utc_offset_s"], row["utc_offset_source"]) == (
        datetime(2020, 4, 25, 0, 35, 46),
        -25200,
        "row",
    )


@pytest.mark.parametrize(
    ("distance", "unit", "metres"),
    [(5.0, "Kilometer", 5000.0), (3.1, "Mile", 3.1 * 1609.344), (800.0, "Meter", 800.0), (100.0, "Yard", 91.44)],
)
def test_distances_are_read_in_their_unit(distance: float, unit: str, metres: float) -> None:
    (row,) = decode(exercises(exercise(distance=distance, distanceUnit=unit))).activities.to_dicts()
    assert row["distance_m"] == pytest.approx(metres)


def test_a_distance_without_its_unit_is_never_guessed() -> None:
    """Left empty with a warning naming the setting; read in ``distance_unit`` when the athlete set it."""
    record = exercise(distanceUnit=None)
    decoded = decode(exercises(record))
    assert decoded.activities["distance_m"].to_list() == [None]
    assert "distance_unit" in decoded.warnings[0]
    assert decode(exercises(record), distance_unit="mi").activities["distance_m"].to_list() == [
        pytest.approx(5 * 1609.344)
    ]


def test_the_generated_export(fitbit_zip: dict[str, bytes], samples: Any) -> None:
    """A walk, weights (strength training), a run in km, a ride in miles; the exercise without a start set aside."""
    expected = samples[json_exports.FITBIT_ZIP][1]
    decoded = decode(fitbit_zip[EXERCISES], EXERCISES)
    got = [(r["sport"], r["distance_m"], r["elapsed_s"]) for r in decoded.activities.to_dicts()]
    assert got == [
        (e["sport"], pytest.approx(e["distance_m"]) if e["distance_m"] else None, e["elapsed_s"])
        for e in expected["activities"]
    ]
    assert decoded.activities["sub_sport"].to_list()[1] == "strength_training"
    assert decoded.activities["device"].to_list() == [None, "manual entry", "Charge 6", None]
    (lost,) = decoded.rejected
    assert lost.reason == "exercise 61000009: no start time (startTime missing)" and lost.table == "activities"


def test_fitbits_other_files_are_skipped_with_their_kind(fitbit_zip: dict[str, bytes], samples: Any) -> None:
    for name, kind in samples[json_exports.FITBIT_ZIP][1]["skipped"].items():
        decoded = decode(fitbit_zip[name], name)
        assert (decoded.file_type, decoded.source_format) == ("no_activities", "json:fitbit"), name
        assert decoded.detail.startswith(kind), decoded.detail


@pytest.mark.parametrize(
    ("doc", "kind"),
    [
        ([{"dateTime": "05/26/25 00:00:00", "value": "12"}], "Fitbit per-minute or daily series"),
        ([{"dateTime": "05/26/25", "value": {"date": "05/26/25", "value": 55.2, "error": 6.1}}], "Fitbit resting"),
        ([{"logId": 3, "weight": 180.2, "bmi": 24.1, "date": "05/26/25", "time": "07:00:00"}], "Fitbit weight"),
        ([{"dateTime": "05/26/25 00:00:00", "value": {"valuesInZones": {"IN_DEFAULT_ZONE_1": 30}}}], "Fitbit daily or"),
    ],
)
def test_other_fitbit_kinds_are_told_by_their_keys(doc: Any, kind: str) -> None:
    decoded = decode(json.dumps(doc).encode(), "x.json")
    assert decoded.file_type == "no_activities" and decoded.detail.startswith(kind), decoded.detail


def test_a_name_in_another_language_is_read_by_its_type_id() -> None:
    (row,) = decode(exercises(exercise(activityName="Gewichtheben", activityTypeId=2131))).activities.to_dicts()
    assert (row["sport"], row["sub_sport"], row["name"]) == ("training", "strength_training", "Gewichtheben")


FITBIT_TCX = """<?xml version="1.0" encoding="UTF-8"?>
<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">
 <Activities><Activity Sport="Running"><Id>2020-04-24T17:35:46.000-07:00</Id>
  <Lap StartTime="2020-04-24T17:35:46.000-07:00"><TotalTimeSeconds>1536.0</TotalTimeSeconds>
   <DistanceMeters>5000.0</DistanceMeters><Calories>300</Calories><Intensity>Active</Intensity>
   <TriggerMethod>Manual</TriggerMethod><Track>
    <Trackpoint><Time>2020-04-24T17:35:46.000-07:00</Time><DistanceMeters>0.0</DistanceMeters>
     <HeartRateBpm><Value>95</Value></HeartRateBpm></Trackpoint>
    <Trackpoint><Time>2020-04-24T17:35:56.000-07:00</Time><DistanceMeters>30.0</DistanceMeters>
     <HeartRateBpm><Value>110</Value></HeartRateBpm></Trackpoint>
   </Track></Lap>
  <Creator xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Device_t"><Name>Fitbit Charge 4</Name>
   <UnitId>0</UnitId><ProductID>0</ProductID></Creator>
 </Activity></Activities>
</TrainingCenterDatabase>
"""


def test_a_fitbit_tcx_loads_through_the_tcx_reader() -> None:
    """The TCX Fitbit writes for an exercise with GPS or heart rate (``<logId>.tcx``, a lap with its track and a
    Fitbit creator): one run at its written offset, with its samples, by the TCX reader."""
    decoded = decode(FITBIT_TCX.encode(), "31415926535.tcx")
    (row,) = decoded.activities.to_dicts()
    assert decoded.source_format == "tcx"
    assert (row["sport"], row["start_time_utc"], row["utc_offset_s"]) == (
        "running",
        datetime(2020, 4, 25, 0, 35, 46),
        -25200,
    )
    assert (row["distance_m"], row["device"]) == (5000.0, "Fitbit Charge 4")
    assert decoded.samples["heart_rate"].to_list() == [95, 110]
