"""Altair chart specifications for the dashboards and the report.

Pure functions: polars frames in (already filtered to one athlete, masses already in the display unit), Altair
charts out. Nothing here renders, reads or writes; the dashboards hand the charts to Streamlit and the report
embeds their Vega-Lite JSON.
"""

from __future__ import annotations

from typing import TypeAlias

import altair as alt
import polars as pl

from fitbalance import summaries as s

Chart: TypeAlias = alt.Chart | alt.LayerChart | alt.FacetChart

KIND_COLORS: dict[str, str] = {
    "Resistance": "#c2410c",
    "Endurance": "#2563eb",
    "Sport": "#0891b2",
    "Mixed": "#7c3aed",
    "Flexibility": "#16a34a",
    "Balance": "#84cc16",
    "Other": "#94a3b8",
}
STATUS_COLORS: dict[str, str] = {
    "progressing": "#16a34a",
    "holding": "#2563eb",
    "stalled": "#d97706",
    "regressing": "#dc2626",
    "new": "#6b7280",
}
BAND_COLORS: dict[str, str] = {
    "low": "#dbeafe",
    "sweet_spot": "#dcfce7",
    "caution": "#fef3c7",
    "high_risk": "#fee2e2",
}
MET_COLOR = "#16a34a"
NOT_MET_COLOR = "#e5e7eb"
GUIDE_COLOR = "#111827"
ACWR_AXIS_MAX = 3.0  # the ratio reads very high in the first weeks of a history; the axis stops here
HEIGHT = 280

_WEEK_AXIS = alt.Axis(title=None, labelAngle=-45)
_DAY_AXIS = alt.Axis(title=None, format="%d %b", labelAngle=0)


FIT_WIDTH = alt.AutoSizeParams(type="fit-x", contains="padding")


def _sized(chart: Chart, height: int, title: str | None = None) -> Chart:
    """``chart`` at ``height`` px, as wide as its container (fit-x: axes and legends inside the width)."""
    sized: Chart = chart.properties(height=height, width="container", autosize=FIT_WIDTH)
    if title is not None:
        sized = sized.properties(title=title)
    return sized


def _number(value: object) -> float:
    """A polars scalar (``max()`` of a column) as a float; 0 for null or non-numbers."""
    return float(value) if isinstance(value, int | float) else 0.0


def _scale(colors: dict[str, str]) -> alt.Scale:
    return alt.Scale(domain=list(colors), range=list(colors.values()))


def _rule(value: float, label: str) -> Chart:
    """A dashed horizontal guideline at ``value`` with ``label`` written above its left end, on a white halo."""
    frame = pl.DataFrame({"y": [value], "label": [label]})
    base = alt.Chart(frame)
    line = base.mark_rule(color=GUIDE_COLOR, strokeDash=[6, 4], strokeWidth=1.5).encode(y="y:Q")
    halo = base.mark_text(
        align="left", baseline="bottom", dx=4, dy=-3, fontSize=11, fontWeight="bold", stroke="white", strokeWidth=4
    ).encode(y="y:Q", x=alt.value(0), text="label:N")
    label_mark = base.mark_text(
        align="left", baseline="bottom", dx=4, dy=-3, fontSize=11, fontWeight="bold", color=GUIDE_COLOR
    ).encode(y="y:Q", x=alt.value(0), text="label:N")
    return alt.layer(line, halo, label_mark)


# ---- weekly balance -----------------------------------------------------------------------------------------------


