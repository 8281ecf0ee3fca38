"""Generated CSV exports, one per dialect, of one plausible athlete (deterministic for a seed).

The athlete lives in Europe/Berlin, runs on Tuesday, Thursday and Sunday mornings with a Garmin watch (the
runs sync to Strava), lifts on Monday, Wednesday and Friday evenings logging sets in Hevy (the watch records
the same sessions as "Strength Training": the same session arriving twice), and rides a bike now and then
(Strava only). Before switching to Hevy the athlete logged lifts in Strong (imperial units, the semicolon
layout) and, years before, in Strong's older kg/km layout; the German Garmin export covers that earlier
period.

``python -m synth.csv_samples --out sample_data/csv`` writes every file of :func:`samples`.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Europe/Berlin")
SEED = 20250901
HEVY_START = date(2025, 9, 1)  # a Monday
HEVY_WEEKS = 8
STRONG_START = date(2025, 7, 7)  # a Monday: four weeks of Strong before Hevy
STRONG_WEEKS = 4
LB = 0.45359237

STRAVA_HEADER = [
    "Activity ID",
    "Activity Date",
    "Activity Name",
    "Activity Type",
    "Activity Description",
    "Elapsed Time",
    "Distance",
    "Max Heart Rate",
    "Relative Effort",
    "Commute",
    "Activity Private Note",
    "Activity Gear",
    "Filename",
    "Athlete Weight",
    "Bike Weight",
    "Elapsed Time",
    "Moving Time",
    "Distance",
    "Max Speed",
    "Average Speed",
    "Elevation Gain",
    "Elevation Loss",
    "Elevation Low",
    "Elevation High",
    "Max Grade",
    "Average Grade",
    "Average Positive Grade",
    "Average Negative Grade",
    "Max Cadence",
    "Average Cadence",
    "Max Heart Rate",
    "Average Heart Rate",
    "Max Watts",
    "Average Watts",
    "Calories",
    "Max Temperature",
    "Average Temperature",
    "Relative Effort",
    "Total Work",
    "Number of Runs",
    "Uphill Time",
    "Downhill Time",
    "Other Time",
    "Perceived Exertion",
    "Type",
    "Start Time",
    "Weighted Average Power",
    "Power Count",
    "Prefer Perceived Exertion",
    "Perceived Relative Effort",
    "Commute",
    "Total Weight Lifted",
    "From Upload",
    "Grade Adjusted Distance",
    "Weather Observation Time",
    "Weather Condition",
    "Weather Temperature",
    "Apparent Temperature",
    "Dewpoint",
    "Humidity",
    "Weather Pressure",
    "Wind Speed",
    "Wind Gust",
    "Wind Bearing",
    "Precipitation Intensity",
    "Sunrise Time",
    "Sunset Time",
    "Moon Phase",
    "Bike",
    "Gear",
    "Precipitation Probability",
    "Precipitation Type",
    "Cloud Cover",
    "Weather Visibility",
    "UV Index",
    "Weather Ozone",
    "Jump Count",
    "Total Grit",
    "Average Flow",
    "Flagged",
    "Average Elapsed Speed",
    "Dirt Distance",
    "Newly Explored Distance",
    "Newly Explored Dirt Distance",
    "Activity Count",
    "Total Steps",
    "Carbon Saved",
    "Pool Length",
    "Training Load",
    "Intensity",
    "Average Grade Adjusted Pace",
    "Timer Time",
    "Total Cycles",
    "Media",
]


@dataclass(frozen=True)
class Cardio:
    """One endurance session as the watch saw it (local wall time)."""

    start: datetime
    kind: str  # "run" | "ride" | "walk"
    seconds: int
    moving: int
    metres: float
    avg_hr: int
    max_hr: int
    kcal: int
    cadence: int
    stride_m: float


@dataclass(frozen=True)
class LiftSet:
    exercise: str
    set_type: str  # normal | warmup | dropset | failure
    kg: float | None
    reps: int | None
    metres: float | None = None
    seconds: int | None = None
    rpe: float | None = None


@dataclass(frozen=True)
class Workout:
    title: str
    start: datetime
    minutes: int
    sets: tuple[LiftSet, ...]


# ---- the athlete's training ----------------------------------------------------------------------


def _days(first: date, weeks: int, weekdays: tuple[int, ...]) -> Iterator[date]:
    for week in range(weeks):
        for weekday in weekdays:
            yield first + timedelta(weeks=week, days=weekday)


def runs(rng: random.Random, first: date, weeks: int) -> list[Cardio]:
    """Tuesday and Thursday easy runs, a longer Sunday run; 07:00-ish local."""
    sessions = []
    for day in _days(first, weeks, (1, 3, 6)):
        km = rng.uniform(12, 16) if day.weekday() == 6 else rng.uniform(6, 9)
        pace = rng.uniform(315, 350)  # s/km
        seconds = round(km * pace)
        start = datetime(day.year, day.month, day.day, 7, rng.randrange(0, 30), rng.randrange(60))
        cadence = rng.randrange(166, 176)
        stride = round(1000 / pace / (cadence / 60), 2)
        sessions.append(
            Cardio(
                start,
                "run",
                seconds + rng.randrange(20, 90),
                seconds,
                round(km * 1000, 1),
                rng.randrange(138, 152),
                rng.randrange(165, 182),
                round(km * 66),
                cadence,
                stride,
            )
        )
    return sessions


def rides(rng: random.Random, first: date, weeks: int) -> list[Cardio]:
    """A Saturday ride every other week (recorded with the phone, Strava only)."""
    sessions = []
    for day in _days(first, weeks, (5,)):
        if (day - first).days // 7 % 2:
            continue
        km = rng.uniform(35, 60)
        seconds = round(km / rng.uniform(24, 28) * 3600)
        start = datetime(day.year, day.month, day.day, 10, rng.randrange(60), rng.randrange(60))
        sessions.append(
            Cardio(
                start,
                "ride",
                seconds + 300,
                seconds,
                round(km * 1000, 1),
                rng.randrange(125, 140),
                rng.randrange(160, 172),
                round(km * 25),
                85,
                0.0,
            )
        )
    return sessions


PROGRAM: dict[str, tuple[tuple[str, float, int, int], ...]] = {
    # title: (exercise, start kg, sets, reps)
    "Full Body A": (
        ("Squat (Barbell)", 80, 3, 5),
        ("Bench Press (Barbell)", 60, 3, 5),
        ("Bent Over Row (Barbell)", 55, 3, 8),
        ("Plank", 0, 2, 0),
    ),
    "Full Body B": (
        ("Deadlift (Barbell)", 100, 1, 5),
        ("Overhead Press (Barbell)", 40, 3, 5),
        ("Pull Up", 0, 3, 8),
        ("Treadmill", 0, 1, 0),
    ),
    "Full Body C": (
        ("Front Squat (Barbell)", 60, 3, 6),
        ("Incline Bench Press (Dumbbell)", 22, 3, 10),
        ("Lat Pulldown (Cable)", 55, 3, 10),
        ("Lateral Raise (Dumbbell)", 8, 3, 15),
    ),
}


def _sets(rng: random.Random, title: str, week: int) -> tuple[LiftSet, ...]:
    sets: list[LiftSet] = []
    for exercise, base, count, reps in PROGRAM[title]:
        if exercise == "Plank":
            sets += [LiftSet(exercise, "normal", None, None, seconds=60 + 5 * week) for _ in range(count)]
            continue
        if exercise == "Treadmill":
            sets.append(LiftSet(exercise, "normal", None, None, metres=2000.0, seconds=600 - 5 * week))
            continue
        kg = base + 2.5 * week if base else None
        if kg is not None and base >= 40:
            sets.append(LiftSet(exercise, "warmup", round(kg * 0.5 / 2.5) * 2.5, 8))
        for index in range(count):
            last = index == count - 1
            kind = "failure" if last and week % 4 == 3 else "normal"
            rpe = round(rng.choice((7.0, 7.5, 8.0, 8.5)) + (1 if last else 0), 1) if base else None
            sets.append(LiftSet(exercise, kind, kg if kg is not None else 0.0, reps, rpe=rpe))
        if exercise.startswith("Lateral") and week % 2:
            sets.append(LiftSet(exercise, "dropset", (kg or 0) - 2, 10))
    return tuple(sets)


def hevy_workouts(rng: random.Random, first: date = HEVY_START, weeks: int = HEVY_WEEKS) -> list[Workout]:
    """Monday, Wednesday and Friday evenings, one program day each, loads rising 2.5 kg a week."""
    workouts = []
    titles = ("Full Body A", "Full Body B", "Full Body C")
    for n, day in enumerate(_days(first, weeks, (0, 2, 4))):
        title = titles[n % 3]
        start = datetime(day.year, day.month, day.day, 18, rng.randrange(0, 20))
        workouts.append(Workout(title, start, rng.randrange(55, 75), _sets(rng, title, n // 3)))
    return workouts


# ---- writers -------------------------------------------------------------------------------------


def csv_text(rows: list[list[str]], *, delimiter: str = ",", quote_all: bool = False, newline: str = "\n") -> str:
    out = io.StringIO()
    writer = csv.writer(
        out,
        delimiter=delimiter,
        lineterminator=newline,
        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
    )
    writer.writerows(rows)
    return out.getvalue()


def hms(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def _utc(local: datetime) -> datetime:
    return local.replace(tzinfo=ZONE).astimezone(UTC).replace(tzinfo=None)


def garmin_english(rng: random.Random, cardio: list[Cardio], lifts: list[Workout]) -> bytes:
    """Garmin Connect Activities.csv, English UI, metric: runs and the watch's strength sessions."""
    header = [
        "Activity Type",
        "Date",
        "Favorite",
        "Title",
        "Distance",
        "Calories",
        "Time",
        "Avg HR",
        "Max HR",
        "Aerobic TE",
        "Avg Run Cadence",
        "Max Run Cadence",
        "Avg Pace",
        "Best Pace",
        "Total Ascent",
        "Total Descent",
        "Avg Stride Length",
        "Steps",
        "Moving Time",
        "Elapsed Time",
        "Min Elevation",
        "Max Elevation",
    ]
    rows: list[tuple[datetime, list[str]]] = []
    for c in cardio:
        if c.kind != "run":
            continue
        pace = c.moving / (c.metres / 1000)
        steps = round(c.cadence * c.moving / 60)
        rows.append(
            (
                c.start,
                [
                    "Running",
                    f"{c.start:%Y-%m-%d %H:%M:%S}",
                    "false",
                    "Berlin Running",
                    f"{c.metres / 1000:.2f}",
                    f"{c.kcal:,}",
                    hms(c.moving),
                    str(c.avg_hr),
                    str(c.max_hr),
                    f"{rng.uniform(2.5, 3.8):.1f}",
                    str(c.cadence),
                    str(c.cadence + 14),
                    f"{int(pace // 60)}:{int(pace % 60):02d}",
                    f"{int(pace // 60) - 1}:{int(pace % 60):02d}",
                    str(rng.randrange(20, 90)),
                    str(rng.randrange(20, 90)),
                    f"{c.stride_m:.2f}",
                    f"{steps:,}",
                    hms(c.moving),
                    hms(c.seconds),
                    "34",
                    "61",
                ],
            )
        )
    for w in lifts:
        start = w.start - timedelta(minutes=1)
        rows.append(
            (
                start,
                [
                    "Strength Training",
                    f"{start:%Y-%m-%d %H:%M:%S}",
                    "false",
                    "Strength",
                    "0.00",
                    str(5 * w.minutes),
                    hms(w.minutes * 60),
                    str(rng.randrange(95, 115)),
                    str(rng.randrange(140, 160)),
                    "1.2",
                    "--",
                    "--",
                    "--",
                    "--",
                    "--",
                    "--",
                    "--",
                    str(rng.randrange(300, 900)),
                    hms(w.minutes * 60),
                    hms(w.minutes * 60 + 60),
                    "--",
                    "--",
                ],
            )
        )
    rows.sort(key=lambda r: r[0], reverse=True)  # Garmin lists newest first
    return csv_text([header, *[r for _, r in rows]]).encode("utf-8")


