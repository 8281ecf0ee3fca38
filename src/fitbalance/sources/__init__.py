"""Readers: bytes of one file -> :class:`~fitbalance.models.Decoded`, the format told by content, not by name."""

from __future__ import annotations

from fitbalance.errors import UnknownFormatError
from fitbalance.models import Decoded
from fitbalance.sources.fit import decode_fit, looks_like_fit


def sniff_format(data: bytes) -> str:
    """``fit``, ``csv`` or ``unknown``, from the first bytes of the content."""
    if looks_like_fit(data):
        return "fit"
    try:
        from fitbalance.sources.csv import looks_like_csv  # type: ignore[attr-defined,unused-ignore]
    except ImportError:  # the CSV readers are optional until they land
        return "unknown"
    return "csv" if looks_like_csv(data) else "unknown"


def decode_bytes(data: bytes, path: str, *, time_zone: str) -> Decoded:
    """Decode one file's bytes with the reader its content calls for.

    Raises an :class:`~fitbalance.errors.InputError` subclass when the content is empty, unknown or broken.
    """
    kind = sniff_format(data)
    if kind == "fit":
        return decode_fit(data, path)
    if kind == "csv":
        from fitbalance.sources.csv import read_csv  # type: ignore[attr-defined,unused-ignore]

        try:
            decoded: Decoded = read_csv(data, path, time_zone)
        except UnknownFormatError as exc:
            if path.lower().endswith((".fit", ".fit.gz")):  # named FIT, holds unknown CSV: say both
                raise UnknownFormatError(f"not a FIT file: {exc.reason}", path=path, stage="decode") from exc
            raise
        return decoded
    if data[8:12] == b".FIT" or path.lower().endswith((".fit", ".fit.gz")):
        return decode_fit(data, path)  # let the FIT decoder name what is wrong with it
    raise UnknownFormatError(
        "content is neither FIT nor a recognised CSV export" if data else "empty file",
        path=path,
        stage="decode",
    )