def balance_chart(balance: pl.DataFrame) -> Chart:
    """Stacked weekly minutes, resistance vs each other kind, with WHO aerobic-equivalent minutes and the 150 line."""
    long = s.balance_long(balance)
    present = [k for k in KIND_COLORS if k in set(long.get_column("kind").to_list())] or list(KIND_COLORS)
    bars = (
        alt.Chart(long)
        .mark_bar(cornerRadiusTopLeft=2, cornerRadiusTopRight=2)
        .encode(
            x=alt.X("iso_week:O", axis=_WEEK_AXIS),
            y=alt.Y("sum(minutes):Q", title="minutes", stack="zero"),
            color=alt.Color(
                "kind:N",
                scale=alt.Scale(domain=present, range=[KIND_COLORS[k] for k in present]),
                legend=alt.Legend(title=None, orient="top", direction="horizontal"),
                sort=present,
            ),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("iso_week:O", title="week"),
                alt.Tooltip("kind:N"),
                alt.Tooltip("sum(minutes):Q", title="minutes", format=".0f"),
            ],
        )
    )
    aerobic = balance.select(
        "iso_week",
        pl.col("who_aerobic_minutes").fill_null(0.0),
        pl.lit("WHO aerobic minutes").alias("series"),
    )
    line = (
        alt.Chart(aerobic)
        .mark_line(
            point=alt.OverlayMarkDef(filled=True, size=40, color=GUIDE_COLOR),
            color=GUIDE_COLOR,
            strokeWidth=2,
        )
        .encode(
            x=alt.X("iso_week:O"),
            y=alt.Y("who_aerobic_minutes:Q"),
            tooltip=[
                alt.Tooltip("iso_week:O", title="week"),
                alt.Tooltip("who_aerobic_minutes:Q", title="WHO aerobic min (moderate + 2 × vigorous)", format=".0f"),
            ],
        )
    )
    return _sized(
        alt.layer(bars, line, _rule(s.WHO_AEROBIC_MINUTES, "WHO: 150 aerobic min")),
        HEIGHT,
        "Weekly minutes by kind (line: WHO aerobic-equivalent minutes)",
    )


def strength_days_chart(balance: pl.DataFrame) -> Chart:
    """Strength days per week, green when the week meets the 2-day guideline, with the WHO line."""
    frame = balance.select(
        "iso_week",
        pl.col("resistance_days").fill_null(0),
        pl.when(pl.col("meets_strength")).then(pl.lit("met")).otherwise(pl.lit("not met")).alias("strength"),
    )
    top = max(4, int(_number(frame.get_column("resistance_days").max())))
    bars = (
        alt.Chart(frame)
        .mark_bar(cornerRadiusTopLeft=2, cornerRadiusTopRight=2)
        .encode(
            x=alt.X("iso_week:O", axis=_WEEK_AXIS),
            y=alt.Y("resistance_days:Q", title="strength days", scale=alt.Scale(domain=[0, top])),
            color=alt.Color(
                "strength:N",
                scale=alt.Scale(domain=["met", "not met"], range=[MET_COLOR, "#fdba74"]),
                legend=alt.Legend(title="2 days", orient="top"),
            ),
            tooltip=[alt.Tooltip("iso_week:O", title="week"), alt.Tooltip("resistance_days:Q", title="days")],
        )
    )
    return _sized(
        alt.layer(bars, _rule(float(s.WHO_STRENGTH_DAYS), "WHO: 2 strength days")),
        200,
        "Muscle-strengthening days per week",
    )


def streak_chart(streak: s.Streak) -> Chart:
    """One square per week of the streak window: green when the week met the whole guideline."""
    frame = s.streak_frame(streak)
    base = alt.Chart(frame).encode(x=alt.X("iso_week:O", axis=alt.Axis(title=None, labelAngle=-45)))
    squares = base.mark_rect(cornerRadius=4, stroke="white", strokeWidth=3).encode(
        color=alt.Color(
            "label:N",
            scale=alt.Scale(domain=["met", "not met"], range=[MET_COLOR, NOT_MET_COLOR]),
            legend=None,
        ),
        tooltip=[alt.Tooltip("iso_week:O", title="week"), alt.Tooltip("label:N", title="guideline")],
    )
    marks = base.mark_text(fontSize=14, color="white").encode(
        text=alt.condition(alt.datum.met, alt.value("✓"), alt.value(""))
    )
    return _sized(alt.layer(squares, marks), 48)


TARGET_STATUS_COLORS: dict[str, str] = {
    "met": MET_COLOR,
    "above": "#2563eb",
    "in_progress": "#fdba74",
    "below": "#dc2626",
}
BAND_COLOR = "#e5e7eb"


