"""Hostile bytes: mutated FIT files and CSVs fed to the decoders and to ``process_file``.

Properties: only fitbalance's own :class:`InputError` subclasses come out of ``decode_bytes``; ``process_file`` turns
every one into a quarantine row (never an ``internal`` one); and the caps of ``fitbalance.sources.limits`` stop any
input from decoding for long or piling up messages.

The seeds are small FIT files written by ``tests/reliability/fitbytes.py`` (plus ``synth`` files when
that generator is installed), the first lines of the generated ``sample_data/csv`` files, and small hand-written
CSVs; never the real-world corpus: a falsifying example is
printed in full and must not carry anybody's data. CI runs a few hundred examples per property; for a longer hunt
set ``FITBALANCE_FUZZ_EXAMPLES``::

    FITBALANCE_FUZZ_EXAMPLES=20000 .venv/bin/pytest tests/reliability/test_fuzz.py
"""

from __future__ import annotations

import codecs
import os
import struct
import tempfile
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fitbalance.config import Athlete
from fitbalance.errors import InputError, LimitExceeded
from fitbalance.models import FileStatus, SourceRef, WorkItem
from fitbalance.process import process_file
from fitbalance.sources import decode_bytes, fit, fitcolumns, limits
from fitbalance.sources.fit import decode_fit
from fitbalance.sources.limits import Budget
from tests.conftest import examples

from . import fitbytes as fb

EXAMPLES = int(os.environ.get("FITBALANCE_FUZZ_EXAMPLES") or examples(200))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=timedelta(seconds=5),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
AS_OF = datetime(2026, 1, 1)
ME = Athlete(name="me", time_zone="Europe/Berlin")


def _synth_seeds() -> list[bytes]:
    """FIT files from the project's own generator, when it is installed."""
    try:
        from synth import FitWriter  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return []
    start = datetime(2025, 5, 6, 7, 0, tzinfo=UTC)
    fit = FitWriter()
    fit.message("file_id", type="activity", manufacturer="garmin", product=4315, time_created=start)
    for i in range(10):
        fit.message("record", timestamp=start + timedelta(seconds=i), heart_rate=100 + i, distance=float(i))
    fit.message("set", timestamp=start, duration=30.0, repetitions=5, weight=80.0, set_type="active", start_time=start)
    fit.message("session", timestamp=start, start_time=start, sport="training", total_elapsed_time=600.0)
    return [bytes(fit.to_bytes())]


FIT_SEEDS = [
    fb.strength_activity(sets=2, records=5),
    fb.run_activity(records=8),
    fb.strength_activity(sets=1, records=2) + fb.run_activity(records=3),  # chained
    *_synth_seeds(),
]


def _sample_csv_heads() -> list[bytes]:
    """The first lines of each CSV in sample_data/csv (made by the project's generator), when they are there."""
    folder = Path(__file__).resolve().parents[2] / "sample_data" / "csv"
    return [b"".join(p.read_bytes().splitlines(keepends=True)[:5]) for p in sorted(folder.glob("*.csv"))]


CSV_SEEDS = [
    *_sample_csv_heads(),
    # Strong
    b"Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,Workout Notes,RPE\n"
    b'2025-03-03 07:00:00,"Push",45m,"Bench Press (Barbell)",1,60.0,8,0,0,,,\n'
    b'2025-03-03 07:00:00,"Push",45m,"Bench Press (Barbell)",2,62.5,6,0,0,,,8\n',
    # Hevy
    b'"title","start_time","end_time","description","exercise_title","superset_id","exercise_notes","set_index",'
    b'"set_type","weight_kg","reps","distance_km","duration_seconds","rpe"\n'
    b'"Legs","3 Mar 2025, 07:00","3 Mar 2025, 08:00","","Squat (Barbell)",,"",0,"normal",100,5,,,\n',
    # Strava activities.csv (older layout)
    b"Activity ID,Activity Date,Activity Name,Activity Type,Elapsed Time,Distance\n"
    b'123,"Mar 4, 2025, 6:30:00 PM",Evening Run,Run,1800,5.01\n',
    # Garmin Connect activities
    b"Activity Type,Date,Favorite,Title,Distance,Calories,Time,Avg HR,Max HR\n"
    b"Running,2025-03-04 18:30:00,false,Run,5.00,350,00:30:00,150,170\n",
]


# ---- mutators -----------------------------------------------------------------------------------------------------


