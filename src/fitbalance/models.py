"""The column contracts and the records shared by every stage (the enums and tables are defined once in
:mod:`fitbalance.contracts`; they are named here too for the stages).

Sources (FIT, CSV dialects) produce a :class:`Decoded` record of polars frames whose columns are the *raw*
contracts below; ``normalize`` turns them into :class:`Tables` (the *table* frames) that are validated and loaded.
A batch of files travels from processing to the loader as a :class:`BatchResult`: its :class:`Tables`, its
quarantine rows and one :class:`FileOutcome` per file. These records live here, below every stage, so that no
stage imports a later one to name what it hands on.

Units are SI and times are UTC everywhere: ``*_utc`` columns are naive ``Datetime("us")`` values in UTC,
``utc_offset_s`` is the local offset in seconds (local = utc + offset).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Self

import polars as pl

from fitbalance.contracts import ACTIVITIES, LAPS, REPAIRS, SAMPLES, STRENGTH_SETS
from fitbalance.contracts import Category as Category
from fitbalance.contracts import FileStatus as FileStatus
from fitbalance.contracts import SetType as SetType
from fitbalance.contracts import Subcategory as Subcategory

UTC_TS = pl.Datetime("us")

# ---- raw contracts: what a source reader returns, keyed by session_index within the file ----------------------

RAW_ACTIVITY_SCHEMA: dict[str, pl.DataType] = {
    "session_index": pl.Int32(),
    "source_line": pl.Int32(),  # the CSV line the activity was read from (a workout: its first set's); null in FIT
    "sport": pl.String(),
    "sub_sport": pl.String(),
    "name": pl.String(),
    "start_time_utc": UTC_TS,
    "utc_offset_s": pl.Int32(),  # null when the source has no offset: normalize applies the athlete's zone
    # "fit" or "row" when the source gave the offset; null when it was not given (a CSV reader placed the time in
    # the athlete's zone, or UTC, for now: normalize names that, and the store places the activity again)
    "utc_offset_source": pl.String(),
    "elapsed_s": pl.Float64(),
    "moving_s": pl.Float64(),
    "timer_s": pl.Float64(),  # the time the device was recording, pauses left out (FIT total_timer_time)
    "distance_m": pl.Float64(),
    "calories_kcal": pl.Float64(),
    "avg_hr": pl.Float64(),
    "max_hr": pl.Float64(),
    "avg_mets": pl.Float64(),  # average metabolic equivalent (Apple Health's HKAverageMETs)
    "device": pl.String(),
    "rpe": pl.Float64(),  # session RPE (1-10) where the source has one
    "source_ref": pl.String(),  # the source's own id for the activity (Strava id, Garmin activity id), if any
}

RAW_SET_SCHEMA: dict[str, pl.DataType] = {
    "session_index": pl.Int32(),
    "set_index": pl.Int32(),
    "source_line": pl.Int32(),
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
    "source_line": pl.Int32(),
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
    "source_line": pl.Int32(),
    "start_time_utc": UTC_TS,
    "elapsed_s": pl.Float64(),
    "distance_m": pl.Float64(),
    "avg_hr": pl.Float64(),
    "max_hr": pl.Float64(),
}

# ---- table contracts: the DuckDB tables users query (defined once in fitbalance.contracts) ------------------------

ACTIVITY_SCHEMA: dict[str, pl.DataType] = ACTIVITIES.schema
SET_SCHEMA: dict[str, pl.DataType] = STRENGTH_SETS.schema
SAMPLE_SCHEMA: dict[str, pl.DataType] = SAMPLES.schema
LAP_SCHEMA: dict[str, pl.DataType] = LAPS.schema
REPAIRS_SCHEMA: dict[str, pl.DataType] = {
    name: dtype for name, dtype in REPAIRS.schema.items() if name not in ("run_id", "created_at")
}
"""A ``repairs`` row as a batch hands it on (:mod:`fitbalance.repair`); the loader adds the run and the time."""


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
    ``table`` is the table the part would have gone to and ``rows`` how many of its rows it stands for (the run's
    row accounts count them as read and quarantined). ``stage`` is the quarantine row's stage: ``decode``, or
    :data:`~fitbalance.errors.CUT_STAGE` for the end of a FIT file cut short (no table, 0 rows).
    """

    reason: str
    line: int | None = None
    payload: str | None = None
    table: str | None = None
    rows: int = 1
    stage: str = "decode"


