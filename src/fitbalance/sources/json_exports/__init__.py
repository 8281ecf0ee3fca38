"""JSON account exports: one reader in :data:`fitbalance.sources.formats.READERS`, one small module per export.

The package is named ``json_exports``, not ``json``: a submodule is bound as an attribute of its package, and
``fitbalance.sources.json`` would replace the standard ``json`` module in ``fitbalance.sources``' own namespace.

:func:`detect` says yes to any JSON document (an object or array opens the file, after a byte-order mark and white
space); :func:`read` parses it whole under :data:`~fitbalance.sources.limits.MAX_JSON_BYTES` (over it: quarantined,
the cap named) and asks, in order, each export what the document is, by its shape (its keys), never by its name:

- :mod:`.garmin`: Garmin's ``*_summarizedActivities.json`` (``json:garmin``);
- :mod:`.polar`: Polar Flow's ``training-session-*.json`` (``json:polar``);
- :mod:`.fitbit`: Fitbit's ``exercise-*.json`` from Google Takeout (``json:fitbit``);
- :mod:`.no_activities`: the exports' other files (sleep, HRV, daily summaries, heart-rate and step series, body
  measurements, records, gear, profiles, settings) as layouts in ``no_activities.toml``: skipped with their kind.

A JSON document of no known export is **skipped**, as "JSON of no known export" with its top-level keys, not
quarantined. JSON is walked only so that account exports can be read, and those hold dozens of JSON kinds that are
not workouts (Garmin's ``DI_CONNECT`` about forty, a Google Takeout every Google product's): quarantining each would
bury the files that are really broken among hundreds that are not, and call files wrong that the user never meant
as workouts. The skip is still a file accounted for with its reason, never a silent drop, and ``fitbalance
reprocess --since-version`` reads such files again when a release learns their shape. A ``.json`` file that is not
JSON at all, or is cut short, is quarantined: that is a broken file.

A record that cannot be read is set aside alone (a quarantine row with its values); a file none of whose records can
be read is quarantined whole. Sports are mapped through ``sports.toml`` (Garmin's through Connect's own type list).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl

from fitbalance.errors import ConfigError, DecodeError
from fitbalance.models import Decoded
from fitbalance.sources.json_exports import fitbit, garmin, no_activities, polar
from fitbalance.sources.json_exports.helpers import first_byte, first_record, load_document, looks_like_json

if TYPE_CHECKING:
    from fitbalance.sources.reading import ReadOptions

NAME = "json"
UNKNOWN_KEYS_SHOWN = 8


def settings_read_by(source_format: str) -> tuple[str, ...]:
    """The athlete's settings a file of ``source_format`` is read with: Fitbit's distances without a unit are read
    in ``distance_unit``; the other exports say their units."""
    return ("distance_unit",) if source_format == fitbit.FORMAT else ()


def detect(head: bytes, path: str) -> bool:
    """A JSON document by its opening (:func:`~.helpers.looks_like_json`); a file named ``.json`` that opens an
    object or array even when its first bytes say no more (a hostile one padded with white space), so that its
    reason is this reader's."""
    named = path.lower().endswith((".json", ".json.gz"))
    return looks_like_json(head) or (named and first_byte(head) in (b"{", b"["))


def read(data: bytes, path: str, options: ReadOptions) -> Decoded:
    doc = load_document(data, path)
    try:
        zone = ZoneInfo(options.time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"unknown IANA time zone {options.time_zone!r}", path=path, stage="decode") from exc
    try:
        if garmin.detect(doc):
            return garmin.read(doc, path, zone)
        if polar.detect(doc):
            return polar.read(doc, path, zone)
        if fitbit.detect(doc):
            return fitbit.read(doc, path, zone, options.distance_unit)
    except (pl.exceptions.PolarsError, OverflowError) as exc:  # a value no record check foresaw: the file, not a bug
        raise DecodeError(f"JSON export could not be read: {exc}", path=path, stage="decode") from exc
    export = no_activities.which(doc)
    if export is not None:
        return no_activities.skipped(export, doc)
    return Decoded(NAME, file_type="no_activities", detail=_unknown(doc, path))


EXPORT_FOLDERS = {
    "di_connect": "Garmin",
    "di-connect-": "Garmin",
    "polar-user-data-export": "Polar",
    "fitbit/": "Fitbit",
}
"""Folder names of the account exports, only to word the skip of a file of no known shape (never to read one)."""


def _unknown(doc: Any, path: str) -> str:
    record = first_record(doc)
    if record:
        keys = list(record)[:UNKNOWN_KEYS_SHOWN]
        more = ", ..." if len(record) > UNKNOWN_KEYS_SHOWN else ""
        shape = f"keys {', '.join(keys)}{more}"
    else:
        shape = f"a {type(doc).__name__.replace('NoneType', 'null')} with no objects"
    lowered = path.casefold().replace("\\", "/")
    where = next((f", in a {app} account export" for folder, app in EXPORT_FOLDERS.items() if folder in lowered), "")
    return f"JSON of no known export ({shape}{where}): no activities read"
