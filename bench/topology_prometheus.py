"""Benchmark: a real Prometheus scraping the replicas of the namespace topology, against what
the load tester sent and what HAProxy forwarded, per series family.

One topology (``scriptohio.testing.topology``): the lb host (Redis, HAProxy, and here a
Prometheus 2.42 scraping every replica's ``/metrics`` once a second, each replica a target labelled
``replica`` s1, s2 … as HAProxy names it), ``--replicas`` service hosts each running
``scriptohio serve --workers N``, two driver hosts running the Locust stress scenario (master on
one, a worker on the other) through HAProxy. Before the load and once it has ended (and two
scrapes more have come in), the same queries are read from Prometheus; the table compares the
increase with:

* the load tester: HTTP requests it sent (``attempts``: final answers plus the 503s/429s it
  retried), and its final answers by class;
* HAProxy's frontend counters (``req_tot``, ``hrsp_2xx`` ...), a count kept by another program.

Series families: ``scriptohio_http_requests_total`` (by status class), the request-duration
histogram's ``_count``, per replica (each target's share and HAProxy's ``stot`` per server;
HAProxy's counters include the operations requests that went through it, its log is counted
without them),
counter resets over the run (``resets()``: a series that went backwards, e.g. two workers
answering scrapes with their own numbers), targets up, distinct ``scriptohio_replica_info``,
``process_start_time_seconds`` changes, and ``scriptohio_worker_processes``. Operations paths
(``/health``, ``/ready``, ``/metrics``, ``/v1/monitor/``: HAProxy's health checks, the load
tester's own server samples) are left out of Prometheus's counts and of HAProxy's log count.

Needs root, haproxy, redis-server, prometheus, trained models (``--models``, default ./var)
and the data (``SCRIPTOHIO_DATA_DIR``). Writes ``docs/results/topology-prometheus.md``.

    sudo SCRIPTOHIO_DATA_DIR=../shared/data .venv/bin/python bench/topology_prometheus.py \
        [--replicas 3] [--workers 2] [--users 1000] [--seconds 30]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from scriptohio.data.paths import find_data_dir  # noqa: E402
from scriptohio.testing.topology import SERVE_PORT, Topology, TopologyConfig  # noqa: E402
from topology import locust  # noqa: E402  (bench/topology.py: the stress run on driver hosts)

PROM_PORT = 9090
#: requests the load did not make: HAProxy's health checks, scrapes, the tester's samples
OPS = 'route!~"/health|/ready|/metrics|/v1/monitor/.*"'
QUERIES = {
    "requests": f"sum(scriptohio_http_requests_total{{{OPS}}})",
    "requests 2xx": f'sum(scriptohio_http_requests_total{{{OPS},status=~"2.."}}) or vector(0)',
    "requests 4xx": f'sum(scriptohio_http_requests_total{{{OPS},status=~"4.."}}) or vector(0)',
    "requests 5xx": f'sum(scriptohio_http_requests_total{{{OPS},status=~"5.."}}) or vector(0)',
    "durations": f"sum(scriptohio_http_request_duration_seconds_count{{{OPS}}})",
}


def prometheus_config(topo: Topology) -> str:
    targets = "\n".join(
        f"      - targets: ['{host.address}:{SERVE_PORT}']\n"
        f"        labels: {{replica: s{i + 1}}}" for i, host in enumerate(topo.services))
    return ("global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
            "scrape_configs:\n  - job_name: scriptohio\n    static_configs:\n"
            f"{targets}\n")


def start_prometheus(topo: Topology) -> subprocess.Popen[bytes]:
    folder = topo.workdir / "prometheus"
    folder.mkdir()
    (folder / "prometheus.yml").write_text(prometheus_config(topo))
    log = open(folder / "log", "wb")  # noqa: SIM115 (kept for the process's life)
    return subprocess.Popen(topo.lb.command(
        "prometheus", f"--config.file={folder / 'prometheus.yml'}",
        f"--storage.tsdb.path={folder / 'tsdb'}",
        f"--web.listen-address=127.0.0.1:{PROM_PORT}"), stdout=subprocess.DEVNULL, stderr=log)


def query(topo: Topology, expr: str) -> list[dict[str, Any]]:
    """One instant query, from inside the lb host (Prometheus listens on its loopback)."""
    out = subprocess.run(topo.lb.command(
        "curl", "-sf", "-G", "--data-urlencode", f"query={expr}",
        f"http://127.0.0.1:{PROM_PORT}/api/v1/query"), capture_output=True, text=True,
        timeout=30)
    if out.returncode != 0:
        raise RuntimeError(f"prometheus query failed ({out.returncode}): {expr}")
    body = json.loads(out.stdout)
    return list(body["data"]["result"])


def scalar(topo: Topology, expr: str) -> float:
    result = query(topo, expr)
    return float(result[0]["value"][1]) if result else 0.0


def by_replica(topo: Topology, expr: str) -> dict[str, float]:
    return {r["metric"].get("replica", "?"): float(r["value"][1]) for r in query(topo, expr)}


def wait_targets(topo: Topology, count: int, timeout_s: float = 90.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if scalar(topo, 'count(up{job="scriptohio"} == 1)') == count:
                return
        except RuntimeError:
            pass  # not listening yet
        time.sleep(0.5)
    raise RuntimeError(f"Prometheus did not see {count} targets up")


def settle(topo: Topology) -> None:
    """Wait until two scrapes in a row report the same request totals (the load is over and
    Prometheus has the last of it)."""
    last = None
    for _ in range(60):
        now = (scalar(topo, QUERIES["requests"]), scalar(topo, QUERIES["durations"]),
               scalar(topo, "max(timestamp(up))"))
        if last is not None and now[:2] == last[:2] and now[2] > last[2]:
            return  # a newer scrape than the last read, and the same totals
        last = now
        time.sleep(1.2)
    raise RuntimeError("Prometheus's totals did not settle in 72 s")


def frontend(topo: Topology) -> dict[str, int]:
    row = topo.frontend_stats()
    out = {k: int(row[k] or 0) for k in ("req_tot", "hrsp_2xx", "hrsp_4xx", "hrsp_5xx")}
    out.update({f"stot {name}": int(s["stot"] or 0) for name, s in topo.server_stats().items()})
    return out


def snapshot(topo: Topology) -> dict[str, Any]:
    return {"prom": {name: scalar(topo, expr) for name, expr in QUERIES.items()},
            "per_replica": by_replica(
                topo, f"sum by (replica) (scriptohio_http_requests_total{{{OPS}}})"),
            "haproxy": frontend(topo)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=Path, default=ROOT / "var")
    parser.add_argument("--replicas", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--out", type=Path,
                        default=ROOT / "docs" / "results" / "topology-prometheus.md")
    args = parser.parse_args()
    config = TopologyConfig(
        replicas=args.replicas, drivers=2,
        data_dir=str(find_data_dir(os.environ.get("SCRIPTOHIO_DATA_DIR"))),
        models_from=args.models, serve_args=("--workers", str(args.workers)),
        haproxy={"log_level": "info"})  # every request logged, with its termination state
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load = [os.getloadavg()[0]]
    with Topology(config) as topo:
        prom = start_prometheus(topo)
        try:
            wait_targets(topo, args.replicas)
            print(f"Prometheus sees {args.replicas} targets; load: {args.users} users, "
                  f"{args.seconds:g} s", flush=True)
            settle(topo)
            before = snapshot(topo)
            run = locust(topo, args.users, args.seconds, topo.workdir / "locust")
            settle(topo)
            after = snapshot(topo)
            after["haproxy"]["logged"] = run["haproxy"]["requests_on_other_paths"]
            after["haproxy"]["logged ops"] = run["haproxy"]["requests_on_ops_paths"]
            window = f"{int(args.seconds + 120)}s"
            extra = {
                "targets up": scalar(topo, 'count(up{job="scriptohio"} == 1)'),
                "distinct scriptohio_replica_info": scalar(
                    topo, "count(count by (replica) (scriptohio_replica_info))"),
                "worker processes (sum)": scalar(topo, "sum(scriptohio_worker_processes)"),
                "counter resets: requests": scalar(
                    topo, f"sum(resets(scriptohio_http_requests_total[{window}]))"),
                "counter resets: durations": scalar(
                    topo, f"sum(resets(scriptohio_http_request_duration_seconds_count[{window}]))"),
                "counter resets: process CPU": scalar(
                    topo, f"sum(resets(process_cpu_seconds_total[{window}]))"),
                "counter resets: cache hits": scalar(
                    topo, f"sum(resets(scriptohio_cache_hits_total[{window}])) or vector(0)"),
                "process_start_time_seconds changes": scalar(
                    topo, f"sum(changes(process_start_time_seconds[{window}]))"),
            }
        finally:
            prom.terminate()
            prom.wait(timeout=30)
    load.append(os.getloadavg()[0])
    write(args, started, load, before, after, run, extra)


def write(args: argparse.Namespace, started: str, load: list[float], before: dict[str, Any],
          after: dict[str, Any], run: dict[str, Any], extra: dict[str, float]) -> None:
    def d(section: str, key: str) -> int:
        return round(after[section].get(key, 0) - before[section].get(key, 0))

    out = run["outcomes"]
    final_4xx = sum(out.get(k, 0) for k in ("client_error", "rate_limited"))
    final_5xx = sum(out.get(k, 0) for k in ("server_error", "shed"))
    retried = run["attempts"] - run["requests"]
    lines = [
        "# Prometheus scraping the namespace topology (bench/topology_prometheus.py)", "",
        f"Run {started} on this 2-core machine (load average {load[0]:.1f} at the start, "
        f"{load[1]:.1f} at the end): {args.replicas} service hosts, each `scriptohio serve "
        f"--workers {args.workers}`, behind HAProxy on the lb host; Prometheus 2.42 on the lb "
        "host scraping every replica's `/metrics` each second; the Locust stress scenario "
        f"({args.users} users, {args.seconds:g} s; master and worker on their own driver "
        "hosts) through HAProxy. Increase over the run, operations paths left out.", "",
        "```sh",
        "sudo SCRIPTOHIO_DATA_DIR=/work/shared/data .venv/bin/python bench/topology_prometheus.py"
        f" --replicas {args.replicas} --workers {args.workers} --users {args.users}"
        f" --seconds {args.seconds:g}",
        "```", "",
        "| series family | Prometheus | load tester | HAProxy frontend |",
        "|---|---|---|---|",
        f"| `scriptohio_http_requests_total` | {d('prom', 'requests'):,} | "
        f"{run['attempts']:,} sent ({run['requests']:,} final + {retried:,} retried) | "
        f"{d('haproxy', 'req_tot'):,} |",
        f"| ... status 2xx | {d('prom', 'requests 2xx'):,} | {out.get('ok', 0):,} | "
        f"{d('haproxy', 'hrsp_2xx'):,} |",
        f"| ... status 4xx | {d('prom', 'requests 4xx'):,} | {final_4xx:,} final | "
        f"{d('haproxy', 'hrsp_4xx'):,} |",
        f"| ... status 5xx | {d('prom', 'requests 5xx'):,} | {final_5xx:,} final | "
        f"{d('haproxy', 'hrsp_5xx'):,} |",
        f"| ... HAProxy's log: requests on other than operations paths | | | "
        f"{d('haproxy', 'logged'):,} (and {d('haproxy', 'logged ops'):,} on operations "
        "paths) |",
        f"| `scriptohio_http_request_duration_seconds_count` | {d('prom', 'durations'):,} | "
        f"{run['attempts']:,} | |",
    ]
    for name in sorted(after["per_replica"]):
        lines.append(f"| ... replica {name} | {d('per_replica', name):,} | | "
                     f"{d('haproxy', f'stot {name}'):,} forwarded |")
    lines += ["", "| check | value |", "|---|---|"]
    lines += [f"| {k} | {v:g} |" for k, v in extra.items()]
    lines += ["", f"Load tester: {run['requests']:,} final answers ({out}), P95 "
              f"{run['p95_s']:.2f} s, real failures {run['real_failures']}, "
              f"{run['ok_rps']} answered 2xx/s.", "",
              "HAProxy's log of the run, by status, who answered and termination state "
              "(`--`: a normal end; `C…`: the client closed before the answer was sent; "
              "operations paths included): "
              + ", ".join(f"{k}: {v:,}" for k, v in run["haproxy"]["answers"].items()) + ".",
              ""]
    args.out.write_text("\n".join(lines))
    print("\n".join(lines))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
