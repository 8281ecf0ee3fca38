"""The fast FIT reader yields exactly what stock fitdecode yields, on every FIT file at hand and on damaged ones."""

from __future__ import annotations

import io
import random
import warnings
from datetime import datetime
from pathlib import Path
from typing import Any

import fitdecode
import pytest
from fitdecode.utils import compute_crc

from fitbalance.config import Athlete
from fitbalance.errors import InternalError
from fitbalance.models import FileStatus
from fitbalance.process import WorkItem, process_file
from fitbalance.sources import fitreader
from fitbalance.sources.archive import SourceRef
from fitbalance.sources.fit import decode_fit
from fitbalance.sources.fitreader import FastFitReader, fit_crc
from tests.conftest import SAMPLE_DATA

OPTIONS: dict[str, Any] = {"check_crc": fitdecode.CrcCheck.RAISE, "error_handling": fitdecode.ErrorHandling.WARN}


def _dump(make: Any, data: bytes) -> tuple[list[Any], str | None, list[str]]:
    """Every frame as comparable values, the error that ended the read (if any), and the warnings raised."""
    frames: list[Any] = []
    error = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with make(data) as reader:
                for frame in reader:
                    if isinstance(frame, fitdecode.FitDataMessage):
                        fields = [(f.name, f.def_num, f.value, f.raw_value, f.units) for f in frame.fields]
                        frames.append((frame.name, frame.local_mesg_num, fields))
                    elif isinstance(frame, fitdecode.FitDefinitionMessage):
                        frames.append(("definition", frame.global_mesg_num, len(frame.field_defs)))
                    elif isinstance(frame, fitdecode.FitCRC):
                        frames.append(("crc", frame.crc, frame.matched))
                    else:
                        frames.append(("header", frame.body_size, frame.crc_matched))
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
    return frames, error, [str(w.message) for w in caught]


def _stock(data: bytes, **options: Any) -> fitdecode.FitReader:
    return fitdecode.FitReader(io.BytesIO(data), **OPTIONS, **options)


def _fast(data: bytes, **options: Any) -> FastFitReader:
    return FastFitReader(data, **OPTIONS, **options)


def _bare(make: Any) -> Any:
    """The reader without a data processor, as the FIT source uses it."""
    return lambda data: make(data, processor=None)


def _fit_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() == ".fit")


def test_crc_matches_fitdecode_in_one_go_and_in_pieces() -> None:
    rng = random.Random(7)
    data = bytes(rng.randrange(256) for _ in range(4096))
    assert fit_crc(data) == compute_crc(data)
    crc = 0
    for start in range(0, len(data), 37):
        crc = fit_crc(data[start : start + 37], crc)
    assert crc == compute_crc(data)
    assert fit_crc(b"") == 0


@pytest.mark.parametrize("path", _fit_files(SAMPLE_DATA), ids=lambda p: str(p.relative_to(SAMPLE_DATA)))
def test_same_frames_as_fitdecode_on_sample_data(path: Path) -> None:
    data = path.read_bytes()
    assert _dump(_fast, data) == _dump(_stock, data)
    assert _dump(_bare(_fast), data) == _dump(_bare(_stock), data)


CORPUS_SHARDS = 4
"""The corpus comparison in this many tests (every fourth file each), so that parallel workers share it."""


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.parametrize("shard", range(CORPUS_SHARDS))
def test_same_frames_as_fitdecode_on_the_real_world_corpus(corpus: Path, shard: int) -> None:
    """Every manufacturer's file there; of a big one its first 256 KiB (then the same truncation error)."""
    files = _fit_files(corpus / "fit")[shard::CORPUS_SHARDS]
    assert files
    different = []
    for path in files:
        data = path.read_bytes()[: 256 * 1024]
        if _dump(_fast, data) != _dump(_stock, data):
            different.append(str(path))
    assert different == []


