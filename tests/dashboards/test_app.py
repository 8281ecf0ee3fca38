"""Each dashboard page, run by Streamlit's own testing API on sample data, on empty data, and while locked."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from fitbalance import summaries
from fitbalance.store import read
from tests.dashboards import fixture_db
from tests.dashboards.conftest import APP

TIMEOUT = 60
PAGES = {
    "balance": "app_pages/weekly_balance.py",
    "overload": "app_pages/overload.py",
    "load": "app_pages/training_load.py",
    "data": "app_pages/data.py",
}
RETRIES_KEY = "_fitbalance_read_retries"  # dashboards/fitbalance_dashboards/common.py's test hooks
WAIT_KEY = "_fitbalance_read_wait_s"


def run_page(db: Path, page: str, monkeypatch: pytest.MonkeyPatch, athlete: str | None = None) -> AppTest:
    """The app with ``db`` as FITBALANCE_DB, on ``page``, optionally with another athlete picked."""
    monkeypatch.setenv("FITBALANCE_DB", str(db))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()
    if page != "balance":
        at.switch_page(PAGES[page]).run()
    if athlete is not None:
        at.sidebar.selectbox(key="athlete").select(athlete).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def charts(at: AppTest) -> int:
    return len(at.get("vega_lite_chart"))


def infos(at: AppTest) -> str:
    return " ".join(str(i.value) for i in at.info)


def test_the_balance_page_shows_this_weeks_numbers_against_the_guideline(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The balance page shows the newest week's WHO minutes and strength days against 150 and 2, the streak, and
    four charts (this week's muscle groups against their targets, streak, stacked minutes, strength days)."""
    at = run_page(sample_db, "balance", monkeypatch)
    with read.reading(sample_db) as con:
        row = read.weekly_balance(con, "ana", date(2025, 3, 3), date(2025, 3, 3)).row(0, named=True)
    shown = metrics(at)
    assert shown["Aerobic min (WHO)"] == f"{row['who_aerobic_minutes']:.0f} / 150"
    assert shown["Strength days"] == f"{row['resistance_days']} / 2"
    assert shown["WHO guideline"] in {"Met", "Not yet"}
    assert shown["Guideline streak"].endswith(("week", "weeks"))
    assert "Multicomponent days" not in shown  # ana is under 65
    assert charts(at) == 4  # the muscle groups against their targets, then streak, minutes, strength days
    assert any("2025-W10" in s.value for s in at.subheader)


