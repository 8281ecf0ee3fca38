"""Data: what was ingested, what was quarantined or repaired and why, values waiting for a unit, times read as UTC,
exercise names to map, corrections in force, and the last ingest."""

from __future__ import annotations

import duckdb
import polars as pl
import streamlit as st

from fitbalance import charts, summaries
from fitbalance.store import read
from fitbalance_dashboards import common

st.title("Data")
st.caption("The files behind the numbers: where they came from, what was set aside and why.")


def _load(con: duckdb.DuckDBPyConnection) -> dict[str, pl.DataFrame]:
    return {
        "files": read.source_files(con),
        "quarantine": read.quarantine(con),
        "repairs": read.repairs(con),
        "assumed": read.assumed_offsets(con),
        "waiting": pl.DataFrame(
            read.waiting_values(con),
            schema=["athlete", "setting", "field", "values", "activities", "files"],
            orient="row",
        ),
        "unmapped": read.unmapped_exercises(con),
        "corrections": read.corrections_in_force(con),
        "runs": read.ingest_runs(con),
    }


frames = common.query(_load)
if frames is None:
    st.stop()
files, quarantine, unmapped, runs = frames["files"], frames["quarantine"], frames["unmapped"], frames["runs"]
repairs, assumed = frames["repairs"], frames["assumed"]
corrections = frames["corrections"]
hint = common.INGEST_HINT.format(db=common.db_path())

if runs.is_empty():
    st.info(f"**No ingest has run yet.** Ingest your exports: `{hint}`.", icon="📂")
else:
    last = runs.row(0, named=True)
    st.subheader("Last ingest")
    st.markdown(summaries.run_sentence(last))
    columns = st.columns(5)
    columns[0].metric("Files seen", last["files_seen"] or 0, border=True)
    columns[1].metric("Files loaded", last["files_loaded"] or 0, border=True)
    columns[2].metric("Already known", last["files_known"] or 0, border=True, help="Unchanged since an earlier run.")
    columns[3].metric("Activities added", last["activities_added"] or 0, border=True)
    columns[4].metric("Quarantined", last["files_quarantined"] or 0, border=True)

st.subheader("Source files")
if files.is_empty():
    st.info(f"**No source files yet.** `{hint}` reads FIT files, zips and CSV exports.", icon="📂")
else:
    totals = summaries.status_totals(files)
    status_columns = st.columns(3)
    status_columns[0].metric("Loaded", totals["loaded"], border=True)
    status_columns[1].metric("Skipped", totals["skipped"], border=True, help="Not activities (e.g. monitoring files).")
    status_columns[2].metric("Quarantined", totals["quarantined"], border=True)
    common.chart(charts.source_status_chart(files))

waiting = frames["waiting"]
if not waiting.is_empty():
    st.warning(
        f"**{waiting['values'].sum():,} values wait for their unit.** Their exports do not say whether weights are "
        "kg or lbs, or distances km or miles: the activities and sets loaded, these values are kept as written and "
        "count as unknown (no volume, no e1RM, never 0 kg). "
        + " ".join(f"{line}." for line in read.waiting_lines(waiting.rows())),
        icon="⚖️",
    )
    st.dataframe(waiting, hide_index=True)

if not assumed.is_empty():
    st.warning(
        f"**{len(assumed)} activities have times read as UTC.** Their exports write local times without a zone, no "
        "`time_zone` is set for their athlete, and no FIT file of theirs gives an offset to learn. Set `time_zone` "
        "in fitbalance.toml (or ingest the watch's FIT files): the next ingest places them, without reading them "
        "again.",
        icon="🕒",
    )
    st.dataframe(assumed, hide_index=True)

tabs = st.tabs(
    [
        f"Files ({len(files)})",
        f"Quarantine ({len(quarantine)})",
        f"Repairs ({len(repairs)})",
        f"Unmapped exercises ({len(unmapped)})",
        f"Corrections ({len(corrections)})",
        f"Ingest runs ({len(runs)})",
    ]
)
with tabs[0]:
    if files.is_empty():
        st.caption("Nothing ingested yet.")
    else:
        statuses = sorted(set(files.get_column("status").to_list()))
        picked = st.multiselect("Status", statuses, default=statuses, key="file-status")
        st.dataframe(files.filter(pl.col("status").is_in(picked)), hide_index=True)
with tabs[1]:
    if quarantine.is_empty():
        st.success("Nothing in quarantine: every file and row passed.", icon="✅")
    else:
        st.caption("Files and rows set aside, with the stage that refused them and why. Fix or remove, then re-run.")
        st.dataframe(quarantine, hide_index=True, column_config={"reason": st.column_config.TextColumn(width="large")})
with tabs[2]:
    if repairs.is_empty():
        st.success("No field needed repair.", icon="✅")
    else:
        st.caption(
            "Fields loaded as null because the file held a sensor's 'no reading' (a heart rate of 0 without a strap) "
            "or an impossible value (an elapsed time of three weeks); the rest of each row loaded. `rule` says why, "
            "`original` what the file had."
        )
        st.dataframe(repairs, hide_index=True)
with tabs[3]:
    if unmapped.is_empty():
        st.success("Every exercise name maps to the catalogue.", icon="✅")
    else:
        st.caption(
            "These names matched no catalogue exercise, so their sets count in no muscle group and no progress "
            "chart. Map them in fitbalance.toml, e.g. `[athletes.NAME.exercise_names]` "
            '`"Landmine Rotation" = "Russian Twist"`, then re-run the ingest.'
        )
        st.dataframe(unmapped, hide_index=True)
with tabs[4]:
    if corrections.is_empty():
        st.caption(
            "No corrections. Correct one activity's class with `fitbalance classify ACTIVITY_ID --as other/mixed`, "
            'one set\'s exercise with `fitbalance correct-set ACTIVITY_ID SET_INDEX "Bench Dip"`, or many at once '
            "with overrides and exercise names in fitbalance.toml."
        )
    else:
        st.caption(
            "Corrections in force: classes and exercises set by hand (kept through every ingest and reprocess) and "
            "the settings overrides deciding loaded activities, with how many each decides now."
        )
        st.dataframe(corrections, hide_index=True)
with tabs[5]:
    if runs.is_empty():
        st.caption("No runs yet.")
    else:
        st.dataframe(runs, hide_index=True)
