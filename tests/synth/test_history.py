"""The training-history generator, the benchmark corpus, and the committed sample set and EXPECTED.json."""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from statistics import mean
from typing import Any
from zoneinfo import ZoneInfo

import fitdecode
import pytest

from synth.history import (
    corpus_activity,
    encode_activity,
    generate_corpus,
    other_files,
    training_history,
)
from synth.samples import SAMPLE_START, sample_set
from tests.synth.fitread import Message, fields, frames, messages

SAMPLE_DATA = Path(__file__).resolve().parents[2] / "sample_data"
BERLIN = ZoneInfo("Europe/Berlin")
DST_SWITCH = datetime(2025, 3, 30, 1, 0, tzinfo=UTC)

Key = tuple[str, tuple[str, ...]]  # (path in sample_data, members inside archives)


def payloads(path: str, data: bytes, members: tuple[str, ...] = ()) -> list[tuple[Key, bytes]]:
    """The FIT payloads in a sample file: itself, gunzipped, or every FIT member of (nested) zips."""
    if path.endswith(".gz") and not members:
        return [((path, members), gzip.decompress(data))]
    if (members[-1] if members else path).endswith(".zip"):
        found = []
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for name in archive.namelist():
                if name.endswith((".zip", ".fit")):
                    found += payloads(path, archive.read(name), (*members, name))
        return found
    return [((path, members), data)]


@pytest.fixture(scope="module")
def sample() -> dict[str, bytes]:
    return sample_set()


@pytest.fixture(scope="module")
def expected(sample: dict[str, bytes]) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(sample["EXPECTED.json"])
    return result


@pytest.fixture(scope="module")
def decoded(sample: dict[str, bytes]) -> dict[Key, list[Message]]:
    """Every valid FIT payload of the sample set, decoded strictly (CRC checked, parse errors raised)."""
    result = {}
    for path, data in sample.items():
        if path.startswith(("fit/", "archives/")):
            for key, payload in payloads(path, data):
                result[key] = messages(payload)
    return result


def of(found: list[Message], name: str) -> list[dict[str, Any]]:
    return [values for message, values in found if message == name]


def activity_files(decoded: dict[Key, list[Message]]) -> dict[Key, list[Message]]:
    return {key: found for key, found in decoded.items() if of(found, "file_id")[0]["type"] == "activity"}


def local_offset(found: list[Message]) -> int | None:
    """local_timestamp - timestamp of the (first) activity message; both parts of the chained sample agree."""
    activity = of(found, "activity")[0]
    if activity.get("local_timestamp") is None:
        return None
    return int((activity["local_timestamp"] - activity["timestamp"]).total_seconds())


# ---- the committed sample set ------------------------------------------------------------------------------


GENERATOR = {"generate.py", "synth"}  # the generator's own code, beside the files it writes


def test_committed_sample_data_is_what_the_generator_makes(sample: dict[str, bytes]) -> None:
    """The committed sample_data/ is byte for byte what the generator makes now (it is deterministic)."""
    committed = {
        path.relative_to(SAMPLE_DATA).as_posix(): path.read_bytes()
        for path in SAMPLE_DATA.rglob("*")
        if path.is_file()
        and path.relative_to(SAMPLE_DATA).parts[0] not in GENERATOR
        and "__pycache__" not in path.parts
    }
    assert sorted(committed) == sorted(sample)
    changed = [path for path in sample if committed[path] != sample[path]]
    assert not changed, "run `make sample-data` and commit the result"


def test_sample_data_is_small(sample: dict[str, bytes]) -> None:
    """The sample set stays under 8 MB."""
    assert sum(map(len, sample.values())) < 8_000_000


