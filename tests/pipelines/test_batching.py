"""How an ingest cuts a run into batches when the caller does not say."""

from __future__ import annotations

import pytest

from fitbalance.run import MAX_BATCH_SIZE, MIN_BATCH_SIZE, batch_size_for


@pytest.mark.parametrize(
    ("files", "workers", "expected"),
    [
        (0, 1, MIN_BATCH_SIZE),  # nothing to do: any size
        (90, 2, MIN_BATCH_SIZE),  # a small run: small batches keep both workers busy
        (500, 2, 63),  # about four batches per worker
        (2000, 2, MAX_BATCH_SIZE),  # a big run: the biggest batches, the fewest task runs and transactions
        (2000, 8, 63),
    ],
)
def test_about_four_batches_per_worker_within_bounds(files: int, workers: int, expected: int) -> None:
    size = batch_size_for(files, workers)
    assert size == expected
    if MIN_BATCH_SIZE < size < MAX_BATCH_SIZE:
        assert -(-files // size) == 4 * workers
