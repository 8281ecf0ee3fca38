"""Synthetic training histories, written as FIT files with :mod:`synth.fitwriter`.

Everything is a function of its arguments (a start date, a seed, a time zone): there is no wall clock, and the
only I/O is :func:`generate_corpus`, which writes the files it makes. Three layers:

- session builders (:func:`strength_session`, :func:`endurance_session`, :func:`heart_rate_session`) turn a
  seeded ``random.Random`` into a :class:`SessionPlan`: the samples, the strength sets and the summary values;
- :func:`encode_activity` writes an :class:`ActivityPlan` (a device, one or more sessions) as a FIT activity;
- :func:`training_history` (an athlete's weeks of training), :func:`other_files` (settings, workout,
  monitoring) and :func:`generate_corpus` (many files for benchmarks) put them together.

Conventions: datetimes are aware UTC; distances m, speeds m/s, weights kg; GPS positions degrees in plans and
semicircles in the file. Strength sets follow Garmin watches: active sets alternate with rest sets,
``category`` holds three ranked guesses (rest sets: none), and every set's ``timestamp`` is the session start
(order by ``start_time``).
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from synth.fitwriter import FieldValue, FitWriter, chain, fit_seconds

__all__ = [
    "DEVICES",
    "LIFTS",
    "ActivityPlan",
    "ActivitySummary",
    "Device",
    "FitFile",
    "Lift",
    "SessionPlan",
    "SetPlan",
    "Track",
    "corpus_activity",
    "encode_activity",
    "endurance_session",
    "generate_corpus",
    "heart_rate_session",
    "other_files",
    "progression",
    "strength_session",
    "summarize",
    "training_history",
]

DEFAULT_ZONE = "Europe/Berlin"
ORIGIN = (52.5163, 13.3777)  # where GPS tracks start (degrees)
SEMICIRCLES_PER_DEGREE = 2**31 / 180
METRES_PER_DEGREE = 111_320.0


# ---- catalogue ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Device:
    """A recording device as it identifies itself in ``file_id`` and ``device_info``."""

    key: str
    manufacturer: str  # FIT manufacturer name
    product: int
    serial_number: int
    product_name: str
    enhanced: bool  # records carry enhanced_speed/enhanced_altitude (else speed/altitude)
    local_time: bool  # the activity message carries local_timestamp


DEVICES: dict[str, Device] = {
    device.key: device
    for device in (
        Device("garmin_fr965", "garmin", 4315, 3_412_908_771, "Forerunner 965", enhanced=True, local_time=True),
        Device("garmin_fenix7", "garmin", 3906, 3_390_115_204, "fenix 7", enhanced=True, local_time=True),
        Device("garmin_fenix8", "garmin", 4536, 3_501_447_092, "fenix 8", enhanced=True, local_time=True),
        Device("garmin_edge1040", "garmin", 3843, 3_377_602_118, "Edge 1040", enhanced=True, local_time=True),
        Device("garmin_venu3", "garmin", 4260, 3_460_221_905, "Venu 3", enhanced=True, local_time=True),
        Device("wahoo_bolt", "wahoo_fitness", 31, 1_820_447, "ELEMNT BOLT", enhanced=False, local_time=False),
        Device("coros_pace3", "coros", 841, 5_504_112, "COROS PACE 3", enhanced=False, local_time=True),
        Device("suunto_race", "suunto", 36, 2_231_650_019, "Suunto Race", enhanced=True, local_time=True),
    )
}


@dataclass(frozen=True, slots=True)
class Lift:
    """A lift as a watch records it: FIT exercise category, subtype and the runner-up guesses."""

    name: str
    category: str  # FIT exercise_category
    subtype: int  # FIT category_subtype (the <category>_exercise_name value)
    alternatives: tuple[str, str]  # second and third guesses
    start_kg: float  # 0 = bodyweight
    step_kg: float  # load added per progressing week (0: reps progress instead)
    reps: tuple[int, int]
    sets: int


LIFTS: dict[str, Lift] = {
    lift.name: lift
    for lift in (
        Lift("bench press", "bench_press", 1, ("shoulder_press", "push_up"), 60.0, 2.5, (6, 8), 4),
        Lift("back squat", "squat", 6, ("lunge", "deadlift"), 80.0, 2.5, (5, 7), 4),
        Lift("deadlift", "deadlift", 0, ("row", "squat"), 100.0, 5.0, (3, 5), 3),
        Lift("overhead press", "shoulder_press", 4, ("bench_press", "lateral_raise"), 40.0, 1.25, (6, 8), 3),
        Lift("pull-up", "pull_up", 38, ("row", "curl"), 0.0, 0.0, (5, 8), 3),
        Lift("barbell row", "row", 45, ("deadlift", "pull_up"), 55.0, 2.5, (8, 10), 3),
    )
}


# ---- plans -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Track:
    """A session's samples, column by column; ``None`` columns are not recorded."""

    start: datetime
    seconds: tuple[int, ...]  # offsets from start
    heart_rate: tuple[int, ...]
    speed: tuple[float, ...] | None = None
    distance: tuple[float, ...] | None = None
    altitude: tuple[float, ...] | None = None
    lat: tuple[float, ...] | None = None
    lon: tuple[float, ...] | None = None
    cadence: tuple[int, ...] | None = None
    power: tuple[int, ...] | None = None


