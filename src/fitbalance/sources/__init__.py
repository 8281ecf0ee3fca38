"""Readers: bytes of one file -> :class:`~fitbalance.models.Decoded`, the format told by content, not by name.

Every reader works under the caps of :mod:`fitbalance.sources.limits` (size, FIT messages, decode time, rows) and
raises only :class:`~fitbalance.errors.InputError` subclasses for a bad file.
"""

from __future__ import annotations

from dataclasses import dataclass

from fitbalance.errors import UnknownFormatError
from fitbalance.models import Decoded
from fitbalance.sources.fit import decode_fit, looks_like_fit
from fitbalance.sources.limits import Budget, check_rows, check_size


def sniff_format(data: bytes) -> str:
    """``fit``, ``csv`` or ``unknown``, from the first bytes of the content."""
    if looks_like_fit(data):
        return "fit"
    try:
        from fitbalance.sources.csv import looks_like_csv  # type: ignore[attr-defined,unused-ignore]
    except ImportError:  # the CSV readers are optional until they land
        return "unknown"
    return "csv" if looks_like_csv(data) else "unknown"


@dataclass(frozen=True)
class _CsvOptions:
    time_zone: str | None
    weight_unit: str | None
    distance_unit: str | None


def _read_csv(data: bytes, path: str, options: _CsvOptions) -> Decoded:
    from fitbalance.sources.csv import read_csv  # type: ignore[attr-defined,unused-ignore]

    decoded: Decoded = read_csv(
        data, path, options.time_zone, weight_unit=options.weight_unit, distance_unit=options.distance_unit
    )
    return decoded


def _decode(data: bytes, path: str, options: _CsvOptions, budget: Budget | None) -> Decoded:
    kind = sniff_format(data)
    if kind == "fit":
        return decode_fit(data, path, budget=budget)
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
) -> Decoded:
    """Decode one file's bytes with the reader its content calls for.

    ``time_zone`` is the athlete's zone, None when not set (CSV local times are read in it, or in UTC, until the
    store places them by the athlete's FIT files); ``weight_unit`` and ``distance_unit``
    are the units the athlete's apps export in, used only by CSV files that do not say theirs.

    Raises an :class:`~fitbalance.errors.InputError` subclass when the content is empty, unknown, broken or over
    a cap (:class:`~fitbalance.errors.LimitExceeded`; ``budget`` defaults to the caps of
    :mod:`fitbalance.sources.limits`).
    """
    if not data:
        raise UnknownFormatError("empty file", path=path, stage="decode")
    check_size(data, path)
    decoded = _decode(data, path, _CsvOptions(time_zone, weight_unit, distance_unit), budget)
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
