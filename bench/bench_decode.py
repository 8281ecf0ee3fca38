"""FIT decode speed per core: the columnar path against fitdecode and the message-by-message reader, same run.

    python bench/bench_decode.py [--folder DIR ...] [--rounds 3] [--results bench/RESULTS-decode.md]

Default files: every FIT file of ``sample_data/`` and, when present, of the real-world corpus (``../shared/corpus``
beside the checkout, or ``FITBALANCE_TEST_CORPUS``). Each way is timed over all files in turn, the ways interleaved,
``--rounds`` times; the best round of each counts. Time is this process's CPU time (every thread), so the figures are
MB per CPU second, "per core", and the ratios hold on a machine busy with other work: measure ratios in one run.

Ways: ``fitdecode`` (stock ``FitReader`` over the bytes, every frame; the issue's 0.69 MB/s anchor), ``reader``
(``decode_fit`` message by message: FastFitReader + normalisation to frames), ``columnar`` (``decode_fit`` with
records as columns: ``fitbalance.sources.fitcolumns``; files it does not reproduce fall back to the reader),
``split`` (``fitcolumns.split`` alone: records to columns, the rest left as bytes).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import platform
import time
import warnings
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import fitdecode

from fitbalance.errors import InputError
from fitbalance.sources import fit, fitcolumns

ROOT = Path(__file__).resolve().parents[1]


def _fitdecode(data: bytes) -> None:
    with warnings.catch_warnings(), contextlib.suppress(fitdecode.FitError):
        warnings.simplefilter("ignore")
        with fitdecode.FitReader(io.BytesIO(data)) as reader:
            for _ in reader:
                pass


def _decode(columnar: bool) -> Callable[[bytes], None]:
    def run(data: bytes) -> None:
        fit.COLUMNAR = columnar
        with contextlib.suppress(InputError):
            fit.decode_fit(data, "bench.fit")

    return run


def _split(data: bytes) -> None:
    fitcolumns.split(data)


WAYS: dict[str, Callable[[bytes], None]] = {
    "fitdecode": _fitdecode,
    "reader": _decode(False),
    "columnar": _decode(True),
    "split": _split,
}


def default_folders() -> list[Path]:
    folders = [ROOT / "sample_data"]
    corpus = Path(os.environ.get("FITBALANCE_TEST_CORPUS") or ROOT.parent / "shared" / "corpus") / "fit"
    if corpus.is_dir():
        folders.append(corpus)
    return folders


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folder", type=Path, action="append", help="FIT files under it (repeatable)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "RESULTS-decode.md")
    parser.add_argument("--note", default="")
    args = parser.parse_args()
    folders = args.folder or default_folders()
    blobs = [p.read_bytes() for f in folders for p in sorted(f.rglob("*")) if p.suffix.lower() == ".fit"]
    mb = sum(map(len, blobs)) / 1e6
    columnar = sum(isinstance(fitcolumns.split(b), fitcolumns.Columns) for b in blobs)
    best = {name: float("inf") for name in WAYS}
    for _ in range(args.rounds):
        for name, way in WAYS.items():
            start = time.process_time()
            for blob in blobs:
                way(blob)
            best[name] = min(best[name], time.process_time() - start)
    speed = {name: mb / seconds for name, seconds in best.items()}
    base = speed["fitdecode"]
    for name in WAYS:
        print(f"{name:10s} {best[name]:7.2f} CPU s  {speed[name]:7.2f} MB/s per core  {speed[name] / base:5.2f}x")
    load = os.getloadavg()[0]
    row = (
        f"| {datetime.now(UTC):%Y-%m-%d} | {platform.machine()} {os.cpu_count()} cores | {len(blobs)} | {mb:.1f} | "
        f"{columnar} | {speed['fitdecode']:.2f} | {speed['reader']:.2f} ({speed['reader'] / base:.1f}x) | "
        f"{speed['columnar']:.2f} (**{speed['columnar'] / base:.1f}x**) | {speed['split']:.2f} "
        f"({speed['split'] / base:.1f}x) | {load:.1f} | {args.note} |\n"
    )
    if not args.results.exists():
        args.results.write_text(
            "# FIT decode benchmark (bench/bench_decode.py)\n\n"
            "MB of FIT per CPU second of this process, every way over the same files in the same run (ways "
            "interleaved, best of the rounds); ratios against stock fitdecode in that run. Anchors (issue 24): "
            "fitdecode 0.69 MB/s, garmin-fit-sdk 1.52, FastFitReader 2.23, pyfitparsernative 5.35, fitfast 13.9.\n\n"
            "| date | machine | files | MB | columnar files | fitdecode MB/s | reader (decode_fit) | columnar "
            "(decode_fit) | split only (records to columns) | load avg | note |\n"
            "|---|---|---|---|---|---|---|---|---|---|---|\n"
        )
    with args.results.open("a") as fh:
        fh.write(row)
    print(row, end="")


if __name__ == "__main__":
    main()
