"""Files a file names beside itself, read from where that file is: its folder on disk, or the zip archive it came
from (Samsung Health's exercise table names each workout's samples as a JSON file under the export's ``jsons/``).

A reader gets the file's place (:attr:`fitbalance.sources.reading.ReadOptions.place`, a
:class:`~fitbalance.models.SourceRef`; None for bytes with no place) and opens a :class:`Beside` for it once; each
:meth:`Beside.read` is then one companion, by a path relative to the file's folder. A path that leaves the folder
(``..``, an absolute path) is never read, nor a file over the cap; an export inside an archive inside an archive is
not opened again (its companions are not read). Apple Health's route files are found the same way (its reader's
``_route_stream``).
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path, PurePosixPath
from types import TracebackType

from fitbalance.models import SourceRef

MAX_COMPANION_BYTES = 64 * 1024 * 1024
"""The largest companion read (one workout's per-second samples for a day are a few MiB)."""


class NotBeside(Exception):
    """Why a companion file was not read (the reader goes on without it)."""


class Beside:
    """The companions of the file at ``place`` (use as a context manager: an archive is opened once)."""

    def __init__(self, place: SourceRef | None) -> None:
        self.place = place
        self._zip: zipfile.ZipFile | None = None
        self._names: set[str] = set()
        self._folder: PurePosixPath | Path | None = None
        self.why_not: str | None = None  # why no companion can be read at all, or None
        if place is None:
            self.why_not = "the file was given as bytes, not as a file: its folder is unknown"
            return
        shown = place.path.replace("\\", "/")
        if "!/" not in shown:
            self._folder = Path(place.local_path).parent.resolve()
            return
        archive, member = shown.rsplit("!/", 1)
        if "!/" in archive:
            self.why_not = "the file is in an archive inside an archive"
            return
        try:
            self._zip = zipfile.ZipFile(archive)
            self._names = set(self._zip.namelist())
        except (OSError, zipfile.BadZipFile, zlib.error, EOFError) as exc:
            self.why_not = f"its archive could not be opened ({exc})"
            self._zip = None
            return
        self._folder = PurePosixPath(member).parent

    def __enter__(self) -> Beside:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._zip is not None:
            self._zip.close()

    def read(self, relative: str) -> bytes | None:
        """The bytes of the companion at ``relative`` (a ``/``-separated path below the file's folder); None when it
        is not there. Raises :class:`NotBeside` when it cannot be read (outside the folder, over the cap, no place,
        a broken archive member)."""
        if self.why_not is not None:
            raise NotBeside(self.why_not)
        path = PurePosixPath(relative.replace("\\", "/"))
        if path.is_absolute() or not path.parts or ".." in path.parts:
            raise NotBeside(f"{relative!r} is not a path inside the export")
        if self._zip is not None:
            name = str(PurePosixPath(self._folder or ".") / path).removeprefix("./")
            if name not in self._names:
                return None
            info = self._zip.getinfo(name)
            if info.file_size > MAX_COMPANION_BYTES:
                raise NotBeside(f"{name} is larger than the cap of {MAX_COMPANION_BYTES // 1024**2} MiB")
            try:
                with self._zip.open(info) as stream:
                    data = stream.read(MAX_COMPANION_BYTES + 1)
            except (OSError, zipfile.BadZipFile, zlib.error, EOFError, RuntimeError) as exc:
                raise NotBeside(f"{name} could not be read from the archive ({exc})") from exc
            if len(data) > MAX_COMPANION_BYTES:  # the archive said less than it holds
                raise NotBeside(f"{name} is larger than the cap of {MAX_COMPANION_BYTES // 1024**2} MiB")
            return data
        folder = Path(str(self._folder))
        target = (folder / path).resolve()
        if folder not in target.parents:
            raise NotBeside(f"{relative!r} is not a path inside the export's folder")
        if not target.is_file():
            return None
        if target.stat().st_size > MAX_COMPANION_BYTES:
            raise NotBeside(f"{relative} is larger than the cap of {MAX_COMPANION_BYTES // 1024**2} MiB")
        try:
            return target.read_bytes()
        except OSError as exc:
            raise NotBeside(f"{relative} could not be read ({exc})") from exc