def _at(data: bytearray, fraction: float) -> int:
    return min(int(fraction * len(data)), max(len(data) - 1, 0))


def _flip(data: bytearray, where: float, bit: int) -> None:
    if data:
        data[_at(data, where)] ^= 1 << bit


def _set(data: bytearray, where: float, value: int) -> None:
    if data:
        data[_at(data, where)] = value


def _truncate(data: bytearray, where: float) -> None:
    del data[_at(data, where) :]


def _insert(data: bytearray, where: float, chunk: bytes) -> None:
    data[_at(data, where) : _at(data, where)] = chunk


def _repeat(data: bytearray, where: float, length: int) -> None:
    start = _at(data, where)
    data[start:start] = data[start : start + length]


def _header_size(data: bytearray, value: int) -> None:
    if data:
        data[0] = value


def _data_size(data: bytearray, value: int) -> None:
    if len(data) >= 8:
        struct.pack_into("<I", data, 4, value)


def _definition(data: bytearray, which: float, part: int, value: int) -> None:
    """Overwrite one byte of a definition message: header, architecture, global number, field count, a field."""
    try:
        offsets = fb.layout(bytes(data)).definitions
    except (IndexError, KeyError):
        return
    if offsets:
        pos = offsets[min(int(which * len(offsets)), len(offsets) - 1)] + part
        if pos < len(data):
            data[pos] = value


def _huge_definition(data: bytearray, where: float, global_num: int, fields: int, size: int) -> None:
    """Insert a definition with many wide fields and one data message that fills it."""
    chunk = bytearray(struct.pack("<BBBHB", 0x4F, 0, 0, global_num, fields))
    for i in range(fields):
        chunk += struct.pack("<BBB", i, size, 0x0D)
    chunk += b"\x0f" + b"\x07" * (fields * size)
    _insert(data, where, bytes(chunk))


fractions = st.floats(0, 1, allow_nan=False)
FIT_MUTATIONS = st.one_of(
    st.tuples(st.just(_flip), fractions, st.integers(0, 7)),
    st.tuples(st.just(_set), fractions, st.integers(0, 255)),
    st.tuples(st.just(_truncate), fractions),
    st.tuples(st.just(_insert), fractions, st.binary(min_size=1, max_size=16)),
    st.tuples(st.just(_repeat), fractions, st.integers(1, 64)),
    st.tuples(st.just(_header_size), st.sampled_from([0, 1, 11, 12, 13, 15, 16, 255])),
    st.tuples(st.just(_data_size), st.sampled_from([0, 1, 13, 0x7FFFFFFF, 0xFFFFFFFF]) | st.integers(0, 4096)),
    st.tuples(
        st.just(_definition),
        fractions,
        st.integers(0, 14),  # 0 header, 2 architecture, 3-4 global number, 5 field count, 6+ field definitions
        st.sampled_from([0, 1, 2, 3, 0x20, 0x40, 0x60, 0x84, 0x86, 0xFF]) | st.integers(0, 255),
    ),
    st.tuples(
        st.just(_huge_definition),
        fractions,
        st.sampled_from([0, 18, 19, 20, 34, 225, 0xFF00]),
        st.integers(1, 255),
        st.integers(0, 255),
    ),
)


def _apply(seed: bytes, mutations: list[tuple[Any, ...]], recrc: bool) -> bytes:
    data = bytearray(seed)
    for mutate, *args in mutations:
        mutate(data, *args)
    out = bytes(data)
    return fb.recrc(out) if recrc else out


mutated_fit = st.builds(
    _apply, st.sampled_from(FIT_SEEDS), st.lists(FIT_MUTATIONS, min_size=1, max_size=4), st.booleans()
)


def _latin1(data: bytearray, *args: Any) -> None:
    text = bytes(data).decode("utf-8", errors="replace").replace("Bench", "Bänch").replace("Squat", "Kniebeuge ß")
    data[:] = text.encode("latin-1", errors="replace")


def _bom(data: bytearray, kind: bytes) -> None:
    data[:0] = kind


def _utf16(data: bytearray, *args: Any) -> None:
    data[:] = codecs.BOM_UTF16_LE + bytes(data).decode("utf-8", errors="replace").encode("utf-16-le")


def _line_endings(data: bytearray, ending: bytes) -> None:
    data[:] = bytes(data).replace(b"\n", ending)