def garmin_german(rng: random.Random, cardio: list[Cardio]) -> bytes:
    """An older German export: title and blank line before the header, decimal commas, CRLF, UTF-8 BOM."""
    header = [
        "Aktivitätstyp",
        "Datum",
        "Favorit",
        "Titel",
        "Distanz",
        "Kalorien",
        "Zeit",
        "Ø HF",
        "Max. HF",
        "Aerober TE",
        "Ø Schrittfrequenz (Laufen)",
        "Ø Pace",
        "Positiver Höhenunterschied",
        "Ø Schrittlänge",
        "Zeit in Bewegung",
        "Verstrichene Zeit",
    ]
    rows = []
    for c in sorted(cardio, key=lambda c: c.start, reverse=True):
        pace = c.moving / (c.metres / 1000)
        kind = "Laufen" if c.kind == "run" else "Radfahren"
        rows.append(
            [
                kind,
                f"{c.start:%Y-%m-%d %H:%M:%S}",
                "false",
                f"Berlin {kind}",
                f"{c.metres / 1000:.2f}".replace(".", ","),
                f"{c.kcal:,}".replace(",", "."),
                hms(c.moving) + ",5",
                str(c.avg_hr),
                str(c.max_hr),
                f"{rng.uniform(2.5, 3.8):.1f}".replace(".", ","),
                str(c.cadence) if c.kind == "run" else "--",
                f"{int(pace // 60)}:{int(pace % 60):02d}",
                str(rng.randrange(20, 400)),
                f"{c.stride_m:.2f}".replace(".", ",") if c.kind == "run" else "--",
                hms(c.moving),
                hms(c.seconds),
            ]
        )
    body = csv_text([["Aktivitäten"], [], header, *rows], newline="\r\n")
    return "\ufeff".encode() + body.encode("utf-8")


