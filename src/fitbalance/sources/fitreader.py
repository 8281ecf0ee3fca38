"""fitdecode's :class:`~fitdecode.FitReader` with its two hottest spots made cheaper; the messages are the same.

fitdecode is pure Python and decoding is the pipeline's main cost, so the reader the FIT source uses differs from the
stock one in how it reads, never in what it yields:

- a data message's fields are read with one ``read`` and one pre-compiled :class:`struct.Struct` per definition
  (stock: one read, one ``Struct`` and one CRC update per field);
- the CRC is updated from a table a byte or a word at a time (:mod:`fitbalance.fitcrc`; stock: two nibble steps per
  byte).

(The FIT source also passes ``processor=None``: the default processor's three method lookups per field cost more
than converting the few date-time fields it reads.)

Anything unusual (a field whose size is not a whole number of its base type's values, a non-seekable stream) takes
the stock path. ``tests/core/test_fitreader.py`` checks that every message, field, value and unit is the same as
the stock reader's on every FIT file it can find, and that corrupt files fail the same way.

Safely, since it overrides two private methods of fitdecode and writes its private state:

- it is used only with the fitdecode minor version it was written and tested against (:data:`TESTED_FITDECODE`,
  the range ``pyproject.toml`` pins). Under any other version :data:`open_reader` is fitdecode's own reader, and
  importing this module warns (``RuntimeWarning``) naming both versions: slower, never wrong;
- an exception raised in its own code is an :class:`~fitbalance.errors.InternalError` (a bug to report), never
  taken for corrupt FIT data.

Decoder warnings: fitdecode reports a recoverable problem (a definition with an odd field size, developer data
without its description) with ``warnings.warn``. The process-wide warnings machinery (its filters, its
``showwarning``) is shared by every thread, so a per-call capture built on it sends one file's warnings to another
decoded at the same time. :func:`decoder_warnings_to` instead routes them, per thread (per context), to a callback
of the caller's; outside it they go to ``warnings.warn`` as before.
"""

from __future__ import annotations

import re
import struct
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import fitdecode
import fitdecode.reader
from fitdecode import CrcCheck, FitEOFError, types

from fitbalance.errors import InternalError
from fitbalance.fitcrc import fit_crc

__all__ = [
    "TESTED_FITDECODE",
    "FastFitReader",
    "ReaderFactory",
    "decoder_warnings_to",
    "fit_crc",
    "open_reader",
    "reader_for",
]

TESTED_FITDECODE = (0, 11)
"""The fitdecode (major, minor) :class:`FastFitReader` was written and tested against (``pyproject.toml`` pins
``fitdecode>=0.11,<0.12``); patch releases of it are taken as compatible."""

ReaderFactory = Callable[..., Any]
"""``(data: bytes, **FitReader options) -> a fitdecode.FitReader`` over ``data``."""


# ---- decoder warnings, per call ----------------------------------------------------------------------------

_warning_sink: ContextVar[Callable[[str], None] | None] = ContextVar("fitdecode_warning_sink", default=None)


class _WarningsRouter:
    """What fitdecode's reader module sees as ``warnings``: :meth:`warn` hands the message to the sink of the
    :func:`decoder_warnings_to` block active in the calling thread, or, outside one, to ``warnings.warn``."""

    def warn(
        self, message: Warning | str, category: type[Warning] | None = None, stacklevel: int = 1, source: Any = None
    ) -> None:
        sink = _warning_sink.get()
        if sink is None:
            warnings.warn(message, category, stacklevel + 1, source)
        else:
            sink(str(message))

    def __getattr__(self, name: str) -> Any:  # anything else fitdecode may use of the module
        return getattr(warnings, name)


if fitdecode.reader.warnings is warnings:
    fitdecode.reader.warnings = _WarningsRouter()


@contextmanager
def decoder_warnings_to(sink: Callable[[str], None]) -> Iterator[None]:
    """Inside the block, every warning a fitdecode reader raises in this thread goes to ``sink(message)``, in order,
    and to no one else; whatever the process's warning filters, and whatever other threads decode meanwhile."""
    token = _warning_sink.set(sink)
    try:
        yield
    finally:
        _warning_sink.reset(token)


_BYTE = types.BASE_TYPE_BYTE.identifier


class _Layout:
    """How to unpack every field of one definition message with a single ``struct`` call."""

    __slots__ = ("fields", "unpacker")

    def __init__(self, unpacker: struct.Struct, fields: list[tuple[int, int, Any, bool]]) -> None:
        self.unpacker = unpacker
        self.fields = fields  # (first value, value count, base type's parse, is a byte field)


