"""Implausible and awkward inputs, each run through ``process_file`` so the test sees the quarantine row it makes.

FIT cases are written byte by byte (``fitbytes``), including what no honest device writes (a duration in a signed
type). CSV cases compare an awkward variant (BOM, CRLF, UTF-16, Windows-1252) with the plain UTF-8 file: the variant
must give the same rows; binary content and text invalid in the encoding its BOM names are refused saying so.
"""

from __future__ import annotations

import codecs
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from fitbalance.config import Athlete
from fitbalance.models import FileOutcome, FileStatus, SourceRef, Tables, WorkItem
from fitbalance.process import process_batch, process_file

from . import fitbytes as fb

AS_OF = datetime(2026, 1, 1)
ME = Athlete(name="me", time_zone="Europe/Berlin")

HEVY_HEADER = (
    '"title","start_time","end_time","description","exercise_title","superset_id","exercise_notes","set_index",'
    '"set_type","weight_kg","reps","distance_km","duration_seconds","rpe"\n'
)
HEVY = HEVY_HEADER + (
    '"Push","3 Mar 2025, 07:00","3 Mar 2025, 08:00","","Bankdrücken (Langhantel)",,"",0,"normal",60,8,,,\n'
    '"Push","3 Mar 2025, 07:00","3 Mar 2025, 08:00","","Bankdrücken (Langhantel)",,"",1,"normal",62.5,6,,,8\n'
)


def _hevy_row(start: str = "3 Mar 2025, 07:00", end: str = "3 Mar 2025, 08:00", weight: str = "60", reps: str = "8",
              duration: str = "") -> str:  # fmt: skip
    return f'"Legs","{start}","{end}","","Squat (Barbell)",,"",0,"normal",{weight},{reps},,{duration},\n'


def _item(tmp_path: Path, name: str, data: bytes) -> WorkItem:
    target = tmp_path / name
    target.write_bytes(data)
    return WorkItem(SourceRef(path=name, local_path=str(target), size_bytes=len(data)), file_id=f"id-{name}")


def _process(tmp_path: Path, name: str, data: bytes) -> tuple[FileOutcome, Tables, pl.DataFrame]:
    return process_file(_item(tmp_path, name, data), athlete=ME, as_of=AS_OF, resolve_exercise=lambda n, c: None)


def _quarantined(tmp_path: Path, name: str, data: bytes) -> dict[str, str]:
    """Process a file that must be quarantined as a whole; return its quarantine rows as stage -> reason."""
    outcome, tables, q = _process(tmp_path, name, data)
    assert outcome.status is FileStatus.QUARANTINED, outcome
    assert tables.activities.height == 0 and q.height >= 1
    assert "internal" not in q["stage"].to_list()
    assert any(r in outcome.detail for r in q["reason"])
    return dict(zip(q["stage"], q["reason"], strict=False))


def test_timestamps_far_in_the_past_are_device_relative_and_refused(tmp_path: Path) -> None:
    """FIT times below 2**28 s are device-relative (seconds since power-on): no absolute date, so no activity."""
    rows = _quarantined(tmp_path, "relative.fit", fb.strength_activity(start_s=1000))
    assert "device-relative timestamps" in rows["decode"]


def test_timestamps_far_in_the_future_are_quarantined(tmp_path: Path) -> None:
    rows = _quarantined(tmp_path, "future.fit", fb.strength_activity(datetime(2120, 1, 1, tzinfo=UTC)))
    assert "start_time_utc" in rows["validate:activities"] and "2120-01-01" in rows["validate:activities"]
    assert rows["validate:strength_sets"].startswith("3 strength_sets rows not loaded")


def test_the_last_second_of_the_fit_epoch_is_quarantined(tmp_path: Path) -> None:
    """The largest FIT timestamp (2126) decodes, and validation refuses it as in the future."""
    rows = _quarantined(tmp_path, "end.fit", fb.strength_activity(start_s=0xFFFFFFFE - 6000))
    assert "start_time_utc" in rows["validate:activities"] and "2126-" in rows["validate:activities"]


