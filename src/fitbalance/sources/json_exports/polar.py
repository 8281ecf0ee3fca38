"""Polar Flow's account export: ``training-session-<date>-<id>.json``, one training session a file.

The shape (Polar's export, ``exportVersion`` 1.x): the session's ``startTime``, ``stopTime``, ``timeZoneOffset``,
``duration``, ``distance``, ``kiloCalories``, ``sport``, and its ``exercises``: one per sport of the
session (a triathlon has several), each with

- ``startTime``/``stopTime``: wall times without a zone (``2021-03-02T17:48:40.000``) with ``timezoneOffset`` in
  minutes east of UTC; a time written with its own offset (``...+02:00``, ``...Z``) is read as written. Which clock
  the bare times are on is not documented, and published parsers disagree: Polar's AccessLink API gives local start
  times with their offset, while two published parsers of this export (GitHub, 2025: a ``TrainingParser`` of
  ``polar-user-data-export*`` zips and its notebook predecessor) add ``timezoneOffset`` to the exercises' and their
  samples' times, taking them as UTC. The file itself says which: the session's own ``startTime`` (the local start
  the file is named by, ``training-session-<local date>-...``) equal to its first exercise's ``startTime`` means
  the exercise times are local (UTC = local - offset); the two ``timezoneOffset`` minutes apart means the exercise
  times and their samples are UTC (local = UTC + offset). Without a session start to compare, times are read as
  local, the AccessLink reading;
- ``duration`` as an ISO 8601 duration (``PT1H2M3.5S``, ``PT3217.925S``); ``distance`` in metres; ``kiloCalories``;
  ``heartRate`` ``{min, avg, max}``; ``sport`` (``RUNNING``, ``STRENGTH_TRAINING``..., mapped in ``sports.toml``);
- ``samples``: ``heartRate``, ``speed`` (km/h), ``cadence``, ``altitude`` (m), ``distance`` (m) as lists of
  ``{dateTime, value}``, and ``recordedRoute`` (``{dateTime, latitude, longitude, altitude}``), times like the
  start's.

The session's ``name`` is not read: Polar's CSV export of the same session puts the athlete's own name in that
field, and nothing says the JSON's is different; an activity is named by its sport (``Strength Training``).

A session whose ``exercises`` list is empty is read as one exercise from its own totals.

Each exercise is one activity with its samples (one row per time, the kinds joined) and its laps (``laps``, else
``autoLaps``: ``duration``, ``splitTime``, ``distance``, ``heartRate``), its offset read from the file
(``utc_offset_source`` ``row``). An exercise without a start is set aside with its values (and its samples are
counted as set aside with it); a lap that cannot be read is set aside alone; a sample whose value is not a number is
left out and counted, one quarantine row per exercise and kind saying how many.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fitbalance.models import RAW_ACTIVITY_SCHEMA, RAW_LAP_SCHEMA, RAW_SAMPLE_SCHEMA, Decoded
from fitbalance.sources.csv.helpers import local_to_utc, utc_offset
from fitbalance.sources.csv.sports import GENERIC
from fitbalance.sources.json_exports.helpers import (
    RecordRejected,
    Records,
    as_utc,
    frame,
    iso_datetime,
    iso_duration,
    number,
    plausible_offset,
    text,
)
from fitbalance.sources.json_exports.sports import sport_of

FORMAT = "json:polar"
KMH = 1 / 3.6
INT32 = 2**31  # heart rates are whole numbers in a 32-bit column; an impossible one that fits is repaired later
# sample kind -> (sample column, factor to SI)
SAMPLE_KINDS: dict[str, tuple[str, float]] = {
    "heartRate": ("heart_rate", 1.0),
    "speed": ("speed_mps", KMH),
    "cadence": ("cadence", 1.0),
    "altitude": ("altitude_m", 1.0),
    "distance": ("distance_m", 1.0),
}


def detect(doc: Any) -> bool:
    """A session object with a list of exercises that have a start or a sport."""
    if not isinstance(doc, dict) or not isinstance(doc.get("exercises"), list):
        return False
    exercises = [e for e in doc["exercises"] if isinstance(e, dict)]
    return any(("startTime" in e or "sport" in e) and "duration" in e for e in exercises) or (
        "exportVersion" in doc and "startTime" in doc and not doc["exercises"]
    )


def read(doc: Any, path: str, zone: ZoneInfo) -> Decoded:
    records = Records(path)
    exercises = doc.get("exercises") or ([_session_as_exercise(doc)] if "duration" in doc else [])
    activities: list[dict[str, Any]] = []
    samples: list[dict[str, Any]] = []
    laps: list[dict[str, Any]] = []
    session_offset = _minutes(doc.get("timeZoneOffset", doc.get("timezoneOffset")))
    in_utc = _exercises_in_utc(doc, exercises, session_offset)
    for i, exercise in enumerate(exercises):
        where = f"exercise {i + 1}"
        try:
            row = _activity(exercise, doc, session_offset, zone, in_utc)
        except (RecordRejected, ValueError, TypeError, OverflowError) as exc:
            records.set_aside(where, str(exc), exercise)
            count = _sample_count(exercise) if isinstance(exercise, dict) else 0
            if count:
                records.set_aside(where, "its samples, set aside with it", {}, table="samples", rows=count)
            continue
        index = len(activities)
        row["session_index"] = index
        activities.append(row)
        samples += _samples(exercise, index, 0 if in_utc else row["utc_offset_s"], records, where)
        laps += _laps(exercise, index, row["start_time_utc"], records, where)
    if not activities:
        if records.rejected:
            raise records.error(
                f"no exercise could be read ({len(records.rejected)} set aside), the first: "
                f"{records.rejected[0].reason}"
            )
        return Decoded(FORMAT, file_type="no_activities", detail="Polar training session with no exercises")
    return Decoded(
        FORMAT,
        activities=frame(activities, RAW_ACTIVITY_SCHEMA),
        samples=frame(samples, RAW_SAMPLE_SCHEMA),
        laps=frame(laps, RAW_LAP_SCHEMA),
        rejected=tuple(records.rejected),
    )


def _minutes(value: Any) -> int | None:
    try:
        minutes = number(value, "timezoneOffset")
    except ValueError:
        return None
    return None if minutes is None else plausible_offset(minutes * 60)


SAME_INSTANT_S = 2  # the session's and its first exercise's starts, rounded differently by the export


def _exercises_in_utc(session: Mapping[str, Any], exercises: list[Any], offset: int | None) -> bool:
    """Whether the exercises' bare times are UTC: the session's local start lies ``offset`` after the first
    exercise's (see the module docstring); False when nothing tells (no session start, no offset, offset 0)."""
    first = next((e for e in exercises if isinstance(e, dict) and e.get("startTime")), None)
    if not offset or first is None or not session.get("startTime"):
        return False
    try:
        session_wall, session_own = iso_datetime(session["startTime"], "startTime")
        exercise_wall, exercise_own = iso_datetime(first["startTime"], "startTime")
    except ValueError:
        return False
    if session_own is not None or exercise_own is not None:
        return False
    apart = (session_wall - exercise_wall).total_seconds()
    return abs(apart - offset) <= SAME_INSTANT_S < abs(apart)


