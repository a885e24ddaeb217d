"""GET /metrics and the metrics middleware, over ASGI and over a real loopback server."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from scriptohio.clock import FakeClock
from scriptohio.events import EventBus
from scriptohio.monitor import Monitor
from scriptohio.monitor.metrics import HTTP_BUCKETS, MonitorMetrics, prepare_multiprocess_dir

from .conftest import build_app, free_socket, serve

HERE = Path(__file__).resolve().parent


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, frozenset(s.labels.items()))] = s.value
    return out


def _get_closing(url: str) -> int:
    return httpx.get(url, headers={"Connection": "close"}, timeout=5).status_code


def value(text: str, name: str, **labels: str) -> float:
    return samples(text).get((name, frozenset(labels.items())), 0.0)


@pytest.fixture(params=["memory", "prometheus"])
def recorder_monitor(request: pytest.FixtureRequest) -> Iterator[Monitor]:
    """The same expectations hold for both HTTP recorders (single- and multi-process)."""
    monitor = Monitor(bus=EventBus(), sinks=[],
                      metrics=MonitorMetrics(http_recorder=request.param))
    yield monitor
    monitor.close()


#: Each request takes exactly this long on the middleware's stepped clock, whatever the host.
REQUEST_S = 0.001


@pytest.fixture
async def client(recorder_monitor: Monitor) -> AsyncIterator[httpx.AsyncClient]:
    # The middleware reads its timer once as a request enters and once as it leaves.
    app = build_app(recorder_monitor, timer=FakeClock(0.0, tick=REQUEST_S))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


async def test_requests_are_counted_per_route_template(client: httpx.AsyncClient) -> None:
    for team in ("ohio-state", "michigan", "penn-state"):
        assert (await client.get(f"/v1/teams/{team}")).status_code == 200
    assert (await client.get("/v1/fail")).status_code == 503
    assert (await client.get("/v1/crash")).status_code == 500
    assert (await client.get("/no/such/page")).status_code == 404
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    route = "/v1/teams/{team}"
    assert value(text, "scriptohio_http_requests_total", route=route, method="GET",
                 status="200") == 3
    assert value(text, "scriptohio_http_request_errors_total", route="/v1/fail",
                 method="GET") == 1
    assert value(text, "scriptohio_http_request_errors_total", route="/v1/crash",
                 method="GET") == 1
    assert value(text, "scriptohio_http_requests_total", route="<unmatched>", method="GET",
                 status="404") == 1
    assert "ohio-state" not in text  # paths never become labels
    assert value(text, "scriptohio_http_request_duration_seconds_count", route=route,
                 method="GET") == 3
    assert value(text, "scriptohio_http_requests_in_flight") == 0
    assert value(text, "scriptohio_http_request_duration_seconds_sum", route=route,
                 method="GET") == pytest.approx(3 * REQUEST_S)
    for bound in HTTP_BUCKETS:
        assert value(text, "scriptohio_http_request_duration_seconds_bucket", route=route,
                     method="GET", le=str(float(bound))) == 3
    # /metrics itself is excluded from the request metrics.
    assert all('route="/metrics"' not in line for line in text.splitlines())


async def test_metrics_exposes_resources_and_cache_tiers(
    client: httpx.AsyncClient, recorder_monitor: Monitor
) -> None:
    monitor = recorder_monitor
    class TwoTiers:
        def stats(self) -> dict[str, float]:
            return {"l1.hits": 80, "l1.misses": 20, "l1.bytes": 4096, "l2.hits": 15,
                    "l2.misses": 5, "l2.evictions": 2}

    monitor.add_cache_source(TwoTiers())
    text = (await client.get("/metrics")).text
    assert value(text, "scriptohio_cache_hits_total", tier="l1") == 80
    assert value(text, "scriptohio_cache_misses_total", tier="l2") == 5
    assert value(text, "scriptohio_cache_evictions_total", tier="l2") == 2
    assert value(text, "scriptohio_cache_bytes", tier="l1") == 4096
    assert value(text, "scriptohio_cache_hit_ratio", tier="l1") == pytest.approx(0.8)
    assert value(text, "scriptohio_process_resident_memory_bytes") > 1_000_000
    assert 0.0 < value(text, "scriptohio_system_memory_ratio") <= 1.0
    assert value(text, "process_cpu_seconds_total") > 0  # the standard process collector


def test_metrics_through_a_real_uvicorn_server(monitor: Monitor) -> None:
    with serve(build_app(monitor)) as base, httpx.Client(base_url=base, timeout=10) as c:
        for _ in range(25):
            assert c.get("/v1/teams/ohio-state").status_code == 200
        response = c.get("/metrics")
    assert response.status_code == 200
    assert value(response.text, "scriptohio_http_requests_total", route="/v1/teams/{team}",
                 method="GET", status="200") == 25


def test_metrics_merge_every_worker_in_multiprocess_mode(tmp_path: Path) -> None:
    """Two uvicorn workers, PROMETHEUS_MULTIPROC_DIR set: /metrics sums both."""
    sock = free_socket()
    port = sock.getsockname()[1]
    sock.close()
    (tmp_path / "counter_999999.db").write_bytes(b"stale")  # a previous run's leftovers
    env = dict(os.environ, PROMETHEUS_MULTIPROC_DIR=prepare_multiprocess_dir(tmp_path))
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "mp_app:app", "--app-dir", str(HERE),
         "--host", "127.0.0.1", "--port", str(port), "--workers", "2", "--log-level", "warning"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=5) as c:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if c.get("/v1/monitor/status").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                assert time.monotonic() < deadline, "workers did not start"
                time.sleep(0.2)
            # Fresh connections from several threads until both workers took some traffic.
            sent = 0
            with ThreadPoolExecutor(8) as pool:
                while len(list(tmp_path.glob("counter_*.db"))) < 2 and sent < 2000:
                    codes = list(pool.map(_get_closing, [f"{base}/v1/teams/ohio-state"] * 40))
                    assert codes == [200] * 40
                    sent += 40
            workers = len(list(tmp_path.glob("counter_*.db")))
            scrapes = [c.get("/metrics").text for _ in range(4)]
    finally:
        proc.terminate()
        proc.wait(timeout=15)
    assert workers == 2, "both workers should have handled requests"
    for text in scrapes:  # whichever worker answers, the sum covers both
        assert value(text, "scriptohio_http_requests_total", route="/v1/teams/{team}",
                     method="GET", status="200") == sent


@pytest.mark.parametrize("kind", ["memory", "prometheus"])
def test_histogram_buckets_are_cumulative_and_bounds_inclusive(kind: str) -> None:
    metrics = MonitorMetrics(http_recorder=kind)
    for seconds in (0.05, 0.3, 7.0):
        metrics.http.record("/v1/predict", "GET", 200, seconds)
    metrics.http.record("/v1/predict", "GET", 503, 1.2)
    text = metrics.exposition()[0].decode()
    labels = {"route": "/v1/predict", "method": "GET"}
    bucket = "scriptohio_http_request_duration_seconds_bucket"
    assert [value(text, bucket, le=le, **labels) for le in ("0.05", "0.25", "0.5", "1.5",
                                                             "5.0", "+Inf")] == [1, 1, 2, 3, 3, 4]
    assert value(text, "scriptohio_http_request_duration_seconds_sum", **labels) == \
        pytest.approx(8.55)
    assert value(text, "scriptohio_http_request_errors_total", **labels) == 1
    assert value(text, "scriptohio_http_requests_total", status="200", **labels) == 3


@pytest.mark.parametrize("kind", ["memory", "prometheus"])
def test_odd_characters_in_labels_survive_the_exposition(kind: str) -> None:
    metrics = MonitorMetrics(http_recorder=kind)
    route = '/v1/odd/"quoted"\\back\nline'
    metrics.http.record(route, "GET", 200, 0.1)
    text = metrics.exposition()[0].decode()
    assert value(text, "scriptohio_http_requests_total", route=route, method="GET",
                 status="200") == 1
