"""Does our P95 agree with an independent client? Ours vs wrk on a fixed-latency endpoint.

Starts the fixed-latency fixture app (tests/loadtest/fixture_app.py, ``FIXTURE_LATENCY_S``)
on loopback, then alternates, ``--repeats`` times:

* wrk (the reference, C, closed loop): ``wrk -t1 -c{users} -d{seconds}s`` with a Lua
  ``done`` hook printing its P50/P95/P99 (wrk's ``--latency`` table has no P95);
* our tool, closed model, ``users`` users with zero think time (the same load shape);
* our tool, open model at wrk's measured rate (latency from the intended send time).

Prints each run and the medians; the goal is |ours/wrk - 1| <= 10 % on P95.
Needs ``wrk`` on PATH (``apt-get install -y wrk``).

    .venv/bin/python bench/loadtest_accuracy.py [--latency 0.05] [--users 10] [--seconds 8]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from scriptohio.loadtest.runner import run_loadtest
from scriptohio.loadtest.server import SpawnedServer

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = [sys.executable, "-m", "uvicorn", "--app-dir", str(ROOT / "tests" / "loadtest"),
           "fixture_app:app", "--host", "127.0.0.1", "--port", "{port}", "--no-access-log",
           "--log-level", "warning"]
WRK_LUA = """
done = function(summary, latency, requests)
  io.write(string.format("WRK %d %f %d %d %d %d\\n", summary.requests,
    summary.duration / 1e6, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max))
end
"""


def run_wrk(url: str, users: int, seconds: float, script: Path) -> dict[str, float]:
    out = subprocess.run(["wrk", "-t1", f"-c{users}", f"-d{seconds:g}s", "-s", str(script),
                          url + "/v1/predict?home=Ohio%20State&away=Michigan&season=2025&week=10"],
                         capture_output=True, text=True, check=True, timeout=seconds + 60)
    line = next(x for x in out.stdout.splitlines() if x.startswith("WRK "))
    n, dur, p50, p95, p99, mx = line.split()[1:]
    return {"requests": float(n), "rps": float(n) / float(dur), "p50": float(p50) / 1e6,
            "p95": float(p95) / 1e6, "p99": float(p99) / 1e6, "max": float(mx) / 1e6}


def ours(url: str, users: int, seconds: float, rate: float | None) -> dict[str, float]:
    result = run_loadtest(url, "normal", users=users, duration=seconds, think_scale=0.0,
                          arrival_rate=rate, scrape_metrics=False)
    lat = result.summary["latency_s"]
    return {"requests": result.summary["requests"], "rps": result.summary["throughput_rps"],
            "p50": lat["p50"], "p95": lat["p95"], "p99": lat["p99"], "max": lat["max"]}


def fmt(name: str, r: dict[str, float]) -> str:
    return (f"{name:<14} {r['requests']:>7.0f} req {r['rps']:>8.1f} req/s  p50 {r['p50']*1e3:7.2f}"
            f"  p95 {r['p95']*1e3:7.2f}  p99 {r['p99']*1e3:7.2f}  max {r['max']*1e3:7.2f} ms")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--latency", type=float, default=0.05)
    ap.add_argument("--users", type=int, default=10)
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        print("wrk not found: apt-get install -y wrk", file=sys.stderr)
        return 2
    rows: dict[str, list[dict[str, float]]] = {"wrk": [], "ours-closed": [], "ours-open": []}
    with tempfile.TemporaryDirectory() as tmp, SpawnedServer(
            FIXTURE, env={"FIXTURE_LATENCY_S": str(args.latency)}) as server:
        script = Path(tmp) / "p95.lua"
        script.write_text(WRK_LUA)
        print(f"fixed latency {args.latency*1e3:.1f} ms, {args.users} connections/users, "
              f"{args.seconds:g} s per run, server {server.url}")
        for i in range(args.repeats):
            w = run_wrk(server.url, args.users, args.seconds, script)
            c = ours(server.url, args.users, args.seconds, None)
            o = ours(server.url, args.users, args.seconds, rate=round(w["rps"] * 0.9))
            for name, r in (("wrk", w), ("ours-closed", c), ("ours-open", o)):
                rows[name].append(r)
                print(f"[{i+1}] " + fmt(name, r))
    med = {n: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for n, rs in rows.items()}
    print("\nmedians")
    for name, r in med.items():
        print("    " + fmt(name, r))
    base = med["wrk"]["p95"]
    for name in ("ours-closed", "ours-open"):
        ratio = med[name]["p95"] / base
        verdict = "within 10 %" if abs(ratio - 1) <= 0.10 else "NOT within 10 %"
        print(f"P95 {name} / wrk = {ratio:.3f} ({verdict}); "
              f"P95 - known latency: {(med[name]['p95'] - args.latency)*1e3:+.2f} ms "
              f"(wrk {(base - args.latency)*1e3:+.2f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
