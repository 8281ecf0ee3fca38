"""Fixtures for the JSON export readers: the generated samples (the same bytes as sample_data/exports), unpacked."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest

from fitbalance.models import Decoded
from fitbalance.sources import decode_bytes
from synth import json_exports

ZONE = "Europe/Berlin"


def members(data: bytes) -> dict[str, bytes]:
    """A zip's members by name."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist() if not info.is_dir()}


def decode(data: bytes, name: str = "export.json", **kw: Any) -> Decoded:
    """One file through the real reader seam (the FIT check, then formats.READERS), in the athlete's zone."""
    return decode_bytes(data, name, time_zone=kw.pop("time_zone", ZONE), **kw)


@pytest.fixture(scope="session")
def samples() -> dict[str, tuple[bytes, dict[str, Any]]]:
    return json_exports.export_files()


@pytest.fixture(scope="session")
def garmin_zip(samples: dict[str, tuple[bytes, dict[str, Any]]]) -> dict[str, bytes]:
    return members(samples[json_exports.GARMIN_ZIP][0])


@pytest.fixture(scope="session")
def fitbit_zip(samples: dict[str, tuple[bytes, dict[str, Any]]]) -> dict[str, bytes]:
    return members(samples[json_exports.FITBIT_ZIP][0])