def test_expected_counts_agree_with_the_files(
    sample: dict[str, bytes], expected: dict[str, Any], decoded: dict[Key, list[Message]]
) -> None:
    """EXPECTED.json's counts are what reading every file finds."""
    counts = expected["counts"]
    activities = activity_files(decoded)
    sessions = [s for found in activities.values() for s in of(found, "session")]
    sets = [s for found in activities.values() for s in of(found, "set")]
    plain = [p for p in sample if p.startswith("fit/") and not p.startswith("fit/other/")]
    assert counts["fit_files"] == sum(p.endswith(".fit") for p in plain)
    assert counts["fit_gz_files"] == sum(p.endswith(".fit.gz") for p in plain) == 1
    assert counts["zip_fit_members"] == sum(1 for _, members in activities if members) > 0
    assert counts["activity_files"] == len(activities)
    assert counts["activities"] == len(sessions) == len(expected["activities"])
    assert counts["active_sets"] == sum(s["set_type"] == "active" for s in sets)
    assert counts["rest_sets"] == sum(s["set_type"] == "rest" for s in sets)
    assert counts["records"] == sum(len(of(found, "record")) for found in activities.values())
    assert counts["chained_files"] == sum(len(of(found, "file_id")) > 1 for found in activities.values()) == 1
    assert counts["multisport_files"] == 1
    assert counts["other_files"] == len(decoded) - len(activities) == len(expected["other_files"])
    assert counts["invalid_files"] == sum(p.startswith("invalid/") for p in sample) == len(expected["invalid"])
    assert counts["resistance_activities"] + counts["other_activities"] == counts["activities"]
    assert counts["strength_activities_without_sets"] == 1


def test_expected_activities_agree_with_the_files(expected: dict[str, Any], decoded: dict[Key, list[Message]]) -> None:
    """Each activity in EXPECTED.json is a session in the named file, with the same values."""
    for row in expected["activities"]:
        found = decoded[(row["file"], tuple(row["members"]))]
        session = of(found, "session")[row["session_index"]]
        start = datetime.fromisoformat(row["start_time_utc"]).replace(tzinfo=UTC)
        assert (session["sport"], session["sub_sport"], session["start_time"]) == (
            row["sport"],
            row["sub_sport"],
            start,
        )
        assert (session["avg_heart_rate"], session["max_heart_rate"]) == (row["avg_hr"], row["max_hr"])
        assert session["total_elapsed_time"] == row["elapsed_s"]
        if row["distance_m"] is None:
            assert session.get("total_distance") is None
        else:
            assert session["total_distance"] == pytest.approx(row["distance_m"], abs=0.01)
        end = start + timedelta(seconds=row["elapsed_s"])
        sets = [s for s in of(found, "set") if start <= s["start_time"] < end]
        assert sum(s["set_type"] == "active" for s in sets) == row["active_sets"]
        assert sum(s["set_type"] == "rest" for s in sets) == row["rest_sets"]
        records = [r for r in of(found, "record") if start <= r["timestamp"] < end]
        assert len(records) == row["records"]
        assert local_offset(found) == row["utc_offset_s"]


def test_expected_weekly_numbers_cover_every_activity(expected: dict[str, Any]) -> None:
    """The weekly session counts add up to the activities; weekly top sets name the lifted categories."""
    weekly = expected["weekly_sessions"]
    assert sum(w["resistance"] + w["other"] for w in weekly.values()) == expected["counts"]["activities"]
    assert len(weekly) >= 12
    assert set(expected["weekly_top_sets"]) == {
        "bench_press",
        "squat",
        "deadlift",
        "shoulder_press",
        "pull_up",
        "row",
    }


@pytest.mark.parametrize("index", range(6))
def test_invalid_files_fail_fitdecode_as_stated(sample: dict[str, bytes], expected: dict[str, Any], index: int) -> None:
    """Each broken file fails fitdecode (CRC checked) with the error EXPECTED.json names, or decodes if so."""
    entry = expected["invalid"][index]
    data = sample[entry["file"]]
    if entry["fitdecode_error"] is None:
        read = frames(data)
        if entry["file"].endswith("empty.fit"):
            assert read == []
        else:
            assert any(isinstance(frame, fitdecode.FitCRC) for frame in read)
        return
    error = getattr(fitdecode, entry["fitdecode_error"])
    with pytest.raises(error, match=entry["message_contains"]):
        frames(data)


def test_impossible_values_are_in_the_file(sample: dict[str, bytes], expected: dict[str, Any]) -> None:
    """The impossible-values file holds a 254 bpm session maximum, a record timed before 1990 and one in 2100."""
    (entry,) = [e for e in expected["invalid"] if e["file"] == "invalid/impossible-values.fit"]
    data = sample[entry["file"]]
    hr, early, future = entry["bad_values"]
    assert fields(data, "session")[0]["max_heart_rate"] == hr["value"] > 250
    records = fields(data, "record")
    assert records[early["index"]]["timestamp"] == early["raw"]  # device-relative: fitdecode gives the int
    assert sum(not isinstance(r["timestamp"], datetime) for r in records) == 1
    assert records[future["index"]]["timestamp"] == datetime.fromisoformat(future["utc"]).replace(tzinfo=UTC)
    assert sum(r["timestamp"].year > 2030 for r in records if isinstance(r["timestamp"], datetime)) == 1


