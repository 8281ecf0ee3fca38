"""Scale-out benchmark: the ingest flow on 1 and 2 Dask workers, scheduled-style runs, peak memory by corpus size.

    PYTHONPATH=sample_data python bench/bench_scale.py
        [--corpus DIR] [--files 2000] [--big 5000] [--work DIR] [--out bench/RESULTS-scale.md]

``--corpus`` is a folder of at least ``--big`` + 10 activity FIT files (sorted by path, the first ones are used);
without it the project's generator (:mod:`synth`) writes one under ``--work``. Every measurement runs in
a fresh Python process (so that peak memory is that run's own), against one Prefect server started for the whole
benchmark (so no measurement pays for an embedded server's start-up). Steps:

1. ``fitdecode``: the plain single-process loop (``FitReader`` over every frame of ``--files`` files), nothing else.
2. ``dask-1`` / ``dask-2``: ``ingest_on_dask`` on a LocalCluster of 1 / 2 single-threaded worker processes, started
   and warmed up (modules imported) before the clock starts, into a fresh database. Scaling efficiency is the
   ratio of their throughputs (target >= 1.7).
3. ``local-1`` / ``local-2``: the default flow (process pool on this machine) with 1 / 2 workers, for reference.
4. ``full-<big>``: the default flow with 2 workers over ``--big`` files into a fresh database: time and peak memory.
   ``full-500``: the same over 500 files (peak memory must stay flat as the corpus grows).
5. ``scheduled``: the scheduled run (:func:`fitbalance_pipelines.serve.inbox_flow`) over an inbox of the ``--big``
   files already loaded by step 4 plus 10 new ones; then ``scheduled-idle``: the next run, with nothing new.

Peak memory is sampled every 0.2 s with psutil: the flow process, and each of its descendant processes (pool or
Dask workers; the Prefect server is not a descendant). CPU seconds per process group say where the time went.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("DO_NOT_TRACK", "1")

MB = 1024 * 1024
SERVER_PID_VAR = "FITBALANCE_BENCH_SERVER_PID"  # the Prefect server's pid, for its CPU time during a step
NEW_FILES = 10
CORPUS_START = date(2019, 1, 7)  # two activities a day: 5,010 files end in 2025, none in the future (quarantined)


# ---------------------------------------------------------------- measuring one step (in its own process)


class Sampler:
    """Peak RSS of this process and of each descendant, and the last CPU times seen of each, every ``every_s``."""

    def __init__(self, every_s: float = 0.2) -> None:
        self.every_s = every_s
        self.me = psutil.Process()
        self.peak_flow = 0
        self.peak_child: dict[int, int] = {}
        self.cpu_child: dict[int, float] = {}
        self.cpu_child_start: dict[int, float] = {}  # workers started before the clock: only what they do after
        self.peak_total = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        total = self.me.memory_info().rss
        self.peak_flow = max(self.peak_flow, total)
        for child in self.me.children(recursive=True):
            try:
                rss = child.memory_info().rss
                times = child.cpu_times()
            except psutil.Error:
                continue
            total += rss
            self.peak_child[child.pid] = max(self.peak_child.get(child.pid, 0), rss)
            self.cpu_child[child.pid] = times.user + times.system
        self.peak_total = max(self.peak_total, total)

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            self._sample()

    def _server_cpu(self) -> float:
        """CPU seconds so far of the Prefect API server the bench started (0 when there is none)."""
        pid = os.environ.get(SERVER_PID_VAR)
        if not pid:
            return 0.0
        try:
            server = psutil.Process(int(pid))
            return sum(sum(p.cpu_times()[:2]) for p in [server, *server.children(recursive=True)])
        except psutil.Error:
            return 0.0

    def __enter__(self) -> Sampler:
        self.cpu_flow_start = sum(self.me.cpu_times()[:2])
        self.cpu_server_start = self._server_cpu()
        for child in self.me.children(recursive=True):
            try:
                times = child.cpu_times()
            except psutil.Error:
                continue
            self.cpu_child_start[child.pid] = times.user + times.system
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._sample()
        self._stop.set()
        self._thread.join()
        self.cpu_flow = sum(self.me.cpu_times()[:2]) - self.cpu_flow_start
        self.cpu_server = self._server_cpu() - self.cpu_server_start

    def figures(self) -> dict[str, float]:
        return {
            "rss_flow_mb": self.peak_flow / MB,
            "rss_worker_max_mb": max(self.peak_child.values(), default=0) / MB,
            "rss_total_mb": self.peak_total / MB,
            "cpu_flow_s": self.cpu_flow,
            "cpu_children_s": sum(t - self.cpu_child_start.get(pid, 0.0) for pid, t in self.cpu_child.items()),
            "cpu_server_s": self.cpu_server,
        }


def _fitdecode_loop(folder: Path) -> dict[str, Any]:
    import fitdecode

    messages = 0
    for path in sorted(folder.glob("*.fit")):
        with fitdecode.FitReader(str(path)) as reader:
            for frame in reader:
                if isinstance(frame, fitdecode.FitDataMessage):
                    messages += 1
    return {"messages": messages}


def _warm_worker() -> int:
    import fitbalance_pipelines.ingest  # noqa: F401  (what a task needs: prefect, polars, pandera, fitdecode)

    return os.getpid()


@contextmanager
def _warm_cluster(workers: int) -> Iterator[str]:
    from distributed import Client, LocalCluster

    with (
        LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster,
        Client(cluster, set_as_default=False) as client,
    ):
        client.run(_warm_worker)
        yield cluster.scheduler_address


def _step(step: str, folder: Path, db: Path, workers: int, staging: Path, stack: ExitStack) -> Callable[[], Any]:
    """What the step runs, with anything it needs started (not timed) on ``stack``."""
    if step == "fitdecode":
        return lambda: _fitdecode_loop(folder)
    if step.startswith("columnar-"):  # the library's ingest, columnar FIT path on or off (set in the environment)
        from fitbalance import ingest

        return lambda: ingest([str(folder)], str(db), workers=workers).as_dict()
    if step.startswith("dask"):
        from fitbalance_pipelines.scale import ingest_on_dask

        address = stack.enter_context(_warm_cluster(workers))
        return lambda: ingest_on_dask([str(folder)], str(db), address=address, workers=workers, staging=str(staging))
    if step.startswith("scheduled"):
        from fitbalance_pipelines.serve import inbox_flow

        return lambda: inbox_flow(inbox=str(folder), db=str(db), workers=workers)
    from fitbalance_pipelines.ingest import ingest_flow

    return lambda: ingest_flow(paths=[str(folder)], db=str(db), workers=workers)


def measure(step: str, folder: Path, db: Path, workers: int, staging: Path) -> dict[str, Any]:
    """Run one step in this process and return its figures."""
    with ExitStack() as stack:
        started = time.perf_counter()
        run = _step(step, folder, db, workers, staging, stack)
        setup_s = time.perf_counter() - started
        load = os.getloadavg()[0]
        with Sampler() as sampler:
            started = time.perf_counter()
            result = run()
            wall = time.perf_counter() - started
    files = len(list(folder.glob("*.fit")))
    summary = {k: result[k] for k in ("loaded", "already_loaded", "quarantined", "activities_added") if k in result}
    return {
        "step": step,
        "files": files,
        "workers": workers,
        "setup_s": setup_s,
        "wall_s": wall,
        "files_per_s": files / wall,
        "load_before": load,
        "load_after": os.getloadavg()[0],
        **sampler.figures(),
        "summary": summary,
    }


# ---------------------------------------------------------------- the whole benchmark


def _link_first(source: list[Path], n: int, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for path in source[:n]:
        target = folder / path.name
        if not target.exists():
            try:
                os.link(path, target)
            except OSError:
                target.write_bytes(path.read_bytes())
    return folder


def corpus_files(corpus: Path | None, work: Path, needed: int) -> list[Path]:
    if corpus is None:
        from synth import generate_corpus

        corpus = work / "corpus"
        if len(list(corpus.glob("*.fit"))) < needed:
            print(f"generating {needed} activity files into {corpus} ...", flush=True)
            generate_corpus(corpus, needed, seed=7, start=CORPUS_START)
    files = sorted(corpus.rglob("*.fit"))
    if len(files) < needed:
        raise SystemExit(f"{corpus} holds {len(files)} FIT files; the benchmark needs {needed}")
    return files


def run_step(
    step: str, folder: Path, db: Path, workers: int, work: Path, env: dict[str, str], round_: int = 0
) -> dict[str, Any]:
    print(f"{datetime.now():%H:%M:%S} {step}: {folder.name}, {workers} worker(s) ...", flush=True)
    args = {"step": step, "folder": str(folder), "db": str(db), "workers": workers, "staging": str(work / "staging")}
    done = subprocess.run(
        [sys.executable, __file__, "--measure", json.dumps(args)],
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    figures: dict[str, Any] = {**json.loads(done.stdout.strip().splitlines()[-1]), "round": round_}
    print(f"    {figures['wall_s']:.1f} s, {figures['files_per_s']:.1f} files/s, {figures['summary']}", flush=True)
    with (work / "results.jsonl").open("a") as out:
        out.write(json.dumps(figures) + "\n")
    return figures


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    with open("/proc/cpuinfo") as fh:
        names = {line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")}
    if names:
        cpu = ", ".join(sorted(names))
    ram = psutil.virtual_memory().total / 1024**3
    return f"{os.cpu_count()} cores ({cpu}), {ram:.0f} GB RAM, {platform.system()} {platform.release()}"


def versions() -> str:
    from importlib.metadata import version

    names = ["prefect", "prefect-dask", "distributed", "fitdecode", "polars", "duckdb", "pandera"]
    return ", ".join(f"{n} {version(n)}" for n in names) + f", Python {platform.python_version()}"


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    ordered = sorted(runs, key=lambda f: float(f["files_per_s"]))
    return ordered[(len(ordered) - 1) // 2]


def pair_rounds(results: list[dict[str, Any]]) -> list[float]:
    """Dask 1 -> 2 worker throughput ratio of each round (a dask-1 run followed by a dask-2 run)."""
    ones = {f.get("round", 0): f for f in results if f["step"] == "dask-1"}
    twos = {f.get("round", 0): f for f in results if f["step"] == "dask-2"}
    return [twos[n]["files_per_s"] / ones[n]["files_per_s"] for n in sorted(ones) if n in twos]


def by_step(results: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """One result per step: the median-throughput run of a repeated step, else the last."""
    steps: dict[str, list[dict[str, Any]]] = {}
    for f in results:
        steps.setdefault(f["step"], []).append(f)
    return {step: _median_run(runs) for step, runs in steps.items()}


def report(results: list[dict[str, Any]], big: int, machine_line: str, when: str) -> str:
    r = by_step(results)
    rounds = pair_rounds(results)

    def server(f: dict[str, Any]) -> float:
        return float(f.get("cpu_server_s", 0.0))

    def cpu(f: dict[str, Any]) -> float:
        return float(f["cpu_flow_s"] + f["cpu_children_s"]) + server(f)

    def row(step: str, label: str) -> str:
        f = r[step]
        share = cpu(f) / f["wall_s"]
        return (
            f"| {label} | {f['files']} | {f['wall_s']:.0f} | {f['files_per_s']:.1f} | {f['cpu_flow_s']:.0f} | "
            f"{f['cpu_children_s']:.0f} | {server(f):.0f} | {f['files'] / cpu(f):.1f} | {share:.2f} | "
            f"{f['load_before']:.1f} |"
        )

    def cores(f: dict[str, Any]) -> float:
        return cpu(f) / float(f["wall_s"])

    def ms(f: dict[str, Any]) -> float:
        return 1000 * cpu(f) / f["files"]

    def ms_flow(f: dict[str, Any]) -> float:
        return 1000 * float(f["cpu_flow_s"]) / f["files"]

    def ms_worker(f: dict[str, Any]) -> float:
        return 1000 * float(f["cpu_children_s"]) / f["files"]

    base = r["fitdecode"]
    d1, d2, l1, l2 = r["dask-1"], r["dask-2"], r["local-1"], r["local-2"]
    efficiency = sorted(rounds)[(len(rounds) - 1) // 2] if rounds else d2["files_per_s"] / d1["files_per_s"]
    full, sched, idle = r[f"full-{big}"], r["scheduled"], r["scheduled-idle"]
    lines = [
        "# Scale-out benchmark (`bench/bench_scale.py`)",
        "",
        f"- Date: {when}",
        f"- Machine: {machine_line}",
        f"- Versions: {versions()}",
        "- Corpus: activity FIT files from `synth.generate_corpus` (seed 7, from 2019-01-07, two a day),",
        "  sorted by name, first N used.",
        "- Each step runs in a fresh process against one `prefect server start` on localhost; Dask clusters are",
        "  started and warmed (modules imported on every worker) before the clock starts.",
        "- `load` is the 1-minute load average when the step started (nothing else ran on the machine when it is",
        "  near the step's own core count), `cores used` the CPU seconds of the step's processes and of the Prefect",
        "  server per wall second.",
        "",
        "## Throughput",
        "",
        "| step | files | wall s | files/s | CPU s flow | CPU s workers | CPU s Prefect server | files per CPU s |"
        " cores used | load |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        row("fitdecode", "plain fitdecode loop, 1 process"),
        row("dask-1", "flow on Dask, 1 worker"),
        row("dask-2", "flow on Dask, 2 workers"),
        row("local-1", "flow, no pool (1 worker)"),
        row("local-2", "flow, local process pool, 2 workers"),
        "",
        f"- Scaling efficiency on Dask, 1 -> 2 workers (wall-clock throughput, median of {len(rounds)} rounds of a"
        f" 1-worker run then a 2-worker run): **{efficiency:.2f}x** (target >= 1.7x"
        + (f": missed by {1.7 - efficiency:.2f}x)." if efficiency < 1.7 else ": met).")
        + f" Each round: {', '.join(f'{x:.2f}x' for x in rounds)}. The table shows the median run of each.",
        f"  - Cores used (flow, workers and the Prefect server): {cores(d1):.2f} with 1 worker, {cores(d2):.2f}"
        " with 2 (of 2).",
        f"  - CPU per file: {ms(d1):.0f} ms with 1 worker, {ms(d2):.0f} ms with 2; the flow process (loader, Dask"
        f" scheduler and client, Prefect client) takes {ms_flow(d1):.0f} / {ms_flow(d2):.0f} ms of it, the Prefect"
        f" server {1000 * server(d1) / d1['files']:.0f} / {1000 * server(d2) / d2['files']:.0f} ms.",
        f"  - With 1 worker the loader runs beside it on the other core; with 2 workers everything shares 2 cores."
        f" On 2 free cores the best 2-worker speed-up is about 2 x {ms_worker(d1):.0f} / {ms(d2):.0f}"
        f" = {2 * ms_worker(d1) / ms(d2):.2f}x.",
        f"- Local process pool, 1 -> 2 workers: {l2['files_per_s'] / l1['files_per_s']:.2f}x.",
        f"- Flow on 2 Dask workers against the plain fitdecode loop: {d2['files_per_s'] / base['files_per_s']:.2f}x"
        f" (wall clock); the flow costs {(cpu(d2) / d2['files']) / (cpu(base) / base['files']):.1f}x the loop's CPU"
        " per file (decode + normalize + classify + validate + Parquet + load, Prefect task runs).",
        "",
        "## Scheduled-style runs",
        "",
        f"- Full run, {full['files']} files, local pool with 2 workers: {full['wall_s']:.0f} s"
        f" (load {full['load_before']:.1f}).",
        f"- Scheduled run (`inbox_flow`) over {sched['files']} files of which {NEW_FILES} are new:"
        f" {sched['wall_s']:.1f} s = **{100 * sched['wall_s'] / full['wall_s']:.1f} %** of the full run"
        f" ({sched['summary']}).",
        f"- The next scheduled run, nothing new: {idle['wall_s']:.1f} s"
        f" ({100 * idle['wall_s'] / full['wall_s']:.1f} % of the full run).",
        "",
        "## Peak memory (RSS)",
        "",
        "| run | files | flow process MB | largest worker MB | flow + workers MB |",
        "|---|---:|---:|---:|---:|",
    ]
    for step in ("full-500", f"full-{big}", "dask-2"):
        if step in r:
            f = r[step]
            lines.append(
                f"| {step} ({f['workers']} workers) | {f['files']} | {f['rss_flow_mb']:.0f} | "
                f"{f['rss_worker_max_mb']:.0f} | {f['rss_total_mb']:.0f} |"
            )
    return "\n".join(lines) + "\n"


def columnar_memory(args: argparse.Namespace) -> None:
    """Peak RSS of ingests with the columnar FIT path on and off, same run, same real-derived files (issue 24)."""
    from fitcorpus import real_derived

    sizes = [int(n) for n in args.columnar_memory.split(",")]
    source = args.corpus or Path(os.environ.get("FITBALANCE_TEST_CORPUS") or ROOT.parent / "shared" / "corpus")
    work: Path = args.work / "columnar"
    files = real_derived(source, work / f"real-{max(sizes)}", max(sizes))
    results = []
    load_before = os.getloadavg()
    for n in sizes:
        folder = _link_first(files, n, work / "sets" / f"first-{n}")
        for state, value in (("on", "1"), ("off", "0")):
            db = work / f"columnar-{n}-{state}.duckdb"
            db.unlink(missing_ok=True)
            env = {**os.environ, "FITBALANCE_FIT_COLUMNAR": value}
            results.append((state, run_step(f"columnar-{state}", folder, db, 2, work, env)))
    mb = {n: sum(p.stat().st_size for p in files[:n]) / 1e6 for n in sizes}
    lines = [
        f"\n## Peak memory, columnar FIT path on and off ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC, issue 24)\n",
        f"\n`python bench/bench_scale.py --columnar-memory {args.columnar_memory}`: the library's ingest "
        "(`fitbalance.ingest`, 2 worker processes, no Prefect) of the first N real-derived files "
        "(`bench/fitcorpus.py`) into a fresh database, in a fresh process, on (`FITBALANCE_FIT_COLUMNAR=1`) then "
        "off, for each N; RSS sampled "
        f"every 0.2 s. {machine()}; load average {'/'.join(f'{x:.1f}' for x in load_before)} at the start, "
        f"{'/'.join(f'{x:.1f}' for x in os.getloadavg())} at the end (machine shared with other developers).\n\n",
        "| files | MB | columnar | wall s | flow process MB | largest worker MB | flow + workers MB | loaded |\n",
        "|---:|---:|---|---:|---:|---:|---:|---|\n",
        *[
            f"| {f['files']} | {mb[f['files']]:.0f} | {state} | {f['wall_s']:.0f} | {f['rss_flow_mb']:.0f} | "
            f"{f['rss_worker_max_mb']:.0f} | {f['rss_total_mb']:.0f} | {f['summary']} |\n"
            for state, f in results
        ],
    ]
    with args.out.open("a") as out:
        out.writelines(lines)
    print("".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, help="folder of activity FIT files (default: generate one)")
    parser.add_argument("--files", type=int, default=2000, help="files for the throughput steps")
    parser.add_argument("--big", type=int, default=5000, help="files for the full and scheduled runs")
    parser.add_argument("--work", type=Path, default=Path("/tmp/fitbalance-bench-scale"))
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "RESULTS-scale.md")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--from-results", type=Path, help="only write the report from a results.jsonl of a run")
    parser.add_argument("--steps", help="comma-separated steps to (re)run, keeping the other results of --work")
    parser.add_argument("--repeat", type=int, default=3, help="rounds of the dask-1 / dask-2 pair (median reported)")
    parser.add_argument(
        "--columnar-memory",
        metavar="N,N",
        help="only this: peak RSS of the library's ingest of the first N real-derived files (--corpus: the real files "
        "they derive from), columnar FIT path on and off in turns; a section appended to --out",
    )
    args = parser.parse_args()

    if args.from_results:
        results = [json.loads(line) for line in args.from_results.read_text().splitlines()]
        when = datetime.fromtimestamp(args.from_results.stat().st_mtime, UTC).strftime("%Y-%m-%d %H:%M UTC")
        args.out.write_text(report(results, args.big, machine(), when))
        return

    if args.measure:
        a = json.loads(args.measure)
        figures = measure(a["step"], Path(a["folder"]), Path(a["db"]), a["workers"], Path(a["staging"]))
        print(json.dumps(figures))
        return

    if args.columnar_memory:
        columnar_memory(args)
        return

    from fitbalance_pipelines.server import AUTH_VAR, auth_string, start_server

    work: Path = args.work
    work.mkdir(parents=True, exist_ok=True)
    files = corpus_files(args.corpus, work, args.big + NEW_FILES)
    sets = work / "sets"
    throughput = _link_first(files, args.files, sets / f"first-{args.files}")
    small = _link_first(files, 500, sets / "first-500")
    big = _link_first(files, args.big, sets / f"first-{args.big}")
    inbox = _link_first(files, args.big + NEW_FILES, sets / f"inbox-{args.big + NEW_FILES}")
    dbs = work / "db"
    dbs.mkdir(exist_ok=True)
    scheduled_db = dbs / f"full-{args.big}.duckdb"  # holds the --big files: the inbox adds 10 new ones
    dask_2 = [("dask-2", 2, dbs / "dask-2.duckdb")]  # run right after each dask-1
    plan = [
        ("fitdecode", throughput, 1, dbs / "fitdecode.duckdb"),
        ("dask-1", throughput, 1, dbs / "dask-1.duckdb"),
        ("dask-2", throughput, 2, dbs / "dask-2.duckdb"),
        ("local-1", throughput, 1, dbs / "local-1.duckdb"),
        ("local-2", throughput, 2, dbs / "local-2.duckdb"),
        ("full-500", small, 2, dbs / "full-500.duckdb"),
        (f"full-{args.big}", big, 2, scheduled_db),
        ("scheduled", inbox, 2, scheduled_db),
        ("scheduled-idle", inbox, 2, scheduled_db),
    ]
    results_file = work / "results.jsonl"
    wanted = set(args.steps.split(",")) if args.steps else {step for step, *_ in plan}
    if not args.steps:
        results_file.unlink(missing_ok=True)
    elif results_file.exists():  # a step run again replaces its earlier results
        kept = [line for line in results_file.read_text().splitlines() if json.loads(line)["step"] not in wanted]
        results_file.write_text("".join(f"{line}\n" for line in kept))
    with start_server(work / "prefect") as api:
        env = {**os.environ, "PREFECT_API_URL": api.url, SERVER_PID_VAR: str(api.pid or "")}
        env[AUTH_VAR] = auth_string(work / "prefect")  # the server asks for its credentials
        for step, folder, workers, db in plan:
            if step in wanted and step != "dask-2":
                rounds = args.repeat if step == "dask-1" else 1
                for n in range(rounds):  # dask-1 then dask-2, round after round: the pair sees the same machine
                    for name, count, path in [(step, workers, db), *(dask_2 if step == "dask-1" else [])]:
                        if name in wanted:
                            if not name.startswith("scheduled"):  # the scheduled runs go on the full run's database
                                path.unlink(missing_ok=True)
                            run_step(name, folder, path, count, work, env, round_=n)

    results = [json.loads(line) for line in results_file.read_text().splitlines()]
    text = report(results, args.big, machine(), f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
