"""The everyday run, measured as a user runs it: every figure is a whole ``fitbalance`` command (or a baseline
command), from process start to exit, with the baselines measured in the same run.

    PYTHONPATH=sample_data python bench/bench_everyday.py
        [--files 600] [--big 5000] [--repeat 5] [--work bench/out/everyday] [--note TEXT]

Steps, each in fresh processes (medians of ``--repeat`` where a step is quick). The machine's load drifts within a
run, so a quick command is compared with ``fitbalance --help`` timed just before and after it (the median of those
ratios), and the cold runs before and after alternate (``--cold-pairs``):

1. baselines: ``fitbalance --help``; the plain single-process ``fitdecode`` loop over the ``--files`` files (a Python
   process that imports fitdecode and reads every frame; once at the start, once after the cold runs); a trivial
   ``@flow`` on Prefect's embedded API.
2. *before* (``--no-server``: the embedded API in each command, as every command ran before the local server): an
   ingest of an empty folder.
3. the local server: the first command, which starts it; then, with it running and its warm process ready, an
   ingest of an empty folder, and the same with ``PREFECT_API_URL`` naming the server (the flow then runs in the
   command's own process: the reuse path without the warm process).
4. cold ingests of the ``--files`` files into fresh databases, *before* and *after* in turns; the unchanged re-runs.
5. ``--big`` files (default 5,000) loaded once, then the nothing-new run over them, and one new file among them.
6. ``fitbalance server stop``: how long until every process of the server has ended.

Goals (issue 13): nothing new <= 5x ``--help``; unchanged re-run <= 10 % of the cold run; one new file among 5,000
<= 2x the nothing-new run; the cold run no slower than before (as a multiple of the plain loop). The figures go to
bench/RESULTS-everyday.md with the date, the machine and its load.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import psutil

from fitbalance_pipelines.server import AUTH_VAR, auth_string
from fitbalance_pipelines.warm import COMMAND_ENV
from fitcorpus import PLAIN_LOOP

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
FITBALANCE = str(BIN / "fitbalance")
CORPUS_START = date(2019, 1, 7)  # two activities a day: 5,010 files end in 2025, none in the future

TRIVIAL_FLOW = """
from prefect import flow, task
@task
def one():
    return 1
@flow
def trivial():
    return one()
