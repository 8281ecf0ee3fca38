"""Garmin's account export ("Export Your Data"): ``DI_CONNECT/DI-Connect-Fitness/*_summarizedActivities.json``.

The shape, as the export writes it (``[{"summarizedActivitiesExport": [...]}]``, about a thousand activities a
file), one object per activity:

- ``activityId``; ``name``; ``activityType`` (Connect's typeKey: ``running``, ``strength_training``,
  ``multi_sport``...) and ``sportType`` (``RUNNING``, ``TRAINING``...);
- ``startTimeGmt`` (or ``beginTimestamp``) in epoch milliseconds, ``startTimeLocal`` the local wall clock in epoch
  milliseconds: their difference is the local offset (``utc_offset_source`` ``row``);
- ``duration`` (timer time: pauses left out, FIT ``total_timer_time``), ``elapsedDuration``, ``movingDuration`` in
  milliseconds; ``distance`` in centimetres; ``calories`` in kilojoules (the kilocalories Connect shows times
  4.1868, the international-table calorie); ``avgHr``, ``maxHr`` in bpm;
  ``manualActivity`` for an activity typed in by hand (no FIT file exists for it: it loads from here);
- ``summarizedExerciseSets`` on strength activities: per exercise ``category`` and ``subCategory`` (the FIT
  exercise category and name, upper case), ``sets``, ``reps`` (the total over its sets), ``volume`` (grams times
  reps, summed over the sets) and ``maxWeight`` in grams (``0`` a body-weight exercise, ``-1`` a weight never
  entered), ``duration`` in milliseconds;
- multi-sport: the parent (``parent`` true, ``activityType`` ``multi_sport``, ``childIds``) and each leg as its own
  activity with ``parentId``.

Units checked against published parsers of the same file (2026): durations in ms, distances in cm and
``hrTimeInZone_*`` in ms (a multisport-frame parser of ``summarizedActivities`` and a French training-load parser,
both on GitHub); ``calories`` divided by 4.19 to give Connect's kcal (a converter of the whole export to CSV, whose
test has 419 -> 100 kcal; garmin_mcp PR #296 measured the same factor on three activities); ``maxWeight`` 16000 ->
16 kg and ``volume``/``maxWeight`` in grams, 0 for body weight and -1 for "not entered" (the same converter, and an
ingest of Garmin's exercise payloads whose tests pin 130000 -> 130 kg and the two sentinels).

Not read (no column holds them): ``avgSpeed``/``maxSpeed`` (in the export tenths of m/s, i.e. cm per ms: the first
parser multiplies by 10), ``elevationGain``/``elevationLoss`` (cm), ``hrTimeInZone_*`` (ms), training effect and
load; the distance over the duration gives the speed.

The same objects as Garmin Connect's own API writes them (a list of activities; ``activityType`` an object with
``typeKey``; ``startTimeGMT``/``startTimeLocal`` as ``2024-03-05 18:04:00`` text; distances in metres, calories
in kcal) are read too.

What is made of them:

- one activity per object, sport from Connect's type list (``sources/csv/garmin_types.toml``, the same typeKeys,
  then ``sports.toml``); ``source_ref`` the activity id;
- a strength activity's ``summarizedExerciseSets`` become its sets when the FIT file is absent: one working set per
  set Garmin counted, the total reps spread over them, the load their average (volume over reps; the heaviest when
  there is no volume), the exercise as its FIT category and name (mapped to the catalogue as a watch's FIT sets
  are) and a note saying the sets were summarised; an exercise of 0 reps (a plank held for time) is a timed hold: its
  duration, no reps. Where the FIT file is in the export too, it counts (see below)
  and its own sets are the ones the set views read;
- a multi-sport activity counts once: its legs load (each with its sport, as the watch's FIT file has one session
  per leg) and the parent, their sum, is not a row of its own; a parent whose legs are not in the file loads as
  one multisport activity;
- an activity without a start (or whose values cannot be read) is set aside as a quarantine row with its values;
- the same activity also in the export's FIT files counts once: the duplicate links (:mod:`fitbalance.dedupe`) take
  a FIT activity and a ``json:garmin`` row that start within a second for one recording, whatever their kinds say
  (and any two that overlap and agree in kind for one session), and the FIT file's activity counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fitbalance.models import RAW_ACTIVITY_SCHEMA, RAW_SET_SCHEMA, Decoded
from fitbalance.sources.csv.helpers import MAX_REPS, local_to_utc, utc_offset
from fitbalance.sources.csv.sports import GENERIC
from fitbalance.sources.json_exports.helpers import (
    RecordRejected,
    Records,
    epoch_ms,
    frame,
    in_range,
    number,
    plausible_offset,
    scaled,
    text,
)
from fitbalance.sources.json_exports.sports import sport_of

FORMAT = "json:garmin"
WRAPPER = "summarizedActivitiesExport"
KJ_PER_KCAL = 4.1868  # the international-table calorie; published parsers divide by 4.19
MAX_SETS = 100  # sets of one exercise in one workout; more is a broken (or hostile) count, not a workout
_START_KEYS = ("startTimeGmt", "startTimeGMT", "beginTimestamp", "startTimeLocal")
_TEXT_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S.%f")


def activity_list(doc: Any) -> tuple[list[Any], bool] | None:
    """The activity objects of a Garmin activities document and whether it is the account export's shape (units:
    cm and kJ) rather than the API's (m and kcal); None for any other document."""
    if isinstance(doc, dict) and isinstance(doc.get(WRAPPER), list):
        return list(doc[WRAPPER]), True
    if isinstance(doc, list) and doc and all(isinstance(d, dict) for d in doc):
        wrapped = [d for d in doc if isinstance(d.get(WRAPPER), list)]
        if wrapped:
            return [a for d in wrapped for a in d[WRAPPER]], True
        if all(_is_activity(d) for d in doc[:5]):
            return list(doc), False
    return None


