"""The committed sample set: every file ``sample_data/generate.py`` writes, built in memory.

Layout (paths relative to ``sample_data/``)::

    fit/<YYYY-MM>/<date>-<HHMM>-<kind>.fit    activity files of the training history (one is .fit.gz)
    fit/other/*.fit                           settings, workout and monitoring files (not activities)
    archives/garmin-export.zip                shaped like a Garmin account export: the last week's
                                              activities in DI_CONNECT/DI-Connect-Uploaded-Files/
                                              UploadedFiles_0-_Part1.zip
    invalid/*                                 broken files, one valid FIT with impossible values (it loads,
                                              repaired) and one cut short (its records before the cut load)
    csv/*                                     CSV exports of every dialect (synth.csv_samples)
    exports/*                                 JSON account exports: Garmin's "Export Your Data" zip, Polar Flow
                                              sessions, a Fitbit Google Takeout zip (synth.json_exports)
    cases/*                                   the cases of real exports once lost or counted twice, of an athlete
                                              with no settings file (synth.cases)
    watches/*                                 the CSV exports of Samsung Health, WHOOP and Mi Fit / Zepp, as folders
                                              the apps export (synth.watch_csvs)
    xml/*                                     an Apple Health export.zip, a TCX and a GPX (synth.xml_exports)
    EXPECTED.json                             what a reader of all this should find (the CSV files under "csv",
                                              the cases under "cases", the watch exports under "watches", the JSON
                                              exports under "json_exports")

The same code always gives the same bytes: zip entries carry a fixed date, gzip no time stamp.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gzip
import io
import json
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import fitdecode

from synth import cases, csv_samples, json_exports, watch_csvs, xml_exports
from synth.fitwriter import FIT_EPOCH, fit_seconds
from synth.history import (
    DEFAULT_ZONE,
    ActivityPlan,
    ActivitySummary,
    FitFile,
    corpus_activity,
    encode_activity,
    other_files,
    summarize,
    training_history,
)
from synth.zips import zip_bytes

__all__ = ["SAMPLE_SEED", "SAMPLE_START", "SAMPLE_WEEKS", "sample_set", "write_sample_set"]

SAMPLE_START = date(2025, 2, 3)  # a Monday; the 14 weeks cross the switch to summer time on 2025-03-30
SAMPLE_WEEKS = 14
SAMPLE_SEED = 7
ZIP_TIME = (2025, 5, 12, 6, 0, 0)
EXPORT_ZIP = "archives/garmin-export.zip"
EXPORT_INNER = "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip"
GZIPPED_WEEK_DAY = (3, 1)  # the easy run of week 3 is stored as .fit.gz
IMPOSSIBLE_MAX_HR = 254  # the largest heart rate FIT can hold (255 means "no value")
EARLY_RECORD_INDEX = 300
EARLY_RECORD_RAW_TIMESTAMP = 1000  # FIT seconds: 1989-12-31T00:16:40 UTC, before any plausible activity
FUTURE_RECORD_INDEX = 600
FUTURE_RECORD_TIME = datetime(2100, 1, 1, tzinfo=UTC)
MANAGED = (
    "fit",
    "archives",
    "invalid",
    "csv",
    cases.FOLDER,
    watch_csvs.FOLDER,
    json_exports.FOLDER,
    xml_exports.FOLDER,
)


def sample_set() -> dict[str, bytes]:
    """Relative path -> bytes for every file of the sample set, ``EXPECTED.json`` included."""
    history = training_history(SAMPLE_START, SAMPLE_WEEKS, SAMPLE_SEED, zone=DEFAULT_ZONE)
    last_week = SAMPLE_START + timedelta(weeks=SAMPLE_WEEKS - 1)
    gz_day = SAMPLE_START + timedelta(weeks=GZIPPED_WEEK_DAY[0], days=GZIPPED_WEEK_DAY[1])

    files: dict[str, bytes] = {}
    activities: list[dict[str, Any]] = []
    exported: list[tuple[str, FitFile]] = []
    for fit in history:
        day = date.fromisoformat(fit.name.split("/")[1][:10])
        if day >= last_week:
            member = f"athlete@example.org_{18_400_001 + len(exported)}.fit"
            exported.append((member, fit))
            activities += _expectations(fit, EXPORT_ZIP, members=[EXPORT_INNER, member])
        elif day == gz_day and fit.name.endswith("-run.fit"):
            path = f"fit/{fit.name}.gz"
            files[path] = gzip.compress(fit.data, mtime=0)
            activities += _expectations(fit, path)
        else:
            path = f"fit/{fit.name}"
            files[path] = fit.data
            activities += _expectations(fit, path)
    files[EXPORT_ZIP] = _garmin_export(exported)

    others = other_files(SAMPLE_START, zone=DEFAULT_ZONE)
    for fit in others:
        files[f"fit/other/{fit.name}"] = fit.data

    invalid = _invalid_files()
    for entry in invalid:
        files[entry["file"]] = entry.pop("data")
        entry.setdefault("status", "quarantined")

    expected = _expected(history, activities, others, invalid, files)
    # CSV exports (synth.csv_samples, csv_exports), each with what a reader must find in it
    csv_files = csv_samples.sample_files()
    expected["csv"] = {f"csv/{name}": expect.as_json() for name, (_, expect) in csv_files.items()}
    for name, (data, _) in csv_files.items():
        files[f"csv/{name}"] = data
    expected["cases"] = {}
    for name, (data, expect) in cases.case_files().items():
        files[name] = data
        expected["cases"][name] = expect
    expected["watches"] = {}
    for name, (data, expect) in watch_csvs.watch_files().items():
        files[name] = data
        expected["watches"][name] = expect
    expected["json_exports"] = {}
    for name, (data, expect) in json_exports.export_files().items():
        files[name] = data
        expected["json_exports"][name] = expect
    expected["xml"] = {}  # XML exports (synth.xml_exports): Apple Health, TCX, GPX
    for name, (data, expect) in xml_exports.sample_files().items():
        files[name] = data
        expected["xml"][name] = expect
    files["EXPECTED.json"] = (json.dumps(expected, indent=1, ensure_ascii=False) + "\n").encode()
    files["fitbalance.toml"] = SETTINGS.encode()
    return dict(sorted(files.items()))


SETTINGS = """\
# Settings for the generated sample athlete (used by `make demo`; see README "Settings").
default_athlete = "sam"

