"""What every reader of :mod:`fitbalance.sources.formats` is given and has: the head it is shown, the athlete's
settings it may use, and its shape (:class:`Reader`; :class:`StreamReader` for exports that run to gigabytes).

Apart from the registry so that the readers, which the registry imports, import nothing back from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO, Protocol

from fitbalance.models import Decoded, SourceRef

HEAD_BYTES = 64 * 1024
"""How much of a file a reader's ``detect`` is shown."""


@dataclass(frozen=True)
class ReadOptions:
    """The athlete's settings a reader may use: the zone for local times without an offset (None: UTC until the store
    places them by the athlete's FIT files), and the units of exports that do not say theirs."""

    time_zone: str | None = None
    weight_unit: str | None = None
    distance_unit: str | None = None
    # where the file is (its shown and local paths), for a reader that reads the files it references (Apple Health's
    # export.xml and the route GPX files of its workouts); None for bytes with no place
    place: SourceRef | None = None


class Reader(Protocol):
    NAME: str

    def detect(self, head: bytes, path: str) -> bool: ...

    def read(self, data: bytes, path: str, options: ReadOptions) -> Decoded: ...


class StreamReader(Reader, Protocol):
    """A reader that also reads a file as a stream, never whole (exports that run to gigabytes: Apple Health's
    export.xml). It works under caps of its own instead of the decode cap of :mod:`fitbalance.sources.limits`."""

    def read_stream(self, stream: BinaryIO, path: str, options: ReadOptions) -> Decoded: ...
