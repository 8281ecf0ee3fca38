"""Benchmark of loading the exercise catalogue, which every worker process does once.

It times, in the same run and alternating, the packaged catalogue (``exercises.csv`` + ``fit_exercises.csv``)
against the TOML catalogue it replaced (``exercises.py`` + ``exercises.toml`` as of ``--baseline-ref``, read
from git), each in a fresh Python process: the load itself (``load_catalog()`` / ``parse_catalog(text)``, timed
inside the process) and the whole process from start to exit, against a process that only imports the module.
Figures go to ``bench/RESULTS-catalog.md``.

    .venv/bin/python bench/bench_catalog.py
    .venv/bin/python bench/bench_catalog.py --baseline-ref a2711c2 --runs 15
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "RESULTS-catalog.md"
BASELINE_REF = "a2711c2"  # the last commit with the TOML catalogue

NEW_IMPORT = "import fitbalance.exercises as m"
NEW_LOAD = """
import time
import fitbalance.exercises as m
t = time.perf_counter(); c = m.load_catalog(); t = time.perf_counter() - t
print(t, len(c.exercises), len(c.index))
"""
OLD_IMPORT = """
import importlib.util, sys
spec = importlib.util.spec_from_file_location("old_exercises", sys.argv[1])
m = sys.modules["old_exercises"] = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m)
"""
OLD_LOAD = (
    OLD_IMPORT
    + """
import time
text = open(sys.argv[2], encoding="utf-8").read()
t = time.perf_counter(); c = m.parse_catalog(text); t = time.perf_counter() - t
print(t, len(c.exercises), len(c.index))
"""
)


def run(code: str, *args: str) -> tuple[float, list[str]]:
    """Wall seconds of a fresh interpreter running ``code``, process start to exit, and what it printed."""
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True, text=True, cwd=ROOT)
    return time.perf_counter() - start, out.stdout.split()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline-ref", default=BASELINE_REF)
    parser.add_argument("--runs", type=int, default=15)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        old_py, old_toml = Path(tmp) / "exercises.py", Path(tmp) / "exercises.toml"
        for path, name in ((old_py, "exercises.py"), (old_toml, "exercises.toml")):
            shown = subprocess.run(
                ["git", "show", f"{options.baseline_ref}:src/fitbalance/{name}"],
                check=True,
                capture_output=True,
                text=True,
                cwd=ROOT,
            )
            path.write_text(shown.stdout, encoding="utf-8")
        cases = {
            "old import": (OLD_IMPORT, (str(old_py),)),
            "old import + load": (OLD_LOAD, (str(old_py), str(old_toml))),
            "new import": (NEW_IMPORT, ()),
            "new import + load": (NEW_LOAD, ()),
        }
        walls: dict[str, list[float]] = {name: [] for name in cases}
        loads: dict[str, list[float]] = {"old": [], "new": []}
        sizes: dict[str, tuple[str, str]] = {}
        run(NEW_IMPORT)  # warm the file cache
        for _ in range(options.runs):
            for name, (code, args) in cases.items():
                wall, printed = run(code, *args)
                walls[name].append(wall)
                if printed:
                    side = name.split()[0]
                    loads[side].append(float(printed[0]))
                    sizes[side] = (printed[1], printed[2])
    write(options, walls, loads, sizes)


def write(
    options: argparse.Namespace,
    walls: dict[str, list[float]],
    loads: dict[str, list[float]],
    sizes: dict[str, tuple[str, str]],
) -> None:
    def ms(values: list[float]) -> str:
        return f"{statistics.median(values) * 1000:.1f} | {min(values) * 1000:.1f}"

    old_load, new_load = statistics.median(loads["old"]), statistics.median(loads["new"])
    extra_old = statistics.median(walls["old import + load"]) - statistics.median(walls["old import"])
    extra_new = statistics.median(walls["new import + load"]) - statistics.median(walls["new import"])
    lines = [
        "# Exercise catalogue load benchmark",
        "",
        f"Made by `bench/bench_catalog.py` on {platform.machine()}, {platform.system()}, Python "
        f"{platform.python_version()}, {os.cpu_count()} cores (load average {os.getloadavg()[0]:.1f} when it "
        f"finished); {options.runs} runs of each case, alternating, each in a fresh process. Baseline: the TOML "
        f"catalogue at `{options.baseline_ref}`.",
        "",
        "| catalogue | exercises | index keys | load median (ms) | load min (ms) |",
        "|---|---:|---:|---:|---:|",
        f"| old (exercises.toml) | {sizes['old'][0]} | {sizes['old'][1]} | {ms(loads['old'])} |",
        f"| new (exercises.csv + fit_exercises.csv) | {sizes['new'][0]} | {sizes['new'][1]} | {ms(loads['new'])} |",
        "",
        f"Load time new / old: {new_load / old_load:.2f} (medians). On a shared machine the absolute times move with "
        "the load average; the ratio, measured in the same run, is the figure to compare.",
        "",
        "Process start to exit (the load is what a worker pays once):",
        "",
        "| process | median (ms) | min (ms) |",
        "|---|---:|---:|",
        *(f"| {name} | {ms(values)} |" for name, values in walls.items()),
        "",
        f"Load cost in a process (import + load minus import, medians): old {extra_old * 1000:.1f} ms, "
        f"new {extra_new * 1000:.1f} ms.",
        "",
    ]
    RESULTS.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