def _when(
    value: Any, offset: int | None, zone: ZoneInfo, what: str, in_utc: bool = False
) -> tuple[datetime, int, str | None]:
    """UTC time, offset and its source: the text's own offset, else the exercise's, else the athlete's zone. With
    ``in_utc`` a bare time is UTC already and the offset only places it locally."""
    wall, own = iso_datetime(value, what)
    if own is not None:
        return as_utc(wall, own), own, "row"
    if in_utc:
        if offset is not None:
            return wall, offset, "row"
        return wall, utc_offset(wall, zone), None
    if offset is not None:
        return as_utc(wall, offset), offset, "row"
    utc, placed = local_to_utc(wall, zone)
    return utc, placed, None


def _activity(
    exercise: Any, session: Mapping[str, Any], session_offset: int | None, zone: ZoneInfo, in_utc: bool
) -> dict[str, Any]:
    if not isinstance(exercise, dict):
        raise RecordRejected(f"not an exercise object: {type(exercise).__name__}")
    offset = _minutes(exercise.get("timezoneOffset", exercise.get("timeZoneOffset")))
    offset = session_offset if offset is None else offset
    start_text = exercise.get("startTime") or (session.get("startTime") if len(session["exercises"]) == 1 else None)
    if not start_text:
        raise RecordRejected("no start time (startTime missing)")
    from_session = start_text is not exercise.get("startTime")  # the session's own start: a local time
    start, used, source = _when(start_text, offset, zone, "startTime", in_utc and not from_session)
    timer = iso_duration(exercise.get("duration"), "duration")
    elapsed = timer
    if exercise.get("stopTime"):
        try:
            stop, _, _ = _when(exercise["stopTime"], offset, zone, "stopTime", in_utc and not from_session)
        except ValueError:
            if timer is None:  # the stop was the only duration: the exercise cannot be read
                raise
        else:
            if stop >= start:
                elapsed = (stop - start).total_seconds()
    sport_name = _sport_name(exercise.get("sport")) or _sport_name(session.get("sport"))
    sport = sport_of("polar", sport_name)
    name = sport_name.replace("_", " ").title() if sport_name else None  # the session's "name" is not read
    found = exercise.get("heartRate")
    heart: dict[str, Any] = found if isinstance(found, dict) else {}
    return {
        "sport": (sport or GENERIC)[0],
        "sub_sport": (sport or GENERIC)[1],
        "name": name,
        "start_time_utc": start,
        "utc_offset_s": used,
        "utc_offset_source": source,
        "elapsed_s": elapsed,
        "timer_s": timer,  # Polar's duration: the recording time, pauses left out
        "distance_m": number(exercise.get("distance"), "distance"),
        "calories_kcal": number(exercise.get("kiloCalories"), "kiloCalories"),
        "avg_hr": number(heart.get("avg"), "heartRate.avg"),
        "max_hr": number(heart.get("max"), "heartRate.max"),
        "device": text(session.get("deviceId")) or text(exercise.get("deviceId")),
        "source_ref": text(exercise.get("identifier")) or text(session.get("identifier")) or str(start_text),
    }


