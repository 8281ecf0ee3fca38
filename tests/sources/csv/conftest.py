"""Fixtures for the CSV dialect tests: the generated samples, and the real-world corpus when it is present."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from synth.csv_samples import samples

ZONE = "Europe/Berlin"
CORPUS = (
    Path(os.environ.get("FITBALANCE_TEST_CORPUS") or Path(__file__).resolve().parents[3].parent / "shared" / "corpus")
    / "csv"
)


@pytest.fixture(scope="session")
def sample_files() -> dict[str, bytes]:
    """Every generated sample file by name (the same bytes as sample_data/csv)."""
    return samples()


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"real-world corpus not present at {CORPUS}")
    return CORPUS