def _delimiters(data: bytearray, where: float, delimiter: bytes) -> None:
    """Swap the delimiter of one line (mixed delimiters in one file)."""
    lines = bytes(data).split(b"\n")
    i = min(int(where * len(lines)), len(lines) - 1)
    lines[i] = lines[i].replace(b",", delimiter)
    data[:] = b"\n".join(lines)


CSV_MUTATIONS = st.one_of(
    st.tuples(st.just(_flip), fractions, st.integers(0, 7)),
    st.tuples(st.just(_set), fractions, st.sampled_from(list(b',;\t"\n\r\0\xff')) | st.integers(0, 255)),
    st.tuples(st.just(_truncate), fractions),
    st.tuples(st.just(_insert), fractions, st.sampled_from([b'"', b",,,,", b"\n\n", b"\r", b"-1", b"1e308", b"NaN"])),
    st.tuples(st.just(_insert), fractions, st.binary(max_size=32)),
    st.tuples(st.just(_repeat), fractions, st.integers(1, 200)),
    st.tuples(st.just(_latin1)),
    st.tuples(st.just(_bom), st.sampled_from([codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF32_BE])),
    st.tuples(st.just(_utf16)),
    st.tuples(st.just(_line_endings), st.sampled_from([b"\r\n", b"\r"])),
    st.tuples(st.just(_delimiters), fractions, st.sampled_from([b";", b"\t", b"|"])),
)
mutated_csv = st.builds(
    _apply, st.sampled_from(CSV_SEEDS), st.lists(CSV_MUTATIONS, min_size=1, max_size=4), st.just(False)
)


# ---- properties ---------------------------------------------------------------------------------------------------


def _decodes_or_raises_input_error(data: bytes, path: str) -> None:
    try:
        decoded = decode_bytes(data, path, time_zone="Europe/Berlin")
    except InputError as exc:
        assert exc.reason and exc.stage, "an input error must say why and where"
        return
    assert decoded.source_format


@FUZZ
@given(data=mutated_fit)
def test_mutated_fit_files_raise_only_input_errors(data: bytes) -> None:
    """Flipped bytes, truncations, lying sizes and huge definitions: decode_bytes raises nothing but InputError."""
    _decodes_or_raises_input_error(data, "fuzz.fit")


@FUZZ
@given(data=mutated_csv)
def test_mutated_csvs_raise_only_input_errors(data: bytes) -> None:
    """Mutated CSV exports (bad bytes, encodings, BOMs, line endings, mixed delimiters) raise only InputError."""
    _decodes_or_raises_input_error(data, "fuzz.csv")


@FUZZ
@given(data=st.binary(max_size=512), name=st.sampled_from(["x.fit", "x.csv", "x.fit.gz", "x"]))
def test_random_bytes_raise_only_input_errors(data: bytes, name: str) -> None:
    _decodes_or_raises_input_error(data, name)


_WORK = Path(tempfile.mkdtemp(prefix="fitbalance-fuzz-"))


def _process(data: bytes, name: str) -> None:
    target = _WORK / name
    target.write_bytes(data)
    item = WorkItem(SourceRef(path=name, local_path=str(target), size_bytes=len(data)), file_id="f" * 64)
    outcome, tables, quarantine = process_file(item, athlete=ME, as_of=AS_OF, resolve_exercise=lambda n, c: None)
    assert "internal" not in quarantine["stage"].to_list(), quarantine.to_dicts()
    if outcome.status is FileStatus.QUARANTINED:
        assert quarantine.height >= 1 and any(r in outcome.detail for r in quarantine["reason"])
        assert tables.activities.height == 0
    elif outcome.status is FileStatus.LOADED:
        assert tables.activities.height >= 1
    else:
        assert outcome.status is FileStatus.SKIPPED and tables.activities.height == 0


