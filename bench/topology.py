"""Benchmark: replicas behind HAProxy, with network namespaces as hosts.

One topology (``scriptohio.testing.topology``): an lb host (its own Redis, HAProxy), three
service hosts running ``scriptohio serve`` (shared tier and rate limits in that Redis), two
driver hosts.

1. **Scaling**: wrk from a driver host (``bench/wrk/team_pages.lua``: six team pages in turn)
   with 1, 2 and 3 replicas in rotation (the others put in HAProxy maintenance), interleaved
   over ``BENCH_ROUNDS`` rounds; medians of req/s and P95, the ratio against 1 replica in the
   same run, failed requests (non-2xx + socket errors).
2. **A replica killed mid-load** (SIGKILL, under a closed loop): failed requests, seconds until
   HAProxy takes it out, seconds from its restart until it is back in rotation, HAProxy's
   retries. With ``BENCH_VANISH=1`` also a host that *vanishes* (link cut: silence, no resets).
3. **Redis killed mid-load**: failed requests while Redis is down and after it comes back.
4. **Rolling restart** of every replica (SIGTERM → drain → exit → start → back UP, one at a
   time) under a closed loop: failed requests.
5. With ``BENCH_LOCUST_USERS`` (e.g. ``1000,2000``): ``scriptohio loadtest`` stress scenario
   for ``BENCH_LOCUST_SECONDS`` (30), its master on one driver host and a worker on the other,
   at 1, 2, 3 replicas: throughput, answered (2xx) per second, P95, real failures and sheds
   (503 + Retry-After under saturation), the 503s the users retried (they honour Retry-After
   unless ``BENCH_NO_RETRY=1``) and the requests that gave up, the ratios against 1 replica,
   and HAProxy's own account of each run when ``BENCH_HAPROXY_LOG=info`` (answers by status,
   door or replica, termination state; queue wait). ``BENCH_HAPROXY_SERVER_MAXCONN``,
   ``BENCH_HAPROXY_QUEUE_PER_SERVER`` and ``BENCH_HAPROXY_QUEUE_TIMEOUT`` override the edge
   settings of ``deploy/haproxy/haproxy.cfg``.

The host has few cores shared by everything here (replicas, HAProxy, Redis, the drivers): the
scaling ratio says how far more replicas help *on this box*, not on separate machines.
``BENCH_PIN=1`` pins replica *i* to CPU ``i mod cores``. Needs root, haproxy, redis-server, wrk,
trained models (``--models``, default ./var) and the data (``SCRIPTOHIO_DATA_DIR``).

    sudo SCRIPTOHIO_DATA_DIR=../shared/data .venv/bin/python bench/topology.py
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from scriptohio.data.paths import find_data_dir
from scriptohio.testing.topology import Topology, TopologyConfig

ROOT = Path(__file__).resolve().parent.parent
LUA = ROOT / "bench" / "wrk" / "team_pages.lua"
PATHS = tuple(f"/v1/teams/{team}" for team in ("Ohio%20State", "Michigan", "Alabama",
                                               "Georgia", "Texas", "Oregon"))


def wrk(topo: Topology, seconds: float, connections: int) -> dict[str, Any]:
    done = subprocess.run(topo.drivers[0].command(
        "wrk", "-t2", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s", "-s", str(LUA),
        topo.url), capture_output=True, text=True, timeout=seconds + 60, check=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["failed"] = result["non2xx"] + result["socket_errors"]
    return result


def in_rotation(topo: Topology, count: int) -> None:
    for i in range(len(topo.replicas)):
        topo.set_server_state(f"s{i + 1}", "ready" if i < count else "maint")
    topo.wait_servers_up(count)


def scaling(topo: Topology, rounds: int, seconds: float,
            connections: int) -> dict[int, dict[str, Any]]:
    runs: dict[int, list[dict[str, Any]]] = {n: [] for n in range(1, len(topo.replicas) + 1)}
    for _ in range(rounds):
        for n in runs:
            in_rotation(topo, n)
            runs[n].append(wrk(topo, seconds, connections))
    in_rotation(topo, len(topo.replicas))
    base = statistics.median(r["rps"] for r in runs[1])
    out = {}
    for n, results in runs.items():
        rps = statistics.median(r["rps"] for r in results)
        out[n] = {"rps_median": round(rps, 1),
                  "p95_ms_median": round(statistics.median(r["p95_ms"] for r in results), 2),
                  "ratio_vs_1": round(rps / base, 2),
                  "failed": sum(r["failed"] for r in results),
                  "requests": sum(r["requests"] for r in results),
                  "rps_runs": [r["rps"] for r in results]}
    return out


def kill_replica(topo: Topology, work: Path, concurrency: int) -> dict[str, Any]:
    stop = work / "stop-kill"
    run = topo.drive(paths=PATHS, concurrency=concurrency, max_requests=10**7,
                     max_seconds=120, stop_file=stop)
    started = time.monotonic()
    time.sleep(3)
    killed_at = time.monotonic() - started
    topo.replicas[1].signal(signal.SIGKILL)
    topo.replicas[1].wait()
    taken_out_s = topo.wait_server_state("s2", "DOWN")
    time.sleep(2)
    restarted = time.monotonic()
    topo.restart(1)
    topo.wait_server_state("s2", "UP")
    back_in_s = time.monotonic() - restarted
    time.sleep(2)
    stop.touch()
    result = run.result()
    late = [t - killed_at for t in result["failures_at_s"]]
    stats = topo.server_stats()
    return {"sent": result["sent"], "failed": result["failed"], "errors": result["errors"],
            "statuses": result["statuses"], "taken_out_s": round(taken_out_s, 2),
            "haproxy_retries": sum(int(r.get("wretr") or 0) for r in stats.values()),
            "haproxy_redispatches": sum(int(r.get("wredis") or 0) for r in stats.values()),
            "restart_to_back_in_s": round(back_in_s, 2),
            "last_failure_after_kill_s": round(max(late), 2) if late else None}


def vanish_host(topo: Topology, work: Path, concurrency: int) -> dict[str, Any]:
    """Service host 3 vanishes (its link cut, its process killed): no resets, only silence, so
    what it held waits for HAProxy's ``timeout server``."""
    stop = work / "stop-vanish"
    run = topo.drive(paths=PATHS, concurrency=concurrency, max_requests=10**7,
                     max_seconds=180, stop_file=stop)
    started = time.monotonic()
    time.sleep(3)
    gone_at = time.monotonic() - started
    topo.cut_link(topo.services[2])
    topo.replicas[2].signal(signal.SIGKILL)
    topo.replicas[2].wait()
    taken_out_s = topo.wait_server_state("s3", "DOWN")
    time.sleep(35)  # past HAProxy's 30 s server timeout: what it held has resolved
    topo.cut_link(topo.services[2], up=True)
    restarted = time.monotonic()
    topo.restart(2)
    topo.wait_server_state("s3", "UP")
    back_in_s = time.monotonic() - restarted
    stop.touch()
    result = run.result()
    late = [t - gone_at for t in result["failures_at_s"]]
    return {"sent": result["sent"], "failed": result["failed"], "errors": result["errors"],
            "statuses": result["statuses"], "taken_out_s": round(taken_out_s, 2),
            "restart_to_back_in_s": round(back_in_s, 2),
            "last_failure_after_vanish_s": round(max(late), 2) if late else None,
            "p95_s": result["p95_s"]}


