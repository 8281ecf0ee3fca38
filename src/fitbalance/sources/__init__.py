"""Readers: bytes of one file -> :class:`~fitbalance.models.Decoded`, the format told by content, not by name.

Every reader works under the caps of :mod:`fitbalance.sources.limits` and raises only
:class:`~fitbalance.errors.InputError` subclasses for a bad file. Text is made UTF-8 without a BOM
(:mod:`fitbalance.sources.text`) before a CSV reader sees it.
"""

from __future__ import annotations

from fitbalance.errors import DecodeError, UnknownFormatError
from fitbalance.models import Decoded
from fitbalance.sources.fit import decode_fit, looks_like_fit
from fitbalance.sources.limits import Budget, check_rows, check_size
from fitbalance.sources.text import as_utf8


def _looks_like_csv(text: bytes) -> bool:
    try:
        from fitbalance.sources.csv import looks_like_csv  # type: ignore[attr-defined,unused-ignore]
    except ImportError:  # the CSV readers are optional until they land
        return False
    return bool(looks_like_csv(text))


def sniff_format(data: bytes) -> str:
    """``fit``, ``csv`` or ``unknown``, from the first bytes of the content."""
    if looks_like_fit(data):
        return "fit"
    try:
        text = as_utf8(data, "")
    except DecodeError:
        return "unknown"
    return "csv" if _looks_like_csv(text) else "unknown"


def _decode(data: bytes, path: str, time_zone: str, budget: Budget | None) -> Decoded:
    if looks_like_fit(data) or data[8:12] == b".FIT" or path.lower().endswith((".fit", ".fit.gz")):
        return decode_fit(data, path, budget=budget)  # a broken FIT file: let the FIT decoder name what is wrong
    text = as_utf8(data, path)
    if _looks_like_csv(text):
        from fitbalance.sources.csv import read_csv  # type: ignore[attr-defined,unused-ignore]

        decoded: Decoded = read_csv(text, path, time_zone)
        return decoded
    raise UnknownFormatError("content is neither FIT nor a recognised CSV export", path=path, stage="decode")


def decode_bytes(data: bytes, path: str, *, time_zone: str, budget: Budget | None = None) -> Decoded:
    """Decode one file's bytes with the reader its content calls for.

    Raises an :class:`~fitbalance.errors.InputError` subclass when the content is empty, unknown, broken or over
    a cap (:class:`~fitbalance.errors.LimitExceeded`).
    """
    if not data:
        raise UnknownFormatError("empty file", path=path, stage="decode")
    check_size(data, path)
    decoded = _decode(data, path, time_zone, budget)
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
