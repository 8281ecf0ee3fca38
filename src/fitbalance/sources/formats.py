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

from fitbalance.sources import json_exports
from fitbalance.sources.reading import HEAD_BYTES, Reader, ReadOptions, StreamReader
from fitbalance.sources.xml import apple_health, gpx, tcx
from fitbalance.sources.xml import other as other_xml

__all__ = ["HEAD_BYTES", "READERS", "ReadOptions", "Reader", "StreamReader", "reader_for", "stream_reader_for"]

READERS: tuple[Reader, ...] = (json_exports, apple_health, tcx, gpx, other_xml)  # other_xml last: any XML
"""The readers, in the order they are asked."""


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
