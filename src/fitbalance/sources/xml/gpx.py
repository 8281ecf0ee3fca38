"""GPX 1.0 and 1.1 tracks: Strava, Garmin Connect, Suunto, Polar, Komoot and most GPS apps write them. Read as a
stream.

Every ``<trk>`` with timed points is one activity: its ``<type>`` gives the sport when there is one (Garmin's FIT
names such as ``running``, app names such as ``Ride`` or ``Weight Training``, Strava's numeric codes), else the
classifier reads its ``<name>`` ("Morning Run"). Its points (``<trkpt>`` in every ``<trkseg>``) are its samples:
time, position, elevation, and from the extensions heart rate (``gpxtpx:hr``, ``ns3:hr``, ``hr``), cadence
(``cad``), power and speed. Its distance is the sum of the steps between points; its elapsed time from its first
to its last point. ``creator`` is the device.

Apple Health's ``workout-routes/route_*.gpx`` are the GPS tracks of workouts already in ``export.xml``: each
belongs to its workout, so it is skipped with that reason, not loaded as a second activity; the Apple Health reader
reads its points as the samples of its workout (:func:`track_points`). A GPX with routes
(``<rte>``) or waypoints only, or tracks without times, is a plan, skipped with that kind. An activity of a few
seconds with no movement is set aside (:mod:`.track`); a point whose time cannot be read is set aside as a row.
"""

from __future__ import annotations

import io
from typing import BinaryIO

from fitbalance.models import Decoded, Rejected
from fitbalance.sources.csv.helpers import fold_key
from fitbalance.sources.csv.sports import COMMON
from fitbalance.sources.limits import check_rows
from fitbalance.sources.reading import HEAD_BYTES, ReadOptions
from fitbalance.sources.xml import Handlers, number, parse, root_element, whole
from fitbalance.sources.xml.track import Session, frames, instant, local

NAME = "gpx"
APPLE_ROUTE = "Apple Health"
STRAVA_CODES = {"1": "Ride", "4": "Hike", "9": "Run", "10": "Walk"}
FIT_SPORTS = frozenset(
    {
        "running",
        "cycling",
        "walking",
        "hiking",
        "swimming",
        "rowing",
        "e_biking",
        "mountaineering",
        "cross_country_skiing",
        "alpine_skiing",
        "snowboarding",
        "snowshoeing",
        "inline_skating",
        "paddling",
        "kayaking",
        "stand_up_paddleboarding",
        "sailing",
        "surfing",
        "training",
        "generic",
    }
)
_POINT_TEXT = {
    "ele": "altitude_m",
    "hr": "heart_rate",
    "heartrate": "heart_rate",
    "cad": "cadence",
    "cadence": "cadence",
    "power": "power_w",
    "watts": "power_w",
    "speed": "speed_mps",
}


def detect(head: bytes, path: str) -> bool:
    return root_element(head) == "gpx"


def read(data: bytes, path: str, options: ReadOptions) -> Decoded:
    return read_stream(io.BytesIO(data), path, options)


def sport_of(type_text: str | None) -> tuple[str, str] | None:
    """FIT (sport, sub_sport) for a track's ``<type>``, None when it says nothing known."""
    if not type_text:
        return None
    text = STRAVA_CODES.get(type_text.strip(), type_text.strip())
    if text.lower() in FIT_SPORTS:
        return text.lower(), "generic"
    if text.lower() in ("strength_training", "strength"):
        return "training", "strength_training"
    return COMMON.get(fold_key(text))


def read_stream(stream: BinaryIO, path: str, options: ReadOptions) -> Decoded:
    head = stream.read(HEAD_BYTES)
    if _apple_route(head, path):
        return Decoded(
            NAME,
            file_type="no_activities",
            detail="route of an Apple Health workout (workout-routes/): its points are read with export.xml as the "
            "samples of their workout, not a new activity",
        )
    reader = _Gpx()
    parse(_chain(head, stream), path, reader)
    if not reader.sessions:
        return Decoded(NAME, file_type="no_activities", detail="GPX with routes, waypoints or untimed tracks only")
    activities, samples, _, stubs = frames(reader.sessions)
    check_rows({"activities": activities.height, "samples": samples.height}, path)
    return Decoded(NAME, activities=activities, samples=samples, rejected=tuple(reader.rejected + stubs))