[athletes.sam]
time_zone = "Europe/Berlin"   # the generator's athlete lives in Berlin; CSV local times are read in this zone
birth_year = 1988
resting_hr = 52
units = "metric"
distance_unit = "km"          # the older Garmin Connect export does not say its unit: the account was metric

[athletes.sam.targets]        # weekly targets (README "Weekly targets"); the keys not set keep their defaults
aerobic_minutes = 150         # WHO moderate-equivalent minutes
muscle_sets = [10, 20]        # weekly sets per muscle group
[athletes.sam.targets.muscles]
chest = [12, 18]              # the chest's own range
"""


def write_sample_set(out_dir: Path | str) -> list[Path]:
    """Write :func:`sample_set` under ``out_dir``, removing stale files from the folders it manages."""
    out = Path(out_dir)
    files = sample_set()
    for folder in MANAGED:
        for stale in sorted((out / folder).rglob("*"), reverse=True):
            relative = stale.relative_to(out).as_posix()
            if stale.is_file() and relative not in files:
                stale.unlink()
            elif stale.is_dir() and not any(stale.iterdir()):
                stale.rmdir()
    written = []
    for relative, data in files.items():
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    return written


# ---- pieces ------------------------------------------------------------------------------------------------


def _summary_json(summary: ActivitySummary) -> dict[str, Any]:
    row = dataclasses.asdict(summary)
    row["start_time_utc"] = summary.start_time_utc.replace(tzinfo=None).isoformat()
    return row


def _expectations(fit: FitFile, path: str, *, members: list[str] | None = None) -> list[dict[str, Any]]:
    return [{"file": path, "members": members or [], **_summary_json(summary)} for summary in fit.activities]


def _garmin_export(exported: list[tuple[str, FitFile]]) -> bytes:
    """The FIT files of a Garmin account export (its JSON files are in ``exports/garmin-account-export.zip``)."""
    inner = zip_bytes(((member, fit.data) for member, fit in exported), ZIP_TIME)
    return zip_bytes([(EXPORT_INNER, inner)], ZIP_TIME)


def _broken_source(index: int) -> ActivityPlan:
    return corpus_activity(index, seed=SAMPLE_SEED + 1000, start=SAMPLE_START)


def _impossible_values() -> tuple[bytes, ActivitySummary]:
    """A valid FIT (CRC fine): session max heart rate 254 bpm, one record timed in 1989 and one in 2100."""
    run = next(plan for plan in map(_broken_source, range(10, 100)) if plan.sessions[0].sport == "running")
    session = run.sessions[0]
    track = session.track
    seconds = list(track.seconds)
    seconds[EARLY_RECORD_INDEX] = EARLY_RECORD_RAW_TIMESTAMP - fit_seconds(track.start)
    seconds[FUTURE_RECORD_INDEX] = fit_seconds(FUTURE_RECORD_TIME) - fit_seconds(track.start)
    track = dataclasses.replace(track, seconds=tuple(seconds))
    session = dataclasses.replace(session, max_hr=IMPOSSIBLE_MAX_HR, lap_m=None, track=track)
    plan = dataclasses.replace(run, sessions=(session,))
    return encode_activity(plan), summarize(plan)[0]


def _before_the_cut(data: bytes) -> dict[str, Any]:
    """What a FIT file cut short holds whole before its end, read by fitdecode (the reference decoder, CRC off):
    its first record's time and how many records it has."""
    times = []
    reader = fitdecode.FitReader(io.BytesIO(data), check_crc=fitdecode.CrcCheck.DISABLED)
    with contextlib.suppress(fitdecode.FitEOFError), reader:
        for frame in reader:
            if isinstance(frame, fitdecode.FitDataMessage) and frame.name == "record":
                times.append(frame.get_value("timestamp"))
    return {"start_time_utc": min(times).replace(tzinfo=None).isoformat(), "records": len(times)}