def _strava_date(utc: datetime) -> str:
    hour = utc.hour % 12 or 12
    return f"{utc:%b} {utc.day}, {utc.year}, {hour}:{utc:%M:%S} {'AM' if utc.hour < 12 else 'PM'}"


def strava_bulk(rng: random.Random, cardio: list[Cardio], first_id: int = 15_000_000_000) -> bytes:
    """Strava bulk export activities.csv (94 columns, duplicated names, UTC dates, display unit km)."""
    position = {name: [i for i, h in enumerate(STRAVA_HEADER) if h == name] for name in set(STRAVA_HEADER)}
    rows = []
    for n, c in enumerate(sorted(cardio, key=lambda c: c.start, reverse=True)):
        row = [""] * len(STRAVA_HEADER)
        kind = "Run" if c.kind == "run" else "Ride"
        part = "Morning" if c.start.hour < 12 else "Afternoon"
        values = {
            "Activity ID": [str(first_id - n * 7919)],
            "Activity Date": [_strava_date(_utc(c.start))],
            "Activity Name": [f"{part} {kind}"],
            "Activity Type": [kind],
            "Elapsed Time": [str(c.seconds), f"{c.seconds:.1f}"],
            "Moving Time": [f"{c.moving:.1f}"],
            "Distance": [f"{c.metres / 1000:.2f}", f"{c.metres + rng.uniform(-30, 30):.1f}"],
            "Max Heart Rate": [f"{c.max_hr:.1f}", ""],
            "Average Heart Rate": [f"{c.avg_hr + 0.4:.1f}"],
            "Calories": [f"{c.kcal:.1f}"],
            "Commute": ["false", "0.0"],
            "Relative Effort": ["40", "40.0"],
            "Filename": [f"activities/{first_id - n * 7919}.fit.gz"],
            "From Upload": ["1.0"],
            "Perceived Exertion": [""],
        }
        for name, cells in values.items():
            for index, cell in zip(position[name], cells, strict=False):
                row[index] = cell
        rows.append(row)
    return csv_text([STRAVA_HEADER, *rows]).encode("utf-8")


