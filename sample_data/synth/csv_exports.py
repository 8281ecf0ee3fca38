"""More generated CSV exports of the sample athlete: the cases real exports showed (fitbalance issue 11).

- Garmin Connect in Swedish (a winter of Konditionspass, pool swims in metres beside runs in km, resort and cross
  country skiing, disc golf) and in Danish (41 runs with stride length and cadence but no steps column, decimal
  commas, pool swims in metres);
- Garmin's older Connect export, in German and English: a title line, a blank line, a ``Start`` column with dates
  like ``Fr, 25 Mai 2012 20:31``;
- the Wahoo Fitness app's CSV of one ride (header block, sensors, summary, intervals, samples);
- files that hold no activities: Apple Health daily totals and body mass (Health Auto Export), a Fitbit account
  export with its Body, Foods, Activities and Sleep sections;
- a Strong export (semicolons, lbs) of two months in which one set was typed as 877777 reps.

Each writer returns the bytes and an :class:`Expect`: what a reader must make of the file, from the generator's
own plan (activities it wrote, data rows, the line it corrupted), never from running a reader.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta

from synth.csv_samples import (
    FITBIT_ACTIVITIES_HEADER,
    Cardio,
    Expect,
    Workout,
    csv_text,
    fitbit_day,
    hevy_workouts,
    hms,
    runs,
    strong_semicolon_lbs,
)

ABSURD_REPS = 877777  # the set a Strong user typed by accident


def _comma(value: float, digits: int = 2) -> str:
    return f"{value:.{digits}f}".replace(".", ",")


# ---- Garmin Connect, Swedish and Danish ------------------------------------------------------------------------

SWEDISH_HEADER = [
    "Aktivitetstyp",
    "Datum",
    "Favorit",
    "Titel",
    "Distans",
    "Kalorier",
    "Tid",
    "Medelpuls",
    "Maxpuls",
    "Aerob TE",
    "Medelkadens löpning",
    "Maxkadens löpning",
    "Medeltempo",
    "Total stigning",
    "Medelsteglängd",
    "Steg",
    "Tid i rörelse",
    "Förfluten tid",
]
# (Swedish type, FIT sport, what it is): the week of a Stockholm athlete in winter
SWEDISH_WEEK = (
    (0, "Konditionspass", "training"),
    (1, "Löpning", "running"),
    (2, "Simbassäng", "swimming"),
    (3, "Styrketräning", "training"),
    (4, "Inomhuscykling", "cycling"),
    (5, "SKI", ""),  # Saturday: resort, classic or skate skiing by turn
    (6, "Discgolf", "disc_golf"),
)
SWEDISH_SKIING = (
    ("Utförsåkning i pist", "alpine_skiing"),
    ("Längdskidåkning klassisk stil", "cross_country_skiing"),
    ("Längdskidåkning fristil", "cross_country_skiing"),
)
POOL_LENGTHS_M = (1500, 2025, 1800, 2250, 1200)


def garmin_swedish(rng: random.Random, first: date = date(2024, 1, 8), weeks: int = 10) -> tuple[bytes, Expect]:
    """A Swedish Garmin Connect export (decimal points, quoted thousands): ten winter weeks of seven kinds of day.

    Pool swims carry metres (``"2,025"``), everything else km; runs carry stride length and steps, which prove km.
    """
    rows: list[tuple[datetime, list[str]]] = []
    sports: dict[str, int] = {}
    for week in range(weeks):
        for weekday, kind, sport in SWEDISH_WEEK:
            day = first + timedelta(weeks=week, days=weekday)
            start = datetime(day.year, day.month, day.day, 18 if weekday < 5 else 10, rng.randrange(60))
            if kind == "SKI":
                kind, sport = SWEDISH_SKIING[week % 3]
            sports[sport] = sports.get(sport, 0) + 1
            rows.append((start, _swedish_row(rng, kind, start, week)))
    rows.sort(key=lambda r: r[0], reverse=True)
    text = csv_text([SWEDISH_HEADER, *[r for _, r in rows]])
    return text.encode("utf-8"), Expect("loaded", activities=len(rows), sports=sports)


def _swedish_row(rng: random.Random, kind: str, start: datetime, week: int) -> list[str]:
    empty = ["--"] * 5
    minutes = rng.randrange(40, 75)
    if kind == "Löpning":
        km = rng.uniform(7, 12)
        moving = round(km * rng.uniform(300, 340))
        cadence = rng.randrange(166, 178)
        steps = round(cadence * moving / 60)
        stride = km * 1000 / steps
        pace = moving / km
        return [
            "Löpning",
            f"{start:%Y-%m-%d %H:%M:%S}",
            "false",
            "Stockholm Löpning",
            f"{km:.2f}",
            str(round(km * 70)),
            hms(moving + 40),
            "151",
            "176",
            "3.1",
            str(cadence),
            str(cadence + 12),
            f"{int(pace // 60)}:{int(pace % 60):02d}",
            "45",
            f"{stride:.2f}",
            f"{steps:,}",
            hms(moving),
            hms(moving + 40),
        ]
    if kind == "Simbassäng":
        metres = POOL_LENGTHS_M[week % len(POOL_LENGTHS_M)]
        distance = f"{metres:,}"
    elif kind in ("Konditionspass", "Styrketräning"):
        distance = "0.00"
    elif kind == "Inomhuscykling":
        distance = f"{rng.uniform(18, 25):.2f}"
    elif kind.startswith("Utförsåkning"):
        distance = f"{rng.uniform(20, 40):.2f}"
        minutes = 180
    elif kind.startswith("Längdskidåkning"):
        distance = f"{rng.uniform(10, 20):.2f}"
        minutes = 75
    else:  # Discgolf: a walk round the course
        distance = f"{rng.uniform(2, 3):.2f}"
        minutes = 90
    return [
        kind,
        f"{start:%Y-%m-%d %H:%M:%S}",
        "false",
        f"Stockholm {kind}",
        distance,
        str(minutes * 7),
        hms(minutes * 60),
        str(rng.randrange(110, 140)),
        str(rng.randrange(150, 175)),
        "2.4",
        *empty[:4],
        "--",
        "--",
        hms(minutes * 60 - 30),
        hms(minutes * 60 + 60),
    ]


DANISH_HEADER = [
    "Aktivitetstype",
    "Dato",
    "Favorit",
    "Titel",
    "Distance",
    "Kalorier",
    "Tid",
    "Gns. puls",
    "Maks. puls",
    "Aerob TE",
    "Gns. løbekadence",
    "Maks. løbekadence",
    "Gns. tempo",
    "Bedste tempo",
    "Samlet stigning",
    "Samlet fald",
    "Gns. skridtlængde",
    "Bevægelsestid",
    "Forløbet tid",
]
DANISH_RUNS = 41
DANISH_SWIMS = 5


def garmin_danish(rng: random.Random, first: date = date(2023, 4, 3)) -> tuple[bytes, Expect]:
    """A Danish export (decimal commas): 41 runs with stride length and cadence but no steps, and 5 pool swims whose
    metres carry a thousands point (``1.500``). Stride x cadence x time over distance proves km."""
    plan = runs(rng, first, 14)[:DANISH_RUNS]
    rows: list[tuple[datetime, list[str]]] = [(c.start, _danish_run(c)) for c in plan]
    for n in range(DANISH_SWIMS):
        day = first + timedelta(weeks=2 * n, days=2)
        start = datetime(day.year, day.month, day.day, 6, 30)
        metres = POOL_LENGTHS_M[n]
        row = [
            "Poolsvømning",
            f"{start:%Y-%m-%d %H:%M:%S}",
            "false",
            "Aarhus Poolsvømning",
            f"{metres:,}".replace(",", "."),
        ]
        row += [
            "420",
            "00:48:00",
            "128",
            "149",
            "2,1",
            "--",
            "--",
            "--",
            "--",
            "--",
            "--",
            "--",
            "00:44:00",
            "00:48:00",
        ]
        rows.append((start, row))
    rows.sort(key=lambda r: r[0], reverse=True)
    text = csv_text([DANISH_HEADER, *[r for _, r in rows]])
    sports = {"running": len(plan), "swimming": DANISH_SWIMS}
    return text.encode("utf-8"), Expect("loaded", activities=len(rows), sports=sports)


def _danish_run(c: Cardio) -> list[str]:
    pace = c.moving / (c.metres / 1000)
    return [
        "Løb",
        f"{c.start:%Y-%m-%d %H:%M:%S}",
        "false",
        "Aarhus Løb",
        _comma(c.metres / 1000),
        str(c.kcal),
        hms(c.seconds),
        str(c.avg_hr),
        str(c.max_hr),
        "3,2",
        str(c.cadence),
        str(c.cadence + 14),
        f"{int(pace // 60)}:{int(pace % 60):02d}",
        f"{int(pace // 60) - 1}:{int(pace % 60):02d}",
        "38",
        "41",
        _comma(c.stride_m),
        hms(c.moving),
        hms(c.seconds),
    ]


# ---- Garmin's older Connect export ---------------------------------------------------------------------------

OLD_LANGUAGES = {
    # title, header, weekday and month abbreviations, date pattern, decimal comma, type names (run, ride, pool swim)
    "de": (
        "Aktivitäten von Sam Beispiel",
        [
            "Aktivitätsname",
            "Aktivitätstyp",
            "Start",
            "Zeit",
            "Distanz",
            "Höhengewinn",
            "Ø Geschwindigkeit",
            "Ø HF",
            "Max. HF",
            "Kalorien",
        ],
        ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"),
        ("Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez"),
        "{wd}, {d} {mon} {y} {H}:{M:02d}",
        True,
        ("Laufen", "Radfahren", "Schwimmbadschwimmen"),
    ),
    "en": (
        "Activities of Sam Example",
        [
            "Activity Name",
            "Activity Type",
            "Start",
            "Time",
            "Distance",
            "Elevation Gain",
            "Avg Speed",
            "Avg HR",
            "Max HR",
            "Calories",
        ],
        ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
        "{wd}, {mon} {d}, {y} {h}:{M:02d} {ampm}",
        False,
        ("Running", "Cycling", "Lap Swimming"),
    ),
}


def garmin_old(rng: random.Random, language: str, first: datetime) -> tuple[bytes, Expect]:
    """Garmin's older Connect export: title line, blank line, header, then runs, rides and a pool swim (metres)."""
    title, header, weekdays, months, pattern, comma, (run, ride, swim) = OLD_LANGUAGES[language]
    rows, sports = [], {"running": 0, "cycling": 0, "swimming": 0}
    start = first
    for n in range(10):
        kind = swim if n == 4 else ride if n % 3 == 2 else run
        sport = "swimming" if kind == swim else "cycling" if kind == ride else "running"
        sports[sport] += 1
        km = 1.5 if sport == "swimming" else rng.uniform(30, 50) if sport == "cycling" else rng.uniform(6, 12)
        seconds = round(km * (1500 if sport == "swimming" else 140 if sport == "cycling" else 330))
        distance = (f"{km * 1000:,.0f}" if sport == "swimming" else f"{km:.2f}").replace(",", "_")
        distance = distance.replace(".", ",").replace("_", ".") if comma else distance.replace("_", ",")
        when = pattern.format(
            wd=weekdays[start.weekday()],
            d=start.day,
            mon=months[start.month - 1],
            y=start.year,
            H=start.hour,
            h=start.hour % 12 or 12,
            M=start.minute,
            ampm="AM" if start.hour < 12 else "PM",
        )
        speed = km / seconds * 3600
        kcal = round(km * (60 if sport != "cycling" else 25))
        rows.append(
            [
                "Untitled" if language == "en" else "Ohne Titel",
                kind,
                when,
                f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}",
                distance,
                str(rng.randrange(10, 200)),
                _comma(speed, 1) if comma else f"{speed:.1f}",
                str(rng.randrange(130, 155)),
                str(rng.randrange(160, 185)),
                f"{kcal:,}".replace(",", "." if comma else ","),
            ]
        )
        start += timedelta(days=rng.choice((2, 3)), hours=rng.choice((-1, 0, 1)), minutes=rng.randrange(-20, 20))
    text = csv_text([[title], [], header, *rows])
    return text.encode("utf-8"), Expect("loaded", activities=len(rows), sports=sports, needs="distance_unit")


