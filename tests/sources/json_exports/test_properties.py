"""Hostile JSON: the generated exports with values replaced by anything JSON can hold (objects for numbers, lists for
times, huge or non-finite numbers), fed to the reader. Only fitbalance's own :class:`InputError` comes out; anything
that is read loads in the raw contracts, and what is set aside says where it was."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fitbalance.errors import InputError
from fitbalance.models import RAW_ACTIVITY_SCHEMA, RAW_SAMPLE_SCHEMA, RAW_SET_SCHEMA
from synth import json_exports

from .conftest import decode

FUZZ = settings(deadline=timedelta(seconds=5), suppress_health_check=[HealthCheck.too_slow])
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["PT1H", "04/24/20 17:35:46", "2021-03-02T17:48:40.000", "--", "1e999", "UNKNOWN"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


def _documents() -> list[Any]:
    docs: list[Any] = []
    for name, (data, _) in json_exports.export_files().items():
        if name.endswith(".zip"):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                docs += [json.loads(archive.read(n)) for n in archive.namelist() if n.endswith(".json")]
        else:
            docs.append(json.loads(data))
    return docs


DOCUMENTS = _documents()


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node[:4]):
            found += _paths(value, (*prefix, index))
    return found


def _replace(node: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(node, dict):
        return {**node, head: _replace(node[head], rest, value)}
    copy = list(node)
    copy[head] = _replace(copy[head], rest, value)
    return copy


@FUZZ
@given(st.data())
def test_mutated_exports_give_rows_or_our_own_errors(data: st.DataObject) -> None:
    doc = data.draw(st.sampled_from(DOCUMENTS))
    paths = _paths(doc)
    for _ in range(data.draw(st.integers(1, 4))):
        path = data.draw(st.sampled_from(paths))
        doc = _replace(doc, path, data.draw(VALUES))
        paths = _paths(doc)
    try:
        decoded = decode(json.dumps(doc, allow_nan=True).encode())
    except InputError:
        return
    assert decoded.activities.schema == RAW_ACTIVITY_SCHEMA
    assert decoded.sets.schema == RAW_SET_SCHEMA and decoded.samples.schema == RAW_SAMPLE_SCHEMA
    assert all(r.reason and r.table in ("activities", "strength_sets", "samples", "laps") for r in decoded.rejected)
