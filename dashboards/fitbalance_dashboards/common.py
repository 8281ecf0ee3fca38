"""What every dashboard page shares: the database path, read-only queries that wait out a writer, the pickers.

The pages import it as ``fitbalance_dashboards.common``, the same module whichever page Streamlit runs. Nothing here
writes: every query goes through :mod:`fitbalance.store.read`, one short read-only connection per batch.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import duckdb
import streamlit as st

from fitbalance import charts, summaries
from fitbalance.config import default_db_path
from fitbalance.errors import StoreError, StoreLockedError
from fitbalance.store import read

T = TypeVar("T")

DEFAULT_WEEKS = 12
# Test hooks: session-state keys that shorten the wait for a locked database (AppTest sets them).
RETRIES_KEY = "_fitbalance_read_retries"
WAIT_KEY = "_fitbalance_read_wait_s"
INGEST_HINT = "fitbalance ingest FOLDER --db {db}"
CLOCK_KEY = "_fitbalance_today"  # test hook: a date that stands for today (AppTest sets it)


def db_path() -> Path:
    """The database: ``--db FILE`` after ``--`` on the streamlit command line, else ``$FITBALANCE_DB``, else default."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--db", type=Path, default=None)
    known, _ = parser.parse_known_args(sys.argv[1:])
    return known.db if known.db is not None else default_db_path()


def query(fn: Callable[[duckdb.DuckDBPyConnection], T]) -> T | None:
    """Run ``fn`` on a short read-only connection; on a locked or missing database say so and return None.

    While an ingest holds the write lock, a "database busy" notice shows and the read is retried; if the lock is
    still held after the last try, a warning with a Retry button replaces it. The app never crashes on a lock.
    """
    db = db_path()
    notice = st.empty()

    def busy(message: str) -> None:
        notice.info(message, icon="⏳")

    retries = int(st.session_state.get(RETRIES_KEY, read.DEFAULT_RETRIES))
    wait_s = float(st.session_state.get(WAIT_KEY, read.DEFAULT_WAIT_S))
    try:
        with read.reading(db, retries=retries, wait_s=wait_s, on_wait=busy) as con:
            result = fn(con)
    except StoreLockedError as exc:
        notice.warning(f"{read.BUSY_MESSAGE} Still busy: {exc.reason}.", icon="⏳")
        st.button("Retry now", key="retry-busy")
        return None
    except StoreError as exc:
        if not db.exists():
            notice.info(
                f"**No database at `{db}` yet.** Ingest your exports first: `{INGEST_HINT.format(db=db)}` "
                "(FIT files from a watch, or Garmin, Strava, Hevy or Strong CSV exports), then reload this page.",
                icon="📂",
            )
        else:
            notice.error(f"Cannot read the database `{db}`: {exc.reason}", icon="🚫")
        return None
    notice.empty()
    return result


@dataclass(frozen=True)
class Selection:
    """The athlete and weeks the pages show. ``week`` is the newest week in the range ("this week")."""

    athlete: str
    unit: summaries.MassUnit
    start: date  # a Monday
    end: date  # the Sunday of the last week shown
    week: date  # a Monday
    first: date  # the athlete's first week with data
    last: date  # the athlete's last week with data


def sidebar(show_dates: bool = True) -> Selection | None:
    """The athlete and date-range pickers; None (with a notice shown) when there is nothing to pick."""
    athletes = query(read.athletes)
    if athletes is None:
        return None
    if athletes.is_empty():
        st.info(
            f"**No data yet.** Ingest some files: `{INGEST_HINT.format(db=db_path())}`, then reload this page.",
            icon="📂",
        )
        return None
    names = athletes.get_column("athlete").to_list()
    units = dict(zip(names, athletes.get_column("units").to_list(), strict=True))
    with st.sidebar:
        athlete = st.selectbox("Athlete", names, key="athlete", persist_state="session")
    bounds = query(lambda con: read.date_bounds(con, athlete))
    if bounds is None:
        first = last = summaries.week_monday(date(2000, 1, 3))
        has_data = False
    else:
        first, last = bounds
        has_data = True
    default_start = max(first, last - timedelta(weeks=DEFAULT_WEEKS - 1))
    start, end = default_start, last + timedelta(days=6)
    if show_dates and has_data:
        with st.sidebar:
            picked = st.date_input(
                "Weeks",
                value=(default_start, last + timedelta(days=6)),
                min_value=first,
                max_value=last + timedelta(days=6),
                key=f"weeks-{athlete}",
                persist_state="session",
                help="The weeks to chart. The last week in the range is 'this week'.",
            )
        if isinstance(picked, tuple) and len(picked) == 2:
            start, end = picked
        elif isinstance(picked, tuple) and len(picked) == 1:
            start = picked[0]
    start = summaries.week_monday(start)
    week = min(summaries.week_monday(end), last)
    end = summaries.week_monday(end) + timedelta(days=6)
    with st.sidebar:
        unit = summaries.mass_unit(units.get(athlete))
        st.caption(f"Database: `{db_path()}`  \nUnits: {unit.label} (from the athlete's settings)")
    return Selection(
        athlete=athlete,
        unit=unit,
        start=start,
        end=end,
        week=week,
        first=first,
        last=last,
    )


def clock() -> date | datetime:
    """What "today" is for the weekly targets: now (each athlete's local date, in SQL), or the test hook's date."""
    fixed = st.session_state.get(CLOCK_KEY)
    return fixed if isinstance(fixed, date) else datetime.now(UTC)


def chart(spec: charts.Chart) -> None:
    """Show an Altair chart across the page width."""
    st.altair_chart(spec, width="stretch")


def week_span(week: date) -> str:
    """``2025-W10 (3-9 Mar 2025)``."""
    sunday = week + timedelta(days=6)
    if week.month == sunday.month:
        days = f"{week.day}-{sunday.day} {sunday:%b %Y}"
    else:
        days = f"{week.day} {week:%b} - {sunday.day} {sunday:%b %Y}"
    return f"{summaries.iso_week_label(week)} ({days})"
