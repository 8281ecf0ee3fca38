"""Find export files under the given paths and unpack archives safely into a temporary folder.

- A folder is walked recursively; files with an export extension (``.fit``, ``.csv``, ``.zip``, ``.gz``, ``.json``,
  ``.xml``, ``.tcx``, ``.gpx``) are candidates, anything else is counted as ignored. A path named directly is always
  a candidate.
- Zip archives (a Garmin account export holds zips inside a zip) are unpacked into ``workdir`` only, under names made
  by us: member paths are never trusted. A member is refused, with a reason, when its name is absolute or climbs out
  (``..``), when it is a symlink, when its name repeats an earlier member, when it (or the archive in total) is
  larger than the caps below, when its compression ratio says zip bomb, or when archives nest deeper than
  ``MAX_DEPTH``. Refusals are :class:`Problem` rows that become quarantine rows; the rest of the archive is used.
- The caps: one file or member ``MAX_FILE_BYTES`` (an archive inside an archive may be as large as
  ``MAX_ARCHIVE_BYTES``: a Garmin export's inner zips run to gigabytes); everything unpacked from one archive given by
  the user, nested archives included, ``MAX_ARCHIVE_BYTES``; ``MAX_RATIO`` compression ratio; ``MAX_MEMBERS`` members;
  ``MAX_DEPTH`` levels of nesting. An ``.xml`` member (read as a stream: Apple Health's export.xml) may be as large
  as ``MAX_STREAMED_BYTES`` and does not count toward the archive's total. A member whose declared size lies is
  stopped by the same caps while it is extracted (and by its CRC when it is shorter than declared).
- ``.gz`` files are kept compressed here and decompressed when read, with the same size cap.
- :func:`locate` finds files recorded earlier by the paths they were shown under (``export.zip!/inner.zip!/x.fit``),
  unpacking only the members on the way to them, so that a file can be read again from where it was found.
- The temporary folder of a run (:func:`scratch_dir`) is locked for the life of the run; a folder left behind by a
  run that was killed is unlocked, and the next run deletes it.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from fitbalance.errors import ArchiveError, LimitExceeded
from fitbalance.locks import open_lock_file, try_lock
from fitbalance.models import SourceRef

EXPORT_SUFFIXES = (".fit", ".csv", ".zip", ".gz", ".json", ".xml", ".tcx", ".gpx")
MAX_FILE_BYTES = 256 * 1024**2  # one decompressed file or archive member
STREAMED_SUFFIXES = (".xml",)  # members read as a stream (Apple Health's export.xml runs to gigabytes)
MAX_STREAMED_BYTES = 16 * 1024**3  # one such member; it does not count toward MAX_ARCHIVE_BYTES
MAX_ARCHIVE_BYTES = 4 * 1024**3  # everything unpacked from one archive given by the user
MAX_RATIO = 200  # uncompressed / compressed size of one member above which it is treated as a zip bomb
MAX_DEPTH = 3  # archives inside archives inside archives
MAX_MEMBERS = 100_000
ZIP_MAGIC = b"PK\x03\x04"
GZIP_MAGIC = b"\x1f\x8b"
SCRATCH_PREFIX = "fitbalance-run-"
_SCRATCH_LOCK = ".lock"
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Problem:
    """Something found that cannot be ingested, with the reason (becomes a quarantine row)."""

    path: str
    reason: str


@dataclass
class Discovery:
    files: list[SourceRef]
    problems: list[Problem]
    ignored: int


def is_export_name(name: str) -> bool:
    return name.lower().endswith(EXPORT_SUFFIXES)


def file_digest(path: str) -> str:
    """SHA-256 of a file's bytes, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def read_source(ref: SourceRef) -> bytes:
    """The file's bytes, gunzipped when they are gzip, refusing more than ``MAX_FILE_BYTES``."""
    with open(ref.local_path, "rb") as fh:
        head = fh.read(2)
        fh.seek(0)
        if head == GZIP_MAGIC:
            return _gunzip(fh, ref.path)
        data = fh.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise LimitExceeded(f"file larger than the {MAX_FILE_BYTES // 1024**2} MiB cap", path=ref.path, stage="read")
    return data


def _gunzip(fh: BinaryIO, path: str) -> bytes:
    out = bytearray()
    try:
        with gzip.GzipFile(fileobj=fh, mode="rb") as gz:
            while chunk := gz.read(_CHUNK):
                out += chunk
                if len(out) > MAX_FILE_BYTES:
                    raise LimitExceeded(
                        f"gzip expands beyond the {MAX_FILE_BYTES // 1024**2} MiB cap",
                        path=path,
                        stage="read",
                    )
    except (OSError, EOFError, zlib.error) as exc:
        raise ArchiveError(f"corrupt gzip: {exc}", path=path, stage="read") from exc
    return bytes(out)


