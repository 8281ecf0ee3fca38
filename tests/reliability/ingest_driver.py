"""Run the real Prefect ingest flow in this process and report progress on stdout, one JSON object per line.

    python -m tests.reliability.ingest_driver DB PATH... [--batch-size N] [--workers N] [--lock-wait S]

Used by the crash and concurrency tests, which start it as a subprocess (pointed at the test session's Prefect
API with PREFECT_API_URL) and kill it with SIGKILL at chosen moments.
"""

from __future__ import annotations

import argparse
import json
import sys


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--batch-size", type=int, default=2)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--lock-wait", type=float, default=600.0)
    parser.add_argument("--as-of", default="2026-01-01T00:00:00", help="naive UTC; fixed, so reasons are too")
    args = parser.parse_args()

    def say(**event: object) -> None:
        sys.stdout.write(json.dumps(event, default=str) + "\n")
        sys.stdout.flush()

    from fitbalance.pipelines.ingest import ingest_flow, progress_to

    say(event="start")
    with progress_to(lambda phase, done, total: say(event="progress", done=done, total=total)):
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
