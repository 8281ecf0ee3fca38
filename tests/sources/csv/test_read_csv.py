"""The seam: bytes in, one dialect chosen by content, a Decoded or one of our errors out."""

from __future__ import annotations

import codecs
import json
from datetime import datetime

import pytest

from fitbalance.errors import ConfigError, DecodeError, UnknownFormatError
from fitbalance.sources.csv import DIALECTS, looks_like_csv, read_csv
from tests.sources.csv.conftest import ZONE

HEVY = (
    '"title","start_time","end_time","description","exercise_title","superset_id","exercise_notes","set_index",'
    '"set_type","weight_kg","reps","distance_km","duration_seconds","rpe"\n'
    '"Leg Day","5 Dec 2025, 11:37","5 Dec 2025, 12:55","","Squat (Barbell)",,"",0,"normal",100,5,,,8\n'
)


def test_every_sample_is_read_by_the_dialect_its_name_says(sample_files: dict[str, bytes]) -> None:
    """It picks the dialect from the content: each generated sample is decoded as its own dialect."""
    expected = {
        "garmin": "csv:garmin",
        "strava": "csv:strava",
        "hevy": "csv:hevy",
        "strong": "csv:strong",
        "apple": "csv:apple_health",
        "polar": "csv:polar",
        "fitbit": "csv:fitbit",
        "wahoo": "csv:wahoo",
    }
    for name, data in sample_files.items():
        decoded = read_csv(data, name, ZONE, units="metric")
        assert decoded.source_format == expected[name.split("_")[0]], name


@pytest.mark.parametrize(
    "encode",
    [
        lambda t: t.encode("utf-8"),
        lambda t: codecs.BOM_UTF8 + t.encode("utf-8"),
        lambda t: t.encode("utf-16"),  # with BOM
        lambda t: t.encode("utf-16-le"),  # without BOM
        lambda t: t.replace("\n", "\r\n").encode("cp1252"),
    ],
    ids=["utf8", "utf8-bom", "utf16-bom", "utf16le-no-bom", "cp1252-crlf"],
)
def test_it_decodes_every_common_encoding(encode: object) -> None:
    """UTF-8 with or without BOM, UTF-16, and cp1252 with CRLF all give the same workout."""
    text = HEVY.replace("Leg Day", "Beinpresse – schwer")
    decoded = read_csv(encode(text), "w.csv", ZONE)  # type: ignore[operator]
    assert decoded.activities["name"].to_list() == ["Beinpresse – schwer"]
    assert decoded.sets["weight_kg"].to_list() == [100.0]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_it_sniffs_the_delimiter(delimiter: str) -> None:
    """Comma, semicolon and tab separated files are all read."""
    rows = [
        ["Date", "Workout Name", "Exercise Name", "Set Order", "Weight", "Weight Unit", "Reps", "Seconds"],
        ["2024-01-02 18:00:00", "Push, heavy", "Bench Press (Barbell)", "1", "60", "kg", "5", "0"],
    ]
    text = "\n".join(delimiter.join(f'"{c}"' if "," in c else c for c in row) for row in rows)
    decoded = read_csv(text.encode(), "s.csv", ZONE)
    assert decoded.source_format == "csv:strong"
    assert decoded.activities["name"].to_list() == ["Push, heavy"]


def test_an_unknown_csv_names_every_dialect_tried() -> None:
    """A CSV no dialect recognises is refused with the dialects it was tried against."""
    with pytest.raises(UnknownFormatError) as info:
        read_csv(b"alpha,beta,gamma\n1,2,3\n", "mystery.csv", ZONE)
    for dialect in DIALECTS:
        assert dialect.NAME in info.value.reason
    assert info.value.path == "mystery.csv"
    assert "alpha,beta,gamma" in info.value.reason


@pytest.mark.parametrize("data", [b"", b"   \r\n\n", codecs.BOM_UTF8], ids=["empty", "blank", "bom-only"])
def test_an_empty_file_is_a_decode_error(data: bytes) -> None:
    """An empty file says so."""
    with pytest.raises(DecodeError, match="empty"):
        read_csv(data, "e.csv", ZONE)


