"""fitbalance dashboard: weekly balance, progressive overload, training load, and the data behind them.

Run it with ``fitbalance dashboard [--db FILE] [--port PORT]``, or directly::

    streamlit run dashboards/fitbalance_dashboards/app.py --server.address 127.0.0.1 -- --db fitbalance.duckdb

It opens the database read-only and never writes; while an ingest writes, it waits and says so.

The pages live in ``app_pages/``, not ``pages/``: Streamlit still treats a ``pages/`` folder beside the entry
script as an old-style multipage app, which fights ``st.navigation`` when a page's address is opened directly.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

HERE = Path(__file__).resolve().parent

st.set_page_config(page_title="fitbalance", page_icon="🏋️", layout="wide")

pages = [
    st.Page(
        HERE / "app_pages" / "weekly_balance.py",
        title="Weekly balance",
        icon=":material/balance:",
        default=True,
    ),
    st.Page(HERE / "app_pages" / "overload.py", title="Progressive overload", icon=":material/trending_up:"),
    st.Page(HERE / "app_pages" / "training_load.py", title="Training load", icon=":material/monitor_heart:"),
    st.Page(HERE / "app_pages" / "data.py", title="Data", icon=":material/database:"),
]
st.navigation(pages).run()
