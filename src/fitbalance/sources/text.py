"""Text exports in one encoding: what a CSV reader is given is UTF-8 without a byte-order mark.

Apps write CSV in UTF-8 with or without a BOM (Excel adds one), and Excel's "Unicode text" is UTF-16 with a BOM. A
BOM names its encoding, so such text is converted losslessly. Text in any other encoding (Windows-1252, Latin-1,
UTF-16 without a BOM) is refused with a reason that names the first offending byte: guessing an 8-bit code page
would silently turn exercise names into mojibake. Line endings (LF, CRLF, CR) are left to the CSV parser.
"""

from __future__ import annotations

import codecs

from fitbalance.errors import DecodeError

_BOMS = (  # longest first: the UTF-32 LE mark begins with the UTF-16 LE mark
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)


def as_utf8(data: bytes, path: str) -> bytes:
    """``data`` as UTF-8 without a BOM; raises :class:`DecodeError` for binary or non-UTF-8 content."""
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec).encode("utf-8")
            except UnicodeDecodeError as exc:
                raise DecodeError(
                    f"text starts with a {name} byte-order mark but is not valid {name} (at byte {exc.start})",
                    path=path,
                    stage="decode",
                ) from exc
    nul = data.find(b"\0")
    if nul >= 0:
        raise DecodeError(
            f"binary content (a NUL byte at offset {nul}): not a text export (or UTF-16 without a byte-order mark)",
            path=path,
            stage="decode",
        )
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DecodeError(
            f"text is not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "export it again as UTF-8 (Excel: 'CSV UTF-8')",
            path=path,
            stage="decode",
        ) from exc
    return data
