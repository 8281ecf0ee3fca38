"""Whatever bytes arrive, the CSV reader returns a Decoded or raises one of our InputErrors: nothing else."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fitbalance.errors import InputError
from fitbalance.models import Decoded
from fitbalance.sources.csv import looks_like_csv, read_csv
from synth.csv_samples import samples
from tests.conftest import examples
from tests.sources.csv.conftest import ZONE

SAMPLES = samples()
NAMES = sorted(SAMPLES)
HEADERS = [  # each sample's header: its first line of two fields or more (title lines come before it)
    next(line for line in data.splitlines()[:6] if max(line.count(b","), line.count(b";")) >= 1)
    for _, data in sorted(SAMPLES.items())
]
CELL_TEXT = st.text(alphabet=st.sampled_from(list('0123456789.,;:-" \nabcAPM/()Wkglbs\t')), max_size=60)


def _outcome(data: bytes) -> None:
    try:
        decoded = read_csv(data, "fuzz.csv", ZONE, units="metric")
    except InputError:
        return
    assert isinstance(decoded, Decoded)
    assert decoded.activities.columns[0] == "session_index"


@settings(max_examples=examples(300), deadline=None)
@given(st.binary(max_size=2048))
def test_random_bytes(data: bytes) -> None:
    """Random bytes give a Decoded or an InputError."""
    _outcome(data)
    looks_like_csv(data)


@settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(NAMES), st.floats(0, 1))
def test_truncated_samples(name: str, fraction: float) -> None:
    """Every sample cut anywhere gives a Decoded or an InputError."""
    data = SAMPLES[name]
    _outcome(data[: int(len(data) * fraction)])


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(NAMES), st.data())
def test_corrupted_samples(name: str, draw: st.DataObject) -> None:
    """A sample with a few bytes overwritten gives a Decoded or an InputError."""
    data = bytearray(SAMPLES[name][:3000])
    for _ in range(draw.draw(st.integers(1, 8))):
        position = draw.draw(st.integers(0, len(data) - 1))
        data[position] = draw.draw(st.integers(0, 255))
    _outcome(bytes(data))


@settings(max_examples=examples(400), deadline=None)
@given(st.sampled_from(HEADERS), st.lists(st.lists(CELL_TEXT, max_size=30), max_size=6))
def test_known_header_with_random_rows(header: bytes, rows: list[list[str]]) -> None:
    """A recognised header over rows of random cells reaches the dialect readers and still fails cleanly."""
    body = "\n".join(",".join(f'"{c}"' if i % 2 else c for i, c in enumerate(row)) for row in rows)
    _outcome(header + b"\n" + body.encode())
