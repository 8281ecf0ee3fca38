"""Ingest throughput of the whole Prefect flow against a plain single-process fitdecode loop, in the same run.

    PYTHONPATH=sample_data python bench/bench_ingest.py [--files 500] [--workers 2] [--out bench/out]

1. Generates (once, cached under --out) a corpus of activity files with the project's generator.
2. Baseline: a plain loop of ``fitdecode.FitReader`` over every file, one process, nothing else done.
3. The flow: ``ingest_flow`` into a fresh DuckDB file (decode, normalize, classify, validate, load, views), after a
   warm-up flow run so the embedded Prefect server's start-up (10-20 s, once per process) is not counted.
4. A re-run over the unchanged corpus (every file already loaded).

Targets (issue 2): flow >= 1.5x the plain loop on 2 cores; re-run < 10 % of the first run. The figures are added
to the first table of bench/RESULTS.md with the date and machine (``make bench-flow``; ``make bench`` is the cold
ingest CLI to CLI of bench/bench_cold.py).
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import fitdecode
import psutil

ROOT = Path(__file__).resolve().parents[1]

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


def corpus(out: Path, n_files: int) -> list[Path]:
    from synth import generate_corpus

    folder = out / f"corpus-{n_files}"
    existing = sorted(folder.glob("**/*.fit"))
    if len(existing) == n_files:
        return existing
    folder.mkdir(parents=True, exist_ok=True)
    return sorted(generate_corpus(folder, n_files, seed=1))


def cpu_seconds() -> float:
    """CPU time of this process and of every descendant, each with its finished children.

    The flow's worker processes are children of multiprocessing's fork server and the embedded Prefect API server
    is a live child of this process: both are counted.
    """
    me = psutil.Process()
    total = 0.0
    for process in [me, *me.children(recursive=True)]:
        try:
            total += sum(process.cpu_times()[:4])  # user, system, children's user, children's system
        except psutil.Error:  # ended meanwhile: its time is in its parent's children's times
            continue
    return total


def plain_loop(files: list[Path]) -> tuple[float, int]:
    """Seconds and data messages for a bare fitdecode pass over every file."""
    start = time.perf_counter()
    messages = 0
    for path in files:
        with fitdecode.FitReader(str(path)) as reader:
            for frame in reader:
                if isinstance(frame, fitdecode.FitDataMessage):
                    messages += 1
    return time.perf_counter() - start, messages


def run_flow(paths: list[str], db: Path, workers: int) -> tuple[float, dict[str, object]]:
    from fitbalance_pipelines.ingest import ingest_flow

    start = time.perf_counter()
    summary = ingest_flow(paths=paths, db=str(db), workers=workers)
    return time.perf_counter() - start, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "RESULTS.md")
    parser.add_argument("--note", default="", help="what changed since the last row (the table's last column)")
    args = parser.parse_args()

    files = corpus(args.out, args.files)
    print(f"corpus: {len(files)} files under {args.out}")
    cpu0 = cpu_seconds()
    base_s, messages = plain_loop(files)
    base_cpu = cpu_seconds() - cpu0
    print(f"plain fitdecode loop: {base_s:.1f} s, {messages} messages, {messages / base_s:,.0f} msg/s")

    with tempfile.TemporaryDirectory() as tmp:
        warm = Path(tmp) / "warm.duckdb"
        run_flow([str(files[0])], warm, 1)  # starts the embedded Prefect server; not timed
        db = Path(tmp) / "bench.duckdb"
        cpu0 = cpu_seconds()
        flow_s, summary = run_flow([str(args.out / f"corpus-{args.files}")], db, args.workers)
        flow_cpu = cpu_seconds() - cpu0
        rerun_s, again = run_flow([str(args.out / f"corpus-{args.files}")], db, args.workers)
    speedup = base_s / flow_s
    rerun_share = rerun_s / flow_s
    print(
        f"flow, first run: {flow_s:.1f} s ({speedup:.2f}x the plain loop); loaded {summary['loaded']} files, "
        f"{summary['activities_added']} activities, {summary['samples_added']} samples"
    )
    print(
        f"flow, re-run unchanged: {rerun_s:.1f} s ({rerun_share:.1%} of the first run); "
        f"already loaded {again['already_loaded']}"
    )

    load = os.getloadavg()[0]
    print(
        f"CPU seconds: plain {base_cpu:.1f}, flow {flow_cpu:.1f} (flow does {flow_cpu / base_cpu:.2f}x the plain "
        f"loop's work; on {args.workers} idle cores that bounds the speed-up at "
        f"{args.workers * base_cpu / flow_cpu:.2f}x); load average {load:.1f}"
    )
    line = (
        f"| {datetime.now(UTC):%Y-%m-%d} | {platform.machine()} {os.cpu_count()} cores | {len(files)} | "
        f"{messages} | {base_s:.1f} | {flow_s:.1f} | **{speedup:.2f}x** (target >= 1.5x) | {rerun_s:.1f} | "
        f"**{rerun_share:.1%}** (target < 10 %) | {args.workers} | {base_cpu:.1f} | {flow_cpu:.1f} | {load:.1f} | "
        f"{args.note} |\n"
    )
    if not args.results.exists():
        args.results.write_text(
            "# Ingest benchmark (bench/bench_ingest.py)\n\n"
            "Plain loop = fitdecode over every file, one process, no other work. Flow = the whole Prefect ingest flow "
            "(decode, normalize, classify, validate, load into DuckDB, refresh views) after a warm-up run that starts "
            "the embedded Prefect server. Both measured in the same run on the same files.\n\n"
            "| date | machine | files | FIT messages | plain loop s | flow s | flow vs plain | re-run s | "
            "re-run / first | workers | plain CPU s | flow CPU s (incl. workers) | load avg | code |\n"
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
        )
    text = args.results.read_text().splitlines(keepends=True)
    last_row = max(i for i, row in enumerate(text) if row.startswith("| 20"))  # this table's rows come first
    args.results.write_text("".join([*text[: last_row + 1], line, *text[last_row + 1 :]]))
    print(f"added to {args.results}")


if __name__ == "__main__":
    main()
