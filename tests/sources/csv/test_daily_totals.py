"""Files of totals over time told by their shape: skipped with their kind, while unknown files stay unknown."""

from __future__ import annotations

from datetime import datetime

import pytest

from fitbalance.errors import UnknownFormatError
from fitbalance.sources.csv import read_csv
from fitbalance.sources.csv.daily_totals import app_of, shape
from tests.sources.csv.conftest import ZONE

HEALTH_EXPORT = (
    "Date,Active energy burned(kcal),Apple exercise time(min),Apple Stand Time(min),Cardio Recovery(count/min),"
    "Physical Effort(kcal/hr·kg),Step count(count)\n"
)


@pytest.mark.parametrize(
    ("text", "app", "kind"),
    [
        (  # Health Export, daily: columns no known layout lists (Cardio Recovery, Physical Effort)
            HEALTH_EXPORT + "2024-01-01,512.3,34,120,,3.2,8456\n2024-01-02,498.1,28,110,,2.9,7456\n",
            "apple_health",
            "Apple Health daily totals",
        ),
        (
            HEALTH_EXPORT + "2024-01-01 00:00:00,12.3,0,5,,1.1,456\n2024-01-01 01:00:00,10.1,0,5,,1.0,356\n",
            "apple_health",
            "Apple Health hourly totals",
        ),
        (
            HEALTH_EXPORT + "2024-01-01,15012,900,3600,,3,250000\n2024-02-01,14012,800,3500,,3,240000\n",
            "apple_health",
            "Apple Health monthly totals",
        ),
        (
            "Cycle start time,Cycle end time,Cycle timezone,Recovery score %,Resting heart rate (bpm),Day Strain\n"
            "2024-01-01 22:30:00,2024-01-02 23:00:00,UTC+01:00,65,52,12.3\n"
            "2024-01-02 23:00:00,2024-01-03 22:40:00,UTC+01:00,70,51,10.1\n",
            "whoop",
            "whoop",  # named by the WHOOP dialect's own entry, or else by its shape
        ),
        (  # a Garmin Connect report in Finnish: steps against the goal
            "Päivämäärä,Askeleet,Tavoite\n1.1.2024,8456,7500\n2.1.2024,10234,7500\n",
            "garmin",
            "Garmin daily totals",
        ),
        (  # decimal commas, semicolons, a week apart
            "Datum;Schritte;Kalorien (kcal)\n01.01.2024;58456;14000,5\n08.01.2024;60234;14500,5\n",
            "totals",
            "weekly totals",
        ),
    ],
)
def test_a_file_of_totals_is_skipped_with_its_kind(text: str, app: str, kind: str) -> None:
    """A date column and measurement columns, no activity type, duration or exercise: skipped, its app and how
    often a row comes named."""
    decoded = read_csv(text.encode(), "totals.csv", ZONE)
    assert decoded.file_type == "no_activities" and decoded.source_format == f"csv:{app}"
    assert kind.casefold() in decoded.detail.casefold() and "holds no activities" in decoded.detail


@pytest.mark.parametrize(
    "text",
    [
        "timestamp,heart_rate,speed\n2024-01-01 10:00:00,120,3.1\n2024-01-01 10:00:01,121,3.2\n",  # a recording
        "Date,Sport,Duration (min),Calories\n2024-01-01,Run,30,300\n2024-01-02,Run,30,300\n",  # activities
        "Date,Exercise,Weight\n2024-01-01,Squat,100\n",  # sets
        "Date,Note\n2024-01-01,felt good\n",  # text
        "foo,bar\nx,y\n",
    ],
)
def test_files_of_another_shape_stay_unknown(text: str) -> None:
    """A recording seconds apart, a list of activities or sets, text: not totals, so still unknown."""
    with pytest.raises(UnknownFormatError):
        read_csv(text.encode(), "other.csv", ZONE)


def test_the_shape_is_read_from_the_rows_not_only_the_header() -> None:
    """The first cell of every row is a moment, the others measurements; a data row is never a header."""
    header = ["Date", "Steps", "Energy (kcal)"]
    assert shape(header, [["2024-01-01", "1,234", "45 %"], ["2024-01-02", "", "6:30"]]) == [
        datetime(2024, 1, 1),
        datetime(2024, 1, 2),
    ]
    assert shape(header, [["yesterday", "1", "2"]]) is None
    assert shape(["2024-01-01", "5", "6"], [["2024-01-02", "5", "6"]]) is None
    assert app_of(["Date", "Move Minutes count"]) == "google_fit" and app_of(["Date", "x"]) == "totals"
