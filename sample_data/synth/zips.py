"""Zip archives of generated files, byte for byte the same on every run: fixed member times, modes and system."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable


def zip_bytes(entries: Iterable[tuple[str, bytes]], date_time: tuple[int, int, int, int, int, int]) -> bytes:
    """A deflated zip of ``(name, data)`` members, each dated ``date_time`` (a Unix 0644 file)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()
