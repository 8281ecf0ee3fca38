"""The JSON reader behind ``formats.READERS``: told by content, a cap against hostile files, broken JSON
quarantined, JSON of no known export skipped, Google Takeout's nesting through the archive rules."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from fitbalance.config import Athlete
from fitbalance.errors import DecodeError, LimitExceeded
from fitbalance.sources import limits, read_settings
from fitbalance.sources.archive import MAX_DEPTH, discover
from fitbalance.sources.formats import reader_for

from .conftest import decode


@pytest.mark.parametrize(
    "head",
    [b'{"a": 1}', b"[{}]", b"\xef\xbb\xbf  \n[\n {", b"[]", b'["x"]', b"[[1]]", b"{}"],
)
def test_json_documents_are_recognised(head: bytes) -> None:
    reader = reader_for(head, "x")
    assert reader is not None and reader.NAME == "json"


@pytest.mark.parametrize("head", [b"Date,Steps\n2025-01-01,3", b"[Intervals]\nx=1", b""])
def test_other_content_is_left_to_the_other_readers(head: bytes) -> None:
    assert reader_for(head, "x") is None


def test_xml_is_left_to_the_xml_readers() -> None:
    """An XML document goes to the XML readers (the last of which names any unknown XML), never to JSON."""
    reader = reader_for(b"<?xml version='1.0'?>", "x")
    assert reader is not None and reader.NAME == "xml"


def test_a_json_named_file_is_recognised_by_its_opening_alone() -> None:
    """A ``.json`` file whose first 64 KiB are ``[`` and white space goes to the JSON reader (and its caps)."""
    head = b"[" + b" " * 70_000
    assert reader_for(head, "x.json") is not None and reader_for(head, "x.csv") is None


def test_a_json_file_over_its_cap_is_refused_naming_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_JSON_BYTES", 1024)
    big = json.dumps([{"activityName": "Walk", "startTime": "04/24/20 17:35:46", "logId": i} for i in range(50)])
    with pytest.raises(
        LimitExceeded, match=r"over the JSON cap of 1,024 bytes \(0\.000976562 MiB, limits\.MAX_JSON_BYTES\)"
    ):
        decode(big.encode())


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b'[{"activityName": "Walk", "startTime": ', "not valid JSON: Expecting value at line 1"),
        (b'{"a": 1} {"b": 2}', "not valid JSON: Extra data"),
        (b"[" * 100_000, "nested deeper than the parser allows"),
        (b'{"a": "\xff\xfe"}', "not valid utf-8 text"),
    ],
)
def test_a_broken_json_file_is_quarantined_with_the_reason(data: bytes, reason: str) -> None:
    with pytest.raises(DecodeError, match=reason.replace("(", r"\(")):
        decode(data)


@pytest.mark.parametrize(
    ("doc", "detail"),
    [
        ({"generator": {}, "counts": {}, "runs": []}, "JSON of no known export (keys generator, counts, runs)"),
        ([1, 2, 3], "JSON of no known export (a list with no objects)"),
        ({}, "JSON of no known export (a dict with no objects)"),
    ],
)
def test_json_of_no_known_export_is_skipped_not_quarantined(doc: object, detail: str) -> None:
    """Account exports hold dozens of JSON kinds that are not workouts: skipped, with their keys, never silent."""
    decoded = decode(json.dumps(doc).encode())
    assert (decoded.file_type, decoded.source_format) == ("no_activities", "json")
    assert decoded.detail == f"{detail}: no activities read"


def test_nan_and_infinity_read_as_missing() -> None:
    data = b'[{"activityName": "Run", "startTime": "04/24/20 17:35:46", "logId": 1, "calories": NaN}]'
    assert decode(data).activities["calories_kcal"].to_list() == [None]


def test_fitbit_files_record_the_distance_unit_they_were_read_with() -> None:
    athlete = Athlete(name="me", distance_unit="mi")
    assert json.loads(read_settings("json:fitbit", athlete)) == {"distance_unit": "mi"}
    assert read_settings("json:garmin", athlete) == "{}"


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_google_takeout_nesting_goes_through_the_archive_rules(tmp_path: Path) -> None:
    """Folders nest deep inside a Takeout zip, and Takeout splits into zips that may be zipped again: every JSON
    file is found by its place, up to the nesting cap; a zip nested deeper is refused with a reason, not opened."""
    deep = "Takeout/Fitbit/Global Export Data/2025/05/exercise-0.json"
    inner = _zip({deep: b"[]", "Takeout/archive_browser.html": b"<html></html>"})
    nested = inner
    for level in range(MAX_DEPTH - 1):
        nested = _zip({f"takeout-part-{level}.zip": nested})
    (tmp_path / "ok.zip").write_bytes(nested)
    (tmp_path / "too-deep.zip").write_bytes(_zip({"one-more.zip": nested}))
    found = discover([tmp_path / "ok.zip", tmp_path / "too-deep.zip"], tmp_path / "work")
    assert [f.path.rsplit("!/", 1)[1] for f in found.files] == [deep]
    assert found.ignored == 1
    (problem,) = found.problems
    assert problem.path.startswith(str(tmp_path / "too-deep.zip")) and "nested deeper" in problem.reason


def test_a_record_nested_as_deep_as_the_parser_allows_is_set_aside_without_its_values() -> None:
    deep: object = 1
    for _ in range(900):
        deep = [deep]
    good = {"logId": 1, "activityName": "Run", "startTime": "04/24/20 17:35:46", "duration": 60000}
    bad = {"logId": 2, "activityName": "Run", "startTime": deep}
    decoded = decode(json.dumps([good, bad]).encode())
    assert decoded.activities.height == 1 and decoded.rejected[0].reason.startswith("exercise 2: ")


def test_a_broken_json_file_is_recorded_as_json_not_as_csv() -> None:
    """What the file was taken for before it failed: a truncated JSON export looks like CSV (it has commas)."""
    from fitbalance.sources import sniff_format

    assert sniff_format(b'[{"activityName": "Walk", "startTime": ') == "json"
    assert sniff_format(b"Date,Steps\n2025-01-01,3\n") == "csv"


def test_an_unknown_file_of_an_account_export_says_whose_it_is() -> None:
    path = "export.zip!/DI_CONNECT/DI-Connect-Wellness/123_healthStatusData.json"
    decoded = decode(json.dumps([{"calendarDate": "2025-01-01", "metrics": []}]).encode(), path)
    assert decoded.detail == (
        "JSON of no known export (keys calendarDate, metrics, in a Garmin account export): no activities read"
    )
