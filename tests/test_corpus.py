"""Real-world check: every FIT file and archive in ../shared/corpus/fit through the real Prefect flow."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.accounts import assert_every_row_is_accounted_for
from tests.conftest import CORPUS_AS_OF

pytestmark = [pytest.mark.corpus, pytest.mark.slow, pytest.mark.timeout(900)]

BROKEN = {  # file -> what the quarantine reason must name
    "activity-filecrc.fit": "CRC",
    "activity-activity-filecrc.fit": "CRC",
    "activity-settings-corruptheader.fit": "header",
    "strava-android-app-201.10-b1218918.fit": "local message 11 not defined",
}


@pytest.fixture(scope="module")
def corpus_run(
    corpus: Path,
    corpus_fit_db: tuple[Path, dict[str, Any]],
    prefect_harness: None,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, Any]:
    """The session's ingest of the FIT corpus (the first run), and a second run over the same folder on a copy."""
    from fitbalance_pipelines.ingest import ingest_flow

    shared, first = corpus_fit_db
    db = tmp_path_factory.mktemp("corpus") / "corpus.duckdb"
    shutil.copyfile(shared, db)
    second = ingest_flow(paths=[str(corpus / "fit")], db=str(db), workers=1, as_of=CORPUS_AS_OF)
    return {"db": db, "first": first, "second": second}


