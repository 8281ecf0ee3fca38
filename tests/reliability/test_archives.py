"""Hostile archives beyond the basics of tests/core/test_archive.py: lying sizes, nested bombs, odd member paths,
encrypted members, and scratch folders left behind by killed runs. Nothing is ever written outside the scratch folder.
"""

from __future__ import annotations

import io
import os
import signal
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from fitbalance.sources import archive
from fitbalance.sources.archive import discover, remove_stale_scratch_dirs, scratch_dir


def _zip(members: dict[str, bytes], *, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name), data, compress_type=method)
    return buf.getvalue()


def _patch_headers(data: bytes, *, size: int | None = None, flags: int | None = None) -> bytes:
    """Rewrite the declared uncompressed size and/or the flag bits in every local and central header."""
    out = bytearray(data)
    for sig, flag_at, size_at in ((b"PK\x03\x04", 6, 22), (b"PK\x01\x02", 8, 24)):
        pos = out.find(sig)
        while pos >= 0:
            if size is not None:
                struct.pack_into("<I", out, pos + size_at, size)
            if flags is not None:
                struct.pack_into("<H", out, pos + flag_at, flags)
            pos = out.find(sig, pos + 4)
    return bytes(out)


def _tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def _reasons(found: archive.Discovery) -> dict[str, str]:
    return {p.path.rsplit("!/", 1)[-1]: p.reason for p in found.problems}


def test_a_member_that_lies_about_its_size_is_cut_off_and_refused(tmp_path: Path) -> None:
    """Declared 1,000 bytes, really 4 MiB of zeros (a bomb the ratio check cannot see): extraction stops at the
    declared size, the CRC says it is wrong, the member is refused, and no partial file stays behind."""
    liar = tmp_path / "liar.zip"
    liar.write_bytes(_patch_headers(_zip({"big.fit": b"\0" * (4 * 1024**2)}), size=1000))
    found = discover([liar], tmp_path / "work")
    assert not found.files
    assert "could not be read" in _reasons(found)["big.fit"] and "CRC" in _reasons(found)["big.fit"]
    assert list((tmp_path / "work").iterdir()) == []


def test_a_stored_member_larger_than_declared_is_stopped_at_the_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even when the declared size is under the cap, extraction never writes more than the cap."""
    monkeypatch.setattr(archive, "MAX_FILE_BYTES", 64 * 1024)
    liar = tmp_path / "liar.zip"
    liar.write_bytes(_patch_headers(_zip({"a.fit": os.urandom(200 * 1024)}, method=zipfile.ZIP_STORED), size=1000))
    found = discover([liar], tmp_path / "work")
    assert not found.files and "a.fit" in _reasons(found)
    assert sum(p.stat().st_size for p in (tmp_path / "work").iterdir()) <= 64 * 1024


def test_nested_archives_share_one_total_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Three inner zips of 150 KB each under a 300 KB total cap: the whole tree counts, not each archive alone."""
    monkeypatch.setattr(archive, "MAX_ARCHIVE_BYTES", 300 * 1024)
    inner = {f"part{i}.zip": _zip({f"{i}.fit": os.urandom(150 * 1024)}, method=zipfile.ZIP_STORED) for i in range(3)}
    outer = tmp_path / "export.zip"
    outer.write_bytes(_zip(inner, method=zipfile.ZIP_STORED))
    found = discover([outer], tmp_path / "work")
    assert len(found.files) < 3
    assert any("total cap" in p.reason for p in found.problems)
    assert sum(p.stat().st_size for p in (tmp_path / "work").iterdir()) <= 2 * 300 * 1024


def test_an_inner_archive_may_be_larger_than_one_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Garmin export's inner zips are far larger than any single FIT file: the file cap does not apply to them."""
    monkeypatch.setattr(archive, "MAX_FILE_BYTES", 100 * 1024)
    inner = _zip({f"{i}.fit": os.urandom(60 * 1024) for i in range(3)}, method=zipfile.ZIP_STORED)
    assert len(inner) > 100 * 1024
    outer = tmp_path / "export.zip"
    outer.write_bytes(_zip({"UploadedFiles_0-_Part1.zip": inner}, method=zipfile.ZIP_STORED))
    found = discover([outer], tmp_path / "work")
    assert not found.problems and len(found.files) == 3