def muscle_targets_chart(muscles: pl.DataFrame) -> Chart:
    """Sets per muscle group in one week against each group's target band (low to high, grey), bars coloured by
    status. ``muscles`` is :func:`fitbalance.summaries.muscle_targets_frame`."""
    frame = muscles.with_columns(pl.col("muscle_group").str.replace_all("_", " ").alias("group"))
    base = alt.Chart(frame).encode(y=alt.Y("group:N", title=None, sort=alt.SortField("group")))
    band = base.mark_bar(color=BAND_COLOR, height=16).encode(
        x=alt.X("low:Q", title="working sets this week (a secondary muscle's set counts 0.5)"),
        x2="high:Q",
        tooltip=[alt.Tooltip("group:N", title="muscle group"), alt.Tooltip("low:Q"), alt.Tooltip("high:Q")],
    )
    bars = base.mark_bar(height=8).encode(
        x="sets:Q",
        color=alt.Color(
            "status:N",
            scale=_scale(TARGET_STATUS_COLORS),
            legend=alt.Legend(title=None, orient="top", direction="horizontal"),
        ),
        tooltip=[
            alt.Tooltip("group:N", title="muscle group"),
            alt.Tooltip("sets:Q", format=".1f"),
            alt.Tooltip("remaining:Q", title="still needed", format=".1f"),
            alt.Tooltip("status:N"),
        ],
    )
    return _sized(
        alt.layer(band, bars),
        max(120, 22 * frame.height),
        "Sets per muscle group against the target band",
    )


# ---- progressive overload -----------------------------------------------------------------------------------------


def exercise_chart(progress: pl.DataFrame, records: pl.DataFrame, exercise: str, unit: s.MassUnit) -> Chart:
    """One exercise over time: best e1RM and top set per week, points coloured by status, PR weeks starred.

    Bodyweight exercises (no loaded week) are drawn as total reps per week instead.
    """
    one = s.mark_records(progress.filter(pl.col("exercise") == exercise), records).sort("week_start")
    bodyweight = one.is_empty() or bool(one.get_column("top_set_kg").is_null().all())
    pr_flag = pl.col("is_reps_pr") if bodyweight else pl.col("is_e1rm_pr")
    common = [pl.col("week_start"), pl.col("status").fill_null("new"), pr_flag.alias("is_pr")]
    if bodyweight:
        frame = one.select(
            *common,
            pl.lit("Total reps").alias("series"),
            pl.col("total_reps").cast(pl.Float64()).alias("value"),
        )
        y_title = "reps"
    else:
        frame = pl.concat(
            [
                one.select(
                    *common,
                    pl.lit("Best e1RM").alias("series"),
                    (pl.col("best_e1rm_kg") * unit.per_kg).alias("value"),
                ),
                one.select(
                    *common,
                    pl.lit("Top set").alias("series"),
                    (pl.col("top_set_kg") * unit.per_kg).alias("value"),
                ),
            ]
        )
        y_title = unit.label
    base = alt.Chart(frame).encode(
        x=alt.X("yearmonthdate(week_start):T", axis=_DAY_AXIS),
        y=alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False)),
    )
    series = ["Total reps"] if bodyweight else ["Best e1RM", "Top set"]
    lines = base.mark_line(strokeWidth=2).encode(
        strokeDash=alt.StrokeDash(
            "series:N",
            scale=alt.Scale(domain=series, range=[[1, 0], [5, 4]][: len(series)]),
            legend=alt.Legend(title=None, orient="top", direction="horizontal"),
        ),
        color=alt.value("#374151"),
    )
    points = base.mark_circle(size=70, opacity=1).encode(
        color=alt.Color(
            "status:N",
            scale=_scale(STATUS_COLORS),
            legend=alt.Legend(title=None, orient="bottom", direction="horizontal", symbolSize=60),
        ),
        tooltip=[
            alt.Tooltip("yearmonthdate(week_start):T", title="week of", format="%d %b %Y"),
            alt.Tooltip("series:N", title="measure"),
            alt.Tooltip("value:Q", title=y_title, format=".1f"),
            alt.Tooltip("status:N"),
        ],
    )
    first_series = "Total reps" if bodyweight else "Best e1RM"
    prs = (
        alt.Chart(frame.filter(pl.col("is_pr") & (pl.col("series") == first_series)))
        .mark_point(
            shape="M0,-1L0.29,-0.4L0.95,-0.31L0.48,0.15L0.59,0.81L0,0.5L-0.59,0.81L-0.48,0.15L-0.95,-0.31L-0.29,-0.4Z",
            size=320,
            filled=True,
            color="#f59e0b",
            stroke="#92400e",
            strokeWidth=1,
        )
        .encode(
            x=alt.X("yearmonthdate(week_start):T"),
            y=alt.Y("value:Q"),
            tooltip=[alt.Tooltip("value:Q", title=f"personal record ({y_title})", format=".1f")],
        )
    )
    return _sized(alt.layer(lines, points, prs), 240, exercise)