def kill_redis(topo: Topology, work: Path, concurrency: int) -> dict[str, Any]:
    stop = work / "stop-redis"
    run = topo.drive(paths=PATHS, concurrency=concurrency, max_requests=10**7,
                     max_seconds=120, stop_file=stop)
    time.sleep(3)
    topo.kill_redis()
    down = topo.drive(1, paths=PATHS, concurrency=4, max_requests=10**7, max_seconds=5).result()
    topo.start_redis()
    after = topo.drive(1, paths=PATHS, concurrency=4, max_requests=10**7,
                       max_seconds=5).result()
    stop.touch()
    result = run.result()
    return {"sent": result["sent"], "failed": result["failed"], "errors": result["errors"],
            "statuses": result["statuses"],
            "redis_down": {k: down[k] for k in ("sent", "failed", "p50_s", "p95_s")},
            "redis_back": {k: after[k] for k in ("sent", "failed", "p50_s", "p95_s")}}


def rolling_restart(topo: Topology, work: Path, concurrency: int) -> dict[str, Any]:
    stop = work / "stop-roll"
    run = topo.drive(paths=PATHS, concurrency=concurrency, max_requests=10**7,
                     max_seconds=600, stop_file=stop)
    started = time.monotonic()
    codes = []
    for i, replica in enumerate(list(topo.replicas)):
        replica.signal(signal.SIGTERM)
        codes.append(replica.wait(timeout_s=120))
        topo.restart(i)
        topo.wait_servers_up(len(topo.replicas))
    stop.touch()
    result = run.result()
    return {"sent": result["sent"], "failed": result["failed"], "errors": result["errors"],
            "statuses": result["statuses"], "served_by": result["served_by"],
            "exit_codes": codes, "seconds": round(time.monotonic() - started, 1)}


