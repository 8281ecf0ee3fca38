"""Readers: bytes of one file -> :class:`~fitbalance.models.Decoded`, the format told by content, not by name.

Every reader works under the caps of :mod:`fitbalance.sources.limits` (size, FIT messages, decode time, rows) and
raises only :class:`~fitbalance.errors.InputError` subclasses for a bad file.

What a file's rows depend on besides its bytes is recorded with them, so that a file is read again when that
changes: :func:`read_settings` (the athlete's settings its reader reads) and :func:`reader_version` (the release
that read it).

``FITBALANCE_TEST_FAULT`` is a test hook: a file whose path contains its value fails to decode with an internal
error (a ``RuntimeError``, as a bug of ours would), so that tests can quarantine a file for a cause that is not
the file's and then remove the cause.
"""

from __future__ import annotations

import gzip
import json
import os
import zlib
from typing import BinaryIO

from fitbalance.config import Athlete, package_version
from fitbalance.errors import ArchiveError, UnknownFormatError
from fitbalance.models import Decoded, SourceRef
from fitbalance.sources.fit import decode_fit, looks_like_fit
from fitbalance.sources.formats import HEAD_BYTES, ReadOptions, reader_for, stream_reader_for
from fitbalance.sources.limits import Budget, check_rows, check_size

FAULT_ENV = "FITBALANCE_TEST_FAULT"


reader_version = package_version
"""The fitbalance release reading files now (recorded with each file, so a newer release can read it again)."""


def read_settings(source_format: str, athlete: Athlete) -> str:
    """The athlete's settings a file of ``source_format`` is read with, as JSON (``{}`` when none): the fingerprint
    that says when the file must be read again.

    Only what changes how the bytes are read counts: the unit settings of the CSV exports that do not say their
    units (``weight_unit``, ``distance_unit``). Overrides and exercise names are applied to the stored rows on every
    run, heart-rate settings and birth year only feed the views, and CSV local times are placed with the time zone
    in the store: none of them needs the file read again.
    """
    names: tuple[str, ...] = ()
    if source_format == "csv" or source_format.startswith("csv:"):
        try:
            from fitbalance.sources.csv import settings_read_by  # type: ignore[attr-defined,unused-ignore]
        except ImportError:  # pragma: no cover - the CSV readers are optional until they land
            return "{}"
        names = settings_read_by(source_format)
    elif source_format.startswith("json:"):
        from fitbalance.sources.json_exports import settings_read_by as json_settings

        names = json_settings(source_format)
    return json.dumps({name: getattr(athlete, name) for name in names}, sort_keys=True)


def sniff_format(data: bytes) -> str:
    """``fit``, a reader's name of :data:`~fitbalance.sources.formats.READERS` (``json``), ``csv`` or ``unknown``,
    from the first bytes of the content (a broken JSON file is recorded as JSON, not as the CSV it may look like)."""
    if looks_like_fit(data):
        return "fit"
    reader = reader_for(data, "")
    if reader is not None:
        return reader.NAME
    try:
        from fitbalance.sources.csv import looks_like_csv  # type: ignore[attr-defined,unused-ignore]
    except ImportError:  # the CSV readers are optional until they land
        return "unknown"
    return "csv" if looks_like_csv(data) else "unknown"


def _read_csv(data: bytes, path: str, options: ReadOptions) -> Decoded:
    from fitbalance.sources.csv import read_csv  # type: ignore[attr-defined,unused-ignore]

    decoded: Decoded = read_csv(
        data,
        path,
        options.time_zone,
        weight_unit=options.weight_unit,
        distance_unit=options.distance_unit,
        place=options.place,
    )
    return decoded