def test_binary_content_is_refused() -> None:
    """Bytes with NULs (a FIT file, an image) are not CSV."""
    with pytest.raises(DecodeError, match="binary"):
        read_csv(b"\x0e\x10\x00\x00.FIT\x00\x01,\x02", "x.csv", ZONE)


def test_a_malformed_row_is_set_aside_naming_its_line() -> None:
    """A row that cannot be read is set aside with its line, what is wrong and its values; the rest is read."""
    bad = HEVY + '"Leg Day","5 Dex 2025, 11:37","","","Squat (Barbell)",,"",1,"normal",100,5,,,\n'
    decoded = read_csv(bad.encode(), "h.csv", ZONE)
    assert decoded.sets["reps"].to_list() == [5]
    (rejected,) = decoded.rejected
    assert rejected.line == 3 and rejected.reason.startswith("line 3:") and "5 Dex 2025" in rejected.reason
    payload = json.loads(rejected.payload or "")
    assert payload == {"line": 3, "values": {**payload["values"], "start_time": "5 Dex 2025, 11:37"}}
    assert payload["values"]["exercise_title"] == "Squat (Barbell)"


def test_a_truncated_row_is_set_aside() -> None:
    """A file cut off mid-row keeps its whole rows; the cut one is set aside, naming its fields."""
    cut = HEVY + '"Leg Day","5 Dec 2025, 11:37","5 Dec 2025, 12:55","","Squat'
    decoded = read_csv(cut.encode(), "h.csv", ZONE)
    assert decoded.sets.height == 1
    assert [r.reason for r in decoded.rejected] == [
        "line 3: 5 fields where the header has 14 (truncated or malformed row)"
    ]


def test_a_file_of_unreadable_rows_is_refused_whole() -> None:
    """When no row can be read the file is quarantined as a whole, the reason naming how many and the first."""
    bad = HEVY.replace("5 Dec 2025, 11:37", "yesterday")
    with pytest.raises(DecodeError, match=r"no row could be read \(1 set aside\), the first: line 2: .*yesterday"):
        read_csv(bad.encode(), "h.csv", ZONE)


def test_local_times_become_utc_with_the_offset_of_that_day() -> None:
    """A CSV local time takes the athlete's zone: UTC plus the offset of that date (summer and winter)."""
    summer = HEVY.replace("5 Dec 2025", "5 Jul 2025")
    winter = read_csv(HEVY.encode(), "w.csv", ZONE).activities.row(0, named=True)
    july = read_csv(summer.encode(), "s.csv", ZONE).activities.row(0, named=True)
    assert winter["start_time_utc"] == datetime(2025, 12, 5, 10, 37)
    assert winter["utc_offset_s"] == 3600
    assert july["start_time_utc"] == datetime(2025, 7, 5, 9, 37)
    assert july["utc_offset_s"] == 7200
    tokyo = read_csv(HEVY.encode(), "t.csv", "Asia/Tokyo").activities.row(0, named=True)
    assert tokyo["start_time_utc"] == datetime(2025, 12, 5, 2, 37)
    assert tokyo["utc_offset_s"] == 9 * 3600


def test_a_bad_zone_or_unit_setting_is_a_config_error() -> None:
    """Settings problems are ConfigError, not blamed on the file."""
    with pytest.raises(ConfigError):
        read_csv(HEVY.encode(), "h.csv", "Mars/Olympus")
    with pytest.raises(ConfigError):
        read_csv(HEVY.encode(), "h.csv", ZONE, units="furlongs")
    with pytest.raises(ConfigError):
        read_csv(HEVY.encode(), "h.csv", ZONE, weight_unit="stone")


def test_looks_like_csv_by_content(sample_files: dict[str, bytes]) -> None:
    """Delimited text is recognised; binary, empty and single-column text are not."""
    assert all(looks_like_csv(data) for data in sample_files.values())
    assert looks_like_csv(HEVY.encode("utf-16"))
    assert not looks_like_csv(b"")
    assert not looks_like_csv(b"\x0e\x10\xd9\x07\x00\x00\x00\x00.FIT" + bytes(range(256)))
    assert not looks_like_csv(b"PK\x03\x04\x14\x00\x00\x00\x08\x00")
    assert not looks_like_csv(b"just one line of prose without separators\n")
