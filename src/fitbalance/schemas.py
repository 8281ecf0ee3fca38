"""Pandera schemas (polars backend) for every table, with real range checks.

The bounds are plausibility limits for a human training history, not performance judgements. Timestamps must lie
between 1990-01-01 and ``as_of`` plus one day (``as_of`` is passed in: the schemas read no clock).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pandera.polars as pa
import polars as pl

EARLIEST = datetime(1990, 1, 1)
MAX_ACTIVITY_S = 7 * 24 * 3600.0  # a week-long expedition is the longest "activity" we accept
MAX_SET_S = 4 * 3600.0
MAX_HR = 250
MIN_HR = 20
MAX_WEIGHT_KG = 1000.0  # heavier than any lift ever recorded
MAX_REPS = 1000
MAX_SPEED_MPS = 100.0  # 360 km/h: above any human-powered or skiing speed
MAX_DISTANCE_M = 2_000_000.0
MAX_OFFSET_S = 14 * 3600


def _col(dtype: pl.DataType, *checks: pa.Check, nullable: bool = True) -> pa.Column:
    return pa.Column(dtype, checks=list(checks), nullable=nullable, coerce=False)


def _time_col(as_of: datetime, *, nullable: bool) -> pa.Column:
    return _col(
        pl.Datetime("us"),
        pa.Check.in_range(EARLIEST, as_of + timedelta(days=1)),
        nullable=nullable,
    )


def activity_schema(as_of: datetime) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "activity_id": _col(pl.String(), nullable=False),
            "file_id": _col(pl.String(), nullable=False),
            "athlete": _col(pl.String(), pa.Check.str_length(1, 200), nullable=False),
            "source_format": _col(pl.String(), nullable=False),
            "session_index": _col(pl.Int32(), pa.Check.ge(0), nullable=False),
            "start_time_utc": _time_col(as_of, nullable=False),
            "utc_offset_s": _col(pl.Int32(), pa.Check.in_range(-MAX_OFFSET_S, MAX_OFFSET_S), nullable=False),
            "elapsed_s": _col(pl.Float64(), pa.Check.in_range(0, MAX_ACTIVITY_S)),
            "moving_s": _col(pl.Float64(), pa.Check.in_range(0, MAX_ACTIVITY_S)),
            "distance_m": _col(pl.Float64(), pa.Check.in_range(0, MAX_DISTANCE_M)),
            "calories_kcal": _col(pl.Float64(), pa.Check.in_range(0, 50_000)),
            "avg_hr": _col(pl.Float64(), pa.Check.in_range(MIN_HR, MAX_HR)),
            "max_hr": _col(pl.Float64(), pa.Check.in_range(MIN_HR, MAX_HR)),
            "rpe": _col(pl.Float64(), pa.Check.in_range(0, 10)),
            "category": _col(pl.String(), pa.Check.isin(["resistance", "other"]), nullable=False),
            "subcategory": _col(
                pl.String(),
                pa.Check.isin(["strength", "endurance", "flexibility", "balance", "mixed", "sport", "other"]),
                nullable=False,
            ),
            "classification_confidence": _col(pl.Float64(), pa.Check.in_range(0, 1), nullable=False),
        },
        strict=False,
        name="activities",
    )


def set_schema(as_of: datetime) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "activity_id": _col(pl.String(), nullable=False),
            "set_index": _col(pl.Int32(), pa.Check.ge(0), nullable=False),
            "start_time_utc": _time_col(as_of, nullable=True),
            "duration_s": _col(pl.Float64(), pa.Check.in_range(0, MAX_SET_S)),
            "set_type": _col(
                pl.String(), pa.Check.isin(["working", "warmup", "drop", "failure", "rest"]), nullable=False
            ),
            "reps": _col(pl.Int32(), pa.Check.in_range(0, MAX_REPS)),
            "weight_kg": _col(pl.Float64(), pa.Check.in_range(0, MAX_WEIGHT_KG)),
            "distance_m": _col(pl.Float64(), pa.Check.in_range(0, MAX_DISTANCE_M)),
            "rpe": _col(pl.Float64(), pa.Check.in_range(0, 10)),
        },
        strict=False,
        name="strength_sets",
    )


def sample_schema(as_of: datetime) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "activity_id": _col(pl.String(), nullable=False),
            "timestamp_utc": _time_col(as_of, nullable=False),
            "heart_rate": _col(pl.Int32(), pa.Check.in_range(MIN_HR, MAX_HR)),
            "speed_mps": _col(pl.Float64(), pa.Check.in_range(0, MAX_SPEED_MPS)),
            "cadence": _col(pl.Float64(), pa.Check.in_range(0, 300)),
            "power_w": _col(pl.Float64(), pa.Check.in_range(0, 3000)),
            "distance_m": _col(pl.Float64(), pa.Check.in_range(0, MAX_DISTANCE_M)),
            "altitude_m": _col(pl.Float64(), pa.Check.in_range(-1000, 10_000)),
            "lat": _col(pl.Float64(), pa.Check.in_range(-90, 90)),
            "lon": _col(pl.Float64(), pa.Check.in_range(-180, 180)),
        },
        strict=False,
        name="samples",
    )


def lap_schema(as_of: datetime) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "activity_id": _col(pl.String(), nullable=False),
            "lap_index": _col(pl.Int32(), pa.Check.ge(0), nullable=False),
            "start_time_utc": _time_col(as_of, nullable=True),
            "elapsed_s": _col(pl.Float64(), pa.Check.in_range(0, MAX_ACTIVITY_S)),
            "distance_m": _col(pl.Float64(), pa.Check.in_range(0, MAX_DISTANCE_M)),
            "avg_hr": _col(pl.Float64(), pa.Check.in_range(MIN_HR, MAX_HR)),
            "max_hr": _col(pl.Float64(), pa.Check.in_range(MIN_HR, MAX_HR)),
        },
        strict=False,
        name="laps",
    )