def strava_older(rng: random.Random) -> bytes:
    """The older Strava layout (id,date,name,type,...; UTC; metres), rides and runs from 2019."""
    header = [
        "id",
        "date",
        "name",
        "type",
        "description",
        "elapsed_time",
        "distance",
        "commute",
        "gear",
        "filename",
    ]
    rows = []
    day = datetime(2019, 5, 4, 8, 30, 0)
    for n in range(10):
        kind = "Ride" if n % 2 == 0 else "Run"
        metres = rng.uniform(30_000, 50_000) if kind == "Ride" else rng.uniform(6_000, 10_000)
        seconds = metres / (7.0 if kind == "Ride" else 2.9)
        rows.append(
            [
                str(2_300_000_000 + n * 1001),
                f"{day:%Y-%m-%d %H:%M:%S}",
                f"Weekend {kind}",
                kind,
                "",
                str(round(seconds)),
                f"{metres:.1f}",
                "false",
                "",
                f"activities/{2_300_000_000 + n * 1001}.gpx",
            ]
        )
        day += timedelta(days=rng.choice((3, 4)), minutes=rng.randrange(-60, 60))
    return csv_text([header, *rows]).encode("utf-8")


def _hevy_date(dt: datetime) -> str:
    return f"{dt.day} {dt:%b %Y, %H:%M}"