def q(db: Path, sql: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_every_file_is_accounted_for(corpus_run: dict[str, Any]) -> None:
    """files seen = loaded + skipped + already loaded + quarantined, and each has a row that says which."""
    s = corpus_run["first"]
    assert s["files_seen"] > 140
    assert s["files_seen"] == s["loaded"] + s["skipped"] + s["already_loaded"] + s["quarantined"]
    statuses = dict(q(corpus_run["db"], "SELECT status, count(*) FROM source_files GROUP BY ALL"))
    discover_rows = q(corpus_run["db"], "SELECT count(*) FROM quarantine WHERE stage = 'discover'")[0][0]
    assert statuses.get("loaded", 0) == s["loaded"] and statuses.get("skipped", 0) == s["skipped"]
    assert statuses.get("quarantined", 0) + discover_rows == s["quarantined"]


def test_a_second_run_adds_nothing(corpus_run: dict[str, Any]) -> None:
    s = corpus_run["second"]
    assert s["loaded"] == s["skipped"] == s["activities_added"] == s["sets_added"] == 0
    assert s["already_loaded"] + s["quarantined"] == s["files_seen"] == corpus_run["first"]["files_seen"]
    discover_rows = q(corpus_run["db"], "SELECT count(*) FROM quarantine WHERE stage = 'discover'")[0][0]
    assert s["quarantined"] == discover_rows  # refusals are counted again, but not recorded twice


def test_strength_file_has_38_active_sets(corpus_run: dict[str, Any]) -> None:
    rows = q(
        corpus_run["db"],
        """
        SELECT count(*) FILTER (WHERE s.set_type = 'working'), count(*) FILTER (WHERE s.set_type = 'working'
               AND s.reps IS NOT NULL AND s.weight_kg IS NOT NULL), any_value(a.category)
        FROM strength_sets s JOIN activities a USING (activity_id) JOIN source_files f ON f.file_id = a.file_id
        WHERE f.path LIKE '%20474406937_ACTIVITY.fit'""",
    )
    assert rows == [(38, 38, "resistance")]


@pytest.mark.parametrize(("name", "fragment"), sorted(BROKEN.items()))
def test_broken_files_are_quarantined_with_a_reason(corpus_run: dict[str, Any], name: str, fragment: str) -> None:
    rows = q(corpus_run["db"], f"SELECT status, detail FROM source_files WHERE path LIKE '%/{name}'")
    assert rows and rows[0][0] == "quarantined" and fragment in rows[0][1]
    reasons = q(corpus_run["db"], f"SELECT reason FROM quarantine WHERE path LIKE '%/{name}'")
    assert reasons and fragment in reasons[0][0]


def test_files_cut_short_load_what_precedes_the_cut(corpus_run: dict[str, Any]) -> None:
    """nick.fit, a ride of 4 h 39 min whose file ends in the middle of a message, loads its 14,391 records (it was
    quarantined whole); fitdecode's two files cut short load too. Each says where it ends: the decoder warning in its
    detail, and a quarantine row with no table and no rows."""
    db = corpus_run["db"]
    for name in ("nick.fit", "activity-unexpected-eof.fit", "activity-settings-nodata.fit"):
        [(status, detail)] = q(db, f"SELECT status, detail FROM source_files WHERE path LIKE '%/{name}'")
        assert status == "loaded" and "decoder warnings: truncated FIT file" in detail, name
        [(stage, table, rows, reason)] = q(
            db, f"SELECT stage, table_name, rows, reason FROM quarantine WHERE path LIKE '%/{name}'"
        )
        assert (stage, table, rows) == ("decode:cut", None, 0) and reason.startswith("truncated FIT file"), name
    [(sport, samples)] = q(
        db,
        "SELECT a.sport, (SELECT count(*) FROM samples s WHERE s.activity_id = a.activity_id) FROM activities a "
        "JOIN source_files f USING (file_id) WHERE f.path LIKE '%/nick.fit'",
    )
    assert (sport, samples) == ("cycling", 14391)


def test_non_activity_files_are_skipped_with_their_type(corpus_run: dict[str, Any]) -> None:
    rows = dict(
        q(corpus_run["db"], "SELECT regexp_extract(path, '[^/]+$'), detail FROM source_files WHERE status = 'skipped'")
    )
    assert "settings" in rows["Settings.fit"] and "workout" in rows["WorkoutRepeatSteps.fit"]


def test_every_activity_is_classified(corpus_run: dict[str, Any]) -> None:
    rows = q(
        corpus_run["db"],
        "SELECT count(*), count(*) FILTER (WHERE category IN ('resistance', 'other') "
        "AND classification_reason IS NOT NULL) FROM activities",
    )
    assert rows[0][0] > 100 and rows[0][0] == rows[0][1]


def test_the_indoor_ride_without_a_strap_loads_with_its_heart_rate_repaired(corpus_run: dict[str, Any]) -> None:
    """null_compressed_speed_dist.fit: its session's heart rates of 0 (no strap) are null and recorded, and the ride
    loads with all of its samples and its lap (it was quarantined whole for "avg_hr in_range(20, 250) failed")."""
    db, name = corpus_run["db"], "%/null_compressed_speed_dist.fit"
    (status,) = q(db, f"SELECT status FROM source_files WHERE path LIKE '{name}'")
    assert status == ("loaded",)
    repairs = q(
        db, f"SELECT table_name, column_name, rule, original FROM repairs WHERE path LIKE '{name}' ORDER BY ALL"
    )
    assert ("activities", "avg_hr", "no_reading", "0") in repairs and (
        "activities",
        "max_hr",
        "no_reading",
        "0",
    ) in repairs
    [(avg_hr, max_hr, samples, laps)] = q(
        db,
        "SELECT a.avg_hr, a.max_hr, (SELECT count(*) FROM samples s WHERE s.activity_id = a.activity_id), "
        "(SELECT count(*) FROM laps l WHERE l.activity_id = a.activity_id) FROM activities a "
        f"JOIN source_files f USING (file_id) WHERE f.path LIKE '{name}'",
    )
    assert (avg_hr, max_hr, samples, laps) == (None, None, 1808, 1)


def test_no_file_is_quarantined_for_a_value_a_row_or_field_could_be_set_aside_for(corpus_run: dict[str, Any]) -> None:
    """Files are quarantined whole only when they cannot be decoded: never for a value that failed validation."""
    rows = q(
        corpus_run["db"],
        "SELECT path, detail FROM source_files WHERE status = 'quarantined' "
        "AND regexp_matches(detail, '.*(in_range|failed|not a whole).*')",
    )
    assert rows == []


def test_every_row_read_is_loaded_quarantined_or_repeated(corpus_run: dict[str, Any]) -> None:
    """Per run and table, rows read = loaded + quarantined + repeated, and the sums agree with the tables; the
    chained files' sessions that other files hold too are the repeated ones."""
    totals = assert_every_row_is_accounted_for(corpus_run["db"])
    assert totals["samples"][0] > 100_000 and totals["activities"][3] > 0
