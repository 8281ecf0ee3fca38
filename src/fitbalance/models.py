"""Enums and the column contracts shared by every stage.

Sources (FIT, CSV dialects) produce a :class:`Decoded` record of polars frames whose columns are the *raw*
contracts below; ``normalize`` turns them into the *table* frames that are validated and loaded.

Units are SI and times are UTC everywhere: ``*_utc`` columns are naive ``Datetime("us")`` values in UTC,
``utc_offset_s`` is the local offset in seconds (local = utc + offset).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import polars as pl


class Category(StrEnum):
    RESISTANCE = "resistance"
    OTHER = "other"


class Subcategory(StrEnum):
    STRENGTH = "strength"
    ENDURANCE = "endurance"
    FLEXIBILITY = "flexibility"
    BALANCE = "balance"
    MIXED = "mixed"
    SPORT = "sport"
    OTHER = "other"


class FileStatus(StrEnum):
    LOADED = "loaded"
    SKIPPED = "skipped"
    QUARANTINED = "quarantined"


class SetType(StrEnum):
    """Kinds of set. FIT ``active`` sets are ``working``; rest-timer rows are ``rest``."""

    WORKING = "working"
    WARMUP = "warmup"
    DROP = "drop"
    FAILURE = "failure"
    REST = "rest"


UTC_TS = pl.Datetime("us")

# ---- raw contracts: what a source reader returns, keyed by session_index within the file ----------------------

RAW_ACTIVITY_SCHEMA: dict[str, pl.DataType] = {
    "session_index": pl.Int32(),
    "sport": pl.String(),
    "sub_sport": pl.String(),
    "name": pl.String(),
    "start_time_utc": UTC_TS,
    "utc_offset_s": pl.Int32(),  # null when the source has no offset: normalize applies the athlete's zone
    "elapsed_s": pl.Float64(),
    "moving_s": pl.Float64(),
    "distance_m": pl.Float64(),
    "calories_kcal": pl.Float64(),
    "avg_hr": pl.Float64(),
    "max_hr": pl.Float64(),
    "device": pl.String(),
    "rpe": pl.Float64(),  # session RPE (1-10) where the source has one
    "source_ref": pl.String(),  # the source's own id for the activity (Strava id, Garmin activity id), if any
}

RAW_SET_SCHEMA: dict[str, pl.DataType] = {
    "session_index": pl.Int32(),
    "set_index": pl.Int32(),
    "start_time_utc": UTC_TS,
    "duration_s": pl.Float64(),
    "set_type": pl.String(),  # SetType value
    "exercise_category": pl.String(),  # FIT exercise category (top guess) or null
    "exercise_guesses": pl.List(pl.String()),  # the watch's ranked guesses, raw
    "exercise_name": pl.String(),  # the name as the source wrote it (app exercise title, FIT exercise name)
    "reps": pl.Int32(),
    "weight_kg": pl.Float64(),  # 0 = bodyweight
    "distance_m": pl.Float64(),
    "rpe": pl.Float64(),
    "notes": pl.String(),
}

RAW_SAMPLE_SCHEMA: dict[str, pl.DataType] = {
    "session_index": pl.Int32(),
    "timestamp_utc": UTC_TS,
    "heart_rate": pl.Int32(),
    "speed_mps": pl.Float64(),
    "cadence": pl.Float64(),
    "power_w": pl.Float64(),
    "distance_m": pl.Float64(),
    "altitude_m": pl.Float64(),
    "lat": pl.Float64(),
    "lon": pl.Float64(),
}

RAW_LAP_SCHEMA: dict[str, pl.DataType] = {
    "session_index": pl.Int32(),
    "lap_index": pl.Int32(),
    "start_time_utc": UTC_TS,
    "elapsed_s": pl.Float64(),
    "distance_m": pl.Float64(),
    "avg_hr": pl.Float64(),
    "max_hr": pl.Float64(),
}

# ---- table contracts: the DuckDB tables users query (see store/sql/000_tables.sql) --------------------------------

ACTIVITY_SCHEMA: dict[str, pl.DataType] = {
    "activity_id": pl.String(),
    "file_id": pl.String(),
    "athlete": pl.String(),
    "source_format": pl.String(),
    "session_index": pl.Int32(),
    "sport": pl.String(),
    "sub_sport": pl.String(),
    "name": pl.String(),
    "start_time_utc": UTC_TS,
    "utc_offset_s": pl.Int32(),
    "start_time_local": UTC_TS,
    "elapsed_s": pl.Float64(),
    "moving_s": pl.Float64(),
    "distance_m": pl.Float64(),
    "calories_kcal": pl.Float64(),
    "avg_hr": pl.Float64(),
    "max_hr": pl.Float64(),
    "device": pl.String(),
    "rpe": pl.Float64(),
    "source_ref": pl.String(),
    "category": pl.String(),
    "subcategory": pl.String(),
    "classification_reason": pl.String(),
    "classification_confidence": pl.Float64(),
    "duplicate_of": pl.String(),  # activity_id of the row that counts, when this one is the same session again
}

SET_SCHEMA: dict[str, pl.DataType] = {
    "activity_id": pl.String(),
    "set_index": pl.Int32(),
    "start_time_utc": UTC_TS,
    "duration_s": pl.Float64(),
    "set_type": pl.String(),
    "exercise_category": pl.String(),
    "exercise_guesses": pl.List(pl.String()),
    "exercise_name": pl.String(),
    "exercise": pl.String(),  # canonical catalogue name, or null when unmapped
    "reps": pl.Int32(),
    "weight_kg": pl.Float64(),
    "distance_m": pl.Float64(),
    "rpe": pl.Float64(),
    "notes": pl.String(),
}

SAMPLE_SCHEMA: dict[str, pl.DataType] = {
    "activity_id": pl.String(),
    **{k: v for k, v in RAW_SAMPLE_SCHEMA.items() if k != "session_index"},
}

LAP_SCHEMA: dict[str, pl.DataType] = {
    "activity_id": pl.String(),
    **{k: v for k, v in RAW_LAP_SCHEMA.items() if k != "session_index"},
}


def empty(schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """An empty frame with the given contract."""
    return pl.DataFrame(schema=schema)


def conform(frame: pl.DataFrame, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """Select and cast ``frame`` to ``schema``, adding missing columns as nulls (non-strict casts)."""
    exprs = []
    for name, dtype in schema.items():
        if name in frame.columns:
            exprs.append(pl.col(name).cast(dtype, strict=False))
        else:
            exprs.append(pl.lit(None, dtype=dtype).alias(name))
    return frame.select(exprs)


@dataclass(frozen=True)
class Rejected:
    """A part of a file a reader set aside (a CSV row it cannot read), kept as a quarantine row.

    ``reason`` names the line when there is one; ``payload`` is the part's own values (JSON), so nothing is lost.
    """

    reason: str
    line: int | None = None
    payload: str | None = None


@dataclass(frozen=True)
class Decoded:
    """What a source reader makes of one file.

    ``file_type`` is ``"activity"`` when the file holds activities; anything else (``"settings"``, ``"workout"``,
    ``"monitoring"``, ...) means the file is skipped, with ``detail`` saying why.
    """

    source_format: str
    file_type: str = "activity"
    detail: str = ""
    activities: pl.DataFrame = field(default_factory=lambda: empty(RAW_ACTIVITY_SCHEMA))
    sets: pl.DataFrame = field(default_factory=lambda: empty(RAW_SET_SCHEMA))
    samples: pl.DataFrame = field(default_factory=lambda: empty(RAW_SAMPLE_SCHEMA))
    laps: pl.DataFrame = field(default_factory=lambda: empty(RAW_LAP_SCHEMA))
    warnings: tuple[str, ...] = ()
    rejected: tuple[Rejected, ...] = ()  # parts of the file left out, with reason and values: quarantine rows

    @property
    def is_activity(self) -> bool:
        return self.file_type == "activity"
