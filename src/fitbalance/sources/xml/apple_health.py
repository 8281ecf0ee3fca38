"""Apple Health's own export: ``export.xml`` (bare, or in the ``export.zip`` the Health app writes, as
``apple_health_export/export.xml``), read as a stream.

What is read, in every layout the Health app has written:

- ``<Workout>``: one activity each (its ``workoutActivityType`` mapped by ``apple_workout_types.toml``, every type
  Apple publishes), with its start and end (``2024-01-02 07:30:00 +0100``: the offset is kept, so the time is never
  placed again), ``duration`` (the timer time, pauses excluded) in its ``durationUnit``, the app that wrote it
  (``sourceName``: Apple Watch, Strava, Garmin Connect, Hevy, ...) as the device.
- Totals as **attributes** of ``<Workout>`` (older exports: ``totalDistance``, ``totalEnergyBurned`` with their
  units) and as ``<WorkoutStatistics>`` children (current exports: distance, active energy, heart rate average and
  maximum). When both are there and disagree, the statistic wins (it is the sum of the samples Apple kept) and a
  ``repairs`` row (rule ``statistic_over_total``) keeps the attribute's value.
- ``<WorkoutEvent>``: pauses and resumes give the timer time when ``duration`` is missing (elapsed less paused).
- ``<WorkoutActivity>``: the parts of a multisport workout (``SwimBikeRun``), each its own activity when it names
  its type; otherwise its statistics count for the workout.
- ``<MetadataEntry>``: ``HKIndoorWorkout`` (a treadmill run, an indoor ride), ``HKSwimmingLocationType`` (pool or
  open water), ``HKTimeZone`` (the offset of a time written without one). ``HKAverageMETs`` is read but there is no
  column for it.
- Heart-rate ``<Record>``\\ s (``HKQuantityTypeIdentifierHeartRate``) inside a workout's time become its samples
  (one per second at most: a reading two sources wrote at the same second counts once). Only two numbers per
  reading are kept while the file streams, so memory stays small on a multi-gigabyte export.

What is skipped: every other record (steps, energy, sleep, ...), correlations, activity summaries, and
``export_cda.xml`` (the clinical document beside it: skipped with its kind). The routes in ``workout-routes/`` are
GPX files that belong to their workouts (:mod:`.gpx` skips them with that reason). An export with no workout is
skipped with its kind and how many records it held.

A workout that cannot be read (a start that is not a time) is set aside as a quarantine row naming its line; the
other workouts load.
"""

from __future__ import annotations

import io
import json
import tomllib
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import polars as pl

from fitbalance.models import RAW_ACTIVITY_SCHEMA, RAW_SAMPLE_SCHEMA, Decoded, Rejected
from fitbalance.sources.limits import check_rows
from fitbalance.sources.reading import HEAD_BYTES, ReadOptions
from fitbalance.sources.xml import KCAL_PER, M_PER, S_PER, Handlers, in_unit, number, parse, parse_time, root_element

NAME = "xml:apple_health"
TYPE_PREFIX = "HKWorkoutActivityType"
HEART_RATE = "HKQuantityTypeIdentifierHeartRate"
ACTIVE_ENERGY = "HKQuantityTypeIdentifierActiveEnergyBurned"
DISTANCE_PREFIX = "HKQuantityTypeIdentifierDistance"
PAUSES = frozenset({"HKWorkoutEventTypePause", "HKWorkoutEventTypeMotionPaused"})
RESUMES = frozenset({"HKWorkoutEventTypeResume", "HKWorkoutEventTypeMotionResumed"})
SWIM_LOCATION = {"1": "lap_swimming", "2": "open_water"}
REPAIR_RULE = "statistic_over_total"
DISAGREE = 0.01  # a total and a statistic further apart than 1 % disagree
SAMPLE_GAP_S = 1.0  # readings closer than this are one
HR_BATCH = 100_000  # heart-rate readings parsed together
SAMPLE_CHUNK_ROWS = 100_000
"""Samples handed on at once (:attr:`~fitbalance.models.Decoded.sample_chunks`): an export's samples are never held
whole, however many workouts it has."""
MAX_WORKOUT_SAMPLES = 86_400
"""The most samples one workout loads (one a second for a day; read when the samples are made, so that a test can
lower it). The file's row cap (:data:`~fitbalance.sources.limits.MAX_ROWS`) counts the workouts, not the samples:
they stream in bounded chunks."""
HR_TIME_FORMAT = "%Y-%m-%d %H:%M:%S %z"