_REQUEST_LINE = re.compile(r'"[A-Z]+ (/[^ ?"]*)')
OPS_PATHS = ("/health", "/ready", "/metrics", "/v1/monitor/")
_HTTPLOG = re.compile(r' (\S+)/(\S+) (-?\d+)/(-?\d+)/(-?\d+)/(-?\d+)/(-?\d+) (\d{3}) \d+ '
                      r'\S+ \S+ (\S{4}) ')


def haproxy_tally(log: str) -> dict[str, Any]:
    """HAProxy's httplog lines (``log_level`` info): answers by status, server (``<NOSRV>``:
    refused at the door) and termination state (``sQ``: timed out in the queue), the P95 of
    the time served requests waited in HAProxy's queue (Tw), and the requests on operations
    paths (``OPS_PATHS``) and on the others."""
    kinds: Counter[str] = Counter()
    waits: list[int] = []
    totals: list[int] = []
    for match in _HTTPLOG.finditer(log):
        server, wait, total = match.group(2), int(match.group(4)), int(match.group(7))
        status, term = match.group(8), match.group(9)
        kinds[f"{status} {'door' if server == '<NOSRV>' else 'replica'} {term[:2]}"] += 1
        if status == "200" and wait >= 0:
            waits.append(wait)
            totals.append(total)
    waits.sort()
    totals.sort()

    def p95(values: list[int]) -> int | None:
        return values[int(0.95 * (len(values) - 1))] if values else None

    # Ta: from the request's arrival at HAProxy to its answer (queue + replica), the
    # latency the service owes; the load tester's P95 adds the drivers' own delays
    paths = [m.group(1) for m in _REQUEST_LINE.finditer(log)]
    ops = sum(1 for path in paths if path.startswith(OPS_PATHS))
    return {"answers": dict(kinds.most_common()), "queue_wait_p95_ms": p95(waits),
            "requests_on_ops_paths": ops, "requests_on_other_paths": len(paths) - ops,
            "queue_wait_max_ms": waits[-1] if waits else None, "answer_p95_ms": p95(totals)}


