"""Fitbit daily activity summaries: one row per day (steps, distance, active minutes, calories), no workouts.

Two layouts are known: the account export's ``Activities`` section (``Date, Calories Burned, Steps, Distance,
Floors, Minutes Sedentary, Minutes Lightly Active, Minutes Fairly Active, Minutes Very Active, Activity
Calories``) and the research (Fitabase) ``dailyActivity_merged`` layout (``Id, ActivityDate, TotalSteps,
...``). Neither holds individual activities, so the file is skipped with a reason rather than loaded as fake
sessions.
"""

from __future__ import annotations

from fitbalance.models import Decoded
from fitbalance.sources.csv.helpers import Columns, Options, Sheet

NAME = "fitbit"
FORMAT = "csv:fitbit"


def detect(header: list[str], text: str) -> bool:
    columns = Columns(header)
    return columns.has_all("ActivityDate", "TotalSteps") or columns.has_all(
        "Date", "Calories Burned", "Steps", "Minutes Sedentary"
    )


def read(sheet: Sheet, options: Options) -> Decoded:
    days = sum(1 for _ in sheet.body)
    return Decoded(
        FORMAT,
        file_type="no_activities",
        detail=f"Fitbit daily activity summary ({days} day rows): it holds daily totals, not activities",
    )
