"""Run the real ingest in this process and report progress on stdout, one JSON object per line.

    python -m tests.reliability.ingest_driver DB PATH... [--batch-size N] [--workers N] [--lock-wait S] [--gate DIR]

The Prefect ingest flow (pointed at the test session's Prefect API with PREFECT_API_URL); with ``--gate``, the
library's ingest (:func:`fitbalance.run.ingest`, the same steps), stopping after each batch's commit: it creates
``DIR/loaded-<n>`` and waits until ``DIR/seen-<n>`` or ``DIR/open`` exists (at most 5 minutes), so that a test can
look at the database between any two batches without betting on timing.

Used by the crash and concurrency tests, which start it as a subprocess and kill it with SIGKILL at chosen moments.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path


def gate(folder: Path) -> Callable[[int], None]:
    """The ``on_batch`` listener of ``--gate``: see the module docstring."""

    def wait(number: int) -> None:
        (folder / f"loaded-{number:06d}").touch()
        deadline = time.monotonic() + 300
        while not ((folder / f"seen-{number:06d}").exists() or (folder / "open").exists()):
            if time.monotonic() > deadline:
                return
            time.sleep(0.01)

    return wait


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--batch-size", type=int, default=2)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--lock-wait", type=float, default=600.0)
    parser.add_argument("--as-of", default="2026-01-01T00:00:00", help="naive UTC; fixed, so reasons are too")
    parser.add_argument("--gate", type=Path, help="run the library's ingest, waiting after each batch")
    args = parser.parse_args()

    def say(**event: object) -> None:
        sys.stdout.write(json.dumps(event, default=str) + "\n")
        sys.stdout.flush()

    def progress(phase: str, done: int, total: int) -> None:
        say(event="progress", done=done, total=total)

    say(event="start")
    if args.gate is not None:
        from fitbalance.run import ingest

        summary = ingest(
            args.paths,
            args.db,
            workers=args.workers,
            batch_size=args.batch_size,
            lock_wait_s=args.lock_wait,
            as_of=datetime.fromisoformat(args.as_of),
            progress=progress,
            on_batch=gate(args.gate),
        ).as_dict()
    else:
        from fitbalance_pipelines.ingest import ingest_flow, progress_to

        with progress_to(progress):
            summary = ingest_flow(
                paths=args.paths,
                db=args.db,
                workers=args.workers,
                batch_size=args.batch_size,
                lock_wait_s=args.lock_wait,
                as_of=args.as_of,
            )
    say(event="summary", **summary)


if __name__ == "__main__":
    main()
