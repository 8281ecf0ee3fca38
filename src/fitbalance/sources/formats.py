"""Readers of the exports that are neither FIT nor CSV: the XML and JSON documents that watches and their apps write
(Apple Health, TCX, GPX, Garmin's account JSON, Polar Flow, Fitbit), told by content, not by name.

One seam, one small module per format, like the CSV dialects: a reader has ``NAME`` (the ``source_format`` of what it
reads), ``detect(head, path) -> bool`` (``head`` is the first :data:`HEAD_BYTES` of the file) and ``read(data, path,
options) -> Decoded``. :func:`reader_for` asks each reader in :data:`READERS` order and returns the first that says
yes. Adding a format is one module, one entry in :data:`READERS` and its test.

A reader raises only :class:`~fitbalance.errors.InputError` subclasses for a bad file, sets a bad row aside in
``Decoded.rejected`` (the rest of the file loads), and returns ``file_type="no_activities"`` with a ``detail`` naming
the kind for a recognised export that holds no activities.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

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


READERS: tuple[Reader, ...] = (json_exports,)


def reader_for(data: bytes, path: str) -> Reader | None:
    """The first reader of :data:`READERS` that recognises the content, or None."""
    head = data[:HEAD_BYTES]
    for reader in READERS:
        if reader.detect(head, path):
            return reader
    return None