@dataclass(frozen=True)
class WorkoutType:
    """One row of ``apple_workout_types.toml``."""

    name: str
    sport: str
    sub_sport: str
    indoor: str | None
    expected: str  # "category/subcategory" the classifier gives it
    why: str

    @property
    def display(self) -> str:
        """``TraditionalStrengthTraining`` -> ``Traditional Strength Training``."""
        return "".join(f" {c}" if c.isupper() and i else c for i, c in enumerate(self.name))


@cache
def workout_types() -> dict[str, WorkoutType]:
    """Every row of ``apple_workout_types.toml`` by its type name (without the ``HKWorkoutActivityType`` prefix)."""
    text = resources.files(__package__).joinpath("apple_workout_types.toml").read_text(encoding="utf-8")
    rows = tomllib.loads(text)["types"]
    return {
        name: WorkoutType(name, row["sport"], row["sub_sport"], row.get("indoor"), row["class"], row["why"])
        for name, row in rows.items()
    }


def detect(head: bytes, path: str) -> bool:
    root = root_element(head)
    return root == "HealthData" or (root == "ClinicalDocument" and b"urn:hl7-org:v3" in head)


def read(data: bytes, path: str, options: ReadOptions) -> Decoded:
    return read_stream(io.BytesIO(data), path, options)


