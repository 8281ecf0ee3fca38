"""The cases of real exports that once lost or double-counted training, as generated files with what must happen.

Every file here is of one athlete who lives 4 hours behind UTC (New York in September) and has **no settings file**:
the times of their CSV exports are placed by their own watch (:mod:`fitbalance.offsets`).

- ``indoor-ride-no-hr-strap.fit``: a trainer ride without a heart-rate strap. The device wrote 0 for "no reading"
  in the session's and the lap's average and maximum heart rate and in every record. It loads; the heart-rate fields
  are null, with one repair per column (``no_reading``).
- ``clock-jump-ride.fit``: a two-hour ride whose session says it lasted three weeks (the device clock jumped; the
  timer time is right). It loads; its minutes are the timer's; the elapsed times are nulled and recorded.
- ``fenix8-strength.fit`` and ``hevy-same-session.csv``: one strength session, recorded by a fenix 8 (20:42 UTC,
  local 16:42: its activity message says so) and logged in Hevy as "1 Sep 2025, 16:42" without a zone. The Hevy time
  is placed by the watch (``learned``), the two are one session, and the week counts one strength session.
- ``garmin-row-dated-1985.csv``: a Garmin Connect export of four runs, one of them dated 1985 (a date the reader can
  read but no history holds). That row is quarantined alone, naming its line; the other runs load, placed by the
  watch.

:func:`case_files` gives each file's bytes and its expectations (for ``EXPECTED.json``, under ``"cases"``), made from
the generator's own plan, never from running a reader.
"""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

from synth import csv_samples
from synth.history import (
    DEVICES,
    LIFTS,
    ActivityPlan,
    SessionPlan,
    encode_activity,
    endurance_session,
    strength_session,
)

__all__ = ["CASE_OFFSET_S", "FOLDER", "case_files"]

FOLDER = "cases"
CASE_OFFSET_S = -4 * 3600  # New York in September (EDT)
PAIR_UTC = datetime(2025, 9, 1, 20, 42, tzinfo=UTC)  # Monday 16:42 local
RIDE_UTC = datetime(2025, 9, 2, 22, 5, tzinfo=UTC)  # Tuesday 18:05 local
JUMP_UTC = datetime(2025, 9, 4, 21, 30, tzinfo=UTC)  # Thursday 17:30 local
JUMP_ELAPSED_S = 21 * 24 * 3600.0  # what the session says: three weeks
JUMP_TIMER_S = 2 * 3600.0  # what the rider rode
DATED_1985 = "1985-06-15 07:30:00"
SEED = "issue-11-cases"


def _local(moment: datetime) -> datetime:
    return (moment + timedelta(seconds=CASE_OFFSET_S)).replace(tzinfo=None)


def _plan(session: SessionPlan, device: str = "garmin_edge1040") -> ActivityPlan:
    return ActivityPlan(DEVICES[device], (session,), CASE_OFFSET_S)


def _repair(table: str, column: str, rule: str, original: str, rows: int = 1) -> dict[str, Any]:
    return {"table": table, "column": column, "rule": rule, "original": original, "rows": rows}


def indoor_ride(rng: random.Random) -> tuple[bytes, dict[str, Any]]:
    """A trainer ride with no strap: heart rate 0 everywhere, no GPS."""
    ride = endurance_session(rng, RIDE_UTC, "cycling", 3600, sub_sport="indoor_cycling")
    records = len(ride.track.seconds)
    track = dataclasses.replace(ride.track, heart_rate=(0,) * records, lat=None, lon=None, altitude=None)
    session = dataclasses.replace(ride, track=track, avg_hr=0, max_hr=0, lap_m=None)
    expect = {
        "status": "loaded",
        "activities": 1,
        "samples": records,
        "start_time_utc": RIDE_UTC.replace(tzinfo=None).isoformat(),
        "utc_offset_s": CASE_OFFSET_S,
        "utc_offset_source": "fit",
        "minutes": session.elapsed_s / 60,
        "heart_rate_samples": 0,
        "repairs": [
            _repair("activities", "avg_hr", "no_reading", "0"),
            _repair("activities", "max_hr", "no_reading", "0"),
            _repair("laps", "avg_hr", "no_reading", "0"),
            _repair("laps", "max_hr", "no_reading", "0"),
            _repair("samples", "heart_rate", "no_reading", "0", records),
        ],
    }
    return encode_activity(_plan(session)), expect


