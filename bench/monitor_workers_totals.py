"""Benchmark: what a real Prometheus reports for ``serve --workers 2`` against what was sent.

Starts ``scriptohio serve --workers 2`` (the source tree given by ``--src``, default this one,
so ``--src /path/to/main/src`` measures the baseline in the same run) and a Prometheus 2.42
scraping it every second, sends ``--requests`` GETs of ``/v1/teams/{team}`` from 8 threads
(a new connection each, so both workers answer), then compares per series family:

* requests: ``sum(scriptohio_http_requests_total{route})`` vs the responses the driver got;
* durations: ``sum(scriptohio_http_request_duration_seconds_count{route})`` vs the same;
* counter resets Prometheus saw over the run (``resets(...[10m])``; any is a series going
  backwards: two workers answering scrapes with their own numbers);
* the spread of ``/v1/monitor/status`` throughput over 8 calls (max / min) and its value
  (each worker answering with its own window reports about half the replica's);
* how many different ``process_start_time_seconds`` 12 scrapes saw (2: the scrape answers for
  whichever worker it reached) and Prometheus's ``changes()`` of it.

Needs a trained model in ``var/`` (``scriptohio train``) and the data (SCRIPTOHIO_DATA_DIR).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.monitor.test_monitor_workers_prometheus import (  # noqa: E402
    _eventually,
    _get,
    _scalar,
    prometheus,
)
from tests.servers import running_service  # noqa: E402

TEAMS = ("Ohio State", "Michigan", "Oregon", "Indiana", "Nowhere Tech")
FAMILIES = ("scriptohio_http_requests_total", "scriptohio_http_request_duration_seconds_count",
            "process_cpu_seconds_total", "scriptohio_cache_hits_total",
            "scriptohio_cache_requests_total")


def measure(src: Path, requests: int, models: Path) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        state = folder / "state"
        state.mkdir()
        (state / "models").symlink_to(models, target_is_directory=True)
        env = {"PYTHONPATH": str(src), "SCRIPTOHIO_RATE_LIMIT": "100000/minute",
               "SCRIPTOHIO_WARM_CACHE": "0", "SCRIPTOHIO_REPLICA": "bench"}
        with running_service(state, env, args=("--workers", "2"), wait_ready=True,
                             timeout=300) as url, \
                prometheus(url.removeprefix("http://"), folder) as prom:
            _eventually(prom, 'up{job="scriptohio"}', 1.0)
            urls = [f"{url}/v1/teams/{TEAMS[i % len(TEAMS)]}" for i in range(requests)]
            started = time.monotonic()
            with ThreadPoolExecutor(8) as pool:
                codes = Counter(pool.map(_get, urls))
            seconds = time.monotonic() - started
            time.sleep(2)
            rates = []
            for _ in range(8):
                with httpx.Client(timeout=10) as client:
                    body = client.get(url + "/v1/monitor/status").json()
                rates.append(body["criteria"]["throughput_rps"]["value"] or 0.0)
            route = 'route="/v1/teams/{team}"'
            _eventually(prom, f"sum(scriptohio_http_requests_total{{{route}}})", requests, 30)
            time.sleep(5)  # more scrapes, each reaching either worker
            out: dict[str, object] = {
                "sent": requests, "codes": dict(codes), "seconds": round(seconds, 1),
                "prom_requests": _scalar(prom, f"sum(scriptohio_http_requests_total{{{route}}})"),
                "prom_durations": _scalar(
                    prom, f"sum(scriptohio_http_request_duration_seconds_count{{{route}}})"),
                "status_rps_spread": round(max(rates) / min(rates), 2) if min(rates) else None,
                "status_rps": [round(r, 1) for r in rates],
            }
            for family in FAMILIES:
                out[f"resets {family}"] = _scalar(prom, f"sum(resets({family}[10m]))")
            # scraped directly, fresh connections: one value means one view of the replica
            starts = set()
            for _ in range(12):
                with httpx.Client(timeout=10) as client:
                    text = client.get(url + "/metrics").text
                starts |= {line.split()[-1] for line in text.splitlines()
                           if line.startswith("process_start_time_seconds ")}
            out["distinct process_start_time_seconds in 12 scrapes"] = len(starts)
            out["changes(process_start_time_seconds[10m]) in Prometheus"] = _scalar(
                prom, "sum(changes(process_start_time_seconds[10m]))")
            return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--src", action="append", type=Path,
                        help="source trees to measure (repeat: baseline first)")
    parser.add_argument("--models", type=Path, default=ROOT / "var" / "models")
    args = parser.parse_args()
    if shutil.which("prometheus") is None:
        sys.exit("needs prometheus (apt-get install prometheus)")
    os.environ.setdefault("SCRIPTOHIO_DATA_DIR", str(ROOT / "data"))
    for src in args.src or [ROOT / "src"]:
        result = measure(src.resolve(), args.requests, args.models.resolve())
        print(f"## {src}")
        for key, value in result.items():
            print(f"{key}: {value}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
