"""Hit ratios on traces the policy was never developed on: does it generalise?

Run: ``.venv/bin/python bench/cache_heldout.py [--jobs 2] [--no-theine]`` (about 2 min).

``bench/cache_policies.py`` replays the README's traces, which the policy's constants were
chosen on. This bench replays workloads it has not seen, against our LRU and theine 2
(W-TinyLFU) in the same run:

* synthetic traces drawn with a fixed seed (the same keys every run): Zipf popularity at two
  skews, Zipf whose hot set is reshuffled four times, Zipf interrupted by one-time scans, and
  short-range reuse (each key re-read at most once, soon after its first use: no frequency
  signal at all, which favours pure recency);
* ``adapt_size_request.keys.zst`` with its object sizes, capacity in bytes (1 %, 5 %, 10 %
  and 20 % of the bytes of all distinct objects); theine has no sizes, so it sits out.

Prints a Markdown table with ours minus LRU and ours minus theine per row.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from cache_policies import TRACES, theine_ratio  # the sibling bench (run from bench/)
from scriptohio.cache.replay import make_policy, replay_keys
from scriptohio.cache.trace import iter_chunks

SIZED = "adapt_size_request.keys.zst"
UNIVERSE = 100_000  # distinct keys of the Zipf traces


def _zipf(rng: np.random.Generator, n: int, skew: float) -> np.ndarray:
    weights = np.arange(1, UNIVERSE + 1, dtype=float) ** -skew
    return rng.choice(UNIVERSE, size=n, p=weights / weights.sum())


def zipf_trace(skew: float) -> Callable[[], list[int]]:
    def make() -> list[int]:
        return _zipf(np.random.default_rng(7), 400_000, skew).tolist()

    return make


def shifting_zipf() -> list[int]:
    """Zipf 0.9 whose popularity order is reshuffled every 100k requests."""
    rng = np.random.default_rng(7)
    return np.concatenate(
        [rng.permutation(UNIVERSE)[_zipf(rng, 100_000, 0.9)] for _ in range(4)]
    ).tolist()


def zipf_with_scans() -> list[int]:
    """Zipf 0.9, with a scan of 10k never-repeated keys after every 30k requests."""
    rng = np.random.default_rng(7)
    base = _zipf(rng, 300_000, 0.9).tolist()
    out: list[int] = []
    fresh = 10 * UNIVERSE
    for start in range(0, len(base), 30_000):
        out += base[start : start + 30_000]
        out += range(fresh, fresh + 10_000)
        fresh += 10_000
    return out


def short_reuse() -> list[int]:
    """100k new keys in order; after each, with probability 0.7, a re-read of one of the
    last 2,000 keys (uniformly): reuse is only short-range and never repeats."""
    rng = np.random.default_rng(7)
    out: list[int] = []
    for key in range(100_000):
        out.append(key)
        if rng.random() < 0.7:
            out.append(int(rng.integers(max(0, key - 2_000), key + 1)))
    return out


SYNTHETIC: dict[str, Callable[[], list[int]]] = {
    "zipf 0.8": zipf_trace(0.8),
    "zipf 1.0": zipf_trace(1.0),
    "zipf 0.9, hot set reshuffled x4": shifting_zipf,
    "zipf 0.9 + scans": zipf_with_scans,
    "short-range reuse": short_reuse,
}
CAPACITIES = (1_000, 10_000)
SIZED_SHARES = (0.01, 0.05, 0.10, 0.20)


def _replay_keys(keys: list[int], policy_name: str, capacity: int) -> float:
    if policy_name == "theine":
        return theine_ratio(capacity, [keys])
    return 100.0 * replay_keys(keys, make_policy(policy_name, capacity)) / len(keys)


def _sized_requests() -> list[tuple[int, int]]:
    ids: dict[bytes, int] = {}
    out: list[tuple[int, int]] = []
    for raw, sizes in iter_chunks(TRACES / SIZED):
        assert sizes is not None, f"{SIZED} should carry sizes"
        out += [(ids.setdefault(k, len(ids)), max(1, s)) for k, s in zip(raw, sizes, strict=True)]
    return out


def _replay_sized(policy_name: str, share: float) -> tuple[float, float, int]:
    """(hit ratio %, byte hit ratio %, capacity in bytes) at ``share`` of the distinct bytes."""
    requests = _sized_requests()
    capacity = int(share * sum(dict(requests).values()))
    policy = make_policy(policy_name, capacity)
    hits = byte_hits = total_bytes = 0
    for key, size in requests:
        total_bytes += size
        if key in policy:
            hits += 1
            byte_hits += size
            policy.on_hit(key)
        else:
            policy.on_insert(key, size)
    return 100.0 * hits / len(requests), 100.0 * byte_hits / total_bytes, capacity


def measure(job: tuple[str, float, str]) -> tuple[str, float, str, tuple[float, ...], float]:
    name, capacity, policy = job
    start = time.perf_counter()
    if name == SIZED:
        result: tuple[float, ...] = _replay_sized(policy, capacity)
    else:
        result = (_replay_keys(SYNTHETIC[name](), policy, int(capacity)),)
    return name, capacity, policy, result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--no-theine", action="store_true")
    args = parser.parse_args()
    unsized = ["default", "lru"] + ([] if args.no_theine else ["theine"])
    rows: list[tuple[str, float]] = [(n, c) for n in SYNTHETIC for c in CAPACITIES]
    rows += [(SIZED, s) for s in SIZED_SHARES]
    jobs = [(n, c, p) for n, c in rows for p in (["default", "lru"] if n == SIZED else unsized)]
    results: dict[tuple[str, float, str], tuple[float, ...]] = {}
    with ProcessPoolExecutor(args.jobs) as pool:
        for name, cap, pol, result, secs in pool.map(measure, jobs):
            results[(name, cap, pol)] = result
            print(f"# {name} {cap} {pol}: {result[0]:.2f}% in {secs:.1f}s", file=sys.stderr)
    print("| trace | capacity | ours | LRU | theine (W-TinyLFU) | ours - LRU | ours - theine |")
    print("|---" * 7 + "|")
    worst = float("inf")
    for name, cap in rows:
        ours, lru = results[(name, cap, "default")], results[(name, cap, "lru")]
        worst = min(worst, ours[0] - lru[0])
        if name == SIZED:
            print(
                f"| {name} (bytes; byte hit ratio) | {ours[2]:,} B ({cap:.0%}) | **{ours[0]:.2f}** "
                f"({ours[1]:.2f}) | {lru[0]:.2f} ({lru[1]:.2f}) | - | {ours[0] - lru[0]:+.2f} | - |"
            )
            continue
        th = results.get((name, cap, "theine"))
        th_cell, th_diff = ("not run", "-") if th is None else (
            f"{th[0]:.2f}", f"{ours[0] - th[0]:+.2f}")
        print(
            f"| {name} | {int(cap):,} | **{ours[0]:.2f}** | {lru[0]:.2f} | {th_cell} "
            f"| {ours[0] - lru[0]:+.2f} | {th_diff} |"
        )
    print(f"\nworst row, ours minus LRU: {worst:+.2f} points")


if __name__ == "__main__":
    main()
