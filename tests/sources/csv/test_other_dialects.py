"""Apple Health (Health Export), Polar Flow and Fitbit exports."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from fitbalance.errors import DecodeError, UnknownFormatError
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


# ---- the Wahoo Fitness app ----------------------------------------------------------------------------------

WAHOO = "wahoo_2016-10-07-1712_Biking_WF.csv"


def test_wahoo_ride_with_samples_and_laps(sample_files: dict[str, bytes]) -> None:
    """The Wahoo Fitness app's CSV is one ride: its start from the Year..Second record (local), moving and paused
    time from the summary, the GPS distance, one sample per sample row and one lap per interval."""
    data = sample_files[WAHOO]
    decoded = read_csv(data, WAHOO, ZONE)
    assert decoded.source_format == "csv:wahoo"
    activity = decoded.activities.row(0, named=True)
    assert (activity["sport"], activity["start_time_utc"]) == ("cycling", datetime(2016, 10, 7, 15, 12, 4))
    assert (activity["moving_s"], activity["elapsed_s"]) == (3600.0, 3720.0)
    summary = next(line for line in data.decode().splitlines() if line.startswith(",0,"))
    assert activity["distance_m"] == pytest.approx(float(summary.split(",")[12]))
    assert decoded.samples.height == 720 and decoded.laps.height == 4
    assert decoded.samples["timestamp_utc"][1] - decoded.samples["timestamp_utc"][0] == timedelta(seconds=5)
    assert activity["max_hr"] == decoded.samples["heart_rate"].max()
    assert decoded.laps["start_time_utc"][1] - decoded.laps["start_time_utc"][0] == timedelta(minutes=15)


def test_wahoo_sport_comes_from_the_name_else_the_sensors(sample_files: dict[str, bytes]) -> None:
    """Running in the file name makes a run; without a kind in the name, the speed and cadence sensors say cycling
    and a foot pod says running."""
    data = sample_files[WAHOO]
    assert read_csv(data, "2016-10-07-1712_Running_WF.csv", ZONE).activities["sport"][0] == "running"
    assert read_csv(data, "export.csv", ZONE).activities["sport"][0] == "cycling"
    footpod = data.replace(b"spd,yes", b"spd,no").replace(b"cad,yes", b"cad,no").replace(b"footpod,no", b"footpod,yes")
    footpod = footpod.replace(b"wheeldist,", b"wheeldist_,")  # no wheel distance either
    assert read_csv(footpod, "export.csv", ZONE).activities["sport"][0] == "running"


def test_a_bad_wahoo_sample_is_set_aside_a_missing_start_refuses_the_file(sample_files: dict[str, bytes]) -> None:
    """A sample row with a heart rate that is not a number goes aside with its line; a file without the
    Year,Month,Day record cannot be placed in time and is refused."""
    lines = sample_files[WAHOO].decode().splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("interval,time")) + 10
    cells = lines[at].split(",")
    cells[3] = "1x0"
    lines[at] = ",".join(cells)
    decoded = read_csv("\n".join(lines).encode(), WAHOO, ZONE)
    assert decoded.samples.height == 719
    assert [r.line for r in decoded.rejected] == [at + 1] and "hr_heartrate" in decoded.rejected[0].reason
    without_start = "\n".join(line for line in lines if not line.startswith("Year,"))
    with pytest.raises(DecodeError, match="Year,Month,Day"):
        read_csv(without_start.encode(), WAHOO, ZONE)


# ---- exports that hold no activities ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "source_format", "kind"),
    [
        ("apple_health_daily_totals.csv", "csv:apple_health", "Apple Health daily or hourly totals"),
        ("apple_health_body_mass.csv", "csv:apple_health", "Apple Health body-mass records"),
        ("fitbit_account_export.csv", "csv:fitbit", "sections: Body, Foods, Activities, Sleep"),
        ("fitbit_daily_activities.csv", "csv:fitbit", "Fitbit daily activity summary"),
    ],
)
def test_exports_without_activities_are_skipped_with_their_kind(
    sample_files: dict[str, bytes], name: str, source_format: str, kind: str
) -> None:
    """Daily totals, body mass and a Fitbit account export are recognised and skipped, saying what they hold."""
    decoded = read_csv(sample_files[name], name, ZONE)
    assert (decoded.source_format, decoded.file_type) == (source_format, "no_activities")
    assert kind in decoded.detail and "no activities" in decoded.detail


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        ("Id,ActivityHour,StepTotal", "Fitbit per-day, per-hour or per-minute totals"),
        ("Id,SleepDay,TotalSleepRecords,TotalMinutesAsleep,TotalTimeInBed", "Fitbit sleep records"),
        ("Id,Date,WeightKg,WeightPounds,Fat,BMI,IsManualReport,LogId", "Fitbit weight"),
        ("Start Time,End Time,Minutes Asleep,Minutes Awake,Number of Awakenings,Time in Bed", "Fitbit sleep records"),
        ("Date/Time,Step Count (count),Heart Rate [Avg] (count/min)", "Apple Health daily or hourly totals"),
        ("Date,Sleep Analysis [Asleep] (hr),Sleep Analysis [In Bed] (hr)", "Apple Health sleep records"),
        ("Date,Move Minutes count,Calories (kcal),Distance (m),Heart Points", "Google Fit"),
        ("Time,Weight,Change,BMI,Body Fat,Skeletal Muscle Mass,Bone Mass,Body Water", "Garmin weight"),
        ("Date,Steps,Goal", "Garmin daily totals"),
        ("Athlete ID,Email Address,First Name,Last Name,Sex", "Strava profile"),
        ("Bike Name,Bike Brand,Bike Model,Bike Default Sport Types", "Strava gear list"),
        ("Date,Weight (kg),Fat mass (kg),Bone mass (kg),Muscle mass (kg),Hydration (kg),Comments", "Withings weight"),
        ("com.samsung.health.weight,6312002,9", "Samsung Health body weight"),
    ],
)
def test_other_non_activity_exports_are_skipped_with_their_kind(header: str, kind: str) -> None:
    """Sleep, weight, per-minute totals, profiles and gear lists of Fitbit, Apple Health, Google Fit, Garmin, Strava,
    Withings and Samsung Health: skipped, each with its kind."""
    row = ",".join(["1"] * len(header.split(",")))
    decoded = read_csv(f"{header}\n{row}\n{row}\n".encode(), "x.csv", ZONE)
    assert decoded.file_type == "no_activities" and kind in decoded.detail


def test_a_csv_nobody_recognises_stays_unknown() -> None:
    """A measurement file with a column no known export has is still unknown, not skipped."""
    with pytest.raises(UnknownFormatError):
        read_csv(b"Date,Body mass(kg),Favourite colour\n2025-01-01,72,blue\n", "x.csv", ZONE)