def clock_jump_ride(rng: random.Random) -> tuple[bytes, dict[str, Any]]:
    """Two hours of riding in a session whose elapsed time (and so its one lap's) says three weeks."""
    ride = endurance_session(rng, JUMP_UTC, "cycling", int(JUMP_TIMER_S), sub_sport="road")
    session = dataclasses.replace(ride, elapsed_s=JUMP_ELAPSED_S, timer_s=JUMP_TIMER_S, lap_m=None)
    weeks = f"{JUMP_ELAPSED_S:.0f}"
    expect = {
        "status": "loaded",
        "activities": 1,
        "samples": len(ride.track.seconds),
        "start_time_utc": JUMP_UTC.replace(tzinfo=None).isoformat(),
        "utc_offset_s": CASE_OFFSET_S,
        "utc_offset_source": "fit",
        "minutes": JUMP_TIMER_S / 60,
        "repairs": [
            _repair("activities", "elapsed_s", "elapsed_beyond_timer", weeks),
            _repair("laps", "elapsed_s", "impossible", weeks),
        ],
    }
    return encode_activity(_plan(session)), expect


PAIR_LIFTS = ((LIFTS["bench press"], 60.0, 8), (LIFTS["back squat"], 80.0, 5))


def strength_pair(rng: random.Random) -> tuple[bytes, dict[str, Any], bytes, dict[str, Any]]:
    """The watch's FIT file of a strength session and the Hevy export of the same session."""
    session = strength_session(rng, PAIR_UTC, list(PAIR_LIFTS))
    fit = encode_activity(_plan(session, "garmin_fenix8"))
    local = _local(PAIR_UTC)
    sets = (
        csv_samples.LiftSet("Bench Press (Barbell)", "warmup", 40.0, 10),
        *[csv_samples.LiftSet("Bench Press (Barbell)", "normal", 62.5, 8) for _ in range(4)],
        *[csv_samples.LiftSet("Squat (Barbell)", "normal", 82.5, 5) for _ in range(4)],
    )
    workout = csv_samples.Workout("Push Pull", local, round(session.elapsed_s / 60), sets)
    hevy = csv_samples.hevy([workout])
    fit_expect = {
        "status": "loaded",
        "activities": 1,
        "start_time_utc": PAIR_UTC.replace(tzinfo=None).isoformat(),
        "utc_offset_s": CASE_OFFSET_S,
        "utc_offset_source": "fit",
        "active_sets": sum(1 for s in session.sets if s.active),
        "counts": True,
    }
    hevy_expect = {
        "status": "loaded",
        "activities": 1,
        "sets": len(sets),
        "start_time_local": local.isoformat(),
        "start_time_utc": PAIR_UTC.replace(tzinfo=None).isoformat(),
        "utc_offset_s": CASE_OFFSET_S,
        "utc_offset_source": "learned",
        "duplicate_of": f"{FOLDER}/fenix8-strength.fit",
    }
    return fit, fit_expect, hevy, hevy_expect


def garmin_with_1985(rng: random.Random) -> tuple[bytes, dict[str, Any]]:
    """Four runs of the week in Garmin Connect's English export; the second data row is dated 1985."""
    week = csv_samples.runs(rng, date(2025, 9, 1), 2)[:4]
    lines = csv_samples.garmin_english(rng, week, []).decode("utf-8").splitlines()
    index = 2  # the second data row (line 3 of the file)
    written = lines[index].split(",")[1]
    lines[index] = lines[index].replace(written, DATED_1985, 1)
    expect = {
        "status": "loaded",
        "activities": len(week) - 1,
        "quarantined_lines": [index + 1],
        "quarantine_stage": "validate:activities",
        "utc_offset_source": "learned",
    }
    return ("\n".join(lines) + "\n").encode("utf-8"), expect


def case_files() -> dict[str, tuple[bytes, dict[str, Any]]]:
    """``cases/<name>`` -> (bytes, what must happen to it). The same bytes on every call."""
    fit, fit_expect, hevy, hevy_expect = strength_pair(random.Random(f"{SEED}:pair"))
    made = {
        "indoor-ride-no-hr-strap.fit": indoor_ride(random.Random(f"{SEED}:ride")),
        "clock-jump-ride.fit": clock_jump_ride(random.Random(f"{SEED}:jump")),
        "fenix8-strength.fit": (fit, fit_expect),
        "hevy-same-session.csv": (hevy, hevy_expect),
        "garmin-row-dated-1985.csv": garmin_with_1985(random.Random(f"{SEED}:garmin")),
    }
    return {f"{FOLDER}/{name}": value for name, value in made.items()}