@dataclass(frozen=True)
class Waiting:
    """A value a reader kept as written because the file does not prove its unit (a Strong weight in kg or lbs, a
    Garmin distance in km or miles): the field loads as null and :mod:`fitbalance.repair` records it (rule
    ``unit_unknown``, ``original`` the cell as written) until the athlete's unit setting fills it in.

    ``table`` and ``column`` name the field (``strength_sets.weight_kg``, ``activities.distance_m``), ``line`` the
    CSV line of its row, ``session_index`` the activity it belongs to.
    """

    session_index: int
    table: str
    column: str
    original: str
    line: int | None = None


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
    notes: tuple[str, ...] = ()  # how the file was read, when a user may want to know (not about its content)
    rejected: tuple[Rejected, ...] = ()  # parts of the file left out, with reason and values: quarantine rows
    waiting: tuple[Waiting, ...] = ()  # values loaded as null until a unit setting says what they are
    # fields the reader itself chose between two values the file gave (an Apple Health workout's total and its
    # statistic): repair records as :data:`fitbalance.repair.SESSION_REPAIR_SCHEMA` rows, kept with the repairs
    repairs: tuple[dict[str, object], ...] = ()
    # samples too many to hold at once (an Apple Health export's heart rate through years of workouts): called
    # once, after the activities are known, it yields raw sample frames of a bounded size each, which the ingest
    # repairs, normalizes, validates and hands to the loader on disk one at a time (BatchResult.sample_parts),
    # and Rejected rows for samples set aside on the way; they come in addition to ``samples`` and ``rejected``
    sample_chunks: Callable[[], Iterator[pl.DataFrame | Rejected]] | None = field(default=None, compare=False)

    @property
    def is_activity(self) -> bool:
        return self.file_type == "activity"

    def every_sample(self) -> pl.DataFrame:
        """``samples`` and every chunk of ``sample_chunks`` in one frame (for a small file or a test: a big export's
        chunks are never held at once by the ingest)."""
        if self.sample_chunks is None:
            return self.samples
        frames = [self.samples, *(f for f in self.sample_chunks() if isinstance(f, pl.DataFrame))]
        return pl.concat([conform(f, RAW_SAMPLE_SCHEMA) for f in frames])


@dataclass(frozen=True)
class Tables:
    """The table frames made from one file (or a batch of files)."""

    activities: pl.DataFrame
    sets: pl.DataFrame
    samples: pl.DataFrame
    laps: pl.DataFrame

    def without(self, activity_ids: set[str]) -> tuple[Self, int]:
        """These tables less the given activities and their rows; also how many activities were dropped."""
        if not activity_ids or self.activities.height == 0:
            return self, 0
        drop = list(activity_ids)
        kept = self.activities.filter(~pl.col("activity_id").is_in(drop))
        dropped = self.activities.height - kept.height
        if dropped == 0:
            return self, 0
        return type(self)(
            activities=kept,
            sets=self.sets.filter(~pl.col("activity_id").is_in(drop)),
            samples=self.samples.filter(~pl.col("activity_id").is_in(drop)),
            laps=self.laps.filter(~pl.col("activity_id").is_in(drop)),
        ), dropped

    @property
    def heights(self) -> dict[str, int]:
        """Rows per table, by table name."""
        return {
            "activities": self.activities.height,
            "strength_sets": self.sets.height,
            "samples": self.samples.height,
            "laps": self.laps.height,
        }

    @classmethod
    def concat(cls, parts: list[Tables]) -> Self:
        def cat(frames: list[pl.DataFrame], schema: dict[str, pl.DataType]) -> pl.DataFrame:
            frames = [f for f in frames if f.height]
            return pl.concat(frames, how="vertical") if frames else pl.DataFrame(schema=schema)

        return cls(
            activities=cat([p.activities for p in parts], ACTIVITY_SCHEMA),
            sets=cat([p.sets for p in parts], SET_SCHEMA),
            samples=cat([p.samples for p in parts], SAMPLE_SCHEMA),
            laps=cat([p.laps for p in parts], LAP_SCHEMA),
        )


