"""What a file cannot prove costs a field, not the file: real ingests (the library's, a DuckDB file) of a Danish
Garmin export in another wording, a Strong workout left running for 264 hours and files of daily totals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.accounts import assert_every_row_is_accounted_for
from tests.core.test_repair import STRONG_OVER_A_DAY
from tests.ingesting import ingest_like_the_flow

DANISH = (
    "Aktivitetstype,Dato,Titel,Distance,Kalorier,Tid,Gennemsnit kadence løb,Gennemsnitlig skridtlængde\n"
    'Løb,2024-03-04 07:00:00,Løb,"5,24",400,00:30:00,168,"1,04"\n'
    'Løb,2024-03-06 07:00:00,Løb,"8,74",650,00:50:00,168,"1,04"\n'
)
SWEDISH = (  # a strength session whose elapsed time reads 00:00:00, one paused for 54 minutes
    "Aktivitetstyp,Datum,Titel,Tid,Förfluten tid\n"
    "Styrketräning,2024-03-05 18:00:00,Styrka,00:58:20,00:00:00\n"
    "Styrketräning,2024-03-07 18:00:00,Styrka,01:15:00,02:09:00\n"
)
HEALTH_EXPORT = (
    "Date,Active energy burned(kcal),Apple exercise time(min),Cardio Recovery(count/min),Step count(count)\n"
    "2024-03-04 00:00:00,512.3,34,,8456\n2024-03-05 00:00:00,498.1,28,,7456\n"
)


def q(db: Path, sql: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("units")
    (root / "in").mkdir()
    (root / "in" / "Activities.csv").write_text(DANISH, encoding="utf-8")
    (root / "in" / "strong.csv").write_text(STRONG_OVER_A_DAY, encoding="utf-8")
    (root / "in" / "Aktiviteter.csv").write_text(SWEDISH, encoding="utf-8")
    (root / "in" / "HealthExport-daily.csv").write_text(HEALTH_EXPORT, encoding="utf-8")
    db = root / "t.duckdb"
    summary = ingest_like_the_flow([root / "in"], db)  # no settings file
    return {"db": db, "summary": summary}


def test_nothing_is_quarantined_whole_and_every_row_is_accounted_for(ingested: dict[str, Any]) -> None:
    """With no settings file: the Garmin and Strong exports load (but the Strong workout nothing bounds, set aside as
    a row), the daily totals are skipped with their kind."""
    summary, db = ingested["summary"], ingested["db"]
    assert (summary["loaded"], summary["skipped"], summary["quarantined"]) == (3, 1, 0)
    kind = q(db, "SELECT format, detail FROM source_files WHERE status = 'skipped'")
    assert kind[0][0] == "csv:apple_health" and "Apple Health daily totals" in kind[0][1]
    assert_every_row_is_accounted_for(db)


def test_the_danish_wording_proves_km(ingested: dict[str, Any]) -> None:
    """Cadence x stride x time over the distance: km, so 5,24 is 5,240 m and nothing waits."""
    db = ingested["db"]
    distances = q(db, "SELECT round(distance_m) FROM activities WHERE sport = 'running' ORDER BY 1")
    assert distances == [(5240.0,), (8740.0,)]
    assert q(db, "SELECT count(*) FROM waiting_values WHERE column_name = 'distance_m'") == [(0,)]


def test_a_strong_workout_left_running_is_capped_or_set_aside_as_a_row(ingested: dict[str, Any]) -> None:
    """264 h ends at the next workout's start (13 h), the duration written kept in `repairs`; the last 100 h workout
    has nothing to bound it: it and its two sets are quarantine rows (stage `repair`) with every value read, and
    the file's other workouts load with all their sets."""
    db = ingested["db"]
    minutes = q(db, "SELECT name, minutes FROM activities_effective WHERE source_format = 'csv:strong' ORDER BY 1")
    assert minutes == [("Left running", 13 * 60.0), ("Morning", 45.0)]
    assert q(db, "SELECT count(*) FROM strength_sets") == [(2,)]
    assert q(db, "SELECT original FROM repairs WHERE rule = 'workout_over_a_day' ORDER BY line") == [
        (str(264 * 3600),),
    ]
    set_aside = q(db, "SELECT stage, table_name, line, rows, payload IS NOT NULL FROM quarantine ORDER BY table_name")
    assert set_aside == [("repair", "activities", 4, 1, True), ("repair", "strength_sets", 4, 2, True)]


def test_minutes_are_the_timer_time_the_watch_recorded(ingested: dict[str, Any]) -> None:
    """Connect's `Tid` is the timer: the session whose elapsed time reads 00:00:00 counts its 58:20 (the 0 is "no
    reading", repaired and recorded), the one paused for 54 minutes counts 75, not the 129 elapsed."""
    db = ingested["db"]
    minutes = q(db, "SELECT round(minutes, 2) FROM activities_effective WHERE name = 'Styrka' ORDER BY start_time_utc")
    assert minutes == [(58.33,), (75.0,)]
    repaired = q(db, "SELECT column_name, rule, original FROM repairs WHERE rule = 'no_reading'")
    assert repaired == [("elapsed_s", "no_reading", "0")]
