"""Progressive overload: per exercise strength and volume over time, records, and sets per muscle group."""

from __future__ import annotations

import duckdb
import polars as pl
import streamlit as st

from fitbalance import charts, summaries
from fitbalance.store import read
from fitbalance_dashboards import common

STATUS_ICONS = {"progressing": "🟢", "holding": "🔵", "stalled": "🟠", "regressing": "🔴", "new": "⚪"}

st.title("Progressive overload")
st.caption(
    "Am I progressively overloading? Per exercise, the best estimated one-rep max (e1RM, Epley) and the top set "
    "each week, compared with the previous week the exercise was trained."
)

picked = common.sidebar()
if picked is None:
    st.stop()
selection: common.Selection = picked  # typed, not narrowed: the functions below read it too
unit = selection.unit


def _load(
    con: duckdb.DuckDBPyConnection,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    return (
        read.exercise_progress(con, selection.athlete, selection.start, selection.end),
        read.personal_records(con, selection.athlete),
        read.muscle_group_weekly(con, selection.athlete),
        read.exercise_next_session(con, selection.athlete),
        read.rep_records(con, selection.athlete),
    )


frames = common.query(_load)
if frames is None:
    st.stop()
progress, records, muscles, plan, rep_records = frames
next_sessions = summaries.next_session_text(plan).select(
    "exercise", pl.format("{} ({})", "next_session", "action").alias("next_session"), "reason"
)
if progress.is_empty():
    st.info(
        "**No strength sets in these weeks.** Ingest a FIT strength activity (with sets) or a Hevy/Strong export: "
        f"`{common.INGEST_HINT.format(db=common.db_path())}`. Or widen the date range in the sidebar.",
        icon="🏋️",
    )
    st.stop()

summary = summaries.overload_summary(progress, records, selection.week)
st.subheader(f"Week {common.week_span(selection.week)}")
counts = summaries.status_counts(summary)
columns = st.columns(5)
for column, status in zip(columns, ("progressing", "holding", "stalled", "regressing"), strict=False):
    column.metric(f"{STATUS_ICONS[status]} {status.capitalize()}", counts[status], border=True)
prs = summary.filter(pl.col("is_e1rm_pr") | pl.col("is_weight_pr") | pl.col("is_reps_pr")).height
columns[4].metric(
    "⭐ Records this week", prs, border=True, help="Exercises with an all-time best e1RM, weight or reps this week."
)

if summary.is_empty():
    st.info("No strength sets this week. The charts below show the other weeks in the range.")
else:
    table = (
        summaries.in_unit(summary, ["top_set_kg", "best_e1rm_kg", "volume_load_kg"], unit)
        .with_columns(
            pl.col("status").map_elements(lambda s: f"{STATUS_ICONS.get(s, '')} {s}", return_dtype=pl.String()),
            (pl.col("is_e1rm_pr") | pl.col("is_weight_pr") | pl.col("is_reps_pr")).alias("record"),
        )
        .join(next_sessions, on="exercise", how="left", maintain_order="left")
    )
    st.dataframe(
        table.select(
            "exercise",
            "status",
            "working_sets",
            "total_reps",
            "top_set_kg",
            "best_e1rm_kg",
            "e1rm_change_pct",
            "volume_load_kg",
            "record",
            "next_session",
            "reason",
        ),
        hide_index=True,
        column_config={
            "working_sets": st.column_config.NumberColumn("sets"),
            "total_reps": st.column_config.NumberColumn("reps"),
            "top_set_kg": st.column_config.NumberColumn(f"top set ({unit.label})", format="%.1f"),
            "best_e1rm_kg": st.column_config.NumberColumn(f"best e1RM ({unit.label})", format="%.1f"),
            "e1rm_change_pct": st.column_config.NumberColumn("e1RM vs previous", format="%+.1f %%"),
            "volume_load_kg": st.column_config.NumberColumn(f"volume ({unit.label})", format="%,.0f"),
            "record": st.column_config.CheckboxColumn("⭐ record"),
            "next_session": st.column_config.TextColumn(
                "Next session",
                help="What to lift next time, from the last session and the [athletes.NAME.progression] settings "
                "(`fitbalance next` prints it too)",
            ),
            "reason": st.column_config.TextColumn("why"),
        },
    )

st.subheader("Exercises over time")
names = summaries.exercises_by_sets(progress)
chosen = st.multiselect(
    "Exercises", names, default=names[:4], key=f"exercises-{selection.athlete}", persist_state="session"
)
if not chosen:
    st.info("Pick one or more exercises to chart.")
for i in range(0, len(chosen), 2):
    pair = st.columns(2)
    for column, name in zip(pair, chosen[i : i + 2], strict=False):
        with column:
            common.chart(charts.exercise_chart(progress, records, name, unit))
st.caption("Points are coloured by the week's status; ⭐ marks the week of the all-time best (e1RM, or reps).")

common.chart(charts.volume_chart(progress, unit))

weeks = summaries.weeks_between(selection.start, selection.end)
all_groups = sorted(set(muscles.get_column("muscle_group").drop_nulls().to_list()))
in_range = muscles.filter(pl.col("week_start").is_between(selection.start, selection.end))
heat = summaries.muscle_heatmap_frame(in_range, weeks, all_groups)
if heat.is_empty():
    st.info("No muscle groups known for these exercises yet: they come from the exercise catalogue.")
else:
    common.chart(charts.muscle_heatmap(heat))
    neglected = (
        (heat.group_by("muscle_group").agg(pl.col("neglected").all()).filter(pl.col("neglected")))
        .get_column("muscle_group")
        .to_list()
    )
    if neglected:
        st.warning("No sets at all in these weeks for: " + ", ".join(sorted(neglected)), icon="⚠️")

with st.expander("Personal records"):
    shown = summaries.in_unit(records, ["best_e1rm_kg", "best_weight_kg"], unit)
    st.dataframe(
        shown.drop("athlete"),
        hide_index=True,
        column_config={
            "best_e1rm_kg": st.column_config.NumberColumn(f"best e1RM ({unit.label})", format="%.1f"),
            "best_weight_kg": st.column_config.NumberColumn(f"heaviest ({unit.label})", format="%.1f"),
        },
    )
    st.caption(f"Rep records: the heaviest weight ({unit.label}) lifted for at least 1 to 12 reps.")
    st.dataframe(
        summaries.rep_record_grid(rep_records, unit),
        hide_index=True,
        column_config={str(n): st.column_config.NumberColumn(f"{n}RM", format="%.1f") for n in range(1, 13)},
    )
