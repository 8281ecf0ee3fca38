"""A new user's first import, CLI to CLI: a cold ``fitbalance ingest`` of real-derived FIT files against a plain
single-process fitdecode loop over the same files, in the same run (issue 24).

    python bench/bench_cold.py [--files 600] [--source ../shared/corpus] [--rounds 1] [--no-server-too] [--note TEXT]

1. ``--files`` real-derived activity files (:mod:`fitcorpus`: the real activity files under ``--source``, copies
   moved in time, CRCs made right), made once under ``--work``.
2. The local Prefect server is started by a first command (an ingest of an empty folder), its warm process waited
   for, and one ingest of two files run into a throwaway database: what an everyday user's machine has running.
3. ``--rounds`` times, in turns: the plain loop (a Python process that imports fitdecode and reads every frame of every
   file, nothing else) and a cold ``fitbalance ingest <folder> --db <fresh>`` (default workers: one per core), each
   timed from process start to exit. With ``--no-server-too`` also the same ingest with ``--no-server`` (Prefect's
   embedded API in the command), and with the columnar FIT path switched off (``FITBALANCE_FIT_COLUMNAR=0``): the
   reader alone, in the same run.
4. Decode per core, in this process: CPU seconds of ``decode_fit`` over the same files with the columnar path, and
   with the message-by-message reader; the plain loop's own CPU seconds (its rusage) give fitdecode's figure.

The ratio of a cold ingest to the plain loop of the same round is the figure (goal >= 6x, aim 10x): the machine may
be shared, so absolute seconds say little and ratios of neighbours a lot. A section per run is appended to
bench/RESULTS.md with the conditions (load average before and after, cores).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path

import psutil

from fitcorpus import PLAIN_LOOP, real_derived

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
FITBALANCE = str(BIN / "fitbalance")
ANCHORS = "fitdecode 0.69 MB/s, garmin-fit-sdk 1.52, FastFitReader 2.23, pyfitparsernative 5.35, fitfast 13.9"


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds from the start of ``command`` to its exit, the CPU seconds of it and its children, its output;
    it must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, cpu, done.stdout


def tree_cpu(pid: int) -> float:
    """CPU seconds of process ``pid`` and its descendants so far, each with its finished children's."""
    try:
        root = psutil.Process(pid)
        family = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0.0
    total = 0.0
    for process in family:
        try:
            total += sum(process.cpu_times()[:4])  # user, system, children's user, children's system
        except psutil.Error:  # ended meanwhile: its time is in its parent's children's times
            continue
    return total


def wait_for_warm(data: Path, timeout_s: float = 600) -> None:
    from fitbalance_pipelines import warm

    deadline = time.monotonic() + timeout_s
    while warm._ask(data / "prefect", {"op": "hello"}) is None:
        if time.monotonic() > deadline:
            raise SystemExit("the warm process of the local server did not come up")
        time.sleep(0.5)


