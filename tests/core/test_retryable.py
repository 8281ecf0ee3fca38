"""A file quarantined for a reason that was not its own is marked retryable; a bad file is not."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from fitbalance.config import Athlete
from fitbalance.models import FileOutcome, FileStatus, SourceRef, WorkItem
from fitbalance.process import process_batch
from fitbalance.sources import FAULT_ENV, limits, reader_version
from fitbalance.sources.archive import file_digest

from ..conftest import SAMPLE_DATA

RUN = SAMPLE_DATA / "fit" / "2025-02" / "2025-02-04-1830-run.fit"


def outcome(path: Path, local: Path | None = None) -> FileOutcome:
    local = local or path
    item = WorkItem(SourceRef(str(path), str(local), path.stat().st_size), file_digest(str(path)))
    return process_batch([item], athlete=Athlete(), as_of=datetime(2030, 1, 1)).outcomes[0]


def test_a_file_over_the_decode_time_cap_is_retryable_and_loads_when_there_is_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A busy machine can make a good file miss the time cap: it is quarantined as retryable, and read with the
    cap it normally has it loads."""
    monkeypatch.setattr(limits, "MAX_DECODE_SECONDS", -1.0)  # every decode is over the cap at its first message
    late = outcome(RUN)
    assert (late.status, late.retryable) == (FileStatus.QUARANTINED, True)
    assert "longer than the -1 s cap" in late.reason
    monkeypatch.undo()
    loaded = outcome(RUN)
    assert (loaded.status, loaded.retryable, loaded.reader_version) == (FileStatus.LOADED, False, reader_version())


def test_an_internal_error_and_an_unreadable_file_are_retryable_but_a_broken_file_is_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An internal error (the reader's test hook) and an I/O error (the path is a folder now) are not the file's
    fault; a bad CRC is, and is never retried on its own."""
    monkeypatch.setenv(FAULT_ENV, RUN.name)
    bug = outcome(RUN)
    assert (bug.status, bug.retryable) == (FileStatus.QUARANTINED, True) and "internal error" in bug.reason
    monkeypatch.delenv(FAULT_ENV)
    unreadable = outcome(RUN, local=tmp_path)
    assert (unreadable.status, unreadable.retryable) == (FileStatus.QUARANTINED, True)
    assert unreadable.reason.startswith("could not read the file")
    broken = outcome(SAMPLE_DATA / "invalid" / "bad-crc.fit")
    assert (broken.status, broken.retryable) == (FileStatus.QUARANTINED, False)
