"""Training load: daily load, acute and chronic load, and the acute:chronic workload ratio with its bands."""

from __future__ import annotations

import streamlit as st

from fitbalance import charts, summaries
from fitbalance.store import read
from fitbalance_dashboards import common

BAND_TEXT = {
    "low": "🔵 Low: less than you are used to",
    "sweet_spot": "🟢 Sweet spot",
    "caution": "🟠 Caution: ramping up fast",
    "high_risk": "🔴 High risk: a spike well above your usual load",
}

st.title("Training load")
st.caption(
    "Daily load: Banister TRIMP from heart rate for endurance work, session RPE x minutes on the same scale for "
    "strength. Acute is the last 7 days, chronic the last 28; their ratio (ACWR) is best between 0.8 and 1.3."
)

picked = common.sidebar()
if picked is None:
    st.stop()
selection: common.Selection = picked  # typed, not narrowed: the functions below read it too

load = common.query(lambda con: read.training_load_daily(con, selection.athlete, selection.start, selection.end))
if load is None:
    st.stop()
if load.is_empty():
    st.info(
        "**No training load in these weeks.** Load comes from activities with heart rate (FIT files) or a session "
        f"RPE: `{common.INGEST_HINT.format(db=common.db_path())}`.",
        icon="🫀",
    )
    st.stop()

method_label = st.segmented_control(
    "Averages",
    ["EWMA", "Rolling"],
    default="EWMA",
    key="load-method",
    persist_state="session",
    help="EWMA: exponentially weighted (Williams 2017). Rolling: plain 7- and 28-day means (Gabbett 2016).",
)
method = "rolling" if method_label == "Rolling" else "ewma"
latest = summaries.load_summary(load, method)
if latest is not None:
    st.subheader(f"On {latest.day:%a %d %b %Y}")
    columns = st.columns(4)
    columns[0].metric(
        "ACWR",
        "-" if latest.acwr is None else f"{latest.acwr:.2f}",
        border=True,
        help="Acute load / chronic load.",
    )
    columns[1].metric("Acute load (7 d)", f"{latest.acute:.0f}", border=True)
    columns[2].metric("Chronic load (28 d)", f"{latest.chronic:.0f}", border=True)
    columns[3].metric("Load, last 7 days", f"{latest.week_load:.0f}", border=True)
    if latest.band is not None:
        st.caption(f"Band: {BAND_TEXT[latest.band]}.")

common.chart(charts.load_chart(load, method))
common.chart(charts.acwr_chart(load, method))
st.caption(
    "The ratio reads high in the first four weeks of a history (no chronic load yet); its axis stops at "
    f"{charts.ACWR_AXIS_MAX:.0f}."
)

weekly = common.query(lambda con: read.training_load_weekly(con, selection.athlete, selection.start, selection.end))
if weekly is not None and not weekly.is_empty():
    with st.expander("Weekly load, monotony and strain (Foster)"):
        st.caption(
            "Monotony: the week's mean daily load / its standard deviation (rest days count as 0); above about 2 the "
            "load was the same day after day. Strain: the week's load x monotony (Foster 1998)."
        )
        st.dataframe(
            weekly.select("iso_week", "weekly_load", "strength_load", "endurance_load", "monotony", "strain"),
            hide_index=True,
            column_config={
                "iso_week": st.column_config.TextColumn("week"),
                "weekly_load": st.column_config.NumberColumn("load", format="%.0f"),
                "strength_load": st.column_config.NumberColumn("strength", format="%.0f"),
                "endurance_load": st.column_config.NumberColumn("endurance", format="%.0f"),
                "monotony": st.column_config.NumberColumn("monotony", format="%.2f"),
                "strain": st.column_config.NumberColumn("strain", format="%.0f"),
            },
        )