def _listed(value: Any) -> list[Any]:
    """A list of samples; anything else holds none."""
    return value if isinstance(value, list) else []


def _session_as_exercise(session: Mapping[str, Any]) -> dict[str, Any]:
    """A session whose ``exercises`` list is empty, read as its one exercise from its own totals."""
    heart = {"avg": session.get("averageHeartRate"), "max": session.get("maximumHeartRate")}
    return {**{k: v for k, v in session.items() if k != "exercises"}, "heartRate": heart}


def _sport_name(value: Any) -> str | None:
    """``RUNNING``, or the name of a sport written as an object (``{"id": 1, "name": "Running"}``)."""
    if isinstance(value, dict):
        return text(value.get("name")) or text(value.get("id"))
    return text(value)


def _laps(
    exercise: Mapping[str, Any], index: int, start: datetime, records: Records, where: str
) -> list[dict[str, Any]]:
    """The exercise's laps (``laps``, pressed by the athlete, else ``autoLaps``, every km or mile): each starts at its
    ``splitTime`` (the time since the start at its end) less its ``duration``."""
    laps = _listed(exercise.get("laps")) or _listed(exercise.get("autoLaps"))
    rows: list[dict[str, Any]] = []
    for n, lap in enumerate(laps):
        try:
            if not isinstance(lap, dict):
                raise RecordRejected(f"not a lap object: {type(lap).__name__}")
            seconds = iso_duration(lap.get("duration"), "duration")
            split = iso_duration(lap.get("splitTime"), "splitTime")
            found = lap.get("heartRate")
            heart: dict[str, Any] = found if isinstance(found, dict) else {}
            began = None if split is None or seconds is None else start + timedelta(seconds=split - seconds)
            rows.append(
                {
                    "session_index": index,
                    "lap_index": len(rows),
                    "start_time_utc": began,
                    "elapsed_s": seconds,
                    "distance_m": number(lap.get("distance"), "distance"),
                    "avg_hr": number(heart.get("avg"), "heartRate.avg"),
                    "max_hr": number(heart.get("max"), "heartRate.max"),
                }
            )
        except (RecordRejected, ValueError, TypeError, OverflowError) as exc:
            records.set_aside(f"{where}, lap {n + 1}", str(exc), lap, table="laps")
    return rows


def _sample_count(exercise: Mapping[str, Any]) -> int:
    found = exercise.get("samples")
    if not isinstance(found, dict):
        return 0
    times: set[str] = set()
    for kind in (*SAMPLE_KINDS, "recordedRoute"):
        for sample in _listed(found.get(kind)):
            if isinstance(sample, dict):
                times.add(str(sample.get("dateTime")))
    return len(times)


def _samples(
    exercise: Mapping[str, Any], index: int, offset: int, records: Records, where: str
) -> list[dict[str, Any]]:
    """The exercise's samples, one row per time; unreadable ones counted as set aside, per kind."""
    found = exercise.get("samples")
    if not isinstance(found, dict):
        return []
    rows: dict[datetime, dict[str, Any]] = {}
    zone = ZoneInfo("UTC")

    def row_at(value: Any) -> dict[str, Any]:
        moment, _, _ = _when(value, offset, zone, "dateTime")
        return rows.setdefault(moment, {"session_index": index, "timestamp_utc": moment})

    for kind, (column, factor) in SAMPLE_KINDS.items():
        bad: list[str] = []
        for sample in _listed(found.get(kind)):
            try:
                if not isinstance(sample, dict):
                    raise ValueError(f"not a sample object: {sample!r}")
                value = number(sample.get("value"), kind)
                row = row_at(sample.get("dateTime"))
                if value is not None and column == "heart_rate" and not -INT32 < value < INT32:
                    raise ValueError(f"heartRate {value:g} is not a heart rate")
                if value is not None:
                    row[column] = round(value) if column == "heart_rate" else value * factor
            except (ValueError, TypeError) as exc:
                bad.append(str(exc))
        if bad:
            records.set_aside(where, f"{len(bad)} {kind} samples unreadable, the first: {bad[0]}", {}, "samples", 0)
    bad_route: list[str] = []
    for point in _listed(found.get("recordedRoute")):
        try:
            if not isinstance(point, dict):
                raise ValueError(f"not a route point: {point!r}")
            row = row_at(point.get("dateTime"))
            row["lat"] = number(point.get("latitude"), "latitude")
            row["lon"] = number(point.get("longitude"), "longitude")
            altitude = number(point.get("altitude"), "altitude")
            if altitude is not None and row.get("altitude_m") is None:
                row["altitude_m"] = altitude
        except (ValueError, TypeError) as exc:
            bad_route.append(str(exc))
    if bad_route:
        records.set_aside(
            where, f"{len(bad_route)} route points unreadable, the first: {bad_route[0]}", {}, "samples", 0
        )
    return [rows[moment] for moment in sorted(rows)]
