"""The self-contained HTML report: pure rendering, and the file the CLI writes."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from fitbalance import summaries
from fitbalance.cli import app
from fitbalance.errors import ConfigError, StoreError
from fitbalance.report import AthleteFrames, read_report_frames, render_report, vega_javascript, write_report
from fitbalance.store import read

STUB_JS = "/* vega stub */"


@pytest.fixture(scope="module")
def frames(sample_db: Path) -> list[AthleteFrames]:
    return read_report_frames(sample_db)


def specs_of(document: str) -> dict[str, dict[str, object]]:
    match = re.search(r"const specs = (.*?);\n", document)
    assert match is not None
    return json.loads(match.group(1))  # type: ignore[no-any-return]


def test_it_reports_the_newest_week_for_every_athlete(frames: list[AthleteFrames]) -> None:
    """Without a week it reports the newest week in the data, with a section per athlete."""
    document = render_report(frames, None, javascript=STUB_JS)
    assert "Week 2025-W10" in document
    assert "Mon 03 Mar 2025 – Sun 09 Mar 2025" in document
    assert document.count('<section class="athlete">') == 2
    assert "<h2>ana</h2>" in document and "<h2>ben</h2>" in document


def test_it_shows_the_weeks_numbers_against_the_guideline(frames: list[AthleteFrames]) -> None:
    """The balance cards hold the week's WHO aerobic minutes and strength days against 150 and 2."""
    ana = next(f for f in frames if f.athlete == "ana")
    row = ana.balance.filter(pl.col("week_start") == date(2025, 3, 3)).row(0, named=True)
    document = render_report([ana], date(2025, 3, 3), javascript=STUB_JS)
    assert f"{row['who_aerobic_minutes']:.0f} / 150" in document
    assert f"{row['resistance_days']} / 2" in document
    assert "Guideline streak" in document


def test_it_lists_the_weeks_exercises_with_status_in_the_athletes_units(frames: list[AthleteFrames]) -> None:
    """The overload table lists this week's exercises with their status, in lb for an imperial athlete."""
    ben = next(f for f in frames if f.athlete == "ben")
    document = render_report([ben], date(2025, 3, 3), javascript=STUB_JS)
    trained = ben.progress.filter(pl.col("week_start") == date(2025, 3, 3))
    for row in trained.iter_rows(named=True):
        assert f"<td>{row['exercise']}" in document
        assert f'class="pill status-{row["status"]}"' in document
    assert "top set (lb)" in document and "(kg)" not in document


def test_it_says_what_to_lift_next_session_in_the_athletes_units(frames: list[AthleteFrames]) -> None:
    """The report has a Next session table: each exercise of exercise_next_session with the load and reps of its next
    session (in lb for an imperial athlete), the action and why."""
    ben = next(f for f in frames if f.athlete == "ben")
    assert not ben.plan.is_empty()
    document = render_report([ben], None, javascript=STUB_JS)
    assert "<h3>Next session</h3>" in document
    for row in summaries.next_session_text(ben.plan).iter_rows(named=True):
        assert f"<td>{row['exercise']}</td><td>{row['next_session']}</td><td>{row['action']}</td>" in document
    loaded = ben.plan.filter(pl.col("next_weight") > 0)
    assert not loaded.is_empty() and set(loaded.get_column("weight_unit")) == {"lb"}


def test_a_chosen_past_week_is_reported(frames: list[AthleteFrames]) -> None:
    """Any Monday given is the week reported, even one inside the history."""
    document = render_report(frames, date(2025, 1, 15), javascript=STUB_JS)
    assert "Week 2025-W03" in document


def test_every_chart_is_embedded_as_an_inline_spec(frames: list[AthleteFrames]) -> None:
    """Each chart placeholder has its Vega-Lite spec, with its data inline (no URLs to fetch)."""
    document = render_report(frames, None, javascript=STUB_JS)
    specs = specs_of(document)
    ids = re.findall(r'<div class="chart[^"]*" id="(chart-\d+)"></div>', document)
    assert ids and sorted(ids) == sorted(specs)
    for spec in specs.values():
        assert "url" not in json.dumps(spec.get("data", {}))
        assert "datasets" in spec


