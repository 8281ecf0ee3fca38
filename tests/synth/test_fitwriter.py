"""The FIT encoder: what it writes, fitdecode reads back, CRC checked, value for value."""

from __future__ import annotations

import math
import struct
from datetime import UTC, datetime, timedelta

import fitdecode
import pytest
from fitdecode.utils import compute_crc
from hypothesis import given, settings
from hypothesis import strategies as st

from synth.fitwriter import FIT_EPOCH, FitWriter, chain, fit_crc, fit_seconds
from tests.conftest import examples
from tests.synth.fitread import fields, frames, messages

T0 = datetime(2025, 3, 30, 0, 30, tzinfo=UTC)


def activity_file(start: datetime = T0) -> bytes:
    fit = FitWriter()
    fit.message("file_id", type="activity", manufacturer="garmin", product=4315, serial_number=42, time_created=start)
    fit.message("record", timestamp=start, heart_rate=101, enhanced_speed=2.5, distance=0.0)
    fit.message("activity", timestamp=start, local_timestamp=start + timedelta(hours=2), num_sessions=1)
    return fit.to_bytes()


@given(st.binary(max_size=300), st.integers(0, 0xFFFF))
def test_crc_is_the_fit_crc(data: bytes, start: int) -> None:
    """It computes the same CRC-16 as fitdecode, for any bytes and any starting value."""
    expected = compute_crc(data, crc=start) if data else start
    assert fit_crc(data, start) == expected


def test_header_is_fourteen_bytes_with_its_own_crc() -> None:
    """It writes a 14-byte header: size, protocol 2.0, profile version, data size, '.FIT', header CRC."""
    data = activity_file()
    size, protocol, profile, data_size, magic, crc = struct.unpack("<BBHI4sH", data[:14])
    assert (size, protocol, magic) == (14, 0x20, b".FIT")
    assert profile > 2000
    assert data_size == len(data) - 16
    assert crc == compute_crc(data[:12])
    assert struct.unpack("<H", data[-2:])[0] == compute_crc(data[:-2])


def test_round_trip_of_file_id_record_and_activity() -> None:
    """It round-trips enum names, scaled values, UTC times and local wall-clock times."""
    data = activity_file()
    (file_id,) = fields(data, "file_id")
    assert file_id["type"] == "activity"
    assert file_id["manufacturer"] == "garmin"
    assert file_id["garmin_product"] == "fr965"
    assert file_id["serial_number"] == 42
    assert file_id["time_created"] == T0
    (record,) = fields(data, "record")
    assert record == {"timestamp": T0, "heart_rate": 101, "enhanced_speed": 2.5, "distance": 0.0}
    (activity,) = fields(data, "activity")
    assert activity["local_timestamp"] == datetime(2025, 3, 30, 2, 30, tzinfo=UTC)  # fitdecode labels it UTC


def test_set_message_arrays_round_trip() -> None:
    """It writes array fields (ranked exercise guesses) as arrays, with None slots as invalid markers."""
    fit = FitWriter()
    fit.message("file_id", type="activity", manufacturer="garmin")
    fit.message(
        "set",
        timestamp=T0,
        duration=41.337,
        repetitions=8,
        weight=62.5,
        set_type="active",
        start_time=T0 + timedelta(seconds=5),
        category=["bench_press", "shoulder_press", 22],
        category_subtype=[1, None, None],
        message_index=0,
    )
    fit.message("set", timestamp=T0, duration=90.0, set_type="rest", category=[None, None, None], message_index=1)
    active, rest = fields(fit.to_bytes(), "set")
    assert active["category"] == (0, 24, 22)  # fitdecode leaves array enums as raw numbers
    assert active["category_subtype"] == (1, None, None)
    assert (active["duration"], active["repetitions"], active["weight"]) == (41.337, 8, 62.5)
    assert (active["set_type"], active["start_time"]) == ("active", T0 + timedelta(seconds=5))
    assert rest["set_type"] == "rest"
    assert rest["category"] == (None, None, None)


def test_none_is_written_as_the_invalid_marker() -> None:
    """It writes None as the base type's invalid value: the field decodes as None, the layout is kept."""
    fit = FitWriter()
    fit.messages("record", ["timestamp", "heart_rate", "power"], [(T0, 120, None), (T0, None, 250)])
    first, second = fields(fit.to_bytes(), "record")
    assert (first["heart_rate"], first["power"]) == (120, None)
    assert (second["heart_rate"], second["power"]) == (None, 250)
    definitions = [f for f in frames(fit.to_bytes()) if isinstance(f, fitdecode.FitDefinitionMessage)]
    assert len(definitions) == 1


def test_strings_and_offsets() -> None:
    """It writes strings null-terminated and applies offsets (altitude: scale 5, offset 500)."""
    fit = FitWriter()
    fit.message("file_id", type="activity", manufacturer="wahoo_fitness", product_name="ELEMNT BOLT")
    fit.message("record", timestamp=T0, altitude=-12.4, enhanced_altitude=4321.6)
    data = fit.to_bytes()
    assert fields(data, "file_id")[0]["product_name"] == "ELEMNT BOLT"
    (record,) = fields(data, "record")
    assert record["altitude"] == pytest.approx(-12.4)
    assert record["enhanced_altitude"] == pytest.approx(4321.6)