@dataclass(frozen=True, slots=True)
class SetPlan:
    start: datetime
    duration_s: float
    lift: Lift | None  # None: a rest set
    reps: int | None = None
    weight_kg: float | None = None

    @property
    def active(self) -> bool:
        return self.lift is not None


@dataclass(frozen=True, slots=True)
class SessionPlan:
    sport: str
    sub_sport: str
    start: datetime
    elapsed_s: float
    track: Track
    avg_hr: int
    max_hr: int
    calories: int
    distance_m: float | None = None
    sets: tuple[SetPlan, ...] = ()
    lap_m: float | None = None  # auto-lap distance; None: one lap
    timer_s: float | None = None  # the timer (moving) time when it differs from the elapsed time

    @property
    def timer(self) -> float:
        return self.elapsed_s if self.timer_s is None else self.timer_s

    @property
    def end(self) -> datetime:
        return self.start + timedelta(seconds=self.elapsed_s)


@dataclass(frozen=True, slots=True)
class ActivityPlan:
    device: Device
    sessions: tuple[SessionPlan, ...]
    utc_offset_s: int  # local = UTC + offset at the end of the activity


@dataclass(frozen=True, slots=True)
class ActivitySummary:
    """What a reader should find for one session: the expectations written to ``EXPECTED.json``."""

    session_index: int  # position in the file, counted across a chain
    chain_index: int  # which FIT file of a chained file (0 when not chained)
    sport: str
    sub_sport: str
    start_time_utc: datetime
    utc_offset_s: int | None  # None when the file has no local_timestamp
    elapsed_s: float
    distance_m: float | None
    avg_hr: int
    max_hr: int
    records: int
    active_sets: int
    rest_sets: int
    device: str
    category: str  # the intended class: "resistance" or "other"
    top_sets: tuple[tuple[str, float, int], ...] = ()  # per FIT exercise category: heaviest set (kg, reps)


@dataclass(frozen=True, slots=True)
class FitFile:
    """One generated file: a suggested relative path, its bytes, and what it holds."""

    name: str
    file_type: str  # FIT file type of its (first) file_id
    data: bytes = field(repr=False)
    activities: tuple[ActivitySummary, ...] = ()
    chained: int = 1  # number of FIT files in the stream


def summarize(plan: ActivityPlan, *, chain_index: int = 0, first_index: int = 0) -> tuple[ActivitySummary, ...]:
    """The expectations for each session of ``plan`` (the values :func:`encode_activity` writes)."""
    offset = plan.utc_offset_s if plan.device.local_time else None
    return tuple(
        ActivitySummary(
            session_index=first_index + index,
            chain_index=chain_index,
            sport=session.sport,
            sub_sport=session.sub_sport,
            start_time_utc=session.start,
            utc_offset_s=offset,
            elapsed_s=session.elapsed_s,
            distance_m=session.distance_m,
            avg_hr=session.avg_hr,
            max_hr=session.max_hr,
            records=len(session.track.seconds),
            active_sets=sum(1 for s in session.sets if s.active),
            rest_sets=sum(1 for s in session.sets if not s.active),
            device=plan.device.key,
            category="resistance" if session.sub_sport == "strength_training" else "other",
            top_sets=_top_sets(session.sets),
        )
        for index, session in enumerate(plan.sessions)
    )


