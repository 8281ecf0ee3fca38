"""Write the committed sample set (FIT files, archives, broken files, CSV exports, the watch exports of Samsung Health,
WHOOP and Mi Fit / Zepp, EXPECTED.json) with our own generator.

    python sample_data/generate.py [--out sample_data]

The output is the same bytes on every run; see ``synth.samples`` for the layout.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from synth.samples import write_sample_set


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent, help="output folder")
    args = parser.parse_args()
    paths = write_sample_set(args.out)
    size = sum(path.stat().st_size for path in paths)
    print(f"wrote {len(paths)} files, {size / 1e6:.1f} MB, to {args.out}")


if __name__ == "__main__":
    main()