def _is_activity(record: Mapping[str, Any]) -> bool:
    kind = record.get("activityType") or record.get("activityTypeDTO")
    return "activityId" in record and kind is not None and any(k in record for k in _START_KEYS)


def detect(doc: Any) -> bool:
    return activity_list(doc) is not None


def _type_key(record: Mapping[str, Any]) -> str | None:
    kind = record.get("activityType") or record.get("activityTypeDTO")
    if isinstance(kind, dict):
        return text(kind.get("typeKey"))
    return text(kind)


def _time(value: Any, what: str) -> datetime | None:
    """Epoch milliseconds, or Connect API text (``2024-03-05 18:04:00``); None when missing."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and not value.strip().lstrip("-").isdigit():
        for fmt in _TEXT_TIME_FORMATS:
            try:
                return in_range(datetime.strptime(value.strip(), fmt), what)
            except ValueError:
                continue
        raise ValueError(f"{what} {value!r} is not a time")
    return epoch_ms(value, what)


def _start(record: Mapping[str, Any], zone: ZoneInfo) -> tuple[datetime, int, str | None]:
    """UTC start, offset, and ``row`` when both the UTC and the local start are given (else None: placed later)."""
    utc = _time(record.get("startTimeGmt", record.get("startTimeGMT")), "startTimeGmt") or _time(
        record.get("beginTimestamp"), "beginTimestamp"
    )
    local = _time(record.get("startTimeLocal"), "startTimeLocal")
    if utc is not None and local is not None:
        offset = plausible_offset((local - utc).total_seconds())
        if offset is not None:
            return utc, offset, "row"
    if utc is not None:
        return utc, utc_offset(utc, zone), None
    if local is not None:
        start, offset = local_to_utc(local, zone)
        return start, offset, None
    raise RecordRejected("no start time (startTimeGmt, beginTimestamp and startTimeLocal all missing)")


def _where(record: Any, index: int) -> str:
    ident = record.get("activityId") if isinstance(record, dict) else None
    return f"activity {ident}" if ident is not None else f"activity #{index + 1} of the file"


def read(doc: Any, path: str, zone: ZoneInfo) -> Decoded:
    found = activity_list(doc)
    if found is None:  # detect said yes
        raise Records(path).error("not a Garmin activities document")
    items, export_units = found
    records = Records(path)
    listed = [(_where(r, i), r) for i, r in enumerate(items)]
    ids = {str(r.get("activityId")) for _, r in listed if isinstance(r, dict) and r.get("activityId") is not None}
    parents_with_legs = _legs_present(listed, ids)
    activities: list[dict[str, Any]] = []
    sets: list[dict[str, Any]] = []
    unmapped: dict[str, int] = {}
    for record, (row, exercise_sets) in records.parsed(
        [(w, r) for w, r in listed if not (isinstance(r, dict) and str(r.get("activityId")) in parents_with_legs)],
        lambda r: _activity(r, zone, export_units, records),
    ):
        index = len(activities)
        row["session_index"] = index
        if row.pop("_unmapped", False):
            key = _type_key(record) or "?"
            unmapped[key] = unmapped.get(key, 0) + 1
        activities.append(row)
        sets += [{**s, "session_index": index, "set_index": n} for n, s in enumerate(exercise_sets)]
    if not activities and records.rejected:
        raise records.error(
            f"no activity could be read ({len(records.rejected)} set aside), the first: {records.rejected[0].reason}"
        )
    warnings = []
    if unmapped:
        listed_types = ", ".join(f"{k!r} ({v})" for k, v in sorted(unmapped.items()))
        warnings.append(f"activity types with no FIT sport, kept as generic with the type in the name: {listed_types}")
    if not activities:
        return Decoded(FORMAT, file_type="no_activities", detail="Garmin activities export with no activities")
    return Decoded(
        FORMAT,
        activities=frame(activities, RAW_ACTIVITY_SCHEMA),
        sets=frame(sets, RAW_SET_SCHEMA),
        warnings=tuple(warnings),
        rejected=tuple(records.rejected),
    )


def _legs_present(listed: list[tuple[str, Any]], ids: set[str]) -> set[str]:
    """The multi-sport parents (by id) whose legs are in the file: they are not rows of their own."""
    parents: set[str] = set()
    for _, record in listed:
        if not isinstance(record, dict):
            continue
        own = str(record.get("activityId"))
        parent = record.get("parentId")
        if parent is not None and str(parent) in ids and str(parent) != own:
            parents.add(str(parent))
        children = record.get("childIds")
        if isinstance(children, list) and any(str(c) in ids and str(c) != own for c in children):
            parents.add(own)
    return parents


def _activity(
    record: Any, zone: ZoneInfo, export_units: bool, records: Records
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    if not isinstance(record, dict):
        raise RecordRejected(f"not an activity object: {type(record).__name__}")
    start, offset, source = _start(record, zone)
    type_key = _type_key(record)
    sport = sport_of("garmin", type_key) or sport_of("garmin", text(record.get("sportType")))
    name = text(record.get("name")) or text(record.get("activityName"))
    if sport is None and type_key:
        name = f"{name} ({type_key})" if name and name != type_key else type_key
    distance = scaled(record.get("distance"), "distance", 0.01 if export_units else 1.0)
    calories = scaled(record.get("calories"), "calories", 1 / KJ_PER_KCAL if export_units else 1.0)
    timer = scaled(record.get("duration"), "duration", 0.001)
    row: dict[str, Any] = {
        "sport": (sport or GENERIC)[0],
        "sub_sport": (sport or GENERIC)[1],
        "name": name,
        "start_time_utc": start,
        "utc_offset_s": offset,
        "utc_offset_source": source,
        "elapsed_s": scaled(record.get("elapsedDuration"), "elapsedDuration", 0.001) or timer,
        "moving_s": scaled(record.get("movingDuration"), "movingDuration", 0.001) or timer,
        "timer_s": timer,  # Connect's Time: the watch's timer, pauses left out
        "distance_m": distance,
        "calories_kcal": calories,
        "avg_hr": number(record.get("avgHr", record.get("averageHR")), "avgHr"),
        "max_hr": number(record.get("maxHr", record.get("maxHR")), "maxHr"),
        "device": "manual entry" if record.get("manualActivity") is True else None,
        "source_ref": text(record.get("activityId")),
        "_unmapped": sport is None,
    }
    where = f"activity {record.get('activityId')}"
    exercise_sets: list[dict[str, Any]] = []
    summary = record.get("summarizedExerciseSets")
    if isinstance(summary, list):
        for n, entry in enumerate(summary):
            try:
                exercise_sets += _sets(entry)
            except (RecordRejected, ValueError, TypeError) as exc:
                records.set_aside(f"{where}, exercise {n + 1}", str(exc), entry, table="strength_sets")
    return row, exercise_sets


NOT_ENTERED = -1.0  # Garmin's weight for a set whose weight was never entered


def _grams(value: Any, what: str) -> float | None:
    """Grams (or gram-reps) as kilograms; Garmin's "not entered" (-1) as None, 0 (body weight) as 0."""
    found = number(value, what)
    if found is None or found == NOT_ENTERED:
        return None
    return found * 0.001


