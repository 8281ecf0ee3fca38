"""The columnar FIT path (records decoded a definition at a time) gives what the message-by-message reader gives.

Differential: every FIT file at hand (``sample_data/``, the real-world corpus when present, the hostile files of the
reliability tests, damaged and mutated copies) is decoded both ways by :func:`decode_fit`; the activities, sets,
samples (every field of every record kept), laps, warnings and set-aside parts are equal, or both ways fail with the
same error. A file the columnar path does not reproduce falls back to the reader, and says why.
"""

from __future__ import annotations

import random
import struct
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fitbalance.sources import fit, fitcolumns
from fitbalance.sources.fit import decode_fit
from tests.conftest import SAMPLE_DATA, examples
from tests.ingesting import ingest_like_the_flow
from tests.reliability import fitbytes as fb


def _fit_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() == ".fit")


def _outcome(data: bytes, columnar: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, ...]:
    """What ``decode_fit`` makes of ``data`` one way or the other, as comparable values."""
    monkeypatch.setattr(fit, "COLUMNAR", columnar)
    try:
        d = decode_fit(data, "file.fit")
    except Exception as exc:
        return ("error", type(exc).__name__, str(exc))
    frames = tuple(f.to_dict(as_series=False) for f in (d.activities, d.sets, d.samples, d.laps))
    schemas = tuple(f.schema for f in (d.activities, d.sets, d.samples, d.laps))
    return ("decoded", d.file_type, d.detail, frames, schemas, d.warnings, d.rejected)


def _same_both_ways(data: bytes, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, ...]:
    columnar = _outcome(data, True, monkeypatch)
    regular = _outcome(data, False, monkeypatch)
    assert columnar == regular
    return regular


def _columnar(data: bytes) -> bool:
    return isinstance(fitcolumns.split(data), fitcolumns.Columns)


