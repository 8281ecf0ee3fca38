"""Reading FIT bytes back with fitdecode, strictly: CRCs checked and parse errors raised."""

from __future__ import annotations

import io
from typing import Any

import fitdecode

Message = tuple[str, dict[str, Any]]


def frames(data: bytes) -> list[Any]:
    """Every frame fitdecode yields (headers, definitions, data messages, CRCs), strictly checked."""
    reader = fitdecode.FitReader(
        io.BytesIO(data), check_crc=fitdecode.CrcCheck.RAISE, error_handling=fitdecode.ErrorHandling.RAISE
    )
    with reader:
        return list(reader)


def messages(data: bytes, *names: str) -> list[Message]:
    """(name, {field: value}) for each data message, optionally only those named."""
    found = []
    for frame in frames(data):
        if isinstance(frame, fitdecode.FitDataMessage) and (not names or frame.name in names):
            found.append((frame.name, {field.name: field.value for field in frame.fields}))
    return found


def fields(data: bytes, name: str) -> list[dict[str, Any]]:
    """The fields of every data message called ``name``."""
    return [values for _, values in messages(data, name)]