def _decode(data: bytes, path: str, options: ReadOptions, budget: Budget | None) -> Decoded:
    kind = sniff_format(data)
    if kind == "fit":
        return decode_fit(data, path, budget=budget)
    reader = reader_for(data, path)
    if reader is not None:  # XML and JSON documents (sources.formats)
        return reader.read(data, path, options)
    fit_named = path.lower().endswith((".fit", ".fit.gz"))
    if kind == "csv":
        try:
            return _read_csv(data, path, options)
        except UnknownFormatError as exc:
            if fit_named:  # named FIT, holds unknown CSV: say both
                raise UnknownFormatError(f"not a FIT file: {exc.reason}", path=path, stage="decode") from exc
            raise
    if data[8:12] == b".FIT" or fit_named:
        return decode_fit(data, path, budget=budget)  # let the FIT decoder name what is wrong with it
    if path.lower().endswith((".csv", ".csv.gz")):
        try:  # let the CSV reader name what is wrong with it (binary, bad encoding, no records)
            return _read_csv(data, path, options)
        except ImportError:
            pass
    raise UnknownFormatError("content is neither FIT nor a recognised CSV export", path=path, stage="decode")


def decode_bytes(
    data: bytes,
    path: str,
    *,
    time_zone: str | None = None,
    weight_unit: str | None = None,
    distance_unit: str | None = None,
    budget: Budget | None = None,
    place: SourceRef | None = None,
) -> Decoded:
    """Decode one file's bytes with the reader its content calls for.

    ``time_zone`` is the athlete's zone, None when not set (CSV local times are read in it, or in UTC, until the
    store places them by the athlete's FIT files); ``weight_unit`` and ``distance_unit``
    are the units the athlete's apps export in, used only by CSV files that do not say theirs.

    Raises an :class:`~fitbalance.errors.InputError` subclass when the content is empty, unknown, broken or over
    a cap (:class:`~fitbalance.errors.LimitExceeded`; ``budget`` defaults to the caps of
    :mod:`fitbalance.sources.limits`). ``place`` is where the file is, for readers that read the files it names
    beside it (None: bytes with no place; such files are then not read).
    """
    fault = os.environ.get(FAULT_ENV)
    if fault and fault in path:
        raise RuntimeError(f"fault injected by {FAULT_ENV}={fault!r}")
    if not data:
        raise UnknownFormatError("empty file", path=path, stage="decode")
    check_size(data, path)
    decoded = _decode(data, path, ReadOptions(time_zone, weight_unit, distance_unit, place=place), budget)
    check_rows(
        {
            "activities": decoded.activities.height,
            "sets": decoded.sets.height,
            "samples": decoded.samples.height,
            "laps": decoded.laps.height,
        },
        path,
    )
    return decoded


def decode_source(
    ref: SourceRef,
    *,
    time_zone: str | None = None,
    weight_unit: str | None = None,
    distance_unit: str | None = None,
) -> Decoded | None:
    """Decode a file on disk as a stream, when its content calls for a reader that reads streams (the XML exports:
    Apple Health's export.xml runs to gigabytes); None when none does, and the caller reads its bytes
    (:func:`fitbalance.sources.archive.read_source`, :func:`decode_bytes`).

    A streamed file is never read whole, so the byte caps of :mod:`fitbalance.sources.limits` do not apply: the
    reader's own do (:mod:`fitbalance.sources.xml`). A gzipped file is read through gzip. Raises what
    :func:`decode_bytes` raises, and ``OSError`` when the disk fails (the caller's to map).
    """
    fault = os.environ.get(FAULT_ENV)
    if fault and fault in ref.path:
        raise RuntimeError(f"fault injected by {FAULT_ENV}={fault!r}")
    with open(ref.local_path, "rb") as raw:
        gzipped = raw.read(2) == b"\x1f\x8b"
        raw.seek(0)
        stream: BinaryIO = gzip.GzipFile(fileobj=raw, mode="rb") if gzipped else raw  # type: ignore[assignment]
        try:
            head = stream.read(64)
            if not head.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<"):
                return None  # not markup (a FIT file, a CSV): read whole, as before, without reading more here
            head += stream.read(HEAD_BYTES - len(head))
            reader = stream_reader_for(head, ref.path)
            if reader is None:
                return None
            stream.seek(0)
            options = ReadOptions(time_zone, weight_unit, distance_unit, place=ref)
            decoded = reader.read_stream(stream, ref.path, options)
        except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
            raise ArchiveError(f"corrupt gzip: {exc}", path=ref.path, stage="read") from exc
    return decoded