# ---- the Wahoo Fitness app -----------------------------------------------------------------------------------

WAHOO_SUMMARY = [
    "workout",
    "starttime",
    "runningtime",
    "pausedtime",
    "wheeldist",
    "cadavg",
    "spdavg",
    "pwravg",
    "pwrPedalContribution",
    "hravg",
    "striderateavg",
    "stridedist",
    "gpsdist",
    "smoothnessavg",
]
WAHOO_SAMPLE = [
    "interval",
    "time",
    "paused",
    "hr_heartrate",
    "gps_lat",
    "gps_lon",
    "gps_dist",
    "gps_speed",
    "gps_altitude",
    "spd_instspeed",
    "spd_accdist",
    "cad_cadence",
    "pwr_instpwr",
]
WAHOO_START = datetime(2016, 10, 7, 17, 12, 4)
WAHOO_LAP_S = 900
WAHOO_LAPS = 4
WAHOO_EVERY_S = 5


def wahoo(rng: random.Random) -> tuple[bytes, Expect]:
    """One hour of riding recorded with the Wahoo Fitness app (speed, cadence, heart-rate sensors and GPS)."""
    samples, distance, hrs = [], 0.0, []
    lat, lon = 52.52, 13.40
    for t in range(0, WAHOO_LAP_S * WAHOO_LAPS, WAHOO_EVERY_S):
        speed = 7.5 + rng.uniform(-1.0, 1.0)
        distance += speed * WAHOO_EVERY_S
        lat += speed * WAHOO_EVERY_S / 111_000
        hr = min(172, 105 + t // 60 + rng.randrange(-3, 4))
        hrs.append(hr)
        samples.append(
            [
                str(t // WAHOO_LAP_S + 1),
                f"{t:.2f}",
                "0",
                str(hr),
                f"{lat:.6f}",
                f"{lon:.6f}",
                f"{distance:.2f}",
                f"{speed:.3f}",
                f"{40 + rng.uniform(-2, 2):.1f}",
                f"{speed + rng.uniform(-0.2, 0.2):.3f}",
                f"{distance * 1.01:.2f}",
                str(rng.randrange(80, 92)),
                "0",
            ]
        )
    running = WAHOO_LAP_S * WAHOO_LAPS
    summary = ["", "0", f"{running:.6f}", "120.000000", f"{distance * 1.01:.6f}", "86.0", f"{distance / running:.6f}"]
    summary += ["0.0", "0.0", f"{sum(hrs) / len(hrs):.6f}", "0.0", "0.0", f"{distance:.6f}", "0.0"]
    intervals = [
        [
            str(n + 1),
            str(n * WAHOO_LAP_S),
            f"{WAHOO_LAP_S:.6f}",
            "30.000000",
            f"{distance / WAHOO_LAPS:.6f}",
            "86.0",
            "7.5",
            "0.0",
            "0.0",
            f"{sum(hrs) / len(hrs):.1f}",
            "0.0",
            "0.0",
            f"{distance / WAHOO_LAPS:.6f}",
            "0.0",
        ]
        for n in range(WAHOO_LAPS)
    ]
    clock = WAHOO_START
    lines = [
        ["Device", "Wahoo Fitness", "model", "iPhone", "version", "1", "AppVersion", "5.5.1"],
        [
            "Year",
            str(clock.year),
            "Month",
            str(clock.month),
            "Day",
            str(clock.day),
            "Hour",
            str(clock.hour),
            "Minute",
            str(clock.minute),
            "Second",
            str(clock.second),
            "BatteryUsage (%)",
            "0.000000",
        ],
        [],
        ["Notes"],
        ["Evening loop along the river"],
        [],
        ["sensor", "present", "smrec", "zeroavg", "model"],
        *[[s, p, "no", "no", "n/a"] for s, p in (("pwr", "no"), ("spd", "yes"), ("cad", "yes"), ("hr", "yes"))],
        ["footpod", "no", "no", "no", "n/a"],
        ["gps", "yes", "no", "no", "n/a"],
        WAHOO_SUMMARY,
        summary,
        [],
        ["interval", *WAHOO_SUMMARY[1:]],
        *intervals,
        [],
        WAHOO_SAMPLE,
        *samples,
    ]
    expect = Expect("loaded", activities=1, samples=len(samples), laps=WAHOO_LAPS, sports={"cycling": 1})
    return csv_text(lines).encode("utf-8"), expect


WAHOO_NAME = f"wahoo_{WAHOO_START:%Y-%m-%d-%H%M}_Biking_WF.csv"


# ---- exports that hold no activities -------------------------------------------------------------------------

APPLE_TOTALS_HEADER = [
    "Date",
    "Active energy burned(kcal)",
    "Apple Exercise Time(min)",
    "Apple Stand Hour(count)",
    "Basal energy burned(kcal)",
    "Flights Climbed(count)",
    "Heart Rate [Min](count/min)",
    "Heart Rate [Max](count/min)",
    "Heart Rate [Avg](count/min)",
    "Resting Heart Rate(count/min)",
    "Step Count(count)",
    "Walking + Running Distance(km)",
]


def apple_health_daily_totals(
    rng: random.Random, first: date = date(2025, 6, 1), days: int = 14
) -> tuple[bytes, Expect]:
    """Health Auto Export's daily totals: energy, exercise minutes, steps, heart rate, one row a day."""
    rows = []
    for n in range(days):
        day = first + timedelta(days=n)
        steps = rng.randrange(4000, 16000)
        rows.append(
            [
                f"{day:%Y-%m-%d} 00:00:00",
                f"{rng.uniform(300, 900):.3f}",
                str(rng.randrange(10, 80)),
                str(rng.randrange(8, 14)),
                f"{rng.uniform(1600, 1750):.3f}",
                str(rng.randrange(3, 25)),
                str(rng.randrange(48, 56)),
                str(rng.randrange(140, 175)),
                f"{rng.uniform(70, 85):.2f}",
                str(rng.randrange(50, 56)),
                str(steps),
                f"{steps * 0.00074:.3f}",
            ]
        )
    return csv_text([APPLE_TOTALS_HEADER, *rows]).encode("utf-8"), Expect("skipped", kind="daily or hourly totals")


def apple_health_body_mass(rng: random.Random, first: date = date(2025, 1, 5), weeks: int = 30) -> tuple[bytes, Expect]:
    """Health Auto Export's body-mass records: ``Date,Body mass(kg)``, one weigh-in a week."""
    rows, kg = [], 74.0
    for n in range(weeks):
        kg += rng.uniform(-0.4, 0.3)
        rows.append([f"{first + timedelta(weeks=n):%Y-%m-%d} 07:10:00", f"{kg:.2f}"])
    return csv_text([["Date", "Body mass(kg)"], *rows]).encode("utf-8"), Expect("skipped", kind="body-mass")


def fitbit_account(rng: random.Random, first: date = date(2025, 5, 1), days: int = 10) -> tuple[bytes, Expect]:
    """Fitbit's account export: Body, Foods, Activities and Sleep sections, each a title, a header and day rows."""
    dates = [first + timedelta(days=n) for n in range(days)]
    body = [
        [f"{d:%Y-%m-%d}", f"{72 + rng.uniform(-1, 1):.1f}", f"{22.3 + rng.uniform(-0.3, 0.3):.2f}", "18.2"]
        for d in dates
    ]
    foods = [[f"{d:%Y-%m-%d}", f"{rng.randrange(1800, 2900):,}"] for d in dates]
    activity = [fitbit_day(rng, d) for d in dates]
    sleep = []
    for d in dates:
        asleep = rng.randrange(360, 480)
        bed = datetime(d.year, d.month, d.day, 23, rng.randrange(60))
        wake = bed + timedelta(minutes=asleep + 30)
        sleep.append(
            [
                f"{bed:%Y-%m-%d %I:%M%p}",
                f"{wake:%Y-%m-%d %I:%M%p}",
                str(asleep),
                "30",
                "4",
                str(asleep + 30),
                str(asleep // 5),
                str(asleep // 2),
                str(asleep // 6),
            ]
        )
    sections = [
        ("Body", ["Date", "Weight", "BMI", "Fat"], body),
        ("Foods", ["Date", "Calories In"], foods),
        (
            "Activities",
            FITBIT_ACTIVITIES_HEADER,
            activity,
        ),
        (
            "Sleep",
            [
                "Start Time",
                "End Time",
                "Minutes Asleep",
                "Minutes Awake",
                "Number of Awakenings",
                "Time in Bed",
                "Minutes REM Sleep",
                "Minutes Light Sleep",
                "Minutes Deep Sleep",
            ],
            sleep,
        ),
    ]
    rows: list[list[str]] = []
    for title, header, data in sections:
        rows += [[title], header, *data, []]
    return csv_text(rows).encode("utf-8"), Expect("skipped", kind="Fitbit account export")


# ---- a Strong export with one absurd set ---------------------------------------------------------------------


def strong_absurd_set(rng: random.Random, first: date = date(2022, 1, 3), weeks: int = 8) -> tuple[bytes, Expect]:
    """Two months of Strong (semicolons, lbs, rest-timer rows) with one set typed as 877777 reps: that row, and only
    it, is set aside."""
    workouts = hevy_workouts(rng, first, weeks)
    middle = workouts[len(workouts) // 2]
    target = next(i for i, s in enumerate(middle.sets) if s.set_type == "normal" and s.reps)
    sets = list(middle.sets)
    sets[target] = replace(sets[target], reps=ABSURD_REPS)
    workouts[len(workouts) // 2] = Workout(middle.title, middle.start, middle.minutes, tuple(sets))
    data = strong_semicolon_lbs(workouts)
    records = list(csv.reader(io.StringIO(data.decode("utf-8")), delimiter=";"))
    line = next(n for n, record in enumerate(records, start=1) if str(ABSURD_REPS) in record)
    expect = Expect("loaded", activities=len(workouts), sets=len(records) - 2, rejected_lines=(line,))
    return data, expect


MAKERS: dict[str, Callable[[random.Random], tuple[bytes, Expect]]] = {
    "garmin_aktiviteter_sv.csv": garmin_swedish,
    "garmin_aktiviteter_da.csv": garmin_danish,
    "garmin_aktivitaeten_alt_de.csv": lambda rng: garmin_old(rng, "de", datetime(2012, 5, 25, 20, 31)),
    "garmin_activities_old_en.csv": lambda rng: garmin_old(rng, "en", datetime(2013, 4, 2, 18, 5)),
    WAHOO_NAME: wahoo,
    "apple_health_daily_totals.csv": apple_health_daily_totals,
    "apple_health_body_mass.csv": apple_health_body_mass,
    "fitbit_account_export.csv": fitbit_account,
    "strong_absurd_set.csv": strong_absurd_set,
}
"""File name -> writer (given its own random source) of every sample this module adds to sample_data/csv."""
