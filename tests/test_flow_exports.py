"""Issue 27's "done when": a folder of the exports people download, loaded with no settings file at all.

In one folder: an Apple Health ``export.zip`` (the Health app's download), a Samsung Health export (the app's zip of
``samsunghealth_<user>_<when>/``), a Garmin account export zip (``DI_CONNECT/...``, its summarised activities with
the FIT file of one of them) and a WHOOP ``workouts.csv``, all made by the project's generators. The library's ingest
(what the flow runs) reads them with no settings file: every workout counts once, strength sessions are resistance,
and the weekly balance view shows each of them in the week it was done.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from synth import json_exports, watch_csvs, xml_exports
from synth.zips import zip_bytes

from .accounts import assert_every_row_is_accounted_for
from .ingesting import ingest_like_the_flow

ZIP_TIME = (2026, 2, 2, 9, 0, 0)


def q(db: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _minute(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def expected_workouts() -> list[tuple[str, str]]:
    """Every workout the four exports hold, once: (local start to the minute, category)."""
    apple = [(_minute(w.start_local), w.category) for w in xml_exports.week_workouts()]
    planned = watch_csvs.planned_sessions()
    watches = [
        (_minute(s.local_start), "resistance" if s.resistance else "other")
        for app in ("samsung", "whoop")
        for s in planned[app]
    ]
    garmin = json_exports.export_files()[json_exports.GARMIN_ZIP][1]["activities"]
    account = [(a["start_time_local"][:16].replace("T", " "), a["category"]) for a in garmin]
    return sorted(apple + watches + account)


def write_exports(folder: Path) -> None:
    """The four downloads side by side, as a user would put them in one folder."""
    apple = xml_exports.sample_files()[f"{xml_exports.FOLDER}/apple_health/export.zip"][0]
    (folder / "apple").mkdir(parents=True)
    (folder / "apple" / "export.zip").write_bytes(apple)
    samsung = [
        (name.removeprefix(f"{watch_csvs.FOLDER}/"), data)
        for name, (data, _) in watch_csvs.watch_files().items()
        if name.startswith(f"{watch_csvs.FOLDER}/{watch_csvs.SAMSUNG_DIR}/")
    ]
    (folder / f"{watch_csvs.SAMSUNG_DIR}.zip").write_bytes(zip_bytes(samsung, ZIP_TIME))
    whoop = watch_csvs.watch_files()[f"{watch_csvs.FOLDER}/whoop/workouts.csv"][0]
    (folder / "whoop").mkdir()
    (folder / "whoop" / "workouts.csv").write_bytes(whoop)
    garmin = json_exports.export_files()[json_exports.GARMIN_ZIP][0]
    (folder / "garmin-export.zip").write_bytes(garmin)


@pytest.fixture(scope="module")
def no_settings_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("exports-no-settings")
    write_exports(root / "downloads")
    db = root / "history.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("FITBALANCE_SETTINGS", raising=False)
        patch.chdir(root)  # no ./fitbalance.toml here either: the defaults
        assert not (root / "fitbalance.toml").exists()
        summary = ingest_like_the_flow([root / "downloads"], db, workers=1)
    return {"db": db, "summary": summary}


def test_every_workout_of_the_four_exports_counts_once(no_settings_run: dict[str, Any]) -> None:
    """Each workout the generators wrote is one counted activity, at its local start, of the class it should have:
    the Garmin run also in the zip's FIT file counts once, the triathlon as its legs; nothing else is counted."""
    db = no_settings_run["db"]
    counted = q(
        db,
        "SELECT strftime(start_time_local, '%Y-%m-%d %H:%M'), category FROM activities "
        "WHERE duplicate_of IS NULL ORDER BY 1, 2",
    )
    assert counted == expected_workouts()
    formats = dict(q(db, "SELECT source_format, count(*) FROM activities WHERE duplicate_of IS NULL GROUP BY 1"))
    assert set(formats) == {"xml:apple_health", "csv:samsung_health", "csv:whoop", "json:garmin", "fit"}
    assert q(db, "SELECT source_format FROM activities WHERE duplicate_of IS NOT NULL") == [("json:garmin",)]


def test_strength_sessions_are_resistance_and_the_weekly_balance_shows_them(no_settings_run: dict[str, Any]) -> None:
    """Apple's Traditional and Functional Strength Training, Samsung's weight machine and strength workouts, WHOOP's
    Weightlifting / Functional Fitness and Garmin's strength training are resistance; each week of the view counts
    the resistance and other sessions started in it, as the exports hold them."""
    db = no_settings_run["db"]
    strength = dict(
        q(
            db,
            "SELECT source_format, count(*) FROM activities WHERE category = 'resistance' AND duplicate_of IS NULL "
            "GROUP BY 1",
        )
    )
    planned = watch_csvs.planned_sessions()
    assert strength == {
        "xml:apple_health": 2,
        "csv:samsung_health": sum(s.resistance for s in planned["samsung"]),
        "csv:whoop": sum(s.resistance for s in planned["whoop"]),
        "json:garmin": 1,
    }
    by_week: Counter[tuple[date, str]] = Counter()
    for start, category in expected_workouts():
        day = datetime.strptime(start, "%Y-%m-%d %H:%M").date()
        by_week[(day - timedelta(days=day.weekday()), category)] += 1
    weeks = {week for week, _ in by_week}
    shown = q(db, "SELECT week_start, resistance_sessions, other_sessions FROM weekly_balance ORDER BY 1")
    assert [(w, r, o) for w, r, o in shown if w in weeks] == [
        (w, by_week[(w, "resistance")], by_week[(w, "other")]) for w in sorted(weeks)
    ]
    assert sum(r for _, r, _ in shown) == sum(strength.values())
    assert sum(o for _, _, o in shown) == sum(n for (_, category), n in by_week.items() if category == "other")


def test_the_run_without_settings_accounts_for_every_file_and_row(no_settings_run: dict[str, Any]) -> None:
    """Nothing waits on a setting these exports do not need; every row read is loaded, set aside or a repeat, and
    the exports' other files are skipped with their kind, none refused as unknown."""
    db = no_settings_run["db"]
    assert_every_row_is_accounted_for(db)
    statuses = Counter(status for (status,) in q(db, "SELECT status FROM source_files"))
    assert statuses["loaded"] >= 5 and "quarantined" not in statuses
    unknown = q(db, "SELECT path, detail FROM source_files WHERE status = 'skipped' AND detail LIKE '%no known%'")
    assert unknown == []
