"""The FIT decoder on real files from many devices: sessions, sets, records; broken files named for what is wrong."""

from __future__ import annotations

import gzip
import json
import struct
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import pytest

from fitbalance.errors import DecodeError
from fitbalance.sources.fit import decode_fit
from tests.reliability import fitbytes as fb

STRENGTH = "fit/jarkko__fit-analyzer/20474406937_ACTIVITY.fit"


def test_strength_file_yields_38_active_sets_with_reps_and_weights(corpus: Path) -> None:
    """The Garmin strength file with 76 set messages has 38 active sets (the rest are rest sets)."""
    d = decode_fit((corpus / STRENGTH).read_bytes(), STRENGTH)
    assert d.is_activity and d.activities.height == 1
    assert d.activities["sport"][0] == "training" and d.activities["sub_sport"][0] == "strength_training"
    assert d.sets.height == 76
    active = d.sets.filter(d.sets["set_type"] == "working")
    assert active.height == 38
    assert active["reps"].null_count() == 0 and active["weight_kg"].null_count() == 0
    rest = d.sets.filter(d.sets["set_type"] == "rest")
    assert rest["exercise_guesses"].list.len().max() == 0
    # ordered by start time, and the top guess is the first of the watch's ranked guesses
    starts = d.sets["start_time_utc"].to_list()
    assert starts == sorted(starts)
    guessed = active.filter(active["exercise_guesses"].list.len() > 0)
    assert (guessed["exercise_category"] == guessed["exercise_guesses"].list.first()).all()
    assert d.activities["utc_offset_s"][0] == 3 * 3600  # local_timestamp in the activity message


def test_multisport_file_gives_one_activity_per_session(corpus: Path) -> None:
    path = corpus / "fit/muktihari__fit/triathlon_summary_last.fit"
    d = decode_fit(path.read_bytes(), str(path))
    assert d.activities["sport"].to_list() == ["swimming", "transition", "cycling", "transition", "running"]
    per_session = d.samples.group_by("session_index").len().sort("session_index")
    assert per_session.height >= 3
    assert d.samples["session_index"].is_sorted()


def test_gzipped_and_chained_files_decode(corpus: Path) -> None:
    gz = corpus / "fit/GoldenCheetah__GoldenCheetah/14582164182.fit.gz"
    d = decode_fit(gzip.decompress(gz.read_bytes()), str(gz))
    assert d.activities["sub_sport"][0] == "virtual_activity" and d.samples.height > 2000
    chained = corpus / "fit/muktihari__fit/chained_Activity_activity_poolswim.fit"
    d = decode_fit(chained.read_bytes(), str(chained))
    assert sorted(d.activities["sport"].to_list()) == ["stand_up_paddleboarding", "swimming"]


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("activity-filecrc.fit", "bad CRC"),
        ("activity-settings-corruptheader.fit", "header"),
    ],
)
def test_broken_files_raise_decode_error_naming_the_problem(corpus: Path, name: str, reason: str) -> None:
    path = next(corpus.glob(f"fit/*/{name}"))
    with pytest.raises(DecodeError) as info:
        decode_fit(path.read_bytes(), str(path))
    assert reason in info.value.reason and info.value.path == str(path)


RECORD_BYTES = 12  # fitbytes.run_activity: a record is a 1-byte header, timestamp, heart rate, distance, speed


@pytest.mark.parametrize("whole_records", [1, 17, 30])
def test_a_file_cut_short_loads_the_records_before_the_cut(whole_records: int) -> None:
    """A run of 30 records cut 5 bytes into the message after its n-th record (a watch whose battery died): the n
    records load as one activity made from them (the session message, written last, is missing); the cut is the
    first decoder warning, and a part set aside with no table and no rows says where the file ends."""
    whole = fb.run_activity(records=30)
    first_record = fb.layout(whole).definitions[1] + 6 + 3 * 4  # after the record definition (4 fields)
    cut = whole[: first_record + RECORD_BYTES * whole_records + 5]
    d = decode_fit(cut, "cut.fit")
    assert d.activities.height == 1 and d.samples.height == whole_records
    assert d.activities["start_time_utc"][0] == datetime(2025, 3, 4, 18, 30)
    assert d.samples["heart_rate"].to_list() == [120 + i for i in range(whole_records)]
    assert d.warnings[0].startswith("truncated FIT file") and "what precedes it is loaded" in d.warnings[0]
    [part] = d.rejected
    assert (part.stage, part.table, part.rows, part.line) == ("decode:cut", None, 0, None)
    assert part.reason.startswith("truncated FIT file")
    assert json.loads(part.payload or "") == {"file_bytes": len(cut), "messages_loaded": 1 + whole_records}