def decode_cpu(files: list[Path], columnar: bool) -> tuple[float, int]:
    """CPU seconds of ``decode_fit`` over every file (this process), and how many files took the columnar path."""
    from fitbalance.errors import InputError
    from fitbalance.sources import fit, fitcolumns

    fit.COLUMNAR = columnar
    blobs = [p.read_bytes() for p in files]
    before = fitcolumns.fallback_counts().get("columnar", 0)
    start = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i, blob in enumerate(blobs):
            with contextlib.suppress(InputError):
                fit.decode_fit(blob, str(files[i]))
    cpu = time.process_time() - start
    fit.COLUMNAR = True
    return cpu, fitcolumns.fallback_counts().get("columnar", 0) - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=600)
    parser.add_argument("--source", type=Path, default=None, help="real FIT files (default: the shared corpus)")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--no-server-too", action="store_true", help="also --no-server and columnar-off ingests")
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "out" / "cold")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "RESULTS.md")
    parser.add_argument("--note", default="")
    args = parser.parse_args()
    source = args.source or Path(os.environ.get("FITBALANCE_TEST_CORPUS") or ROOT.parent / "shared" / "corpus")
    if not source.is_dir():
        raise SystemExit(f"no real FIT files at {source}: give --source")

    load_before = os.getloadavg()
    files = real_derived(source, args.work / f"real-{args.files}", args.files)
    folder = str(files[0].parent)
    mb = sum(p.stat().st_size for p in files) / 1e6
    run = args.work / "run"
    shutil.rmtree(run, ignore_errors=True)
    (run / "empty").mkdir(parents=True)
    (run / "two").mkdir()
    for path in files[:2]:
        shutil.copy(path, run / "two" / path.name)
    from fitbalance_pipelines.warm import COMMAND_ENV

    env = {k: v for k, v in os.environ.items() if k not in {"PREFECT_API_URL", "FITBALANCE_NO_SERVER"}}
    env |= {"FITBALANCE_DATA_DIR": str(run / "data"), "PREFECT_HOME": str(run / "prefect-home"), "NO_COLOR": "1"}
    env = COMMAND_ENV | env
    python = str(BIN / "python")
    print(f"{len(files)} files, {mb:.1f} MB in {folder}; load average {load_before[0]:.1f}", flush=True)

    rows: list[tuple[str, float, float, float]] = []  # (what, wall s, CPU s: the command's own, the server's)

    def measure(what: str, command: list[str], with_env: dict[str, str]) -> float:
        server = run / "data" / "prefect" / "server.json"
        pid = int(json.loads(server.read_text())["pid"]) if server.exists() else 0
        before = tree_cpu(pid) if pid else 0.0
        wall, cpu, _ = timed(command, with_env)
        served = tree_cpu(pid) - before if pid else 0.0
        rows.append((what, wall, cpu, served))
        print(f"{what:58s} {wall:7.1f} s  (CPU: own {cpu:6.1f} s, local server {served:6.1f} s)", flush=True)
        return wall

    measure(
        "first command: starts the local server",
        [FITBALANCE, "ingest", str(run / "empty"), "--db", str(run / "first.duckdb")],
        env,
    )
    wait_for_warm(run / "data")
    measure(
        "warm-up: ingest of 2 files", [FITBALANCE, "ingest", str(run / "two"), "--db", str(run / "warm.duckdb")], env
    )
    ratios: list[float] = []
    others: dict[str, list[float]] = {"--no-server": [], "--no-server, columnar off": []}
    for r in range(args.rounds):
        plain = measure(f"round {r + 1}: plain fitdecode loop, one process", [python, "-c", PLAIN_LOOP, folder], env)
        cold = measure(
            f"round {r + 1}: cold ingest (local server warm)",
            [FITBALANCE, "ingest", folder, "--db", str(run / f"cold-{r}.duckdb")],
            env,
        )
        ratios.append(plain / cold)
        if args.no_server_too:
            alone = env | {"FITBALANCE_NO_SERVER": "1"}
            s = measure(
                f"round {r + 1}: cold ingest --no-server",
                [FITBALANCE, "ingest", folder, "--db", str(run / f"alone-{r}.duckdb"), "--no-server"],
                alone,
            )
            others["--no-server"].append(plain / s)
            s = measure(
                f"round {r + 1}: cold ingest --no-server, columnar off",
                [FITBALANCE, "ingest", folder, "--db", str(run / f"off-{r}.duckdb"), "--no-server"],
                alone | {"FITBALANCE_FIT_COLUMNAR": "0"},
            )
            others["--no-server, columnar off"].append(plain / s)
    plain_cpu = statistics.median(cpu for what, _, cpu, _ in rows if "plain" in what)
    summary = json.loads(
        subprocess.run(
            [python, "-c", SUMMARY, str(run / "cold-0.duckdb")], env=env, capture_output=True, text=True, check=True
        ).stdout
    )
    columnar_cpu, columnar_files = decode_cpu(files, columnar=True)
    reader_cpu, _ = decode_cpu(files, columnar=False)
    with contextlib.suppress(subprocess.SubprocessError, OSError):
        subprocess.run([FITBALANCE, "server", "stop"], env=env, capture_output=True, timeout=300, check=False)
    load_after = os.getloadavg()
    speeds = {"fitdecode (plain loop)": mb / plain_cpu, "decode_fit, reader": mb / reader_cpu}
    speeds["decode_fit, columnar"] = mb / columnar_cpu
    lines = [
        f"\n## Cold ingest CLI to CLI, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC (bench/bench_cold.py)\n\n",
        f"{platform.machine()}, {os.cpu_count()} cores, {psutil.virtual_memory().total / 1024**3:.0f} GiB; load "
        f"average (1/5/15 min) {'/'.join(f'{x:.1f}' for x in load_before)} before, "
        f"{'/'.join(f'{x:.1f}' for x in load_after)} after (the machine shared with other developers' test runs); "
        f"{len(files)} real-derived files, {mb:.1f} MB; {columnar_files} of them decoded as columns; loaded "
        f"{summary}."
        + (f" {args.note}" if args.note else "")
        + "\n\n| command (process start to exit) | wall s | CPU s: the command's own | CPU s: the local server's "
        "processes meanwhile |\n|---|---|---|---|\n",
        *[f"| {what} | {wall:.1f} | {cpu:.1f} | {served:.1f} |\n" for what, wall, cpu, served in rows],
        "\n| figure | measured | goal |\n|---|---|---|\n",
        f"| cold ingest (local server warm) / plain loop, same round | "
        f"**{' '.join(f'{x:.2f}x' for x in ratios)}** | >= 6x (aim 10x) |\n",
        *[
            f"| cold ingest {what} / plain loop, same round | {' '.join(f'{x:.2f}x' for x in values)} | |\n"
            for what, values in others.items()
            if values
        ],
        *[f"| decode MB/s per core: {what} | {value:.2f} | |\n" for what, value in speeds.items()],
        f"\nAnchors (issue 24, MB/s per core): {ANCHORS}. The ingest's CPU is spent in the local server's warm "
        "process and its decoder workers, not in the command. The last column is what the local server's process tree "
        "reports from before the command to its exit: it misses the decoder workers' time (not yet in any counter "
        "when the command exits), so it is no measure of the ingest's work; the command's own CPU column shows the "
        "plain loop's work and a command's start-up (and, with --no-server, what of its workers it waited for).\n",
    ]
    with args.results.open("a") as out:
        out.writelines(lines)
    print("".join(lines))


SUMMARY = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
counts = {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in ("activities", "samples", "quarantine")}
import json; print(json.dumps(", ".join(f"{n:,} {t}" for t, n in counts.items())))
"""


if __name__ == "__main__":
    main()
