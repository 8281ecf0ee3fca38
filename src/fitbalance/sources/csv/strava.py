"""Strava bulk export ``activities.csv``, in both known layouts.

- Current (about 94 columns): several names appear twice (``Elapsed Time``, ``Distance``, ``Max Heart Rate``,
  ``Relative Effort``, ``Commute``). The first ``Distance`` is in the athlete's display unit (km or miles),
  the second in metres; the reader takes the metric one and only falls back to the first with the
  ``distance_unit`` option. ``Activity Date`` looks like ``Oct 6, 2022, 11:19:20 PM`` and is UTC.
- Older: ``id,date,name,type,description,elapsed_time,distance,...`` with ISO dates (UTC) and metres.

Three durations, kept apart: ``Elapsed Time`` (start to end), ``Moving Time`` (Strava's own reckoning of the time
spent moving, from the speed it computes: not a reading of the watch) and ``Timer Time`` (the time the device was
recording, pauses left out: the FIT ``total_timer_time`` of the uploaded file; blank for activities without one, such
as manual entries). The timer time is ``timer_s``, the moving time ``moving_s``; the views count them as for a FIT
file.

Strava times are UTC, so only the local offset comes from the athlete's zone.
"""

from __future__ import annotations

from typing import Any

from fitbalance.models import RAW_ACTIVITY_SCHEMA, Decoded
from fitbalance.sources.csv.helpers import (
    M_PER_MILE,
    Columns,
    Options,
    Record,
    RowRejected,
    Sheet,
    duration,
    fold_key,
    fold_table,
    frame,
    local_datetime,
    norm_header,
    number,
    utc_offset,
)
from fitbalance.sources.csv.sports import COMMON, GENERIC, STRENGTH

NAME = "strava"
SETTINGS: tuple[str, ...] = ("distance_unit",)  # unit settings it may read
FORMAT = "csv:strava"
ROWS = "activities"

DATE_FORMATS = (
    "%b %d, %Y, %I:%M:%S %p",
    "%b %d, %Y %I:%M:%S %p",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%dT%H:%M:%S",
    "%d %b %Y, %H:%M:%S",
    "%b %d, %Y, %H:%M:%S",
)

# Strava sport types (API names and the spaced names the export writes) that sports.COMMON does not cover.
TYPES = fold_table(
    {
        "WeightTraining": STRENGTH,
        "Weight Training": STRENGTH,
        "VirtualRide": ("cycling", "virtual_activity"),
        "VirtualRun": ("running", "virtual_activity"),
        "EBikeRide": ("e_biking", "generic"),
        "EMountainBikeRide": ("e_biking", "e_bike_mountain"),
        "MountainBikeRide": ("cycling", "mountain"),
        "GravelRide": ("cycling", "gravel_cycling"),
        "TrailRun": ("running", "trail"),
        "AlpineSki": ("alpine_skiing", "generic"),
        "BackcountrySki": ("alpine_skiing", "backcountry"),
        "NordicSki": ("cross_country_skiing", "generic"),
        "RollerSki": ("cross_country_skiing", "generic"),
        "IceSkate": ("ice_skating", "generic"),
        "InlineSkate": ("inline_skating", "generic"),
        "RockClimbing": ("rock_climbing", "generic"),
        "StandUpPaddling": ("stand_up_paddleboarding", "generic"),
        "Canoeing": ("paddling", "generic"),
        "Kayaking": ("kayaking", "generic"),
        "HighIntensityIntervalTraining": ("hiit", "hiit"),
        "TableTennis": ("racket", "table_tennis"),
        "Wheelchair": ("wheelchair_push_run", "generic"),
        "Velomobile": ("cycling", "generic"),
        "Skateboard": GENERIC,
        "Elliptical": ("fitness_equipment", "elliptical"),
        "StairStepper": ("fitness_equipment", "stair_climbing"),
        "Workout": ("training", "generic"),
    }
)


def detect(header: list[str], text: str) -> bool:
    columns = Columns(header)
    return columns.has_all("Activity ID", "Activity Date", "Activity Type") or (
        [norm_header(h) for h in header[:4]] == ["id", "date", "name", "type"] and "elapsed_time" in columns
    )


def sport_of(type_name: str) -> tuple[str, str] | None:
    key = fold_key(type_name)
    return TYPES.get(key) or COMMON.get(key)