def locust(topo: Topology, users: int, seconds: float, report: Path) -> dict[str, Any]:
    """The stress scenario at ``users``: master on driver 1, one worker on driver 2."""
    master_host = topo.drivers[0].address
    report.mkdir(parents=True, exist_ok=True)
    spec = report / "worker-spec.json"
    spec.unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    retry = ["--no-retry-after"] if os.environ.get("BENCH_NO_RETRY") == "1" else []
    log_from = len(topo.haproxy_log())
    load_before = os.getloadavg()[0]
    master = subprocess.Popen(topo.drivers[0].command(
        sys.executable, "-m", "scriptohio.cli.main", "loadtest", "--host", topo.url,
        "--scenario", "stress", "--users", str(users), "--duration", f"{seconds:g}s",
        "--remote-workers", "1", "--master-bind", master_host, "--master-port", "5557",
        "--report", str(report), *retry), env=env, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not spec.exists() and time.monotonic() < deadline and master.poll() is None:
        time.sleep(0.1)
    worker = subprocess.Popen(topo.drivers[1].command(
        sys.executable, "-m", "scriptohio.cli.main", "loadtest", "worker", "--spec", str(spec),
        "--master-host", master_host), env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    out, err = master.communicate(timeout=seconds + 300)
    worker.wait(timeout=60)
    text = out.decode()
    start = text.find("{")
    if start < 0:
        raise RuntimeError(f"loadtest printed no result: {err.decode()[-2000:]}")
    summary = json.loads(text[start:])["summary"]
    ok = summary["outcomes"].get("ok", 0)
    return {"users": users, "requests": summary["requests"],
            "rps": round(summary["throughput_rps"], 1),
            "ok_rps": round(ok / summary["duration_s"], 1), "outcomes": summary["outcomes"],
            "cache_hit_rate": summary["cache_hit_rate"],
            "p95_s": summary["latency_s"].get("p95"),
            "p95_at_peak_s": (summary.get("latency_at_peak_s") or {}).get("p95"),
            "real_failures": summary["real_failures"],
            "intended_rejections": summary["intended_rejections"],
            "retry_after": summary.get("retry_after"), "retried": summary.get("retried"),
            "gave_up": summary.get("gave_up"), "attempts": summary.get("attempts"),
            "peak_users": summary["peak_users"],
            "engine_errors": summary["engine_errors"][:5],
            "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
            "haproxy": haproxy_tally(topo.haproxy_log()[log_from:])}


def locust_scaling(topo: Topology, users: list[int], seconds: float) -> dict[str, Any]:
    out: dict[str, Any] = {}
    # the shared tier remembers what the first run computed: one run, discarded, first, so
    # every measured run meets the same warmed tier (the order would otherwise favour the last)
    in_rotation(topo, len(topo.replicas))
    warmup = locust(topo, max(users), seconds, topo.workdir / "locust-warmup")
    print(json.dumps({"locust_warmup_discarded": warmup}), flush=True)
    for count in users:
        runs = {}
        for n in range(1, len(topo.replicas) + 1):
            in_rotation(topo, n)
            runs[n] = locust(topo, count, seconds, topo.workdir / f"locust-{count}-{n}")
            print(json.dumps({"locust": {count: {n: runs[n]}}}), flush=True)
        base = runs[1]["rps"] or 1.0
        good = runs[1]["ok_rps"] or 1.0
        for run in runs.values():
            run["ratio_vs_1"] = round(run["rps"] / base, 2)
            run["ok_ratio_vs_1"] = round(run["ok_rps"] / good, 2)
        out[str(count)] = runs
    in_rotation(topo, len(topo.replicas))
    return out


def haproxy_options() -> dict[str, Any]:
    """HAProxy settings from ``BENCH_HAPROXY_*`` (unset: the shipped defaults)."""
    names = {"BENCH_HAPROXY_SERVER_MAXCONN": ("server_maxconn", int),
             "BENCH_HAPROXY_QUEUE_PER_SERVER": ("queue_per_server", int),
             "BENCH_HAPROXY_QUEUE_TIMEOUT": ("queue_timeout", str),
             "BENCH_HAPROXY_LOG": ("log_level", str)}
    return {key: kind(os.environ[var]) for var, (key, kind) in names.items() if var in os.environ}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=Path, default=ROOT / "var",
                        help="state directory with trained models")
    parser.add_argument("--replicas", type=int, default=3)
    args = parser.parse_args()
    rounds = int(os.environ.get("BENCH_ROUNDS", "3"))
    seconds = float(os.environ.get("BENCH_SECONDS", "8"))
    connections = int(os.environ.get("BENCH_CONNECTIONS", "64"))
    concurrency = int(os.environ.get("BENCH_CONCURRENCY", "16"))
    cores = os.cpu_count() or 1
    pin = [{i % cores} for i in range(args.replicas)] \
        if os.environ.get("BENCH_PIN") == "1" else []
    config = TopologyConfig(replicas=args.replicas, drivers=2,
                            data_dir=str(find_data_dir(os.environ.get("SCRIPTOHIO_DATA_DIR"))),
                            models_from=args.models, replica_cpus=pin,
                            haproxy=haproxy_options())
    figures: dict[str, Any] = {"cores": cores, "pinned": bool(pin), "rounds": rounds,
                               "seconds_per_run": seconds, "wrk_connections": connections,
                               "closed_loop_concurrency": concurrency,
                               "haproxy": config.haproxy}
    t0 = time.monotonic()
    with Topology(config) as topo:
        figures["topology_up_s"] = round(time.monotonic() - t0, 1)
        wrk(topo, 3, connections)  # every replica's cache and Redis filled once
        if os.environ.get("BENCH_SKIP_WRK") != "1":
            figures["scaling"] = scaling(topo, rounds, seconds, connections)
            print(json.dumps({"scaling": figures["scaling"]}), flush=True)
        users = [int(u) for u in os.environ.get("BENCH_LOCUST_USERS", "").split(",") if u]
        if users:
            figures["locust"] = locust_scaling(
                topo, users, float(os.environ.get("BENCH_LOCUST_SECONDS", "30")))
        if os.environ.get("BENCH_SKIP_FAULTS") == "1":
            print(json.dumps(figures, indent=2))
            return
        figures["kill_replica"] = kill_replica(topo, topo.workdir, concurrency)
        if os.environ.get("BENCH_VANISH") == "1":
            figures["vanish_host"] = vanish_host(topo, topo.workdir, concurrency)
        figures["kill_redis"] = kill_redis(topo, topo.workdir, concurrency)
        figures["rolling_restart"] = rolling_restart(topo, topo.workdir, concurrency)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
