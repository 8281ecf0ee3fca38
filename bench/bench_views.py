"""Benchmark of the SQL views on a generated training history.

It generates, with DuckDB SQL only, 10 years x 3 athletes (about 10,000 activities, 100,000 sets and 30
million heart-rate samples) into ``bench/out/views.duckdb``, applies the views, rebuilds the derived table,
then times a one-year query on each view (target: under a second each). Figures go to
``bench/RESULTS-views.md``.

    .venv/bin/python bench/bench_views.py            # generate, refresh, time, write the results
    .venv/bin/python bench/bench_views.py --reuse    # time again on the database already generated

The history is deterministic: every random choice is a hash of the athlete, the day and a slot.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from fitbalance.store.views import apply_views, refresh_derived

HERE = Path(__file__).resolve().parent
DEFAULT_DB = HERE / "out" / "views.duckdb"
RESULTS = HERE / "RESULTS-views.md"
FIRST_DAY = "2015-01-05"  # a Monday
TARGET_S = 1.0
RUNS = 5

ATHLETES = """
INSERT INTO athletes VALUES
    ('ana', 'Europe/Berlin', 1955, NULL, NULL, 'female', 'metric'),
    ('ben', 'America/New_York', 1985, 188, 52, 'male', 'metric'),
    ('cy', 'UTC', NULL, NULL, NULL, NULL, 'imperial')
"""

EXERCISES = """
INSERT INTO exercises (exercise, fit_category, primary_muscles, secondary_muscles, equipment, bodyweight) VALUES
    ('Bench Press', 'bench_press', ['chest'], ['triceps', 'front_delts'], 'barbell', false),
    ('Incline Dumbbell Press', 'bench_press', ['chest'], ['front_delts', 'triceps'], 'dumbbell', false),
    ('Back Squat', 'squat', ['quadriceps', 'glutes'], ['hamstrings', 'lower_back'], 'barbell', false),
    ('Deadlift', 'deadlift', ['hamstrings', 'glutes', 'lower_back'], ['quadriceps', 'traps'], 'barbell',
        false),
    ('Overhead Press', 'shoulder_press', ['front_delts'], ['triceps', 'traps'], 'barbell', false),
    ('Barbell Row', 'row', ['lats', 'upper_back'], ['biceps', 'rear_delts'], 'barbell', false),
    ('Pull Up', 'pull_up', ['lats'], ['biceps', 'upper_back'], 'bodyweight', true),
    ('Push Up', 'push_up', ['chest'], ['triceps', 'front_delts'], 'bodyweight', true),
    ('Lunge', 'lunge', ['quadriceps', 'glutes'], ['hamstrings'], 'dumbbell', false),
    ('Biceps Curl', 'curl', ['biceps'], ['forearms'], 'dumbbell', false),
    ('Plank', 'plank', ['abs'], ['obliques'], 'bodyweight', true),
    ('Calf Raise', 'calf_raise', ['calves'], [], 'machine', false)
"""

# Movement patterns of the exercises above (strength_balance_weekly), as exercise_patterns.csv gives them.
PATTERNS = """
INSERT INTO exercise_patterns VALUES
    ('Bench Press', 'horizontal_push', 'push', 'upper'),
    ('Incline Dumbbell Press', 'horizontal_push', 'push', 'upper'),
    ('Back Squat', 'squat', NULL, 'lower'),
    ('Deadlift', 'hinge', NULL, 'lower'),
    ('Overhead Press', 'vertical_push', 'push', 'upper'),
    ('Barbell Row', 'horizontal_pull', 'pull', 'upper'),
    ('Pull Up', 'vertical_pull', 'pull', 'upper'),
    ('Push Up', 'horizontal_push', 'push', 'upper'),
    ('Lunge', 'lunge', NULL, 'lower'),
    ('Biceps Curl', 'elbow_flexion', 'pull', 'upper'),
    ('Plank', 'core', NULL, 'core')
"""

# ana's own weekly targets (the defaults, with a range of her own for the chest); ben and cy have the defaults.
TARGETS = """
INSERT INTO athlete_targets
SELECT
    'ana', target, muscle_group,
    CASE WHEN target = 'muscle_sets' AND muscle_group = 'chest' THEN 12.0 ELSE low END,
    CASE WHEN target = 'muscle_sets' AND muscle_group = 'chest' THEN 18.0 ELSE high END,
    from_age, 'settings'