@pytest.mark.parametrize("path", _fit_files(SAMPLE_DATA), ids=lambda p: str(p.relative_to(SAMPLE_DATA)))
def test_same_result_both_ways_on_sample_data(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _same_both_ways(path.read_bytes(), monkeypatch)


def test_sample_activities_take_the_columnar_path() -> None:
    """Every whole sample activity is decoded as columns (the damaged ones under ``invalid/`` may fall back)."""
    whole = [p for p in _fit_files(SAMPLE_DATA / "fit") if "invalid" not in p.parts]
    assert whole
    assert [p.name for p in whole if not _columnar(p.read_bytes())] == []


@pytest.mark.corpus
@pytest.mark.slow
def test_same_result_both_ways_on_the_real_world_corpus(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file of every manufacturer there, whole; most of them take the columnar path."""
    files = _fit_files(corpus / "fit")
    assert files
    different = []
    for path in files:
        data = path.read_bytes()
        if _outcome(data, True, monkeypatch) != _outcome(data, False, monkeypatch):
            different.append(path.name)
    assert different == []
    assert sum(_columnar(p.read_bytes()) for p in files) > len(files) // 2


def _damaged(data: bytes, seed: int) -> list[bytes]:
    """Cut copies, bit-flipped copies (their CRCs made right again, so the damage reaches the parser) and not."""
    rng = random.Random(seed)
    out = [data[:cut] for cut in (0, 13, 14, 40, len(data) // 2, len(data) - 2, len(data) - 1)]
    out.append(data + data)  # chained
    out.append(data + b"\x00")  # a byte past the end
    for _ in range(60):
        copy = bytearray(data)
        for _ in range(rng.randrange(1, 4)):
            copy[rng.randrange(14, len(copy) - 2)] = rng.randrange(256)
        out.append(bytes(copy))
        out.append(fb.recrc(bytes(copy)))
    return out


def test_same_result_both_ways_on_damaged_and_mutated_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """The reliability tests' hostile seeds and the sample strength file, cut, chained and mutated: the same
    activity or the same error; the mutations reach both paths (some decode as columns, some fail)."""
    strength = next(p for p in _fit_files(SAMPLE_DATA) if "strength" in p.name).read_bytes()
    seeds = [fb.strength_activity(), fb.run_activity(), strength]
    outcomes = []
    for i, seed in enumerate(seeds):
        for blob in _damaged(seed, i):
            outcomes.append((_same_both_ways(blob, monkeypatch)[0], _columnar(blob)))
            split = fitcolumns.split(blob)
            assert isinstance(split, fitcolumns.Columns) or not split.reason.startswith("unexpected")
    assert ("decoded", True) in outcomes and ("error", False) in outcomes


T0 = fb.fit_time(datetime(2025, 3, 4, 18, 30, tzinfo=UTC))


def _run(records: list[list[fb.Field]], start: int = T0) -> bytes:
    session = (
        fb.SESSION,
        [(253, fb.UINT32, start + 60), (2, fb.UINT32, start), (7, fb.UINT32, 60_000), (5, fb.ENUM, 1)],
    )
    file_id = (fb.FILE_ID, [(0, fb.ENUM, 4), (1, fb.UINT16, 1), (4, fb.UINT32, start)])
    return fb.encode([file_id, *((fb.RECORD, r) for r in records), session])


@pytest.mark.parametrize(
    "records",
    [
        # enhanced_speed after speed: its value wins, unless it is invalid
        [
            [(253, fb.UINT32, T0 + i), (6, fb.UINT16, 3000), (73, fb.UINT32, 3100 if i % 2 else 0xFFFFFFFF)]
            for i in range(6)
        ],
        # enhanced_speed before speed: speed's own enhanced_speed (written after it) wins
        [
            [(253, fb.UINT32, T0 + i), (73, fb.UINT32, 3100), (6, fb.UINT16, 0xFFFF if i % 3 else 2500)]
            for i in range(6)
        ],
        # altitude and enhanced altitude, invalid values, positions, undated and device-relative records
        [
            [
                (253, fb.UINT32, 0xFFFFFFFF if i == 2 else (1000 if i == 3 else T0 + i)),
                (2, fb.UINT16, 2600 + i if i % 2 else 0xFFFF),
                (78, fb.UINT32, 0xFFFFFFFF if i % 3 else 2700),
                (0, fb.SINT32, 0x7FFFFFFF if i == 4 else 600_000_000 + i),
                (1, fb.SINT32, -100_000_000 - i),
                (3, fb.UINT8, 0xFF if i == 1 else 150),
                (4, fb.UINT8, 85),
                (7, fb.UINT16, 250 + i),
                (5, fb.UINT32, i * 310),
                (99, fb.UINT8, 7),  # a field no one reads
            ]
            for i in range(6)
        ],
        # two record layouts interleaved (two local types), one without a timestamp
        [[(253, fb.UINT32, T0 + i), (3, fb.UINT8, 100 + i)] if i % 2 else [(3, fb.UINT8, 90)] for i in range(8)],
    ],
    ids=["enhanced-after", "enhanced-before", "altitude-invalid-undated", "two-layouts"],
)
def test_field_order_invalid_values_and_layouts(records: list[list[fb.Field]], monkeypatch: pytest.MonkeyPatch) -> None:
    """Which of two fields giving a value wins, invalid values, undated records: as the reader decides."""
    data = _run(records)
    assert _columnar(data)
    assert _same_both_ways(data, monkeypatch)[0] == "decoded"


HR = 132


def _hr(fields: list[fb.Field]) -> fb.Message:
    return (HR, fields)


def _with_hr(hr_messages: list[fb.Message], *, first: bool = False) -> bytes:
    """A run with hr messages (a chest strap's beats, as swim watches write them) among its records, or first."""
    records = [(fb.RECORD, [(253, fb.UINT32, T0 + i), (3, fb.UINT8, 120 + i)]) for i in range(4)]
    file_id = (fb.FILE_ID, [(0, fb.ENUM, 4), (1, fb.UINT16, 1), (4, fb.UINT32, T0)])
    session = (
        fb.SESSION,
        [(253, fb.UINT32, T0 + 60), (2, fb.UINT32, T0), (7, fb.UINT32, 60_000), (5, fb.ENUM, 1)],
    )
    body = [*hr_messages, *records] if first else [*records, *hr_messages]
    return fb.encode([file_id, *body, session])


EVENT_12 = (10, fb.BYTE, tuple(range(1, 13)))  # eight 12-bit event times packed in 12 bytes


@pytest.mark.parametrize(
    ("messages", "first", "columnar"),
    [
        # the usual: an hr message with a start time, then ones with packed event times; the records before them
        # give the start timestamp
        (
            [_hr([(253, fb.UINT32, T0 + 5), (9, fb.UINT32, 1024)]), _hr([EVENT_12, (6, fb.UINT8, (90,) * 8)])],
            False,
            True,
        ),
        # event times with no start timestamp yet: the reader fails on them, so the columnar path falls back
        ([_hr([EVENT_12])], True, False),
        # an hr message's own timestamp before its event_timestamp field starts the count
        ([_hr([(253, fb.UINT32, T0), (9, fb.UINT32, 0), EVENT_12])], True, True),
        # event times without a value (all 0xFF): the reader fails; so does the columnar path, by falling back
        ([_hr([(9, fb.UINT32, 5)]), _hr([(10, fb.BYTE, (0xFF,) * 12)])], False, False),
    ],
    ids=["after-records", "before-any-timestamp", "own-timestamp", "event-times-invalid"],
)
def test_hr_messages_are_dropped_as_the_reader_would_read_them(
    messages: list[fb.Message], first: bool, columnar: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """hr messages are not read by the FIT source, but the reader's arithmetic on them can fail (event times
    counted from a start timestamp that is not there yet): the columnar path drops them where the reader would not
    fail, falls back where it would, and the outcome is the same both ways."""
    data = _with_hr(messages, first=first)
    assert _columnar(data) is columnar
    _same_both_ways(data, monkeypatch)


def test_a_record_field_defined_twice_is_read_as_the_reader_reads_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """A watch writing the timestamp twice in its record definition (some pool-swim watches do): the later wins,
    invalid or not, as with the reader; the file is still read as columns."""
    records = [
        [(253, fb.UINT32, T0 + i), (3, fb.UINT8, 100 + i), (253, fb.UINT32, 0xFFFFFFFF if i == 2 else T0 + 10 + i)]
        for i in range(4)
    ]
    data = _run(records)
    assert _columnar(data)
    assert _same_both_ways(data, monkeypatch)[0] == "decoded"


def _big_endian_copy(data: bytes) -> bytes:
    """``data`` (made by :func:`fb.encode`) with every definition big-endian and its messages' values swapped."""
    out = bytearray(data)
    sizes: dict[int, list[int]] = {}
    for pos in fb.layout(data).definitions:
        out[pos + 2] = 1
        out[pos + 3 : pos + 5] = out[pos + 3 : pos + 5][::-1]
    pos, end = 14, len(data) - 2
    while pos < end:
        head = data[pos]
        if head & 0x40:
            n = data[pos + 5]
            sizes[head & 0x0F] = [data[pos + 6 + 3 * i + 1] for i in range(n)]
            pos += 6 + 3 * n
            continue
        at = pos + 1
        for size in sizes[head & 0x0F]:
            out[at : at + size] = out[at : at + size][::-1]
            at += size
        pos = at
    return fb.recrc(bytes(out))


def test_big_endian_definitions(monkeypatch: pytest.MonkeyPatch) -> None:
    """A device writing big-endian messages: the same records, read as columns."""
    records = [[(253, fb.UINT32, T0 + i), (6, fb.UINT16, 3000 + i), (0, fb.SINT32, -5 - i)] for i in range(5)]
    little = _run(records)
    big = _big_endian_copy(little)
    assert big != little and _columnar(big)
    assert _same_both_ways(big, monkeypatch) == _same_both_ways(little, monkeypatch)


def test_what_the_columnar_path_does_not_reproduce_falls_back_and_says_why() -> None:
    """A compressed-timestamp header, a record field of another base type, a bad CRC: the reader decodes those
    files (counted per reason in ``fallback_counts``)."""
    plain = _run([[(253, fb.UINT32, T0 + i), (3, fb.UINT8, 120)] for i in range(3)])
    other_type = _run([[(253, fb.UINT32, T0 + i), (3, fb.UINT16, 120)] for i in range(3)])
    bad_crc = plain[:-1] + bytes([plain[-1] ^ 1])
    compressed = bytearray(plain)
    record_definition = fb.layout(plain).definitions[1]
    first_record = record_definition + 6 + 3 * plain[record_definition + 5]
    compressed[first_record] = 0x80 | (plain[record_definition] & 0x03) << 5 | 3  # its local type, 3 s on
    before = fitcolumns.fallback_counts()
    reasons = [fitcolumns.split(blob) for blob in (other_type, bad_crc, fb.recrc(bytes(compressed)))]
    assert [r.reason for r in reasons if isinstance(r, fitcolumns.Fallback)] == [
        "record heart_rate as base type 0x84, 2 bytes",
        "file CRC",
        "compressed-timestamp header",
    ]
    after = fitcolumns.fallback_counts()
    assert after["file CRC"] == before.get("file CRC", 0) + 1


def test_a_file_read_message_by_message_says_so_in_its_detail(tmp_path: Path) -> None:
    """A real ingest: a file the columnar path cannot read exactly (a record's heart rate written as a uint16) is
    loaded by the reader all the same, and its ``source_files`` detail says it was read message by message and why;
    the file read as columns says nothing of the kind."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "columns.fit").write_bytes(_run([[(253, fb.UINT32, T0 + i), (3, fb.UINT8, 120)] for i in range(3)]))
    odd = [[(253, fb.UINT32, T0 + 86_400 + i), (3, fb.UINT16, 120)] for i in range(3)]
    (inbox / "messages.fit").write_bytes(_run(odd, start=T0 + 86_400))
    db = tmp_path / "history.duckdb"
    summary = ingest_like_the_flow([inbox], db, workers=1)
    assert summary["loaded"] == 2
    with duckdb.connect(str(db), read_only=True) as con:
        details = dict(con.execute("SELECT path, detail FROM source_files").fetchall())
    assert details[str(inbox / "columns.fit")] == "1 activities"
    assert details[str(inbox / "messages.fit")] == (
        f"1 activities; {fit.FALLBACK_NOTE}: record heart_rate as base type 0x84, 2 bytes"
    )


@settings(max_examples=examples(300), deadline=None)
@given(st.binary(max_size=600), st.integers(0, 2), st.booleans())
def test_any_bytes_give_columns_or_a_fallback(noise: bytes, seed: int, splice: bool) -> None:
    """Random bytes, and seeds with random bytes spliced in (CRCs right again): ``split`` returns, never raises."""
    data = noise
    if splice:
        base = [fb.strength_activity(), fb.run_activity(), _run([[(253, fb.UINT32, T0)]])][seed]
        at = 14 + (len(noise) % max(1, len(base) - 16))
        data = fb.recrc(base[:at] + noise[:40] + base[at + len(noise[:40]) :])
    result = fitcolumns.split(data)
    assert isinstance(result, fitcolumns.Columns) or not result.reason.startswith("unexpected")


def test_columns_hold_the_record_values() -> None:
    """The columns themselves: scaled, invalid values null, dates from the FIT epoch."""
    data = _run(
        [[(253, fb.UINT32, T0 + i), (5, fb.UINT32, 1234 * i), (3, fb.UINT8, 0xFF if i else 140)] for i in range(3)]
    )
    split = fitcolumns.split(data)
    assert isinstance(split, fitcolumns.Columns)
    assert split.record_messages == 3 and split.undated == 0
    assert split.records["distance_m"].to_list() == [0.0, 12.34, 24.68]
    assert split.records["heart_rate"].to_list() == [140, None, None]
    assert split.records["timestamp_utc"][0] == datetime(2025, 3, 4, 18, 30)
    assert struct.unpack_from("<I", split.rest, 4)[0] < struct.unpack_from("<I", data, 4)[0]