class _Prefixed(io.RawIOBase):
    """The bytes already read from a stream, then the rest of it."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self._head:
            out, self._head = self._head, b""
            return out
        return self._rest.read(size)


def read_stream(stream: BinaryIO, path: str, options: ReadOptions) -> Decoded:
    head = stream.read(HEAD_BYTES)
    if root_element(head) == "ClinicalDocument":
        return Decoded(
            NAME,
            file_type="no_activities",
            detail="clinical document (HL7 CDA, Apple Health's export_cda.xml): health records, no workouts",
        )
    reader = _Export()
    parse(_Prefixed(head, stream), path, reader)  # type: ignore[arg-type]
    decoded = reader.decoded(path)
    check_rows({"activities": decoded.activities.height}, path)  # the samples stream in bounded chunks
    return decoded


# ---- the parse: one pass, constant memory per record ------------------------------------------------------------


@dataclass
class _Part:
    """A ``<Workout>`` or one of its ``<WorkoutActivity>`` parts while it is read."""

    attrs: dict[str, str]
    line: int
    stats: list[dict[str, str]] = field(default_factory=list)
    events: list[dict[str, str]] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    parts: list[_Part] = field(default_factory=list)
    routes: int = 0


class _Export(Handlers):
    def __init__(self) -> None:
        self.workouts: list[_Part] = []
        self.workout: _Part | None = None
        self.part: _Part | None = None
        self.in_route = False
        self.records = 0
        self.hr_time = array("I")  # epoch seconds, UTC (Apple writes whole seconds): 6 bytes a reading in all
        self.hr_value = array("H")  # beats per minute, rounded
        self.bad_hr = 0
        self.hr_raw_time: list[str] = []  # readings not yet parsed (at most HR_BATCH)
        self.hr_raw_value: list[str] = []

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == "Record":
            self.records += 1
            if attrs.get("type") == HEART_RATE:
                self._heart_rate(attrs)
            return
        workout = self.workout
        if name == "Workout":
            self.workout = _Part(attrs, self.line())
            return
        if workout is None:
            return
        target = self.part or workout
        if name == "WorkoutStatistics":
            target.stats.append(attrs)
        elif name == "WorkoutEvent":
            target.events.append(attrs)
        elif name == "MetadataEntry":
            if not self.in_route and "key" in attrs:
                target.meta[attrs["key"]] = attrs.get("value", "")
        elif name == "WorkoutActivity":
            self.part = _Part(attrs, self.line())
            workout.parts.append(self.part)
        elif name == "WorkoutRoute":
            self.in_route = True
            workout.routes += 1

    def end(self, name: str) -> None:
        if name == "Workout" and self.workout is not None:
            self.workouts.append(self.workout)
            self.workout = None
        elif name == "WorkoutActivity":
            self.part = None
        elif name == "WorkoutRoute":
            self.in_route = False

    def _heart_rate(self, attrs: dict[str, str]) -> None:
        self.hr_raw_time.append(attrs.get("startDate", ""))
        self.hr_raw_value.append(attrs.get("value", ""))
        if len(self.hr_raw_time) >= HR_BATCH:
            self._flush_heart_rate()

    def _flush_heart_rate(self) -> None:
        """The readings gathered so far as numbers (parsed together: a Python call per reading is the cost of a
        multi-gigabyte export); a reading whose time or value cannot be read is counted and skipped."""
        if not self.hr_raw_time:
            return
        parsed = pl.DataFrame({"t": self.hr_raw_time, "v": self.hr_raw_value}).select(
            pl.col("t").str.to_datetime(HR_TIME_FORMAT, strict=False, time_unit="us").dt.epoch("s").alias("t"),
            pl.col("v").cast(pl.Float64, strict=False).round().alias("v"),
        )
        good = parsed.filter(pl.col("t").is_between(0, 2**32 - 1) & pl.col("v").is_between(0, 2**16 - 1))
        self.bad_hr += parsed.height - good.height
        self.hr_time.frombytes(good["t"].cast(pl.UInt32).to_numpy().tobytes())
        self.hr_value.frombytes(good["v"].cast(pl.UInt16).to_numpy().tobytes())
        self.hr_raw_time, self.hr_raw_value = [], []

    # ---- after the parse ----------------------------------------------------------------------------------------

    def decoded(self, path: str) -> Decoded:
        self._flush_heart_rate()
        if not self.workouts:
            return Decoded(
                NAME,
                file_type="no_activities",
                detail=f"Apple Health export with no workouts ({self.records:,} records: daily measurements only)",
            )
        types = workout_types()
        activities: list[dict[str, Any]] = []
        rejected: list[Rejected] = []
        repairs: list[dict[str, Any]] = []
        unmapped: dict[str, int] = {}
        for workout in self.workouts:
            for part in _sessions(workout):
                try:
                    row, fixed = _activity(part, workout, types, unmapped)
                except ValueError as exc:
                    payload = json.dumps({"line": part.line, "attributes": part.attrs}, ensure_ascii=False)
                    reason = f"line {part.line}: workout not read: {exc}"
                    rejected.append(Rejected(reason, line=part.line, payload=payload, table="activities"))
                    continue
                index = len(activities)
                activities.append({**row, "session_index": index})
                repairs += [{**r, "session_index": index} for r in fixed]
        chunks, over_cap = self._sample_chunks(activities)
        rejected += over_cap
        warnings: list[str] = []
        if unmapped:
            listed = ", ".join(f"{k!r} ({v})" for k, v in sorted(unmapped.items()))
            warnings.append(f"workout types with no sport, kept as generic with the type as name: {listed}")
        if self.bad_hr:
            warnings.append(f"{self.bad_hr} heart-rate records with an unreadable time or value skipped")
        frame = pl.DataFrame(activities, schema=RAW_ACTIVITY_SCHEMA) if activities else None
        if frame is None:
            return Decoded(NAME, rejected=tuple(rejected), warnings=tuple(warnings))
        return Decoded(
            NAME,
            activities=frame,
            sample_chunks=chunks,
            warnings=tuple(warnings),
            rejected=tuple(rejected),
            repairs=tuple(repairs),
        )

    def _sample_chunks(
        self, activities: list[dict[str, Any]]
    ) -> tuple[Callable[[], Iterator[pl.DataFrame]] | None, list[Rejected]]:
        """The heart-rate readings inside each activity's time, one per second at most, as frames of at most
        :data:`SAMPLE_CHUNK_ROWS` rows made when called; and a quarantine row for each workout with more readings
        than :data:`MAX_WORKOUT_SAMPLES` (the readings beyond the cap are set aside, the workout and the rest load)."""
        if not activities or not self.hr_time:
            return None, []
        times = np.frombuffer(self.hr_time, dtype=np.uint32).astype(np.int64)
        values = np.frombuffer(self.hr_value, dtype=np.uint16)
        self.hr_time, self.hr_value = array("I"), array("H")  # the numbers live on in the arrays above only
        if np.any(times[1:] < times[:-1]):  # Apple writes them in time order; other writers may not
            order = np.argsort(times, kind="stable")
            times, values = times[order], values[order]
        # a reading one second or more after the one before is a sample (the first of a workout always is)
        apart = np.concatenate(([True], np.diff(times) >= SAMPLE_GAP_S))
        cap = MAX_WORKOUT_SAMPLES
        spans: list[tuple[int, int, int]] = []  # (session_index, lo, hi) into times
        rejected: list[Rejected] = []
        for row in activities:
            start = row["start_time_utc"].replace(tzinfo=UTC).timestamp()
            end = start + (row["elapsed_s"] or 0.0)
            lo, hi = int(np.searchsorted(times, start, "left")), int(np.searchsorted(times, end, "right"))
            if hi <= lo:
                continue
            kept = 1 + int(np.count_nonzero(apart[lo + 1 : hi]))
            if kept > cap:
                line = row["source_line"]
                rejected.append(
                    Rejected(
                        f"line {line}: {kept - cap:,} heart-rate samples of the workout beyond the cap of {cap:,} "
                        f"samples per workout (apple_health.MAX_WORKOUT_SAMPLES; one a second for a day) "
                        "not loaded; the workout and its first samples are",
                        line=line,
                        table="samples",
                        rows=kept - cap,
                    )
                )
            spans.append((row["session_index"], lo, hi))

        def chunks() -> Iterator[pl.DataFrame]:
            parts: list[tuple[int, np.ndarray, np.ndarray]] = []
            held = 0
            for session, lo, hi in spans:
                keep = apart[lo:hi].copy()
                keep[0] = True
                t, v = times[lo:hi][keep][:cap], values[lo:hi][keep][:cap]
                for at in range(0, len(t), SAMPLE_CHUNK_ROWS):
                    parts.append((session, t[at : at + SAMPLE_CHUNK_ROWS], v[at : at + SAMPLE_CHUNK_ROWS]))
                    held += len(parts[-1][1])
                    if held >= SAMPLE_CHUNK_ROWS:
                        yield _sample_frame(parts)
                        parts, held = [], 0
            if parts:
                yield _sample_frame(parts)

        return chunks, rejected


def _sample_frame(parts: list[tuple[int, np.ndarray, np.ndarray]]) -> pl.DataFrame:
    """Raw sample rows (session, epoch seconds, heart rate) in :data:`RAW_SAMPLE_SCHEMA`."""
    sessions = np.concatenate([np.full(len(t), session, dtype=np.int32) for session, t, _ in parts])
    seconds = np.concatenate([t for _, t, _ in parts])
    rates = np.concatenate([v for _, _, v in parts]).astype(np.int32)
    found = pl.DataFrame(
        {
            "session_index": pl.Series(sessions),
            "timestamp_utc": pl.Series(seconds * 1_000_000).cast(pl.Datetime("us")),
            "heart_rate": pl.Series(rates),
        }
    )
    return found.select(
        [
            found[name].cast(dtype) if name in found.columns else pl.lit(None, dtype=dtype).alias(name)
            for name, dtype in RAW_SAMPLE_SCHEMA.items()
        ]
    )


def _sessions(workout: _Part) -> list[_Part]:
    """The activities of one workout: its typed parts (a multisport workout), else the workout with its parts'
    statistics."""
    typed = [p for p in workout.parts if p.attrs.get("workoutActivityType")]
    if len(typed) > 1:
        for part in typed:
            part.meta = {**workout.meta, **part.meta}
            part.attrs = {**{k: v for k, v in workout.attrs.items() if k.startswith("source")}, **part.attrs}
        return typed
    if not workout.stats:
        workout.stats = [s for p in workout.parts for s in p.stats]
    if not workout.events:
        workout.events = [e for p in workout.parts for e in p.events]
    for part in workout.parts:
        workout.meta = {**part.meta, **workout.meta}
    return [workout]


def _time(text: str | None, meta: dict[str, str], what: str) -> tuple[datetime, int | None]:
    """UTC and the offset: the time's own, else the workout's ``HKTimeZone``'s, else None (a wall time without a
    zone, placed by the store like a CSV export's)."""
    if not text:
        raise ValueError(f"no {what}")
    utc, offset = parse_time(text)
    if offset is None:  # a wall time: the workout's own zone places it, else the store does
        zone_name = meta.get("HKTimeZone")
        try:
            zone = ZoneInfo(zone_name) if zone_name else None
        except (ZoneInfoNotFoundError, ValueError):
            zone = None
        if zone is None:
            return utc, None
        local_offset = utc.replace(tzinfo=zone).utcoffset() or timedelta(0)
        return utc - local_offset, int(local_offset.total_seconds())
    return utc, offset