trivial()
"""


@dataclass
class Figures:
    rows: list[tuple[str, float, str]] = field(default_factory=list)  # (what, seconds, how measured)
    ratios: dict[str, float] = field(default_factory=dict)  # to --help timed around the command

    def add(self, what: str, seconds: float, how: str = "") -> float:
        self.rows.append((what, seconds, how))
        print(f"{what:62s} {seconds:7.2f} s  {how}", flush=True)
        return seconds

    def get(self, what: str) -> float:
        return next(s for w, s, _ in self.rows if w == what)


def timed(command: list[str], env: dict[str, str], cwd: Path | None = None) -> float:
    """Seconds from the start of ``command`` to its exit; it must succeed."""
    start = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return seconds


def median(command: list[str], env: dict[str, str], repeat: int) -> tuple[float, str]:
    runs = [timed(command, env) for _ in range(repeat)]
    return statistics.median(runs), f"median of {repeat}: " + " ".join(f"{r:.2f}" for r in runs)


def against_help(command: list[str], env: dict[str, str], repeat: int) -> tuple[float, float, str]:
    """The command's median time and its median ratio to ``fitbalance --help`` timed just before and after each run
    (the machine's load drifts within a run; a ratio of neighbours does not)."""
    runs, ratios = [], []
    for _ in range(repeat):
        before = timed([FITBALANCE, "--help"], env)
        runs.append(timed(command, env))
        after = timed([FITBALANCE, "--help"], env)
        ratios.append(runs[-1] / ((before + after) / 2))
    how = f"median of {repeat}: " + " ".join(f"{r:.2f}" for r in runs)
    return (
        statistics.median(runs),
        statistics.median(ratios),
        how + "; / --help around each: " + " ".join(f"{r:.2f}x" for r in ratios),
    )


def corpus(folder: Path, n: int, source: Path | None) -> list[Path]:
    """``n`` activity FIT files in ``folder``: the first ``n`` of ``source`` (sorted), or the generator's."""
    existing = sorted(folder.glob("*.fit"))
    if len(existing) == n:
        return existing
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    if source is not None:
        picked = sorted(p for p in source.rglob("*") if p.suffix.lower() == ".fit")[:n]
        if len(picked) < n:
            raise SystemExit(f"{source} has {len(picked)} FIT files, fewer than {n}")
        for i, path in enumerate(picked):
            shutil.copy(path, folder / f"{i:05d}-{path.name}")
        return sorted(folder.glob("*.fit"))
    from synth import generate_corpus

    return sorted(generate_corpus(folder, n, seed=1, start=CORPUS_START))


def wait_for_warm(data: Path, timeout_s: float = 600) -> None:
    from fitbalance_pipelines import warm

    folder = data / "prefect"
    deadline = time.monotonic() + timeout_s
    while warm._ask(folder, {"op": "hello"}) is None:
        if time.monotonic() > deadline:
            raise SystemExit("the warm process did not come up")
        time.sleep(0.5)


def server_state(data: Path) -> dict[str, object]:
    state: dict[str, object] = json.loads((data / "prefect" / "server.json").read_text())
    return state


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=600)
    parser.add_argument("--big", type=int, default=5000, help="0 skips step 4")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cold-pairs", type=int, default=2, help="cold runs before and after, in turns")
    parser.add_argument("--corpus", type=Path, default=None, help="a folder of real FIT files to use instead")
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "out" / "everyday")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "RESULTS-everyday.md")
    parser.add_argument("--note", default="", help="what changed since the last run")
    args = parser.parse_args()

    work = args.work
    files = corpus(work / f"corpus-{args.files}", args.files, args.corpus)
    big = corpus(work / f"corpus-{args.big + 3}", args.big + 3, args.corpus) if args.big else []
    run = work / "run"
    shutil.rmtree(run, ignore_errors=True)
    (run / "empty").mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if k not in {"PREFECT_API_URL", "FITBALANCE_NO_SERVER"}}
    env |= {"FITBALANCE_DATA_DIR": str(run / "data"), "PREFECT_HOME": str(run / "prefect-home"), "NO_COLOR": "1"}
    env = COMMAND_ENV | env  # the settings every fitbalance command applies, for the baselines too
    data = run / "data"
    figures = Figures()
    python = str(BIN / "python")
    load_before = os.getloadavg()[0]

    print(f"{len(files)} files in {files[0].parent}; {len(big)} in the big corpus; load average {load_before:.1f}")
    help_s, how = median([FITBALANCE, "--help"], env, args.repeat)
    figures.add("fitbalance --help", help_s, how)
    figures.add("plain fitdecode loop, one process", timed([python, "-c", PLAIN_LOOP, str(files[0].parent)], env))
    no_server = env | {"FITBALANCE_NO_SERVER": "1"}
    figures.add("trivial @flow, embedded API", timed([python, "-c", TRIVIAL_FLOW], no_server))

    empty = [FITBALANCE, "ingest", str(run / "empty"), "--db"]
    s, before_ratio, how = against_help([*empty, str(run / "before-empty.duckdb")], no_server, max(1, args.repeat // 2))
    figures.add("before: ingest EMPTY (--no-server)", s, how)
    figures.ratios["before: nothing new / --help"] = before_ratio

    figures.add("first use: ingest EMPTY, starts the local server", timed([*empty, str(run / "first.duckdb")], env))
    wait_for_warm(data)
    s, ratio, how = against_help([*empty, str(run / "empty.duckdb")], env, args.repeat)
    figures.add("everyday: ingest EMPTY (local server, warm)", s, how)
    figures.ratios["nothing new / --help"] = ratio
    reuse = env | {"PREFECT_API_URL": str(server_state(data)["url"]), AUTH_VAR: auth_string(data / "prefect")}
    s, ratio, how = against_help([*empty, str(run / "reuse.duckdb")], reuse, max(1, args.repeat // 2))
    figures.add("reuse: ingest EMPTY (PREFECT_API_URL, flow in the command)", s, how)
    figures.ratios["reuse: nothing new / --help"] = ratio

    # cold runs before and after in turns, each into a fresh database: the load drifts less between neighbours
    folder = str(files[0].parent)
    cold: dict[str, list[float]] = {"before": [], "after": []}
    for turn in range(args.cold_pairs):
        for when, with_env in (("before", no_server), ("after", env)):
            db = str(run / f"{when}-{turn}.duckdb")
            cold[when].append(timed([FITBALANCE, "ingest", folder, "--db", db], with_env))
    for when, label in (("before", "(--no-server)"), ("after", "(local server, warm)")):
        runs = cold[when]
        how = f"median of {len(runs)}, in turns: " + " ".join(f"{r:.2f}" for r in runs)
        figures.add(f"{when}: cold ingest {label}", statistics.median(runs), how)
    figures.ratios["cold: after / before"] = statistics.median(
        a / b for a, b in zip(cold["after"], cold["before"], strict=True)
    )
    figures.add("plain fitdecode loop, again", timed([python, "-c", PLAIN_LOOP, folder], env))
    last = args.cold_pairs - 1
    before_rerun = [FITBALANCE, "ingest", folder, "--db", str(run / f"before-{last}.duckdb")]
    figures.add("before: unchanged re-run (--no-server)", timed(before_rerun, no_server))
    s, how = median([FITBALANCE, "ingest", folder, "--db", str(run / f"after-{last}.duckdb")], env, args.repeat)
    figures.add("after: unchanged re-run (local server, warm)", s, how)

    if big:
        inbox = run / "inbox"
        inbox.mkdir()
        for path in big[: args.big]:
            os.link(path, inbox / path.name)
        big_db = str(run / "big.duckdb")
        command = [FITBALANCE, "ingest", str(inbox), "--db", big_db]
        figures.add(f"big: cold ingest of {args.big} files (set-up)", timed(command, env))
        s, how = median(command, env, 3)
        figures.add(f"big: nothing new among {args.big}", s, how)
        runs = []
        for path in big[args.big :]:
            os.link(path, inbox / path.name)
            runs.append(timed(command, env))
        figures.add(
            f"big: one new file among {args.big}",
            statistics.median(runs),
            "median of 3 new files: " + " ".join(f"{r:.2f}" for r in runs),
        )

    state = server_state(data)
    supervisor = psutil.Process(int(str(state["pid"])))
    family = [supervisor, *supervisor.children(recursive=True)]
    start = time.perf_counter()
    timed([FITBALANCE, "server", "stop"], env)
    psutil.wait_procs(family, timeout=120)
    figures.add("fitbalance server stop, until every process ended", time.perf_counter() - start)
    write(args, figures, files, big, load_before)


def write(args: argparse.Namespace, f: Figures, files: list[Path], big: list[Path], load_before: float) -> None:
    plain = (f.get("plain fitdecode loop, one process") + f.get("plain fitdecode loop, again")) / 2
    cold_before, cold_after = (
        f.get("before: cold ingest (--no-server)"),
        f.get("after: cold ingest (local server, warm)"),
    )
    everyday = f.get("everyday: ingest EMPTY (local server, warm)")
    rerun = f.get("after: unchanged re-run (local server, warm)")
    share, times = "{:.1%}", "{:.2f}x"
    goals: list[tuple[str, str, float, str, bool | None]] = [
        (
            "nothing new / --help",
            times,
            f.ratios["nothing new / --help"],
            "<= 5x",
            f.ratios["nothing new / --help"] <= 5,
        ),
        ("reuse: nothing new / --help", times, f.ratios["reuse: nothing new / --help"], "", None),
        ("unchanged re-run / cold run", share, rerun / cold_after, "<= 10 %", rerun / cold_after <= 0.10),
        (
            "cold run: after / before, in turns",
            times,
            f.ratios["cold: after / before"],
            "<= 1x",
            f.ratios["cold: after / before"] <= 1,
        ),
        ("cold run / plain loop, after", times, cold_after / plain, f"before: {cold_before / plain:.2f}x", None),
    ]
    if big:
        nothing = f.get(f"big: nothing new among {args.big}")
        one = f.get(f"big: one new file among {args.big}")
        goals.append(
            (f"one new among {args.big} / nothing new among them", times, one / nothing, "<= 2x", one / nothing <= 2)
        )
        goals.append((f"one new among {args.big} / nothing new (empty folder)", times, one / everyday, "", None))
    goals.append(("before: nothing new / --help", times, f.ratios["before: nothing new / --help"], "", None))
    goals.append(
        (
            "before: unchanged re-run / cold run",
            share,
            f.get("before: unchanged re-run (--no-server)") / cold_before,
            "",
            None,
        )
    )
    load_after = os.getloadavg()[0]
    lines = [
        f"\n## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()} {os.cpu_count()} cores, load average "
        f"{load_before:.1f} before / {load_after:.1f} after; {len(files)} files"
        + (f", {len(big)} in the big corpus" if big else "")
        + (f"; {args.note}" if args.note else "")
        + "\n\n| command (process start to exit) | seconds | how |\n|---|---|---|\n",
        *[f"| {what} | {seconds:.2f} | {how} |\n" for what, seconds, how in f.rows],
        "\n| goal | measured | target | met |\n|---|---|---|---|\n",
        *[
            f"| {what} | {form.format(value)} | {target} | {'' if met is None else 'yes' if met else '**no**'} |\n"
            for what, form, value, target, met in goals
        ],
    ]
    if not args.results.exists():
        args.results.write_text(
            "# The everyday run (bench/bench_everyday.py)\n\n"
            "Every figure is a whole command as a user runs it, from process start to exit, measured in one run with "
            "its baselines (`fitbalance --help` timed around each quick command, the plain single-process fitdecode "
            "loop; cold runs before and after in turns). *before* is the command "
            "with `--no-server` (Prefect's embedded API started in each command, as every command ran before the "
            "local server); *after* and *everyday* run with the local Prefect server running and its warm process "
            "ready. Ratios are what the goals of issue 13 are about: absolute seconds depend on the machine's load.\n"
        )
    with args.results.open("a") as out:
        out.writelines(lines)
    print(f"appended to {args.results}")


if __name__ == "__main__":
    main()