def test_an_older_athlete_also_sees_the_multicomponent_days(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """For an athlete of 65 or more the row adds the multicomponent days; units follow their settings (lb)."""
    at = run_page(sample_db, "balance", monkeypatch, athlete="ben")
    assert "Multicomponent days" in metrics(at)
    assert any("Units: lb" in c.value for c in at.sidebar.caption)


def test_the_overload_page_shows_status_charts_and_the_heat_map(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Status counts for the week, an e1RM chart per chosen exercise (4 by default), the volume chart and the heat
    map; a muscle group without sets in the range is named."""
    at = run_page(sample_db, "overload", monkeypatch)
    shown = metrics(at)
    for label in ("🟢 Progressing", "🔵 Holding", "🟠 Stalled", "🔴 Regressing", "⭐ Records this week"):
        assert label in shown
    assert len(at.multiselect(key="exercises-ana").value) == 4
    assert charts(at) == 4 + 2
    assert any("calves" in w.value for w in at.warning)
    table = at.dataframe[0].value
    assert "exercise" in table.columns


def test_the_overload_page_uses_pounds_for_an_imperial_athlete(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An imperial athlete's table shows pounds: the top set is the stored kilograms times 2.2046."""
    at = run_page(sample_db, "overload", monkeypatch, athlete="ben")
    table = at.dataframe[0].value
    with read.reading(sample_db) as con:
        week = read.exercise_progress(con, "ben", date(2025, 3, 3), date(2025, 3, 3))
    loaded = week.filter(pl.col("top_set_kg").is_not_null()).row(0, named=True)
    shown = table[table["exercise"] == loaded["exercise"]]["top_set_kg"].iloc[0]
    assert shown == pytest.approx(loaded["top_set_kg"] * 2.2046226, rel=1e-6)


def test_choosing_fewer_exercises_draws_fewer_charts(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each chosen exercise gets its chart; none chosen says to pick one."""
    at = run_page(sample_db, "overload", monkeypatch)
    at.multiselect(key="exercises-ana").set_value(["Deadlift"]).run()
    assert charts(at) == 1 + 2
    at.multiselect(key="exercises-ana").set_value([]).run()
    assert charts(at) == 2
    assert "Pick one or more exercises" in infos(at)


def test_the_load_page_shows_the_ratio_by_the_chosen_method(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """ACWR, acute and chronic load for the last day, by EWMA or rolling means, and two charts."""
    at = run_page(sample_db, "load", monkeypatch)
    with read.reading(sample_db) as con:
        last = read.training_load_daily(con, "ana").row(-1, named=True)
    assert metrics(at)["ACWR"] == f"{last['acwr_ewma']:.2f}"
    assert charts(at) == 2
    at.segmented_control(key="load-method").set_value("Rolling").run()
    assert metrics(at)["ACWR"] == f"{last['acwr_rolling']:.2f}"


def test_the_data_page_shows_files_quarantine_unmapped_names_and_the_last_ingest(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files by status, the quarantine with reasons, the repairs with their rule, the activities whose times were
    read as UTC, the unmapped names and when the last ingest ran."""
    at = run_page(sample_db, "data", monkeypatch)
    shown = metrics(at)
    assert shown["Loaded"] == "6" and shown["Skipped"] == "1" and shown["Quarantined"] == "2"
    assert any("2025-03-06 21:30 UTC" in m.value for m in at.markdown)
    assert charts(at) == 1
    frames = [d.value for d in at.dataframe]
    assert any("reason" in f.columns and f["reason"].str.contains("CRC").any() for f in frames)
    assert any("exercise_name" in f.columns and "Landmine Rotation" in set(f["exercise_name"]) for f in frames)
    assert any("rule" in f.columns and list(f["rule"]) == ["no_reading"] for f in frames)
    assert any("utc_offset_source" in f.columns and set(f["utc_offset_source"]) == {"assumed_utc"} for f in frames)
    assert any("2 activities have times read as UTC" in str(w.value) for w in at.warning)


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_says_what_to_do_on_an_empty_database(
    page: str, empty_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no data every page says to ingest, and draws no chart."""
    at = run_page(empty_db, page, monkeypatch)
    assert "ingest" in infos(at).lower()
    assert charts(at) == 0


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_says_what_to_do_without_a_database(
    page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a database file every page says where it looked and how to make one; it creates no file."""
    missing = tmp_path / "nothing-here.duckdb"
    at = run_page(missing, page, monkeypatch)
    assert "No database at" in infos(at) and "fitbalance ingest" in infos(at)
    assert not missing.exists()


@pytest.fixture
def no_strength_db(tmp_path: Path) -> Path:
    """An athlete with endurance weeks but not a single strength set."""
    db = fixture_db.build(tmp_path / "runner.duckdb")
    fixture_db.drop_strength_sets(db)
    return db


def test_the_overload_page_says_how_to_get_strength_sets(no_strength_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without strength sets the overload page says which files bring them; the balance page still draws."""
    at = run_page(no_strength_db, "overload", monkeypatch)
    assert "No strength sets" in infos(at) and "Hevy/Strong" in infos(at)
    assert charts(at) == 0
    assert charts(run_page(no_strength_db, "balance", monkeypatch)) == 4  # this week's muscles: all still to do


def test_a_locked_database_shows_busy_then_recovers(
    sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lock_held
) -> None:
    """While an ingest holds the lock the page says the database is busy and offers a retry instead of crashing;
    once the lock is released, Retry shows the page."""
    db = tmp_path / "busy.duckdb"
    db.write_bytes(sample_db.read_bytes())
    monkeypatch.setenv("FITBALANCE_DB", str(db))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.session_state[RETRIES_KEY] = 1
    at.session_state[WAIT_KEY] = 0.01
    with lock_held(db) as writer:
        at.run()
        assert not at.exception
        assert any(read.BUSY_MESSAGE in w.value for w in at.warning)
        assert charts(at) == 0
        assert writer.stdin is not None
        writer.stdin.write("release\n")
        writer.stdin.flush()
        assert writer.stdout is not None and writer.stdout.readline().strip() == "released"
    at.button[0].click().run()
    assert not at.exception
    assert not at.warning
    assert charts(at) == 4  # the muscle groups against their targets, then streak, minutes, strength days


def test_the_data_page_says_which_values_wait_for_a_unit_and_the_setting(
    sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Weights kept as written for want of a unit (repairs rule unit_unknown) are counted with the setting that fills
    them in."""
    import shutil

    import duckdb

    db = tmp_path / "waiting.duckdb"
    shutil.copy(sample_db, db)
    con = duckdb.connect(str(db))
    try:
        activity, athlete = con.execute(
            "SELECT activity_id, athlete FROM activities WHERE category = 'resistance' LIMIT 1"
        ).fetchone() or ("", "")
        con.execute(
            "INSERT INTO repairs (file_id, path, activity_id, table_name, column_name, rule, original, rows, line, "
            "created_at) SELECT file_id, 'strong.csv', activity_id, 'strength_sets', 'weight_kg', 'unit_unknown', "
            "v, 1, 2, TIMESTAMP '2025-03-07 00:00:00' FROM activities, (VALUES ('135'), ('140')) AS t(v) "
            "WHERE activity_id = ?",
            [activity],
        )
    finally:
        con.close()
    at = run_page(db, "data", monkeypatch)
    warned = " ".join(str(w.value) for w in at.warning)
    assert (
        "2 values wait for their unit" in warned
        and f"set weight_unit = 'kg' or 'lbs' under [athletes.{athlete}]" in warned
    )


def test_the_overload_page_says_what_to_lift_next_session(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The week's table has a Next session column: for each exercise the plan of exercise_next_session, in the
    athlete's units (``62.5 kg x 8 (add load)``), with why."""
    at = run_page(sample_db, "overload", monkeypatch)
    table = at.dataframe[0].value
    with read.reading(sample_db) as con:
        plan = summaries.next_session_text(read.exercise_next_session(con, "ana"))
    assert not plan.is_empty()
    expected = {r["exercise"]: f"{r['next_session']} ({r['action']})" for r in plan.iter_rows(named=True)}
    shown = dict(zip(table["exercise"], table["next_session"], strict=True))
    assert any(name in expected for name in shown)
    for name, text in shown.items():
        if name in expected:
            assert text == expected[name]


def test_the_load_page_lists_weekly_monotony_and_strain(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Under the charts, the weeks picked with their load, Foster's monotony and strain (training_load_weekly)."""
    at = run_page(sample_db, "load", monkeypatch)
    table = at.dataframe[-1].value
    assert {"iso_week", "weekly_load", "monotony", "strain"} <= set(table.columns)
    with read.reading(sample_db) as con:
        weekly = read.training_load_weekly(con, "ana")
    expected = {r["iso_week"]: r["monotony"] for r in weekly.iter_rows(named=True)}
    shown = dict(zip(table["iso_week"], table["monotony"], strict=True))
    assert shown and set(shown) <= set(expected)
    for week, value in shown.items():
        if expected[week] is None:
            assert value != value  # NaN: a week with the same load every day has no monotony
        else:
            assert value == pytest.approx(expected[week])


def test_the_overload_page_shows_rep_records_with_the_personal_records(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Personal records expander ends with the rep records: per exercise the heaviest weight for 1 to 12 reps."""
    at = run_page(sample_db, "overload", monkeypatch)
    grid = at.dataframe[-1].value
    assert list(grid.columns) == ["exercise", *[str(n) for n in range(1, 13)]]
    with read.reading(sample_db) as con:
        records = read.rep_records(con, "ana")
    one_rep = {r["exercise"]: r["best_weight_kg"] for r in records.iter_rows(named=True) if r["reps"] == 1}
    assert one_rep and dict(zip(grid["exercise"], grid["1"], strict=True)) == pytest.approx(one_rep)