def test_too_many_members_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive, "MAX_MEMBERS", 5)
    many = tmp_path / "many.zip"
    many.write_bytes(_zip({f"{i}.fit": b"x" for i in range(6)}))
    found = discover([many], tmp_path / "work")
    assert not found.files and "6 members, more than the cap 5" in found.problems[0].reason


def test_nesting_up_to_the_documented_depth_is_opened(tmp_path: Path) -> None:
    """Exactly MAX_DEPTH archives deep is fine; the refusal of one level more is in tests/core/test_archive.py."""
    nested, name = b"leaf", "leaf.fit"
    for depth in range(archive.MAX_DEPTH):
        nested, name = _zip({name: nested}), f"level{depth}.zip"
    deep = tmp_path / "deep.zip"
    deep.write_bytes(nested)
    found = discover([deep], tmp_path / "work")
    assert not found.problems and [f.path.rsplit("!/", 1)[1] for f in found.files] == ["leaf.fit"]
    assert found.files[0].path.count("!/") == archive.MAX_DEPTH


@pytest.mark.parametrize(
    "name",
    ["..\\..\\evil.fit", "C:\\evil.fit", "c:evil.fit", "a/../../evil.fit", "/tmp/evil.fit", "//server/share/evil.fit"],
)
def test_windows_style_and_sneaky_member_paths_are_refused(tmp_path: Path, name: str) -> None:
    z = tmp_path / "evil.zip"
    z.write_bytes(_zip({name: b"x", "ok.fit": b"y"}))
    found = discover([z], tmp_path / "work")
    assert [Path(f.path).name for f in found.files] == ["ok.fit"]
    assert "absolute or climbs out" in _reasons(found)[name]


def test_an_encrypted_member_is_refused_with_a_reason(tmp_path: Path) -> None:
    z = tmp_path / "secret.zip"
    z.write_bytes(_patch_headers(_zip({"a.fit": b"x" * 100}), flags=0x1))
    found = discover([z], tmp_path / "work")
    assert not found.files and "encrypted" in _reasons(found)["a.fit"]


def test_nothing_is_written_outside_the_scratch_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every hostile archive at once, run from an empty working folder: only the scratch folder gains files, each
    directly inside it under a name we made."""
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    hostile = {
        "traversal.zip": _zip({"../../../escape.fit": b"a", "..\\escape2.fit": b"b", "/abs/escape3.fit": b"c"}),
        "liar.zip": _patch_headers(_zip({"big.fit": b"\0" * (2 * 1024**2)}), size=10),
        "nested.zip": _zip({"in.zip": _zip({"../../escape4.fit": b"d", "sub/dir/ok.fit": b"e"})}),
        "corrupt.zip": b"PK\x03\x04" + os.urandom(300),
    }
    for name, data in hostile.items():
        (inputs / name).write_bytes(data)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    before = _tree(tmp_path)
    work = tmp_path / "work"
    found = discover([inputs], work)
    assert _tree(tmp_path) - before == {"work", *(f"work/{p.name}" for p in work.iterdir())}
    assert all(p.parent == work and p.is_file() and not p.is_symlink() for p in work.iterdir())
    assert [Path(f.path).name for f in found.files] == ["ok.fit"]
    assert len(found.problems) == 6
    assert not any(tmp_path.rglob("escape*")) and not list(cwd.iterdir())


CHILD = """
import sys, time
from pathlib import Path
from fitbalance.sources.archive import scratch_dir
with scratch_dir(Path(sys.argv[1])) as folder:
    (folder / "member.fit").write_bytes(b"x")
    print(folder, flush=True)
    time.sleep(60)
"""


def test_a_killed_runs_scratch_folder_is_removed_by_the_next_run(tmp_path: Path) -> None:
    """A live run's folder is left alone; once its process is SIGKILLed, the next sweep deletes the folder."""
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        folder = Path(child.stdout.readline().strip())
        assert folder.is_dir() and folder.parent == tmp_path
        assert remove_stale_scratch_dirs(tmp_path) == [] and folder.is_dir()
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
        assert child.stdout is not None
        child.stdout.close()
    assert folder.is_dir()  # a killed run cannot clean up after itself
    with scratch_dir(tmp_path) as mine:
        assert not folder.exists() and mine.is_dir()
        assert [p.name for p in tmp_path.iterdir()] == [mine.name]
    assert list(tmp_path.iterdir()) == []