def test_negative_durations_are_quarantined(tmp_path: Path) -> None:
    """A session and lap duration written as a negative signed number: the activity is refused, naming the field."""
    rows = _quarantined(tmp_path, "negative.fit", fb.strength_activity(elapsed=(fb.SINT32, -5_000_000)))
    assert "elapsed_s" in rows["validate:activities"] and "-5000" in rows["validate:activities"]


@pytest.mark.parametrize(
    ("kwargs", "column", "value"),
    [({"weight_raw": 4000 * 16}, "weight_kg", "4000"), ({"reps": 5000}, "reps", "5000")],
)
def test_absurd_weights_and_reps_are_quarantined_and_the_activity_kept(
    tmp_path: Path, kwargs: dict[str, int], column: str, value: str
) -> None:
    """Sets of 4,000 kg or 5,000 reps are quarantined with the rule and value; the session and its samples load."""
    outcome, tables, q = _process(tmp_path, f"{column}.fit", fb.strength_activity(sets=3, **kwargs))
    assert outcome.status is FileStatus.LOADED and "3 rows quarantined" in outcome.detail
    assert tables.activities.height == 1 and tables.sets.height == 0 and tables.samples.height == 20
    assert q["stage"].unique().to_list() == ["validate:strength_sets"] and q.height == 3
    assert all(column in r and value in r for r in q["reason"])


@pytest.mark.parametrize("name", ["empty.fit", "empty.csv", "empty"])
def test_empty_files_are_quarantined_as_empty(tmp_path: Path, name: str) -> None:
    assert _quarantined(tmp_path, name, b"")["decode"] == "empty file"


def test_text_in_windows_1252_is_read_as_such(tmp_path: Path) -> None:
    """An export saved by Excel in Windows-1252 is not UTF-8: the CSV reader falls back to cp1252 and gives exactly
    what the UTF-8 file gives, umlauts included (not mojibake, not a quarantine)."""
    utf8 = _process(tmp_path, "utf8.csv", HEVY.encode())
    cp1252 = _process(tmp_path, "cp1252.csv", HEVY.encode("cp1252"))
    assert utf8[0].status is FileStatus.LOADED
    _same_outcome(utf8, cp1252)
    assert set(cp1252[1].sets["exercise_name"]) == {"Bankdrücken (Langhantel)"}


