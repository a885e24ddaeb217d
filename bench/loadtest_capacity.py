"""Load-generation capacity: requests per second per core of CPU spent generating.

Starts the fixture app with zero latency (``FIXTURE_LATENCY_S=0``) on loopback, then measures
the CPU seconds the *generator* process tree used (``RUSAGE_CHILDREN`` delta around a run; the
server is a longer-lived child and is not counted) and the requests it completed:

* baseline: wrk (C, one thread) with ``--users`` connections;
* ours, closed model: ``--users`` persona users with zero think time (FastHttpUser, full
  per-request bookkeeping: HdrHistogram x3, outcome, X-Cache);
* ours, open model at ``--rate`` requests/s (the scheduler + a gevent pool).

Requests per CPU-second is requests/s per core. The machine has 2 noisy cores and the server
shares them: quote the medians and the ratio to wrk measured in the same run.

    .venv/bin/python bench/loadtest_capacity.py [--users 50] [--seconds 8] [--rate 1500]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from scriptohio.loadtest.runner import run_loadtest
from scriptohio.loadtest.server import SpawnedServer

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = [sys.executable, "-m", "uvicorn", "--app-dir", str(ROOT / "tests" / "loadtest"),
           "fixture_app:app", "--host", "127.0.0.1", "--port", "{port}", "--no-access-log",
           "--log-level", "warning"]


def child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measured(fn: Callable[[], tuple[float, float]]) -> dict[str, float]:
    before = child_cpu()
    requests, rps = fn()
    cpu = child_cpu() - before
    return {"requests": requests, "rps": rps, "cpu_s": cpu, "per_core": requests / cpu}


def wrk(url: str, users: int, seconds: float) -> tuple[float, float]:
    out = subprocess.run(["wrk", "-t1", f"-c{users}", f"-d{seconds:g}s", url + "/v1/games"],
                         capture_output=True, text=True, check=True, timeout=seconds + 60)
    line = next(x for x in out.stdout.splitlines() if "requests in" in x)
    requests = float(line.split()[0])
    rps = float(next(x for x in out.stdout.splitlines() if x.startswith("Requests/sec")).split()[1])
    return requests, rps


def ours(url: str, users: int, seconds: float, rate: float | None) -> tuple[float, float]:
    result = run_loadtest(url, "normal", users=users, duration=seconds, think_scale=0.0,
                          arrival_rate=rate, scrape_metrics=False)
    return float(result.summary["requests"]), float(result.summary["throughput_rps"])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--rate", type=float, default=1500.0)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    runs: dict[str, list[dict[str, float]]] = {"wrk": [], "ours-closed": [], "ours-open": []}
    with SpawnedServer(FIXTURE, env={"FIXTURE_LATENCY_S": "0"}) as server:
        print(f"server {server.url}, {args.users} users/connections, {args.seconds:g} s per run")
        # Start-up cost of one engine run (imports, games.csv, Locust set-up): 1 request.
        startup = statistics.median(measured(lambda: ours(server.url, 1, 1.0, 1.0))["cpu_s"]
                                    for _ in range(2))
        print(f"engine start-up CPU (1-request run): {startup:.2f} s")
        for i in range(args.repeats):
            if shutil.which("wrk"):
                runs["wrk"].append(measured(lambda: wrk(server.url, args.users, args.seconds)))
            runs["ours-closed"].append(measured(
                lambda: ours(server.url, args.users, args.seconds, None)))
            runs["ours-open"].append(measured(
                lambda: ours(server.url, args.users, args.seconds, args.rate)))
            for name, rs in runs.items():
                if rs:
                    r = rs[-1]
                    if name != "wrk":
                        r["steady_per_core"] = r["requests"] / max(r["cpu_s"] - startup, 1e-3)
                    print(f"[{i+1}] {name:<12} {r['requests']:>8.0f} req {r['rps']:>8.0f} req/s "
                          f"cpu {r['cpu_s']:6.2f} s -> {r['per_core']:>8.0f} req/s per core"
                          + (f" ({r['steady_per_core']:.0f} without start-up)"
                             if "steady_per_core" in r else ""))
    print("\nmedians (requests/s per core of generator CPU)")
    med = {n: statistics.median(r["per_core"] for r in rs) for n, rs in runs.items() if rs}
    for name, value in med.items():
        ratio = f"  ({value / med['wrk']:.3f} x wrk)" if "wrk" in med else ""
        print(f"    {name:<12} {value:>8.0f}{ratio}")
    for name in ("ours-closed", "ours-open"):
        steady = statistics.median(r["steady_per_core"] for r in runs[name])
        print(f"    {name:<12} {steady:>8.0f} without engine start-up CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