def hevy(workouts: list[Workout]) -> bytes:
    """Hevy workouts.csv: one row per set, every cell quoted as Hevy does, newest workout first."""
    header = [
        "title",
        "start_time",
        "end_time",
        "description",
        "exercise_title",
        "superset_id",
        "exercise_notes",
        "set_index",
        "set_type",
        "weight_kg",
        "reps",
        "distance_km",
        "duration_seconds",
        "rpe",
    ]
    rows = []
    for w in sorted(workouts, key=lambda w: w.start, reverse=True):
        end = w.start + timedelta(minutes=w.minutes)
        per_exercise: dict[str, int] = {}
        for s in w.sets:
            index = per_exercise.get(s.exercise, 0)
            per_exercise[s.exercise] = index + 1
            rows.append(
                [
                    w.title,
                    _hevy_date(w.start),
                    _hevy_date(end),
                    "",
                    s.exercise,
                    "",
                    "",
                    str(index),
                    s.set_type,
                    "" if s.kg is None else f"{s.kg:g}",
                    "" if s.reps is None else str(s.reps),
                    "" if s.metres is None else f"{s.metres / 1000:g}",
                    "" if s.seconds is None else str(s.seconds),
                    "" if s.rpe is None else f"{s.rpe:g}",
                ]
            )
    text_columns = {0, 1, 2, 3, 4, 6, 8}  # Hevy quotes text cells, even empty ones, and leaves numbers bare
    lines = [",".join(f'"{h}"' for h in header)]
    lines += [",".join(f'"{c}"' if i in text_columns else c for i, c in enumerate(row)) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _strong_duration(minutes: int) -> str:
    return f"{minutes // 60}h {minutes % 60}m" if minutes >= 60 else f"{minutes}m"


def strong_semicolon_lbs(workouts: list[Workout]) -> bytes:
    """Strong's semicolon layout: Weight Unit / Distance Unit columns, lbs and miles, rest-timer rows."""
    header = [
        "Date",
        "Workout Name",
        "Exercise Name",
        "Set Order",
        "Weight",
        "Weight Unit",
        "Reps",
        "RPE",
        "Distance",
        "Distance Unit",
        "Seconds",
        "Notes",
        "Workout Notes",
        "Workout Duration",
    ]
    rows = []
    for w in workouts:
        numbers: dict[str, int] = {}
        for s in w.sets:
            order = "W" if s.set_type == "warmup" else "D" if s.set_type == "dropset" else ""
            if not order:
                numbers[s.exercise] = numbers.get(s.exercise, 0) + 1
                order = "F" if s.set_type == "failure" else str(numbers[s.exercise])
            lbs = "" if s.kg is None else f"{round(s.kg / LB / 5) * 5:g}"
            miles = "" if s.metres is None else f"{s.metres / 1609.344:.2f}"
            rows.append(
                [
                    f"{w.start:%Y-%m-%d %H:%M:%S}",
                    w.title,
                    s.exercise,
                    order,
                    lbs,
                    "lbs" if lbs else "",
                    "" if s.reps is None else str(s.reps),
                    "" if s.rpe is None else f"{s.rpe:g}",
                    miles,
                    "mi" if miles else "",
                    str(s.seconds or 0),
                    "",
                    "",
                    _strong_duration(w.minutes),
                ]
            )
            if s.set_type != "warmup" and s.reps:
                rows.append(
                    [
                        f"{w.start:%Y-%m-%d %H:%M:%S}",
                        w.title,
                        s.exercise,
                        "Rest Timer",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "120",
                        "",
                        "",
                        _strong_duration(w.minutes),
                    ]
                )
    return csv_text([header, *rows], delimiter=";").encode("utf-8")


def strong_current(workouts: list[Workout]) -> bytes:
    """Strong's current comma layout (units unstated: kg here), with ``Duration`` like ``1h 5m``."""
    header = [
        "Date",
        "Workout Name",
        "Duration",
        "Exercise Name",
        "Set Order",
        "Weight",
        "Reps",
        "Distance",
        "Seconds",
        "Notes",
        "Workout Notes",
        "RPE",
    ]
    rows = []
    for w in workouts:
        numbers: dict[str, int] = {}
        for s in w.sets:
            numbers[s.exercise] = numbers.get(s.exercise, 0) + 1
            rows.append(
                [
                    f"{w.start:%Y-%m-%d %H:%M:%S}",
                    w.title,
                    _strong_duration(w.minutes),
                    s.exercise,
                    str(numbers[s.exercise]),
                    f"{s.kg or 0:.1f}",
                    str(s.reps or 0),
                    f"{(s.metres or 0) / 1000:g}",
                    str(s.seconds or 0),
                    "",
                    "",
                    "" if s.rpe is None else f"{s.rpe:g}",
                ]
            )
    return csv_text([header, *rows]).encode("utf-8")


def strong_legacy_kg_km(rng: random.Random) -> bytes:
    """Strong's older layout (``kg`` and ``km`` columns, 0-based Set Order, CRLF), three workouts in 2017."""
    header = ["Date", "Workout Name", "Exercise Name", "Set Order", "kg", "Reps", "km", "Seconds", "Notes"]
    rows = []
    day = datetime(2017, 3, 6, 19, 5, 12)
    for n in range(3):
        for exercise, kg in (("Squat", 60 + 5 * n), ("Bench Press", 45 + 2.5 * n), ("Deadlift", 80 + 5 * n)):
            for order in range(3):
                rows.append(
                    [
                        f"{day:%Y-%m-%d %H:%M:%S}",
                        f"W1D{n + 1}",
                        exercise,
                        str(order),
                        f"{kg:.1f}",
                        "5",
                        "0.0",
                        "0",
                        "",
                    ]
                )
        rows.append(
            [
                f"{day:%Y-%m-%d %H:%M:%S}",
                f"W1D{n + 1}",
                "Running (Treadmill)",
                "0",
                "0.0",
                "0",
                "2.0",
                "720",
                "cool down",
            ]
        )
        day += timedelta(days=2, minutes=rng.randrange(-30, 30))
    return csv_text([header, *rows], newline="\r\n").encode("utf-8")


FITNOTES_EXERCISES: dict[str, tuple[str, str]] = {
    # the program's (Hevy) exercise: FitNotes' default exercise and its category
    "Squat (Barbell)": ("Barbell Squat", "Legs"),
    "Bench Press (Barbell)": ("Flat Barbell Bench Press", "Chest"),
    "Bent Over Row (Barbell)": ("Barbell Row", "Back"),
    "Plank": ("Plank", "Abs"),
    "Deadlift (Barbell)": ("Deadlift", "Back"),
    "Overhead Press (Barbell)": ("Overhead Press", "Shoulders"),
    "Pull Up": ("Pull Up", "Back"),
    "Treadmill": ("Running (Treadmill)", "Cardio"),
    "Front Squat (Barbell)": ("Barbell Front Squat", "Legs"),
    "Incline Bench Press (Dumbbell)": ("Incline Dumbbell Bench Press", "Chest"),
    "Lat Pulldown (Cable)": ("Lat Pulldown", "Back"),
    "Lateral Raise (Dumbbell)": ("Lateral Dumbbell Raise", "Shoulders"),
}


def fitnotes(
    workouts: list[Workout], cardio: Sequence[Cardio] = (), *, weight_unit: str = "kgs", comment: bool = True
) -> bytes:
    """FitNotes' CSV export: dates only, one row per set (warm-ups too: FitNotes has no set types), cardio
    sessions as ``Cardio`` rows with a distance and a time (``0:38:43``), oldest date first.

    ``weight_unit`` ``"kgs"`` or ``"lbs"`` (names the weight column; pounds rounded to 5 lbs); ``comment=False``
    writes the older layout without the ``Comment`` column. Not one of :func:`samples` yet (sample_data/csv
    holds no FitNotes file): tests build it directly.
    """
    header = ["Date", "Exercise", "Category", f"Weight ({weight_unit})", "Reps", "Distance", "Distance Unit", "Time"]
    header += ["Comment"] if comment else []
    dated: list[tuple[date, list[str]]] = []
    for w in workouts:
        for s in w.sets:
            name, category = FITNOTES_EXERCISES.get(s.exercise, (s.exercise, "Other"))
            kg = s.kg if s.kg is not None else (0.0 if s.reps else None)
            weight = "" if kg is None else f"{round(kg / LB / 5) * 5:.1f}" if weight_unit == "lbs" else f"{kg:.1f}"
            km = "" if s.metres is None else f"{s.metres / 1000:.1f}"
            cells = [name, category, weight, "" if s.reps is None else str(s.reps), km, "km" if km else ""]
            cells += ["" if s.seconds is None else hms(s.seconds).removeprefix("0")]
            dated.append((w.start.date(), cells + (["warm-up" if s.set_type == "warmup" else ""] if comment else [])))
    for c in cardio:
        name = "Running (Outdoor)" if c.kind == "run" else "Cycling" if c.kind == "ride" else "Walking"
        cells = [name, "Cardio", "", "", f"{c.metres / 1000:.2f}", "km", hms(c.seconds).removeprefix("0")]
        dated.append((c.start.date(), cells + ([""] if comment else [])))
    dated.sort(key=lambda item: item[0])  # stable: a day's rows keep their order
    return csv_text([header, *[[f"{day:%Y-%m-%d}", *cells] for day, cells in dated]]).encode("utf-8")


def apple_health(rng: random.Random) -> bytes:
    """Health Export workouts CSV: ``Date`` is a local start-end range."""
    header = [
        "Date",
        "Activity",
        "Duration(s)",
        "Distance(km)",
        "Active energy burned(kcal)",
        "Heart rate: Average(count/min)",
        "Heart rate: Maximum(count/min)",
        "METs Average(kcal/hr·kg)",
    ]
    rows = []
    start = datetime(2025, 10, 4, 9, 12, 5)
    for activity, minutes, km in (
        ("Walking", 48, 4.1),
        ("Yoga", 35, 0),
        ("Hiking", 150, 11.3),
        ("Functional Strength Training", 40, 0),
        ("Walking", 31, 2.7),
    ):
        end = start + timedelta(minutes=minutes, seconds=17)
        rows.append(
            [
                f"{start:%Y-%m-%d %H:%M:%S} - {end:%Y-%m-%d %H:%M:%S}",
                activity,
                f"{minutes * 60 + 17:.3f}",
                f"{km:.3f}" if km else "",
                f"{rng.uniform(3, 7) * minutes:.3f}",
                str(rng.randrange(95, 125)),
                str(rng.randrange(130, 150)),
                f"{rng.uniform(2, 6):.2f}",
            ]
        )
        start += timedelta(days=3, hours=1)
    return csv_text([header, *rows]).encode("utf-8")


def polar(rng: random.Random) -> bytes:
    """A Polar Flow session CSV: summary header and row, blank line, sample header and one sample a second."""
    seconds = 600
    summary = [
        "Name",
        "Sport",
        "Date",
        "Start time",
        "Duration",
        "Total distance (km)",
        "Average heart rate (bpm)",
        "Average speed (km/h)",
        "Max speed (km/h)",
        "Average pace (min/km)",
        "Max pace (min/km)",
        "Calories",
        "Fat percentage of calories(%)",
        "Average cadence (rpm)",
        "Average stride length (cm)",
        "Running index",
        "Training load",
        "Ascent (m)",
        "Descent (m)",
        "Notes",
        "Height (cm)",
        "Weight (kg)",
        "HR max",
        "HR sit",
        "VO2max",
        "",
    ]
    samples_header = [
        "Sample rate",
        "Time",
        "HR (bpm)",
        "Speed (km/h)",
        "Pace (min/km)",
        "Cadence",
        "Altitude (m)",
        "Stride length (m)",
        "Distances (m)",
        "Temperatures (C)",
        "Power (W)",
        "",
    ]
    samples, distance, hrs = [], 0.0, []
    for t in range(seconds):
        speed = 10.5 + rng.uniform(-0.6, 0.6)
        distance += speed / 3.6
        hr = min(175, 100 + t // 8 + rng.randrange(-2, 3))
        hrs.append(hr)
        samples.append(
            [
                "1",
                hms(t),
                str(hr),
                f"{speed:.1f}",
                "05:43",
                "84",
                f"{40 + t // 60}",
                "1.14",
                f"{distance:.1f}",
                "18.4",
                "",
                "",
            ]
        )
    values = [
        "Athlete",
        "RUNNING",
        "15-06-2025",
        "07:45:10",
        hms(seconds),
        f"{distance / 1000:.2f}",
        str(round(sum(hrs) / len(hrs))),
        "10.5",
        "11.1",
        "05:43",
        "05:24",
        "141",
        "28",
        "84",
        "114",
        "52",
        "23",
        "14",
        "9",
        "",
        "178.0",
        "72.0",
        "188",
        "52",
        "54",
        "",
    ]
    return csv_text([summary, values, [], samples_header, *samples]).encode("utf-8")


FITBIT_ACTIVITIES_HEADER = [
    "Date",
    "Calories Burned",
    "Steps",
    "Distance",
    "Floors",
    "Minutes Sedentary",
    "Minutes Lightly Active",
    "Minutes Fairly Active",
    "Minutes Very Active",
    "Activity Calories",
]


def fitbit_daily(rng: random.Random) -> bytes:
    """Fitbit's account export ``Activities`` section: daily totals, no workouts."""
    rows = [fitbit_day(rng, date(2025, 6, 1) + timedelta(days=n)) for n in range(14)]
    return csv_text([["Activities"], FITBIT_ACTIVITIES_HEADER, *rows]).encode("utf-8")


def fitbit_day(rng: random.Random, day: date) -> list[str]:
    """One day of Fitbit's ``Activities`` section (:data:`FITBIT_ACTIVITIES_HEADER`)."""
    steps = rng.randrange(4000, 16000)
    return [
        f"{day:%Y-%m-%d}",
        f"{rng.randrange(2100, 3200):,}",
        f"{steps:,}",
        f"{steps * 0.00078:.2f}",
        str(rng.randrange(2, 20)),
        str(rng.randrange(600, 900)),
        str(rng.randrange(150, 300)),
        str(rng.randrange(5, 40)),
        str(rng.randrange(0, 60)),
        f"{rng.randrange(600, 1400):,}",
    ]


@dataclass(frozen=True)
class Expect:
    """What a reader must find in one generated file, from the generator's own plan, never from running a reader.

    ``status`` is ``loaded`` or ``skipped``; ``activities``, ``sets`` (set rows, rest-timer rows included),
    ``samples`` and ``laps`` are what loads; ``rejected_lines`` the lines that must be set aside (one quarantine row
    each, naming the line); ``kind`` words the skip reason of a skipped file holds; ``needs`` the unit setting the
    file cannot be read without; ``sports`` activities by FIT sport.
    """

    status: str
    activities: int = 0
    sets: int = 0
    samples: int = 0
    laps: int = 0
    rejected_lines: tuple[int, ...] = ()
    kind: str = ""
    needs: str = ""
    sports: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        """The fields that say something (status always), for EXPECTED.json."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items() if v or k == "status"}


def data_rows(data: bytes, delimiter: str = ",") -> list[list[str]]:
    """The records after the header of a generated file, as a person counts them (blank lines not counted)."""
    records = [r for r in csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=delimiter) if any(r)]
    return records[1:]


def sample_files(seed: int = SEED) -> dict[str, tuple[bytes, Expect]]:
    """Every sample file by name with what a reader must find in it. The same seed always gives the same bytes."""
    from synth import csv_exports  # the later samples build on this module's athlete

    rng = random.Random(seed)
    hevy_lifts = hevy_workouts(rng)
    hevy_runs = runs(rng, HEVY_START, HEVY_WEEKS)
    hevy_rides = rides(rng, HEVY_START, HEVY_WEEKS)
    strong_lifts = hevy_workouts(rng, STRONG_START, STRONG_WEEKS)
    strong_runs = runs(rng, STRONG_START, STRONG_WEEKS)
    files: dict[str, tuple[bytes, Expect]] = {}
    data = garmin_english(rng, hevy_runs, hevy_lifts)
    files["garmin_activities_en.csv"] = data, Expect("loaded", activities=len(hevy_runs) + len(hevy_lifts))
    data = garmin_german(rng, strong_runs)
    files["garmin_aktivitaeten_de.csv"] = data, Expect("loaded", activities=len(strong_runs))
    data = strava_bulk(rng, hevy_runs + hevy_rides)
    files["strava_activities.csv"] = data, Expect("loaded", activities=len(hevy_runs) + len(hevy_rides))
    data = strava_older(rng)
    files["strava_activities_2019.csv"] = data, Expect("loaded", activities=len(data_rows(data)))
    data = hevy(hevy_lifts)
    files["hevy_workouts.csv"] = data, Expect("loaded", activities=len(hevy_lifts), sets=len(data_rows(data)))
    data = strong_semicolon_lbs(strong_lifts)
    sets = len(data_rows(data, ";"))
    files["strong_semicolon_lbs.csv"] = data, Expect("loaded", activities=len(strong_lifts), sets=sets)
    data = strong_legacy_kg_km(rng)
    workouts = {(r[0], r[1]) for r in data_rows(data)}
    files["strong_legacy_kg_km.csv"] = data, Expect("loaded", activities=len(workouts), sets=len(data_rows(data)))
    data = apple_health(rng)
    files["apple_health_workouts.csv"] = data, Expect("loaded", activities=len(data_rows(data)))
    data = polar(rng)
    files["polar_session.csv"] = data, Expect("loaded", activities=1, samples=len(data_rows(data)) - 2)
    files["fitbit_daily_activities.csv"] = fitbit_daily(rng), Expect("skipped", kind="daily totals")
    for name, make in csv_exports.MAKERS.items():  # each with a random source of its own: adding one moves no byte
        files[name] = make(random.Random(f"{seed}:{name}"))
    return files


def samples(seed: int = SEED) -> dict[str, bytes]:
    """Every sample file by name. The same seed always gives the same bytes."""
    return {name: data for name, (data, _) in sample_files(seed).items()}


def write_samples(out: Path, seed: int = SEED) -> list[Path]:
    """Write :func:`samples` into ``out`` (created if needed); returns the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in samples(seed).items():
        path = out / name
        path.write_bytes(data)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=Path("sample_data/csv"), help="folder to write into")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    for path in write_samples(args.out, args.seed):
        print(path)


if __name__ == "__main__":
    main()