FROM target_defaults
"""

# One row per athlete, day and slot; slot 0 holds the main session (resistance 40 %, other 45 %), slot 1 a
# second session of other exercise (8 %).
ACTIVITIES = """
INSERT INTO activities BY NAME
WITH days AS (
    SELECT a.athlete, a.offset_s, CAST(d AS DATE) AS day
    FROM (VALUES ('ana', 3600), ('ben', -18000), ('cy', 0)) AS a(athlete, offset_s),
         generate_series(DATE '{first_day}', DATE '{first_day}' + INTERVAL ({days} - 1) DAY, INTERVAL 1 DAY)
         AS g(d)
),
slots AS (
    SELECT
        athlete, offset_s, day, slot,
        (hash(athlete, day, slot, 'u') % 1000000) / 1e6 AS u,
        (hash(athlete, day, slot, 'v') % 1000000) / 1e6 AS v,
        (hash(athlete, day, slot, 'w') % 1000000) / 1e6 AS w
    FROM days, range(0, 2) AS s(slot)
),
kinds AS (
    SELECT
        *,
        CASE
            WHEN slot = 0 AND u < 0.40 THEN 'resistance'
            WHEN slot = 0 AND u < 0.85 THEN 'other'
            WHEN slot = 1 AND u < 0.08 THEN 'other'
        END AS category
    FROM slots
),
typed AS (
    SELECT
        *,
        CASE
            WHEN category = 'resistance' THEN 'strength'
            WHEN v < 0.55 THEN 'endurance'
            WHEN v < 0.70 THEN 'flexibility'
            WHEN v < 0.80 THEN 'balance'
            WHEN v < 0.90 THEN 'mixed'
            ELSE 'sport'
        END AS subcategory
    FROM kinds
    WHERE category IS NOT NULL
),
shaped AS (
    SELECT
        *,
        CASE
            WHEN subcategory = 'strength' THEN 'training'
            WHEN subcategory = 'endurance' AND v < 0.30 THEN 'running'
            WHEN subcategory = 'endurance' AND v < 0.45 THEN 'cycling'
            WHEN subcategory = 'endurance' THEN 'walking'
            WHEN subcategory IN ('flexibility', 'balance') THEN 'training'
            WHEN subcategory = 'mixed' THEN 'hiit'
            ELSE 'tennis'
        END AS sport,
        round(CASE
            WHEN subcategory = 'strength' THEN 2700 + w * 1800
            WHEN subcategory = 'endurance' THEN 2400 + w * 4800
            ELSE 1800 + w * 1800
        END) AS elapsed_s,
        day + INTERVAL 6 HOUR + to_seconds(CAST(round(u * 50000) AS BIGINT) + slot * 30000) AS start_local
    FROM typed
)
SELECT
    athlete || '-' || strftime(day, '%Y%m%d') || '-' || slot AS activity_id,
    'bench-' || athlete || '-' || strftime(day, '%Y%m%d') AS file_id,
    athlete,
    'fit' AS source_format,
    slot AS session_index,
    sport,
    NULL AS sub_sport,
    NULL AS name,
    start_local - to_seconds(offset_s) AS start_time_utc,
    offset_s AS utc_offset_s,
    start_local AS start_time_local,
    elapsed_s,
    elapsed_s * 0.95 AS moving_s,
    CASE sport
        WHEN 'running' THEN elapsed_s * 0.95 * (2.4 + w)
        WHEN 'cycling' THEN elapsed_s * 0.95 * (5.0 + 2 * w)
        WHEN 'walking' THEN elapsed_s * 0.95 * 1.4
    END AS distance_m,
    elapsed_s / 6 AS calories_kcal,
    NULL AS avg_hr,
    NULL AS max_hr,
    'bench' AS device,
    CASE WHEN subcategory = 'strength' AND w < 0.3 THEN 6 + round(w * 10) END AS rpe,
    NULL AS source_ref,
    category,
    subcategory,
    'bench' AS classification_reason,
    1.0 AS classification_confidence,
    NULL AS duplicate_of
