"""What TCX and GPX share: a recorded track as activity, samples and laps rows, and the rule for a stub.

A track's times are instants: ``Z`` (UTC, the local offset unknown: the store places the offset by the athlete's
FIT files or zone, and keeps the UTC time) or with their own offset (``+01:00``: kept, never placed again).

**A stub** is an activity of a few seconds with no movement (a watch started and stopped by mistake, a GPX of one
point): shorter than :data:`STUB_SECONDS` and moving less than :data:`STUB_METRES`. It is not loaded as a workout:
it is set aside as a quarantine row (with one row per table for its samples and laps, saying how many).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise
from typing import Any

import polars as pl

from fitbalance.models import RAW_ACTIVITY_SCHEMA, RAW_LAP_SCHEMA, RAW_SAMPLE_SCHEMA, Rejected
from fitbalance.sources.xml import parse_time

STUB_SECONDS = 60.0
STUB_METRES = 10.0
EARTH_RADIUS_M = 6_371_008.8


def instant(text: str) -> tuple[datetime, int | None]:
    """A track time: UTC and its own offset, None for ``Z`` or no zone (an instant whose local offset is unknown)."""
    utc, offset = parse_time(text)
    if text.strip().endswith(("Z", "z")):
        return utc, None
    return utc, offset


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


@dataclass
class Session:
    """One recorded activity while it is read: its summary values, its samples and laps (raw contract rows)."""

    line: int
    sport: str = "generic"
    sub_sport: str = "generic"
    name: str | None = None
    start: datetime | None = None
    offset: int | None = None
    ref: str | None = None
    device: str | None = None
    elapsed_s: float | None = None
    moving_s: float | None = None
    distance_m: float | None = None
    calories_kcal: float | None = None
    avg_hr: float | None = None
    max_hr: float | None = None
    samples: list[dict[str, Any]] = field(default_factory=list)
    laps: list[dict[str, Any]] = field(default_factory=list)

    def track_distance_m(self) -> float | None:
        """The distance the samples give: their last cumulative distance, else the sum of their GPS steps."""
        cumulative = [s["distance_m"] for s in self.samples if s.get("distance_m") is not None]
        if cumulative:
            return float(max(cumulative))
        points = [(s["lat"], s["lon"]) for s in self.samples if s.get("lat") is not None and s.get("lon") is not None]
        if len(points) < 2:
            return None
        return sum(haversine_m(*a, *b) for a, b in pairwise(points))

    def fill(self) -> None:
        """Summary values the file did not give, from the samples: start, elapsed time, distance, heart rate."""
        times = [s["timestamp_utc"] for s in self.samples]
        if self.start is None and times:
            self.start = min(times)
        if times and self.start is not None:
            span = (max(times) - self.start).total_seconds()
            self.elapsed_s = max(self.elapsed_s or 0.0, span) if self.elapsed_s is not None else span
        if self.distance_m is None:
            self.distance_m = self.track_distance_m()
        rates = [s["heart_rate"] for s in self.samples if s.get("heart_rate")]
        if self.avg_hr is None and rates:
            self.avg_hr = sum(rates) / len(rates)
        if self.max_hr is None and rates:
            self.max_hr = float(max(rates))

    @property
    def is_stub(self) -> bool:
        return (self.elapsed_s or 0.0) < STUB_SECONDS and (self.distance_m or 0.0) < STUB_METRES

    def row(self) -> dict[str, Any]:
        return {
            "source_line": self.line,
            "sport": self.sport,
            "sub_sport": self.sub_sport,
            "name": self.name,
            "start_time_utc": self.start,
            "utc_offset_s": self.offset,
            "utc_offset_source": "row" if self.offset is not None else None,
            "elapsed_s": self.elapsed_s,
            "moving_s": self.moving_s,
            "distance_m": self.distance_m,
            "calories_kcal": self.calories_kcal,
            "avg_hr": self.avg_hr,
            "max_hr": self.max_hr,
            "device": self.device,
            "source_ref": self.ref,
        }


def set_aside(session: Session, reason: str) -> list[Rejected]:
    """The quarantine rows of a session not loaded: the activity with its values, and how many samples and laps."""
    values = {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in session.row().items()}
    payload = json.dumps({"line": session.line, "activity": values}, ensure_ascii=False)
    where = f"line {session.line}: "
    rows = [Rejected(where + reason, line=session.line, payload=payload, table="activities")]
    if session.samples:
        rows.append(
            Rejected(where + f"the samples of {reason}", line=session.line, table="samples", rows=len(session.samples))
        )
    if session.laps:
        rows.append(Rejected(where + f"the laps of {reason}", line=session.line, table="laps", rows=len(session.laps)))
    return rows


def frames(sessions: list[Session]) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, list[Rejected]]:
    """Activities, samples and laps frames of the sessions that load (numbered in order), and the stubs set aside."""
    activities: list[dict[str, Any]] = []
    samples: list[dict[str, Any]] = []
    laps: list[dict[str, Any]] = []
    rejected: list[Rejected] = []
    for session in sessions:
        session.fill()
        if session.start is None:
            rejected += set_aside(session, "activity with no time at all: not loaded")
            continue
        if session.is_stub:
            seconds = session.elapsed_s or 0.0
            moved = session.distance_m or 0.0
            rejected += set_aside(
                session,
                f"activity of {seconds:.0f} s moving {moved:.0f} m (under {STUB_SECONDS:.0f} s and "
                f"{STUB_METRES:.0f} m: started by mistake): not loaded",
            )
            continue
        index = len(activities)
        activities.append({**session.row(), "session_index": index})
        samples += [{**s, "session_index": index} for s in session.samples]
        laps += [{**lap, "session_index": index, "lap_index": i} for i, lap in enumerate(session.laps)]
    return (
        _frame(activities, RAW_ACTIVITY_SCHEMA),
        _frame(samples, RAW_SAMPLE_SCHEMA),
        _frame(laps, RAW_LAP_SCHEMA),
        rejected,
    )


def _frame(rows: list[dict[str, Any]], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return pl.from_dicts(rows, schema=schema) if rows else pl.DataFrame(schema=schema)


def local(name: str) -> str:
    """An element's name without its namespace prefix (``gpxtpx:hr`` -> ``hr``)."""
    return name.rpartition(":")[2]
