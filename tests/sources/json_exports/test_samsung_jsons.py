"""The ``jsons/`` folder of a Samsung Health export: per-workout sample files, skipped with their kind."""

from __future__ import annotations

import json

from .conftest import decode

LIVE = "samsunghealth_me.zip!/jsons/com.samsung.shealth.exercise/a/a1b2.com.samsung.health.exercise.live_data.json"
ROUTE = "samsunghealth_me.zip!/jsons/com.samsung.shealth.exercise/a/a1b2.com.samsung.health.exercise.location_data.json"


def test_a_workouts_live_data_is_skipped_as_samsung_samples() -> None:
    """Epoch-ms points with heart rate, speed or cadence: a workout's samples, not a workout (it loads from the
    exercise CSV), skipped as Samsung Health samples with their count, never quarantined or called unknown."""
    points = [{"start_time": 1767632520000 + i * 1000, "heart_rate": 100.0 + i} for i in range(3)]
    points.append({"start_time": 1767632523000, "speed": 2.4, "cadence": 160.0})
    decoded = decode(json.dumps(points).encode(), LIVE)
    assert (decoded.source_format, decoded.file_type) == ("json:samsung_health", "no_activities")
    assert decoded.detail.startswith("Samsung Health workout samples") and "(4 samples)" in decoded.detail


def test_a_workouts_location_data_is_skipped_as_its_route() -> None:
    points = [{"start_time": 1767632520000, "latitude": 52.52, "longitude": 13.40, "altitude": 34.0, "accuracy": 4.0}]
    decoded = decode(json.dumps(points).encode(), ROUTE)
    assert (decoded.source_format, decoded.file_type) == ("json:samsung_health", "no_activities")
    assert decoded.detail.startswith("Samsung Health workout route")
