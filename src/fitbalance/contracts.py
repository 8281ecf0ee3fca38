"""One contract per table: every column of every table fitbalance writes, written out once.

A :class:`Table` lists its :class:`Column` s (name, SQL type, nullability, the range or values it may hold, what it
means). Everything else is derived from it:

- the polars schemas the stages hand on (:data:`fitbalance.models.ACTIVITY_SCHEMA`, ...): :meth:`Table.schema`;
- the Pandera schemas that validate rows before they are loaded (:mod:`fitbalance.schemas`): range, values and
  nullability of each column of the tables loaded from files;
- the DDL (:func:`fitbalance.store.schema.apply_schema` runs :func:`ddl`);
- the documentation page ``docs/tables.md`` (:func:`tables_page`; a test keeps the file equal to it).

The names that both the Python and the SQL views need (categories, subcategories, set types, lifting apps, ACWR
bands) are here too; :func:`vocabulary_macros` renders them into SQL macros that the views call.

Units are SI and times are UTC: ``*_utc`` columns are naive ``TIMESTAMP`` values in UTC, ``utc_offset_s`` is the
local offset in seconds (local = utc + offset).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
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
    """Kinds of set. FIT ``active`` sets are ``working``; rest-timer rows are ``rest``; a lifting app's row that
    holds a rating of the session rather than a lift (an exercise named ``Intensity`` with 7 in its reps: see
    :func:`fitbalance.exercises.is_session_rating`) is ``rating``, and its number is the activity's ``rpe``."""

    WORKING = "working"
    WARMUP = "warmup"
    DROP = "drop"
    FAILURE = "failure"
    REST = "rest"
    RATING = "rating"


COUNTED_SET_TYPES = (SetType.WORKING.value, SetType.DROP.value, SetType.FAILURE.value)
"""Sets that count as work (warm-ups and rest rows do not)."""
EXERCISE_MATCH_KINDS = (
    "correction",
    "setting",
    "fit_exercise",
    "exact",
    "alias",
    "word_order",
    "equipment",
    "modifiers",
    "position",
    "fit_category",
)
"""How a set found its canonical exercise (``strength_sets.exercise_match``; fitbalance.exercises.RESOLVED_KINDS)."""
NOT_EXERCISE_SET_TYPES = (SetType.REST.value, SetType.RATING.value)
"""Rows of ``strength_sets`` that are no set of an exercise (a rest timer, a session rating): never unmapped."""

LIFTING_APPS = ("csv:hevy", "csv:strong", "csv:fitnotes")
"""Source formats of lifting apps: their workouts count only when nothing else recorded the session, but their named
sets and weights win over a watch's (see :mod:`fitbalance.dedupe` and the ``set_sources`` view)."""

DATE_ONLY_FORMATS = ("csv:fitnotes",)
"""Source formats with dates but no clock times (a FitNotes day starts at a conventional local noon): such a workout
is the same session as an activity of its kind on the same local date."""


class OffsetSource(StrEnum):
    """Where an activity's UTC offset came from (``activities.utc_offset_source``).

    ``fit``: the FIT file's activity message (local_timestamp minus timestamp); ``row``: an explicit zone or offset in
    the CSV row. The others are *placed*: the source gave a local wall time without a zone (or an instant without
    an offset), and :mod:`fitbalance.offsets` chose the offset: ``learned`` from the athlete's own FIT files,
    ``settings`` from the configured ``time_zone``, ``assumed_utc`` when nothing else was known.
    """

    FIT = "fit"
    ROW = "row"
    LEARNED = "learned"
    SETTINGS = "settings"
    ASSUMED_UTC = "assumed_utc"


PLACED_SOURCES = (OffsetSource.LEARNED.value, OffsetSource.SETTINGS.value, OffsetSource.ASSUMED_UTC.value)
"""Offsets that were chosen, not read: such activities are placed again whenever what they were placed by changes."""

INSTANT_FORMATS = ("fit", "csv:strava", "csv:samsung_health", "csv:mifit", "csv:mi_fitness", "tcx", "gpx")
"""Source formats whose times are instants (UTC): placing one of their activities sets only its offset (and so its
local time). Every other format's zone-less times are local wall times: placing such an activity keeps its
``start_time_local`` and moves its UTC times (and its sets', samples' and laps')."""

DEVICE_ZONE_FORMATS = ("xml:apple_health", "tcx", "gpx")
"""Source formats whose own offset (``row``) is the one the recording device was in, like a FIT file's: such
activities place times without a zone as FIT activities do (an Apple Watch owner without a FIT file has Apple
Health's offsets)."""

TABLE_NAMES = ("activities", "strength_sets", "samples", "laps")
"""The tables loaded from files, in the order a file's rows reach them."""


@dataclass(frozen=True)
class Band:
    name: str
    label: str
    lo: float
    hi: float


ACWR_BANDS: tuple[Band, ...] = (
    Band("low", "Low (< 0.8)", 0.0, 0.8),
    Band("sweet_spot", "Sweet spot (0.8-1.3)", 0.8, 1.3),
    Band("caution", "Caution (1.3-1.5)", 1.3, 1.5),
    Band("high_risk", "High risk (> 1.5)", 1.5, 2.5),
)
"""Acute:chronic workload ratio bands (Gabbett 2016): low below 0.8, the sweet spot from 0.8 to 1.3 inclusive,
caution up to 1.5 inclusive, high risk above (``hi`` of the last band is only where a chart stops shading)."""

