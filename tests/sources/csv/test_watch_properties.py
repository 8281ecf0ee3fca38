"""The Samsung Health, WHOOP and Mi Fit / Zepp readers on broken input: a Decoded or one of our InputErrors only."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fitbalance.errors import InputError
from fitbalance.models import Decoded
from fitbalance.sources.csv import read_csv
from synth import watch_csvs
from tests.conftest import examples
from tests.sources.csv.conftest import ZONE

FILES = {name: data for name, (data, _) in watch_csvs.watch_files().items()}
NAMES = sorted(FILES)
HEADERS = [
    b"\n".join(FILES[name].splitlines()[:2]) if b"samsung" in name.encode() else FILES[name].splitlines()[0]
    for name in NAMES
]
CELL_TEXT = st.text(alphabet=st.sampled_from(list('0123456789.,:-+" \nabcUTCZ[]{}/()')), max_size=40)


def _outcome(data: bytes, name: str) -> None:
    try:
        decoded = read_csv(data, name, ZONE)
    except InputError:
        return
    assert isinstance(decoded, Decoded)
    assert decoded.activities.columns[0] == "session_index"


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(NAMES), st.floats(0, 1))
def test_truncated_exports(name: str, fraction: float) -> None:
    """Every generated watch export cut anywhere gives a Decoded or an InputError."""
    data = FILES[name]
    _outcome(data[: int(len(data) * fraction)], name)


@settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(NAMES), st.data())
def test_corrupted_exports(name: str, draw: st.DataObject) -> None:
    """A watch export with a few bytes overwritten gives a Decoded or an InputError."""
    data = bytearray(FILES[name][:4000])
    for _ in range(draw.draw(st.integers(1, 8))):
        position = draw.draw(st.integers(0, len(data) - 1))
        data[position] = draw.draw(st.integers(0, 255))
    _outcome(bytes(data), name)


@settings(max_examples=examples(200), deadline=None)
@given(st.sampled_from(range(len(NAMES))), st.lists(st.lists(CELL_TEXT, max_size=25), max_size=6))
def test_known_header_with_random_rows(index: int, rows: list[list[str]]) -> None:
    """Each export's header over rows of random cells reaches its reader and still fails cleanly."""
    body = "\n".join(",".join(f'"{c}"' if i % 2 else c for i, c in enumerate(row)) for row in rows)
    _outcome(HEADERS[index] + b"\n" + body.encode(), NAMES[index])
