"""Small hand-made raw frames for tests of the pure stages and the loader."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import polars as pl

from fitbalance.models import RAW_ACTIVITY_SCHEMA, RAW_SAMPLE_SCHEMA, RAW_SET_SCHEMA, Decoded


def decoded(
    *,
    start: datetime = datetime(2026, 3, 2, 7, 0),
    sport: str = "training",
    sub_sport: str | None = "strength_training",
    sets: list[dict[str, Any]] | None = None,
    hr: list[int | None] | None = None,
    activity: dict[str, Any] | None = None,
    offset: int | None = 3600,
) -> Decoded:
    act = {
        "session_index": 0,
        "sport": sport,
        "sub_sport": sub_sport,
        "name": None,
        "start_time_utc": start,
        "utc_offset_s": offset,
        "elapsed_s": 3600.0,
        "moving_s": 3500.0,
        "distance_m": None,
        "calories_kcal": 300.0,
        "avg_hr": 120.0,
        "max_hr": 160.0,
        "device": "garmin fr965",
        **(activity or {}),
    }
    set_rows = [
        {
            "session_index": 0,
            "set_index": i,
            "start_time_utc": start + timedelta(minutes=3 * i),
            "duration_s": 40.0,
            "set_type": "working",
            "exercise_category": "bench_press",
            "exercise_guesses": ["bench_press"],
            "exercise_name": None,
            "reps": 8,
            "weight_kg": 60.0,
            **row,
        }
        for i, row in enumerate(sets or [])
    ]
    hr = hr if hr is not None else []
    samples = {
        "session_index": [0] * len(hr),
        "timestamp_utc": [start + timedelta(seconds=i) for i in range(len(hr))],
        "heart_rate": hr,
    }
    return Decoded(
        source_format="fit",
        activities=pl.DataFrame([act], schema=RAW_ACTIVITY_SCHEMA, strict=False),
        sets=pl.DataFrame(set_rows, schema=RAW_SET_SCHEMA, strict=False)
        if set_rows
        else pl.DataFrame(schema=RAW_SET_SCHEMA),
        samples=pl.DataFrame(samples, schema={k: RAW_SAMPLE_SCHEMA[k] for k in samples})
        .with_columns(*[pl.lit(None, dtype=t).alias(k) for k, t in RAW_SAMPLE_SCHEMA.items() if k not in samples])
        .select(list(RAW_SAMPLE_SCHEMA)),
    )