def track_points(stream: BinaryIO, path: str, *, max_bytes: int) -> tuple[list[dict[str, object]], int]:
    """Every timed point of every track of a GPX document (raw sample values: ``timestamp_utc``, ``lat``, ``lon``,
    ``altitude_m``, ``speed_mps``, ...), and how many points could not be read: the route of an Apple Health
    workout, read as that workout's samples. Raises what :func:`~fitbalance.sources.xml.parse` raises (entities
    refused, ``max_bytes`` the cap)."""
    reader = _Gpx()
    parse(stream, path, reader, max_bytes=max_bytes)
    return [point for session in reader.sessions for point in session.samples], len(reader.rejected)


def _apple_route(head: bytes, path: str) -> bool:
    creator = head.find(b"creator=")
    said = creator >= 0 and APPLE_ROUTE.encode() in head[creator : creator + 60]
    return said or "workout-routes/" in path.replace("\\", "/")


def _chain(head: bytes, rest: BinaryIO) -> BinaryIO:
    class Chained(io.RawIOBase):
        def __init__(self) -> None:
            self.head = head

        def readable(self) -> bool:
            return True

        def read(self, size: int = -1) -> bytes:
            if self.head:
                out, self.head = self.head, b""
                return out
            return rest.read(size)

    return Chained()  # type: ignore[return-value]


class _Gpx(Handlers):
    want_text = True

    def __init__(self) -> None:
        self.sessions: list[Session] = []
        self.rejected: list[Rejected] = []
        self.creator: str | None = None
        self.stack: list[str] = []
        self.track: Session | None = None
        self.point: dict[str, object] | None = None
        self.point_line = 0
        self.bad = False
        self.buffer: list[str] = []

    def start(self, name: str, attrs: dict[str, str]) -> None:
        tag = local(name)
        self.stack.append(tag)
        self.buffer = []
        if tag == "gpx":
            self.creator = attrs.get("creator") or None
        elif tag == "trk":
            self.track = Session(self.line(), device=self.creator)
        elif tag == "trkpt" and self.track is not None:
            self.point_line = self.line()
            self.bad = False
            try:
                self.point = {"lat": number(attrs.get("lat")), "lon": number(attrs.get("lon"))}
            except ValueError as exc:
                self.point = {}
                self._bad(f"position: {exc}")

    def text(self, data: str) -> None:
        self.buffer.append(data)

    def end(self, name: str) -> None:
        tag = self.stack.pop() if self.stack else local(name)
        value = "".join(self.buffer).strip()
        self.buffer = []
        track = self.track
        if track is None:
            return
        parent = self.stack[-1] if self.stack else ""
        if tag == "trk":
            if track.samples:
                self.sessions.append(track)
            self.track = None
        elif tag == "trkpt" and self.point is not None:
            if not self.bad:
                if "timestamp_utc" in self.point:
                    track.samples.append({**self.point, "source_line": self.point_line})
                elif track.samples:
                    self._bad("no time")
            self.point = None
        elif self.point is not None:
            self._point_value(tag, value)
        elif parent == "trk" and tag == "name" and value:
            track.name = value[:200]
        elif parent == "trk" and tag == "type" and value:
            kind = sport_of(value)
            if kind is not None:
                track.sport, track.sub_sport = kind
            elif track.name is None:
                track.name = value

    def _point_value(self, tag: str, value: str) -> None:
        assert self.point is not None
        try:
            if tag == "time":
                self.point["timestamp_utc"], offset = instant(value)
                if self.track is not None and self.track.start is None:
                    self.track.start, self.track.offset = self.point["timestamp_utc"], offset  # type: ignore[assignment]
            elif tag.lower() in _POINT_TEXT and value:
                key = _POINT_TEXT[tag.lower()]
                self.point[key] = whole(value) if key == "heart_rate" else number(value)
        except ValueError as exc:
            self._bad(f"{tag} {value!r}: {exc}")

    def _bad(self, reason: str) -> None:
        if self.bad:
            return
        self.bad = True
        line = self.point_line
        self.rejected.append(Rejected(f"line {line}: track point not read: {reason}", line=line, table="samples"))
