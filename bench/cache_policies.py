"""Hit ratios of our default policy vs our LRU, the README reference columns and theine.

Run: ``.venv/bin/python bench/cache_policies.py [--skip-p6] [--no-theine] [--jobs 2]``

Every row of ../shared/traces/README.md is replayed through the same replay code
(``scriptohio.cache.replay``) with our default policy and with our LRU; theine 2 (W-TinyLFU,
the README's W-TinyLFU column) is measured in the same run on the same keys. P6 rows
(12.7M requests each) run last; theine on P6 only with ``--theine-p6``. Prints a Markdown
table with, per row, ours minus best online, and the share of the best-online -> OPT gap
we close.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Hashable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from scriptohio.cache.replay import make_policy, replay_policy
from scriptohio.cache.trace import iter_chunks

TRACES = Path(os.environ.get("SCRIPTOHIO_TRACES")
              or Path(__file__).resolve().parents[1].parent / "shared" / "traces")
# trace, capacity, LRU, ARC, S3-FIFO, W-TinyLFU, best online, OPT (README, %)
ROWS = [
    ("OLTP.keys.zst", 250, 16.47, 21.23, 21.70, 24.27, 24.27, 38.44),
    ("OLTP.keys.zst", 1000, 32.83, 38.95, 40.84, 40.01, 40.84, 53.61),
    ("OLTP.keys.zst", 2000, 42.47, 46.08, 47.01, 44.89, 47.01, 60.40),
    ("scarab-recs.keys.zst", 10000, 48.64, 52.33, 53.47, 52.19, 53.47, 66.57),
    ("scarab-recs.keys.zst", 100000, 75.91, 76.08, 75.63, 72.25, 76.08, 79.25),
    ("loop.keys.zst", 500, 0.00, 0.00, 0.00, 45.11, 45.11, 49.36),
    ("multi3.keys.zst", 500, 32.65, 36.35, 37.50, 43.73, 43.73, 48.88),
    ("multi3.keys.zst", 1000, 37.70, 44.41, 45.37, 51.01, 51.01, 56.28),
    ("sprite.keys.zst", 200, 39.88, 42.78, 46.64, 47.56, 47.56, 68.86),
    ("sprite.keys.zst", 500, 78.30, 77.37, 78.89, 75.21, 78.89, 87.88),
    ("P6.keys.zst", 32768, 4.24, 23.85, 25.19, 27.32, 27.32, 38.74),
    ("P6.keys.zst", 100000, 57.43, 68.95, 71.89, 72.27, 72.27, 82.87),
]


def theine_ratio(capacity: int, chunks: Iterable[Sequence[Hashable]]) -> float:
    """Hit ratio (%) of theine 2 (W-TinyLFU) over the requests in ``chunks``."""
    from theine import Cache

    cache: Cache[Hashable, bool] = Cache(capacity)
    requests = hits = 0
    for keys in chunks:
        requests += len(keys)
        for key in keys:
            if cache.get(key)[1]:
                hits += 1
            else:
                cache.set(key, True)
    return 100.0 * hits / requests


def _theine(trace: Path, capacity: int) -> float:
    return theine_ratio(capacity, (keys for keys, _ in iter_chunks(trace)))


def measure(job: tuple[str, int, str]) -> tuple[str, int, str, float, float]:
    """Replay one (trace, capacity, policy); returns hit ratio % and seconds."""
    name, capacity, policy = job
    trace = TRACES / name
    start = time.perf_counter()
    if policy == "theine":
        ratio = _theine(trace, capacity)
    else:
        requests, hits = replay_policy(trace, make_policy(policy, capacity))
        ratio = 100.0 * hits / requests
    return name, capacity, policy, ratio, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-p6", action="store_true", help="leave the P6 rows out")
    parser.add_argument("--no-theine", action="store_true")
    parser.add_argument(
        "--theine-p6", action="store_true", help="also measure theine on P6 (slow: ~25 min)"
    )
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    rows = [r for r in ROWS if not (args.skip_p6 and r[0].startswith("P6"))]
    policies = ["default", "lru"] + ([] if args.no_theine else ["theine"])
    jobs = [
        (r[0], r[1], p)
        for r in rows
        for p in policies
        if not (p == "theine" and r[0].startswith("P6") and not args.theine_p6)
    ]
    jobs.sort(key=lambda j: j[0].startswith("P6"))
    results: dict[tuple[str, int, str], tuple[float, float]] = {}
    with ProcessPoolExecutor(args.jobs) as pool:
        for name, cap, pol, ratio, secs in pool.map(measure, jobs):
            results[(name, cap, pol)] = (ratio, secs)
            print(f"# {name} {cap} {pol}: {ratio:.2f}% in {secs:.1f}s", file=sys.stderr)
    print(
        "| trace | capacity | ours | our LRU | theine (now) | LRU | ARC | S3-FIFO "
        "| W-TinyLFU | best online | OPT | ours - best | gap to OPT closed | ours seconds |"
    )
    print("|---" * 14 + "|")
    wins = 0
    for name, cap, lru, arc, s3, wt, best, opt in rows:
        ours, secs = results[(name, cap, "default")]
        our_lru = results[(name, cap, "lru")][0]
        th_result = results.get((name, cap, "theine"))
        th = "not run" if th_result is None else f"{th_result[0]:.2f}"
        closed = 100.0 * (ours - best) / (opt - best)
        wins += ours >= best
        print(
            f"| {name} | {cap:,} | **{ours:.2f}** | {our_lru:.2f} | {th} | {lru:.2f} | "
            f"{arc:.2f} | {s3:.2f} | {wt:.2f} | {best:.2f} | {opt:.2f} | {ours - best:+.2f} | "
            f"{closed:+.1f}% | {secs:.1f}s |"
        )
    print(f"\nrows at or above best online: {wins}/{len(rows)}")
    worst = min(results[(r[0], r[1], "default")][0] - results[(r[0], r[1], "lru")][0] for r in rows)
    closed_all = [(results[(r[0], r[1], "default")][0] - r[6]) / (r[7] - r[6]) for r in rows]
    print(f"worst row, ours minus our LRU: {worst:+.2f} points (goal: >= -1)")
    mean_closed = 100 * sum(closed_all) / len(rows)
    print(f"mean share of the best-online -> OPT gap closed: {mean_closed:+.1f}%")


if __name__ == "__main__":
    main()