def _layout(def_mesg: Any) -> _Layout | None:
    """The one-struct layout of ``def_mesg``, or None when a field does not fit it (the stock path handles those)."""
    parts = [def_mesg.endian]
    fields = []
    position = 0
    for field_def in def_mesg.all_field_defs:
        base = field_def.base_type
        count, rest = divmod(field_def.size, base.size)
        if count == 0 or rest:
            return None
        parts.append(f"{count}{base.fmt}")
        values = 1 if base.fmt == "s" else count  # "20s" unpacks to one bytes value
        fields.append((position, values, base.parse, base.identifier == _BYTE))
        position += values
    return _Layout(struct.Struct("".join(parts)), fields)


class FastFitReader(fitdecode.FitReader):  # type: ignore[misc]  # fitdecode ships no type hints
    """A :class:`fitdecode.FitReader` over bytes that yields the same records, faster (see the module docstring)."""

    def __init__(self, data: bytes, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self._size = len(data)
        self._layouts: dict[Any, _Layout | None] = {}  # by definition message (hashed by identity)

    def _read_bytes(self, size: int) -> bytes:
        if size <= 0:
            raise ValueError("size")
        chunk: bytes = self._fd.read(size)
        got = len(chunk)
        if got != size:
            raise FitEOFError(size, got, self._read_offset)
        try:
            if self.check_crc is not CrcCheck.DISABLED:
                running: int = self._crc  # type: ignore[has-type]  # set in fitdecode's untyped __init__
                self._crc = fit_crc(chunk, running)
            self._chunk_size += got
            self._read_offset += got
            self._read_size += got
        except Exception as exc:
            raise self._internal(exc) from exc
        return chunk

    def _read_data_message_raw_values(self, def_mesg: Any) -> tuple[list[bytes], list[Any]]:
        layout = self._layout_of(def_mesg)
        if layout is None or layout.unpacker.size > self._size - self._read_offset:
            # the stock path, field by field: a truncated message fails with the stock reader's words
            return super()._read_data_message_raw_values(def_mesg)  # type: ignore[no-any-return]
        if not layout.fields:
            return [], []
        chunk = self._read_bytes(layout.unpacker.size)
        try:
            values = layout.unpacker.unpack(chunk)
            raw_values: list[Any] = []
            for first, count, parse, is_byte in layout.fields:
                if is_byte:
                    raw_values.append(parse(values[first : first + count]))
                elif count > 1:
                    raw_values.append(tuple(parse(v) for v in values[first : first + count]))
                else:
                    raw_values.append(parse(values[first]))
        except Exception as exc:
            raise self._internal(exc) from exc
        return [chunk], raw_values

    def _layout_of(self, def_mesg: Any) -> _Layout | None:
        try:
            if def_mesg not in self._layouts:
                self._layouts[def_mesg] = _layout(def_mesg)
            return self._layouts[def_mesg]
        except Exception as exc:
            raise self._internal(exc) from exc

    def _internal(self, exc: Exception) -> InternalError:
        """An exception in this class's own code: a bug of ours (or a fitdecode it does not fit), not bad data."""
        return InternalError(
            f"the fast FIT reader failed at byte {self._read_offset} ({type(exc).__name__}: {exc}); "
            f"fitdecode {fitdecode.__version__}",
            stage="decode",
        )


def _stock_reader(data: bytes, **options: Any) -> Any:
    return fitdecode.FitReader(data, **options)


def fast_reader_fits(version: str) -> bool:
    """Whether fitdecode ``version`` (``"0.11.2"``) is the minor version :class:`FastFitReader` was tested with."""
    match = re.match(r"(\d+)\.(\d+)", version)
    return match is not None and (int(match[1]), int(match[2])) == TESTED_FITDECODE


def reader_for(version: str) -> ReaderFactory:
    """The reader to decode with under fitdecode ``version``: :class:`FastFitReader` on the tested minor version;
    otherwise fitdecode's own reader (same records, slower), with a ``RuntimeWarning`` naming both versions."""
    if fast_reader_fits(version):
        return FastFitReader
    tested = ".".join(map(str, TESTED_FITDECODE))
    warnings.warn(
        f"fitdecode {version} is installed, but fitbalance's fast FIT reader is tested with fitdecode {tested}.x "
        "only: FIT files are decoded with fitdecode's own reader (the same results, about 2.5x slower)",
        RuntimeWarning,
        stacklevel=2,
    )
    return _stock_reader


open_reader: ReaderFactory = reader_for(fitdecode.__version__)
"""How the FIT source opens a reader over bytes: ``open_reader(data, **FitReader options)``."""
