"""The Streamlit dashboards (``app.py``), installed as ``fitbalance_dashboards``; see :mod:`fitbalance.dashboard`."""
