"""A small export folder with every kind of file an ingest meets, for the crash, concurrency and accounting tests.

Good FIT files, a copy of one at a second path, the same session in a second file with other bytes, a gzipped file,
an export zip (with a nested zip and a member that climbs out), a settings file, a file cut short (its part loads),
and files to quarantine: bad CRC, not FIT, empty, not UTF-8, from the far future, with an absurd weight.
"""

from __future__ import annotations

import gzip
import io
import struct
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from . import fitbytes as fb

DAY0 = datetime(2025, 1, 6, 7, 0, tzinfo=UTC)


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def build_inputs(root: Path, *, good: int = 24) -> Path:
    """Write the export folder under ``root`` and return it (about ``good`` + 16 files)."""
    root.mkdir(parents=True, exist_ok=True)
    fit = root / "fit"
    fit.mkdir(exist_ok=True)
    for i in range(good):
        start = DAY0 + timedelta(days=i, hours=i % 3)
        data = fb.strength_activity(start, sets=2 + i % 3, records=10) if i % 2 == 0 else fb.run_activity(start)
        (fit / f"{i:03d}.fit").write_bytes(data)
    (root / "copies").mkdir(exist_ok=True)
    (root / "copies" / "000.fit").write_bytes((fit / "000.fit").read_bytes())  # same bytes, second path
    (root / "copies" / "same-session.fit").write_bytes(fb.strength_activity(DAY0, sets=2, records=11))
    (fit / "gz.fit.gz").write_bytes(gzip.compress(fb.run_activity(DAY0 + timedelta(days=40))))
    settings_file = fb.encode([(fb.FILE_ID, [(0, fb.ENUM, 2), (1, fb.UINT16, 1)])])
    (fit / "settings.fit").write_bytes(settings_file)

    bad = root / "bad"
    bad.mkdir(exist_ok=True)
    whole = fb.run_activity(DAY0 + timedelta(days=50))
    (bad / "truncated.fit").write_bytes(whole[: len(whole) // 2])
    (bad / "bad-crc.fit").write_bytes(whole[:-2] + struct.pack("<H", (struct.unpack("<H", whole[-2:])[0] ^ 0xFF)))
    (bad / "not-fit.fit").write_bytes(b"this is not a FIT file at all")
    (bad / "empty.csv").write_bytes(b"")
    (bad / "latin1.csv").write_bytes("Date,Exercise Name,Weight,Reps\n2025-01-06,Bankdrücken,60,8\n".encode("latin-1"))
    (bad / "future.fit").write_bytes(fb.strength_activity(datetime(2120, 1, 1, tzinfo=UTC), sets=1, records=3))
    (bad / "absurd-weight.fit").write_bytes(
        fb.strength_activity(DAY0 + timedelta(days=60), sets=2, records=3, weight_raw=4000 * 16)
    )

    inner = _zip({"in1.fit": fb.run_activity(DAY0 + timedelta(days=70)), "notes.txt": b"hello"})
    export = _zip(
        {
            "export/a.fit": fb.strength_activity(DAY0 + timedelta(days=80), sets=3, records=5),
            "export/b.fit": fb.run_activity(DAY0 + timedelta(days=81)),
            "export/inner.zip": inner,
            "../../escape.fit": b"x",
        }
    )
    (root / "export.zip").write_bytes(export)
    return root
