"""Two workers, one replica: a real Prometheus scraping ``scriptohio serve --workers 2`` reports
the requests the test sent, series never go backwards, and status does not flip between workers.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.servers import running_service

pytestmark = pytest.mark.skipif(
    shutil.which("prometheus") is None and os.environ.get("CI") != "true",
    reason="prometheus not installed (apt-get install prometheus); required in CI")

REQUESTS = 240
TEAMS = ("Ohio State", "Michigan", "Oregon", "Indiana")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def prometheus(target: str, folder: Path) -> Iterator[str]:
    """A real Prometheus scraping ``target`` every second (job "scriptohio")."""
    port = _free_port()
    (folder / "prometheus.yml").write_text(
        "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
        "scrape_configs:\n  - job_name: scriptohio\n"
        f"    static_configs: [{{targets: ['{target}']}}]\n")
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            ["prometheus", f"--config.file={folder / 'prometheus.yml'}",
             f"--storage.tsdb.path={folder / 'tsdb'}", f"--web.listen-address=127.0.0.1:{port}"],
            stdout=subprocess.DEVNULL, stderr=log)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(url + "/-/ready", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert proc.poll() is None and time.monotonic() < deadline, "no prometheus"
                time.sleep(0.2)
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def _query(url: str, expr: str) -> list[dict[str, Any]]:
    body = httpx.get(url + "/api/v1/query", params={"query": expr}, timeout=5).json()
    assert body["status"] == "success", body
    return list(body["data"]["result"])


def _scalar(url: str, expr: str) -> float | None:
    result = _query(url, expr)
    return float(result[0]["value"][1]) if result else None


def _eventually(url: str, expr: str, expected: float, timeout: float = 60) -> float | None:
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = _scalar(url, expr)
        if value == expected:
            return value
        time.sleep(0.5)
    return value


def _get(url: str) -> int:
    # a new connection each time: uvicorn's workers share the socket, so both take some
    with httpx.Client(timeout=30) as client:
        return client.get(url).status_code


def test_prometheus_totals_match_what_was_sent_with_two_workers(
        tmp_path: Path, trained_state: Path, data_dir: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    (state / "models").symlink_to(trained_state / "models", target_is_directory=True)
    env = {"SCRIPTOHIO_DATA_DIR": str(data_dir), "SCRIPTOHIO_RATE_LIMIT": "100000/minute",
           "SCRIPTOHIO_WARM_CACHE": "0", "SCRIPTOHIO_REPLICA": "replica-a"}
    with running_service(state, env, args=("--workers", "2"), wait_ready=True,
                         timeout=180) as url, \
            prometheus(url.removeprefix("http://"), tmp_path) as prom:
        assert _eventually(prom, 'up{job="scriptohio"}', 1.0) == 1.0
        urls = [f"{url}/v1/teams/{TEAMS[i % len(TEAMS)]}" for i in range(REQUESTS - 20)]
        urls += [f"{url}/v1/teams/Nowhere%20Tech{i}" for i in range(20)]  # 404s
        with ThreadPoolExecutor(8) as pool:
            codes = list(pool.map(_get, urls))
        # status, read well inside its 60 s window, reads the replica's totals: the same
        # whichever worker answers
        time.sleep(2)  # both workers have ticked past the last request
        bodies = [httpx.Client(timeout=10).get(url + "/v1/monitor/status").json()
                  for _ in range(8)]
        # every request answered (a busy host may shed some with 503: they count too)
        assert len(codes) == REQUESTS and 200 in codes
        route = 'route="/v1/teams/{team}"'
        sent = _eventually(prom, f"sum(scriptohio_http_requests_total{{{route}}})", REQUESTS)
        assert sent == REQUESTS
        for code in set(codes):
            assert _scalar(prom, f'sum(scriptohio_http_requests_total{{{route},status='
                                 f'"{code}"}})') == codes.count(code), code
        assert _eventually(prom, f"sum(scriptohio_http_request_duration_seconds_count"
                                 f"{{{route}}})", REQUESTS) == REQUESTS
        # both workers' cache lookups (a repeat the answer memo serves is no lookup)
        lookups = _scalar(prom, "sum(scriptohio_cache_requests_total)")
        assert lookups is not None and lookups > 0
        # the replica: two live workers, named, its counters never going backwards
        assert _eventually(prom, "scriptohio_worker_processes", 2.0) == 2.0
        assert _query(prom, 'scriptohio_replica_info{replica="replica-a"}')
        time.sleep(3)  # a few more scrapes, each reaching either worker
        for series in ("process_cpu_seconds_total", "scriptohio_http_requests_total",
                       "scriptohio_cache_requests_total", "scriptohio_cache_hits_total"):
            assert _scalar(prom, f"sum(resets({series}[5m]))") == 0.0, series
    # each worker alone would see about half the requests (it was 1 of 2 answering them);
    # the status calls themselves add a few, so allow a little drift, not a factor of two
    rates = [b["criteria"]["throughput_rps"]["value"] for b in bodies]
    assert min(rates) > 0 and max(rates) / min(rates) < 1.25, rates
    successes = [b["criteria"]["success_rate"]["value"] for b in bodies]
    assert max(successes) - min(successes) < 0.05, successes