def _is_os_litter(path: PurePosixPath) -> bool:
    """macOS resource forks (``__MACOSX/``, ``._name``) that zips made on a Mac carry beside every file."""
    return "__MACOSX" in path.parts or path.name.startswith("._")


def _walk(root: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        for name in sorted(filenames):
            yield Path(dirpath) / name


def _is_zip(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == ZIP_MAGIC
    except OSError:
        return False


class _Unpacker:
    """``wanted``: when given, only the archive members with these shown paths (and the archives holding them)."""

    def __init__(self, workdir: Path, wanted: frozenset[str] | None = None) -> None:
        self.workdir = workdir
        self.wanted = wanted
        self.counter = 0
        self.files: list[SourceRef] = []
        self.problems: list[Problem] = []
        self.ignored = 0
        self.unpacked = 0  # bytes unpacked from the current archive given by the user, nested archives included

    def _target(self, name: str) -> Path:
        self.counter += 1
        safe = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in PurePosixPath(name).name)[-80:]
        target = self.workdir / f"{self.counter:06d}_{safe or 'member'}"
        # the name is ours; the check is a second line of defence
        if self.workdir.resolve() not in target.resolve().parents:
            raise ArchiveError(f"refusing to write outside the temporary folder: {name!r}")
        return target

    def add_file(self, path: Path, shown: str, depth: int) -> None:
        if depth == 0:
            self.unpacked = 0
        if _is_zip(path):
            self.unzip(path, shown, depth + 1)
        else:
            self.files.append(SourceRef(path=shown, local_path=str(path), size_bytes=path.stat().st_size))

    def unzip(self, path: Path, shown: str, depth: int) -> None:
        if depth > MAX_DEPTH:
            self.problems.append(Problem(shown, f"archive nested deeper than {MAX_DEPTH} levels; not opened"))
            return
        try:
            with zipfile.ZipFile(path) as zf:
                self._unzip_members(zf, shown, depth)
        except (
            zipfile.BadZipFile,
            zipfile.LargeZipFile,
            OSError,
            EOFError,
            zlib.error,
            NotImplementedError,
        ) as exc:
            self.problems.append(Problem(shown, f"corrupt or unsupported zip archive: {exc}"))

    def _unzip_members(self, zf: zipfile.ZipFile, shown: str, depth: int) -> None:
        members = zf.infolist()
        if len(members) > MAX_MEMBERS:
            self.problems.append(Problem(shown, f"zip has {len(members)} members, more than the cap {MAX_MEMBERS}"))
            return
        seen: set[str] = set()
        for info in members:
            name = info.filename
            member_shown = f"{shown}!/{name}"
            if info.is_dir():
                continue
            pure = PurePosixPath(name.replace("\\", "/"))
            mode = info.external_attr >> 16
            if pure.is_absolute() or ".." in pure.parts or (len(name) > 1 and name[1] == ":"):
                self.problems.append(Problem(member_shown, "member path is absolute or climbs out with '..'"))
                continue
            if stat.S_ISLNK(mode):
                self.problems.append(Problem(member_shown, "member is a symbolic link; not extracted"))
                continue
            if name in seen:
                self.problems.append(Problem(member_shown, "duplicate member name in archive; later copy refused"))
                continue
            seen.add(name)
            if not is_export_name(name) or _is_os_litter(pure):
                self.ignored += 1
                continue
            if self.wanted is not None and not any(
                w == member_shown or w.startswith(member_shown + "!/") for w in self.wanted
            ):
                continue
            streamed = name.lower().endswith(STREAMED_SUFFIXES)
            cap = MAX_ARCHIVE_BYTES if name.lower().endswith(".zip") else MAX_FILE_BYTES
            cap = MAX_STREAMED_BYTES if streamed else cap
            if info.file_size > cap:
                self.problems.append(Problem(member_shown, f"member declares {info.file_size} bytes, over the cap"))
                continue
            if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > _CHUNK:
                self.problems.append(
                    Problem(
                        member_shown,
                        f"compression ratio {info.file_size // info.compress_size}:1 looks like a "
                        f"zip bomb (cap {MAX_RATIO}:1); not extracted",
                    )
                )
                continue
            if not streamed and self.unpacked + info.file_size > MAX_ARCHIVE_BYTES:
                self.problems.append(
                    Problem(
                        member_shown,
                        f"archive expands beyond the total cap of {MAX_ARCHIVE_BYTES // 1024**2} MiB; "
                        "rest not extracted",
                    )
                )
                break
            target = self._target(name)
            try:
                room = cap if streamed else min(cap, MAX_ARCHIVE_BYTES - self.unpacked)
                written = self._extract(zf, info, target, room)
            except LimitExceeded as exc:
                target.unlink(missing_ok=True)
                self.problems.append(Problem(member_shown, exc.reason))
                continue
            except (zipfile.BadZipFile, OSError, EOFError, zlib.error, RuntimeError) as exc:
                target.unlink(missing_ok=True)
                self.problems.append(Problem(member_shown, f"member could not be read: {exc}"))
                continue
            self.unpacked += 0 if streamed else written
            self.add_file(target, member_shown, depth)

    @staticmethod
    def _extract(zf: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, cap: int) -> int:
        written = 0
        with zf.open(info) as src, open(target, "wb") as dst:
            while chunk := src.read(_CHUNK):
                written += len(chunk)
                if written > cap:  # the declared size lied
                    raise LimitExceeded(f"member expands beyond its declared size and the {cap // 1024**2} MiB cap")
                dst.write(chunk)
        return written


def discover(paths: Iterable[Path], workdir: Path) -> Discovery:
    """Every export file under ``paths``, archives unpacked into ``workdir`` (see the module docstring).

    Raises :class:`FileNotFoundError` for a path that does not exist: the run cannot go on without its input.
    """
    unpacker = _Unpacker(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    for given in paths:
        root = Path(given)
        if not root.exists():
            raise FileNotFoundError(f"no such file or folder: {root}")
        if root.is_file():
            unpacker.add_file(root, str(root), 0)
            continue
        for path in _walk(root):
            if not path.is_file():
                continue
            if is_export_name(path.name) and not _is_os_litter(PurePosixPath(path.name)):
                unpacker.add_file(path, str(path), 0)
            else:
                unpacker.ignored += 1
    return Discovery(files=unpacker.files, problems=unpacker.problems, ignored=unpacker.ignored)


ARCHIVE_SEPARATOR = "!/"


def locate(shown_paths: Iterable[str], workdir: Path) -> dict[str, SourceRef]:
    """The files at these shown paths, where they still exist: a path as given, or an archive member unpacked into
    ``workdir`` (only the members on the way to a wanted one, under the same caps as :func:`discover`).

    A path that is gone, or a member its archive no longer holds, is simply absent from the answer.
    """
    wanted = frozenset(shown_paths)
    unpacker = _Unpacker(workdir, wanted)
    workdir.mkdir(parents=True, exist_ok=True)
    for outer in sorted({path.split(ARCHIVE_SEPARATOR, 1)[0] for path in wanted}):
        root = Path(outer)
        try:
            if root.is_file():
                unpacker.add_file(root, outer, 0)
        except OSError:  # unreadable now: as good as gone
            continue
    return {ref.path: ref for ref in unpacker.files if ref.path in wanted}


def cleanup(workdir: Path) -> None:
    shutil.rmtree(workdir, ignore_errors=True)


def remove_stale_scratch_dirs(parent: Path | None = None) -> list[Path]:
    """Delete the scratch folders under ``parent`` (default: the system temp folder) that no live run holds.

    A run holds its folder's lock until it ends; the folder of a run that was killed is unlocked. Folders of other
    users, and of runs still going (in any process namespace sharing the folder), are left alone.
    """
    root = parent if parent is not None else Path(tempfile.gettempdir())
    removed: list[Path] = []
    for folder in sorted(root.glob(f"{SCRATCH_PREFIX}*")):
        lock = folder / _SCRATCH_LOCK
        if folder.is_symlink() or not folder.is_dir() or not lock.is_file():
            continue
        try:
            with open_lock_file(lock) as fh:
                if not try_lock(fh):
                    continue  # a live run
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:  # another user's folder, or it vanished meanwhile
            continue
        removed.append(folder)
    return removed


@contextmanager
def scratch_dir(parent: Path | None = None) -> Iterator[Path]:
    """A locked temporary folder for one run, deleted at the end; stale folders of killed runs are deleted first."""
    remove_stale_scratch_dirs(parent)
    staging = Path(tempfile.mkdtemp(prefix="fitbalance-new-", dir=parent))
    with open_lock_file(staging / _SCRATCH_LOCK) as fh:
        if not try_lock(fh):  # pragma: no cover - a folder mkdtemp just made is ours alone
            raise ArchiveError(f"cannot lock the new temporary folder {staging}")
        folder = staging.with_name(SCRATCH_PREFIX + staging.name.removeprefix("fitbalance-new-"))
        staging.rename(folder)  # visible to the stale-folder sweep only once it is locked
        try:
            yield folder
        finally:
            cleanup(folder)