# ---- plausibility limits of a human training history (the Pandera checks) --------------------------------------
EARLIEST = datetime(1990, 1, 1)  # timestamps lie between this and as_of plus one day
MAX_ACTIVITY_S = 7 * 24 * 3600.0  # a week-long expedition is the longest "activity" we accept
MAX_SET_S = 4 * 3600.0
MIN_HR, MAX_HR = 20, 250
MAX_WEIGHT_KG = 1000.0  # heavier than any lift ever recorded
MAX_REPS = 1000
MAX_SPEED_MPS = 100.0  # 360 km/h: above any human-powered or skiing speed
MAX_DISTANCE_M = 2_000_000.0
MAX_OFFSET_S = 14 * 3600

SQL_TYPES: dict[str, pl.DataType] = {
    "VARCHAR": pl.String(),
    "INTEGER": pl.Int32(),
    "BIGINT": pl.Int64(),
    "DOUBLE": pl.Float64(),
    "TIMESTAMP": pl.Datetime("us"),
    "BOOLEAN": pl.Boolean(),
    "VARCHAR[]": pl.List(pl.String()),
}


@dataclass(frozen=True)
class Column:
    """One column: its SQL type, whether it may be null, what it may hold, and what it means.

    ``lo``/``hi`` bound a number (either may be None); ``in_history`` bounds a timestamp to
    [:data:`EARLIEST`, ``as_of`` + 1 day]; ``values`` lists the values a text may take; ``max_length`` caps a text.
    ``default`` is an SQL literal; ``added_later`` says a database made before the column existed gets it by
    ``ALTER TABLE`` (nullable, with the default); ``null_later`` says the column was ``NOT NULL`` once, and a
    database made then loses the constraint (:func:`relaxed_columns`).
    """

    name: str
    sql: str
    meaning: str
    nullable: bool = True
    lo: float | None = None
    hi: float | None = None
    in_history: bool = False
    values: tuple[str, ...] = ()
    max_length: int | None = None
    default: str | None = None
    added_later: bool = False
    null_later: bool = False

    @property
    def dtype(self) -> pl.DataType:
        return SQL_TYPES[self.sql]

    @property
    def rule(self) -> str:
        """The column's checks in words, for the documentation."""
        parts = []
        if self.lo is not None and self.hi is not None:
            parts.append(f"{_num(self.lo)} to {_num(self.hi)}")
        elif self.lo is not None:
            parts.append(f">= {_num(self.lo)}")
        if self.in_history:
            parts.append(f"{EARLIEST:%Y-%m-%d} to the run's day + 1")
        if self.values:
            parts.append(" \\| ".join(f"`{v}`" for v in self.values))
        if self.max_length is not None:
            parts.append(f"1 to {self.max_length} characters")
        return "; ".join(parts)


def _num(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:g}"


@dataclass(frozen=True)
class Table:
    """A table: its columns in order, its primary key, and what one row is (``notes``: more for the docs page)."""

    name: str
    row: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    validated: bool = False  # rows are checked against the Pandera schema before they are loaded
    notes: str = ""

    @property
    def schema(self) -> dict[str, pl.DataType]:
        """The polars schema of the table's rows."""
        return {c.name: c.dtype for c in self.columns}

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def subset(self, *names: str) -> dict[str, pl.DataType]:
        """The polars schema of these columns, in this order."""
        return {name: self.column(name).dtype for name in names}

    def ddl(self) -> str:
        lines = [
            f"    {c.name} {c.sql}"
            + ("" if c.nullable else " NOT NULL")
            + (f" DEFAULT {c.default}" if c.default is not None else "")
            for c in self.columns
        ]
        if self.primary_key:
            lines.append(f"    PRIMARY KEY ({', '.join(self.primary_key)})")
        statements = [f"CREATE TABLE IF NOT EXISTS {self.name} (\n" + ",\n".join(lines) + "\n);"]
        statements += [
            f"ALTER TABLE {self.name} ADD COLUMN IF NOT EXISTS {c.name} {c.sql}"
            + (f" DEFAULT {c.default}" if c.default is not None else "")
            + ";"
            for c in self.columns
            if c.added_later
        ]
        return "\n".join(statements)