def read(sheet: Sheet, options: Options) -> Decoded:
    columns = sheet.columns()
    layout = _current if "Activity ID" in columns else _older
    unmapped: dict[str, int] = {}
    activities: list[dict[str, Any]] = []
    rows = sheet.parsed(lambda record: layout(sheet, record, columns, options))
    for index, (record, row) in enumerate(rows):
        type_name = row.pop("type")
        sport = sport_of(type_name)
        if sport is None:
            unmapped[type_name] = unmapped.get(type_name, 0) + 1
            title = row["name"]
            row["name"] = f"{title} ({type_name})" if title else type_name
        row["sport"], row["sub_sport"] = sport or GENERIC
        row["session_index"] = index
        row["source_line"] = record.line
        row["utc_offset_s"] = utc_offset(row["start_time_utc"], options.zone)
        activities.append(row)
    if not activities:
        return Decoded(FORMAT, file_type="no_activities", detail="Strava activities export with no rows")
    warnings: tuple[str, ...] = ()
    if unmapped:
        listed = ", ".join(f"{k!r} ({v})" for k, v in sorted(unmapped.items()))
        warnings = (f"activity types with no FIT sport, kept as generic with the type in the name: {listed}",)
    return Decoded(FORMAT, activities=frame(activities, RAW_ACTIVITY_SCHEMA), warnings=warnings)


def _value(sheet: Sheet, record: Record, index: int | None, *, seconds: bool = False) -> float | None:
    try:
        return duration(record.get(index)) if seconds else number(record.get(index))
    except ValueError as exc:
        raise RowRejected(f"{sheet.header[index or 0]}: {exc}") from exc


def _first(sheet: Sheet, record: Record, indices: list[int], *, seconds: bool = False) -> float | None:
    """The first non-empty of several same-named columns (Strava leaves one or the other blank)."""
    for index in indices:
        value = _value(sheet, record, index, seconds=seconds)
        if value is not None:
            return value
    return None


def _start(record: Record, index: int | None) -> Any:
    try:
        return local_datetime(record.get(index), DATE_FORMATS)
    except ValueError as exc:
        raise RowRejected(f"activity date: {exc}") from exc


def _current(sheet: Sheet, record: Record, columns: Columns, options: Options) -> dict[str, Any]:
    distances = columns.every("Distance")
    elapsed = columns.every("Elapsed Time")
    metres = _value(sheet, record, distances[1]) if len(distances) > 1 else None
    if metres is None and distances:
        display = _value(sheet, record, distances[0])
        if display is not None:
            if options.distance_unit is None:  # only the display-unit Distance: km or miles waits for the setting
                if display:
                    sheet.wait(record, "distance_m", record.get(distances[0]))
            else:
                metres = display * (1000.0 if options.distance_unit == "km" else M_PER_MILE)
    rpe = _value(sheet, record, columns.find("Perceived Exertion"))
    return {
        "type": record.get(columns.find("Activity Type")),
        "name": record.get(columns.find("Activity Name")) or None,
        "start_time_utc": _start(record, columns.find("Activity Date")),
        "elapsed_s": _first(sheet, record, list(reversed(elapsed)), seconds=True),
        "moving_s": _value(sheet, record, columns.find("Moving Time"), seconds=True),
        "timer_s": _value(sheet, record, columns.find("Timer Time"), seconds=True),
        "distance_m": metres,
        "calories_kcal": _value(sheet, record, columns.find("Calories")),
        "avg_hr": _value(sheet, record, columns.find("Average Heart Rate")),
        "max_hr": _first(sheet, record, columns.every("Max Heart Rate")),
        "rpe": rpe if rpe is not None and 1 <= rpe <= 10 else None,
        "source_ref": record.get(columns.find("Activity ID")) or None,
    }


def _older(sheet: Sheet, record: Record, columns: Columns, options: Options) -> dict[str, Any]:
    return {
        "type": record.get(columns.find("type")),
        "name": record.get(columns.find("name")) or None,
        "start_time_utc": _start(record, columns.find("date")),
        "elapsed_s": _value(sheet, record, columns.find("elapsed_time"), seconds=True),
        "moving_s": _value(sheet, record, columns.find("moving_time"), seconds=True),
        "timer_s": _value(sheet, record, columns.find("timer_time"), seconds=True),
        "distance_m": _value(sheet, record, columns.find("distance")),
        "source_ref": record.get(columns.find("id")) or None,
    }