def test_binary_content_named_csv_is_refused(tmp_path: Path) -> None:
    rows = _quarantined(tmp_path, "photo.csv", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")
    assert "binary content" in rows["decode"]


def test_text_invalid_in_the_encoding_its_bom_names_is_refused(tmp_path: Path) -> None:
    rows = _quarantined(tmp_path, "bad-bom.csv", codecs.BOM_UTF8 + HEVY.encode("latin-1"))
    assert rows["decode"].startswith("invalid utf-8 text at byte")


def test_a_csv_of_unknown_layout_names_the_dialects_tried(tmp_path: Path) -> None:
    rows = _quarantined(tmp_path, "mystery.csv", b"alpha,beta\n1,2\n")
    assert "CSV matches no known export (tried: hevy, strong" in rows["decode"]


@pytest.mark.parametrize(
    ("row", "stage", "fragment"),
    [
        (_hevy_row(start="3 Mar 1899, 07:00", end="3 Mar 1899, 08:00"), "decode", "1899"),
        (_hevy_row(start="3 Mar 2125, 07:00", end="3 Mar 2125, 08:00"), "decode", "2125"),
        (_hevy_row(weight="5000"), "validate:strength_sets", "weight_kg"),
        (_hevy_row(reps="100000"), "decode", "reps 100000"),
        (_hevy_row(weight="-20"), "validate:strength_sets", "weight_kg"),
    ],
    ids=["far-past", "far-future", "5000-kg", "100000-reps", "negative-weight"],
)
def test_implausible_csv_rows_are_quarantined_with_the_rule(
    tmp_path: Path, row: str, stage: str, fragment: str
) -> None:
    """Dates in 1899 or 2125, absurd or negative loads: each is a quarantine row naming the column and value (the CSV
    reader itself refuses dates outside its range and non-whole reps, saying so). A negative set duration is a
    field, not the set: see the next test."""
    outcome, _, q = _process(tmp_path, "odd.csv", (HEVY_HEADER + row).encode())
    assert "internal" not in q["stage"].to_list() and q.height >= 1, outcome
    reasons = dict(zip(q["stage"], q["reason"], strict=False))
    assert fragment in reasons[stage], reasons


def _same_outcome(a: tuple[FileOutcome, Tables, pl.DataFrame], b: tuple[FileOutcome, Tables, pl.DataFrame]) -> None:
    assert (a[0].status, a[0].format, a[0].detail) == (b[0].status, b[0].format, b[0].detail)
    for table in ("activities", "sets", "samples", "laps"):
        assert (
            getattr(a[1], table)
            .drop("file_id", strict=False)
            .equals(getattr(b[1], table).drop("file_id", strict=False))
        )
    assert a[2].drop("file_id", "path").equals(b[2].drop("file_id", "path"))


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param(lambda text: codecs.BOM_UTF8 + text.encode(), id="utf8-bom"),
        pytest.param(lambda text: text.replace("\n", "\r\n").encode(), id="crlf"),
        pytest.param(lambda text: codecs.BOM_UTF8 + text.replace("\n", "\r\n").encode(), id="bom-crlf"),
        pytest.param(lambda text: codecs.BOM_UTF16_LE + text.encode("utf-16-le"), id="utf16-bom"),
        pytest.param(lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"), id="utf16be-bom"),
    ],
)
def test_boms_crlf_and_utf16_give_what_the_plain_file_gives(tmp_path: Path, variant: object) -> None:
    """Byte-order marks, CRLF line ends and UTF-16 with a BOM are transport details: same outcome as plain UTF-8."""
    assert callable(variant)
    plain = _process(tmp_path, "plain.csv", HEVY.encode())
    other = _process(tmp_path, "variant.csv", variant(HEVY))
    assert plain[0].status is FileStatus.LOADED
    _same_outcome(plain, other)
    assert "internal" not in other[2]["stage"].to_list()


def test_mixed_delimiters_are_loaded_or_quarantined_with_a_reason(tmp_path: Path) -> None:
    """A header with commas and rows with semicolons: never an internal error, never a silent drop."""
    lines = HEVY.splitlines()
    mixed = "\n".join([lines[0], lines[1].replace(",", ";"), lines[2]]) + "\n"
    outcome, tables, q = _process(tmp_path, "mixed.csv", mixed.encode())
    assert "internal" not in q["stage"].to_list()
    if outcome.status is FileStatus.QUARANTINED:
        assert any(r in outcome.detail for r in q["reason"]) and tables.activities.height == 0
    else:
        assert outcome.status is FileStatus.LOADED and tables.activities.height >= 1


def test_a_negative_set_duration_is_repaired_and_the_set_kept(tmp_path: Path) -> None:
    """The set's reps and weight stand; only its duration is impossible: it loads with the duration null, and the
    repair is recorded with the rule and the original value (the smallest unit that is wrong is the one set aside)."""
    result = process_batch(
        [_item(tmp_path, "odd.csv", (HEVY_HEADER + _hevy_row(duration="-60")).encode())], athlete=ME, as_of=AS_OF
    )
    (outcome,) = result.outcomes
    assert outcome.status is FileStatus.LOADED and outcome.repaired == 1, outcome
    assert result.quarantine.height == 0
    (working,) = [s for s in result.tables.sets.iter_rows(named=True) if s["set_type"] != "rest"]
    assert working["duration_s"] is None and working["reps"] is not None and working["weight_kg"] is not None
    repairs = result.repairs.select("table_name", "column_name", "rule", "original").rows()
    assert repairs == [("strength_sets", "duration_s", "impossible", "-60")]