def test_a_file_cut_in_its_last_bytes_keeps_its_session() -> None:
    """Cut after the session message (in the file's CRC): the activity is the session's, every record loads."""
    whole = fb.run_activity(records=30)
    d = decode_fit(whole[:-1], "cut.fit")
    assert d.activities["sport"].to_list() == ["running"] and d.activities["elapsed_s"][0] == 30.0
    assert d.samples.height == 30 and d.warnings[0].startswith("truncated FIT file")


@pytest.mark.parametrize("size", [14, 20, 40])
def test_a_file_cut_before_anything_that_could_load_is_a_decode_error(size: int) -> None:
    """Cut in its header, or before its first record is whole: nothing to load, the file is quarantined."""
    whole = fb.run_activity(records=30)
    with pytest.raises(DecodeError, match="truncated FIT file"):
        decode_fit(whole[:size], "cut.fit")


def test_a_real_ride_cut_short_loads_its_four_and_a_half_hours(corpus: Path) -> None:
    """nick.fit (a Sigma ride of 4 h 39 min whose file ends in the middle of a message): its 14,391 records load,
    with the ride's sport from its sport message and its lap, where the file used to be quarantined whole."""
    path = corpus / "fit/dtcooper__python-fitparse/nick.fit"
    d = decode_fit(path.read_bytes(), str(path))
    assert d.activities["sport"].to_list() == ["cycling"] and d.samples.height == 14391 and d.laps.height == 1
    assert d.activities["elapsed_s"][0] == pytest.approx(16723, abs=1)
    assert d.warnings[0].startswith("truncated FIT file")


def test_non_activity_files_are_reported_by_type(corpus: Path) -> None:
    d = decode_fit((corpus / "fit/muktihari__fit/Settings.fit").read_bytes(), "Settings.fit")
    assert not d.is_activity and d.file_type == "settings"
    d = decode_fit((corpus / "fit/muktihari__fit/MonitoringFile.fit").read_bytes(), "MonitoringFile.fit")
    assert d.file_type.startswith("monitoring")


@pytest.mark.parametrize("data", [b"", b"hello world, not fit at all", b"\x0e\x10" + b"\0" * 12])
def test_empty_and_foreign_bytes_are_decode_errors(data: bytes) -> None:
    with pytest.raises(DecodeError):
        decode_fit(data, "x.fit")


def _odd_sized_fields(base: int) -> bytes:
    """A settings FIT file whose 10 record definitions each give heart_rate (of base type ``base``) 3 bytes, each
    followed by 500 records: fitdecode warns once per definition, naming the type and the offset, and reads on."""
    body = bytearray(struct.pack("<BBBHB", 0x40, 0, 0, fb.FILE_ID, 1) + struct.pack("<BBB", 0, 1, fb.ENUM))
    body += bytes([0x00, 2])  # file_id: type settings
    for _ in range(10):
        body += struct.pack("<BBBHB", 0x41, 0, 0, fb.RECORD, 1) + struct.pack("<BBB", 3, 3, base)
        body += bytes([0x01, 60, 0, 0]) * 500
    return fb.finish(bytes(body))


def test_each_file_gets_its_own_decoder_warnings_while_two_decode_in_threads() -> None:
    """Two files with different decoder warnings spread over them, decoded at once in two threads, again and
    again: each gets exactly the warnings it gets alone (the capture is per call, not a process-wide hook that the
    other thread's decode takes over), and none reaches the process's warning filters (which pytest makes errors)."""
    files = {"uint16": _odd_sized_fields(fb.UINT16), "uint32": _odd_sized_fields(fb.UINT32)}
    alone = {name: decode_fit(data, f"{name}.fit").warnings for name, data in files.items()}
    for name, complaints in alone.items():
        assert len(complaints) == 10, complaints  # one per definition, in the order they came
        assert all(c.startswith("invalid field size 3 in definition message") for c in complaints)
        assert all(f"for type {name} " in c for c in complaints), complaints

    start = threading.Barrier(2)

    def decode(name: str) -> tuple[str, ...]:
        start.wait()
        return decode_fit(files[name], f"{name}.fit").warnings

    with ThreadPoolExecutor(max_workers=2) as pool:
        for _ in range(10):
            got = dict(zip(files, pool.map(decode, files), strict=True))
            assert got == alone