@settings(FUZZ, max_examples=max(EXAMPLES // 2, 1))
@given(data=mutated_fit | mutated_csv, name=st.sampled_from(["a.fit", "a.csv"]))
def test_process_file_quarantines_every_hostile_file(data: bytes, name: str) -> None:
    """Whatever the bytes, process_file loads, skips, or quarantines with a reason: never an internal error."""
    _process(data, name)


# ---- the caps -----------------------------------------------------------------------------------------------------


def _ticking(step: float) -> Callable[[], float]:
    now = [0.0]

    def clock() -> float:
        now[0] += step
        return now[0]

    return clock


def test_the_message_cap_stops_a_decode() -> None:
    with pytest.raises(LimitExceeded, match="more than 10 messages"):
        decode_fit(fb.run_activity(records=50), "big.fit", budget=Budget("big.fit", max_messages=10))


def test_the_time_cap_stops_a_decode_without_a_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """A decode read message by message that runs past its time cap stops at the next message; the clock is a fake
    that ticks 1 s a call."""
    monkeypatch.setattr(fit, "COLUMNAR", False)
    budget = Budget("slow.fit", max_seconds=5, clock=_ticking(1.0))
    with pytest.raises(LimitExceeded, match="longer than the 5 s cap") as info:
        decode_fit(fb.run_activity(records=50), "slow.fit", budget=budget)
    assert budget.messages == 6 and info.value.path == "slow.fit"


def test_the_time_cap_also_stops_a_columnar_decode() -> None:
    """On the columnar path the records are split from the file in one pass over its bytes (no Python step per
    message) and count against the caps together: the time is checked once after that pass, and then at each message
    the reader still reads one by one. So the cap stops the decode after the pass, with every split message counted,
    and before the rest of the file is read."""
    data = fb.run_activity(records=50)
    columns = fitcolumns.split(data)
    assert isinstance(columns, fitcolumns.Columns) and columns.dropped >= 50  # this file takes the columnar path
    budget = Budget("slow.fit", max_seconds=5, clock=_ticking(1.0))
    with pytest.raises(LimitExceeded, match="longer than the 5 s cap") as info:
        decode_fit(data, "slow.fit", budget=budget)
    assert info.value.path == "slow.fit"
    assert columns.dropped <= budget.messages < columns.dropped + 6


def test_the_slowest_messages_still_reach_the_time_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """Unknown messages of 255 fields x 255 bytes (the slowest fitdecode parses) are each one tick of the budget
    when read message by message (the columnar path drops them unread)."""
    monkeypatch.setattr(fit, "COLUMNAR", False)
    body = bytearray(struct.pack("<BBBHB", 0x40, 0, 0, 0xFF00, 255))
    for i in range(255):
        body += struct.pack("<BBB", i, 255, 0x0D)
    for _ in range(3):
        body += b"\x00" + b"\x07" * (255 * 255)
    budget = Budget("wide.fit", max_seconds=2.5, clock=_ticking(1.0))
    with pytest.raises(LimitExceeded, match=r"2\.5 s cap"):
        decode_fit(fb.finish(bytes(body)), "wide.fit", budget=budget)
    assert budget.messages == 3  # header, definition, first data message: it stopped before the other two


def test_caps_become_quarantine_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Over the size, message or row cap: quarantined with a reason naming the cap, and nothing is loaded."""
    data = fb.strength_activity(sets=3, records=30)
    cases = {"MAX_DECODE_BYTES": 100, "MAX_MESSAGES": 20, "MAX_ROWS": 10}
    reasons = {}
    for name, value in cases.items():
        with monkeypatch.context() as m:
            m.setattr(limits, name, value)
            target = tmp_path / f"{name}.fit"
            target.write_bytes(data)
            item = WorkItem(SourceRef(str(target), str(target), len(data)), file_id=name)
            outcome, tables, q = process_file(item, athlete=ME, as_of=AS_OF, resolve_exercise=lambda n, c: None)
            assert outcome.status is FileStatus.QUARANTINED and tables.activities.height == 0
            assert q["stage"].to_list() == ["decode"]
            reasons[name] = q["reason"][0]
    assert "decode cap" in reasons["MAX_DECODE_BYTES"]
    assert "more than 20 messages" in reasons["MAX_MESSAGES"]
    assert "over the 10 cap" in reasons["MAX_ROWS"] and "30 samples" in reasons["MAX_ROWS"]


def test_hostile_layouts_decode_in_bounded_memory() -> None:
    """Wide definitions repeated over half a megabyte: the decoder's peak memory stays a small multiple of the input."""
    worst = 0
    for global_num in (18, 20, 225):
        body = bytearray(struct.pack("<BBBHB", 0x40, 0, 0, global_num, 255))
        for i in range(255):
            body += struct.pack("<BBB", i, 255, 0x0D)
        for _ in range(8):
            body += b"\x00" + b"\x07" * (255 * 255)
        data = fb.finish(bytes(body))
        tracemalloc.start()
        try:
            with pytest.raises(InputError):
                decode_fit(data, "wide.fit")
            worst = max(worst, tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    assert worst < 16 * 1024**2
