"""The pages show a correction as soon as the command that made it returns: no ingest, no restart."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fitbalance.cli import app
from fitbalance.store import read
from tests.dashboards import fixture_db
from tests.dashboards.test_app import metrics, run_page

WEEK = date(2025, 3, 3)  # the newest week of the sample database: "this week" on the pages


def run(*args: str) -> None:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output


def test_a_classify_correction_shows_on_the_balance_and_data_pages_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ana's run on a day without strength training was a circuit with weights: after `fitbalance classify` the
    balance page counts one more strength day this week, and the Data page lists the correction."""
    db = fixture_db.build(tmp_path / "sample.duckdb")
    with read.reading(db) as con:
        days = read.weekly_balance(con, "ana", WEEK, WEEK).row(0, named=True)["resistance_days"]
        ((activity,),) = con.execute(
            """SELECT activity_id FROM activities_effective WHERE athlete = 'ana' AND week_start = ?
                 AND category = 'other' AND local_date NOT IN (SELECT local_date FROM activities_effective
                     WHERE athlete = 'ana' AND category = 'resistance')
               ORDER BY start_time_utc LIMIT 1""",
            [WEEK],
        ).fetchall()
    assert metrics(run_page(db, "balance", monkeypatch))["Strength days"] == f"{days} / 2"

    run("classify", activity, "--as", "resistance", "--db", str(db))

    assert metrics(run_page(db, "balance", monkeypatch))["Strength days"] == f"{days + 1} / 2"
    data = run_page(db, "data", monkeypatch)
    listed = [d.value for d in data.dataframe if "applies_to" in d.value.columns]
    assert len(listed) == 1
    assert listed[0][["source", "applies_to", "result"]].values.tolist() == [
        ["fitbalance classify", activity, "resistance/strength"]
    ]


def test_a_set_correction_shows_on_the_overload_page_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One of this week's sets was a front squat: after `fitbalance correct-set` the overload page's table of the
    week has a Front Squat row."""
    db = fixture_db.build(tmp_path / "sample.duckdb")
    with read.reading(db) as con:
        ((activity, set_index),) = con.execute(
            """SELECT source_activity_id, set_index FROM working_sets
               WHERE athlete = 'ana' AND week_start = ? AND has_reps AND exercise <> 'Front Squat'
               ORDER BY source_activity_id, set_index LIMIT 1""",
            [WEEK],
        ).fetchall()
    before = run_page(db, "overload", monkeypatch).dataframe[0].value
    assert "Front Squat" not in set(before["exercise"])

    run("correct-set", activity, str(set_index), "Front Squat", "--db", str(db))

    after = run_page(db, "overload", monkeypatch).dataframe[0].value
    assert "Front Squat" in set(after["exercise"])