def test_it_needs_nothing_from_the_network() -> None:
    """The document loads no script, style or image from anywhere: the Vega JavaScript is inlined."""
    bundle = vega_javascript()
    document = render_report([], None)
    assert f"<script>{bundle}</script>" in document
    own = document.replace(bundle, "")
    assert "<script src" not in own and "<link" not in own and "<img" not in own and "@import" not in own
    assert "vegaEmbed(" in own


def test_the_bundle_defines_vega_embed() -> None:
    """The JavaScript bundle from vl-convert-python defines vegaEmbed and cannot end the script element early."""
    bundle = vega_javascript()
    assert "window.vegaEmbed" in bundle
    assert "</script" not in bundle.lower()


def test_names_are_escaped() -> None:
    """Athlete and exercise names are text, not HTML, in the page and in the inline JSON."""
    evil = "<script>alert(1)</script>"
    balance = pl.DataFrame(
        {"athlete": [evil], "week_start": [date(2025, 3, 3)], "iso_week": ["2025-W10"], "meets_guideline": [True]}
    ).with_columns(
        **{
            c: pl.lit(None, dtype=t)
            for c, t in read.WEEKLY_BALANCE_COLUMNS.items()
            if c not in ("athlete", "week_start", "iso_week", "meets_guideline")
        }
    )
    progress = pl.DataFrame(
        [
            {c: None for c in read.EXERCISE_PROGRESS_COLUMNS}
            | {
                "athlete": evil,
                "exercise": evil,
                "week_start": date(2025, 3, 3),
                "working_sets": 3,
                "total_reps": 9,
                "top_set_kg": 50.0,
                "best_e1rm_kg": 55.0,
                "is_bodyweight": False,
                "status": "new",
            }
        ],
        schema=read.EXERCISE_PROGRESS_COLUMNS,
    )
    frames = AthleteFrames(
        evil,
        "metric",
        balance.select(list(read.WEEKLY_BALANCE_COLUMNS)),
        progress,
        pl.DataFrame(schema=read.PERSONAL_RECORDS_COLUMNS),
        pl.DataFrame(schema=read.MUSCLE_GROUP_WEEKLY_COLUMNS),
    )
    document = render_report([frames], None, javascript=STUB_JS)
    assert evil not in document
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in document


def test_an_empty_database_gives_a_report_that_says_what_to_do(empty_db: Path, tmp_path: Path) -> None:
    """With no data the report is still written, and says to ingest first."""
    out = write_report(empty_db, None, tmp_path / "r.html")
    text = out.read_text(encoding="utf-8")
    assert "No data yet" in text and "fitbalance ingest" in text


def test_write_report_replaces_the_file_and_leaves_no_temporary_files(sample_db: Path, tmp_path: Path) -> None:
    """The report replaces an older file at the same path; no temporary file is left beside it."""
    out = tmp_path / "reports" / "week.html"
    out.parent.mkdir()
    out.write_text("old")
    write_report(sample_db, "2025-W09", out, athlete="ana")
    text = out.read_text(encoding="utf-8")
    assert "Week 2025-W09" in text and "<h2>ben</h2>" not in text
    assert [p.name for p in out.parent.iterdir()] == ["week.html"]


def test_write_report_refuses_a_bad_week_and_a_missing_database(sample_db: Path, tmp_path: Path) -> None:
    """A malformed week is a ConfigError, a missing database a StoreError; no file is written."""
    with pytest.raises(ConfigError):
        write_report(sample_db, "2025-13", tmp_path / "a.html")
    with pytest.raises(StoreError):
        write_report(tmp_path / "none.duckdb", None, tmp_path / "b.html")
    assert list(tmp_path.iterdir()) == []


def test_the_cli_writes_the_report(sample_db: Path, tmp_path: Path) -> None:
    """`fitbalance report --db FILE --week YYYY-Www --out FILE.html` writes the report and says where."""
    out = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["report", "--db", str(sample_db), "--week", "2025-W08", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "report written" in result.output
    assert "Week 2025-W08" in out.read_text(encoding="utf-8")


def test_the_cli_report_fails_cleanly_on_a_bad_week(sample_db: Path, tmp_path: Path) -> None:
    """A bad --week exits 1 with the reason, not a traceback."""
    result = CliRunner().invoke(app, ["report", "--db", str(sample_db), "--week", "W8", "--out", str(tmp_path / "x")])
    assert result.exit_code == 1
    assert "ISO week" in result.output
