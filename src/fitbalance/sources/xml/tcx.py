"""TCX (Garmin's Training Center XML, v1 and v2): Garmin Connect, Polar Flow, Suunto, Strava, Wahoo and Fitbit write
it. Read as a stream.

Every ``<Activity>`` is one activity, also inside a ``<MultiSportSession>`` (each leg its own activity, like a FIT
multisport file's sessions). Its ``Sport`` attribute (``Running``, ``Biking``, ``Other``) gives the sport; an
activity of ``Other`` keeps generic with its ``<Notes>``, when there are any, as its name (the classifier reads
it). ``<Id>`` is its start, ``<Lap>`` its laps (``TotalTimeSeconds``: the timer time, ``DistanceMeters``,
``Calories``, average and maximum heart rate), ``<Trackpoint>`` its samples (time, position, altitude, distance,
heart rate, cadence, and speed and power from the ``TPX`` extension). ``<Creator><Name>`` is the device.

Times are instants: ``Z`` (the local offset is placed by the store) or with their offset (``+01:00``, kept). An
activity of a few seconds with no movement is set aside (:mod:`.track`). A trackpoint whose time cannot be read is
set aside as a row naming its line. A file with only ``<Courses>`` or ``<Workouts>`` (plans) is skipped with that
kind.
"""

from __future__ import annotations

import io
from datetime import timedelta
from typing import BinaryIO

from fitbalance.models import Decoded, Rejected
from fitbalance.sources.limits import check_rows
from fitbalance.sources.reading import ReadOptions
from fitbalance.sources.xml import Handlers, number, parse, root_element, whole
from fitbalance.sources.xml.track import Session, frames, instant, local

NAME = "tcx"
SPORTS = {
    "running": ("running", "generic"),
    "biking": ("cycling", "generic"),
    "cycling": ("cycling", "generic"),
    "walking": ("walking", "generic"),
    "swimming": ("swimming", "generic"),
    "other": ("generic", "generic"),
}
_SAMPLE_TEXT = {
    "AltitudeMeters": "altitude_m",
    "DistanceMeters": "distance_m",
    "Cadence": "cadence",
    "RunCadence": "cadence",
    "Speed": "speed_mps",
    "Watts": "power_w",
    "LatitudeDegrees": "lat",
    "LongitudeDegrees": "lon",
}


def detect(head: bytes, path: str) -> bool:
    return root_element(head) == "TrainingCenterDatabase"


def read(data: bytes, path: str, options: ReadOptions) -> Decoded:
    return read_stream(io.BytesIO(data), path, options)


def read_stream(stream: BinaryIO, path: str, options: ReadOptions) -> Decoded:
    reader = _Tcx()
    parse(stream, path, reader)
    sessions = reader.sessions
    if not sessions:
        kinds = " and ".join(sorted(reader.plans)) or "no activities"
        return Decoded(NAME, file_type="no_activities", detail=f"TCX with {kinds} (plans), no recorded activity")
    activities, samples, laps, stubs = frames(sessions)
    check_rows({"activities": activities.height, "samples": samples.height, "laps": laps.height}, path)
    return Decoded(NAME, activities=activities, samples=samples, laps=laps, rejected=tuple(reader.rejected + stubs))


