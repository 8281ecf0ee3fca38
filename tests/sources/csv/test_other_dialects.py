"""Apple Health (Health Export), Polar Flow and Fitbit exports."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from fitbalance.sources.csv import read_csv
from tests.sources.csv.conftest import ZONE


def test_apple_health_workouts_with_date_ranges(sample_files: dict[str, bytes]) -> None:
    """Health Export: the start-end range in Date gives start and elapsed; units come from the headers."""
    decoded = read_csv(sample_files["apple_health_workouts.csv"], "w.csv", ZONE)
    assert decoded.activities.height == 5
    first = decoded.activities.row(0, named=True)
    assert first["start_time_utc"] == datetime(2025, 10, 4, 7, 12, 5)
    assert first["elapsed_s"] == 48 * 60 + 17
    assert first["distance_m"] == pytest.approx(4100)
    sports = decoded.activities.select("sport", "sub_sport").rows()
    assert sports[3] == ("training", "strength_training")  # Functional Strength Training
    assert sports[1] == ("training", "yoga")


def test_health_auto_export_layout_with_offsets() -> None:
    """Health Auto Export's Start/End columns may carry an offset, which then wins over the zone."""
    text = (
        "Workout Type,Start,End,Duration,Distance (mi),Active Energy (kcal)\n"
        "Running,2024-05-01 07:00:00 -0400,2024-05-01 07:30:00 -0400,30,3.1,300\n"
    )
    row = read_csv(text.encode(), "a.csv", ZONE).activities.row(0, named=True)
    assert row["start_time_utc"] == datetime(2024, 5, 1, 11, 0)
    assert row["utc_offset_s"] == -4 * 3600
    assert row["distance_m"] == pytest.approx(3.1 * 1609.344)
    assert row["elapsed_s"] == 1800


def test_polar_summary_and_samples(sample_files: dict[str, bytes]) -> None:
    """Polar Flow CSV: one running activity from the summary row and 600 one-second samples after it."""
    decoded = read_csv(sample_files["polar_session.csv"], "p.csv", ZONE)
    activity = decoded.activities.row(0, named=True)
    assert (activity["sport"], activity["elapsed_s"]) == ("running", 600.0)
    assert activity["name"] == "RUNNING"  # the Name column is the athlete's own name and is not used
    assert activity["start_time_utc"] == datetime(2025, 6, 15, 5, 45, 10)
    samples = decoded.samples
    assert samples.height == 600
    assert samples["timestamp_utc"][1] - samples["timestamp_utc"][0] == timedelta(seconds=1)
    assert samples["speed_mps"].mean() == pytest.approx(10.5 / 3.6, rel=0.02)
    assert activity["max_hr"] == samples["heart_rate"].max()


def test_fitbit_daily_totals_are_skipped_with_a_reason(sample_files: dict[str, bytes]) -> None:
    """Fitbit daily summaries hold no activities: no_activities with the reason and day count."""
    decoded = read_csv(sample_files["fitbit_daily_activities.csv"], "f.csv", ZONE)
    assert decoded.file_type == "no_activities"
    assert not decoded.is_activity
    assert "14 day rows" in decoded.detail
    assert decoded.activities.height == 0


def test_a_header_only_export_holds_no_activities() -> None:
    """A recognised export with a header and no rows is skipped, not an error."""
    header = b"title,start_time,end_time,exercise_title,set_index,set_type,weight_kg,reps\n"
    decoded = read_csv(header, "h.csv", ZONE)
    assert (decoded.source_format, decoded.file_type) == ("csv:hevy", "no_activities")