def volume_chart(progress: pl.DataFrame, unit: s.MassUnit) -> Chart:
    """Weekly volume load (sets x reps x load) per loaded exercise, stacked."""
    frame = progress.filter(~pl.col("is_bodyweight").fill_null(False)).select(
        "exercise",
        "week_start",
        pl.col("week_start").dt.strftime("%G-W%V").alias("iso_week"),
        (pl.col("volume_load_kg").fill_null(0.0) * unit.per_kg).alias("volume"),
    )
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("iso_week:O", axis=_WEEK_AXIS),
            y=alt.Y("sum(volume):Q", title=f"volume load ({unit.label})"),
            color=alt.Color(
                "exercise:N",
                scale=alt.Scale(scheme="tableau10"),
                legend=alt.Legend(title=None, orient="right"),
            ),
            tooltip=[
                alt.Tooltip("iso_week:O", title="week"),
                alt.Tooltip("exercise:N"),
                alt.Tooltip("sum(volume):Q", title=f"volume ({unit.label})", format=",.0f"),
            ],
        )
    )
    return _sized(chart, HEIGHT, "Weekly volume load per exercise")


def muscle_heatmap(muscles: pl.DataFrame) -> Chart:
    """Sets per muscle group per week; a week without a set for a group is shaded red so it stands out.

    ``muscles`` is a frame from :func:`fitbalance.summaries.muscle_heatmap_frame` (every pair present).
    """
    base = alt.Chart(muscles).encode(
        x=alt.X("iso_week:O", axis=_WEEK_AXIS),
        y=alt.Y("muscle_group:N", title=None, sort="ascending"),
    )
    cells = base.mark_rect(stroke="white", strokeWidth=1).encode(
        color=alt.condition(
            alt.datum.neglected,
            alt.value("#fecaca"),
            alt.Color("sets:Q", scale=alt.Scale(scheme="blues", domainMin=0), legend=alt.Legend(title="sets")),
        ),
        tooltip=[
            alt.Tooltip("muscle_group:N", title="muscle group"),
            alt.Tooltip("iso_week:O", title="week"),
            alt.Tooltip("sets:Q", format=".1f"),
        ],
    )
    darkest = _number(muscles.get_column("sets").max())
    labels = base.mark_text(fontSize=10).encode(
        text=alt.Text("sets:Q", format=".0f"),
        color=alt.condition(alt.datum.sets > 0.6 * darkest, alt.value("white"), alt.value("#1f2937")),
    )
    groups = muscles.get_column("muscle_group").n_unique() if not muscles.is_empty() else 1
    return _sized(alt.layer(cells, labels), max(120, 22 * groups), "Sets per muscle group per week (red: none)")


# ---- training load ------------------------------------------------------------------------------------------------


