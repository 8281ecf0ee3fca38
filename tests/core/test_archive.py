"""Discovery and archives: zips inside zips unpacked into a temporary folder only, hostile members refused."""

from __future__ import annotations

import gzip
import io
import os
import stat
import zipfile
from pathlib import Path

import pytest

from fitbalance.errors import ArchiveError, LimitExceeded
from fitbalance.models import SourceRef
from fitbalance.sources import archive
from fitbalance.sources.archive import discover, read_source


def _zip(members: dict[str, bytes], *, symlinks: tuple[str, ...] = ()) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            if name in symlinks:
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, data)
    return buf.getvalue()


def _raw_zip_with_duplicates() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.fit", b"first")
        with pytest.warns(UserWarning):
            zf.writestr("a.fit", b"second")
    return buf.getvalue()


def test_garmin_export_shape_is_unpacked(tmp_path: Path) -> None:
    """A Garmin account export (a zip holding zips of FIT files) yields every FIT file, named by its place."""
    inner = _zip({"1.fit": b"x" * 20, "2.fit": b"y" * 20, "notes.txt": b"notes"})
    outer = tmp_path / "export.zip"
    outer.write_bytes(_zip({"DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip": inner}))
    found = discover([outer], tmp_path / "work")
    assert sorted(f.path.rsplit("!/", 1)[1] for f in found.files) == ["1.fit", "2.fit"]
    assert all("UploadedFiles_0-_Part1.zip!/" in f.path for f in found.files)
    assert found.ignored == 1 and not found.problems
    for f in found.files:
        assert Path(f.local_path).parent == tmp_path / "work"


def test_traversal_absolute_symlink_and_duplicate_members_are_refused(tmp_path: Path) -> None:
    """Members that climb out, are absolute, are links or repeat a name are refused; nothing is written outside."""
    z = tmp_path / "evil.zip"
    z.write_bytes(
        _zip(
            {"../../escape.fit": b"a", "/abs.fit": b"b", "link.fit": b"/etc/passwd", "ok.fit": b"c"},
            symlinks=("link.fit",),
        )
    )
    dup = tmp_path / "dup.zip"
    dup.write_bytes(_raw_zip_with_duplicates())
    found = discover([z, dup], tmp_path / "work")
    reasons = {p.path.rsplit("!/", 1)[1]: p.reason for p in found.problems}
    assert "climbs out" in reasons["../../escape.fit"]
    assert "absolute" in reasons["/abs.fit"]
    assert "symbolic link" in reasons["link.fit"]
    assert "duplicate" in reasons["a.fit"]
    assert sorted(Path(f.path).name for f in found.files) == ["a.fit", "ok.fit"]
    assert not (tmp_path / "escape.fit").exists() and not Path("/abs.fit").exists()
    assert {p.parent for p in (tmp_path / "work").iterdir()} == {tmp_path / "work"}


def test_zip_bomb_and_deep_nesting_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A member whose compression ratio says bomb is not extracted; archives nested too deep are not opened."""
    bomb = tmp_path / "bomb.zip"
    bomb.write_bytes(_zip({"big.fit": b"\0" * (8 * 1024 * 1024)}))
    nested = b"leaf"
    nested_name = "leaf.fit"
    for depth in range(archive.MAX_DEPTH + 1):
        nested = _zip({nested_name: nested})
        nested_name = f"level{depth}.zip"
    deep = tmp_path / "deep.zip"
    deep.write_bytes(nested)
    found = discover([bomb, deep], tmp_path / "work")
    reasons = " | ".join(p.reason for p in found.problems)
    assert "zip bomb" in reasons
    assert "nested deeper" in reasons
    assert not found.files


def test_corrupt_zip_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"PK\x03\x04" + os.urandom(200))
    found = discover([bad], tmp_path / "work")
    assert len(found.problems) == 1 and "zip" in found.problems[0].reason


def test_gzip_is_read_with_a_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A .gz file is decompressed on read; one that expands past the cap, or is corrupt, is refused clearly."""
    ok = tmp_path / "a.fit.gz"
    ok.write_bytes(gzip.compress(b"hello" * 10))
    assert read_source(SourceRef(str(ok), str(ok), 1)) == b"hello" * 10
    monkeypatch.setattr(archive, "MAX_FILE_BYTES", 1000)
    big = tmp_path / "b.fit.gz"
    big.write_bytes(gzip.compress(b"\0" * 5000))
    with pytest.raises(LimitExceeded, match="cap"):
        read_source(SourceRef(str(big), str(big), 1))
    broken = tmp_path / "c.fit.gz"
    broken.write_bytes(gzip.compress(os.urandom(900))[:-30])
    with pytest.raises(ArchiveError, match="corrupt gzip"):
        read_source(SourceRef(str(broken), str(broken), 1))


def test_folders_are_walked_and_other_files_ignored(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.FIT").write_bytes(b"1")
    (tmp_path / "b.csv").write_text("x")
    (tmp_path / "photo.jpg").write_bytes(b"2")
    (tmp_path / "._a.fit").write_bytes(b"3")
    found = discover([tmp_path], tmp_path / ".work")
    assert sorted(Path(f.path).name for f in found.files) == ["a.FIT", "b.csv"]
    assert found.ignored == 2


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no such file"):
        discover([tmp_path / "nope"], tmp_path / "work")


def test_locate_finds_recorded_paths_and_unpacks_only_the_members_on_the_way(tmp_path: Path) -> None:
    """A recorded file is found again by its shown path: a plain path as it is, a member of a zip inside a zip by
    unpacking only that member and the archive holding it; a path that is gone is absent from the answer."""
    plain = tmp_path / "a.fit"
    plain.write_bytes(b"plain")
    inner = _zip({"wanted.fit": b"wanted", "other.fit": b"other"})
    (tmp_path / "export.zip").write_bytes(_zip({"inner.zip": inner, "loose.csv": b"x,y\n1,2\n"}))
    wanted = [str(plain), f"{tmp_path / 'export.zip'}!/inner.zip!/wanted.fit", str(tmp_path / "gone.fit")]
    work = tmp_path / "work"
    found = archive.locate(wanted, work)
    assert sorted(found) == sorted(wanted[:2])
    assert Path(found[wanted[1]].local_path).read_bytes() == b"wanted"
    assert found[str(plain)].local_path == str(plain)
    unpacked = sorted(p.name.split("_", 1)[1] for p in work.iterdir())
    assert unpacked == ["inner.zip", "wanted.fit"]  # not other.fit, not loose.csv