def _stat(part: _Part, kind: str, key: str) -> tuple[float | None, str | None]:
    for stat in part.stats:
        if stat.get("type", "").startswith(kind) and stat.get(key):
            return number(stat[key]), stat.get("unit")
    return None, None


def _paused_s(events: list[dict[str, str]], start: datetime, end: datetime) -> float:
    """Seconds between each pause and the next resume (or the end) inside the workout."""
    paused = 0.0
    since: datetime | None = None
    for event in sorted(events, key=lambda e: e.get("date", "")):
        kind = event.get("type")
        if kind not in PAUSES and kind not in RESUMES:
            continue
        try:
            at, _ = parse_time(event.get("date", ""))
        except ValueError:
            continue
        at = min(max(at, start), end)
        if kind in PAUSES and since is None:
            since = at
        elif kind in RESUMES and since is not None:
            paused += (at - since).total_seconds()
            since = None
    if since is not None:
        paused += (end - since).total_seconds()
    return paused


def _agree(total: float | None, statistic: float | None) -> bool:
    if total is None or statistic is None:
        return True
    return abs(total - statistic) <= DISAGREE * max(abs(total), abs(statistic), 1.0)


def _activity(
    part: _Part, workout: _Part, types: dict[str, WorkoutType], unmapped: dict[str, int]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    attrs, meta = part.attrs, part.meta
    raw_type = attrs.get("workoutActivityType") or workout.attrs.get("workoutActivityType", "")
    type_name = raw_type.removeprefix(TYPE_PREFIX)
    kind = types.get(type_name)
    if kind is None:
        unmapped[type_name] = unmapped.get(type_name, 0) + 1
        sport, sub_sport, display = "generic", "generic", type_name or None
    else:
        sport, sub_sport, display = kind.sport, kind.sub_sport, kind.display
        if meta.get("HKIndoorWorkout") == "1" and kind.indoor:
            sub_sport = kind.indoor
        if sport == "swimming":
            sub_sport = SWIM_LOCATION.get(meta.get("HKSwimmingLocationType", ""), sub_sport)
    start, offset = _time(attrs.get("startDate"), meta, "start")
    end, _ = _time(attrs.get("endDate"), meta, "end")
    elapsed = (end - start).total_seconds() if end >= start else None
    duration = in_unit(number(attrs.get("duration")), attrs.get("durationUnit"), S_PER, "min", "duration")
    if duration is None and elapsed is not None:
        duration = elapsed - _paused_s(part.events, start, end)

    repairs: list[dict[str, Any]] = []

    def total_or_statistic(column: str, total: float | None, statistic: float | None, unit: str) -> float | None:
        if not _agree(total, statistic):
            assert total is not None
            repairs.append(
                {
                    "table_name": "activities",
                    "column_name": column,
                    "rule": REPAIR_RULE,
                    "original": f"{total:g} {unit} (the workout's total; its statistic says {statistic:g} {unit})",
                    "rows": 1,
                    "line": part.line,
                }
            )
        return statistic if statistic is not None else total

    total_m = in_unit(number(attrs.get("totalDistance")), attrs.get("totalDistanceUnit"), M_PER, "km", "distance")
    stat_value, stat_unit = _stat(part, DISTANCE_PREFIX, "sum")
    stat_m = in_unit(stat_value, stat_unit, M_PER, "km", "distance")
    distance = total_or_statistic("distance_m", total_m, stat_m, "m")
    total_kcal = in_unit(
        number(attrs.get("totalEnergyBurned")), attrs.get("totalEnergyBurnedUnit"), KCAL_PER, "kcal", "energy"
    )
    stat_value, stat_unit = _stat(part, ACTIVE_ENERGY, "sum")
    stat_kcal = in_unit(stat_value, stat_unit, KCAL_PER, "kcal", "energy")
    calories = total_or_statistic("calories_kcal", total_kcal, stat_kcal, "kcal")
    avg_hr, _ = _stat(part, HEART_RATE, "average")
    max_hr, _ = _stat(part, HEART_RATE, "maximum")
    source = attrs.get("sourceName") or workout.attrs.get("sourceName")
    row = {
        "source_line": part.line,
        "sport": sport,
        "sub_sport": sub_sport,
        "name": display,
        "start_time_utc": start,
        "utc_offset_s": offset,
        "utc_offset_source": "row" if offset is not None else None,
        "elapsed_s": elapsed,
        "moving_s": duration,
        "distance_m": distance,
        "calories_kcal": calories,
        "avg_hr": avg_hr,
        "max_hr": max_hr,
        "device": source,
        "source_ref": f"{source or ''}|{attrs.get('startDate', '')}",
    }
    return row, repairs