FROM shaped
"""

# The same session again from a second source, for 1 % of other activities: the views must count it once.
DUPLICATES = """
INSERT INTO activities BY NAME
SELECT * REPLACE (
    activity_id || '-strava' AS activity_id, file_id || '-strava' AS file_id, 'csv:strava' AS source_format,
    0 AS session_index, 'strava' AS device, activity_id AS duplicate_of
)
FROM activities
WHERE category = 'other' AND hash(activity_id, 'dup') % 100 = 0
"""

# Five exercises per strength session, rotating by weekday; each has a warm-up, three or four working sets and
# a rest row. Loads grow slowly over the years with weekly noise; 3 % of exercises come unmapped.
SETS = """
INSERT INTO strength_sets BY NAME
WITH sessions AS (
    SELECT activity_id, athlete, start_time_utc, start_time_local,
           datediff('day', DATE '{first_day}', CAST(start_time_local AS DATE)) AS day_no
    FROM activities
    WHERE category = 'resistance'
),
catalogue AS (
    SELECT exercise, fit_category, bodyweight, row_number() OVER (ORDER BY exercise) - 1 AS ex_no
    FROM exercises
),
chosen AS (
    SELECT s.*, k AS slot, c.exercise, c.fit_category, c.bodyweight
    FROM sessions AS s, range(0, 5) AS r(k), catalogue AS c
    WHERE c.ex_no = (k * 2 + s.day_no % 7) % 12
),
planned AS (
    SELECT
        *,
        CAST(hash(activity_id, slot, 'n') % 100 AS INTEGER) AS noise,
        hash(activity_id, slot, 'map') % 100 < 3 AS unmapped,
        CASE WHEN bodyweight THEN 0.0
             ELSE round((40 + (hash(exercise) % 60)) * (1 + day_no / 3650.0 * 0.4)
                        * (0.95 + (hash(athlete, day_no // 7, exercise) % 100) / 1000.0) / 2.5) * 2.5
        END AS load_kg
    FROM chosen
),
rows AS (
    SELECT p.*, j AS set_no
    FROM planned AS p, range(0, 6) AS r(j)
    WHERE j < 5 OR p.noise < 50
)
SELECT
    activity_id,
    CAST(slot * 6 + set_no AS INTEGER) AS set_index,
    start_time_utc + to_seconds(slot * 600 + set_no * 120) AS start_time_utc,
    CASE WHEN set_no = 4 THEN 90.0 ELSE 40.0 END AS duration_s,
    CASE WHEN set_no = 0 THEN 'warmup' WHEN set_no = 4 THEN 'rest' ELSE 'working' END AS set_type,
    fit_category AS exercise_category,
    [fit_category] AS exercise_guesses,
    CASE WHEN unmapped THEN exercise || ' (app)' ELSE exercise END AS exercise_name,
    CASE WHEN set_no = 4 OR unmapped THEN NULL ELSE exercise END AS exercise,
    CASE WHEN set_no = 4 THEN NULL WHEN set_no = 0 THEN 10 ELSE CAST(5 + (noise + set_no) % 6 AS INTEGER) END AS reps,
    CASE WHEN set_no = 4 THEN NULL WHEN set_no = 0 THEN round(load_kg * 0.5) ELSE load_kg END AS weight_kg,
    NULL AS distance_m,
    CASE WHEN set_no IN (1, 2, 3, 5) AND noise < 30 THEN 7 + (noise % 3) END AS rpe,
    NULL AS notes
FROM rows
"""

# Heart rate every second (every 2 s in strength sessions): a warm-up curve towards a target share of the
# heart-rate reserve, a slow wave, and a little noise.
SAMPLES = """
INSERT INTO samples (activity_id, timestamp_utc, heart_rate, speed_mps)
WITH plan AS (
    SELECT
        activity_id,
        start_time_utc,
        CAST(elapsed_s AS BIGINT) AS elapsed,
        CASE WHEN category = 'resistance' THEN 2 ELSE 1 END AS step,
        CASE subcategory
            WHEN 'strength' THEN 0.45 WHEN 'endurance' THEN 0.62 WHEN 'flexibility' THEN 0.25
            WHEN 'balance' THEN 0.3 WHEN 'mixed' THEN 0.7 ELSE 0.6
        END + (CAST(hash(activity_id) % 100 AS INTEGER) - 50) / 1000.0 AS target,
        CASE WHEN sport IN ('running', 'cycling', 'walking') THEN distance_m / elapsed_s END AS speed
    FROM activities
    WHERE duplicate_of IS NULL
)
SELECT
    p.activity_id,
    p.start_time_utc + to_seconds(t) AS timestamp_utc,
    CAST(58 + 128 * p.target * (1 - exp(-t / 240.0)) + 6 * sin(t / 97.0) + (t * 7919 % 9) - 4 AS INTEGER),
    p.speed
FROM plan AS p, unnest(range(0, p.elapsed, p.step)) AS r(t)
"""

QUERIES: dict[str, str] = {
    "activities_effective": "SELECT * FROM activities_effective WHERE local_date BETWEEN $start AND $end",
    "working_sets": "SELECT * FROM working_sets WHERE local_date BETWEEN $start AND $end",
    "activity_intensity": "SELECT * FROM activity_intensity WHERE local_date BETWEEN $start AND $end",
    "weekly_balance": "SELECT * FROM weekly_balance WHERE week_start BETWEEN $start AND $end",
    "exercise_progress": "SELECT * FROM exercise_progress WHERE week_start BETWEEN $start AND $end",
    # records of the exercises trained that year (a record's own date is mostly in the last years)
    "personal_records": ("SELECT * FROM personal_records WHERE first_trained <= $end AND last_trained >= $start"),
    "muscle_group_weekly": "SELECT * FROM muscle_group_weekly WHERE week_start BETWEEN $start AND $end",
    "training_load_daily": "SELECT * FROM training_load_daily WHERE day BETWEEN $start AND $end",
    "unmapped_exercises": "SELECT * FROM unmapped_exercises WHERE last_seen >= $start AND first_seen <= $end",
    # the view at the wall clock (today is after the history: every week of the year is a past week), and the macro
    # at a clock inside the year (its weeks up to the last day of the year)
    "weekly_targets": "SELECT * FROM weekly_targets WHERE week_start BETWEEN $start AND $end",
    "weekly_targets_at": (
        "SELECT * FROM weekly_targets_at(CAST($end AS DATE)) WHERE week_start BETWEEN $start AND $end"
    ),
    "strength_balance_weekly": "SELECT * FROM strength_balance_weekly WHERE week_start BETWEEN $start AND $end",
    "rep_records": "SELECT * FROM rep_records WHERE best_weight_date BETWEEN $start AND $end",
    "training_load_weekly": "SELECT * FROM training_load_weekly WHERE week_start BETWEEN $start AND $end",
    # the plan is for each athlete's next session whatever the year: every row (the year only names the columns)
    "exercise_next_session": (
        "SELECT * FROM exercise_next_session WHERE CAST($start AS DATE) <= CAST($end AS DATE) ORDER BY athlete"
    ),
}


@dataclass(frozen=True)
class Timing:
    view: str
    rows: int
    first_s: float
    median_s: float
    worst_s: float
    cpu_s: float  # median CPU time of the process (all DuckDB threads): what the query costs without contention


def timed(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, object] | None = None) -> float:
    start = time.perf_counter()
    con.execute(sql, params or {})
    return time.perf_counter() - start


def generate(con: duckdb.DuckDBPyConnection, years: int) -> dict[str, float]:
    """Fill an empty database with the generated history; returns seconds per step."""
    apply_views(con)
    days = years * 365 + years // 4
    fmt = {"first_day": FIRST_DAY, "days": days}
    steps: dict[str, float] = {}
    for name, sql in [
        ("athletes", ATHLETES),
        ("exercises", EXERCISES),
        ("patterns", PATTERNS),
        ("targets", TARGETS),
        ("activities", ACTIVITIES),
        ("duplicates", DUPLICATES),
        ("strength_sets", SETS),
        ("samples", SAMPLES),
    ]:
        steps[name] = timed(con, sql.format(**fmt))
    con.execute("CHECKPOINT")
    return steps


def middle_year(con: duckdb.DuckDBPyConnection) -> int:
    """The year the queries ask for: the middle of the history."""
    rows = con.execute("SELECT year(min(start_time_local)), year(max(start_time_local)) FROM activities").fetchall()
    first, last = rows[0]
    return int(first + (last - first) // 2)


def time_views(con: duckdb.DuckDBPyConnection, year: int) -> list[Timing]:
    params = {"start": f"{year}-01-01", "end": f"{year}-12-31"}
    timings = []
    for view, sql in QUERIES.items():
        first = time.perf_counter()
        rows = len(con.execute(sql, params).fetchall())
        first_s = time.perf_counter() - first
        runs, cpu = [], []
        for _ in range(RUNS):
            start, start_cpu = time.perf_counter(), time.process_time()
            con.execute(sql, params).fetchall()
            runs.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        timings.append(Timing(view, rows, first_s, statistics.median(runs), max(runs), statistics.median(cpu)))
    return timings


def counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    out = {}
    for table in ("activities", "strength_sets", "samples", "activity_hr_seconds"):
        out[table] = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]  # table names: our constants
    out["activities (duplicates)"] = con.execute(
        "SELECT count(*) FROM activities WHERE duplicate_of IS NOT NULL"
    ).fetchall()[0][0]
    return out


def report(
    sizes: dict[str, int],
    steps: dict[str, float],
    refresh: dict[str, float],
    timings: list[Timing],
    db: Path,
    year: int,
) -> str:
    lines = [
        "# View benchmark",
        "",
        f"Made by `bench/bench_views.py` on {platform.machine()}, {platform.system()}, "
        f"Python {platform.python_version()}, DuckDB {duckdb.__version__}, {os.cpu_count()} cores "
        f"(load average {os.getloadavg()[0]:.1f} when it finished); database `{db.name}` "
        f"({db.stat().st_size / 1e6:.0f} MB).",
        "",
        "## History",
        "",
        "| table | rows |",
        "|---|---:|",
        *[f"| {k} | {v:,} |" for k, v in sizes.items()],
        "",
    ]
    if steps:
        lines += [
            "Generation (DuckDB SQL): " + ", ".join(f"{k} {v:.1f} s" for k, v in steps.items()) + ".",
            "",
        ]
    lines += [
        "## Derived table (`refresh_derived`)",
        "",
        "| refresh | seconds |",
        "|---|---:|",
        *[f"| {k} | {v:.2f} |" for k, v in refresh.items()],
        "",
        f"## One-year query per view (year {year}, all athletes; target < {TARGET_S:.0f} s)",
        "",
        f"Each query is `SELECT * FROM <view>` filtered on the view's date column to {year} (see `QUERIES` "
        f"in the script), fetched in full on a new read-only connection, as a user's client opens one: the first "
        f"run, then the median and worst of {RUNS} more.",
        "",
        "| view | rows | first (s) | median (s) | worst (s) | median CPU (s) | median under target |",
        "|---|---:|---:|---:|---:|---:|---|",
        *[
            f"| {t.view} | {t.rows:,} | {t.first_s:.3f} | {t.median_s:.3f} | {t.worst_s:.3f} | {t.cpu_s:.3f} | "
            f"{'yes' if t.median_s < TARGET_S else 'NO'} |"
            for t in timings
        ],
        "",
        "Wall-clock times depend on what else the machine runs (see the load average above): a single slow run is",
        "the machine, not the query, so the target is judged on the median. The CPU column is the time the query's",
        "threads actually ran, summed over both cores.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--reuse", action="store_true", help="time the database already generated")
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args()

    db: Path = args.db
    steps: dict[str, float] = {}
    if not args.reuse:
        db.parent.mkdir(parents=True, exist_ok=True)
        for stale in (db, db.with_name(db.name + ".wal")):
            stale.unlink(missing_ok=True)
    con = duckdb.connect(str(db))
    try:
        if not args.reuse:
            steps = generate(con, args.years)
            print("generated:", ", ".join(f"{k} {v:.1f} s" for k, v in steps.items()))
        apply_views(con)
        refresh = {"full (all activities)": 0.0, "incremental (25 activities)": 0.0}
        start = time.perf_counter()
        refresh_derived(con)
        refresh["full (all activities)"] = time.perf_counter() - start
        batch = [
            r[0]
            for r in con.execute(
                "SELECT activity_id FROM activities WHERE duplicate_of IS NULL ORDER BY activity_id DESC LIMIT 25"
            ).fetchall()
        ]
        start = time.perf_counter()
        refresh_derived(con, batch)
        refresh["incremental (25 activities)"] = time.perf_counter() - start
        con.execute("CHECKPOINT")
        print("refresh:", ", ".join(f"{k} {v:.2f} s" for k, v in refresh.items()))
    finally:
        con.close()
    # users query through their own connection (`fitbalance sql`, the DuckDB CLI): time a fresh read-only one
    reader = duckdb.connect(str(db), read_only=True)
    try:
        year = middle_year(reader)
        timings = time_views(reader, year)
        for t in timings:
            print(
                f"{t.view:24} rows {t.rows:7,}  first {t.first_s:.3f} s  median {t.median_s:.3f} s  "
                f"worst {t.worst_s:.3f} s  cpu {t.cpu_s:.3f} s"
            )
        sizes = counts(reader)
    finally:
        reader.close()
    args.results.write_text(report(sizes, steps, refresh, timings, db, year), encoding="utf-8")
    print(f"wrote {args.results}")


if __name__ == "__main__":
    main()
