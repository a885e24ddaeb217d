"""Benchmark: full data load (4 files, validated and indexed) against a raw-read baseline.

Baseline in the same run: reading the same four files' bytes (gzip-decompressed for the
team-game file) without parsing, so the ratio shows what parsing, typing, validation and
indexing cost on top of I/O. Target: full load under 2 s on this machine.
"""

from __future__ import annotations

import gzip
import os
import statistics
import sys
import time
from pathlib import Path

from scriptohio.data.dataset import load_dataset
from scriptohio.data.paths import find_data_dir

REPEATS = 7


def raw_read(data_dir: Path) -> int:
    total = 0
    for name in ("games.csv", "team_seasons.csv", "talent.csv"):
        total += len((data_dir / name).read_bytes())
    with gzip.open(data_dir / "team_games.csv.gz") as fh:
        total += len(fh.read())
    return total


def main() -> int:
    root = Path(__file__).resolve().parent.parent
    data_dir = find_data_dir(os.environ.get("SCRIPTOHIO_DATA_DIR"), cwd=root)
    load_dataset(data_dir)  # warm the page cache and imports
    loads, raws = [], []
    for _ in range(REPEATS):
        t = time.perf_counter()
        ds = load_dataset(data_dir)
        loads.append(time.perf_counter() - t)
        t = time.perf_counter()
        nbytes = raw_read(data_dir)
        raws.append(time.perf_counter() - t)
    load, raw = statistics.median(loads), statistics.median(raws)
    print(f"data: {data_dir}  ({nbytes / 1e6:.1f} MB uncompressed, {len(ds.games)} games, "
          f"{len(ds.team_games)} team-games)")
    print(f"full load (parse + validate + index), median of {REPEATS}: {load * 1000:.0f} ms "
          f"(min {min(loads) * 1000:.0f}, max {max(loads) * 1000:.0f})")
    print(f"baseline raw read of the same bytes, median:       {raw * 1000:.0f} ms")
    print(f"ratio full load / raw read: {load / raw:.1f}x   target < 2000 ms: "
          f"{'PASS' if load < 2.0 else 'FAIL'}")
    return 0 if load < 2.0 else 1


if __name__ == "__main__":
    sys.exit(main())