@dataclass(frozen=True)
class SourceRef:
    """One file to ingest: ``path`` is what users see (``a.zip!/b.zip!/c.fit``), ``local_path`` what we read."""

    path: str
    local_path: str
    size_bytes: int


@dataclass(frozen=True)
class WorkItem:
    """A file to process, with the content hash the planner computed."""

    ref: SourceRef
    file_id: str


REPEATED_NOTE = "already in an earlier file"
"""How a file's ``detail`` says that some of its activities were loaded from another file first."""


@dataclass(frozen=True)
class FileOutcome:
    """What became of one file, as values; :attr:`detail` is the one sentence a user reads about it.

    ``reason`` says why a file was skipped (its type) or quarantined (its first reasons). For a loaded file,
    ``activities`` counts its activities that passed validation (the repeats included), ``rows_quarantined`` its
    quarantine entries, ``repaired`` its repaired fields, ``repeated`` its activities already loaded from an earlier
    file, ``warning`` the decoder's first warning, if any, and ``note`` how it was read when that is worth saying
    (a FIT file read message by message, not as columns, and why). ``retryable`` says a quarantined file failed for a
    reason that was not its own (an internal error, the time cap, an I/O error): it is read again on the next runs.
    ``read_settings`` and ``reader_version`` are what it was read with (:func:`fitbalance.sources.read_settings`).
    """

    file_id: str
    path: str
    format: str
    size_bytes: int
    status: FileStatus
    reason: str = ""
    activities: int = 0
    rows_quarantined: int = 0
    repeated: int = 0
    warning: str | None = None
    repaired: int = 0
    retryable: bool = False
    read_settings: str = "{}"
    reader_version: str = ""
    note: str | None = None

    @property
    def detail(self) -> str:
        """The ``source_files.detail`` sentence: the reason, or for a loaded file its counts."""
        if self.status is not FileStatus.LOADED:
            return self.reason
        text = f"{self.activities} activities"
        if self.rows_quarantined:
            text += f", {self.rows_quarantined} rows quarantined"
        if self.repaired:
            text += f", {self.repaired} fields repaired"
        if self.repeated:
            text += f"; {self.repeated} {REPEATED_NOTE}"
        if self.warning:
            text += f"; decoder warnings: {self.warning}"
        if self.note:
            text += f"; {self.note}"
        return text


@dataclass(frozen=True)
class BatchResult:
    """A processed batch: loadable frames, quarantine rows (``validate.QUARANTINE_SCHEMA``), repairs of the loadable
    rows (``repair.REPAIRS_SCHEMA``), one outcome per file, and per table the rows the files held (``read``) and the
    rows left out as sessions another file of the batch holds first (``repeated``)."""

    outcomes: list[FileOutcome]
    tables: Tables
    quarantine: pl.DataFrame
    repairs: pl.DataFrame = field(default_factory=lambda: empty(REPAIRS_SCHEMA))
    read: dict[str, int] = field(default_factory=dict)
    repeated: dict[str, int] = field(default_factory=dict)
    # Parquet files of more ``samples`` rows (validated, normalized, of this batch's activities), written in bounded
    # parts while a big export was processed; the loader inserts them from disk, the engine removes them
    sample_parts: tuple[str, ...] = ()

    @property
    def activity_ids(self) -> list[str]:
        return self.tables.activities["activity_id"].to_list()


@dataclass(frozen=True)
class LoadCounts:
    """What loading one batch added: new activities, working sets and samples, its quarantine rows and repairs, its
    activities left out as already loaded from an earlier file, and its files by status."""

    activities: int = 0
    sets: int = 0
    samples: int = 0
    quarantine_rows: int = 0
    repairs: int = 0
    repeated: int = 0
    loaded: int = 0
    skipped: int = 0
    quarantined: int = 0
