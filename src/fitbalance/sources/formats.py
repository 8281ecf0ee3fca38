"""Readers of the exports that are neither FIT nor CSV: the XML and JSON documents that watches and their apps write
(Apple Health, TCX, GPX, Garmin's account JSON, Polar Flow, Fitbit), told by content, not by name.

One seam, one small module per format, like the CSV dialects: a reader has ``NAME`` (the ``source_format`` of what it
reads), ``detect(head, path) -> bool`` (``head`` is the first :data:`HEAD_BYTES` of the file) and ``read(data, path,
options) -> Decoded``. :func:`reader_for` asks each reader in :data:`READERS` order and returns the first that says
yes. Adding a format is one module, one entry in :data:`READERS` and its test.

A reader of exports that run to gigabytes also has ``read_stream(stream, path, options) -> Decoded``
(:class:`StreamReader`): the ingest then hands it the open file (:func:`fitbalance.sources.decode_source`), never
the whole bytes, and the reader works under caps of its own (the XML readers: :mod:`fitbalance.sources.xml`).

A reader raises only :class:`~fitbalance.errors.InputError` subclasses for a bad file, sets a bad row aside in
``Decoded.rejected`` (the rest of the file loads), and returns ``file_type="no_activities"`` with a ``detail`` naming
the kind for a recognised export that holds no activities.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO, Protocol

from fitbalance.models import Decoded
from fitbalance.sources import json_exports

HEAD_BYTES = 64 * 1024
"""How much of a file a reader's ``detect`` is shown."""


@dataclass(frozen=True)
class ReadOptions:
    """The athlete's settings a reader may use: the zone for local times without an offset (None: UTC until the store
    places them by the athlete's FIT files), and the units of exports that do not say theirs."""

    time_zone: str | None = None
    weight_unit: str | None = None
    distance_unit: str | None = None


class Reader(Protocol):
    NAME: str

    def detect(self, head: bytes, path: str) -> bool: ...

    def read(self, data: bytes, path: str, options: ReadOptions) -> Decoded: ...


class StreamReader(Reader, Protocol):
    """A reader that also reads a file as a stream, never whole (exports that run to gigabytes: Apple Health's
    export.xml). It works under caps of its own instead of the decode cap of :mod:`fitbalance.sources.limits`."""

    def read_stream(self, stream: BinaryIO, path: str, options: ReadOptions) -> Decoded: ...


def reader_for(data: bytes, path: str) -> Reader | None:
    """The first reader of :data:`READERS` that recognises the content, or None."""
    head = data[:HEAD_BYTES]
    for reader in READERS:
        if reader.detect(head, path):
            return reader
    return None


def stream_reader_for(head: bytes, path: str) -> StreamReader | None:
    """The reader of :data:`READERS` that recognises ``head`` (the first :data:`HEAD_BYTES` of a file), when it reads
    streams; None when none does (the file is then read whole and given to :func:`reader_for` and the others)."""
    for reader in READERS:
        if reader.detect(head, path):
            return reader if hasattr(reader, "read_stream") else None  # type: ignore[return-value]
    return None


# ---- the readers, in the order they are asked -------------------------------------------------------------------
# (imported here, at the end: they use the names above)
from fitbalance.sources.xml import apple_health, gpx, tcx  # noqa: E402
from fitbalance.sources.xml import other as other_xml  # noqa: E402

READERS: tuple[Reader, ...] = (json_exports, apple_health, tcx, gpx, other_xml)  # other_xml last: any XML