# ---- the training history ----------------------------------------------------------------------------------


def strength_sessions(decoded: dict[Key, list[Message]]) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """(session, its sets ordered by start_time) for every strength session."""
    result = []
    for found in activity_files(decoded).values():
        for session in of(found, "session"):
            if session["sub_sport"] == "strength_training":
                end = session["start_time"] + timedelta(seconds=session["total_elapsed_time"])
                sets = [s for s in of(found, "set") if session["start_time"] <= s["start_time"] < end]
                result.append((session, sorted(sets, key=lambda s: s["start_time"])))
    return result


def test_history_spans_weeks_with_two_or_three_strength_sessions(decoded: dict[Key, list[Message]]) -> None:
    """The history covers at least 12 weeks with 2-3 strength sessions in each."""
    weeks: Counter[tuple[int, int]] = Counter()
    for session, _ in strength_sessions(decoded):
        weeks[session["start_time"].astimezone(BERLIN).isocalendar()[:2]] += 1
    assert len(weeks) >= 12
    assert set(weeks.values()) <= {2, 3}


def test_strength_sets_alternate_and_carry_guesses(decoded: dict[Key, list[Message]]) -> None:
    """Active sets alternate with rests and carry reps, weight and three ranked guesses; rests carry none."""
    with_sets = [(session, sets) for session, sets in strength_sessions(decoded) if sets]
    assert len(with_sets) >= 24
    for session, sets in with_sets:
        kinds = [s["set_type"] for s in sets]
        assert kinds[0] == kinds[-1] == "active"
        assert all(a != b for a, b in pairwise(kinds))
        for s in sets:
            assert s["timestamp"] == session["start_time"]  # like Garmin: order by start_time, not timestamp
            if s["set_type"] == "active":
                assert s["repetitions"] > 0 and s["weight"] >= 0
                assert len(s["category"]) == 3 and None not in s["category"]
            else:
                assert s["category"] == (None, None, None) and s["repetitions"] is None


def test_loads_progress_with_holds_and_regressions(decoded: dict[Key, list[Message]]) -> None:
    """Weighted lifts get heavier over the weeks, some weeks hold or drop; pull-ups stay at bodyweight (0)."""
    top: dict[int, dict[tuple[int, int], float]] = defaultdict(dict)
    for session, sets in strength_sessions(decoded):
        week = session["start_time"].astimezone(BERLIN).isocalendar()[:2]
        for s in sets:
            if s["set_type"] == "active":
                category = s["category"][0]
                top[category][week] = max(top[category].get(week, 0.0), s["weight"])
    pull_up = 21
    assert set(top[pull_up].values()) == {0.0}
    for category, weeks in top.items():
        if category == pull_up:
            continue
        loads = [weeks[w] for w in sorted(weeks)]
        assert loads[-1] > loads[0], category
        assert any(b <= a for a, b in pairwise(loads)), category


def test_history_has_every_kind_of_session(decoded: dict[Key, list[Message]]) -> None:
    """Runs, rides, yoga, HIIT, a strength session without sets, a multisport file and a chained file."""
    activities = activity_files(decoded)
    kinds = Counter((s["sport"], s["sub_sport"]) for found in activities.values() for s in of(found, "session"))
    assert kinds[("training", "yoga")] == 1
    assert kinds[("hiit", "hiit")] == 1
    assert sum(n for (sport, _), n in kinds.items() if sport == "running") >= 24
    assert sum(n for (sport, _), n in kinds.items() if sport == "cycling") >= 12
    assert sum(not sets for _, sets in strength_sessions(decoded)) == 1
    multisport = [f for f in activities.values() if len(of(f, "file_id")) == 1 and len(of(f, "session")) == 2]
    assert len(multisport) == 1
    first, second = of(multisport[0], "session")
    assert (first["sub_sport"], second["sport"]) == ("strength_training", "running")
    assert of(multisport[0], "activity")[0]["num_sessions"] == 2
    assert sum(len(of(f, "file_id")) == 2 for f in activities.values()) == 1


