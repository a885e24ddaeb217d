"""The dashboard's HTTP side: page, local assets, SSE stream, and the monitor's ticker."""

from __future__ import annotations

import json
import re

import httpx
import orjson

from scriptohio.clock import FakeClock
from scriptohio.events import EventBus
from scriptohio.monitor import Monitor, MonitorConfig
from scriptohio.runtime.telemetry import EventLoopLag

from .conftest import EPOCH, build_app, serve


async def test_dashboard_page_uses_only_assets_served_by_the_app(monitor: Monitor) -> None:
    transport = httpx.ASGITransport(app=build_app(monitor))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        page = await client.get("/dashboard")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        refs = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assert refs and all(not r.startswith(("http:", "https:", "//")) for r in refs)
        for ref in refs:
            if ref.startswith("data:"):
                continue
            asset = await client.get(f"/{ref}")
            assert asset.status_code == 200, ref
        assert (await client.get("/dashboard/static/secrets.py")).status_code == 404
        assert (await client.get("/dashboard/static/..%2Fcore.py")).status_code == 404


def test_stream_pushes_json_snapshots_over_a_real_server() -> None:
    monitor = Monitor(bus=EventBus(), sinks=[], config=MonitorConfig(tick_s=0.1))
    try:
        with serve(build_app(monitor)) as base, httpx.Client(base_url=base, timeout=10) as c:
            c.get("/v1/teams/ohio-state")
            snapshots = []
            with c.stream("GET", "/dashboard/stream") as response:
                assert response.headers["content-type"].startswith("text/event-stream")
                for line in response.iter_lines():
                    if line.startswith("data: "):
                        snapshots.append(json.loads(line[6:]))
                    if len(snapshots) == 3:
                        break
    finally:
        monitor.close()
    assert [s["t"] for s in snapshots] == sorted(s["t"] for s in snapshots)
    last = snapshots[-1]
    assert {"grade", "requests", "cache", "pools", "breakers", "resources", "alerts",
            "bottlenecks", "loop_lag_s", "stages", "models"} <= set(last)
    assert last["requests"]["count"] >= 1
    assert 0 < last["resources"]["system_memory"] <= 1


async def test_ticker_starts_reports_the_runtime_lag_probe_and_stops() -> None:
    bus = EventBus()
    clock = FakeClock(EPOCH)
    monitor = Monitor(bus=bus, sinks=[], clock=clock, config=MonitorConfig(tick_s=0.02))
    await monitor.start()
    version, body = await monitor.next_snapshot(-1)
    assert orjson.loads(body)["loop_lag_s"] == 0.0  # no probe of its own: nothing heard yet
    bus.emit(EventLoopLag(0.012))  # a sample of the runtime's one probe
    for _ in range(3):
        version, body = await monitor.next_snapshot(version)
    await monitor.stop()
    snapshot = orjson.loads(body)
    assert version >= 3
    assert snapshot["loop_lag_s"] is not None and snapshot["loop_lag_s"] >= 0
    assert snapshot["loop_lag_s"] == 0.012
    assert "scriptohio_event_loop_lag_seconds 0.012" in monitor.metrics.exposition()[0].decode()
    monitor.close()
