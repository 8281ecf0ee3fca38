"""Is the warm process still worth its fork? An everyday nothing-new ``fitbalance ingest sample_data`` with the warm
process and without it, each against ``fitbalance --help``, interleaved in the same conditions (issue 23, step 3:
without the fork it must be <= 5x ``--help``, else the fork stays).

    python bench/bench_warm.py [--rounds 7] [--work bench/out/warm]

One ingest first (it starts the local server, in a data folder of its own under ``--work``, and loads the sample
data); then ``--rounds`` rounds of: ``--help``, the ingest (the warm process runs it), ``--help``, the ingest with
``FITBALANCE_WARM_CHILD=1`` (the command does not delegate: it runs the flow itself, reporting to the same local
server). Prints each round and the medians as JSON; stops the server at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from fitbalance_pipelines import warm

ROOT = Path(__file__).resolve().parents[1]
FITBALANCE = str(Path(sys.executable).parent / "fitbalance")


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    took = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "out" / "warm")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "FITBALANCE_DATA_DIR": str(args.work / "data"), "DO_NOT_TRACK": "1"}
    env.pop("PREFECT_API_URL", None)
    samples = ROOT / "sample_data"
    ingest = [FITBALANCE, "ingest", str(samples), "--db", str(args.work / "sample.duckdb")]
    ingest += ["--settings", str(samples / "fitbalance.toml")]
    print(json.dumps({"first ingest (starts the server)": round(timed(ingest, env), 2)}), flush=True)
    deadline = time.monotonic() + 600
    while warm._ask(args.work / "data" / "prefect", {"op": "hello"}) is None:
        if time.monotonic() > deadline:
            raise SystemExit("the warm process did not come up")
        time.sleep(1)
    runs: dict[str, list[float]] = {"help": [], "warm": [], "no warm": []}
    no_warm = {**env, warm.CHILD_VAR: "1"}
    try:
        for i in range(args.rounds):
            runs["help"].append(timed([FITBALANCE, "--help"], env))
            runs["warm"].append(timed(ingest, env))
            runs["help"].append(timed([FITBALANCE, "--help"], env))
            runs["no warm"].append(timed(ingest, no_warm))
            print(json.dumps({"round": i, **{k: round(v[-1], 2) for k, v in runs.items()}}), flush=True)
    finally:
        subprocess.run([FITBALANCE, "server", "stop"], env=env, capture_output=True)
    medians = {k: statistics.median(v) for k, v in runs.items()}
    print(
        json.dumps(
            {
                "runs": {k: [round(s, 2) for s in v] for k, v in runs.items()},
                "medians": {k: round(v, 2) for k, v in medians.items()},
                "warm / help": round(medians["warm"] / medians["help"], 2),
                "no warm / help": round(medians["no warm"] / medians["help"], 2),
            }
        )
    )


if __name__ == "__main__":
    main()
