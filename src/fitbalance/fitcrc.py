"""FIT's CRC-16, one implementation for the FIT reader (:mod:`fitbalance.sources.fitreader`) and the sample-file
writer (``synth.fitwriter``, in the sample-data generator ``sample_data/synth/``).

The CRC is the reflected CRC-16 with polynomial 0xA001 (the FIT SDK computes it four bits at a time; fitdecode's
``utils.compute_crc`` does the same). Here it advances a byte at a time from :data:`BYTE_TABLE`, or, for longer
data, a little-endian 16-bit word at a time from a table built from it: a 16-bit register is replaced entirely by
two input bytes, so one lookup per word does (``crc = WORD[crc ^ word]``). Which path is faster depends on the
length; the result is the same.
"""

from __future__ import annotations

import sys
from array import array
from functools import cache

__all__ = ["BYTE_TABLE", "fit_crc"]


def _byte_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


BYTE_TABLE = _byte_table()
"""``BYTE_TABLE[b]``: the CRC register after feeding byte ``b`` to a zero register."""


@cache
def _word_table() -> array[int]:
    """The 16-bit-word table, a compact ``array`` (128 KiB) rather than a list of ints: lookups at random indices
    stay in cache, which makes the CRC of long data twice as fast. Built on first use."""
    words = array("H", bytes(2 * 65536))
    for word in range(65536):
        crc = BYTE_TABLE[word & 0xFF]
        words[word] = (crc >> 8) ^ BYTE_TABLE[(crc ^ (word >> 8)) & 0xFF]
    return words


WORD_THRESHOLD = 16
"""From this many bytes on, the word table is faster than the byte table (measured: the word path pays a fixed cost
to view the data as words, then does half the lookups)."""


def fit_crc(data: bytes | bytearray | memoryview, crc: int = 0) -> int:
    """The FIT CRC-16 of ``data``, continuing from ``crc`` (equal to ``fitdecode.utils.compute_crc``)."""
    if len(data) < WORD_THRESHOLD:
        table = BYTE_TABLE
        for byte in data:
            crc = (crc >> 8) ^ table[(crc ^ byte) & 0xFF]
        return crc
    word_table = _word_table()
    even = len(data) & ~1
    words = array("H")
    words.frombytes(data[:even])
    if sys.byteorder == "big":  # pragma: no cover - FIT words are little-endian
        words.byteswap()
    for word in words:
        crc = word_table[crc ^ word]
    if even != len(data):
        crc = (crc >> 8) ^ BYTE_TABLE[(crc ^ data[-1]) & 0xFF]
    return crc