def _top_sets(sets: Sequence[SetPlan]) -> tuple[tuple[str, float, int], ...]:
    best: dict[str, tuple[float, int]] = {}
    for s in sets:
        if s.lift is not None and s.weight_kg is not None and s.reps is not None:
            best[s.lift.category] = max(best.get(s.lift.category, (-1.0, 0)), (s.weight_kg, s.reps))
    return tuple((category, weight, reps) for category, (weight, reps) in best.items())


# ---- session builders --------------------------------------------------------------------------------------


def _hr_step(rng: random.Random, hr: float, target: float, rate: float) -> float:
    return hr + (target - hr) * rate + (rng.random() - 0.5) * 2.8


def _finish(
    sport: str,
    sub_sport: str,
    track: Track,
    elapsed_s: float,
    kcal_per_min: float,
    *,
    sets: tuple[SetPlan, ...] = (),
    lap_m: float | None = None,
) -> SessionPlan:
    hr = track.heart_rate
    return SessionPlan(
        sport=sport,
        sub_sport=sub_sport,
        start=track.start,
        elapsed_s=elapsed_s,
        track=track,
        avg_hr=round(sum(hr) / len(hr)),
        max_hr=max(hr),
        calories=round(kcal_per_min * elapsed_s / 60),
        distance_m=track.distance[-1] if track.distance else None,
        sets=sets,
        lap_m=lap_m,
    )


def strength_session(
    rng: random.Random,
    start: datetime,
    exercises: Sequence[tuple[Lift, float, int]],
    *,
    with_sets: bool = True,
    record_every_s: int = 2,
) -> SessionPlan:
    """A training/strength_training session: per (lift, weight kg, reps), ``lift.sets`` active sets.

    Active sets alternate with rest sets (no warm-up sets); heart rate climbs during sets and settles during
    rests, sampled every ``record_every_s`` seconds (watches use "smart" recording for strength).
    ``with_sets=False`` gives the same session as a watch without set recording would store it.
    """
    clock = start + timedelta(seconds=rng.randint(60, 240))
    sets: list[SetPlan] = []
    for number, (lift, weight, reps) in enumerate(exercises):
        if number:
            rest = rng.randint(150, 300)  # moving to the next lift
            sets.append(SetPlan(clock, float(rest), None))
            clock += timedelta(seconds=rest)
        for set_number in range(lift.sets):
            done = max(1, reps - (1 if set_number == lift.sets - 1 and rng.random() < 0.4 else 0))
            duration = round(done * rng.uniform(2.6, 3.8) + rng.uniform(2, 6), 3)
            sets.append(SetPlan(clock, duration, lift, done, weight))
            clock += timedelta(seconds=math.ceil(duration))
            if set_number < lift.sets - 1:
                rest = rng.randint(90, 180)
                sets.append(SetPlan(clock, float(rest), None))
                clock += timedelta(seconds=rest)
    elapsed = (clock - start).total_seconds() + rng.randint(60, 180)

    active_until = [(s.start, s.start + timedelta(seconds=s.duration_s)) for s in sets if s.active]
    seconds, heart_rate = [], []
    hr, window = 78.0, 0
    for offset in range(0, int(elapsed), record_every_s):
        moment = start + timedelta(seconds=offset)
        while window < len(active_until) and active_until[window][1] < moment:
            window += 1
        lifting = window < len(active_until) and active_until[window][0] <= moment
        for _ in range(record_every_s):
            hr = _hr_step(rng, hr, 148.0 if lifting else 96.0, 0.06 if lifting else 0.03)
        seconds.append(offset)
        heart_rate.append(round(hr))
    track = Track(start=start, seconds=tuple(seconds), heart_rate=tuple(heart_rate))
    return _finish("training", "strength_training", track, elapsed, 6.0, sets=tuple(sets) if with_sets else ())


