"""Raw frames of one file -> table frames: ids, local time, classification, canonical exercise names.

Pure: everything it needs comes in as arguments (the athlete's settings, the exercise resolver); no I/O, no clock.

- ``activity_id`` is stable across re-runs and re-exports: a hash of athlete, source format, start time and sport
  (plus the source's own id where it has one), so the same session in an updated CSV export keeps its id. The start
  time is the local wall time for an activity whose source gave a local time without a zone (its UTC time moves
  when the store places it again: its id must not), the UTC time otherwise.
- ``utc_offset_s`` comes from the source when it has one (``utc_offset_source`` ``fit`` or ``row``), else from the
  athlete's time zone at the start time (``settings``), else UTC (``assumed_utc``): for now, until the store places
  the activity by the athlete's FIT files (:mod:`fitbalance.offsets`). ``start_time_local`` = ``start_time_utc`` +
  offset.
- Every set gets ``exercise``, the canonical catalogue name the resolver finds for its name (the athlete's own
  mapping first) or FIT category, null when unmapped; ``exercise_category`` is the source's, else the catalogue's
  FIT category of that exercise.
- Values are left as they come: :mod:`fitbalance.repair` has repaired what can be, validation judges the rest.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

import polars as pl

from fitbalance import contracts
from fitbalance.classify import classify_frame
from fitbalance.config import Athlete
from fitbalance.models import (
    ACTIVITY_SCHEMA,
    LAP_SCHEMA,
    SAMPLE_SCHEMA,
    SET_SCHEMA,
    Decoded,
    Tables,
    conform,
)


class ExerciseMatch(NamedTuple):
    """What the exercise catalogue says a set's exercise is."""

    exercise: str  # canonical catalogue name (or the user's own target name from the settings file)
    fit_category: str | None  # the catalogue's FIT exercise category for it, if it has one
    how: str = "exact"  # how it was found: one of fitbalance.exercises.RESOLVED_KINDS


ExerciseResolver = Callable[[str | None, str | None], ExerciseMatch | None]
"""(exercise_name, exercise_category) -> the catalogue's match, or None when unmapped."""

COUNTED_SET_TYPES = frozenset(contracts.COUNTED_SET_TYPES)


def activity_key(athlete: str, source_format: str, start: datetime, sport: str | None, source_ref: str | None) -> str:
    """The stable activity id: 20 hex digits of a SHA-256 over what identifies a session."""
    text = f"{athlete}|{source_format}|{start.isoformat()}|{sport or ''}|{source_ref or ''}"
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def zone_offset_s(zone: str, start_utc: datetime) -> int:
    """The UTC offset in seconds of IANA ``zone`` at the naive-UTC instant ``start_utc``."""
    offset = start_utc.replace(tzinfo=UTC).astimezone(ZoneInfo(zone)).utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def provisional_source(athlete: Athlete) -> str:
    """Where the offset of a time without one comes from until the store places it: the settings, else UTC."""
    return contracts.OffsetSource.SETTINGS.value if athlete.time_zone else contracts.OffsetSource.ASSUMED_UTC.value


def _offsets(raw: pl.DataFrame, source_format: str, athlete: Athlete) -> tuple[list[int], list[str]]:
    """Each activity's offset and where it came from (see the module docstring)."""
    zone = athlete.time_zone or "UTC"
    placed = provisional_source(athlete)
    given = contracts.OffsetSource.FIT.value if source_format == "fit" else None
    offsets: list[int] = []
    sources: list[str] = []
    columns = raw.select("utc_offset_s", "utc_offset_source", "start_time_utc")
    for offset, source, start in columns.iter_rows():
        if offset is None:
            offsets.append(zone_offset_s(zone, start) if start is not None else 0)
            sources.append(placed)
        else:  # a CSV reader placed a zone-less time in the athlete's zone (or UTC) for now unless it says "row"
            offsets.append(offset)
            sources.append(source or given or placed)
    return offsets, sources


def floating_wall_time(source_format: str, utc_offset_source: str) -> bool:
    """Whether the activity's source gave a local wall time without a zone: its local time is fixed, its UTC time
    is placed (:data:`~fitbalance.contracts.INSTANT_FORMATS` give instants instead)."""
    return utc_offset_source in contracts.PLACED_SOURCES and source_format not in contracts.INSTANT_FORMATS


def _no_resolver(name: str | None, category: str | None) -> ExerciseMatch | None:
    return None


