"""The nothing-new run over the sample data, this checkout against another commit's code, in the same run.

    git archive <commit> src | tar -x -C <folder>
    python bench/bench_nothing_new.py --before <folder>/src [--repeat 20] [--cli] [--work bench/out/nothing-new]

Both databases are loaded once with ``sample_data`` (each by its own code); then the nothing-new ingest of
``sample_data`` runs ``--repeat`` times for each, in turns (the first of a pair alternates), each a whole process
from start to exit: a Python process that does ``from fitbalance import ingest`` and ingests (it also prints the
time ``ingest()`` took inside it), or with ``--cli`` the command ``fitbalance ingest --no-server`` (Prefect's
embedded API started in each). The machine's load drifts; the paired ratios (after / before, same pair) are the
figures to read. Prints a Markdown table for bench/RESULTS-everyday.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"
SETTINGS = SAMPLE / "fitbalance.toml"
LIBRARY = """
import sys, time
from pathlib import Path
from fitbalance import ingest, load_settings
settings = load_settings(Path(sys.argv[2]))
started = time.perf_counter()
summary = ingest([sys.argv[3]], sys.argv[1], settings=settings)
print(time.perf_counter() - started, summary.loaded)
"""


def run(code: str, db: Path, cli: bool) -> tuple[float, float | None]:
    """One whole command over ``db`` with the code under ``code``: (seconds, seconds inside ``ingest()``)."""
    env = {k: v for k, v in os.environ.items() if k != "FITBALANCE_SETTINGS"}
    env["PYTHONPATH"] = code
    if cli:
        command = [sys.executable, "-m", "fitbalance", "ingest", str(SAMPLE), "--db", str(db)]
        command += ["--settings", str(SETTINGS), "--no-server"]
    else:
        command = [sys.executable, "-c", LIBRARY, str(db), str(SETTINGS), str(SAMPLE)]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True, cwd=db.parent)
    seconds = time.perf_counter() - started
    return seconds, None if cli else float(done.stdout.split()[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True, help="another commit's src folder")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--cli", action="store_true", help="time `fitbalance ingest --no-server`")
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "out" / "nothing-new")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    codes = {"before": str(args.before.resolve()), "after": str(ROOT / "src")}
    dbs = {name: args.work / f"{name}.duckdb" for name in codes}
    for name, code in codes.items():
        for stale in args.work.glob(f"{name}.duckdb*"):
            stale.unlink()
        run(code, dbs[name], cli=False)  # the first load
    wall: dict[str, list[float]] = {name: [] for name in codes}
    inner: dict[str, list[float]] = {name: [] for name in codes}
    load_before = os.getloadavg()[0]
    for turn in range(args.repeat):
        for name in list(codes) if turn % 2 == 0 else list(codes)[::-1]:
            seconds, inside = run(codes[name], dbs[name], args.cli)
            wall[name].append(seconds)
            if inside is not None:
                inner[name].append(inside)
    what = "fitbalance ingest --no-server" if args.cli else "python: from fitbalance import ingest"
    print(f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after; {args.repeat} pairs in turns\n")
    print("| measured | before median (s) | after median (s) | after / before, median of pairs | after faster |")
    print("|---|---|---|---|---|")
    for label, figures in ((f"{what}, whole command", wall), ("inside ingest()", inner)):
        if not figures["before"]:
            continue
        ratios = [a / b for b, a in zip(figures["before"], figures["after"], strict=True)]
        faster = sum(a < b for b, a in zip(figures["before"], figures["after"], strict=True))
        print(
            f"| {label} | {statistics.median(figures['before']):.2f} | {statistics.median(figures['after']):.2f} "
            f"| {statistics.median(ratios):.2f} | {faster}/{len(ratios)} |"
        )


if __name__ == "__main__":
    main()