def load_chart(load: pl.DataFrame, method: str = "ewma") -> Chart:
    """Daily load (endurance and strength stacked) with the acute and chronic load lines."""
    daily = pl.concat(
        [
            load.select(
                "day",
                pl.lit("Endurance").alias("kind"),
                pl.col("endurance_load").fill_null(0.0).alias("load"),
            ),
            load.select("day", pl.lit("Strength").alias("kind"), pl.col("strength_load").fill_null(0.0).alias("load")),
        ]
    )
    bars = (
        alt.Chart(daily)
        .mark_bar(opacity=0.75)
        .encode(
            x=alt.X("yearmonthdate(day):T", axis=_DAY_AXIS),
            y=alt.Y("sum(load):Q", title="load (TRIMP)"),
            color=alt.Color(
                "kind:N",
                scale=alt.Scale(
                    domain=["Endurance", "Strength", "Acute (7 d)", "Chronic (28 d)"],
                    range=[KIND_COLORS["Endurance"], KIND_COLORS["Resistance"], "#111827", "#9333ea"],
                ),
                legend=alt.Legend(title=None, orient="top"),
            ),
            tooltip=[
                alt.Tooltip("yearmonthdate(day):T", title="day", format="%a %d %b %Y"),
                alt.Tooltip("kind:N"),
                alt.Tooltip("sum(load):Q", title="load", format=".0f"),
            ],
        )
    )
    lines = (
        alt.Chart(s.load_long(load, method))
        .mark_line(strokeWidth=2.5)
        .encode(
            x=alt.X("yearmonthdate(day):T"),
            y=alt.Y("load:Q"),
            color=alt.Color("series:N"),
            tooltip=[
                alt.Tooltip("yearmonthdate(day):T", title="day", format="%a %d %b %Y"),
                alt.Tooltip("series:N"),
                alt.Tooltip("load:Q", format=".1f"),
            ],
        )
    )
    return _sized(alt.layer(bars, lines), HEIGHT, "Daily load, acute and chronic")


def acwr_chart(load: pl.DataFrame, method: str = "ewma") -> Chart:
    """The acute:chronic workload ratio per day over shaded bands (low, sweet spot, caution, high risk)."""
    column = "acwr_rolling" if method == "rolling" else "acwr_ewma"
    frame = load.select("day", pl.col(column).alias("acwr")).drop_nulls("acwr")
    highest = _number(frame.get_column("acwr").max())
    top = min(ACWR_AXIS_MAX, max(2.0, highest + 0.1))
    bands = pl.DataFrame(
        {
            "band": [name for name, _, _, _ in s.ACWR_BANDS],
            "label": [label for _, label, _, _ in s.ACWR_BANDS],
            "lo": [lo for _, _, lo, _ in s.ACWR_BANDS],
            "hi": [min(hi, top) if name != "high_risk" else top for name, _, _, hi in s.ACWR_BANDS],
        }
    )
    shading = (
        alt.Chart(bands)
        .mark_rect(opacity=0.9)
        .encode(
            y=alt.Y("lo:Q", title="ACWR", scale=alt.Scale(domain=[0, top], nice=False)),
            y2="hi:Q",
            color=alt.Color(
                "label:N",
                scale=alt.Scale(domain=[label for _, label, _, _ in s.ACWR_BANDS], range=list(BAND_COLORS.values())),
                legend=alt.Legend(title=None, orient="top"),
                sort=None,
            ),
            tooltip=[alt.Tooltip("label:N", title="band")],
        )
    )
    line = (
        alt.Chart(frame)
        .mark_line(color=GUIDE_COLOR, strokeWidth=2, clip=True, point=alt.OverlayMarkDef(size=12, color=GUIDE_COLOR))
        .encode(
            x=alt.X("yearmonthdate(day):T", axis=_DAY_AXIS),
            y=alt.Y("acwr:Q"),
            tooltip=[
                alt.Tooltip("yearmonthdate(day):T", title="day", format="%a %d %b %Y"),
                alt.Tooltip("acwr:Q", title="ACWR", format=".2f"),
            ],
        )
    )
    return _sized(alt.layer(shading, line), HEIGHT, "Acute:chronic workload ratio")


# ---- data page ----------------------------------------------------------------------------------------------------


def source_status_chart(files: pl.DataFrame) -> Chart:
    """Source files per format, split by status."""
    frame = files.group_by("format", "status").len("files")
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("format:N", title=None, sort="-x"),
            x=alt.X("sum(files):Q", title="files", axis=alt.Axis(tickMinStep=1, format="d")),
            color=alt.Color(
                "status:N",
                scale=alt.Scale(domain=["loaded", "skipped", "quarantined"], range=[MET_COLOR, "#94a3b8", "#dc2626"]),
                legend=alt.Legend(title=None, orient="top"),
            ),
            tooltip=["format:N", "status:N", alt.Tooltip("sum(files):Q", title="files")],
        )
    )
    return _sized(
        chart, max(80, 28 * max(1, frame.get_column("format").n_unique())), "Source files by format and status"
    )
