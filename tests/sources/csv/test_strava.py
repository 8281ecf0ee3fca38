"""Strava's bulk export in both layouts: duplicated column names, UTC dates, metres."""

from __future__ import annotations

from datetime import datetime

import pytest

from fitbalance.sources.csv import read_csv
from synth.csv_samples import STRAVA_HEADER
from tests.sources.csv.conftest import ZONE


def _row(**cells: str) -> str:
    """One bulk-export row; a key ending in _2 fills the second column of that name."""
    row = [""] * len(STRAVA_HEADER)
    for key, value in cells.items():
        name, second = (key[:-2], True) if key.endswith("_2") else (key, False)
        hits = [i for i, h in enumerate(STRAVA_HEADER) if h == name.replace("_", " ")]
        row[hits[1] if second else hits[0]] = value
    return ",".join(f'"{c}"' if "," in c else c for c in row)


def _bulk(*rows: str) -> bytes:
    return ("\n".join([",".join(STRAVA_HEADER), *rows]) + "\n").encode()


def test_bulk_layout_takes_the_metric_distance_and_utc_date() -> None:
    """Of two Distance columns the second (metres) counts; Activity Date is UTC, the zone gives the offset."""
    data = _bulk(
        _row(
            Activity_ID="7926971219",
            Activity_Date="Oct 6, 2022, 11:19:20 PM",
            Activity_Name="Evening Run",
            Activity_Type="Run",
            Elapsed_Time="979",
            Distance="1.51",
            Elapsed_Time_2="979.0",
            Moving_Time="971.0",
            Distance_2="2432.77",
            Max_Heart_Rate="177.0",
            Average_Heart_Rate="165.5",
            Calories="199.0",
            Perceived_Exertion="7",
        )
    )
    row = read_csv(data, "activities.csv", ZONE).activities.row(0, named=True)
    assert row["distance_m"] == pytest.approx(2432.77)
    assert row["start_time_utc"] == datetime(2022, 10, 6, 23, 19, 20)
    assert row["utc_offset_s"] == 7200
    assert (row["elapsed_s"], row["moving_s"], row["max_hr"], row["rpe"]) == (979.0, 971.0, 177.0, 7.0)
    assert (row["sport"], row["source_ref"], row["name"]) == ("running", "7926971219", "Evening Run")


@pytest.mark.parametrize("type_name", ["Weight Training", "WeightTraining"])
def test_weight_training_is_fit_strength_training(type_name: str) -> None:
    """Strava's weight training (either spelling) is FIT training/strength_training."""
    data = _bulk(
        _row(
            Activity_ID="1",
            Activity_Date="Jan 2, 2024, 6:00:00 PM",
            Activity_Type=type_name,
            Elapsed_Time="3600",
        )
    )
    row = read_csv(data, "a.csv", ZONE).activities.row(0, named=True)
    assert (row["sport"], row["sub_sport"]) == ("training", "strength_training")


def test_display_distance_alone_waits_for_the_unit_setting() -> None:
    """When only the display-unit Distance is filled, the run loads and its distance waits for the setting, never
    guessed."""
    data = _bulk(_row(Activity_ID="1", Activity_Date="Jan 2, 2024, 6:00:00 PM", Activity_Type="Run", Distance="5.0"))
    waiting = read_csv(data, "a.csv", ZONE)
    assert waiting.activities["distance_m"].to_list() == [None]
    assert [(w.column, w.original, w.line) for w in waiting.waiting] == [("distance_m", "5.0", 2)]
    assert read_csv(data, "a.csv", ZONE, distance_unit="mi").activities["distance_m"][0] == pytest.approx(8046.72)


def test_bulk_sample_matches_the_garmin_runs(sample_files: dict[str, bytes]) -> None:
    """The sample Strava export holds the 24 Garmin runs (same UTC starts) and 4 rides."""
    strava = read_csv(sample_files["strava_activities.csv"], "s.csv", ZONE).activities
    garmin = read_csv(sample_files["garmin_activities_en.csv"], "g.csv", ZONE).activities
    assert dict(strava.group_by("sport").len().iter_rows()) == {"running": 24, "cycling": 4}
    strava_runs = set(strava.filter(strava["sport"] == "running")["start_time_utc"].to_list())
    garmin_runs = set(garmin.filter(garmin["sport"] == "running")["start_time_utc"].to_list())
    assert strava_runs == garmin_runs


def test_older_layout(sample_files: dict[str, bytes]) -> None:
    """The older id,date,name,type layout: UTC ISO dates and metres."""
    decoded = read_csv(sample_files["strava_activities_2019.csv"], "old.csv", ZONE)
    assert decoded.activities.height == 10
    first = decoded.activities.row(0, named=True)
    assert first["start_time_utc"] == datetime(2019, 5, 4, 8, 30)
    assert first["utc_offset_s"] == 7200
    assert (first["sport"], first["source_ref"]) == ("cycling", "2300000000")
    assert 30_000 <= first["distance_m"] <= 50_000


def test_the_timer_time_is_the_devices_and_the_moving_time_stravas_own() -> None:
    """`Timer Time` (the device's recording time, pauses out) is the timer time the views count; `Moving Time`
    (Strava's reckoning from speed) stays the moving time; a manual entry without a timer time keeps it null."""
    recorded = _row(
        Activity_ID="1",
        Activity_Date="Oct 6, 2022, 11:19:20 PM",
        Activity_Type="Weight Training",
        Elapsed_Time="4500",
        Elapsed_Time_2="4500.0",
        Moving_Time="2100.0",
        Timer_Time="3900.0",
    )
    manual = _row(Activity_ID="2", Activity_Date="Oct 7, 2022, 6:00:00 PM", Activity_Type="Run", Elapsed_Time="1800")
    rows = read_csv(_bulk(recorded, manual), "activities.csv", ZONE).activities
    assert rows.select("elapsed_s", "moving_s", "timer_s").rows() == [(4500.0, 2100.0, 3900.0), (1800.0, None, None)]
