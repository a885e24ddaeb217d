"""GET /v1/monitor/status: grade, criteria, alerts and bottlenecks, through the ASGI app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest

from scriptohio.breaker import BreakerTransition
from scriptohio.events import EventBus
from scriptohio.monitor import Monitor
from scriptohio.monitor.resources import ResourceSample, ResourceSampler
from scriptohio.runtime.telemetry import (
    ConcurrencyLimited,
    PoolScaled,
    PoolSnapshot,
    RequestCompleted,
    RequestRejected,
)

from .conftest import CountingCache, FakeClock, build_app


@pytest.fixture
def bus() -> EventBus:
    return EventBus()


class QuietHost(ResourceSampler):
    """This process's own figures, but a host that is neither busy nor full: the alerts
    these tests assert must not depend on what else the machine runs."""

    def sample(self) -> ResourceSample:
        sample = replace(super().sample(), system_cpu=0.2, system_memory=0.5, disk_usage=0.3)
        self._last = sample
        return sample


@pytest.fixture
def fake_monitor(bus: EventBus, clock: FakeClock) -> Monitor:
    return Monitor(bus=bus, clock=clock, sinks=[], sampler=QuietHost())


@pytest.fixture
async def client(fake_monitor: Monitor) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=build_app(fake_monitor), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


def _traffic(monitor: Monitor, n: int, seconds: float, *, errors: int = 0) -> None:
    for i in range(n):
        monitor.request_finished("/v1/predict", "GET", 503 if i < errors else 200, seconds)


async def test_status_without_traffic_has_no_data(client: httpx.AsyncClient) -> None:
    body = (await client.get("/v1/monitor/status")).json()
    assert set(body) >= {"score", "grade", "criteria", "alerts", "bottlenecks"}
    assert body["criteria"]["p95_latency_s"]["verdict"] == "no data"
    assert (body["grade"], body["score"]) == ("no data", None)  # idle is not F
    assert body["alerts"] == [] and body["bottlenecks"] == []


async def test_fast_busy_service_with_a_warm_cache_earns_a_plus(
    client: httpx.AsyncClient, fake_monitor: Monitor, clock: FakeClock
) -> None:
    cache = CountingCache()
    fake_monitor.add_cache_source(cache, tier="l1")
    cache.values = {"hits": 0, "misses": 0}
    fake_monitor.tick()
    clock.advance(10)
    _traffic(fake_monitor, 2500, 0.02)
    cache.values = {"hits": 9950, "misses": 50}
    fake_monitor.tick()
    body = (await client.get("/v1/monitor/status")).json()
    assert body["grade"] == "A+", body
    assert body["score"] == 100.0
    criteria = body["criteria"]
    assert criteria["throughput_rps"]["value"] == pytest.approx(250.0)
    assert criteria["cache_hit_rate"]["value"] == pytest.approx(0.995)
    verdicts = {name: c["verdict"] for name, c in criteria.items()}
    assert verdicts.pop("throughput_rps") == "not graded"  # the demand, not the capacity
    assert set(verdicts.values()) == {"pass"}


async def test_errors_and_slow_answers_lower_the_grade_and_fire_alerts(
    client: httpx.AsyncClient, fake_monitor: Monitor, clock: FakeClock
) -> None:
    for _ in range(3):  # 3 minutes of steady 5 % errors and 1.8 s answers
        _traffic(fake_monitor, 1000, 1.8, errors=50)
        fake_monitor.tick()
        clock.advance(60)
    _traffic(fake_monitor, 1000, 1.8, errors=50)
    fake_monitor.tick()
    body = (await client.get("/v1/monitor/status")).json()
    assert body["grade"] in ("D", "F")
    assert body["criteria"]["success_rate"]["verdict"] == "fail"
    assert body["criteria"]["p95_latency_s"]["verdict"] == "fail"
    # every answer slow: the burn alerts page at once (Prometheus's rate() over a window the
    # service has not lived through yet reads what there is); the p95 alert needs 5 minutes
    names = {a["name"] for a in body["alerts"]}
    assert "HighErrorRate" in names and "LatencySLOBurnFast" in names
    assert "HighP95Latency" not in names
    assert {a["state"] for a in body["alerts"]} == {"firing"}


async def test_runtime_events_reach_status_snapshot_and_metrics(
    client: httpx.AsyncClient, fake_monitor: Monitor, bus: EventBus, clock: FakeClock
) -> None:
    bus.emit(PoolSnapshot("predict", workers=8, busy=8, queued=5, min_workers=1, max_workers=8))
    clock.advance(6)
    bus.emit(PoolSnapshot("predict", workers=8, busy=8, queued=30, min_workers=1, max_workers=8))
    bus.emit(BreakerTransition("redis", "closed", "open"))
    bus.emit(RequestRejected("predict", "predict", "overload"))
    bus.emit(PoolScaled("predict", 4, 8, "queue growing"))
    bus.emit(ConcurrencyLimited("predict", 400, 360, lag_s=0.008))
    bus.emit(RequestCompleted("predict", "predict", "ok", queue_wait_s=0.3, execution_s=0.05))
    fake_monitor.observe_prediction("xgboost", 0.004, n=16)
    fake_monitor.observe_model_load("xgboost", 1.25)
    fake_monitor.tick()

    body = (await client.get("/v1/monitor/status")).json()
    kinds = [b["kind"] for b in body["bottlenecks"]]
    assert kinds[0] == "pool_saturated"
    assert "queue_wait" in kinds

    snap = fake_monitor.snapshot()
    assert snap["pools"]["predict"]["queued"] == 30
    assert snap["pools"]["predict"]["utilization"] == 1.0
    assert snap["breakers"] == {"redis": "open"}
    assert snap["rejections"] == {"overload": 1}
    assert snap["models"]["xgboost"]["predictions"] == 16
    assert snap["models"]["xgboost"]["load_s"] == 1.25

    text = (await client.get("/metrics")).text
    assert 'scriptohio_breaker_state{name="redis"} 2.0' in text
    assert 'scriptohio_rejections_total{pool="predict",reason="overload"} 1.0' in text
    assert 'scriptohio_pool_scaling_decisions_total{direction="up",pool="predict"} 1.0' in text
    assert 'scriptohio_model_predictions_total{model="xgboost"} 16.0' in text
    assert 'scriptohio_pool_queued_requests{pool="predict"} 30.0' in text
    assert 'scriptohio_pool_concurrency_limit{pool="predict"} 360.0' in text
    assert ('scriptohio_pool_concurrency_limit_changes_total{direction="down",pool="predict"} 1.0'
            in text)
    assert 'scriptohio_pool_utilization_ratio{pool="predict"} 1.0' in text


async def test_a_failing_cache_source_does_not_break_the_monitor(
    client: httpx.AsyncClient, fake_monitor: Monitor
) -> None:
    class Broken:
        def stats(self) -> dict[str, float]:
            raise ConnectionError("redis down")

    fake_monitor.add_cache_source(Broken(), tier="l2")
    fake_monitor.tick()
    assert (await client.get("/v1/monitor/status")).status_code == 200
    assert (await client.get("/metrics")).status_code == 200


async def test_cache_hit_rate_is_windowed_and_survives_a_counter_reset(
    fake_monitor: Monitor, clock: FakeClock
) -> None:
    cache = CountingCache()
    fake_monitor.add_cache_source(cache, tier="l1")
    cache.values = {"hits": 1000, "misses": 1000}  # a cold start long ago
    fake_monitor.tick()
    clock.advance(30)
    cache.values = {"hits": 1990, "misses": 1010}  # the last 30 s: 990 hits, 10 misses
    fake_monitor.tick()
    assert fake_monitor.values()["cache_hit_rate"] == pytest.approx(0.99)
    clock.advance(1)
    cache.values = {"hits": 45, "misses": 5}  # the cache restarted
    fake_monitor.tick()
    assert fake_monitor.values()["cache_hit_rate"] == pytest.approx(0.9)
