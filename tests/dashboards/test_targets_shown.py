"""Where users see the weekly targets: what is left in words and numbers (pure), the balance page's "This week:
what's left", the last lines of `fitbalance summary`, and the report's targets met and missed."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from fitbalance import charts
from fitbalance import summaries as s
from fitbalance.cli import app
from fitbalance.report import read_report_frames, render_report
from fitbalance.store import read
from tests.dashboards.conftest import APP

MONDAY = date(2025, 3, 3)  # the sample database's last week
WEDNESDAY = date(2025, 3, 5)
CLOCK_KEY = "_fitbalance_today"  # dashboards/fitbalance_dashboards/common.py's test hook


def targets(rows: list[tuple[str, float, float, float | None]], days_left: int = 3) -> pl.DataFrame:
    """A one-athlete weekly_targets frame for MONDAY's week from (target, actual, low, high)."""
    out = []
    for target, actual, low, high in rows:
        remaining = max(0.0, low - actual)
        status = "above" if high is not None and actual > high else "met" if actual >= low else "in_progress"
        out.append(("ana", MONDAY, target, actual, low, high, remaining, days_left, status))
    return pl.DataFrame(out, schema=read.WEEKLY_TARGETS_COLUMNS, orient="row")


WEEK = targets(
    [
        ("aerobic_minutes", 80.0, 150.0, None),
        ("strength_days", 1.0, 2.0, None),
        ("muscle_sets:chest", 8.0, 12.0, 18.0),
        ("muscle_sets:hamstrings", 4.0, 10.0, 20.0),
        ("muscle_sets:quads", 22.0, 10.0, 20.0),
        ("muscle_sets:upper_back", 10.5, 10.0, 20.0),
        ("muscle_days:chest", 1.0, 2.0, None),
        ("muscle_days:hamstrings", 1.0, 2.0, None),
        ("muscle_days:quads", 2.0, 2.0, None),
        ("muscle_days:upper_back", 1.0, 2.0, None),
    ]
)


def test_what_is_left_reads_as_the_issue_asks() -> None:
    """70 minutes and a strength day short; chest 4 sets and hamstrings 6 below their ranges; upper back's sets are
    done but it needs one more day; quads, over their range, need nothing."""
    left = s.week_left(WEEK, MONDAY)
    assert left is not None and not left.done
    assert (left.aerobic_minutes, left.strength_days, left.multicomponent_days, left.days_left) == (70.0, 1, None, 3)
    assert s.left_in_words(left) == (
        "left this week: 70 aerobic minutes, 1 strength day; chest 4 sets, hamstrings 6 sets, upper back 1 more day"
    )


def test_a_week_with_everything_done_says_so() -> None:
    done = targets([("aerobic_minutes", 200.0, 150.0, None), ("muscle_sets:chest", 12.0, 12.0, 18.0)])
    left = s.week_left(done, MONDAY)
    assert left is not None and left.done
    assert s.left_in_words(left) == "left this week: nothing, every target is met"
    assert s.week_left(done, MONDAY + timedelta(weeks=1)) is None


def test_the_muscle_chart_draws_each_group_against_its_band() -> None:
    """One row per targeted group with its sets and band; the chart layers the band under the sets."""
    frame = s.muscle_targets_frame(WEEK, MONDAY)
    assert frame.select("muscle_group", "sets", "low", "high").rows() == [
        ("chest", 8.0, 12.0, 18.0),
        ("hamstrings", 4.0, 10.0, 20.0),
        ("quads", 22.0, 10.0, 20.0),
        ("upper_back", 10.5, 10.0, 20.0),
    ]
    spec = charts.muscle_targets_chart(frame).to_dict()
    assert [layer["encoding"]["x"]["field"] for layer in spec["layer"]] == ["low", "sets"]
    assert spec["layer"][0]["encoding"]["x2"]["field"] == "high"
    charts.muscle_targets_chart(s.muscle_targets_frame(WEEK.clear(), MONDAY)).to_dict()  # empty: still a chart


def test_met_and_missed_are_labelled_for_people() -> None:
    met, missed = s.targets_met_and_missed(WEEK, MONDAY)
    assert "quads sets" in met and "upper back sets" in met and "quads days trained" in met
    assert missed[:2] == ["Aerobic minutes (WHO)", "Strength days"] and "chest sets" in missed


def test_the_balance_page_opens_with_what_is_left_this_week(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With today on Wednesday 2025-03-05, the page opens with this week's numbers left (as weekly_targets says) and
    the per-muscle chart; with today months later, the new week has everything left."""
    monkeypatch.setenv("FITBALANCE_DB", str(sample_db))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.session_state[CLOCK_KEY] = WEDNESDAY
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.subheader[0].value == "This week: what's left"
    with read.reading(sample_db) as con:
        left = s.week_left(read.weekly_targets(con, "ana", WEDNESDAY, MONDAY, MONDAY), MONDAY)
    assert left is not None and left.days_left == 5
    shown = {m.label: m.value for m in at.metric}
    assert shown["Aerobic min left"] == f"{left.aerobic_minutes:.0f}"
    assert shown["Strength days left"] == str(left.strength_days)
    assert any(s.left_in_words(left).capitalize() in str(m.value) for m in at.markdown)
    assert len(at.get("vega_lite_chart")) == 4

    later = AppTest.from_file(str(APP), default_timeout=60)
    later.session_state[CLOCK_KEY] = date(2025, 6, 4)
    later.run()
    shown = {m.label: m.value for m in later.metric}
    assert (shown["Aerobic min left"], shown["Strength days left"]) == ("150", "2")


def test_the_summary_command_ends_with_what_is_left(sample_db: Path) -> None:
    """`fitbalance summary --today` ends with one line per athlete saying what is left that week, in words."""
    result = CliRunner().invoke(app, ["summary", "--db", str(sample_db), "--today", "2025-03-05"])
    assert result.exit_code == 0, result.output
    with read.reading(sample_db) as con:
        expected = {
            name: s.left_in_words(left)
            for name in ("ana", "ben")
            if (left := s.week_left(read.weekly_targets(con, name, WEDNESDAY, MONDAY, MONDAY), MONDAY)) is not None
        }
    last = result.output.strip().splitlines()[-2:]
    assert [re.sub(r"\s+", " ", line) for line in last] == [f"{n}: {w}" for n, w in expected.items()]
    bad = CliRunner().invoke(app, ["summary", "--db", str(sample_db), "--today", "5 March"])
    assert bad.exit_code == 2 and "--today" in bad.output


def test_the_report_shows_the_weeks_targets_met_and_missed(sample_db: Path) -> None:
    """The report's week lists its targets with their status, and says how many were met and which were missed."""
    frames = read_report_frames(sample_db, "ana", WEDNESDAY)
    document = render_report(frames, MONDAY, javascript="")
    met, missed = s.targets_met_and_missed(frames[0].targets, MONDAY)
    assert "<h3>Targets</h3>" in document
    assert f"{len(met)} of {len(met) + len(missed)} targets met so far" in document
    assert document.count('class="pill target-') == len(met) + len(missed)
    past = render_report(frames, MONDAY - timedelta(weeks=1), javascript="")
    assert "so far" not in past.split("<h3>Targets</h3>")[1].split("</p>")[0]