def _values(enum: type[StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in enum)


def _c(name: str, sql: str, meaning: str, **rules: object) -> Column:
    return Column(name, sql, meaning, **rules)  # type: ignore[arg-type]


ATHLETE = _c(
    "athlete",
    "VARCHAR",
    "The athlete the row belongs to (a name from the settings file).",
    nullable=False,
    max_length=200,
)
ACTIVITY_ID = _c("activity_id", "VARCHAR", "The activity (`activities.activity_id`).", nullable=False)
SOURCE_LINE = _c(
    "source_line",
    "INTEGER",
    "The line of the CSV export the row was read from (a workout: its first set's line); null for FIT files.",
    lo=1,
    added_later=True,
)

SOURCE_FILES = Table(
    "source_files",
    "one row per distinct file content seen",
    (
        _c(
            "file_id",
            "VARCHAR",
            "SHA-256 of the file's bytes (as stored: a `.fit.gz` is hashed compressed). The incremental key.",
            nullable=False,
        ),
        _c(
            "path",
            "VARCHAR",
            "Where it was found; archive members as `export.zip!/inner.zip!/file.fit`.",
            nullable=False,
        ),
        _c(
            "format",
            "VARCHAR",
            "`fit`, `csv:<dialect>` (`csv:garmin`, `csv:strava`, `csv:hevy`, `csv:strong`, `csv:fitnotes`, "
            "`csv:apple_health`, `csv:polar`, `csv:samsung_health`, `csv:whoop`, `csv:mifit`, `csv:mi_fitness`, "
            "`csv:fitbit`), "
            "`json:<export>` (`json:garmin`, `json:polar`, `json:fitbit`; `json` for JSON of no known export), "
            "`xml:apple_health` (Apple Health's export.xml), `tcx`, `gpx` or `unknown`.",
            nullable=False,
        ),
        _c("size_bytes", "BIGINT", "Size on disk (of the member, for archive members)."),
        _c(
            "status",
            "VARCHAR",
            "`skipped`: not an activity file (FIT settings, workout, monitoring, ...).",
            nullable=False,
            values=_values(FileStatus),
        ),
        _c(
            "detail",
            "VARCHAR",
            "For skipped files the FIT file type; for quarantined files the first reason; for loaded files the "
            "counts (activities, rows quarantined, activities already in an earlier file, decoder warnings).",
        ),
        _c("athlete", "VARCHAR", "The athlete the file was ingested for.", nullable=False),
        _c(
            "first_ingested_at",
            "TIMESTAMP",
            "When the file was first recorded (the start of that run).",
            nullable=False,
        ),
        _c("last_seen_at", "TIMESTAMP", "When a run last wrote this row (the start of that run).", nullable=False),
        _c("run_id", "VARCHAR", "The `ingest_runs` row that last wrote this row."),
        _c(
            "reader_version",
            "VARCHAR",
            "The fitbalance release that read the file last (`fitbalance reprocess --since-version X` reads again "
            "the files an older release read; null: read before releases were recorded).",
            added_later=True,
        ),
        _c(
            "read_settings",
            "VARCHAR",
            "The settings that mattered to reading it, as JSON: the unit settings of a CSV export that does not say "
            'its units (`{"distance_unit": "km"}`), `{}` for a file no setting changes. When they change, the next '
            "ingest reads the file again from `path` and it replaces its own rows.",
            added_later=True,
        ),
        _c(
            "attempts",
            "INTEGER",
            "Reads of this content that failed for a reason that was not the file's (an internal error, the decode "
            "time cap, an I/O error); 0 otherwise. Such a file is read again on the next runs until it has failed "
            "3 times.",
            lo=0,
            default="0",
            added_later=True,
        ),
        _c(
            "reread_problem",
            "VARCHAR",
            "Why the file should have been read again (its settings changed, `fitbalance reprocess`, a retry) and "
            "why it could not be (gone from `path`, or `path` holds other content now); its rows stay as they were. "
            "Null once it is read again. `fitbalance status` lists these files.",
            added_later=True,
        ),
    ),
    primary_key=("file_id",),
)

DUPLICATE_OF_MEANING = (
    "When this is the same session as another activity (a watch FIT file and the app CSV of one workout, "
    "a Garmin run also in the Strava export), the id of the row that counts; views read only rows where "
    "it is null. Same athlete, intervals sharing at least half of the shorter one (starts within 5 min "
    "when a duration is missing; the same local date for a FitNotes day, which has no clock time), both "
    "resistance or both other with compatible sports. The row that counts: a FIT file's, else the export "
    "row with samples, else the richer one, a lifting app's (Hevy, Strong, FitNotes) last; ties go to the"
    " earliest loaded (the run's start), then the smaller id. Recomputed in every load transaction; see "
    "`src/fitbalance/dedupe.py`. The duplicates keep their file, sets and samples."
)

ACTIVITIES = Table(
    "activities",
    "one row per session (a multisport file gives one per sport)",
    (
        _c(
            "activity_id",
            "VARCHAR",
            "Stable id: SHA-256 over athlete, source format, start time, sport (and the source's own id). The same "
            "session from another file, or from an export that repeats its history, is not loaded twice: the copy "
            "that counts is the first, in the order the run found the files, whose row passed validation.",
            nullable=False,
        ),
        _c("file_id", "VARCHAR", "The file it came from.", nullable=False),
        ATHLETE,
        _c("source_format", "VARCHAR", "The format of that file (as `source_files.format`).", nullable=False),
        _c("session_index", "INTEGER", "Which session of the file (0-based).", nullable=False, lo=0),
        SOURCE_LINE,
        _c("sport", "VARCHAR", "FIT vocabulary: `training`, `running`, `cycling`, ..."),
        _c("sub_sport", "VARCHAR", "FIT vocabulary: `strength_training`, `trail`, ..."),
        _c("name", "VARCHAR", "The activity or sport profile name."),
        _c("start_time_utc", "TIMESTAMP", "Start, UTC.", nullable=False, in_history=True),
        _c(
            "utc_offset_s",
            "INTEGER",
            "The local offset in seconds; `utc_offset_source` says where it came from.",
            nullable=False,
            lo=-MAX_OFFSET_S,
            hi=MAX_OFFSET_S,
        ),
        _c(
            "utc_offset_source",
            "VARCHAR",
            "`fit`: the FIT activity message (local_timestamp minus timestamp); `row`: a zone or offset in the CSV "
            "row. Placed (a CSV time without a zone, a FIT file or Strava time without an offset): `learned` from "
            "the athlete's FIT files (the nearest FIT activity within 3 days, else their most common offset), "
            "`settings` (the athlete's `time_zone`), `assumed_utc` (nothing known). Placed activities are placed "
            "again after every load and by a run whose settings changed, so a FIT file loaded later, or a new "
            "`time_zone`, moves them. "
            "Null for rows loaded before the column existed.",
            values=_values(OffsetSource),
            added_later=True,
        ),
        _c(
            "start_time_local",
            "TIMESTAMP",
            "Local start = UTC + offset. For a CSV time without a zone this is the time as the export wrote it, and "
            "it never moves: placing the activity moves `start_time_utc`.",
            nullable=False,
        ),
        _c(
            "elapsed_s",
            "DOUBLE",
            "Total elapsed time, seconds (start to end, pauses included).",
            lo=0,
            hi=MAX_ACTIVITY_S,
        ),
        _c(
            "moving_s",
            "DOUBLE",
            "Moving time, seconds: stops left out (a FIT file's timer time; an export's moving time).",
            lo=0,
            hi=MAX_ACTIVITY_S,
        ),
        _c(
            "timer_s",
            "DOUBLE",
            "Timer time, seconds: the time the watch was recording, pauses left out, as the athlete's app shows it "
            "(FIT `total_timer_time`; Connect's `Time`/`Tid`/`Zeit`; Apple's workout duration; Wahoo's running "
            "time). The views count it (moving time for endurance where lower; elapsed time only where no timer "
            "time is given). Null for rows loaded before the column existed.",
            lo=0,
            hi=MAX_ACTIVITY_S,
            added_later=True,
        ),
        _c("distance_m", "DOUBLE", "Session distance, metres.", lo=0, hi=MAX_DISTANCE_M),
        _c("calories_kcal", "DOUBLE", "Session calories.", lo=0, hi=50_000),
        _c("avg_hr", "DOUBLE", "Average heart rate, beats per minute.", lo=MIN_HR, hi=MAX_HR),
        _c("max_hr", "DOUBLE", "Maximum heart rate, beats per minute.", lo=MIN_HR, hi=MAX_HR),
        _c(
            "avg_mets",
            "DOUBLE",
            "Average metabolic equivalent of the workout (kcal per hour and kg of body weight) where the source "
            "gives one (Apple Health's `HKAverageMETs`). Null for rows loaded before the column existed.",
            lo=0,
            hi=30,
            added_later=True,
        ),
        _c("device", "VARCHAR", "Manufacturer and product, e.g. `garmin fr965`."),
        _c("rpe", "DOUBLE", "Session RPE where the source has one.", lo=0, hi=10),
        _c("source_ref", "VARCHAR", "The source's own id (Strava or Garmin activity id) where it has one."),
        _c("category", "VARCHAR", "Resistance training or other exercise.", nullable=False, values=_values(Category)),
        _c(
            "subcategory",
            "VARCHAR",
            "`strength` for resistance; for other exercise what kind.",
            nullable=False,
            values=_values(Subcategory),
        ),
        _c(
            "classification_reason",
            "VARCHAR",
            "The rule that decided: `correction` (`fitbalance classify`), `override:<what it matches>` (a "
            "settings override, e.g. `override:name=spin`), `sets`, `sport:<sport>/<sub_sport>`, `name:<pattern>`, "
            "`signal:distance`, `fallback`. Every ingest classifies the loaded activities again with the current "
            "overrides and corrections.",
            nullable=False,
        ),
        _c("classification_confidence", "DOUBLE", "How sure that rule is.", nullable=False, lo=0, hi=1),
        _c(
            "duplicate_of",
            "VARCHAR",
            DUPLICATE_OF_MEANING,
        ),
    ),
    primary_key=("activity_id",),
    validated=True,
)

STRENGTH_SETS = Table(
    "strength_sets",
    "one row per set, rest sets included",
    (
        ACTIVITY_ID,
        _c("set_index", "INTEGER", "The set's place in the activity, ordered by start time.", nullable=False, lo=0),
        SOURCE_LINE,
        _c("start_time_utc", "TIMESTAMP", "Start of the set (FIT `start_time`, not `timestamp`).", in_history=True),
        _c("duration_s", "DOUBLE", "Length of the set, seconds.", lo=0, hi=MAX_SET_S),
        _c(
            "set_type",
            "VARCHAR",
            "FIT active sets are `working`; rest-timer rows are `rest`; a lifting app's row that rates the session "
            "instead of a lift (an exercise named `Intensity`, `Session RPE`, `Effort`, ... with a number from 0 to 10 "
            "and no load, distance or time) is `rating`: its number is the activity's `rpe`, and it is never a set.",
            nullable=False,
            values=_values(SetType),
        ),
        _c(
            "exercise_category",
            "VARCHAR",
            "FIT exercise category: the watch's top guess (e.g. `bench_press`), else the catalogue's category of "
            "`exercise`.",
        ),
        _c("exercise_guesses", "VARCHAR[]", "The watch's ranked guesses, raw (empty for rest sets)."),
        _c("exercise_name", "VARCHAR", "The name as the source wrote it (app exercise title, FIT exercise name)."),
        _c(
            "exercise",
            "VARCHAR",
            "Canonical catalogue name (the settings' `exercise_names` mapping first); null when unmapped "
            "(`fitbalance unmapped` lists them). A mapping added later reaches the loaded sets on the next run.",
        ),
        _c(
            "exercise_match",
            "VARCHAR",
            "How `exercise` was found: `correction` (`fitbalance correct-set`), `setting` (the athlete's "
            "`exercise_names`), `fit_exercise` (the watch's FIT exercise, category and name), from the written name "
            "`exact` (the canonical name; case, punctuation, plurals and equipment abbreviations aside), `alias` (a "
            "name the catalogue lists for it), `word_order` (those words in another order), `equipment` (with the "
            "exercise's own equipment word added), `modifiers` (without weighted, paused, a tempo note), `position` "
            "(without seated, incline, a handle), or `fit_category` (the default of the watch's FIT category). "
            "Nothing is matched by likeness alone. Null when `exercise` is null, and for rows loaded before the "
            "column existed until the next ingest.",
            values=EXERCISE_MATCH_KINDS,
            added_later=True,
        ),
        _c("reps", "INTEGER", "Repetitions.", lo=0, hi=MAX_REPS),
        _c("weight_kg", "DOUBLE", "Load; 0 means bodyweight.", lo=0, hi=MAX_WEIGHT_KG),
        _c(
            "distance_m",
            "DOUBLE",
            "Where the source has it (cardio rows in lifting apps carry distance, not reps).",
            lo=0,
            hi=MAX_DISTANCE_M,
        ),
        _c("rpe", "DOUBLE", "Where the source has it.", lo=0, hi=10),
        _c("notes", "VARCHAR", "Where the source has them."),
    ),
    primary_key=("activity_id", "set_index"),
    validated=True,
)

SAMPLES = Table(
    "samples",
    "the time series (1 Hz for most watches)",
    (
        ACTIVITY_ID,
        _c("timestamp_utc", "TIMESTAMP", "When, UTC.", nullable=False, in_history=True),
        SOURCE_LINE,
        _c(
            "heart_rate",
            "INTEGER",
            "Beats per minute; a 0 reading (no strap) or one outside the range is stored as null (a `repairs` row).",
            lo=MIN_HR,
            hi=MAX_HR,
        ),
        _c("speed_mps", "DOUBLE", "Metres per second.", lo=0, hi=MAX_SPEED_MPS),
        _c("cadence", "DOUBLE", "Steps or revolutions per minute.", lo=0, hi=300),
        _c("power_w", "DOUBLE", "Watts.", lo=0, hi=3000),
        _c("distance_m", "DOUBLE", "Distance so far, metres.", lo=0, hi=MAX_DISTANCE_M),
        _c("altitude_m", "DOUBLE", "Metres above sea level.", lo=-1000, hi=10_000),
        _c("lat", "DOUBLE", "Degrees.", lo=-90, hi=90),
        _c("lon", "DOUBLE", "Degrees.", lo=-180, hi=180),
    ),
    validated=True,
)

LAPS = Table(
    "laps",
    "one row per lap",
    (
        ACTIVITY_ID,
        _c("lap_index", "INTEGER", "The lap's place in the activity (0-based).", nullable=False, lo=0),
        SOURCE_LINE,
        _c("start_time_utc", "TIMESTAMP", "Start of the lap, UTC.", in_history=True),
        _c("elapsed_s", "DOUBLE", "Elapsed time, seconds.", lo=0, hi=MAX_ACTIVITY_S),
        _c("distance_m", "DOUBLE", "Metres.", lo=0, hi=MAX_DISTANCE_M),
        _c("avg_hr", "DOUBLE", "Average heart rate, beats per minute.", lo=MIN_HR, hi=MAX_HR),
        _c("max_hr", "DOUBLE", "Maximum heart rate, beats per minute.", lo=MIN_HR, hi=MAX_HR),
    ),
    validated=True,
)

QUARANTINE = Table(
    "quarantine",
    "what was not loaded, and why",
    (
        _c("file_id", "VARCHAR", "The file (null when an archive member could not even be extracted)."),
        _c("path", "VARCHAR", "The file or archive member.", nullable=False),
        _c(
            "stage",
            "VARCHAR",
            "`discover` (archive refusals), `read`, `decode`, `decode:settings` (a CSV that needs a unit setting: "
            "read again on the next run), `decode:cut` (where a FIT file cut short ends: what precedes it loaded), "
            "`repair` (a lifting app's workout over a day that nothing bounds, and its sets, with every value read), "
            "`validate:<table>`, `internal`.",
            nullable=False,
        ),
        _c(
            "table_name",
            "VARCHAR",
            "The table the rows set aside would have gone to; null when the whole file was set aside, or the "
            "end of a FIT file cut short (what it held is unknown).",
            values=TABLE_NAMES,
            added_later=True,
        ),
        _c(
            "line", "INTEGER", "The line of the CSV export the row was read from; null for FIT files.", added_later=True
        ),
        _c(
            "rows",
            "INTEGER",
            "How many rows this entry stands for: 1 for a row, more for a summary (a failed activity's samples, "
            "records without a date); null when the whole file was set aside; 0 for the end of a FIT file cut "
            "short.",
            lo=0,
            added_later=True,
        ),
        _c(
            "reason",
            "VARCHAR",
            "What was wrong: the decoder's reason, or each rule a row broke with the value (`line N: ...` for a "
            "CSV row).",
            nullable=False,
        ),
        _c("payload", "VARCHAR", "The row's values as JSON, when a row failed validation."),
        _c("run_id", "VARCHAR", "The run that wrote it."),
        _c("created_at", "TIMESTAMP", "When (the start of that run).", nullable=False),
    ),
    notes="A row whose only fault is a field that can be repaired is not here but loaded, with a `repairs` row.",
)

REPAIRS = Table(
    "repairs",
    'fields repaired in rows that were loaded: a sensor\'s "no reading" or an impossible value, set to null',
    (
        _c("file_id", "VARCHAR", "The file the row came from.", nullable=False),
        _c("path", "VARCHAR", "The file or archive member.", nullable=False),
        ACTIVITY_ID,
        _c("table_name", "VARCHAR", "The table of the repaired rows.", nullable=False, values=TABLE_NAMES),
        _c("column_name", "VARCHAR", "The repaired column.", nullable=False),
        _c(
            "rule",
            "VARCHAR",
            "The repair rule (`src/fitbalance/repair.py`; the README lists them): `no_reading`, `impossible`, "
            "`elapsed_beyond_timer`, `implied_speed`, `workout_over_a_day` (a lifting app's workout over a day: "
            "`original` is the duration written, the one loaded its sets' span or the time to the next workout; "
            "a workout nothing bounds is set aside as a `quarantine` row instead), "
            "`unit_unknown` (a weight or distance whose file does not say "
            "its unit: `original` is the cell as written, one row per value; `weight_unit` / `distance_unit` fills it "
            "in on the next ingest; view `waiting_values`); `statistic_over_total` (a reader's own: an Apple Health "
            "workout's total and its statistic disagree; the statistic is kept).",
            nullable=False,
        ),
        _c("original", "VARCHAR", "The value as the file had it (for several rows: the smallest to the largest)."),
        _c("rows", "INTEGER", "How many rows of the activity had this field repaired by this rule.", nullable=False),
        _c("line", "INTEGER", "The line of the CSV export, for a single CSV row; else null."),
        _c("run_id", "VARCHAR", "The run that wrote it."),
        _c("created_at", "TIMESTAMP", "When (the start of that run).", nullable=False),
    ),
    notes="Every repair sets the field to null (but `statistic_over_total`, which keeps the statistic); where a "
    "sibling field stands in (an impossible elapsed time: the timer time), the views use it. Repairs of a row that "
    "is not loaded (quarantined, or a session already loaded from another file) are not recorded: the quarantine "
    "row, or the other file, has the values.",
)

INGEST_RUNS = Table(
    "ingest_runs",
    "one row per run",
    (
        _c("run_id", "VARCHAR", "The run.", nullable=False),
        _c("flow_run_id", "VARCHAR", "The Prefect flow run."),
        _c("started_at", "TIMESTAMP", "When it started.", nullable=False),
        _c("ended_at", "TIMESTAMP", "When it recorded its end."),
        _c(
            "outcome",
            "VARCHAR",
            "`interrupted`: the run was killed before it could record its end, and the next run marked it.",
            nullable=False,
            values=("running", "completed", "failed", "interrupted"),
        ),
        _c("files_seen", "INTEGER", "Files (and refused archive members) discovered."),
        _c("files_loaded", "INTEGER", "Files loaded."),
        _c("files_skipped", "INTEGER", "Files skipped (not activity files)."),
        _c("files_known", "INTEGER", "Files whose content was loaded before."),
        _c("files_quarantined", "INTEGER", "Files quarantined (and refused archive members)."),
        _c("activities_added", "INTEGER", "Activities new to the database."),
        _c("sets_added", "INTEGER", "Working sets new to the database."),
        _c("detail", "VARCHAR", "Notes, e.g. who marked the run interrupted."),
    ),
    primary_key=("run_id",),
)

RUN_ROWS = Table(
    "run_rows",
    "one row per run and table: what became of every row the run's files held",
    (
        _c("run_id", "VARCHAR", "The run.", nullable=False),
        _c("table_name", "VARCHAR", "The table.", nullable=False, values=TABLE_NAMES),
        _c(
            "rows_read",
            "BIGINT",
            "Rows the decoders read for this table from the run's files (rows they set aside included).",
            nullable=False,
        ),
        _c("rows_loaded", "BIGINT", "Rows the run inserted.", nullable=False),
        _c("rows_quarantined", "BIGINT", "Rows set aside (the sum of the run's `quarantine.rows`).", nullable=False),
        _c(
            "rows_repeated",
            "BIGINT",
            "Rows of sessions already loaded from another file (or earlier in the run), not loaded twice.",
            nullable=False,
        ),
        _c(
            "fields_repaired",
            "BIGINT",
            "Fields repaired in loaded rows (the sum of the run's `repairs.rows`).",
            nullable=False,
        ),
    ),
    primary_key=("run_id", "table_name"),
    notes="Nothing is lost: `rows_read = rows_loaded + rows_quarantined + rows_repeated` for every run and table "
    "(`fitbalance status` shows a run for which it does not hold). A file that cannot be decoded at all has no rows "
    "here: it is one `quarantine` row and a quarantined `source_files` row.",
)

RUN_FILES = Table(
    "run_files",
    "one row per path each run discovered",
    (
        _c("run_id", "VARCHAR", "The run.", nullable=False),
        _c("path", "VARCHAR", "The path as discovered (archive members as `archive.zip!/member`).", nullable=False),
        _c(
            "file_id",
            "VARCHAR",
            "SHA-256 of the content; null when discovery refused the file (it then has a `discover` quarantine row).",
        ),
        _c(
            "outcome",
            "VARCHAR",
            "`pending`: discovered, not processed (the run ended first); `known`: the content was already in "
            "`source_files`; `refused`: by discovery.",
            nullable=False,
            values=("pending", "loaded", "skipped", "quarantined", "known", "refused"),
        ),
    ),
    notes="Every row's file is in `source_files` (or, refused, in `quarantine`), unless a later run replaced that "
    "path's content; `fitbalance status` lists any row for which that does not hold. Rows are written in the same "
    "transaction as the files' own rows, so a killed run leaves `pending` rows that the next run's rows account for.",
)

ATHLETES = Table(
    "athletes",
    "the settings file's athletes, made again by a run when the settings change",
    (
        ATHLETE,
        _c(
            "time_zone",
            "VARCHAR",
            "The IANA zone of the settings file; null when not set. CSV times without a zone are placed by the "
            "athlete's FIT files first (see `activities.utc_offset_source`).",
            null_later=True,
        ),
        _c("birth_year", "INTEGER", "For the age-dependent guideline and maximum heart rate."),
        _c("max_hr", "DOUBLE", "Null: views use 208 - 0.7 x age (Tanaka), or 190 without a birth year."),
        _c("resting_hr", "DOUBLE", "Null: views use 60."),
        _c("sex", "VARCHAR", "For the TRIMP coefficient; null when not set.", values=("male", "female")),
        _c("units", "VARCHAR", "Display only; data stays SI.", nullable=False, values=("metric", "imperial")),
    ),
    primary_key=("athlete",),
)

PROGRESSION_SETTINGS = Table(
    "progression_settings",
    "the settings file's `[athletes.NAME.progression]`: one row per athlete, per equipment increment and per "
    "exercise, made again by a run when the settings change",
    (
        ATHLETE,
        _c("exercise", "VARCHAR", "The exercise the row is for (as the views name it); null: all of the athlete's."),
        _c("equipment", "VARCHAR", "The catalogue equipment an increment is for; null: any equipment."),
        _c("rep_low", "INTEGER", "Bottom of the rep range; null: not set here (inferred when set nowhere).", lo=1),
        _c("rep_high", "INTEGER", "Top of the rep range; null: not set here.", lo=1),
        _c("increment_kg", "DOUBLE", "The load a step up adds, kg; null: not set here.", lo=0),
        _c("deload_after_weeks", "INTEGER", "Trained weeks without gain before a deload; null: not set here.", lo=1),
        _c("deload_pct", "DOUBLE", "How much lighter a deload is, percent; null: not set here.", lo=0, hi=100),
        _c("load_step_kg", "DOUBLE", "The smallest change of load the athlete can make, kg (plans round to it).", lo=0),
    ),
    notes="The athlete's own row (`exercise` and `equipment` null) holds the athlete's values with the defaults "
    "filled in (2.5 kg or 5 lb increments, a 10 % deload after 5 weeks, a 0.5 kg or 1 lb load step); its rep range "
    "is null unless set. The view `exercise_next_session` reads an exercise's row first, then its equipment's, then "
    "the athlete's; an athlete with no row gets the defaults.",
)

EXERCISES = Table(
    "exercises",
    "the exercise catalogue, made again by a run when the release or the settings' `exercise_names` change",
    (
        _c("exercise", "VARCHAR", "Canonical name, e.g. `Bench Press`.", nullable=False),
        _c("fit_category", "VARCHAR", "FIT exercise category, e.g. `bench_press`."),
        _c("primary_muscles", "VARCHAR[]", "Muscle groups the exercise trains first."),
        _c("secondary_muscles", "VARCHAR[]", "Muscle groups it trains too."),
        _c("equipment", "VARCHAR", "Barbell, dumbbell, machine, ..."),
        _c(
            "bodyweight",
            "BOOLEAN",
            "True: the load is the body (reps count, `weight_kg` is added load).",
            nullable=False,
        ),
        _c(
            "kind",
            "VARCHAR",
            "`cardio`: a treadmill run or a row logged in a lifting app (such sets have distance or duration and "
            "null reps); `mobility`: warm-up, stretching. Only `resistance` sets count as resistance volume.",
            nullable=False,
            values=("resistance", "cardio", "mobility"),
            default="'resistance'",
            added_later=True,
        ),
    ),
    primary_key=("exercise",),
    notes="The packaged catalogue plus one row (no muscles, kind `resistance`) for each exercise of your own that a "
    "settings mapping names and the catalogue does not know. The catalogue is data in the package: `exercises.csv` "
    "(about 300 exercises, with the names Hevy, Strong and FitNotes give them) and `fit_exercises.csv` (every "
    "exercise subtype of Garmin's FIT profile, mapped to one of them); names neither knows are listed by "
    "`fitbalance unmapped`.",
)

# ---- weekly targets and movement patterns (fitbalance.targets, fitbalance.patterns) --------------------------------

ATHLETE_TARGETS = Table(
    "athlete_targets",
    "one row per athlete and weekly target (one per targeted muscle group for the muscle targets), made again "
    "by a run when the settings change",
    (
        ATHLETE,
        _c(
            "target",
            "VARCHAR",
            "What is counted: WHO minutes, strength days, multicomponent days (65+), sets or days per muscle group.",
            nullable=False,
            values=("aerobic_minutes", "strength_days", "multicomponent_days", "muscle_sets", "muscle_days"),
        ),
        _c("muscle_group", "VARCHAR", "The muscle group of a `muscle_sets` or `muscle_days` target; null otherwise."),
        _c("low", "DOUBLE", "The least a week should hold.", nullable=False, lo=0),
        _c("high", "DOUBLE", "The most it should hold; null where there is no upper bound.", lo=0),
        _c("from_age", "INTEGER", "The age from which the target applies (65 for WHO's balance target); null: always."),
        _c(
            "source",
            "VARCHAR",
            "`settings` when the settings file set it, else the source of the default (`WHO 2020`, ...).",
            nullable=False,
        ),
    ),
    notes="Written from the settings file's `[athletes.NAME.targets]` (defaults for every key it does not set; see "
    "`fitbalance/targets.py`) for every athlete the settings name and every athlete an ingest names. An athlete "
    "without rows here gets the default targets (the `target_defaults` view). The `weekly_targets` view reads both.",
)

EXERCISE_PATTERNS = Table(
    "exercise_patterns",
    "one row per catalogue exercise with a movement pattern, made again by a run when the release changes",
    (
        _c("exercise", "VARCHAR", "Canonical name (`exercises.exercise`).", nullable=False),
        _c("pattern", "VARCHAR", "The movement pattern, e.g. `horizontal_push`, `hinge`.", nullable=False),
        _c("direction", "VARCHAR", "`push`, `pull`, or null for neither.", values=("push", "pull")),
        _c(
            "region",
            "VARCHAR",
            "The body region the pattern loads.",
            nullable=False,
            values=("upper", "lower", "core", "full"),
        ),
    ),
    primary_key=("exercise",),
    notes="The packaged `exercise_patterns.csv` (every resistance exercise of the catalogue); the "
    "`strength_balance_weekly` view counts push, pull, upper- and lower-body sets with it.",
)

ACTIVITY_CORRECTIONS = Table(
    "activity_corrections",
    "one row per activity whose class a user set with `fitbalance classify`",
    (
        _c("activity_id", "VARCHAR", "The activity (`activities.activity_id`).", nullable=False),
        ATHLETE,
        _c("category", "VARCHAR", "The class it is given.", nullable=False, values=_values(Category)),
        _c("subcategory", "VARCHAR", "Its subcategory.", nullable=False, values=_values(Subcategory)),
        _c("corrected_at", "TIMESTAMP", "When the command ran (UTC).", nullable=False),
    ),
    primary_key=("activity_id",),
    notes="The classifier reads this table first (`classification_reason` `correction`): a correction holds through "
    "every later ingest and `fitbalance reprocess`, whatever the settings say; `fitbalance classify ACTIVITY_ID "
    "--clear` removes it. Activity ids are stable, so a correction finds its activity again when its file is read "
    "again. It lives in the database file: a database deleted and rebuilt from the files starts without it (an "
    "`activity_id` override in the settings file lives outside).",
)

SET_CORRECTIONS = Table(
    "set_corrections",
    "one row per set whose exercise a user set with `fitbalance correct-set`",
    (
        ACTIVITY_ID,
        _c("set_index", "INTEGER", "The set (`strength_sets.set_index`).", nullable=False, lo=0),
        _c("exercise", "VARCHAR", "The canonical exercise the set is.", nullable=False),
        _c("corrected_at", "TIMESTAMP", "When the command ran (UTC).", nullable=False),
    ),
    primary_key=("activity_id", "set_index"),
    notes="Wins over the watch's guess and over the settings' `exercise_names` for that one set, through every later "
    "ingest and `fitbalance reprocess`; `fitbalance correct-set ACTIVITY_ID SET_INDEX --clear` removes it. To "
    "rename every set of a name, map it under `exercise_names` instead (a FIT exercise as `category/name`, e.g. "
    '`"triceps_extension/bench_dip" = "Dip"`).',
)

TABLES: tuple[Table, ...] = (
    SOURCE_FILES,
    ACTIVITIES,
    STRENGTH_SETS,
    SAMPLES,
    LAPS,
    QUARANTINE,
    REPAIRS,
    INGEST_RUNS,
    RUN_FILES,
    RUN_ROWS,
    ATHLETES,
    EXERCISES,
    ACTIVITY_CORRECTIONS,
    SET_CORRECTIONS,
    ATHLETE_TARGETS,
    EXERCISE_PATTERNS,
    PROGRESSION_SETTINGS,
)


def ddl() -> str:
    """``CREATE TABLE IF NOT EXISTS`` for every table (and ``ALTER TABLE`` for columns added later)."""
    return "\n\n".join(t.ddl() for t in TABLES)


def relaxed_columns() -> list[tuple[str, str]]:
    """(table, column) of the columns that were ``NOT NULL`` in older databases and may be null now."""
    return [(t.name, c.name) for t in TABLES for c in t.columns if c.null_later]


def _sql_list(values: tuple[str, ...]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def vocabulary_macros() -> str:
    """SQL macros with the names the views share with the Python code, rendered from the lists above."""
    first, *middle, last = ACWR_BANDS
    bands = "\n".join(
        [f"        WHEN ratio < {first.hi} THEN '{first.name}'"]
        + [f"        WHEN ratio <= {band.hi} THEN '{band.name}'" for band in middle]
        + [f"        ELSE '{last.name}'"]
    )
    return f"""
CREATE OR REPLACE MACRO is_lifting_app(source_format) AS source_format IN ({_sql_list(LIFTING_APPS)});
CREATE OR REPLACE MACRO is_counted_set(set_type) AS set_type IN ({_sql_list(COUNTED_SET_TYPES)});
CREATE OR REPLACE MACRO is_exercise_row(set_type) AS set_type NOT IN ({_sql_list(NOT_EXERCISE_SET_TYPES)});
CREATE OR REPLACE MACRO acwr_band(ratio) AS
    CASE
        WHEN ratio IS NULL THEN NULL
{bands}
    END;
"""


TABLES_PAGE_HEAD = """# Tables

The DuckDB tables fitbalance writes. Times are naive `TIMESTAMP` values in UTC unless the name ends in `_local`;
units are SI. The views built on them are in [views.md](views.md).

This page is generated from `src/fitbalance/contracts.py`, the one definition of every table (the DDL and the
validation rules come from it too): edit that file, then run `python -m fitbalance.contracts > docs/tables.md`.
"Checks" are what a row must satisfy to be loaded (else it goes to `quarantine` with the rule it broke); they are
enforced on the tables loaded from files.

Two tables are not listed here: `activity_hr_seconds`, derived from `samples` for the views
(`src/fitbalance/store/sql/010_derived.sql`), and `fitbalance_schema`, a digest of the tables' and the views' SQL last
applied, so that a run re-creates them only when a release changed them (or a view is missing).
"""


def tables_page() -> str:
    """The Markdown of ``docs/tables.md``."""
    parts = [TABLES_PAGE_HEAD]
    for table in TABLES:
        parts.append(f"\n## {table.name} — {table.row}\n")
        if table.primary_key:
            parts.append(f"\nPrimary key: {', '.join(table.primary_key)}.\n")
        parts.append("\n| column | type | null | checks | meaning |\n|---|---|---|---|---|\n")
        for c in table.columns:
            null = "yes" if c.nullable else "no"
            parts.append(f"| {c.name} | {c.sql} | {null} | {c.rule} | {c.meaning} |\n")
        if table.notes:
            parts.append(f"\n{table.notes}\n")
    return "".join(parts)


if __name__ == "__main__":
    print(tables_page(), end="")