def _sets(entry: Any) -> list[dict[str, Any]]:
    """One summarised exercise as its sets (see the module docstring)."""
    if not isinstance(entry, dict):
        raise RecordRejected(f"not an exercise object: {type(entry).__name__}")
    count = number(entry.get("sets"), "sets")
    reps = number(entry.get("reps"), "reps")
    volume = _grams(entry.get("volume"), "volume")  # g * reps -> kg * reps
    heaviest = _grams(entry.get("maxWeight"), "maxWeight")
    seconds = scaled(entry.get("duration"), "duration", 0.001)
    for value, what in ((count, "sets"), (reps, "reps"), (volume, "volume"), (heaviest, "maxWeight")):
        if value is not None and value < 0:
            raise RecordRejected(f"{what} {value:g} is negative")
    if reps is not None and (reps != int(reps) or reps > MAX_REPS):
        raise RecordRejected(f"reps {reps:g} is not a count of repetitions")
    if count is not None and (count != int(count) or count > MAX_SETS):
        raise RecordRejected(f"sets {count:g} is not a count of sets (a whole number up to {MAX_SETS})")
    n = int(count) if count and count >= 1 else 1
    total = int(reps) if reps is not None else None
    if volume is not None and total:
        load: float | None = volume / total
    else:
        load = heaviest
    category = text(entry.get("category"))
    sub_category = text(entry.get("subCategory"))
    known = category if category and category.upper() != "UNKNOWN" else None
    exercise = sub_category if known and sub_category and sub_category.upper() != "UNKNOWN" else None
    note = (f"summarised by Garmin: {count:g} sets" if count is not None else "summarised by Garmin") + "".join(
        part
        for part in (
            f", {total} reps" if total is not None else "",
            f", heaviest {heaviest:g} kg" if heaviest else "",
        )
    )
    rows = []
    for i in range(n):
        share = None if not total else total // n + (1 if i < total % n else 0)  # 0 reps: a timed hold
        rows.append(
            {
                "start_time_utc": None,  # Garmin's summary does not say when each set was
                "duration_s": None if seconds is None else seconds / n,
                "set_type": "working",
                "exercise_category": known.lower() if known else None,
                "exercise_guesses": [known.lower()] if known else [],
                "exercise_name": exercise.lower() if exercise else None,
                "reps": share,
                "weight_kg": load,
                "notes": note,
            }
        )
    return rows
