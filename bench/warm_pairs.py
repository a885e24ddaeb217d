"""Benchmark: warm-mix throughput, a baseline commit against this tree, in interleaved pairs.

Each run is a fresh ``scriptohio serve`` (one worker, warming off, rate limits out of the way:
counted, never reached) on CPU 0 with every path of ``bench/wrk_tails.py``'s warm mix asked
twice first, then ``wrk -t1 -c64`` over the mix for ``--seconds`` on CPU 1. Pairs run
baseline, now, baseline, now...; each run, the medians and their ratio are printed and
appended, as a section, to ``docs/results/warm-pairs.md``. ``--redis URL``
gives both versions that Redis (``SCRIPTOHIO_REDIS_URL``: the shared cache tier and the rate
limiter's counters); use a database number nothing else uses.

Run: SCRIPTOHIO_DATA_DIR=/path/to/data .venv/bin/python bench/warm_pairs.py
     [--baseline REV] [--pairs 3] [--seconds 15] [--redis redis://127.0.0.1:6379/5]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import wrk_tails


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="HEAD")
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--redis", help="SCRIPTOHIO_REDIS_URL for both versions")
    args = parser.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if args.redis:
        wrk_tails.ENV["SCRIPTOHIO_REDIS_URL"] = args.redis
    rps: dict[str, list[float]] = {"baseline": [], "now": []}
    rows: list[str] = []
    head = wrk_tails.head_rev()
    dirty = subprocess.run(["git", "-C", str(wrk_tails.ROOT), "status", "--porcelain", "src"],
                           capture_output=True, text=True, check=True).stdout.strip()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load = os.getloadavg()[0]
    with (tempfile.TemporaryDirectory(prefix="bench-warm-pairs-") as tmp,
          wrk_tails.baseline_tree(args.baseline, Path(tmp) / "baseline-tree") as tree):
        work = Path(tmp)
        for pair in range(args.pairs):
            for label, src in (("baseline", tree / "src"), ("now", wrk_tails.ROOT / "src")):
                with wrk_tails.service(label, src, work, f"pair{pair}", None) as url:
                    wrk_tails.warm_up(url)
                    out = wrk_tails.wrk(url, "team_pages.lua", args.connections, args.seconds,
                                        {"PATHS": " ".join(wrk_tails.WARM_PATHS)})
                run = wrk_tails.parse(out, label, "warm", args.connections, pair)
                rps[label].append(run.rps)
                rows.append(f"| {pair + 1} | {label} | {run.rps:,.0f} | {run.p50:.1f} | "
                            f"{run.p99:.1f} | {run.non2xx} |")
                print(f"  pair {pair + 1} {label}: {run.rps:,.0f} req/s, P50 {run.p50:.1f} "
                      f"P99 {run.p99:.1f} ms, non-2xx {run.non2xx}", flush=True)
    base, now = statistics.median(rps["baseline"]), statistics.median(rps["now"])
    summary = (f"medians: baseline {args.baseline} {base:,.0f} req/s, now {now:,.0f} req/s "
               f"(x {now / base:.2f})" + (f"; Redis {args.redis}" if args.redis else ""))
    print(summary)
    results = wrk_tails.ROOT / "docs" / "results" / "warm-pairs.md"
    text = results.read_text() if results.exists() else (
        "# Warm-mix throughput in interleaved pairs (bench/warm_pairs.py)\n\n"
        "Each section is one run, appended by the bench: `wrk -t1 -c64` on the warm mix of "
        "`bench/wrk_tails.py`, service on CPU 0, wrk on CPU 1, a fresh service per run.\n")
    now_label = head + (" with uncommitted changes under src/" if dirty else "")
    results.write_text(text + (
        f"\n## {started}: baseline {args.baseline} against now ({now_label})"
        + (f", Redis {args.redis}" if args.redis else ", no Redis (memory://)") + "\n\n"
        f"Load average {load:.2f} at the start; {args.pairs} pairs of {args.seconds} s, "
        f"{args.connections} connections.\n\n"
        "| pair | version | req/s | P50 ms | P99 ms | non-2xx |\n|---|---|---|---|---|---|\n"
        + "\n".join(rows) + f"\n\n**{summary}**\n"))
    print(f"wrote {results.relative_to(wrk_tails.ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