def _invalid_files() -> list[dict[str, Any]]:
    first, second, third = (encode_activity(_broken_source(index)) for index in range(3))
    cut = second[: len(second) * 3 // 5]
    bad_crc = first[:-2] + bytes(b ^ 0xFF for b in first[-2:])
    impossible, summary = _impossible_values()
    early = FIT_EPOCH + timedelta(seconds=EARLY_RECORD_RAW_TIMESTAMP)
    return [
        {
            "file": "invalid/bad-crc.fit",
            "data": bad_crc,
            "problem": "file CRC does not match the content",
            "fitdecode_error": "FitCRCError",
            "message_contains": "mismatching CRC in FIT footer",
        },
        {
            "file": "invalid/truncated.fit",
            "data": cut,
            "problem": "file cut off in the middle of its records (a watch whose battery died): the records before "
            "the cut load as an activity of unknown sport (the session message, written last, is missing), and a "
            "quarantine row says where the file ends",
            "fitdecode_error": "FitEOFError",
            "message_contains": "expected",
            "status": "loaded",
            "repairs": [],
            "quarantined": [{"stage": "decode:cut", "table": None, "rows": 0, "note": "where the file ends"}],
            "activity": {**_before_the_cut(cut), "sport": "generic", "category": "other"},
        },
        {
            "file": "invalid/not-fit.fit",
            "data": b"date,exercise,weight,reps\n2025-03-01,Bench Press,60,8\n",
            "problem": "a CSV text file named .fit",
            "fitdecode_error": "FitHeaderError",
            "message_contains": "not a FIT file",
        },
        {
            "file": "invalid/empty.fit",
            "data": b"",
            "problem": "empty file; fitdecode yields no frame at all and raises nothing",
            "fitdecode_error": None,
            "message_contains": None,
        },
        {
            "file": "invalid/header-only.fit",
            "data": third[:14],
            "problem": "a valid 14-byte header announcing data that is missing",
            "fitdecode_error": "FitEOFError",
            "message_contains": "expected",
        },
        {
            "file": "invalid/impossible-values.fit",
            "data": impossible,
            "problem": "decodes with a valid CRC, but the session's max heart rate is 254 bpm, one record is "
            "timed before 1990 and one in 2100",
            "fitdecode_error": None,
            "message_contains": None,
            "status": "loaded",
            "repairs": [
                {"table": "activities", "column": "max_hr", "rule": "impossible", "original": str(IMPOSSIBLE_MAX_HR)}
            ],
            "quarantined": [
                {"stage": "decode", "table": "samples", "rows": 1, "note": "the record without a date"},
                {"stage": "validate:samples", "table": "samples", "rows": 1, "note": "the record in 2100"},
            ],
            "activity": _summary_json(summary),
            "bad_values": [
                {
                    "message": "session",
                    "field": "max_heart_rate",
                    "value": IMPOSSIBLE_MAX_HR,
                    "note": "above any human heart rate; 254 is the largest value FIT's uint8 can hold",
                },
                {
                    "message": "record",
                    "index": EARLY_RECORD_INDEX,
                    "field": "timestamp",
                    "raw": EARLY_RECORD_RAW_TIMESTAMP,
                    "utc": early.replace(tzinfo=None).isoformat(),
                    "note": "FIT times are seconds since 1989-12-31; fitdecode returns a raw value below "
                    "0x10000000 as a plain int (device-relative time), not a datetime; a 1985 time "
                    "cannot be written at all",
                },
                {
                    "message": "record",
                    "index": FUTURE_RECORD_INDEX,
                    "field": "timestamp",
                    "raw": fit_seconds(FUTURE_RECORD_TIME),
                    "utc": FUTURE_RECORD_TIME.replace(tzinfo=None).isoformat(),
                    "note": "a time in the future: decodes as a datetime, so validation sees it",
                },
            ],
        },
    ]


def _local_week(start_utc: str, zone: str) -> str:
    moment = datetime.fromisoformat(start_utc + "+00:00").astimezone(ZoneInfo(zone))
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def _expected(
    history: list[FitFile],
    activities: list[dict[str, Any]],
    others: list[FitFile],
    invalid: list[dict[str, Any]],
    files: dict[str, bytes],
) -> dict[str, Any]:
    weekly: dict[str, dict[str, int]] = defaultdict(lambda: {"resistance": 0, "other": 0})
    for activity in activities:
        weekly[_local_week(activity["start_time_utc"], DEFAULT_ZONE)][activity["category"]] += 1
    top_sets: dict[str, dict[str, dict[str, float]]] = defaultdict(dict)
    for activity in activities:
        week = _local_week(activity["start_time_utc"], DEFAULT_ZONE)
        for category, weight, reps in activity["top_sets"]:
            best = top_sets[category].get(week)
            if best is None or (weight, reps) > (best["weight_kg"], best["reps"]):
                top_sets[category][week] = {"weight_kg": weight, "reps": reps}
    plain = [name for name in files if name.startswith("fit/") and not name.startswith("fit/other/")]
    return {
        "generator": {
            "module": "synth.samples",
            "start": SAMPLE_START.isoformat(),
            "weeks": SAMPLE_WEEKS,
            "seed": SAMPLE_SEED,
        },
        "athlete_time_zone": DEFAULT_ZONE,
        "counts": {
            "fit_files": sum(1 for name in plain if name.endswith(".fit")),
            "fit_gz_files": sum(1 for name in plain if name.endswith(".fit.gz")),
            "zip_archives": 1,
            "zip_fit_members": sum(1 for a in activities if a["members"] and a["session_index"] == 0),
            "activity_files": len(history),
            "chained_files": sum(1 for fit in history if fit.chained > 1),
            "multisport_files": sum(1 for fit in history if fit.chained == 1 and len(fit.activities) > 1),
            "other_files": len(others),
            "invalid_files": len(invalid),
            "quarantined_files": sum(1 for entry in invalid if entry["status"] == "quarantined"),
            "activities": len(activities),
            "resistance_activities": sum(1 for a in activities if a["category"] == "resistance"),
            "other_activities": sum(1 for a in activities if a["category"] == "other"),
            "strength_activities_without_sets": sum(
                1 for a in activities if a["category"] == "resistance" and a["active_sets"] == 0
            ),
            "active_sets": sum(a["active_sets"] for a in activities),
            "rest_sets": sum(a["rest_sets"] for a in activities),
            "records": sum(a["records"] for a in activities),
        },
        "weekly_sessions": dict(sorted(weekly.items())),
        "weekly_top_sets": {category: dict(sorted(weeks.items())) for category, weeks in sorted(top_sets.items())},
        "activities": activities,
        "other_files": [{"file": f"fit/other/{fit.name}", "fit_file_type": fit.file_type} for fit in others],
        "invalid": invalid,
    }