def endurance_session(
    rng: random.Random,
    start: datetime,
    sport: str,
    duration_s: int,
    *,
    sub_sport: str = "generic",
    speed_mps: float | None = None,
) -> SessionPlan:
    """A run or ride sampled at 1 Hz: heart rate, speed, distance, altitude, GPS, cadence (rides: power)."""
    cycling = sport == "cycling"
    speed_target = speed_mps or (rng.uniform(7.0, 8.6) if cycling else rng.uniform(2.7, 3.3))
    hr_target = rng.uniform(138, 156) if cycling else rng.uniform(142, 162)
    cadence_target = 88 if cycling else 84
    lat, lon = ORIGIN[0] + rng.uniform(-0.02, 0.02), ORIGIN[1] + rng.uniform(-0.03, 0.03)
    heading = rng.uniform(0, 2 * math.pi)
    lon_scale = METRES_PER_DEGREE * math.cos(math.radians(lat))
    noise = rng.random  # centred uniform noise is cheaper than gauss and looks the same at 1 Hz
    hr, speed, distance = 72.0, 0.0, 0.0
    heart_rate, speeds, distances, altitudes, lats, lons, cadences, powers = ([] for _ in range(8))
    for second in range(duration_s):
        ramp = min(1.0, second / 120)
        speed = max(0.0, speed + (speed_target * ramp - speed) * 0.2 + (noise() - 0.5) * 0.28)
        distance += speed
        heading += (noise() - 0.5) * 0.1
        lat += speed * math.cos(heading) / METRES_PER_DEGREE
        lon += speed * math.sin(heading) / lon_scale
        hr += (hr_target + 8 * second / duration_s - hr) * 0.02 + (noise() - 0.5) * 2.8
        heart_rate.append(round(hr))
        speeds.append(round(speed, 3))
        distances.append(round(distance, 2))
        altitudes.append(round(36 + 12 * math.sin(distance / 900) + 4 * math.sin(distance / 217), 1))
        lats.append(lat)
        lons.append(lon)
        wobble = noise() - 0.5
        cadences.append(max(0, round(cadence_target * ramp + wobble * 5)))
        powers.append(max(0, round(3.2 * speed * speed + 60 * ramp + wobble * 40)))
    track = Track(
        start=start,
        seconds=tuple(range(duration_s)),
        heart_rate=tuple(heart_rate),
        speed=tuple(speeds),
        distance=tuple(distances),
        altitude=tuple(altitudes),
        lat=tuple(lats),
        lon=tuple(lons),
        cadence=tuple(cadences),
        power=tuple(powers) if cycling else None,
    )
    kcal = 9.0 if cycling else 11.0
    return _finish(sport, sub_sport, track, float(duration_s), kcal, lap_m=5000.0 if cycling else 1000.0)


