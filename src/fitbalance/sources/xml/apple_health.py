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
- ``<WorkoutEvent>``: pauses and resumes (and motion pauses) give the timer time when ``duration`` is missing
  (elapsed less paused; ``duration`` leaves them out already). ``HKWorkoutEventTypeLap`` events are the workout's
  laps (its start, length and the heart rate read in it); without them, its ``HKWorkoutEventTypeSegment`` events
  (Apple's splits) are.
- ``<WorkoutActivity>``: the parts of a multisport workout (``SwimBikeRun``), each its own activity when it names
  its type; otherwise its statistics count for the workout.
- ``<MetadataEntry>``: ``HKIndoorWorkout`` (a treadmill run, an indoor ride), ``HKSwimmingLocationType`` (pool or
  open water), ``HKTimeZone`` (the offset of a time written without one), ``HKAverageMETs`` (``avg_mets``).
- Heart-rate ``<Record>``\\ s (``HKQuantityTypeIdentifierHeartRate``) inside a workout's time become its samples
  (one per second at most: a reading two sources wrote at the same second counts once), joined by the second with
  the points of the route GPX the workout names (``<WorkoutRoute><FileReference path="/workout-routes/...gpx"/>``,
  read beside export.xml on disk or in the zip it came from: positions, elevation, speed). Only two numbers per
  reading are kept while the file streams, and only the readings inside workouts once the workouts are known; the
  samples are handed on in bounded chunks (:attr:`~fitbalance.models.Decoded.sample_chunks`), so memory stays
  small on a multi-gigabyte export. The file's row cap counts workouts; one workout's samples are capped at
  :data:`MAX_WORKOUT_SAMPLES`, the rest a quarantine row naming the cap. A route that cannot be read, or whose
  path climbs out of the export, is a quarantine row; its workout loads.

What is skipped: every other record (steps, energy, sleep, ...), correlations, activity summaries, and
``export_cda.xml`` (the clinical document beside it: skipped with its kind). The route files, found on their own
in ``workout-routes/``, are skipped by :mod:`.gpx` (their points are read here, with their workout). An export
with no workout is skipped with its kind and how many records it held.

A workout that cannot be read (a start that is not a time) is set aside as a quarantine row naming its line; the
other workouts load.
"""

from __future__ import annotations

import io
import json
import tomllib
import zipfile
import zlib
from array import array
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import polars as pl

from fitbalance.errors import InputError
from fitbalance.models import (
    RAW_ACTIVITY_SCHEMA,
    RAW_LAP_SCHEMA,
    RAW_SAMPLE_SCHEMA,
    Decoded,
    Rejected,
    SourceRef,
    conform,
)
from fitbalance.sources.limits import check_rows
from fitbalance.sources.reading import HEAD_BYTES, ReadOptions
from fitbalance.sources.xml import KCAL_PER, M_PER, S_PER, Handlers, in_unit, number, parse, parse_time, root_element
from fitbalance.sources.xml.gpx import track_points

NAME = "xml:apple_health"
TYPE_PREFIX = "HKWorkoutActivityType"
HEART_RATE = "HKQuantityTypeIdentifierHeartRate"
ACTIVE_ENERGY = "HKQuantityTypeIdentifierActiveEnergyBurned"
DISTANCE_PREFIX = "HKQuantityTypeIdentifierDistance"
PAUSES = frozenset({"HKWorkoutEventTypePause", "HKWorkoutEventTypeMotionPaused"})
RESUMES = frozenset({"HKWorkoutEventTypeResume", "HKWorkoutEventTypeMotionResumed"})
LAP = "HKWorkoutEventTypeLap"
SEGMENT = "HKWorkoutEventTypeSegment"
SWIM_LOCATION = {"1": "lap_swimming", "2": "open_water"}
REPAIR_RULE = "statistic_over_total"
DISAGREE = 0.01  # a total and a statistic further apart than 1 % disagree
SAMPLE_GAP_S = 1.0  # readings closer than this are one
HR_BATCH = 10_000  # heart-rate readings parsed together (their text is held until then)
READINGS_BLOCK = 1 << 18  # readings checked against the workouts' times at once
SAMPLE_CHUNK_ROWS = 50_000
"""Samples handed on at once (:attr:`~fitbalance.models.Decoded.sample_chunks`): an export's samples are never held
whole, however many workouts it has."""
MAX_ROUTE_BYTES = 64 * 1024**2
"""The largest route file read (a day of points at one a second is about 20 MB of GPX)."""
ROUTE_COLUMNS = ("timestamp_utc", "lat", "lon", "altitude_m", "speed_mps")
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
    reader = _Export(options.place)
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
    route_files: list[str] = field(default_factory=list)  # <FileReference path="/workout-routes/...gpx"/>


class _Export(Handlers):
    def __init__(self, place: SourceRef | None = None) -> None:
        self.place = place
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
        elif name == "FileReference" and self.in_route and attrs.get("path"):
            workout.route_files.append(attrs["path"])

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
        routes: dict[int, tuple[tuple[str, ...], bool]] = {}  # session -> (route files, shared by its parts)
        marks: dict[int, list[tuple[datetime, float]]] = {}  # session -> its laps' (start, seconds)
        for workout in self.workouts:
            sessions = _sessions(workout)
            for part in sessions:
                try:
                    row, fixed = _activity(part, workout, types, unmapped)
                except ValueError as exc:
                    payload = json.dumps({"line": part.line, "attributes": part.attrs}, ensure_ascii=False)
                    reason = f"line {part.line}: workout not read: {exc}"
                    rejected.append(Rejected(reason, line=part.line, payload=payload, table="activities"))
                    continue
                index = len(activities)
                activities.append({**row, "session_index": index})
                marks[index] = _lap_marks(part.events)
                if workout.route_files:
                    routes[index] = (tuple(workout.route_files), len(sessions) > 1)
                repairs += [{**r, "session_index": index} for r in fixed]
        readings = self._readings(activities)
        laps = _laps(marks, readings)
        chunks = self._sample_chunks(activities, routes, readings)
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
            laps=laps,
            sample_chunks=chunks,
            warnings=tuple(warnings),
            rejected=tuple(rejected),
            repairs=tuple(repairs),
        )

    def _readings(self, activities: list[dict[str, Any]]) -> _Readings:
        """The heart-rate readings kept while the file streamed that fall in some activity's time, as sorted arrays
        (the others are let go: a long history is mostly readings outside workouts)."""
        starts, ends = _union(activities)
        times = np.frombuffer(self.hr_time, dtype=np.uint32)
        values = np.frombuffer(self.hr_value, dtype=np.uint16)
        inside = np.zeros(len(times), dtype=bool)
        for at in range(
            0, len(times) if len(starts) else 0, READINGS_BLOCK
        ):  # in blocks: the temporary arrays stay small
            block = times[at : at + READINGS_BLOCK]
            window = np.searchsorted(starts, block, "right") - 1
            inside[at : at + READINGS_BLOCK] = (window >= 0) & (block <= ends[np.maximum(window, 0)])
        times, values = times[inside], values[inside]
        if np.any(times[1:] < times[:-1]):  # Apple writes each type's records in time order; others may not
            order = np.argsort(times, kind="stable")
            times, values = times[order], values[order]
        self.hr_time, self.hr_value = array("I"), array("H")
        # a reading one second or more after the one before is a sample (the first of a workout always is; a
        # reading left out above is never the one before a workout's second reading)
        apart = np.concatenate(([True], np.diff(times) >= SAMPLE_GAP_S)) if len(times) else np.zeros(0, dtype=bool)
        return _Readings(times, values, apart)

    def _sample_chunks(
        self,
        activities: list[dict[str, Any]],
        routes: dict[int, tuple[tuple[str, ...], bool]],
        readings: _Readings,
    ) -> Callable[[], Iterator[pl.DataFrame | Rejected]] | None:
        """Each activity's samples, made when called, in frames of about :data:`SAMPLE_CHUNK_ROWS` rows: the
        heart-rate readings inside its time (one per second at most) and the points of its route files, joined by
        the second. A workout's samples beyond :data:`MAX_WORKOUT_SAMPLES`, and a route that cannot be read, are
        :class:`~fitbalance.models.Rejected` rows among the frames (the workout and the rest of its samples load)."""
        times, values, apart = readings.times, readings.values, readings.apart
        if not activities or not (len(times) or routes):
            return None
        spans: list[_Span] = []
        for row in activities:
            start = row["start_time_utc"].replace(tzinfo=UTC).timestamp()
            end = start + (row["elapsed_s"] or 0.0)
            lo, hi = int(np.searchsorted(times, start, "left")), int(np.searchsorted(times, end, "right"))
            files, shared = routes.get(row["session_index"], ((), False))
            if hi > lo or files:
                spans.append(_Span(row["session_index"], row["source_line"], lo, hi, start, end, files, shared))
        place = self.place

        def chunks() -> Iterator[pl.DataFrame | Rejected]:
            cap = MAX_WORKOUT_SAMPLES
            held: list[pl.DataFrame] = []  # activities with a route, joined already
            bare: list[tuple[int, np.ndarray, np.ndarray]] = []  # heart rate only: (session, times, values)
            rows = 0
            for span in spans:
                if span.hi > span.lo:
                    keep = apart[span.lo : span.hi].copy()
                    keep[0] = True
                    t, v = times[span.lo : span.hi][keep], values[span.lo : span.hi][keep]
                else:
                    t, v = times[:0], values[:0]
                points = None
                for file in span.routes:
                    found, notes = _route(place, file, span)
                    yield from notes
                    if found is not None:
                        points = found if points is None else pl.concat([points, found])
                if points is None and len(t) > cap:
                    yield _over_cap(span, len(t), cap)
                    t, v = t[:cap], v[:cap]
                if points is None:
                    bare.append((span.session, t, v))
                    rows += len(t)
                else:
                    frame = _with_route(span.session, t, v, points)
                    if frame.height > cap:
                        yield _over_cap(span, frame.height, cap)
                        frame = frame.head(cap)
                    held.append(frame)
                    rows += frame.height
                if rows >= SAMPLE_CHUNK_ROWS:
                    yield _chunk(bare, held)
                    bare, held, rows = [], [], 0
            if rows:
                yield _chunk(bare, held)

        return chunks


def _union(activities: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray]:
    """The activities' times (epoch seconds, start to end) as sorted, disjoint intervals: starts and ends."""
    spans = sorted(
        (start, start + (row["elapsed_s"] or 0.0))
        for row in activities
        for start in [row["start_time_utc"].replace(tzinfo=UTC).timestamp()]
    )
    merged: list[list[float]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return np.array([m[0] for m in merged]), np.array([m[1] for m in merged])


@dataclass(frozen=True)
class _Readings:
    """The export's heart-rate readings: epoch seconds (sorted, 32 bits: Apple writes whole seconds), beats per
    minute, and whether each is a second or more after the one before."""

    times: np.ndarray
    values: np.ndarray
    apart: np.ndarray


def _lap_marks(events: list[dict[str, str]]) -> list[tuple[datetime, float]]:
    """The laps of a workout from its ``<WorkoutEvent>``\\ s: its ``HKWorkoutEventTypeLap`` events (the laps the
    athlete or the watch marked, a pool's lengths), else its ``HKWorkoutEventTypeSegment`` events (the splits),
    each a start and a length in seconds; an event without a readable date or duration is left out."""
    for kind in (LAP, SEGMENT):
        marks = []
        for event in events:
            if event.get("type") != kind:
                continue
            try:
                start, _ = parse_time(event.get("date", ""))
                seconds = in_unit(number(event.get("duration")), event.get("durationUnit"), S_PER, "min", "lap")
            except ValueError:
                continue
            if seconds is not None and seconds >= 0:
                marks.append((start, seconds))
        if marks:
            return sorted(marks)
    return []


def _laps(marks: dict[int, list[tuple[datetime, float]]], readings: _Readings) -> pl.DataFrame:
    """Lap rows (:data:`RAW_LAP_SCHEMA`): each lap's start and length, and the heart rate read during it."""
    rows: list[dict[str, Any]] = []
    for session, laps in marks.items():
        for index, (start, seconds) in enumerate(laps):
            begin = start.replace(tzinfo=UTC).timestamp()
            lo = int(np.searchsorted(readings.times, begin, "left"))
            hi = int(np.searchsorted(readings.times, begin + seconds, "right"))
            rates = readings.values[lo:hi]
            rows.append(
                {
                    "session_index": session,
                    "lap_index": index,
                    "start_time_utc": start,
                    "elapsed_s": seconds,
                    "avg_hr": float(rates.mean()) if len(rates) else None,
                    "max_hr": float(rates.max()) if len(rates) else None,
                }
            )
    return pl.DataFrame(rows, schema=RAW_LAP_SCHEMA) if rows else pl.DataFrame(schema=RAW_LAP_SCHEMA)


@dataclass(frozen=True)
class _Span:
    """Where one activity's samples come from: its heart-rate readings (``lo:hi`` of the sorted readings) and its
    route files (``shared``: the route of a workout of several activities, of which this one takes the points in
    its own time)."""

    session: int
    line: int
    lo: int
    hi: int
    start: float  # epoch seconds
    end: float
    routes: tuple[str, ...]
    shared: bool


def _over_cap(span: _Span, found: int, cap: int) -> Rejected:
    return Rejected(
        f"line {span.line}: {found - cap:,} samples of the workout beyond the cap of {cap:,} samples per workout "
        "(apple_health.MAX_WORKOUT_SAMPLES; one a second for a day) not loaded; the workout and its first samples are",
        line=span.line,
        table="samples",
        rows=found - cap,
    )


@contextmanager
def _route_stream(place: SourceRef | None, reference: str) -> Iterator[tuple[BinaryIO, str]]:
    """The route file a workout names (``/workout-routes/route_....gpx``, relative to the export's folder), open,
    and the path to show for it: beside the export.xml on disk, or in the zip archive it came from.

    Raises :class:`RouteNotRead` when the reference is not a path inside the export, or the file is missing or too
    large; ``OSError`` and the zip module's errors as they are."""
    relative = PurePosixPath(reference.replace("\\", "/").lstrip("/"))
    if not relative.parts or ".." in relative.parts:
        raise RouteNotRead("not a path inside the export")
    if place is None:
        raise RouteNotRead("the export was given as bytes, not as a file: its folder is unknown")
    shown = place.path.replace("\\", "/")
    if "!/" not in shown:
        folder = Path(place.local_path).parent.resolve()
        target = (folder / relative).resolve()
        if folder not in target.parents:
            raise RouteNotRead("not a path inside the export's folder")
        if target.stat().st_size > MAX_ROUTE_BYTES:
            raise RouteNotRead(f"larger than the route cap of {MAX_ROUTE_BYTES // 1024**2} MiB")
        with open(target, "rb") as stream:
            yield stream, str(PurePosixPath(shown).parent / relative)
        return
    archive, member = shown.rsplit("!/", 1)
    if "!/" in archive:
        raise RouteNotRead("the export is in an archive inside an archive: its routes are not read")
    name = str(PurePosixPath(member).parent / relative)
    with zipfile.ZipFile(archive) as zipped:
        info = zipped.getinfo(name)
        if info.file_size > MAX_ROUTE_BYTES:
            raise RouteNotRead(f"larger than the route cap of {MAX_ROUTE_BYTES // 1024**2} MiB")
        with zipped.open(info) as stream:
            yield stream, f"{archive}!/{name}"  # type: ignore[misc]


class RouteNotRead(Exception):
    """Why a workout's route file is not read (the workout loads without its points)."""


def _route(place: SourceRef | None, reference: str, span: _Span) -> tuple[pl.DataFrame | None, list[Rejected]]:
    """The points of one route file of ``span``'s workout (``t`` in epoch seconds, one a second at most), and the
    rows that say what was not read: the file (the workout then loads without its positions), or points in it."""
    try:
        with _route_stream(place, reference) as (stream, shown):
            points, unreadable = track_points(stream, shown, max_bytes=MAX_ROUTE_BYTES)
    except (RouteNotRead, InputError, OSError, KeyError, zipfile.BadZipFile, zlib.error, EOFError, RuntimeError) as exc:
        why = "not in the archive" if isinstance(exc, KeyError) else getattr(exc, "reason", None) or str(exc)
        note = f"line {span.line}: route {reference!r} of the workout not read ({why}): the workout loads without it"
        return None, [Rejected(note, line=span.line, table="samples", rows=0)]
    rejected = []
    if unreadable:
        note = f"line {span.line}: {unreadable} points of the route {reference!r} could not be read: not loaded"
        rejected.append(Rejected(note, line=span.line, table="samples", rows=unreadable))
    if not points:
        return None, rejected
    frame = pl.DataFrame(
        [{k: p.get(k) for k in ROUTE_COLUMNS} for p in points], schema={k: RAW_SAMPLE_SCHEMA[k] for k in ROUTE_COLUMNS}
    )
    frame = frame.select(pl.col("timestamp_utc").dt.epoch("s").alias("t"), *ROUTE_COLUMNS[1:])
    if span.shared:  # a part of a workout of several: the points in its own time
        frame = frame.filter(pl.col("t").is_between(span.start, span.end))
    return frame, rejected


def _with_route(session: int, t: np.ndarray, v: np.ndarray, points: pl.DataFrame) -> pl.DataFrame:
    """One activity's heart-rate readings and route points joined by the second (the first point of a second)."""
    readings = pl.DataFrame({"t": pl.Series(t, dtype=pl.Int64), "heart_rate": pl.Series(v.astype(np.int32))})
    points = points.unique("t", keep="first", maintain_order=True)
    joined = readings.join(points, on="t", how="full", coalesce=True).sort("t")
    return conform(
        joined.with_columns(
            pl.lit(session, dtype=pl.Int32).alias("session_index"),
            (pl.col("t") * 1_000_000).cast(pl.Datetime("us")).alias("timestamp_utc"),
        ),
        RAW_SAMPLE_SCHEMA,
    )


def _chunk(readings: list[tuple[int, np.ndarray, np.ndarray]], frames: list[pl.DataFrame]) -> pl.DataFrame:
    """One frame of raw sample rows: heart-rate readings (session, epoch seconds, bpm) and frames made already."""
    parts = [_sample_frame(readings)] if readings else []
    return pl.concat([*parts, *frames]) if len(parts) + len(frames) > 1 else [*parts, *frames][0]


def _sample_frame(parts: list[tuple[int, np.ndarray, np.ndarray]]) -> pl.DataFrame:
    """Raw sample rows (session, epoch seconds, heart rate) in :data:`RAW_SAMPLE_SCHEMA`."""
    sessions = np.concatenate([np.full(len(t), session, dtype=np.int32) for session, t, _ in parts])
    seconds = np.concatenate([t for _, t, _ in parts]).astype(np.int64)
    rates = np.concatenate([v for _, _, v in parts]).astype(np.int32)
    found = pl.DataFrame(
        {
            "session_index": pl.Series(sessions),
            "timestamp_utc": pl.Series(seconds * 1_000_000).cast(pl.Datetime("us")),
            "heart_rate": pl.Series(rates),
        }
    )
    return conform(found, RAW_SAMPLE_SCHEMA)


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


def _mets(text: str | None) -> float | None:
    """``HKAverageMETs`` as Apple writes it (``4.2 kcal/hr·kg``): the number; None when there is none or it is not
    one (the workout loads without it)."""
    if not text:
        return None
    try:
        return number(text.split()[0])
    except ValueError:
        return None


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
        "timer_s": duration,  # the workout's duration as Apple records it: pauses left out
        "distance_m": distance,
        "calories_kcal": calories,
        "avg_hr": avg_hr,
        "max_hr": max_hr,
        "avg_mets": _mets(meta.get("HKAverageMETs")),
        "device": source,
        "source_ref": f"{source or ''}|{attrs.get('startDate', '')}",
    }
    return row, repairs