def _with_exercises(sets: pl.DataFrame, resolve_exercise: ExerciseResolver) -> pl.DataFrame:
    """Sets with ``exercise`` (canonical, or null) and how it was found (``exercise_match``), ``exercise_category``
    kept, else the catalogue's. A session rating (set type ``rating``) is no set of an exercise: it gets none."""
    pairs = sets.select("exercise_name", "exercise_category").unique()
    matches = [resolve_exercise(name, category) for name, category in pairs.iter_rows()]
    resolved = pairs.with_columns(
        pl.Series("exercise", [m.exercise if m else None for m in matches], dtype=pl.String()),
        pl.Series("exercise_match", [m.how if m else None for m in matches], dtype=pl.String()),
        pl.Series("_catalog_category", [m.fit_category if m else None for m in matches], dtype=pl.String()),
    )
    return (
        sets.drop("exercise", "exercise_match", strict=False)
        .join(resolved, on=["exercise_name", "exercise_category"], how="left", nulls_equal=True, maintain_order="left")
        .with_columns(
            pl.coalesce("exercise_category", "_catalog_category").alias("exercise_category"),
            *(
                pl.when(pl.col("set_type") == contracts.SetType.RATING.value).then(None).otherwise(pl.col(c)).alias(c)
                for c in ("exercise", "exercise_match")
            ),
        )
        .drop("_catalog_category")
    )


def normalize(
    decoded: Decoded,
    *,
    file_id: str,
    athlete: Athlete,
    resolve_exercise: ExerciseResolver = _no_resolver,
) -> Tables:
    """Turn one file's raw frames into table frames (ids, offsets, classification, canonical exercises)."""
    raw = decoded.activities
    if raw.height == 0:
        return Tables.concat([])

    fmt = decoded.source_format
    starts: list[datetime] = raw["start_time_utc"].to_list()
    offsets, sources = _offsets(raw, fmt, athlete)
    ids: list[str] = []
    seen: dict[str, int] = {}
    for start, offset, source, sport, ref in zip(
        starts, offsets, sources, raw["sport"].to_list(), raw["source_ref"].to_list(), strict=True
    ):
        keyed = start + timedelta(seconds=offset) if floating_wall_time(fmt, source) else start
        key = activity_key(athlete.name, fmt, keyed, sport, ref)
        if key in seen:  # the same session twice in one file: keep both, distinguishable
            seen[key] += 1
            key = activity_key(athlete.name, fmt, keyed, sport, f"{ref or ''}#{seen[key]}")
        else:
            seen[key] = 0
        ids.append(key)
    id_map = pl.DataFrame(
        {"session_index": raw["session_index"], "activity_id": ids},
        schema={"session_index": pl.Int32(), "activity_id": pl.String()},
    )

    sets = decoded.sets.join(id_map, on="session_index", how="inner")
    counted = (
        sets.filter(
            pl.col("set_type").is_in(list(COUNTED_SET_TYPES))
            & ((pl.col("reps").fill_null(0) > 0) | (pl.col("weight_kg").fill_null(0) > 0))
        )
        .group_by("activity_id")
        .len(name="working_sets")
    )

    activities = (
        raw.with_columns(
            pl.Series("activity_id", ids, dtype=pl.String()),
            pl.Series("utc_offset_s", offsets, dtype=pl.Int32()),
            pl.Series("utc_offset_source", sources, dtype=pl.String()),
            pl.lit(file_id).alias("file_id"),
            pl.lit(athlete.name).alias("athlete"),
            pl.lit(decoded.source_format).alias("source_format"),
        )
        .with_columns(
            (pl.col("start_time_utc") + pl.duration(seconds=pl.col("utc_offset_s"))).alias("start_time_local"),
        )
        .join(counted, on="activity_id", how="left")
    )

    activities = pl.concat([activities, classify_frame(activities, athlete.overrides)], how="horizontal")

    if sets.height:
        sets = _with_exercises(sets, resolve_exercise)

    samples = decoded.samples.join(id_map, on="session_index", how="inner")
    laps = decoded.laps.join(id_map, on="session_index", how="inner")
    return Tables(
        activities=conform(activities, ACTIVITY_SCHEMA),
        sets=conform(sets, SET_SCHEMA),
        samples=conform(samples, SAMPLE_SCHEMA),
        laps=conform(laps, LAP_SCHEMA),
    )