def test_raw_date_time_ints_are_written_as_is() -> None:
    """It writes an int date_time as raw FIT seconds; fitdecode returns small ones as plain ints."""
    fit = FitWriter()
    fit.message("record", timestamp=1000, heart_rate=90)
    fit.message("record", timestamp=fit_seconds(T0), heart_rate=91)
    early, normal = fields(fit.to_bytes(), "record")
    assert early["timestamp"] == 1000
    assert normal["timestamp"] == T0
    assert FIT_EPOCH + timedelta(seconds=1000) < datetime(1990, 1, 1, tzinfo=UTC)


def test_chained_files_decode_as_one_stream() -> None:
    """It chains files: each keeps its header and CRC, and fitdecode reads both in order."""
    first, second = activity_file(T0), activity_file(T0 + timedelta(days=1))
    data = chain(first, second)
    assert len(data) == len(first) + len(second)
    read = frames(data)
    assert sum(isinstance(f, fitdecode.FitHeader) for f in read) == 2
    assert sum(isinstance(f, fitdecode.FitCRC) for f in read) == 2
    assert [values["time_created"] for values in fields(data, "file_id")] == [T0, T0 + timedelta(days=1)]


def test_more_layouts_than_local_message_numbers() -> None:
    """It recycles the 16 local message numbers when a file uses more layouts than that."""
    fit = FitWriter()
    names = [
        "heart_rate",
        "cadence",
        "power",
        "distance",
        "enhanced_speed",
        "enhanced_altitude",
        "temperature",
    ]
    expected = []
    for index in range(40):
        chosen = [name for bit, name in enumerate(names) if (index + 1) >> bit & 1]
        values = {name: 10 + index for name in chosen}
        fit.message("record", timestamp=T0 + timedelta(seconds=index), **values)
        expected.append({"timestamp": T0 + timedelta(seconds=index), **values})
    decoded = fields(fit.to_bytes(), "record")
    assert [{k: v for k, v in d.items() if k in e} for d, e in zip(decoded, expected, strict=True)] == expected


def test_same_messages_same_bytes() -> None:
    """It is deterministic: the same messages give the same bytes."""
    assert activity_file() == activity_file()


@pytest.mark.parametrize(
    ("name", "values", "reason"),
    [
        ("recrod", {"heart_rate": 1}, "unknown FIT message"),
        ("record", {"heartrate": 1}, "has no field"),
        ("session", {"sport": "quidditch"}, "unknown value name"),
        ("record", {"heart_rate": 255}, "invalid marker"),
        ("record", {"heart_rate": 300}, "does not fit"),
        ("record", {"distance": -1.0}, "does not fit"),
        ("record", {"timestamp": "yesterday"}, "expected datetime"),
        ("set", {"category": []}, "empty array"),
    ],
)
def test_bad_values_are_refused(name: str, values: dict[str, object], reason: str) -> None:
    """It refuses unknown names and values that FIT cannot hold, with a ValueError that says why."""
    with pytest.raises(ValueError, match=reason):
        FitWriter().message(name, **values)  # type: ignore[arg-type]


def test_bulk_rows_must_match_fields() -> None:
    """It refuses a bulk row whose length differs from the field list."""
    with pytest.raises(ValueError, match="row has 1 values for 2 fields"):
        FitWriter().messages("record", ["timestamp", "heart_rate"], [(T0,)])


_fit_times = st.integers(0x10000000, 2**32 - 2).map(  # below 0x10000000 FIT times are device-relative
    lambda s: FIT_EPOCH + timedelta(seconds=s)
)
_records = st.fixed_dictionaries(
    {
        "timestamp": _fit_times,
        "position_lat": st.integers(-(2**31), 2**31 - 2),
        "position_long": st.integers(-(2**31), 2**31 - 2),
        "heart_rate": st.integers(0, 254) | st.none(),
        "cadence": st.integers(0, 254),
        "power": st.integers(0, 65534),
        "enhanced_speed": st.integers(0, 100_000).map(lambda v: v / 1000),
        "grade": st.integers(-32768, 32766).map(lambda v: v / 100),
        "distance": st.integers(0, 2**32 - 2).map(lambda v: v / 100),
        "enhanced_altitude": st.integers(0, 2**32 - 2).map(lambda v: v / 5 - 500),
    }
)


@settings(max_examples=examples(200), deadline=None)
@given(st.lists(_records, min_size=1, max_size=20))
def test_records_round_trip(records: list[dict[str, object]]) -> None:
    """Any record values FIT can hold come back from fitdecode as written (to the field's resolution)."""
    fit = FitWriter()
    for record in records:
        fit.message("record", **record)  # type: ignore[arg-type]
    decoded = fields(fit.to_bytes(), "record")
    assert len(decoded) == len(records)
    for got, wrote in zip(decoded, records, strict=True):
        for name, value in wrote.items():
            if isinstance(value, float):
                assert math.isclose(got[name], value, rel_tol=0, abs_tol=1e-6), name
            else:
                assert got[name] == value, name


@settings(max_examples=examples(50), deadline=None)
@given(st.lists(st.integers(0, 65534) | st.none(), min_size=1, max_size=6))
def test_arrays_round_trip(categories: list[int | None]) -> None:
    """Any uint16 array comes back whole (a one-element array comes back as a scalar, as fitdecode does)."""
    fit = FitWriter()
    fit.message("set", timestamp=T0, category_subtype=categories)
    ((_, decoded),) = messages(fit.to_bytes(), "set")
    expected = tuple(categories) if len(categories) > 1 else categories[0]
    assert decoded["category_subtype"] == expected
