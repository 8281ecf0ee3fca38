"""Chart specifications: the right marks, guidelines, units and data, valid Vega-Lite."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from fitbalance import charts, summaries
from fitbalance.store import read


@pytest.fixture(scope="module")
def frames(sample_db: Path) -> dict[str, pl.DataFrame]:
    with read.reading(sample_db) as con:
        return {
            "balance": read.weekly_balance(con, "ana"),
            "progress": read.exercise_progress(con, "ana"),
            "records": read.personal_records(con, "ana"),
            "muscles": read.muscle_group_weekly(con, "ana"),
            "load": read.training_load_daily(con, "ana"),
            "files": read.source_files(con),
        }


def layers(spec: dict[str, Any], data: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Every single-view spec inside ``spec`` (layers flattened; a layer without data inherits its parent's)."""
    own = spec.get("data", data)
    if "layer" in spec:
        return [inner for layer in spec["layer"] for inner in layers(layer, own)]
    return [{**spec, "data": own} if own is not None else spec]


def mark(spec: dict[str, Any]) -> str:
    value = spec["mark"]
    return str(value["type"] if isinstance(value, dict) else value)


def rule_values(spec: dict[str, Any]) -> list[float]:
    """The y values of the guideline rules, read from the inline datasets."""
    values = []
    for layer in layers(spec):
        if mark(layer) == "rule":
            rows = spec["datasets"][layer["data"]["name"]]
            values.extend(row["y"] for row in rows)
    return values


def test_the_balance_chart_stacks_minutes_by_kind_with_the_who_line(frames: dict[str, pl.DataFrame]) -> None:
    """Stacked bars of minutes per kind (resistance first, in orange), the aerobic-minutes line and the 150 rule."""
    spec = charts.balance_chart(frames["balance"]).to_dict()
    marks = [mark(layer) for layer in layers(spec)]
    assert "bar" in marks and "line" in marks
    assert rule_values(spec) == [150.0]
    bars = next(layer for layer in layers(spec) if mark(layer) == "bar")
    color = bars["encoding"]["color"]
    assert color["field"] == "kind" and color["scale"]["domain"][0] == "Resistance"
    assert color["scale"]["range"][0] == charts.KIND_COLORS["Resistance"]
    assert spec["width"] == "container" and spec["autosize"]["type"] == "fit-x"


def test_the_strength_days_chart_draws_the_two_day_rule(frames: dict[str, pl.DataFrame]) -> None:
    """Strength days per week, coloured by whether the week met the 2-day guideline, with the rule at 2."""
    spec = charts.strength_days_chart(frames["balance"]).to_dict()
    assert rule_values(spec) == [2.0]
    bars = next(layer for layer in layers(spec) if mark(layer) == "bar")
    assert bars["encoding"]["y"]["field"] == "resistance_days"


def test_the_streak_chart_has_one_cell_per_week() -> None:
    """The streak strip has one cell per week of the window."""
    frame = pl.DataFrame(
        {"week_start": [date(2025, 3, 3)], "meets_guideline": [True]},
    )
    streak = summaries.guideline_streak(frame, date(2025, 3, 3))
    spec = charts.streak_chart(streak).to_dict()
    data = next(iter(spec["datasets"].values()))
    assert len(data) == summaries.STREAK_WINDOW_WEEKS
    assert data[-1]["met"] is True


def test_the_exercise_chart_shows_e1rm_and_top_set_in_the_athletes_unit(frames: dict[str, pl.DataFrame]) -> None:
    """Best e1RM and top set lines in pounds for an imperial athlete, points by status, the record starred."""
    lb = summaries.mass_unit("imperial")
    spec = charts.exercise_chart(frames["progress"], frames["records"], "Bench Press", lb).to_dict()
    assert spec["title"] == "Bench Press"
    line = next(layer for layer in layers(spec) if mark(layer) == "line")
    assert line["encoding"]["y"]["title"] == "lb"
    values = [row for rows in spec["datasets"].values() for row in rows if row.get("series") == "Best e1RM"]
    bench = frames["progress"].filter(pl.col("exercise") == "Bench Press")
    assert max(v["value"] for v in values) == pytest.approx(bench.get_column("best_e1rm_kg").max() * lb.per_kg)
    points = next(layer for layer in layers(spec) if mark(layer) == "circle")
    assert points["encoding"]["color"]["field"] == "status"
    stars = [layer for layer in layers(spec) if mark(layer) == "point"]
    star_rows = spec["datasets"][stars[0]["data"]["name"]]
    assert len(star_rows) == 1  # the week of the all-time best e1RM


