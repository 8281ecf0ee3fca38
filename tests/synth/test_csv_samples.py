"""The CSV sample generator: deterministic, and what it wrote is what sample_data/csv holds."""

from __future__ import annotations

from pathlib import Path

from synth.csv_samples import main, samples

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_data" / "csv"


def test_same_seed_same_bytes_other_seed_other_bytes() -> None:
    """The generator has no clock or global randomness: a seed fixes every byte."""
    assert samples(7) == samples(7)
    assert samples(7)["hevy_workouts.csv"] != samples(8)["hevy_workouts.csv"]


def test_sample_data_is_up_to_date() -> None:
    """sample_data/csv is exactly what the generator makes (regenerate with the module's command)."""
    for name, data in samples().items():
        assert (SAMPLE_DIR / name).read_bytes() == data, f"{name}: run python -m synth.csv_samples"


def test_command_writes_every_file(tmp_path: Path) -> None:
    """python -m synth.csv_samples --out DIR writes one file per dialect sample."""
    main(["--out", str(tmp_path / "csv")])
    assert sorted(p.name for p in (tmp_path / "csv").iterdir()) == sorted(samples())