def heart_rate_session(
    rng: random.Random,
    start: datetime,
    sport: str,
    sub_sport: str,
    duration_s: int,
    *,
    low: float,
    high: float,
    period_s: int,
    kcal_per_min: float,
) -> SessionPlan:
    """A session with heart rate only, swinging between ``low`` and ``high`` (yoga: slowly; HIIT: fast)."""
    hr, heart_rate = low, []
    for second in range(duration_s):
        target = high if (second // (period_s // 2)) % 2 else low
        hr = _hr_step(rng, hr, target, 0.05)
        heart_rate.append(round(hr))
    track = Track(start=start, seconds=tuple(range(duration_s)), heart_rate=tuple(heart_rate))
    return _finish(sport, sub_sport, track, float(duration_s), kcal_per_min)


# ---- encoding ----------------------------------------------------------------------------------------------


def _semicircles(degrees: float) -> int:
    return round(degrees * SEMICIRCLES_PER_DEGREE)


def _file_id(fit: FitWriter, device: Device, file_type: str, created: datetime) -> None:
    fit.message(
        "file_id",
        type=file_type,
        manufacturer=device.manufacturer,
        product=device.product,
        serial_number=device.serial_number,
        time_created=created,
        **({} if device.manufacturer == "garmin" else {"product_name": device.product_name}),
    )


def _records(fit: FitWriter, device: Device, track: Track) -> None:
    base = fit_seconds(track.start)
    names: list[str] = ["timestamp"]
    columns: list[Sequence[FieldValue]] = [[base + s for s in track.seconds]]
    if track.lat is not None and track.lon is not None:
        names += ["position_lat", "position_long"]
        columns += [[_semicircles(v) for v in track.lat], [_semicircles(v) for v in track.lon]]
    optional: list[tuple[str, Sequence[FieldValue] | None]] = [
        ("distance", track.distance),
        ("enhanced_speed" if device.enhanced else "speed", track.speed),
        ("enhanced_altitude" if device.enhanced else "altitude", track.altitude),
        ("heart_rate", track.heart_rate),
        ("cadence", track.cadence),
        ("power", track.power),
    ]
    for name, column in optional:
        if column is not None:
            names.append(name)
            columns.append(column)
    fit.messages("record", names, zip(*columns, strict=True))


def _sets(fit: FitWriter, session: SessionPlan) -> None:
    for index, s in enumerate(session.sets):
        lift = s.lift
        fit.message(
            "set",
            timestamp=session.start,
            duration=s.duration_s,
            repetitions=s.reps,
            weight=s.weight_kg,
            set_type="active" if lift else "rest",
            start_time=s.start,
            category=[lift.category, *lift.alternatives] if lift else [None, None, None],
            category_subtype=[lift.subtype, None, None] if lift else [None, None, None],
            weight_display_unit="kilogram" if lift else None,
            message_index=index,
        )


def _lap_bounds(session: SessionPlan) -> list[tuple[int, int]]:
    """Index ranges [first, last) of the track's samples in each lap."""
    track, count = session.track, len(session.track.seconds)
    if session.lap_m is None or track.distance is None:
        return [(0, count)]
    bounds: list[tuple[int, int]] = []
    first = 0
    for index, distance in enumerate(track.distance):
        if distance >= session.lap_m * (len(bounds) + 1):
            bounds.append((first, index + 1))
            first = index + 1
    if first < count:
        bounds.append((first, count))
    return bounds


def _laps(fit: FitWriter, device: Device, session: SessionPlan, first_index: int) -> int:
    track = session.track
    bounds = _lap_bounds(session)
    for number, (first, last) in enumerate(bounds):
        lap_start = track.start + timedelta(seconds=track.seconds[first])
        lap_end = session.end if last == len(track.seconds) else track.start + timedelta(seconds=track.seconds[last])
        hr = track.heart_rate[first:last]
        begin = track.distance[first - 1] if track.distance and first else 0.0
        fit.message(
            "lap",
            timestamp=lap_end,
            start_time=lap_start,
            total_elapsed_time=(lap_end - lap_start).total_seconds(),
            total_timer_time=(lap_end - lap_start).total_seconds(),
            total_distance=track.distance[last - 1] - begin if track.distance else None,
            avg_heart_rate=round(sum(hr) / len(hr)),
            max_heart_rate=max(hr),
            event="lap",
            event_type="stop",
            lap_trigger="session_end" if number == len(bounds) - 1 else "distance",
            sport=session.sport,
            message_index=first_index + number,
        )
    return len(bounds)


def encode_activity(plan: ActivityPlan) -> bytes:
    """One FIT activity file: file_id, device_info, timer events, records, sets, laps, sessions, activity."""
    device, sessions = plan.device, plan.sessions
    start, end = sessions[0].start, sessions[-1].end
    fit = FitWriter()
    _file_id(fit, device, "activity", start)
    fit.message(
        "device_info",
        timestamp=start,
        device_index="creator",
        manufacturer=device.manufacturer,
        product=device.product,
        serial_number=device.serial_number,
        software_version=21.19,
        source_type="local",
        product_name=device.product_name,
    )
    fit.message("event", timestamp=start, event="timer", event_type="start", event_group=0)
    for session in sessions:
        _records(fit, device, session.track)
    for session in sessions:
        _sets(fit, session)
    fit.message("event", timestamp=end, event="timer", event_type="stop_all", event_group=0)
    lap_counts: list[int] = []
    for session in sessions:
        lap_counts.append(_laps(fit, device, session, sum(lap_counts)))
    for index, session in enumerate(sessions):
        fit.message(
            "session",
            timestamp=session.end,
            start_time=session.start,
            sport=session.sport,
            sub_sport=session.sub_sport,
            total_elapsed_time=session.elapsed_s,
            total_timer_time=session.timer,
            total_distance=session.distance_m,
            total_calories=session.calories,
            avg_heart_rate=session.avg_hr,
            max_heart_rate=session.max_hr,
            first_lap_index=sum(lap_counts[:index]),
            num_laps=lap_counts[index],
            event="session",
            event_type="stop",
            trigger="activity_end",
            message_index=index,
        )
    total_timer = sum(session.timer for session in sessions)
    local = {"local_timestamp": end + timedelta(seconds=plan.utc_offset_s)} if device.local_time else {}
    fit.message(
        "activity",
        timestamp=end,
        total_timer_time=total_timer,
        num_sessions=len(sessions),
        type="auto_multi_sport" if len(sessions) > 1 else "manual",
        event="activity",
        event_type="stop",
        **local,
    )
    return fit.to_bytes()


# ---- non-activity files ------------------------------------------------------------------------------------


def other_files(start: date, *, zone: str = DEFAULT_ZONE) -> list[FitFile]:
    """Non-activity FIT files a watch or Garmin Connect also makes: settings, a workout plan, monitoring."""
    device = DEVICES["garmin_fr965"]
    created = _utc(start, time(6, 0), zone)
    offset = _offset_s(created, zone)

    settings = FitWriter()
    _file_id(settings, device, "settings", created)
    settings.message(
        "user_profile",
        friendly_name="Sample Athlete",
        gender="female",
        age=34,
        height=1.70,
        weight=64.0,
        resting_heart_rate=52,
        default_max_heart_rate=188,
        language="english",
        weight_setting="metric",
    )
    settings.message("device_settings", utc_offset=offset, time_zone_offset=offset / 3600, time_mode="hour24")

    workout = FitWriter()
    _file_id(workout, DEVICES["garmin_fr965"], "workout", created)
    steps = (LIFTS["back squat"], LIFTS["bench press"], LIFTS["barbell row"])
    workout.message(
        "workout",
        sport="training",
        sub_sport="strength_training",
        num_valid_steps=len(steps) * 2,
        wkt_name="Strength A",
    )
    for index, lift in enumerate(steps):
        workout.message(
            "workout_step",
            message_index=2 * index,
            wkt_step_name=lift.name,
            duration_type="reps",
            duration_value=lift.reps[0],
            target_type="open",
            intensity="active",
            exercise_category=lift.category,
            exercise_name=lift.subtype,
            exercise_weight=lift.start_kg,
            weight_display_unit="kilogram",
        )
        workout.message(
            "workout_step",
            message_index=2 * index + 1,
            duration_type="time",
            duration_value=120_000,
            target_type="open",
            intensity="rest",
        )

    monitoring = FitWriter()
    _file_id(monitoring, device, "monitoring_b", created)
    monitoring.message("monitoring_info", timestamp=created, local_timestamp=created + timedelta(seconds=offset))
    rng = random.Random(f"monitoring:{start.isoformat()}")
    monitoring.messages(
        "monitoring",
        ["timestamp", "heart_rate", "activity_type"],
        [(created + timedelta(minutes=15 * i), rng.randint(50, 90), "sedentary") for i in range(96)],
    )
    return [
        FitFile("settings.fit", "settings", settings.to_bytes()),
        FitFile("workout-strength-a.fit", "workout", workout.to_bytes()),
        FitFile("monitoring.fit", "monitoring_b", monitoring.to_bytes()),
    ]


# ---- histories ---------------------------------------------------------------------------------------------


def _utc(day: date, clock: time, zone: str) -> datetime:
    return datetime.combine(day, clock, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def _offset_s(moment: datetime, zone: str) -> int:
    offset = moment.astimezone(ZoneInfo(zone)).utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def progression(rng: random.Random, weeks: int) -> list[int]:
    """Load steps per week for one lift: mostly +1, some holds and drops; week 4 holds, week 8 deloads."""
    level, levels = 0, []
    for week in range(weeks):
        if week == 0 or week == 4:
            delta = 0
        elif week == 8:
            delta = -2
        else:
            delta = rng.choices((1, 0, -1), weights=(68, 22, 10))[0]
        level += delta
        levels.append(level)
    return levels


def _prescription(lift: Lift, level: int, rng: random.Random, *, light: bool = False) -> tuple[Lift, float, int]:
    low, high = lift.reps
    if lift.step_kg == 0:  # bodyweight: reps progress
        return lift, 0.0, max(3, low + level // 2)
    weight = lift.start_kg + lift.step_kg * level
    if light:
        weight *= 0.9
    quantum = lift.step_kg
    return lift, max(quantum, round(weight / quantum) * quantum), rng.randint(low, high)


_WORKOUTS: dict[str, tuple[str, ...]] = {
    "A": ("back squat", "bench press", "barbell row"),
    "B": ("deadlift", "overhead press", "pull-up"),
    "C": ("back squat", "bench press", "pull-up"),
    "M": ("bench press", "barbell row"),
}


def training_history(start: date, weeks: int = 14, seed: int = 0, *, zone: str = DEFAULT_ZONE) -> list[FitFile]:
    """An athlete's activity files over ``weeks`` weeks from ``start`` (treated as the first day of week 0).

    A week: strength A (day 0), an easy run (day 1), a ride (day 2), strength B (day 3), a long run (day 5),
    and strength C on day 6 of even weeks. Once each: yoga (week 1), HIIT (week 4), strength C recorded
    without set messages by a Suunto (week 6), a multisport file with strength then a run (week 9, instead of
    the long run), and a ride and a run chained in one file (week 11, instead of the ride). Needs
    ``weeks >= 12``. Local times are in ``zone``; files are named by local date and time.
    """
    if weeks < 12:
        raise ValueError("a training history needs at least 12 weeks")
    levels = {name: progression(random.Random(f"{seed}:progression:{name}"), weeks) for name in LIFTS}
    files: list[FitFile] = []

    def rng_for(tag: str) -> random.Random:
        return random.Random(f"{seed}:{tag}")

    def add(slug: str, moment: datetime, plans: Sequence[ActivityPlan]) -> None:
        local = moment.astimezone(ZoneInfo(zone))
        name = f"{local:%Y-%m}/{local:%Y-%m-%d-%H%M}-{slug}.fit"
        summaries: list[ActivitySummary] = []
        for index, plan in enumerate(plans):
            summaries += summarize(plan, chain_index=index, first_index=len(summaries))
        data = chain(*(encode_activity(plan) for plan in plans))
        files.append(FitFile(name, "activity", data, tuple(summaries), chained=len(plans)))

    def plan(device: str, *sessions: SessionPlan) -> ActivityPlan:
        return ActivityPlan(DEVICES[device], tuple(sessions), _offset_s(sessions[-1].end, zone))

    def strength(week: int, workout: str, moment: datetime, rng: random.Random, **kwargs: bool) -> SessionPlan:
        exercises = [
            _prescription(LIFTS[name], levels[name][week], rng, light=workout == "C") for name in _WORKOUTS[workout]
        ]
        return strength_session(rng, moment, exercises, **kwargs)

    for week in range(weeks):
        day0 = start + timedelta(days=7 * week)

        def at(day: int, hour: int, minute: int = 0) -> datetime:
            return _utc(day0 + timedelta(days=day), time(hour, minute), zone)  # noqa: B023 - used immediately

        rng = rng_for(f"w{week}:A")
        add("strength", at(0, 7), [plan("garmin_fr965", strength(week, "A", at(0, 7), rng))])

        rng = rng_for(f"w{week}:easy-run")
        device = "coros_pace3" if week % 2 else "garmin_fr965"
        run = endurance_session(rng, at(1, 18, 30), "running", rng.randint(30, 40) * 60, sub_sport="street")
        add("run", at(1, 18, 30), [plan(device, run)])

        rng = rng_for(f"w{week}:ride")
        device = "wahoo_bolt" if week % 2 == 0 else "garmin_edge1040"
        ride = endurance_session(rng, at(2, 18), "cycling", rng.randint(45, 60) * 60, sub_sport="road")
        if week == 11:
            brick_run = endurance_session(rng, ride.end + timedelta(minutes=4), "running", 15 * 60)
            add("brick", at(2, 18), [plan("garmin_edge1040", ride), plan("garmin_fr965", brick_run)])
        else:
            add("ride", at(2, 18), [plan(device, ride)])

        rng = rng_for(f"w{week}:B")
        add("strength", at(3, 7), [plan("garmin_fr965", strength(week, "B", at(3, 7), rng))])

        if week == 1:
            rng = rng_for("yoga")
            yoga = heart_rate_session(
                rng, at(4, 19), "training", "yoga", 45 * 60, low=68, high=92, period_s=600, kcal_per_min=3.5
            )
            add("yoga", at(4, 19), [plan("garmin_venu3", yoga)])
        if week == 4:
            rng = rng_for("hiit")
            hiit = heart_rate_session(
                rng, at(4, 18), "hiit", "hiit", 30 * 60, low=118, high=172, period_s=80, kcal_per_min=10.5
            )
            add("hiit", at(4, 18), [plan("garmin_fr965", hiit)])

        rng = rng_for(f"w{week}:long")
        if week == 9:
            lifting = strength(week, "M", at(5, 9), rng)
            run = endurance_session(rng, lifting.end + timedelta(minutes=3), "running", 30 * 60, sub_sport="street")
            add("multisport", at(5, 9), [plan("garmin_fenix7", lifting, run)])
        else:
            device = "suunto_race" if week % 3 == 2 else "garmin_fr965"
            run = endurance_session(
                rng,
                at(5, 9),
                "running",
                rng.randint(45, 65) * 60,
                sub_sport="trail",
                speed_mps=rng.uniform(2.6, 2.9),
            )
            add("run", at(5, 9), [plan(device, run)])

        if week % 2 == 0:
            rng = rng_for(f"w{week}:C")
            if week == 6:
                add(
                    "strength",
                    at(6, 17),
                    [plan("suunto_race", strength(week, "C", at(6, 17), rng, with_sets=False))],
                )
            else:
                add("strength", at(6, 17), [plan("garmin_fr965", strength(week, "C", at(6, 17), rng))])
    return files


# ---- benchmark corpus --------------------------------------------------------------------------------------


def corpus_activity(index: int, seed: int, start: date, *, zone: str = DEFAULT_ZONE) -> ActivityPlan:
    """Activity ``index`` of a benchmark corpus: 40% runs, 25% rides, 35% strength; ~1,500 records average."""
    rng = random.Random(f"corpus:{seed}:{index}")
    moment = _utc(start + timedelta(days=index // 2), time(7 if index % 2 == 0 else 18, rng.randint(0, 59)), zone)
    kind = rng.random()
    if kind < 0.40:
        session = endurance_session(rng, moment, "running", rng.randint(900, 2400), sub_sport="street")
        device = rng.choice(("garmin_fr965", "coros_pace3", "suunto_race"))
    elif kind < 0.65:
        session = endurance_session(rng, moment, "cycling", rng.randint(1200, 3000), sub_sport="road")
        device = rng.choice(("garmin_edge1040", "wahoo_bolt"))
    else:
        names = rng.choice(list(_WORKOUTS.values()))
        exercises = [_prescription(LIFTS[name], rng.randint(0, 12), rng) for name in names]
        session = strength_session(rng, moment, exercises)
        device = "garmin_fr965"
    return ActivityPlan(DEVICES[device], (session,), _offset_s(session.end, zone))


def generate_corpus(out_dir: Path | str, n_files: int, seed: int = 0, *, start: date = date(2022, 1, 3)) -> list[Path]:
    """Write ``n_files`` distinct activity files (``NNNNN-<sport>.fit``) to ``out_dir``; return their paths.

    Two activities a day from ``start``; the same ``(n_files, seed, start)`` always gives the same bytes.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(n_files):
        plan = corpus_activity(index, seed, start)
        path = out / f"{index:05d}-{plan.sessions[0].sport}.fit"
        path.write_bytes(encode_activity(plan))
        paths.append(path)
    return paths