def test_runs_and_rides_have_one_hertz_records(decoded: dict[Key, list[Message]]) -> None:
    """Endurance sessions are sampled every second with heart rate, speed, distance, altitude and GPS."""
    for found in activity_files(decoded).values():
        if of(found, "session")[0]["sport"] not in ("running", "cycling") or len(of(found, "file_id")) > 1:
            continue
        records = of(found, "record")
        times = [r["timestamp"] for r in records]
        assert all((b - a).total_seconds() == 1 for a, b in pairwise(times))
        sample = records[len(records) // 2]
        speed = sample.get("enhanced_speed", sample.get("speed"))
        altitude = sample.get("enhanced_altitude", sample.get("altitude"))
        assert 60 < sample["heart_rate"] < 200
        assert speed is not None and altitude is not None and sample["distance"] > 0
        assert abs(sample["position_lat"] / 2**31 * 180 - 52.5) < 0.5


def test_local_times_follow_berlin_across_the_dst_switch(decoded: dict[Key, list[Message]]) -> None:
    """local_timestamp is UTC+1 before 2025-03-30 and UTC+2 after; some devices leave it out."""
    offsets: dict[bool, set[int | None]] = defaultdict(set)
    for found in activity_files(decoded).values():
        activity = of(found, "activity")[0]
        offsets[activity["timestamp"] > DST_SWITCH].add(local_offset(found))
    assert offsets[False] == {3600, None}
    assert offsets[True] == {7200, None}


def test_several_manufacturers(decoded: dict[Key, list[Message]]) -> None:
    """Files come from Garmin, Wahoo, COROS and Suunto devices."""
    makers = {of(found, "file_id")[0]["manufacturer"] for found in decoded.values()}
    assert {"garmin", "wahoo_fitness", "coros", "suunto"} <= makers


def test_other_files_are_not_activities() -> None:
    """Settings, workout and monitoring files decode, name their FIT file type, and hold no session."""
    files = other_files(SAMPLE_START)
    assert [f.file_type for f in files] == ["settings", "workout", "monitoring_b"]
    for fit in files:
        assert fields(fit.data, "file_id")[0]["type"] == fit.file_type
        assert fields(fit.data, "session") == []


def test_history_needs_twelve_weeks() -> None:
    """It refuses to make a history shorter than 12 weeks."""
    with pytest.raises(ValueError, match="12 weeks"):
        training_history(date(2025, 1, 6), weeks=11)


def test_history_depends_on_its_seed_only() -> None:
    """Another seed gives other files on the same schedule (same-seed repeatability: the committed sample test)."""
    first = training_history(date(2024, 9, 2), weeks=12, seed=1)
    other = training_history(date(2024, 9, 2), weeks=12, seed=2)
    assert [f.name for f in first] == [f.name for f in other]
    assert all(a.data != b.data for a, b in zip(first, other, strict=True))
    assert first[0].name == "2024-09/2024-09-02-0700-strength.fit"


# ---- the benchmark corpus ----------------------------------------------------------------------------------


def test_corpus_files_are_distinct_decodable_and_repeatable(tmp_path: Path) -> None:
    """generate_corpus writes N distinct activity files that decode; the same call writes the same bytes."""
    paths = generate_corpus(tmp_path / "a", 6, seed=3)
    again = generate_corpus(tmp_path / "b", 6, seed=3)
    assert [p.name for p in paths] == [p.name for p in again]
    assert [p.read_bytes() for p in paths] == [p.read_bytes() for p in again]
    assert len({p.read_bytes() for p in paths}) == 6
    for path in paths:
        assert fields(path.read_bytes(), "file_id")[0]["type"] == "activity"
        assert len(fields(path.read_bytes(), "session")) == 1


def test_corpus_mix_averages_about_1500_records() -> None:
    """The corpus mixes runs, rides and strength of some hundred to some thousand records, ~1,500 average."""
    plans = [corpus_activity(index, seed=0, start=date(2022, 1, 3)) for index in range(200)]
    records = [len(plan.sessions[0].track.seconds) for plan in plans]
    assert 1350 <= mean(records) <= 1650
    assert min(records) >= 300 and max(records) <= 4000
    sports = Counter(plan.sessions[0].sport for plan in plans)
    assert set(sports) == {"running", "cycling", "training"}
    assert len(encode_activity(plans[0])) > 1000