class _Tcx(Handlers):
    want_text = True

    def __init__(self) -> None:
        self.sessions: list[Session] = []
        self.rejected: list[Rejected] = []
        self.plans: set[str] = set()
        self.stack: list[str] = []
        self.session: Session | None = None
        self.lap: dict[str, float | None] | None = None
        self.point: dict[str, object] | None = None
        self.point_line = 0
        self.lap_start: str | None = None
        self.buffer: list[str] = []

    def start(self, name: str, attrs: dict[str, str]) -> None:
        tag = local(name)
        self.stack.append(tag)
        self.buffer = []
        if tag == "Activity" and "Activities" in self.stack:
            sport = attrs.get("Sport", "Other")
            kind = SPORTS.get(sport.strip().lower(), ("generic", "generic"))
            self.session = Session(self.line(), sport=kind[0], sub_sport=kind[1], name=sport)
        elif tag in ("Courses", "Workouts"):
            self.plans.add(tag.lower())
        elif self.session is None:
            return
        elif tag == "Lap":
            self.lap = {}
            self.lap_start = attrs.get("StartTime")
        elif tag == "Trackpoint":
            self.point = {}
            self.point_line = self.line()

    def text(self, data: str) -> None:
        self.buffer.append(data)

    def end(self, name: str) -> None:
        tag = self.stack.pop() if self.stack else local(name)
        value = "".join(self.buffer).strip()
        self.buffer = []
        session = self.session
        if session is None:
            return
        parent = self.stack[-1] if self.stack else ""
        try:
            if tag == "Activity":
                self._end_activity(session)
            elif tag == "Trackpoint" and self.point is not None:
                self._end_point(session, self.point)
            elif self.point is not None:
                self._point_value(tag, parent, value)
            elif tag == "Lap" and self.lap is not None:
                self._end_lap(session, self.lap)
            elif self.lap is not None:
                self._lap_value(tag, parent, value)
            elif tag == "Id" and parent == "Activity" and value:
                session.ref = value
                session.start, session.offset = instant(value)
            elif tag == "Name" and parent == "Creator" and value:
                session.device = value
            elif tag == "Notes" and parent == "Activity" and value and session.sport == "generic":
                session.name = value[:200]
        except ValueError as exc:
            if tag == "Id":  # the laps and trackpoints still give the start
                session.ref = value
            elif self.point is not None:
                self._bad_point(f"{tag} {value!r}: {exc}")

    def _end_activity(self, session: Session) -> None:
        session.moving_s = sum(lap["elapsed_s"] or 0.0 for lap in session.laps) or None
        distances = [lap["distance_m"] for lap in session.laps if lap["distance_m"] is not None]
        session.distance_m = sum(distances) if distances else None
        calories = [lap.pop("_calories") for lap in session.laps if lap.get("_calories") is not None]
        session.calories_kcal = sum(calories) if calories else None
        for lap in session.laps:
            lap.pop("_calories", None)
        timed = [(lap["elapsed_s"] or 0.0, lap["avg_hr"]) for lap in session.laps if lap["avg_hr"]]
        if timed and sum(t for t, _ in timed) > 0:
            session.avg_hr = sum(t * hr for t, hr in timed) / sum(t for t, _ in timed)
        peaks = [lap["max_hr"] for lap in session.laps if lap["max_hr"]]
        session.max_hr = max(peaks) if peaks else None
        if session.start is None and session.laps:
            session.start = session.laps[0]["start_time_utc"]
        if session.laps and session.start is not None and session.laps[0]["start_time_utc"] is not None:
            last = session.laps[-1]
            end = last["start_time_utc"] + _seconds(last["elapsed_s"])
            session.elapsed_s = (end - session.start).total_seconds()
        self.sessions.append(session)
        self.session = None

    def _lap_value(self, tag: str, parent: str, value: str) -> None:
        assert self.lap is not None
        if tag == "TotalTimeSeconds":
            self.lap["elapsed_s"] = number(value)
        elif tag == "DistanceMeters" and parent == "Lap":
            self.lap["distance_m"] = number(value)
        elif tag == "Calories":
            self.lap["calories"] = number(value)
        elif tag == "Value" and parent == "AverageHeartRateBpm":
            self.lap["avg_hr"] = number(value)
        elif tag == "Value" and parent == "MaximumHeartRateBpm":
            self.lap["max_hr"] = number(value)

    def _end_lap(self, session: Session, lap: dict[str, float | None]) -> None:
        start = None
        if self.lap_start:
            try:
                start, _ = instant(self.lap_start)
            except ValueError:
                start = None
        session.laps.append(
            {
                "source_line": None,
                "start_time_utc": start,
                "elapsed_s": lap.get("elapsed_s"),
                "distance_m": lap.get("distance_m"),
                "avg_hr": lap.get("avg_hr"),
                "max_hr": lap.get("max_hr"),
                "_calories": lap.get("calories"),
            }
        )
        self.lap = None

    def _point_value(self, tag: str, parent: str, value: str) -> None:
        assert self.point is not None
        if tag == "Time":
            self.point["timestamp_utc"], _ = instant(value)
        elif tag == "Value" and parent == "HeartRateBpm":
            self.point["heart_rate"] = whole(value)
        elif tag in _SAMPLE_TEXT:
            self.point[_SAMPLE_TEXT[tag]] = number(value)

    def _end_point(self, session: Session, point: dict[str, object]) -> None:
        self.point = None
        if point.get("_bad"):
            return
        if "timestamp_utc" not in point:
            self._bad_point("no time", point)
            return
        session.samples.append({**point, "source_line": self.point_line})

    def _bad_point(self, reason: str, point: dict[str, object] | None = None) -> None:
        line = self.point_line
        self.rejected.append(Rejected(f"line {line}: trackpoint not read: {reason}", line=line, table="samples"))
        if self.point is not None:
            self.point["_bad"] = True


def _seconds(value: float | None) -> timedelta:
    return timedelta(seconds=value or 0.0)