def test_a_bodyweight_exercise_is_charted_as_reps(frames: dict[str, pl.DataFrame]) -> None:
    """A bodyweight exercise (no loaded set) is drawn as total reps per week."""
    spec = charts.exercise_chart(frames["progress"], frames["records"], "Pull Up", summaries.mass_unit("metric"))
    as_dict = spec.to_dict()
    line = next(layer for layer in layers(as_dict) if mark(layer) == "line")
    assert line["encoding"]["y"]["title"] == "reps"
    assert {row["series"] for rows in as_dict["datasets"].values() for row in rows if "series" in row} == {"Total reps"}


def test_the_volume_chart_leaves_out_bodyweight_exercises(frames: dict[str, pl.DataFrame]) -> None:
    """Weekly volume load per loaded exercise; bodyweight exercises (no load) are not in it."""
    spec = charts.volume_chart(frames["progress"], summaries.mass_unit("metric")).to_dict()
    exercises = {row["exercise"] for rows in spec["datasets"].values() for row in rows}
    assert "Pull Up" not in exercises and "Bench Press" in exercises
    assert spec["encoding"]["y"]["title"] == "volume load (kg)"


def test_the_heat_map_shades_neglected_cells(frames: dict[str, pl.DataFrame]) -> None:
    """The heat map colours cells by sets, and a cell without sets in the warning colour."""
    weeks = summaries.weeks_between(date(2025, 1, 6), date(2025, 3, 3))
    heat = summaries.muscle_heatmap_frame(frames["muscles"], weeks)
    spec = charts.muscle_heatmap(heat).to_dict()
    rect = next(layer for layer in layers(spec) if mark(layer) == "rect")
    color = rect["encoding"]["color"]
    assert color["condition"]["value"] == "#fecaca" and color["field"] == "sets"


def test_the_acwr_chart_shades_the_four_bands(frames: dict[str, pl.DataFrame]) -> None:
    """The ACWR chart shades low, sweet spot, caution and high risk behind the ratio line, axis capped."""
    spec = charts.acwr_chart(frames["load"]).to_dict()
    rect = next(layer for layer in layers(spec) if mark(layer) == "rect")
    bands = spec["datasets"][rect["data"]["name"]]
    assert [b["band"] for b in bands] == ["low", "sweet_spot", "caution", "high_risk"]
    assert [(b["lo"], b["hi"]) for b in bands[:3]] == [(0.0, 0.8), (0.8, 1.3), (1.3, 1.5)]
    assert bands[-1]["hi"] <= charts.ACWR_AXIS_MAX
    line = next(layer for layer in layers(spec) if mark(layer) == "line")
    assert line["encoding"]["y"]["field"] == "acwr"


def test_the_load_chart_has_daily_bars_and_the_two_averages(frames: dict[str, pl.DataFrame]) -> None:
    """Daily load bars and the acute and chronic lines of the chosen method."""
    spec = charts.load_chart(frames["load"], "rolling").to_dict()
    line = next(layer for layer in layers(spec) if mark(layer) == "line")
    series = {row["series"] for row in spec["datasets"][line["data"]["name"]]}
    assert series == {"Acute (7 d)", "Chronic (28 d)"}


def test_every_chart_serialises_for_an_empty_frame() -> None:
    """With no rows every chart still builds a valid spec (the pages show an empty state instead, but no crash)."""
    unit = summaries.mass_unit("metric")
    balance = pl.DataFrame(schema=read.WEEKLY_BALANCE_COLUMNS)
    progress = pl.DataFrame(schema=read.EXERCISE_PROGRESS_COLUMNS)
    records = pl.DataFrame(schema=read.PERSONAL_RECORDS_COLUMNS)
    load = pl.DataFrame(schema=read.TRAINING_LOAD_DAILY_COLUMNS)
    built = [
        charts.balance_chart(balance),
        charts.strength_days_chart(balance),
        charts.exercise_chart(progress, records, "Bench Press", unit),
        charts.volume_chart(progress, unit),
        charts.muscle_heatmap(
            summaries.muscle_heatmap_frame(pl.DataFrame(schema=read.MUSCLE_GROUP_WEEKLY_COLUMNS), [])
        ),
        charts.load_chart(load),
        charts.acwr_chart(load),
        charts.source_status_chart(pl.DataFrame(schema=read.SOURCE_FILES_COLUMNS)),
    ]
    for chart in built:
        json.dumps(chart.to_dict())  # to_dict validates against the Vega-Lite schema
