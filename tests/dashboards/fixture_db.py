"""The sample database the dashboard tests read: two athletes, 16 weeks, files, a quarantine and ingest runs.

With the real SQL views in the package (issue 4), it is the tables of 000_tables.sql filled with a generated training
history (``history.py``) and the views applied with ``fitbalance.store.views.apply_views``: the dashboards are tested
on what the views really compute.

TEMPORARY, until the views land on main: without them, the views' names and columns are created as plain tables
filled with plausible rows by the generator below (``_shape_tables``), so the dashboards can be developed against the
contract. Delete that part once the views are on main.

Two athletes: ``ana`` (metric, born 1985) and ``ben`` (imperial, born 1955: 65+), 16 weeks from 2024-11-18 to the
week of 2025-03-03. Nothing depends on the clock: every date is fixed.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl

from fitbalance.store import read
from tests.dashboards import history

FIRST_WEEK = date(2024, 11, 18)
WEEKS = 16
LAST_WEEK = FIRST_WEEK + timedelta(days=7 * (WEEKS - 1))  # 2025-03-03
TABLES_SQL = Path(__file__).resolve().parents[2] / "src" / "fitbalance" / "store" / "sql" / "000_tables.sql"

ATHLETES = {"ana": ("metric", 1985, "female"), "ben": ("imperial", 1955, "male")}
EXERCISES = {
    # name: (start e1RM kg, weekly gain kg, bodyweight, primary muscle groups, secondary)
    "Bench Press": (70.0, 0.9, False, ["chest"], ["triceps", "shoulders"]),
    "Back Squat": (95.0, 1.4, False, ["quads", "glutes"], ["hamstrings", "core"]),
    "Deadlift": (120.0, 0.2, False, ["hamstrings", "glutes", "back"], ["core"]),
    "Overhead Press": (42.0, -0.3, False, ["shoulders"], ["triceps"]),
    "Pull Up": (0.0, 0.0, True, ["back"], ["biceps"]),
}
MUSCLES = [
    "back",
    "biceps",
    "calves",
    "chest",
    "core",
    "glutes",
    "hamstrings",
    "quads",
    "shoulders",
    "triceps",
]


def _iso(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _weekly_balance(rng: random.Random) -> pl.DataFrame:
    rows = []
    for athlete, (_, birth, _) in ATHLETES.items():
        age = LAST_WEEK.year - birth
        for i in range(WEEKS):
            week = FIRST_WEEK + timedelta(days=7 * i)
            off = i == 6  # a week off: all zeros (the view has no gaps)
            res_days = 0 if off else rng.choice([1, 2, 2, 3, 3])
            kinds = {
                "endurance_minutes": 0.0 if off else rng.choice([40.0, 90.0, 130.0, 160.0, 210.0]),
                "flexibility_minutes": 0.0 if off else rng.choice([0.0, 0.0, 20.0, 30.0]),
                "balance_minutes": 0.0 if off else rng.choice([0.0, 15.0]) if athlete == "ben" else 0.0,
                "mixed_minutes": 0.0 if off else rng.choice([0.0, 0.0, 45.0]),
                "sport_minutes": 0.0 if off else rng.choice([0.0, 60.0, 0.0]),
                "unspecified_minutes": 0.0 if off else rng.choice([0.0, 0.0, 25.0]),
            }
            resistance = 50.0 * res_days + (0.0 if off else rng.choice([0.0, 10.0]))
            other = sum(kinds.values())
            vigorous = round(kinds["endurance_minutes"] * rng.choice([0.0, 0.2, 0.4]), 1)
            moderate = round(other - kinds["flexibility_minutes"] - kinds["balance_minutes"] - vigorous, 1)
            who = moderate + 2 * vigorous
            multi = 0 if off else min(7, res_days + (1 if kinds["balance_minutes"] or kinds["mixed_minutes"] else 0))
            meets_aerobic = who >= 150
            meets_strength = res_days >= 2
            is_65 = age >= 65
            meets_multi = multi >= 3 if is_65 else None
            total = resistance + other
            share = resistance / total if total else None
            rows.append(
                {
                    "athlete": athlete,
                    "week_start": week,
                    "iso_week": _iso(week),
                    "resistance_sessions": res_days,
                    "resistance_minutes": resistance,
                    "resistance_days": res_days,
                    "other_sessions": sum(1 for v in kinds.values() if v),
                    "other_minutes": other,
                    **kinds,
                    "total_minutes": total,
                    "moderate_minutes": moderate,
                    "vigorous_minutes": vigorous,
                    "who_aerobic_minutes": who,
                    "meets_aerobic": meets_aerobic,
                    "meets_strength": meets_strength,
                    "age": age,
                    "is_65_plus": is_65,
                    "multicomponent_days": multi,
                    "meets_multicomponent": meets_multi,
                    "meets_guideline": meets_aerobic and meets_strength and (meets_multi is not False),
                    "resistance_share": share,
                    "well_rounded": meets_aerobic and meets_strength and kinds["flexibility_minutes"] > 0,
                }
            )
    return pl.DataFrame(rows, schema=read.WEEKLY_BALANCE_COLUMNS)


def _status(change_pct: float | None, first: bool, flat_weeks: int) -> str:
    if first:
        return "new"
    if change_pct is not None and change_pct >= 2.5:
        return "progressing"
    if change_pct is not None and change_pct <= -5:
        return "regressing"
    if flat_weeks >= 3:
        return "stalled"
    return "holding"


def _exercise_progress(rng: random.Random) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    progress, records, muscles = [], [], []
    for athlete in ATHLETES:
        scale = 1.0 if athlete == "ana" else 0.85
        for name, (start, gain, bodyweight, primary, secondary) in EXERCISES.items():
            prev: dict[str, object] | None = None
            flat = 0
            history: list[tuple[date, float]] = []
            for i in range(WEEKS):
                week = FIRST_WEEK + timedelta(days=7 * i)
                if i == 6 or (name == "Overhead Press" and i % 4 == 3) or rng.random() < 0.08:
                    continue
                sets = rng.choice([3, 4, 5])
                reps = rng.choice([5, 6, 8]) if not bodyweight else rng.choice([6, 8, 10])
                if bodyweight:
                    e1rm = 0.0
                    top: float | None = None
                    volume = 0.0
                    total_reps = sets * (reps + i // 4)
                else:
                    e1rm = round((start + gain * i) * scale + rng.uniform(-1.5, 1.5), 1)
                    top = round(e1rm / (1 + reps / 30) / 2.5) * 2.5
                    volume = round(sets * reps * top, 1)
                    total_reps = sets * reps
                change_kg = None if prev is None or bodyweight else round(e1rm - float(prev["best_e1rm_kg"]), 1)
                change_pct = (
                    None if change_kg is None or not prev else round(change_kg / float(prev["best_e1rm_kg"]) * 100, 1)
                )
                flat = 0 if change_pct is not None and change_pct >= 2.5 else flat + 1
                recent = [v for d, v in history if week - d <= timedelta(days=28)]
                avg4 = sum(recent) / len(recent) if recent else None
                progress.append(
                    {
                        "athlete": athlete,
                        "exercise": name,
                        "week_start": week,
                        "working_sets": sets,
                        "total_reps": total_reps,
                        "volume_load_kg": volume,
                        "is_bodyweight": bodyweight,
                        "top_set_kg": top,
                        "best_e1rm_kg": None if bodyweight else e1rm,
                        "best_e1rm_brzycki_kg": None if bodyweight else round(e1rm * 0.97, 1),
                        "prev_week_start": None if prev is None else prev["week_start"],
                        "e1rm_change_kg": change_kg,
                        "e1rm_change_pct": change_pct,
                        "e1rm_vs_4wk_avg_pct": None
                        if avg4 is None or bodyweight
                        else round((e1rm / avg4 - 1) * 100, 1),
                        "volume_change_pct": None,
                        "volume_vs_4wk_avg_pct": None,
                        "reps_change": None if prev is None else total_reps - int(str(prev["total_reps"])),
                        "status": _status(change_pct, prev is None, flat),
                    }
                )
                history.append((week, e1rm))
                prev = progress[-1]
                for group in primary + secondary:
                    share = 1.0 if group in primary else 0.5
                    muscles.append(
                        (
                            athlete,
                            week,
                            group,
                            sets * share,
                            sets if group in primary else 0,
                            0 if group in primary else sets,
                        )
                    )
            mine = [r for r in progress if r["athlete"] == athlete and r["exercise"] == name]
            if bodyweight:
                best = max(mine, key=lambda r: int(str(r["total_reps"])))
                records.append(
                    {
                        "athlete": athlete,
                        "exercise": name,
                        "best_e1rm_kg": None,
                        "best_e1rm_date": None,
                        "best_weight_kg": None,
                        "best_weight_date": None,
                        "best_weight_reps": None,
                        "max_reps": 12,
                        "max_reps_date": best["week_start"] + timedelta(days=2),
                    }
                )
            else:
                best = max(mine, key=lambda r: float(str(r["best_e1rm_kg"])))
                heavy = max(mine, key=lambda r: float(str(r["top_set_kg"])))
                records.append(
                    {
                        "athlete": athlete,
                        "exercise": name,
                        "best_e1rm_kg": best["best_e1rm_kg"],
                        "best_e1rm_date": best["week_start"] + timedelta(days=1),
                        "best_weight_kg": heavy["top_set_kg"],
                        "best_weight_date": heavy["week_start"] + timedelta(days=3),
                        "best_weight_reps": 5,
                        "max_reps": 10,
                        "max_reps_date": best["week_start"] + timedelta(days=1),
                    }
                )
    muscle_frame = (
        pl.DataFrame(
            muscles,
            schema=["athlete", "week_start", "muscle_group", "sets", "primary_sets", "secondary_sets"],
            orient="row",
        )
        .group_by("athlete", "week_start", "muscle_group")
        .agg(pl.col("sets").sum(), pl.col("primary_sets").sum(), pl.col("secondary_sets").sum())
        .sort("athlete", "week_start", "muscle_group")
    )
    # calves: trained once, so the heat map has a neglected group
    calves = pl.DataFrame(
        {
            "athlete": ["ana"],
            "week_start": [FIRST_WEEK],
            "muscle_group": ["calves"],
            "sets": [3.0],
            "primary_sets": [3],
            "secondary_sets": [0],
        }
    )
    muscle_frame = pl.concat(
        [muscle_frame.cast(read.MUSCLE_GROUP_WEEKLY_COLUMNS), calves.cast(read.MUSCLE_GROUP_WEEKLY_COLUMNS)]
    )
    return (
        pl.DataFrame(progress, schema=read.EXERCISE_PROGRESS_COLUMNS),
        pl.DataFrame(records, schema=read.PERSONAL_RECORDS_COLUMNS),
        muscle_frame,
    )


def _band(ratio: float | None) -> str | None:
    if ratio is None:
        return None
    if ratio < 0.8:
        return "low"
    if ratio <= 1.3:
        return "sweet_spot"
    if ratio <= 1.5:
        return "caution"
    return "high_risk"


def _training_load(rng: random.Random) -> pl.DataFrame:
    rows = []
    days = WEEKS * 7
    for athlete in ATHLETES:
        loads: list[float] = []
        acute_e = chronic_e = 0.0
        for i in range(days):
            day = FIRST_WEEK + timedelta(days=i)
            ramp = 1.6 if 84 <= i < 98 else 1.0  # a hard block: the ACWR rises into caution / high risk
            endurance = 0.0 if (i % 7) in (0, 3) or 42 <= i < 49 else round(rng.uniform(30, 90) * ramp, 1)
            strength = round(rng.uniform(25, 45), 1) if (i % 7) in (0, 2, 4) and not 42 <= i < 49 else 0.0
            total = endurance + strength
            loads.append(total)
            acute = sum(loads[-7:]) / 7
            chronic = sum(loads[-28:]) / 28
            acute_e = 2 / 8 * total + (1 - 2 / 8) * acute_e
            chronic_e = 2 / 29 * total + (1 - 2 / 29) * chronic_e
            rolling = acute / chronic if chronic else None
            ewma = acute_e / chronic_e if chronic_e else None
            rows.append(
                {
                    "athlete": athlete,
                    "day": day,
                    "endurance_load": endurance,
                    "strength_load": strength,
                    "total_load": total,
                    "acute_load": acute,
                    "chronic_load": chronic,
                    "acwr_rolling": rolling,
                    "acute_ewma": acute_e,
                    "chronic_ewma": chronic_e,
                    "acwr_ewma": ewma,
                    "acwr_band": _band(ewma),
                }
            )
    return pl.DataFrame(rows, schema=read.TRAINING_LOAD_DAILY_COLUMNS)


def _bookkeeping(con: duckdb.DuckDBPyConnection) -> None:
    """Source files, quarantine rows and two ingest runs, as an ingest records them."""
    at = datetime(2025, 3, 6, 21, 30)
    files = [
        ("garmin/2025-03-03-strength.fit", "fit", "loaded", None, "ana"),
        ("garmin/2025-03-04-run.fit", "fit", "loaded", None, "ana"),
        ("garmin/2025-03-05-run.fit", "fit", "loaded", None, "ana"),
        ("garmin/monitoring-0305.fit", "fit", "skipped", "monitoring", "ana"),
        ("garmin/broken.fit", "fit", "quarantined", "FIT CRC mismatch", "ana"),
        ("hevy/workouts.csv", "csv:hevy", "loaded", None, "ana"),
        ("strava/activities.csv", "csv:strava", "loaded", None, "ben"),
        ("strong/strong.csv", "csv:strong", "loaded", None, "ben"),
        ("notes.txt", "unknown", "quarantined", "no reader recognises this file", "ben"),
    ]
    for i, (path, fmt, status, detail, athlete) in enumerate(files):
        con.execute(
            "INSERT INTO source_files VALUES ($id, $p, $f, $n, $s, $d, $a, $t, $t, 'run-2')",
            {
                "id": f"sha{i:03d}",
                "p": path,
                "f": fmt,
                "n": 1000 + 17 * i,
                "s": status,
                "d": detail,
                "a": athlete,
                "t": at - timedelta(days=len(files) - i),
            },
        )
    con.execute(
        "INSERT INTO quarantine VALUES ('sha004', 'garmin/broken.fit', 'decode', "
        "'FIT CRC mismatch: expected 0x1a2b, got 0x0000', NULL, 'run-2', $t)",
        {"t": at},
    )
    con.execute(
        "INSERT INTO quarantine VALUES (NULL, 'notes.txt', 'discover', "
        "'no reader recognises this file (tried: fit, garmin, strava, hevy, strong)', NULL, 'run-2', $t)",
        {"t": at},
    )
    con.execute(
        "INSERT INTO ingest_runs VALUES ('run-1', NULL, $a, $b, 'completed', 7, 6, 1, 0, 0, 120, 900, NULL)",
        {"a": at - timedelta(days=1), "b": at - timedelta(days=1) + timedelta(seconds=42)},
    )
    con.execute(
        "INSERT INTO ingest_runs VALUES ('run-2', NULL, $a, $b, 'completed', 9, 2, 0, 5, 2, 3, 24, NULL)",
        {"a": at, "b": at + timedelta(seconds=8)},
    )


def _unmapped() -> pl.DataFrame:
    unmapped = pl.DataFrame(
        {
            "exercise_name": ["Landmine Rotation", "Cable Woodchop (High)"],
            "sets": [9, 4],
            "first_seen": [date(2024, 12, 2), date(2025, 2, 10)],
            "last_seen": [date(2025, 3, 3), date(2025, 2, 24)],
        },
        schema=read.UNMAPPED_EXERCISES_COLUMNS,
    )
    return unmapped


def _create(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> None:
    con.register("_frame", frame)
    con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM _frame')
    con.unregister("_frame")


def views_available() -> bool:
    """Whether the package has the real SQL views (issue 4) yet."""
    try:
        from fitbalance.store import views
    except ImportError:
        return False
    sql = Path(views.__file__).parent / "sql"
    return any("VIEW weekly_balance" in f.read_text(encoding="utf-8") for f in sql.glob("*.sql"))


def _build_real(con: duckdb.DuckDBPyConnection, *, empty: bool, seed: int) -> None:
    from fitbalance.store import views

    con.execute(TABLES_SQL.read_text(encoding="utf-8"))
    views.apply_views(con)
    if not empty:
        history.insert(con, seed)
        _bookkeeping(con)
    refresh = getattr(views, "refresh_derived", None)
    if refresh is not None:
        refresh(con)


def _build_shapes(con: duckdb.DuckDBPyConnection, *, empty: bool, seed: int) -> None:
    """TEMPORARY: the views' shapes as plain tables of plausible rows."""
    rng = random.Random(seed)
    con.execute(TABLES_SQL.read_text(encoding="utf-8"))
    progress, records, muscles = _exercise_progress(rng)
    frames = {
        "weekly_balance": _weekly_balance(rng),
        "exercise_progress": progress,
        "personal_records": records,
        "muscle_group_weekly": muscles,
        "training_load_daily": _training_load(rng),
        "unmapped_exercises": _unmapped(),
    }
    for name, frame in frames.items():
        _create(con, name, frame.clear() if empty else frame)
    if not empty:
        for athlete, (units, birth, sex) in ATHLETES.items():
            con.execute(
                "INSERT INTO athletes VALUES ($a, 'Europe/Berlin', $b, NULL, NULL, $s, $u)",
                {"a": athlete, "b": birth, "s": sex, "u": units},
            )
        _bookkeeping(con)


def build(path: Path, *, empty: bool = False, seed: int = 7) -> Path:
    """Write the sample database to ``path``; ``empty`` makes it a fresh install's (tables and views, no rows)."""
    con = duckdb.connect(str(path))
    try:
        if views_available():
            _build_real(con, empty=empty, seed=seed)
        else:
            _build_shapes(con, empty=empty, seed=seed)
    finally:
        con.close()
    return path


def drop_strength_sets(path: Path) -> None:
    """Remove every strength set (the resistance activities stay): an athlete who logs no sets."""
    con = duckdb.connect(str(path))
    try:
        if views_available():
            con.execute("DELETE FROM strength_sets")
        else:
            for table in ("exercise_progress", "personal_records", "muscle_group_weekly"):
                con.execute(f"DELETE FROM {table}")
    finally:
        con.close()


if __name__ == "__main__":  # pragma: no cover - a developer's helper: python tests/dashboards/fixture_db.py OUT
    import sys

    print(build(Path(sys.argv[1])))
