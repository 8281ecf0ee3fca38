"""Real-derived FIT corpora for the benchmarks: copies of real activity files, each moved in time, CRCs made right.

    from fitcorpus import real_derived
    files = real_derived(Path("../shared/corpus"), Path("bench/out/real-600"), 600)

A folder of real files holds too few activities (and too many copies of one ride) for a benchmark of a whole
history: :func:`real_derived` writes ``n`` files made from the activity files under ``source`` in turn, copy ``k`` of
a file with every date-time field (the profile's ``date_time`` and ``local_date_time`` fields of every message) moved
``k`` weeks back, so every copy is new content and a new activity to the ingest (no duplicate of another), with the
same devices, messages, layouts, developer fields and compressed timestamps as the real file (a week is a whole
number of the 32 s a compressed timestamp counts in). Values that mean "no date" (invalid, or device-relative below
0x10000000) stay as they are. The files picked are those the ingest reads as whole activities (no warning, nothing
set aside) and a plain fitdecode pass reads without error: the plain loop the ingest is compared with must not fail.
"""

from __future__ import annotations

import shutil
import struct
from pathlib import Path

from fitdecode import profile

from fitbalance.fitcrc import fit_crc

WEEK_S = 7 * 86400

PLAIN_LOOP = """
import sys
from pathlib import Path
import fitdecode
n = 0
for path in sorted(Path(sys.argv[1]).glob("*.fit")):
    with fitdecode.FitReader(str(path)) as reader:
        for frame in reader:
            n += isinstance(frame, fitdecode.FitDataMessage)
print(n)
"""
"""The baseline the ingest benchmarks time against: a plain single-process fitdecode loop over a folder's FIT files
(``python -c PLAIN_LOOP FOLDER``), run as its own process like the command it is compared with."""
_DATE_TYPES = {"date_time", "local_date_time"}
_DATES: dict[int, frozenset[int]] = {
    num: frozenset(n for n, f in msg.fields.items() if f.type.name in _DATE_TYPES)
    for num, msg in profile.MESSAGE_TYPES.items()
}
_UINT32 = 0x86
_NO_DATE = 0x10000000  # below: device-relative seconds, not a date


def shifted(data: bytes, seconds: int) -> bytes:
    """``data`` (a whole FIT file, chained or not) with every date-time value moved by ``seconds``; CRCs made right."""
    out = bytearray(data)
    start = 0
    while start < len(data):
        header_size = data[start]
        (data_size,) = struct.unpack_from("<I", data, start + 4)
        body, end = start + header_size, start + header_size + data_size
        _shift_messages(data, out, body, end, seconds)
        if header_size >= 14 and struct.unpack_from("<H", data, start + 12)[0]:
            struct.pack_into("<H", out, start + 12, fit_crc(bytes(out[start : start + 12])))
        struct.pack_into("<H", out, end, fit_crc(bytes(out[start:end])))
        start = end + 2
    return bytes(out)


def _shift_messages(data: bytes, out: bytearray, pos: int, end: int, seconds: int) -> None:
    # local type -> (byte order, size after the header, [(offset, byte order) of each date-time uint32])
    defs: dict[int, tuple[str, int, list[int]]] = {}
    while pos < end:
        head = data[pos]
        if head & 0x80:  # compressed timestamp: a data message of local type 0-3, its time relative to the last
            local = (head >> 5) & 0x03
        elif head & 0x40:
            big = data[pos + 2] == 1
            order = ">" if big else "<"
            (global_num,) = struct.unpack_from(order + "H", data, pos + 3)
            count = data[pos + 5]
            dates, at, size = [], 0, 0
            for i in range(count):
                num, fsize, base = data[pos + 6 + 3 * i : pos + 9 + 3 * i]
                if num in _DATES.get(global_num, ()) and base == _UINT32 and fsize == 4:
                    dates.append(at)
                at += fsize
            size = at
            after = pos + 6 + 3 * count
            if head & 0x20:
                dev = data[after]
                size += sum(data[after + 2 + 3 * i] for i in range(dev))
                after += 1 + 3 * dev
            defs[head & 0x0F] = (order, size, dates)
            pos = after
            continue
        else:
            local = head & 0x0F
        order, size, dates = defs[local]
        for at in dates:
            (value,) = struct.unpack_from(order + "I", data, pos + 1 + at)
            if _NO_DATE <= value < 0xFFFFFFFF:
                struct.pack_into(order + "I", out, pos + 1 + at, value + seconds)
        pos += 1 + size


def whole_activities(source: Path) -> list[Path]:
    """The FIT files under ``source`` (sorted by path) that decode as whole activities with records, no warning,
    nothing set aside, and that a plain fitdecode pass reads without error."""
    import warnings

    import fitdecode

    from fitbalance.sources.fit import decode_fit

    picked = []
    for path in sorted(p for p in source.rglob("*") if p.is_file() and p.suffix.lower() == ".fit"):
        data = path.read_bytes()
        try:
            decoded = decode_fit(data, str(path))
            with warnings.catch_warnings(), fitdecode.FitReader(data) as reader:
                warnings.simplefilter("ignore")  # a file fitdecode complains of has warnings in decoded: left out
                for _ in reader:
                    pass
        except Exception:  # a file either way cannot read is not one for the corpus
            continue
        if decoded.file_type == "activity" and decoded.samples.height and not decoded.warnings + decoded.rejected:
            picked.append(path)
    return picked


def real_derived(source: Path, folder: Path, n: int) -> list[Path]:
    """``n`` real-derived activity files in ``folder`` (made once; see the module docstring), sorted."""
    existing = sorted(folder.glob("*.fit"))
    if len(existing) == n:
        return existing
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    real = whole_activities(source)
    if not real:
        raise SystemExit(f"{source} holds no whole activity FIT file")
    for i in range(n):
        path = real[i % len(real)]
        copy = i // len(real)
        (folder / f"{i:05d}-{path.stem}.fit").write_bytes(shifted(path.read_bytes(), -copy * WEEK_S))
    return sorted(folder.glob("*.fit"))
