"""Weekly balance: strength training against every other kind of exercise, and the WHO guideline."""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl
import streamlit as st

from fitbalance import charts, summaries
from fitbalance.store import read
from fitbalance_dashboards import common

LAST_WEEK = "vs last week"

st.title("Weekly balance")
st.caption(
    "Am I balancing strength training with other exercise? WHO 2020: at least 150 minutes of moderate aerobic "
    "activity a week (a vigorous minute counts double) and muscle-strengthening activity on 2 or more days."
)

picked = common.sidebar()
if picked is None:
    st.stop()
selection: common.Selection = picked  # typed, not narrowed: the functions below read it too

# ---- This week: what's left (the weekly_targets view, at today's date) ---------------------------------------------
clock = common.clock()


def _this_week(con: duckdb.DuckDBPyConnection) -> tuple[date, pl.DataFrame]:
    monday = summaries.week_monday(read.athlete_today(con, selection.athlete, clock))
    return monday, read.weekly_targets(con, selection.athlete, clock, monday, monday)


current = common.query(_this_week)
if current is not None:
    monday, targets = current
    due = summaries.week_left(targets, monday)
    st.subheader("This week: what's left")
    if due is None:
        st.caption("No targets for this week yet.")
    else:
        st.caption(
            f"Week {common.week_span(monday)}, {due.days_left} day{'s' if due.days_left != 1 else ''} to go, "
            "against your targets (settings `[athletes.NAME.targets]`, else WHO 2020 and ACSM)."
        )
        boxes = st.columns(4 if due.multicomponent_days is not None else 3)
        boxes[0].metric("Aerobic min left", f"{due.aerobic_minutes:.0f}", border=True)
        boxes[1].metric("Strength days left", f"{due.strength_days}", border=True)
        boxes[2].metric("Muscle groups below range", f"{len([m for m in due.muscles if m.sets > 0])}", border=True)
        if due.multicomponent_days is not None:
            boxes[3].metric("Balance days left", f"{due.multicomponent_days}", border=True, help="65+: WHO 2020.")
        st.markdown(summaries.left_in_words(due).capitalize() + ".")
        muscles = summaries.muscle_targets_frame(targets, monday)
        if not muscles.is_empty():
            common.chart(charts.muscle_targets_chart(muscles))

history = common.query(lambda con: read.weekly_balance(con, selection.athlete))
if history is None:
    st.stop()
if history.is_empty():
    st.info(
        "**No activities yet.** Ingest FIT files from a watch, or a Garmin, Strava, Hevy or Strong export: "
        f"`{common.INGEST_HINT.format(db=common.db_path())}`.",
        icon="🏃",
    )
    st.stop()

shown = history.filter(pl.col("week_start").is_between(selection.start, selection.end))
this_week = summaries.week_balance(history, selection.week)

st.subheader(f"Week {common.week_span(selection.week)}")
if this_week is None:
    st.info("No row for this week: pick a range that ends inside your history.")
else:
    columns = st.columns(6 if this_week.is_65_plus else 5)
    columns[0].metric(
        "Aerobic min (WHO)",
        f"{this_week.who_aerobic_minutes:.0f} / {summaries.WHO_AEROBIC_MINUTES:.0f}",
        delta=None if this_week.aerobic_delta is None else f"{this_week.aerobic_delta:+.0f}",
        delta_description=LAST_WEEK,
        help="Moderate minutes plus twice the vigorous minutes.",
        border=True,
    )
    columns[1].metric(
        "Strength days",
        f"{this_week.resistance_days} / {summaries.WHO_STRENGTH_DAYS}",
        delta=None if this_week.strength_days_delta is None else f"{this_week.strength_days_delta:+d}",
        delta_description=LAST_WEEK,
        border=True,
    )
    columns[2].metric(
        "Resistance min",
        f"{this_week.resistance_minutes:.0f}",
        delta=None if this_week.resistance_minutes_delta is None else f"{this_week.resistance_minutes_delta:+.0f}",
        delta_description=LAST_WEEK,
        border=True,
    )
    columns[3].metric(
        "Other exercise min",
        f"{this_week.other_minutes:.0f}",
        delta=None if this_week.other_minutes_delta is None else f"{this_week.other_minutes_delta:+.0f}",
        delta_description=LAST_WEEK,
        border=True,
    )
    if this_week.meets_guideline:
        verdict, detail = "Met", "aerobic + strength" + (" + balance" if this_week.is_65_plus else "")
    else:
        verdict, detail = "Not yet", "needs " + summaries.guideline_shortfall(this_week)
    columns[4].metric(
        "WHO guideline",
        verdict,
        delta=detail,
        delta_color="normal" if this_week.meets_guideline else "inverse",
        delta_arrow="off",
        border=True,
    )
    if this_week.is_65_plus:
        columns[5].metric(
            "Multicomponent days",
            f"{this_week.multicomponent_days} / {summaries.WHO_MULTICOMPONENT_DAYS}",
            help="65+: balance and strength activity on 3 or more days a week.",
            border=True,
        )

streak = summaries.guideline_streak(history, selection.week)
left, right = st.columns([1, 3])
with left:
    st.metric(
        "Guideline streak",
        f"{streak.current} week{'s' if streak.current != 1 else ''}",
        help="Consecutive weeks meeting the whole guideline, ending this week (or last week, while this week is "
        "not met yet).",
    )
    st.caption(f"{streak.met_in_window} of the last {summaries.STREAK_WINDOW_WEEKS} weeks met the guideline.")
with right:
    common.chart(charts.streak_chart(streak))

common.chart(charts.balance_chart(shown))
common.chart(charts.strength_days_chart(shown))

share = this_week.resistance_share if this_week is not None else None
if share is not None:
    st.caption(f"Resistance training was {share:.0%} of this week's exercise minutes.")

with st.expander("Weekly numbers"):
    st.dataframe(
        shown.sort("week_start", descending=True).select(
            "iso_week",
            "resistance_minutes",
            "resistance_days",
            "other_minutes",
            "endurance_minutes",
            "flexibility_minutes",
            "balance_minutes",
            "mixed_minutes",
            "sport_minutes",
            "unspecified_minutes",
            "who_aerobic_minutes",
            "meets_aerobic",
            "meets_strength",
            "meets_guideline",
        ),
        hide_index=True,
        column_config={
            "iso_week": "week",
            "who_aerobic_minutes": st.column_config.NumberColumn("WHO aerobic min", format="%.0f"),
        },
    )
