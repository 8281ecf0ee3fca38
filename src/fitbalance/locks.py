"""Advisory file locks held for the life of an open file (``flock`` on POSIX, ``msvcrt.locking`` on Windows).

The operating system drops such a lock when its process ends, however it ends (SIGKILL, power cut of the process),
so a lock file left on disk never blocks anyone: a lock is held, or it is not. The files themselves are never
deleted (deleting a lock file while another process waits on it would let two processes hold "the" lock).
"""

from __future__ import annotations

import os
import sys
from typing import IO


def try_lock(fh: IO[bytes]) -> bool:
    """Take an exclusive lock on the open file without waiting; True when it is ours."""
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import msvcrt

        try:
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def open_lock_file(path: str | os.PathLike[str]) -> IO[bytes]:
    """Open (creating it if needed) a lock file for reading and writing, without truncating what it says."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    return os.fdopen(fd, "r+b")
