"""Apple Health export.xml: a whole ``fitbalance ingest`` command on a generated export, against healthkit-to-sqlite.

    PYTHONPATH=sample_data python bench/bench_apple.py
        [--peer-mb 300] [--big-mb 2048] [--work bench/out/apple] [--note TEXT]

0. ``--baseline``: the same command on the generator's small sample export.zip: its fixed cost (Prefect's
   embedded API, the data libraries, the decoder process), to read the figures below against.
1. ``--peer-mb`` (default 300 MB, the size the issue names): one generated export.xml (``synth.
   xml_exports.write_big_export``: heart rate through every day, a workout most days with heart rate every 10 s,
   workouts after the records as in Apple's files), zipped as ``apple_health_export/export.xml`` the way the Health
   app writes it. Timed, whole commands, each in a fresh process, one after the other on the same file:
   - ``fitbalance ingest export.zip --no-server --workers 1`` into a fresh database (the zip unpacked, export.xml
     read as a stream, the heart-rate records inside workouts loaded as samples);
   - ``healthkit-to-sqlite export.zip healthkit.db`` (the peer, from PyPI, installed into a temporary venv here and
     nowhere else; it loads every record into SQLite).
2. ``--big-mb`` (default 2 GB): a bigger export.xml (a long history: mostly records outside workouts), read by
   the streaming reader alone (a Python process calling ``decode_source``: the reader's own memory, which must stay
   under 500 MB however large the file), then ingested bare (no zip) by ``fitbalance ingest``: time and peak memory.

Peak memory is sampled every 0.1 s with psutil over the command's process tree: the largest single process (the one
that reads the file) and the tree's total (the command with Prefect's embedded API, and its decoder process). The
figures go to ``bench/RESULTS-apple.md`` with the date, the machine and its load average.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import psutil

from synth.xml_exports import sample_files, write_big_export_file

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PEER = "healthkit-to-sqlite"
RESULTS = ROOT / "bench" / "RESULTS-apple.md"
MB = 1_000_000
READER_ALONE = """
import sys
from pathlib import Path
from fitbalance.models import SourceRef
from fitbalance.sources import decode_source
path = Path(sys.argv[1])
decoded = decode_source(SourceRef(str(path), str(path), path.stat().st_size))
chunks = decoded.sample_chunks() if decoded.sample_chunks is not None else iter(())
print(decoded.activities.height, sum(getattr(chunk, "height", 0) for chunk in chunks))
"""
BIG_ENERGY_EVERY_MIN = 2  # the big export is a long history: mostly records outside workouts, as real ones are


TIME = Path("/usr/bin/time")


@dataclass
class Measured:
    seconds: float
    peak_process_mb: float
    peak_tree_mb: float
    returncode: int
    max_rss_mb: float | None = None  # GNU time -v's "Maximum resident set size" (its largest process), when there


def measure(command: list[str], env: dict[str, str] | None = None) -> Measured:
    """Run ``command`` to its end (under GNU ``time -v`` when the machine has it); wall time and the peak RSS of its
    largest process and of its whole tree."""
    timed = TIME.exists()
    started = time.perf_counter()
    full = [str(TIME), "-v", *command] if timed else command
    proc = subprocess.Popen(full, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    root = psutil.Process(proc.pid)
    peak_one = peak_all = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak_one, peak_all
        while not done.is_set():
            total = 0
            try:
                members = [root, *root.children(recursive=True)]
            except psutil.Error:
                members = []
            for member in members:
                try:
                    rss = member.memory_info().rss
                except psutil.Error:
                    continue
                total += rss
                peak_one = max(peak_one, rss)
            peak_all = max(peak_all, total)
            done.wait(0.1)

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    _, err = proc.communicate()
    seconds = time.perf_counter() - started
    done.set()
    watcher.join()
    text = err.decode(errors="replace")
    if proc.returncode:
        print(text[-2000:], file=sys.stderr)
    found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text) if timed else None
    max_rss = int(found.group(1)) * 1024 / MB if found else None
    return Measured(seconds, peak_one / MB, peak_all / MB, proc.returncode, max_rss)


def _mb(value: float | None) -> str:
    return f"{value:.0f} MB" if value is not None else "not measured (no GNU time)"


def make_export(
    folder: Path, megabytes: int, *, zipped: bool, energy_every_min: int = 0
) -> tuple[Path, dict[str, int]]:
    xml = folder / "export.xml"
    counts = write_big_export_file(xml, megabytes * MB, energy_every_min=energy_every_min)
    counts["xml_bytes"] = xml.stat().st_size
    xml.with_suffix(".json").write_text(json.dumps(counts))
    if not zipped:
        return xml, counts
    archive = folder / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
        out.write(xml, "apple_health_export/export.xml")
    xml.unlink()
    counts["zip_bytes"] = archive.stat().st_size
    return archive, counts


def peer_venv(folder: Path) -> Path | None:
    """healthkit-to-sqlite in a venv of its own; None when it cannot be installed (no network)."""
    venv = folder / "peer-venv"
    steps = [[sys.executable, "-m", "venv", str(venv)], [str(venv / "bin" / "pip"), "install", "-q", PEER]]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True, timeout=900, check=False)
        if done.returncode:
            print(f"cannot install {PEER}: {done.stderr.strip()[-500:]}", file=sys.stderr)
            return None
    return venv / "bin" / PEER


def ingest(path: Path, db: Path) -> Measured:
    env = {**os.environ, "FITBALANCE_NO_SERVER": "1", "FITBALANCE_DATA_DIR": str(db.parent / "data")}
    return measure(
        [str(BIN / "fitbalance"), "ingest", str(path), "--db", str(db), "--workers", "1", "--no-server"], env
    )


def loaded(db: Path) -> tuple[int, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        activities = con.execute("SELECT count(*) FROM activities").fetchall()[0][0]
        samples = con.execute("SELECT count(*) FROM samples").fetchall()[0][0]
    return int(activities), int(samples)


def set_aside(db: Path) -> str:
    """The workouts not loaded, by the reason the quarantine table gives (what a user sees), or an empty string."""
    with duckdb.connect(str(db), read_only=True) as con:
        found = con.execute(
            "SELECT count(*), any_value(reason) FROM quarantine WHERE table_name = 'activities' "
            "GROUP BY stage ORDER BY 1 DESC LIMIT 3"
        ).fetchall()
    return "; ".join(f"{n:,} set aside ({reason})" for n, reason in found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peer-mb", type=int, default=300)
    parser.add_argument("--big-mb", type=int, default=2048)
    parser.add_argument(
        "--big-xml",
        type=Path,
        default=None,
        help="an export.xml the generator wrote before (its counts beside it, .json)",
    )
    parser.add_argument("--work", type=Path, default=None, help="working folder (default: a temporary one)")
    parser.add_argument("--baseline", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--note", default="", help="a line for the results (the machine's state)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-apple-"))
    work.mkdir(parents=True, exist_ok=True)
    header = "# Apple Health export.xml benchmark (`make bench-apple`, bench/bench_apple.py)\n"
    if not RESULTS.exists():
        RESULTS.write_text(header)
    written = 0

    def flush() -> None:  # each figure is written as soon as it is measured
        nonlocal written
        text = "\n".join(lines[written:])
        with open(RESULTS, "a", encoding="utf-8") as out:
            out.write(("\n" if written == 0 else "") + text + "\n")
        print(text, flush=True)
        written = len(lines)

    lines = [
        f"## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: {platform.machine()}, {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.1f} at the start",
        "",
    ]
    if args.note:
        lines += [args.note, ""]
    try:
        if args.baseline:  # the command's own cost: the sample export.zip of the generator (seven workouts)
            folder = work / "baseline"
            folder.mkdir(exist_ok=True)
            (data, _) = sample_files()["xml/apple_health/export.zip"]
            small = folder / "export.zip"
            small.write_bytes(data)
            base = ingest(small, folder / "fitbalance.duckdb")
            lines += [
                f"The same command on the sample export.zip ({len(data) / 1000:.0f} kB, seven workouts): "
                f"{base.seconds:.1f} s, peak RSS {base.peak_process_mb:.0f} MB largest process "
                f"(`/usr/bin/time -v`: {_mb(base.max_rss_mb)}), "
                f"{base.peak_tree_mb:.0f} MB process tree (exit {base.returncode}): the command's fixed cost "
                "(Prefect's embedded API, the data libraries, the decoder process).",
                "",
            ]
            flush()
            shutil.rmtree(folder, ignore_errors=True)
        if args.peer_mb:
            folder = work / "peer"
            folder.mkdir(exist_ok=True)
            archive, counts = make_export(folder, args.peer_mb, zipped=True)
            ours = ingest(archive, folder / "fitbalance.duckdb")
            activities, samples = loaded(folder / "fitbalance.duckdb")
            lines += [
                f"export.xml of {counts['xml_bytes'] / MB:.0f} MB ({counts['records']:,} records, "
                f"{counts['heart_rate_records']:,} of heart rate, {counts['workouts']:,} workouts), zipped "
                f"({counts['zip_bytes'] / MB:.0f} MB), as the Health app writes it:",
                "",
                "| command | time | peak RSS, largest process | peak RSS, process tree | loaded |",
                "|---|---|---|---|---|",
                f"| `fitbalance ingest export.zip --workers 1 --no-server` | {ours.seconds:.1f} s | "
                f"{ours.peak_process_mb:.0f} MB | {ours.peak_tree_mb:.0f} MB | {activities:,} workouts, "
                f"{samples:,} heart-rate samples (exit {ours.returncode}) |",
            ]
            flush()
            peer = peer_venv(folder)
            if peer is not None:
                theirs = measure([str(peer), str(archive), str(folder / "healthkit.db")])
                lines.append(
                    f"| `healthkit-to-sqlite export.zip healthkit.db` | {theirs.seconds:.1f} s | "
                    f"{theirs.peak_process_mb:.0f} MB | {theirs.peak_tree_mb:.0f} MB | every record into SQLite "
                    f"(exit {theirs.returncode}) |"
                )
                lines += ["", f"fitbalance / healthkit-to-sqlite time: **{ours.seconds / theirs.seconds:.2f}x**"]
            else:
                lines.append("| healthkit-to-sqlite | not installed (no network?) | | | |")
            lines.append("")
            flush()
            shutil.rmtree(folder, ignore_errors=True)
        if args.big_mb:
            folder = work / "big"
            folder.mkdir(exist_ok=True)
            if args.big_xml is not None:  # the generator's file made before (the same bytes for the same size)
                xml, counts = args.big_xml, json.loads(args.big_xml.with_suffix(".json").read_text())
            else:
                xml, counts = make_export(folder, args.big_mb, zipped=False, energy_every_min=BIG_ENERGY_EVERY_MIN)
            alone = measure([sys.executable, "-c", READER_ALONE, str(xml)])
            ours = ingest(xml, folder / "fitbalance.duckdb")
            activities, samples = loaded(folder / "fitbalance.duckdb")
            aside = set_aside(folder / "fitbalance.duckdb")
            lines += [
                f"bare export.xml of {counts['xml_bytes'] / MB:,.0f} MB ({counts['records']:,} records, "
                f"{counts['workouts']:,} workouts): `fitbalance ingest export.xml --workers 1 --no-server` "
                f"{ours.seconds:.1f} s, peak RSS **{ours.peak_process_mb:.0f} MB** in the process reading it "
                f"(`/usr/bin/time -v` maximum resident set size: {_mb(ours.max_rss_mb)}), "
                f"{ours.peak_tree_mb:.0f} MB for the whole command with Prefect's embedded API process; "
                f"{activities:,} of {counts['workouts']:,} workouts and {samples:,} samples loaded "
                f"(exit {ours.returncode}){'; ' + aside if aside else ''}.",
                "",
                f"The streaming reader alone on the same file (a Python process that imports fitbalance and calls "
                f"`decode_source`): {alone.seconds:.1f} s, peak RSS **{alone.peak_process_mb:.0f} MB** "
                f"(exit {alone.returncode}).",
                "",
            ]
            shutil.rmtree(folder, ignore_errors=True)
    finally:
        flush()
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
