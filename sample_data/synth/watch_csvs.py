"""Generated exports of the watches and bands whose own export is CSV: Samsung Health, WHOOP and Mi Fit / Zepp.

One athlete in Europe/Berlin (UTC+01:00 in January) over four weeks from Monday 2026-01-05, after every other sample
period (nothing here overlaps the sample history or the other CSV samples):

- a **Samsung Health** export folder ``samsunghealth_athlete_20260202090000/`` as the app writes it: the exercise
  table (a byte-order mark, the table line ``com.samsung.shealth.exercise,6313001,9``, prefixed column names, UTC
  times with ``time_offset`` ``UTC+0100``, durations in ms, a stray delimiter at the end of every row) with Monday
  evenings on the weight machines (15002), Wednesday kettlebell sessions saved as a custom type (code 0, named
  "Kettlebell strength"), Tuesday runs (1002, the first with inline ``live_data`` samples), Saturday walks (1001)
  and one circuit training (10007); beside it the step-count and sleep tables (skipped with their kind);
- a **WHOOP** export folder ``whoop/``: ``workouts.csv`` with Thursday Weightlifting, Sunday runs in the cycle's zone
  ``UTC+01:00`` with their distance, one Functional Fitness and one Yoga; beside it ``physiological_cycles.csv``;
- a **Mi Fit / Zepp** export ``mifit/`` with ``SPORT/SPORT_<when>.csv`` (Friday outdoor runs, type 1, and Saturday
  strength training, type 52; UTC starts like ``2026-01-09 06:00:00+0000``, metres, ``-1`` for paces not measured)
  and ``ACTIVITY/ACTIVITY_<when>.csv`` (daily totals, skipped).

:func:`watch_files` gives each file's bytes and what a reader must make of it (``EXPECTED.json``, under
``"watches"``), from the generator's own plan, never from running a reader.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from synth.csv_samples import csv_text

__all__ = ["FOLDER", "START", "WEEKS", "ZONE", "Session", "planned_sessions", "watch_files"]

FOLDER = "watches"
ZONE = ZoneInfo("Europe/Berlin")
START = date(2026, 1, 5)  # a Monday
WEEKS = 4
SEED = "watch-csvs"
SAMSUNG_DIR = "samsunghealth_athlete_20260202090000"
SAMSUNG_STAMP = "20260202090000"
SAMSUNG_VERSION = "6313001"


@dataclass(frozen=True)
class Session:
    """One workout as the athlete did it: local start, minutes, what it was, and its figures."""

    local_start: datetime
    minutes: int
    kind: str  # the app's code or name
    resistance: bool
    metres: float | None = None
    kcal: float = 0.0
    avg_hr: int | None = None
    max_hr: int | None = None
    custom: str = ""

    @property
    def utc_start(self) -> datetime:
        return self.local_start.replace(tzinfo=ZONE).astimezone(UTC).replace(tzinfo=None)

    @property
    def offset_s(self) -> int:
        offset = self.local_start.replace(tzinfo=ZONE).utcoffset()
        return int(offset.total_seconds()) if offset is not None else 0


def _day(week: int, weekday: int, hour: int, minute: int) -> datetime:
    day = START + timedelta(weeks=week, days=weekday)
    return datetime(day.year, day.month, day.day, hour, minute)


def _expect(status: str, sessions: list[Session] | None = None, **more: Any) -> dict[str, Any]:
    found: dict[str, Any] = {"status": status, **more}
    if sessions is not None:
        found["activities"] = len(sessions)
        found["resistance"] = sum(s.resistance for s in sessions)
        found["other"] = sum(not s.resistance for s in sessions)
    return found


# ---- Samsung Health ----------------------------------------------------------------------------------------------

SAMSUNG_PREFIX = "com.samsung.health.exercise."
SAMSUNG_COLUMNS = [
    "live_data_internal",
    "total_calorie",
    "heart_rate_sample_count",
    "title",
    f"{SAMSUNG_PREFIX}duration",
    f"{SAMSUNG_PREFIX}start_time",
    f"{SAMSUNG_PREFIX}exercise_type",
    f"{SAMSUNG_PREFIX}mean_heart_rate",
    f"{SAMSUNG_PREFIX}max_heart_rate",
    f"{SAMSUNG_PREFIX}update_time",
    f"{SAMSUNG_PREFIX}create_time",
    f"{SAMSUNG_PREFIX}distance",
    f"{SAMSUNG_PREFIX}calorie",
    f"{SAMSUNG_PREFIX}time_offset",
    f"{SAMSUNG_PREFIX}deviceuuid",
    f"{SAMSUNG_PREFIX}live_data",
    f"{SAMSUNG_PREFIX}pkg_name",
    f"{SAMSUNG_PREFIX}exercise_custom_type",
    f"{SAMSUNG_PREFIX}end_time",
    f"{SAMSUNG_PREFIX}datauuid",
]


def samsung_sessions(rng: random.Random) -> list[Session]:
    sessions = []
    for week in range(WEEKS):
        sessions.append(
            Session(_day(week, 0, 18, rng.randrange(0, 20)), rng.randrange(55, 70), "15002", True, None, 310, 108, 151)
        )
        km = rng.uniform(6, 9)
        sessions.append(
            Session(
                _day(week, 1, 7, rng.randrange(0, 20)),
                round(km * 5.6),
                "1002",
                False,
                round(km * 1000, 1),
                round(km * 65),
                146,
                171,
            )
        )
        sessions.append(
            Session(
                _day(week, 2, 18, rng.randrange(0, 20)),
                40,
                "0",
                True,
                None,
                260,
                121,
                160,
                custom="Kettlebell strength",
            )
        )
        sessions.append(
            Session(_day(week, 5, 10, 0), rng.randrange(40, 70), "1001", False, round(rng.uniform(3, 5) * 1000), 180)
        )
    sessions.append(Session(_day(2, 4, 17, 30), 30, "10007", False, None, 280, 139, 168))
    return sorted(sessions, key=lambda s: s.local_start)


def _samsung_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{moment.microsecond // 1000:03d}"


def _samsung_table(table: str, header: list[str], rows: list[list[str]]) -> bytes:
    """A Samsung export CSV: BOM, the table line, the header, rows, each line ending in a stray delimiter."""
    lines = [f"{table},{SAMSUNG_VERSION},{len(header)}", ",".join(header) + ","]
    lines += [csv_text([row]).rstrip("\n") + "," for row in rows]
    return ("\ufeff" + "\n".join(lines) + "\n").encode("utf-8")


SamsungLayout = Literal["current", "legacy"]
"""How the exercise table is written. ``current`` (the sample files): as above. ``legacy``: as older app versions
wrote it, after a parser of both layouts on GitHub (a ``samsung_export`` module and its tests, 2025): the table
named alone on the first line under its older name (``com.samsung.health.exercise``), no byte-order mark, column
names without the table prefix, no stray delimiter, and ``time_offset`` in milliseconds (``3600000``, the unit of
the Samsung Health SDK's TIME_OFFSET), start and end still UTC (the SDK's START_TIME)."""


def _samsung_legacy_table(table: str, header: list[str], rows: list[list[str]]) -> bytes:
    lines = [table, ",".join(name.removeprefix(SAMSUNG_PREFIX) for name in header)]
    lines += [csv_text([row]).rstrip("\n") for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _live_data(session: Session) -> str:
    start_ms = int(session.utc_start.replace(tzinfo=UTC).timestamp() * 1000)
    points = [
        {"start_time": start_ms + minute * 60_000, "heart_rate": 120 + minute % 30, "speed": 2.9}
        for minute in range(session.minutes)
    ]
    return json.dumps(points, separators=(",", ":"))


def samsung_exercise(
    rng: random.Random, sessions: list[Session], layout: SamsungLayout = "current"
) -> tuple[bytes, dict[str, Any]]:
    rows = []
    samples = 0
    for index, s in enumerate(sessions):
        end = s.utc_start + timedelta(minutes=s.minutes, seconds=rng.randrange(0, 50))
        live = _live_data(s) if index == 1 else f"{index:08x}.com.samsung.health.exercise.live_data.json"
        samples += s.minutes if index == 1 else 0
        values = {
            "live_data_internal": "",
            "total_calorie": f"{s.kcal + 0.25:.2f}",
            "heart_rate_sample_count": str(s.minutes * 12 if s.avg_hr else 0),
            "title": "",
            "duration": str(s.minutes * 60_000),
            "start_time": _samsung_time(s.utc_start),
            "exercise_type": s.kind,
            "mean_heart_rate": str(s.avg_hr or ""),
            "max_heart_rate": str(s.max_hr or ""),
            "update_time": _samsung_time(end + timedelta(minutes=1)),
            "create_time": _samsung_time(end + timedelta(minutes=1)),
            "distance": f"{s.metres:.1f}" if s.metres else "",
            "calorie": f"{s.kcal:.1f}",
            "time_offset": "UTC+0100" if layout == "current" else str(s.offset_s * 1000),
            "deviceuuid": "Zx9Kq3Ld0B",
            "live_data": live,
            "pkg_name": "com.sec.android.app.shealth",
            "exercise_custom_type": s.custom,
            "end_time": _samsung_time(end),
            "datauuid": f"5a1e{index:04d}-7b2c-4d3e-9f10-{index:012d}",
        }
        rows.append([values[name.removeprefix(SAMSUNG_PREFIX)] for name in SAMSUNG_COLUMNS])
    if layout == "legacy":
        data = _samsung_legacy_table("com.samsung.health.exercise", SAMSUNG_COLUMNS, rows)
    else:
        data = _samsung_table("com.samsung.shealth.exercise", SAMSUNG_COLUMNS, rows)
    return data, _expect("loaded", sessions, samples=samples)


def samsung_live_data_files(sessions: list[Session]) -> dict[str, bytes]:
    """The ``jsons/`` files the exercise table's rows name in ``live_data`` (every workout but the second, whose
    samples are inline), by path relative to the table: ``jsons/com.samsung.shealth.exercise/<first character of the
    datauuid>/<datauuid>.com.samsung.health.exercise.live_data.json``, as current exports keep them (a
    Samsung-to-Garmin converter on GitHub reads them there), each a JSON list of one point a minute (epoch ms,
    bpm, m/s). Not in the sample folder: a variant for the tests (``samples`` in :func:`samsung_exercise`'s
    expectation counts the inline ones only)."""
    files = {}
    for index, session in enumerate(sessions):
        if index == 1:
            continue
        uuid = f"5a1e{index:04d}-7b2c-4d3e-9f10-{index:012d}"
        name = f"{index:08x}.com.samsung.health.exercise.live_data.json"
        files[f"jsons/com.samsung.shealth.exercise/{uuid[0]}/{name}"] = _live_data(session).encode()
    return files


def samsung_steps(rng: random.Random) -> tuple[bytes, dict[str, Any]]:
    prefix = "com.samsung.health.step_count."
    header = [f"{prefix}start_time", f"{prefix}end_time", f"{prefix}count", f"{prefix}distance", f"{prefix}time_offset"]
    rows = []
    for day in range(WEEKS * 7):
        moment = datetime.combine(START + timedelta(days=day), datetime.min.time()) + timedelta(hours=9)
        steps = rng.randrange(5000, 12000)
        end = moment + timedelta(hours=12)
        rows.append([_samsung_time(moment), _samsung_time(end), str(steps), f"{steps * 0.75:.1f}", "UTC+0100"])
    data = _samsung_table("com.samsung.shealth.tracker.pedometer_step_count", header, rows)
    return data, _expect("skipped", kind="step counts")


def samsung_sleep(rng: random.Random) -> tuple[bytes, dict[str, Any]]:
    prefix = "com.samsung.health.sleep."
    header = ["sleep_score", "efficiency", f"{prefix}start_time", f"{prefix}end_time", f"{prefix}time_offset"]
    rows = []
    for day in range(WEEKS * 7):
        bed = datetime.combine(START + timedelta(days=day), datetime.min.time()) + timedelta(hours=22)
        score, efficiency = str(rng.randrange(60, 95)), f"{rng.uniform(85, 97):.1f}"
        wake = bed + timedelta(hours=7, minutes=rng.randrange(60))
        rows.append([score, efficiency, _samsung_time(bed), _samsung_time(wake), "UTC+0100"])
    return _samsung_table("com.samsung.shealth.sleep", header, rows), _expect("skipped", kind="sleep records")


# ---- WHOOP -------------------------------------------------------------------------------------------------------

WHOOP_HEADER = [
    "Cycle start time",
    "Cycle end time",
    "Cycle timezone",
    "Workout start time",
    "Workout end time",
    "Duration (min)",
    "Activity name",
    "Activity Strain",
    "Energy burned (cal)",
    "Max HR (bpm)",
    "Average HR (bpm)",
    "HR Zone 1 %",
    "HR Zone 2 %",
    "HR Zone 3 %",
    "HR Zone 4 %",
    "HR Zone 5 %",
    "GPS enabled",
    "Distance (meters)",
    "Altitude Gain (meters)",
]


def whoop_sessions(rng: random.Random) -> list[Session]:
    sessions = []
    for week in range(WEEKS):
        name = "Functional Fitness" if week == 2 else "Weightlifting"
        sessions.append(Session(_day(week, 3, 18, 30), rng.randrange(50, 65), name, True, None, 390, 118, 162))
        km = rng.uniform(10, 14)
        sessions.append(
            Session(_day(week, 6, 10, 0), round(km * 5.8), "Running", False, round(km * 1000), round(km * 66), 148, 175)
        )
    sessions.append(Session(_day(1, 2, 7, 0), 45, "Yoga", False, None, 120, 92, 118))
    return sorted(sessions, key=lambda s: s.local_start)


WHOOP_GERMAN = {
    "Cycle start time": "Startzeit des Zyklus",
    "Cycle end time": "Endzeit des Zyklus",
    "Cycle timezone": "Zeitzone des Zyklus",
    "Workout start time": "Startzeit des Trainings",
    "Workout end time": "Endzeit des Trainings",
    "Duration (min)": "Dauer (Min.)",
    "Activity name": "Name der Aktivität",
    "Activity Strain": "Aktivitätsbelastung",
    "Energy burned (cal)": "Verbrannte Energie (cal)",
    "Max HR (bpm)": "Max HF (Schläge pro Minute)",
    "Average HR (bpm)": "Durchschnittliche HF (Schläge pro Minute)",
    **{f"HR Zone {n} %": f"HF-Zone {n} %" for n in range(1, 6)},
    "GPS enabled": "GPS aktiviert",
    "Running": "Laufen",
}
"""A German account's WHOOP export, as WHOOP importers on GitHub pin it from real files (2026): the column names and
the activity names seen there; the distance columns (no German name seen) are left out."""


def whoop_workouts(
    rng: random.Random, sessions: list[Session], language: Literal["en", "de"] = "en"
) -> tuple[bytes, dict[str, Any]]:
    """``workouts.csv``; ``language="de"``: as a German account gets it (``Trainings.csv``, :data:`WHOOP_GERMAN`)."""
    rows = [WHOOP_HEADER]
    for s in sessions:
        cycle = datetime.combine(s.local_start.date(), datetime.min.time()) + timedelta(minutes=rng.randrange(0, 50))
        zones = [rng.randrange(5, 30) for _ in range(4)]
        end = s.local_start + timedelta(minutes=s.minutes)
        rows.append(
            [
                cycle.strftime("%Y-%m-%d %H:%M:%S"),
                (cycle + timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S"),
                "UTC+01:00",
                s.local_start.strftime("%Y-%m-%d %H:%M:%S"),
                end.strftime("%Y-%m-%d %H:%M:%S"),
                str(s.minutes),
                s.kind,
                f"{rng.uniform(6, 15):.1f}",
                f"{s.kcal:.1f}",
                str(s.max_hr),
                str(s.avg_hr),
                *[str(z) for z in zones],
                str(100 - sum(zones)),
                "true" if s.metres else "false",
                str(s.metres) if s.metres else "",
                str(rng.randrange(20, 90)) if s.metres else "",
            ]
        )
    if language == "de":
        kept = [i for i, name in enumerate(WHOOP_HEADER) if name in WHOOP_GERMAN]
        rows = [[WHOOP_GERMAN.get(row[i], row[i]) for i in kept] for row in rows]
    return csv_text(rows).encode("utf-8"), _expect("loaded", sessions)


def whoop_cycles(rng: random.Random) -> tuple[bytes, dict[str, Any]]:
    header = ["Cycle start time", "Cycle end time", "Cycle timezone", "Recovery score %", "Resting heart rate (bpm)"]
    header += ["Heart rate variability (ms)", "Day Strain", "Energy burned (cal)", "Sleep onset", "Wake onset"]
    rows = [header]
    for day in range(WEEKS * 7):
        start = datetime.combine(START + timedelta(days=day), datetime.min.time()) + timedelta(minutes=30)
        rows.append(
            [
                start.strftime("%Y-%m-%d %H:%M:%S"),
                (start + timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S"),
                "UTC+01:00",
                str(rng.randrange(30, 95)),
                str(rng.randrange(48, 58)),
                str(rng.randrange(40, 90)),
                f"{rng.uniform(5, 18):.1f}",
                str(rng.randrange(2000, 3200)),
                start.strftime("%Y-%m-%d %H:%M:%S"),
                (start + timedelta(hours=7)).strftime("%Y-%m-%d %H:%M:%S"),
            ]
        )
    return csv_text(rows).encode("utf-8"), _expect("skipped", kind="physiological cycles")


# ---- Mi Fit / Zepp -----------------------------------------------------------------------------------------------

MIFIT_HEADER = [
    "type",
    "startTime",
    "sportTime(s)",
    "maxPace(/meter)",
    "minPace(/meter)",
    "distance(m)",
    "avgPace(/meter)",
    "calories(kcal)",
]


def mifit_sessions(rng: random.Random) -> list[Session]:
    sessions = []
    for week in range(WEEKS):
        km = rng.uniform(5, 8)
        sessions.append(
            Session(_day(week, 4, 7, rng.randrange(0, 15)), round(km * 6), "1", False, round(km * 1000), round(km * 62))
        )
        sessions.append(Session(_day(week, 5, 16, 0), rng.randrange(35, 50), "52", True, None, 240))
    return sorted(sessions, key=lambda s: s.local_start)


def mifit_sport(sessions: list[Session], *, units: bool = True) -> tuple[bytes, dict[str, Any]]:
    """The SPORT table. ``units=False``: as an older Mi Fit export writes it (a Mi Fit importer on GitHub pins the
    header in its test): a byte-order mark, column names without their units (``sportTime``, ``distance``,
    ``avgPace``...), the start in epoch seconds, and 0 for what the band did not measure."""
    rows = [MIFIT_HEADER if units else [re.sub(r"\(.*\)$", "", name) for name in MIFIT_HEADER]]
    missing = "-1.0" if units else "0"
    for s in sessions:
        seconds = s.minutes * 60
        pace = [f"{seconds / s.metres * 0.9:.4f}", f"{seconds / s.metres * 1.1:.4f}"] if s.metres else [missing] * 2
        start = s.utc_start.replace(tzinfo=UTC)
        rows.append(
            [
                s.kind,
                start.strftime("%Y-%m-%d %H:%M:%S") + "+0000" if units else str(int(start.timestamp())),
                str(seconds),
                *pace,
                f"{s.metres:.1f}" if s.metres else missing,
                f"{seconds / s.metres:.4f}" if s.metres else missing,
                f"{s.kcal:.1f}",
            ]
        )
    return ("" if units else "\ufeff").encode() + csv_text(rows).encode("utf-8"), _expect("loaded", sessions)


MI_FITNESS_KEYS = {"1": ("outdoor_running", "running"), "52": ("strength_training", "physical_training")}


def mi_fitness_sport_record(sessions: list[Session]) -> tuple[bytes, dict[str, Any]]:
    """The same workouts as Xiaomi's Mi Fitness app exports them (not a sample file: a variant for the tests):
    ``<date>_<uid>_MiFitness_hlth_center_sport_record.csv`` with ``Uid,Sid,Key,Time,Category,Value,UpdateTime``, the
    workout a JSON object in ``Value`` (epoch seconds, seconds, metres, kcal, ``avg_hrm``), as published parsers of
    that export read it (see fitbalance.sources.csv.mi_fitness)."""
    rows = [["Uid", "Sid", "Key", "Time", "Category", "Value", "UpdateTime"]]
    for s in sessions:
        start = int(s.utc_start.replace(tzinfo=UTC).timestamp())
        seconds = s.minutes * 60
        key, category = MI_FITNESS_KEYS[s.kind]
        value: dict[str, Any] = {"sport_type": 1 if s.kind == "1" else 11, "start_time": start}
        value |= {"end_time": start + seconds, "duration": seconds, "calories": s.kcal, "avg_hrm": s.avg_hr or 118}
        if s.metres:
            value["distance"] = s.metres
        values = json.dumps(value, separators=(",", ":"))
        rows.append(["6499811869", "1130263720", key, str(start), category, values, str(start + seconds + 60)])
    return csv_text(rows).encode("utf-8"), _expect("loaded", sessions)


def mifit_activity(rng: random.Random) -> tuple[bytes, dict[str, Any]]:
    rows = [["date", "steps", "distance", "runDistance", "calories"]]
    for day in range(WEEKS * 7):
        steps = rng.randrange(4000, 14000)
        rows.append([(START + timedelta(days=day)).isoformat(), str(steps), str(round(steps * 0.7)), "0", "300"])
    return csv_text(rows).encode("utf-8"), _expect("skipped", kind="daily activity totals")


# ---- all of them ---------------------------------------------------------------------------------------------------


def _rng(name: str) -> random.Random:
    return random.Random(f"{SEED}:{name}")


def planned_sessions() -> dict[str, list[Session]]:
    """The workouts each app recorded, by app (``samsung``, ``whoop``, ``mifit``), in time order."""
    return {
        "samsung": samsung_sessions(_rng("samsung")),
        "whoop": whoop_sessions(_rng("whoop")),
        "mifit": mifit_sessions(_rng("mifit")),
    }


def watch_files() -> dict[str, tuple[bytes, dict[str, Any]]]:
    """``watches/<path>`` -> (bytes, what a reader must make of it). The same bytes on every call."""
    rng = _rng
    planned = planned_sessions()
    samsung, whoop, mifit = planned["samsung"], planned["whoop"], planned["mifit"]
    stamp = int(datetime(2026, 2, 2, 9, tzinfo=UTC).timestamp())
    made = {
        f"{SAMSUNG_DIR}/com.samsung.shealth.exercise.{SAMSUNG_STAMP}.csv": samsung_exercise(rng("exercise"), samsung),
        f"{SAMSUNG_DIR}/com.samsung.shealth.tracker.pedometer_step_count.{SAMSUNG_STAMP}.csv": samsung_steps(
            rng("steps")
        ),
        f"{SAMSUNG_DIR}/com.samsung.shealth.sleep.{SAMSUNG_STAMP}.csv": samsung_sleep(rng("sleep")),
        "whoop/workouts.csv": whoop_workouts(rng("workouts"), whoop),
        "whoop/physiological_cycles.csv": whoop_cycles(rng("cycles")),
        f"mifit/SPORT/SPORT_{stamp}.csv": mifit_sport(mifit),
        f"mifit/ACTIVITY/ACTIVITY_{stamp}.csv": mifit_activity(rng("activity")),
    }
    return {f"{FOLDER}/{name}": value for name, value in made.items()}
