"""The Streamlit dashboards (``app.py``), installed as ``fitbalance.dashboards``; see :mod:`fitbalance.dashboard`."""
