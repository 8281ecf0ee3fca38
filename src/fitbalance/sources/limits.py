"""The caps every reader works under, so that no input can make a decode hang or take unbounded memory.

A file over a cap raises :class:`~fitbalance.errors.LimitExceeded` naming the cap; it is quarantined with that
reason and the run goes on. Only the time cap can be hit by a good file on a busy machine: it raises
:class:`~fitbalance.errors.TimeCapExceeded`, and the file is read again on the next run.

The caps are far above any real export (the largest FIT file in the real-world corpus is
3 MB with 92,000 messages, decoded in under 10 s on a slow machine), so only broken or hostile files reach them.

================================  ==============  =========================================================
cap                               value           where
================================  ==============  =========================================================
bytes read from one file          256 MiB         ``archive.MAX_FILE_BYTES`` (also the gunzipped size)
bytes handed to a decoder         64 MiB          ``MAX_DECODE_BYTES``
bytes of one JSON document        32 MiB          ``MAX_JSON_BYTES`` (parsed whole: a parsed document takes
                                                  several times its size; a real export's largest JSON file,
                                                  a Polar session with a day of samples, is a few MB)
FIT messages in one file          1,000,000       ``MAX_MESSAGES`` (a week of 1 s records is 605,000)
decode time of one file           180 s           ``MAX_DECODE_SECONDS`` (wall clock, checked per message)
rows one file may yield           2,000,000       ``MAX_ROWS`` (activities + sets + samples + laps)
archive members, depth, ratio     see archive.py  ``MAX_MEMBERS``, ``MAX_DEPTH``, ``MAX_RATIO``, ``MAX_ARCHIVE_BYTES``
================================  ==============  =========================================================

The time cap needs no thread: fitdecode is a Python loop that yields one message at a time, and :class:`Budget`
is ticked once per message. One message is at most 255 fields of 255 bytes (65 KB), so a tick comes at least every
few tenths of a second even for the slowest message fitdecode can be given.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from fitbalance.errors import LimitExceeded, TimeCapExceeded

MAX_DECODE_BYTES = 64 * 1024**2
MAX_MESSAGES = 1_000_000
MAX_DECODE_SECONDS = 180.0
MAX_ROWS = 2_000_000
MAX_JSON_BYTES = 32 * 1024**2


class Budget:
    """Counts the messages of one decode and watches its clock; :meth:`tick` raises once either cap is passed.

    The caps default to the module's values, read when the budget is made (so a test can lower them).
    """

    def __init__(
        self,
        path: str,
        *,
        max_messages: int | None = None,
        max_seconds: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = path
        self.max_messages = MAX_MESSAGES if max_messages is None else max_messages
        self.max_seconds = MAX_DECODE_SECONDS if max_seconds is None else max_seconds
        self.clock = clock
        self.messages = 0
        self._started = clock()

    def tick(self) -> None:
        """Count one message; raise :class:`LimitExceeded` when the message or time cap is passed."""
        self.messages += 1
        if self.messages > self.max_messages:
            raise LimitExceeded(
                f"more than {self.max_messages:,} messages in one file (cap); not decoded",
                path=self.path,
                stage="decode",
            )
        elapsed = self.clock() - self._started
        if elapsed > self.max_seconds:
            raise TimeCapExceeded(
                f"decoding took longer than the {self.max_seconds:g} s cap (stopped after {self.messages:,} "
                "messages); not decoded",
                path=self.path,
                stage="decode",
            )


def check_size(data: bytes, path: str) -> None:
    """Raise :class:`LimitExceeded` when ``data`` is larger than a decoder is given."""
    if len(data) > MAX_DECODE_BYTES:
        raise LimitExceeded(
            f"file is {len(data) / 1024**2:.0f} MiB, over the {MAX_DECODE_BYTES // 1024**2} MiB decode cap",
            path=path,
            stage="decode",
        )


def check_json_size(data: bytes, path: str) -> None:
    """Raise :class:`LimitExceeded` when a JSON document is larger than :data:`MAX_JSON_BYTES` (read at call time,
    so a test can lower it)."""
    if len(data) > MAX_JSON_BYTES:
        raise LimitExceeded(
            f"JSON file is {len(data):,} bytes, over the JSON cap of {MAX_JSON_BYTES:,} bytes "
            f"({MAX_JSON_BYTES / 1024**2:g} MiB, limits.MAX_JSON_BYTES); not parsed",
            path=path,
            stage="decode",
        )


def check_rows(counts: dict[str, int], path: str) -> None:
    """Raise :class:`LimitExceeded` when one file yields more rows than :data:`MAX_ROWS`."""
    total = sum(counts.values())
    if total > MAX_ROWS:
        detail = ", ".join(f"{n:,} {table}" for table, n in counts.items() if n)
        raise LimitExceeded(
            f"file yields {total:,} rows ({detail}), over the {MAX_ROWS:,} cap", path=path, stage="decode"
        )
