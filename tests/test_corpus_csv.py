"""Real CSV exports (../shared/corpus/csv) through the real Prefect flow, one athlete per export.

The counts are what a person finds opening each file: data rows of the activity exports, distinct (date, workout)
pairs and set rows of the lifting apps. Nothing personal is printed. Skipped when the corpus is absent.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

from tests.accounts import assert_every_row_is_accounted_for

pytestmark = [pytest.mark.corpus, pytest.mark.slow, pytest.mark.timeout(900)]

STRONG_CURRENT = "albTian__strong-export-parser"  # Strong's current layout: units must come from the settings
SETTINGS = """
[athletes.lbs]
time_zone = "UTC"
weight_unit = "lbs"   # its deadlifts reach 420 and its rows go 1.0 in 99 s: lbs and km
distance_unit = "km"
"""
EXPECTED = {  # athlete (the export's folder) -> (activities, set rows)
    "AakashB-1996__Strava_Analysis": (610, 0),
    "AhmedAldahshoury__StravaData": (128, 0),
    "TonyTromp__HevyConnect": (80, 1922),
    "ajccosta__hevyplotter": (411, 8650),
    "lbs": (310, 4680),  # 312 workouts, 4,690 set rows in the file: two workouts over a day, nothing bounding them
    "jeremyiwk__garmindata": (144, 0),
    "kostaskes__my-garmin-runs": (1978, 0),
    "mlahoz__strong": (91, 1635),
}


def q(db: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def corpus_csv(corpus: Path, prefect_harness: None, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from fitbalance_pipelines.ingest import ingest_flow

    root = tmp_path_factory.mktemp("corpus-csv")
    settings = root / "fitbalance.toml"
    settings.write_text(SETTINGS)
    db = root / "corpus.duckdb"
    runs: dict[str, dict[str, Any]] = {}
    for folder in sorted((corpus / "csv").iterdir()):
        athlete = folder.name
        if athlete == STRONG_CURRENT:  # first without units, in a database of its own: its values wait; then with
            # the units set in that database (read again, filled in); here as the athlete whose units are set
            alone, later = root / "nounits.duckdb", root / "nounits.toml"
            runs["no units"] = ingest_flow(paths=[str(folder)], db=str(alone), athlete="nounits")
            later.write_text(SETTINGS.replace("[athletes.lbs]", "[athletes.nounits]"))
            runs["units set"] = ingest_flow(
                paths=[str(folder)], db=str(alone), athlete="nounits", settings_path=str(later)
            )
            athlete = "lbs"
        runs[athlete] = ingest_flow(paths=[str(folder)], db=str(db), athlete=athlete, settings_path=str(settings))
    return {"db": db, "runs": runs, "nounits": root / "nounits.duckdb"}


def test_each_export_lands_with_the_counts_in_its_file(corpus_csv: dict[str, Any]) -> None:
    db = corpus_csv["db"]
    activities = dict(q(db, "SELECT athlete, count(*) FROM activities GROUP BY 1"))
    sets = dict(
        q(db, "SELECT a.athlete, count(*) FROM strength_sets s JOIN activities a USING (activity_id) GROUP BY 1")
    )
    assert {a: (activities.get(a, 0), sets.get(a, 0)) for a in activities} == EXPECTED
    set_aside = q(db, "SELECT stage, table_name, sum(rows) FROM quarantine GROUP BY ALL ORDER BY 2")
    assert set_aside == [("repair", "activities", 2), ("repair", "strength_sets", 10)]
    fitbit = corpus_csv["runs"]["JonathanAlcazar__dailyActivity_merged"]
    assert (fitbit["skipped"], fitbit["activities_added"]) == (1, 0)  # 940 daily totals, no workouts


def test_strongs_current_export_waits_for_the_unit_settings(corpus_csv: dict[str, Any]) -> None:
    """With no settings file every workout loads (but two left running for 35 and 58 hours with nothing to bound
    them: set aside as rows with their 10 sets) and its 4,100 weights and 126 distances wait (the first run's
    counts); with the units set, the next run reads it again and fills them in, without a duplicate row. As the
    athlete whose units are set, its first set (115 lb) is 52.2 kg."""
    waiting, filled = corpus_csv["runs"]["no units"], corpus_csv["runs"]["units set"]
    assert (waiting["loaded"], waiting["activities_added"], waiting["quarantined"]) == (1, 310, 0)
    assert (filled["reread"], filled["activities_added"], filled["quarantined"]) == (1, 0, 0)
    alone = corpus_csv["nounits"]
    first_run = q(alone, "SELECT run_id FROM ingest_runs ORDER BY started_at LIMIT 1")[0][0]
    counts = q(alone, "SELECT table_name, fields_repaired FROM run_rows WHERE run_id = ? ORDER BY 1", [first_run])
    assert counts == [("activities", 0), ("laps", 0), ("samples", 0), ("strength_sets", 4100 + 126)]
    assert q(alone, "SELECT count(*) FROM waiting_values") == [(0,)]
    assert q(alone, "SELECT count(*), count(DISTINCT activity_id) FROM activities") == [(310, 310)]
    assert q(alone, "SELECT count(*), count(weight_kg) FILTER (WHERE weight_kg > 0) FROM strength_sets") == [
        (4680, 4100)
    ]
    read = corpus_csv["runs"]["lbs"]
    assert (read["loaded"], read["activities_added"]) == (1, 310)
    heaviest = q(
        corpus_csv["db"],
        "SELECT max(weight_kg) FROM strength_sets s JOIN activities a USING (activity_id) "
        "WHERE a.athlete = 'lbs' AND s.exercise = 'Deadlift'",
    )[0][0]
    assert heaviest == pytest.approx(420 * 0.45359237)


def test_only_the_ride_recorded_twice_is_linked(corpus_csv: dict[str, Any]) -> None:
    """The older Strava export holds two overlapping rides on 4 Aug 2017 (one entered by hand: 75 km in 3:00:00):
    one counts. Nothing else in these exports overlaps."""
    rows = q(
        corpus_csv["db"],
        "SELECT d.athlete, d.sport, p.sport, CAST(d.start_time_utc AS DATE) FROM activities d "
        "JOIN activities p ON p.activity_id = d.duplicate_of",
    )
    assert [r[:3] for r in rows] == [("AhmedAldahshoury__StravaData", "cycling", "cycling")]
    assert str(rows[0][3]) == "2017-08-04"


def test_every_lifting_app_name_maps_and_the_session_ratings_are_the_workouts_rpe(corpus_csv: dict[str, Any]) -> None:
    """No name of the exports is left unmapped; 'Intensity' (a session rating logged as an exercise) is a
    `rating` row and the workout's RPE, not an unmapped set."""
    from fitbalance.cli import app

    result = CliRunner().invoke(app, ["unmapped", "--db", str(corpus_csv["db"])])
    assert result.exit_code == 0, result.output
    assert "Every exercise name maps to the catalogue." in result.output
    unmapped, ratings = q(
        corpus_csv["db"],
        "SELECT count(*) FILTER (WHERE exercise IS NULL AND set_type NOT IN ('rest', 'rating')), "
        "count(*) FILTER (WHERE set_type = 'rating') FROM strength_sets",
    )[0]
    assert (unmapped, ratings) == (0, 184)  # and one in a workout set aside (over a day)
    rated = q(corpus_csv["db"], "SELECT count(rpe), min(rpe), max(rpe) FROM activities WHERE athlete = 'lbs'")
    assert rated == [(183, 1.0, 10.0)]


def test_every_row_read_is_loaded_quarantined_or_repeated(corpus_csv: dict[str, Any]) -> None:
    """Per run and table, rows read = loaded + quarantined + repeated, and the sums agree with the tables."""
    totals = assert_every_row_is_accounted_for(corpus_csv["db"])
    assert totals["strength_sets"][1] == sum(sets for _, sets in EXPECTED.values())
