"""Where batches are processed: every engine yields the batches in the order given, with at most two per worker
in flight, and cleans up each after its load."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from fitbalance.config import Athlete
from fitbalance.executors import BatchExecutor, LocalBatches
from fitbalance.models import BatchResult, FileOutcome, FileStatus, SourceRef, Tables, WorkItem
from fitbalance.validate import quarantine_frame
from tests.conftest import SAMPLE_DATA

AS_OF = datetime(2030, 1, 1)


class Recorded(BatchExecutor[int]):
    """A third engine in a few lines: processes nothing, records what the loop asks of it."""

    def __init__(self) -> None:
        super().__init__(Athlete(), AS_OF)
        self.events: list[tuple[str, int]] = []
        self.in_flight = 0
        self.most_in_flight = 0

    def submit(self, number: int, items: list[WorkItem]) -> int:
        self.events.append(("submit", number))
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        return number

    def result(self, pending: int) -> BatchResult:
        self.in_flight -= 1
        outcome = FileOutcome(str(pending), f"{pending}.fit", "fit", 1, FileStatus.SKIPPED)
        return BatchResult([outcome], Tables.concat([]), quarantine_frame([]))

    def release(self, pending: int) -> None:
        self.events.append(("release", pending))


def _items(n: int) -> list[list[WorkItem]]:
    return [[WorkItem(SourceRef(f"{i}.fit", f"{i}.fit", 1), str(i))] for i in range(n)]


def test_batches_come_back_in_order_with_two_per_worker_in_flight() -> None:
    engine = Recorded()
    with engine:
        got = [b.outcomes[0].file_id for b in engine.processed(_items(9), workers=2)]
    assert got == [str(i) for i in range(9)]
    assert engine.most_in_flight == 4
    released = [n for kind, n in engine.events if kind == "release"]
    assert released == list(range(9)), "each batch is cleaned up after its load, in order"
    assert engine.events.index(("release", 0)) < engine.events.index(("submit", 5)), "the window moves on"


def test_a_local_pool_processes_real_files(tmp_path: Path) -> None:
    """One worker (a thread beside the loader) and two (worker processes): the same outcomes, in order."""
    files = sorted((SAMPLE_DATA / "fit").rglob("*.fit"))[:4]
    batches = [[WorkItem(SourceRef(str(p), str(p), p.stat().st_size), p.name)] for p in files]
    answers = []
    for workers in (1, 2):
        with LocalBatches(Athlete(), AS_OF) as engine:
            answers.append(
                [(o.file_id, o.status, o.detail) for b in engine.processed(batches, workers) for o in b.outcomes]
            )
    assert answers[0] == answers[1]
    assert [file_id for file_id, _, _ in answers[0]] == [p.name for p in files]
    assert all(status is FileStatus.LOADED for _, status, _ in answers[0])