def test_damaged_files_fail_the_same_way() -> None:
    """Truncated and bit-flipped copies of a real activity: the same frames, then the same error and warnings."""
    source = next(p for p in _fit_files(SAMPLE_DATA) if "strength" in p.name)
    data = source.read_bytes()
    rng = random.Random(11)
    damaged = [data[:cut] for cut in (0, 5, 13, 200, len(data) // 2, len(data) - 1)]
    for _ in range(40):
        copy = bytearray(data)
        for _ in range(3):
            copy[rng.randrange(14, len(copy))] = rng.randrange(256)
        damaged.append(bytes(copy))
    errors = 0
    for blob in damaged:
        expected = _dump(_stock, blob)
        assert _dump(_fast, blob) == expected
        errors += expected[1] is not None
    assert errors >= len(damaged) // 2, "the damage is detected (the comparison covers error paths)"


# ---- used only where it was tested; its own failures are ours, not the file's ------------------------------


def test_the_fast_reader_is_used_only_with_the_fitdecode_it_was_tested_with() -> None:
    """Any patch release of the tested minor version gets the fast reader, silently; the installed fitdecode is
    one of them (pyproject.toml pins it)."""
    assert fitreader.open_reader is FastFitReader
    tested = ".".join(map(str, fitreader.TESTED_FITDECODE))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert fitreader.reader_for(f"{tested}.0") is FastFitReader
        assert fitreader.reader_for(f"{tested}.9") is FastFitReader


@pytest.mark.parametrize("version", ["0.12.0", "0.10.3", "1.0.0", "unknown"])
def test_another_fitdecode_gets_the_stock_reader_and_a_warning_naming_both_versions(
    version: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under another fitdecode version the FIT source decodes with fitdecode's own reader: the same activity,
    and a RuntimeWarning that names the version found and the version tested."""
    tested = ".".join(map(str, fitreader.TESTED_FITDECODE))
    with pytest.warns(RuntimeWarning, match=rf"fitdecode {version} is installed.* tested with fitdecode {tested}\.x"):
        fallback = fitreader.reader_for(version)
    assert fallback is not FastFitReader
    data = _strength_sample().read_bytes()
    with fallback(data, **OPTIONS) as reader:
        assert type(reader) is fitdecode.FitReader
    assert _dump(lambda d: fallback(d, **OPTIONS), data) == _dump(_stock, data)

    fast = decode_fit(data, "strength.fit")
    monkeypatch.setattr(fitreader, "open_reader", fallback)
    slow = decode_fit(data, "strength.fit")
    assert fast.activities.height == 1 and slow.activities.equals(fast.activities)
    assert slow.sets.equals(fast.sets) and slow.samples.equals(fast.samples) and slow.laps.equals(fast.laps)


def _fail(*args: Any, **kwargs: Any) -> Any:
    raise TypeError("injected")


@pytest.mark.parametrize("where", ["_layout", "fit_crc"])  # the message layout; the CRC update of every read
def test_an_exception_in_the_fast_path_is_an_internal_error_not_corrupt_data(
    where: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A bug in the fast reader's own code is reported as an internal error (stage ``internal``, "please report
    it"), never as corrupt FIT data: the file is fine."""
    source = _strength_sample()
    monkeypatch.setattr(fitreader, where, _fail)
    with pytest.raises(InternalError, match=r"the fast FIT reader failed at byte \d+ \(TypeError: injected\)"):
        decode_fit(source.read_bytes(), str(source))

    ref = SourceRef(path=str(source), local_path=str(source), size_bytes=source.stat().st_size)
    item = WorkItem(ref=ref, file_id="f")
    outcome, tables, quarantine = process_file(item, athlete=Athlete(name="me"), as_of=datetime(2030, 1, 1))
    assert outcome.status is FileStatus.QUARANTINED and tables.activities.is_empty()
    assert outcome.detail.startswith("internal error (InternalError: the fast FIT reader failed")
    assert "please report it" in outcome.detail and "corrupt" not in outcome.detail
    assert quarantine["stage"].to_list() == ["internal"]


def _strength_sample() -> Path:
    return next(p for p in _fit_files(SAMPLE_DATA) if "strength" in p.name)
