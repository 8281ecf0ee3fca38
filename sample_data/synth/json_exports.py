"""Generated JSON account exports for the sample set: Garmin's "Export Your Data" zip, a Polar Flow export and a
Fitbit Google Takeout zip, each with what a reader must find in it.

All three belong to the sample athlete (Europe/Berlin) and fall in the two weeks after the FIT training history, so
they overlap nothing else in ``sample_data/``:

- ``exports/garmin-account-export.zip``: ``DI_CONNECT/DI-Connect-Fitness/..._summarizedActivities.json`` with two
  runs (the first also as a FIT file in the zip's uploaded files: it counts once, the FIT file's), a manual hike, a
  strength workout with ``summarizedExerciseSets`` (no FIT file: its sets come from the summary), a multi-sport
  parent with its five legs, and an activity without a start (a quarantine row); beside it the export's profile,
  sleep, daily-summary and personal-record JSON (skipped with their kinds);
- ``exports/polar/``: two ``training-session-*.json`` (a run with heart-rate, speed and distance samples, a strength
  session) and a daily ``activity-*.json`` (skipped);
- ``exports/takeout-fitbit.zip``: ``Takeout/Fitbit/Global Export Data/exercise-0.json`` (a walk, weights, a run in
  km, a ride in miles, one exercise without a start) with ``sleep-*.json`` and ``heart_rate-*.json`` (skipped).

:func:`export_files` returns path -> (bytes, expectations); the expectations go to ``EXPECTED.json`` under
``"json_exports"``. The same call always gives the same bytes.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from synth.history import DEFAULT_ZONE, DEVICES, ActivityPlan, encode_activity, endurance_session, summarize
from synth.zips import zip_bytes

FOLDER = "exports"
GARMIN_ZIP = f"{FOLDER}/garmin-account-export.zip"
FITBIT_ZIP = f"{FOLDER}/takeout-fitbit.zip"
POLAR_DIR = f"{FOLDER}/polar"
ZIP_TIME = (2025, 6, 2, 6, 0, 0)
ACCOUNT = "athlete@example.org"
FITNESS = "DI_CONNECT/DI-Connect-Fitness"
UPLOADED = "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip"
FITBIT_DIR = "Takeout/Fitbit/Global Export Data"
KJ_PER_KCAL = 4.1868  # as Connect scales kcal into the export (see sources.json_exports.garmin)
ZONE = ZoneInfo(DEFAULT_ZONE)


def _local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ZONE)


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _wall_ms(moment: datetime) -> int:
    """The local wall clock as epoch milliseconds, as Garmin writes ``startTimeLocal``."""
    return _ms(moment.replace(tzinfo=UTC))


def _json(doc: Any) -> bytes:
    return (json.dumps(doc, indent=1, ensure_ascii=False) + "\n").encode()


def _expected(
    start: datetime, sport: str, category: str, *, elapsed_s: float, sets: int = 0, distance_m: float | None = None
) -> dict[str, Any]:
    utc = start.astimezone(UTC).replace(tzinfo=None)
    return {
        "start_time_utc": utc.isoformat(),
        "start_time_local": start.replace(tzinfo=None).isoformat(),
        "utc_offset_s": int((start.utcoffset() or timedelta(0)).total_seconds()),
        "sport": sport,
        "category": category,
        "elapsed_s": elapsed_s,
        "distance_m": distance_m,
        "sets": sets,
    }


# ---- Garmin ----------------------------------------------------------------------------------------------------


def _garmin_activity(
    activity_id: int,
    name: str,
    type_key: str,
    sport_type: str,
    start: datetime,
    seconds: float,
    *,
    distance_m: float | None = None,
    kcal: float = 300.0,
    avg_hr: int | None = 135,
    max_hr: int | None = 160,
    **extra: Any,
) -> dict[str, Any]:
    """One activity as the account export writes it: epoch ms, ms durations, cm distances, kJ calories."""
    record: dict[str, Any] = {
        "activityId": activity_id,
        "uuidMsb": 4_711_000 + activity_id % 1000,
        "uuidLsb": -8_123_000 - activity_id % 1000,
        "name": name,
        "activityType": type_key,
        "userProfileId": 90_210_001,
        "timeZoneId": 124,
        "beginTimestamp": _ms(start),
        "eventTypeId": 9,
        "rule": "private",
        "sportType": sport_type,
        "startTimeGmt": _ms(start),
        "startTimeLocal": _wall_ms(start),
        "duration": round(seconds * 1000, 1),
        "elapsedDuration": round(seconds * 1000, 1),
        "movingDuration": round(seconds * 1000, 1),
        "distance": None if distance_m is None else round(distance_m * 100, 1),
        "calories": round(kcal * KJ_PER_KCAL, 3),
        "bmrCalories": round(seconds / 60 * 1.2 * KJ_PER_KCAL, 3),
        "avgHr": avg_hr,
        "maxHr": max_hr,
        "favorite": False,
        "pr": False,
        "manualActivity": False,
        "autoCalcCalories": False,
        "elevationCorrected": False,
        "atpActivity": False,
        "parent": False,
    }
    record.update(extra)
    return {k: v for k, v in record.items() if v is not None}


def _garmin_export() -> tuple[bytes, dict[str, Any]]:
    rng = random.Random("json_exports:garmin")
    # the first run is recorded by the watch too: its FIT file is in the export's uploaded files
    run_start = _local(2025, 5, 19, 7, 0)
    session = endurance_session(rng, run_start.astimezone(UTC), "running", 40 * 60)
    plan = ActivityPlan(DEVICES["garmin_fr965"], (session,), int((run_start.utcoffset() or timedelta()).seconds))
    fit_data = encode_activity(plan)
    (fit_summary,) = summarize(plan)
    fit_member = f"{ACCOUNT}_18500001.fit"

    run2 = _local(2025, 5, 20, 18, 30)
    hike = _local(2025, 5, 21, 12, 0)
    lift = _local(2025, 5, 22, 7, 0)
    multi = _local(2025, 5, 24, 9, 0)
    legs = [  # (id, typeKey, sportType, minutes, distance m)
        (18500011, "open_water_swimming", "SWIMMING", 20, 1000.0),
        (18500012, "transition_v2", "TRANSITION", 3, None),
        (18500013, "road_biking", "CYCLING", 60, 30000.0),
        (18500014, "transition_v2", "TRANSITION", 2, None),
        (18500015, "running", "RUNNING", 40, 8000.0),
    ]
    exercise_sets = [
        {
            "category": "BENCH_PRESS",
            "subCategory": "BARBELL_BENCH_PRESS",
            "reps": 24,
            "volume": 1_440_000.0,
            "duration": 125_000.0,
            "sets": 3,
            "maxWeight": 60_000.0,
        },
        {
            "category": "SQUAT",
            "subCategory": "BARBELL_BACK_SQUAT",
            "reps": 15,
            "volume": 1_200_000.0,
            "duration": 110_000.0,
            "sets": 3,
            "maxWeight": 80_000.0,
        },
        {
            "category": "PULL_UP",
            "subCategory": "PULL_UP",
            "reps": 24,
            "volume": 0.0,
            "duration": 90_000.0,
            "sets": 3,
            "maxWeight": 0.0,
        },
        {"category": "PLANK", "subCategory": "PLANK", "reps": 0, "volume": 0.0, "duration": 60_000.0, "sets": 1},
        {
            "category": "UNKNOWN",
            "reps": 10,
            "volume": 200_000.0,
            "duration": 40_000.0,
            "sets": 1,
            "maxWeight": 20_000.0,
        },
        {"category": "CURL", "subCategory": "STANDING_DUMBBELL_BICEPS_CURL", "reps": "many", "sets": 2},
    ]
    activities = [
        _garmin_activity(
            18500001,
            "Berlin Running",
            "running",
            "RUNNING",
            run_start,
            fit_summary.elapsed_s,
            distance_m=fit_summary.distance_m,
            avg_hr=fit_summary.avg_hr,
            max_hr=fit_summary.max_hr,
            deviceId=DEVICES["garmin_fr965"].serial_number,
        ),
        _garmin_activity(18500002, "Evening Run", "running", "RUNNING", run2, 35 * 60, distance_m=6543.2),
        _garmin_activity(
            18500003, "Hike (typed in)", "hiking", "HIKING", hike, 90 * 60, distance_m=7000.0, manualActivity=True
        ),
        _garmin_activity(
            18500004,
            "Strength",
            "strength_training",
            "TRAINING",
            lift,
            48 * 60,
            summarizedExerciseSets=exercise_sets,
        ),
        _garmin_activity(
            18500010,
            "Sprint Triathlon",
            "multi_sport",
            "MULTI_SPORT",
            multi,
            sum(m for *_, m, _ in legs) * 60,
            distance_m=39000.0,
            parent=True,
            childIds=[leg[0] for leg in legs],
        ),
    ]
    expected = [
        {
            "ref": "18500001",
            **_expected(
                run_start, "running", "other", elapsed_s=fit_summary.elapsed_s, distance_m=fit_summary.distance_m
            ),
            "duplicate_of_fit": True,
        },
        {"ref": "18500002", **_expected(run2, "running", "other", elapsed_s=35 * 60, distance_m=6543.2)},
        {
            "ref": "18500003",
            **_expected(hike, "hiking", "other", elapsed_s=90 * 60, distance_m=7000.0),
            "device": "manual entry",
        },
        {"ref": "18500004", **_expected(lift, "training", "resistance", elapsed_s=48 * 60, sets=3 + 3 + 3 + 1 + 1)},
    ]
    clock = multi
    for leg_id, type_key, sport_type, minutes, distance in legs:
        activities.append(
            _garmin_activity(
                leg_id,
                f"Triathlon {type_key}",
                type_key,
                sport_type,
                clock,
                minutes * 60,
                distance_m=distance,
                parentId=18500010,
            )
        )
        sport = {"SWIMMING": "swimming", "CYCLING": "cycling", "RUNNING": "running"}.get(sport_type, "transition")
        expected.append(
            {"ref": str(leg_id), **_expected(clock, sport, "other", elapsed_s=minutes * 60, distance_m=distance)}
        )
        clock += timedelta(minutes=minutes)
    activities.append({"activityId": 18500099, "name": "Lost start", "activityType": "running", "duration": 1e6})

    files = {
        f"{FITNESS}/{ACCOUNT}_0_summarizedActivities.json": _json([{"summarizedActivitiesExport": activities}]),
        f"{FITNESS}/{ACCOUNT}_personalRecord.json": _json(
            [{"personalRecordId": 1, "personalRecordType": "RUN_5K", "value": 1450.2}]
        ),
        "DI_CONNECT/DI-Connect-User/user_profile.json": _json(
            {"userName": ACCOUNT, "timeZone": DEFAULT_ZONE, "measurementSystem": "metric"}
        ),
        "DI_CONNECT/DI-Connect-Wellness/2025-05-19_2025-05-25_90210001_sleepData.json": _json(
            [
                {
                    "calendarDate": f"2025-05-{day}",
                    "deepSleepSeconds": 5400,
                    "lightSleepSeconds": 14400,
                    "remSleepSeconds": 5000,
                    "sleepStartTimestampGMT": f"2025-05-{day - 1}T21:30:00.0",
                }
                for day in range(20, 26)
            ]
        ),
        "DI_CONNECT/DI-Connect-Aggregator/UDSFile_2025-05-19_2025-05-25.json": _json(
            [
                {"calendarDate": f"2025-05-{day}", "totalSteps": 9000 + day, "restingHeartRate": 52}
                for day in range(19, 26)
            ]
        ),
        UPLOADED: zip_bytes([(fit_member, fit_data)], ZIP_TIME),
    }
    skipped = {
        f"{FITNESS}/{ACCOUNT}_personalRecord.json": "Garmin personal records",
        "DI_CONNECT/DI-Connect-User/user_profile.json": "Garmin user profile",
        "DI_CONNECT/DI-Connect-Wellness/2025-05-19_2025-05-25_90210001_sleepData.json": "Garmin sleep records",
        "DI_CONNECT/DI-Connect-Aggregator/UDSFile_2025-05-19_2025-05-25.json": "Garmin daily summaries",
    }
    expectation = {
        "format": "json:garmin",
        "activities": expected,
        "quarantined_rows": [
            {"table": "activities", "reason": "activity 18500099: no start time"},
            {"table": "strength_sets", "reason": "activity 18500004, exercise 6: reps"},
        ],
        "fit_member": f"{UPLOADED}!/{fit_member}",
        "skipped": skipped,
    }
    return zip_bytes(files.items(), ZIP_TIME), expectation


# ---- Polar -----------------------------------------------------------------------------------------------------


def _polar_wall(moment: datetime) -> str:
    return moment.replace(tzinfo=None).isoformat(timespec="milliseconds")


def _polar_run() -> tuple[bytes, dict[str, Any]]:
    rng = random.Random("json_exports:polar")
    start = _local(2025, 5, 23, 17, 0)
    seconds = 45 * 60 + 12.5
    offset_min = int((start.utcoffset() or timedelta()).total_seconds() // 60)
    heart, speed, distance = [], [], []
    covered, hr = 0.0, 95.0
    for step in range(0, int(seconds), 10):
        moment = _polar_wall(start + timedelta(seconds=step))
        hr += (152 - hr) * 0.08 + rng.uniform(-2, 2)
        kmh = round(rng.uniform(10.2, 11.4), 1)
        covered += kmh / 3.6 * (10 if step else 0)
        heart.append({"dateTime": moment, "value": round(hr)})
        speed.append({"dateTime": moment, "value": kmh})
        distance.append({"dateTime": moment, "value": round(covered, 1)})
    heart[5]["value"] = "--"  # a sample a reader cannot read: left out and counted
    total = round(covered, 1)
    per_km = seconds * 1000 / total
    auto_laps = [
        {
            "lapNumber": n,
            "splitTime": f"PT{round(per_km * (n + 1), 1)}S",
            "duration": f"PT{round(per_km, 1)}S",
            "distance": 1000.0,
            "heartRate": {"min": 120, "avg": 140 + n, "max": 150 + n},
        }
        for n in range(int(total // 1000))
    ]
    session = {
        "exportVersion": "1.6",
        "name": "Evening run",
        "startTime": _polar_wall(start),
        "stopTime": _polar_wall(start + timedelta(seconds=seconds)),
        "timeZoneOffset": offset_min,
        "distance": total,
        "duration": "PT45M12.5S",
        "maximumHeartRate": max(h["value"] for h in heart if isinstance(h["value"], int)),
        "averageHeartRate": 141,
        "kiloCalories": 512,
        "sport": "RUNNING",
        "exercises": [
            {
                "startTime": _polar_wall(start),
                "stopTime": _polar_wall(start + timedelta(seconds=seconds)),
                "timezoneOffset": offset_min,
                "duration": "PT45M12.5S",
                "distance": total,
                "sport": "RUNNING",
                "kiloCalories": 512,
                "heartRate": {"min": 92, "avg": 141, "max": 161},
                "speed": {"avg": 10.8, "max": 11.4},
                "samples": {"heartRate": heart, "speed": speed, "distance": distance},
                "autoLaps": auto_laps,
            }
        ],
    }
    expect = {
        "format": "json:polar",
        "activities": [_expected(start, "running", "other", elapsed_s=seconds, distance_m=total)],
        "samples": len(heart),
        "laps": len(auto_laps),
        "quarantined_rows": [{"table": "samples", "reason": "exercise 1: 1 heartRate samples unreadable"}],
    }
    return _json(session), expect


def _polar_strength() -> tuple[bytes, dict[str, Any]]:
    start = _local(2025, 5, 25, 10, 0)
    offset_min = int((start.utcoffset() or timedelta()).total_seconds() // 60)
    session = {
        "exportVersion": "1.6",
        "startTime": _polar_wall(start),
        "stopTime": _polar_wall(start + timedelta(minutes=50)),
        "timeZoneOffset": offset_min,
        "duration": "PT50M",
        "sport": "STRENGTH_TRAINING",
        "kiloCalories": 310,
        "exercises": [
            {
                "startTime": _polar_wall(start),
                "timezoneOffset": offset_min,
                "duration": "PT50M",
                "sport": "STRENGTH_TRAINING",
                "kiloCalories": 310,
                "heartRate": {"min": 70, "avg": 112, "max": 151},
            }
        ],
    }
    expect = {
        "format": "json:polar",
        "activities": [_expected(start, "training", "resistance", elapsed_s=50 * 60)],
        "samples": 0,
        "quarantined_rows": [],
    }
    return _json(session), expect


def _polar_daily() -> bytes:
    return _json(
        {
            "exportVersion": "1.6",
            "date": "2025-05-23",
            "summary": {"stepCount": 11234, "calories": 2650},
            "samples": {"steps": [{"dateTime": "2025-05-23T00:00:00.000", "value": 0}]},
        }
    )


# ---- Fitbit ----------------------------------------------------------------------------------------------------


def _fitbit_time(moment: datetime) -> str:
    return moment.strftime("%m/%d/%y %H:%M:%S")


def _fitbit_export() -> tuple[bytes, dict[str, Any]]:
    walk = _local(2025, 5, 26, 8, 10)
    weights = _local(2025, 5, 27, 18, 0)
    run = _local(2025, 5, 28, 7, 0)
    ride = _local(2025, 5, 29, 17, 30)
    zones = [
        {"name": "Out of Range", "min": 30, "max": 98, "minutes": 5},
        {"name": "Fat Burn", "min": 98, "max": 137, "minutes": 20},
        {"name": "Cardio", "min": 137, "max": 166, "minutes": 9},
        {"name": "Peak", "min": 166, "max": 220, "minutes": 0},
    ]

    type_ids = {"Walk": 90013, "Weights": 2131, "Run": 90009, "Outdoor Bike": 1071}

    def exercise(log_id: int, name: str, start: datetime, minutes: int, log_type: str, **extra: Any) -> dict[str, Any]:
        return {
            "logId": log_id,
            "activityName": name,
            "activityTypeId": type_ids[name],
            "averageHeartRate": 118,
            "calories": 7 * minutes,
            "duration": minutes * 60_000,
            "activeDuration": minutes * 60_000 - 30_000,
            "logType": log_type,
            "heartRateZones": zones,
            "lastModified": _fitbit_time(start + timedelta(minutes=minutes + 5)),
            "startTime": _fitbit_time(start),
            "originalStartTime": _fitbit_time(start),
            "originalDuration": minutes * 60_000,
            "hasGps": False,
            "shouldFetchDetails": False,
            **extra,
        }

    exercises = [
        exercise(61000001, "Walk", walk, 34, "auto_detected", steps=3900, distance=2.61, distanceUnit="Kilometer"),
        exercise(61000002, "Weights", weights, 55, "manual"),
        exercise(
            61000003, "Run", run, 31, "tracker", distance=5.2, distanceUnit="Kilometer", source={"name": "Charge 6"}
        ),
        exercise(61000004, "Outdoor Bike", ride, 62, "mobile_run", distance=12.5, distanceUnit="Mile"),
        {"logId": 61000009, "activityName": "Walk", "duration": 600_000, "logType": "auto_detected"},
    ]
    files = {
        f"{FITBIT_DIR}/exercise-0.json": _json(exercises),
        f"{FITBIT_DIR}/sleep-2025-05-26.json": _json(
            [
                {
                    "logId": 7001,
                    "dateOfSleep": "2025-05-27",
                    "startTime": "2025-05-26T23:10:00.000",
                    "minutesAsleep": 431,
                    "duration": 27_000_000,
                    "type": "stages",
                }
            ]
        ),
        f"{FITBIT_DIR}/heart_rate-2025-05-26.json": _json(
            [{"dateTime": "05/26/25 08:10:05", "value": {"bpm": 88, "confidence": 2}} for _ in range(3)]
        ),
    }
    expect = {
        "format": "json:fitbit",
        "activities": [
            _expected(walk, "walking", "other", elapsed_s=34 * 60, distance_m=2610.0),
            _expected(weights, "training", "resistance", elapsed_s=55 * 60),
            _expected(run, "running", "other", elapsed_s=31 * 60, distance_m=5200.0),
            _expected(ride, "cycling", "other", elapsed_s=62 * 60, distance_m=12.5 * 1609.344),
        ],
        "quarantined_rows": [{"table": "activities", "reason": "exercise 61000009: no start time"}],
        "skipped": {
            f"{FITBIT_DIR}/sleep-2025-05-26.json": "Fitbit sleep records",
            f"{FITBIT_DIR}/heart_rate-2025-05-26.json": "Fitbit heart-rate readings",
        },
    }
    return zip_bytes(files.items(), ZIP_TIME), expect


def export_files() -> dict[str, tuple[bytes, dict[str, Any]]]:
    """Path (relative to ``sample_data/``) -> (bytes, what a reader must find in it), for every JSON export sample."""
    garmin, garmin_expect = _garmin_export()
    fitbit, fitbit_expect = _fitbit_export()
    run, run_expect = _polar_run()
    lift, lift_expect = _polar_strength()
    return {
        GARMIN_ZIP: (garmin, garmin_expect),
        FITBIT_ZIP: (fitbit, fitbit_expect),
        f"{POLAR_DIR}/training-session-2025-05-23-8069454250-1a2b3c4d.json": (run, run_expect),
        f"{POLAR_DIR}/training-session-2025-05-25-8069454377-5e6f7a8b.json": (lift, lift_expect),
        f"{POLAR_DIR}/activity-2025-05-23-8069454251.json": (
            _polar_daily(),
            {"format": "json:polar", "skipped": "Polar daily activity"},
        ),
    }
