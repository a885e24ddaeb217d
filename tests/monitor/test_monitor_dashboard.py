"""The live dashboard in headless Chromium: loads cleanly, charts fill while requests flow.

The browser comes from :mod:`tests.browser` (Debian's chromium; under CI=true a missing one fails).
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from scriptohio.breaker import BreakerTransition
from scriptohio.events import DataPulled, DataPullFailed, EventBus, ModelRetrained
from scriptohio.monitor import Monitor
from scriptohio.runtime.telemetry import PoolSnapshot
from tests.browser import chromium

from .conftest import build_app, serve

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
CHARTS_FILLED = """() => {
  const d = window.scriptohioDashboard;
  if (!d || d.updates < 4) return false;
  const c = d.charts;
  return c.latency.points() >= 9 && c.throughput.points() >= 3 && c.errors.points() >= 3
      && c.cache.points() >= 3 && c.resources.points() >= 6 && c.pools.points() >= 4;
}"""
INKED_PIXELS = """(id) => {
  const c = document.getElementById(id);
  const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
  return n;
}"""


class GrowingCache:
    """Cumulative counters that grow on every read: a warm L1 and a colder L2."""

    def __init__(self) -> None:
        self.reads = 0

    def stats(self) -> dict[str, float]:
        self.reads += 1
        return {"l1.hits": 97.0 * self.reads, "l1.misses": 3.0 * self.reads,
                "l2.hits": 2.0 * self.reads, "l2.misses": 1.0 * self.reads}


@pytest.fixture
def traffic_app() -> Iterator[tuple[Monitor, EventBus]]:
    bus = EventBus()
    monitor = Monitor(bus=bus, sinks=[])
    monitor.add_cache_source(GrowingCache())
    yield monitor, bus
    monitor.close()


def _traffic(base: str, bus: EventBus, stop: threading.Event) -> None:
    with httpx.Client(base_url=base, timeout=5) as client:
        i = 0
        while not stop.is_set() and i < 20_000:
            client.get(f"/v1/teams/team-{i % 7}")
            if i % 25 == 0:
                client.get("/v1/fail")
                bus.emit(PoolSnapshot("predict", workers=4, busy=i % 5, queued=i % 3,
                                      min_workers=1, max_workers=8))
            if i == 50:
                bus.emit(BreakerTransition("redis", "closed", "open"))
                now = time.time()
                bus.emit(DataPullFailed("cfbd", "HTTP 500 after 4 attempts", now - 7200,
                                        now - 3600))
                bus.emit(DataPulled("cfbd", {"games": 52, "team_games": 0, "lines": 156},
                                    0.8, now - 60, now + 3540))
                bus.emit(ModelRetrained((2025, 10), "v0002", "v0001", 12.5, now - 30,
                                        canary=True))
            i += 1


def test_dashboard_fills_its_charts_without_console_errors(
    traffic_app: tuple[Monitor, EventBus], tmp_path: Path
) -> None:
    monitor, bus = traffic_app
    errors: list[str] = []
    stop = threading.Event()
    # Streams of 3 events: the page must live through EventSource reconnections too.
    with serve(build_app(monitor, stream_events=3)) as base:
        worker = threading.Thread(target=_traffic, args=(base, bus, stop), daemon=True)
        worker.start()
        try:
            with chromium() as browser:
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.on("console", lambda m: errors.append(m.text) if m.type == "error"
                        else None)
                page.on("pageerror", lambda exc: errors.append(str(exc)))
                response = page.goto(f"{base}/dashboard")
                assert response is not None and response.status == 200
                page.wait_for_function(CHARTS_FILLED, timeout=30_000)
                grade = page.text_content("#grade")
                breakers = page.text_content("#breakers")
                vitals = page.text_content("#vitals")
                page.wait_for_function(
                    "document.getElementById('data-cycle').textContent.includes('v0002')",
                    timeout=30_000)
                cycle = page.text_content("#data-cycle")
                inked = {c: page.evaluate(INKED_PIXELS, f"chart-{c}")
                         for c in ("latency", "throughput", "cache", "resources")}
                shot = tmp_path / "dashboard.png"
                page.screenshot(path=str(shot), full_page=True)
                page.close()
        finally:
            stop.set()
            worker.join(timeout=10)
    assert errors == []
    assert grade in ("A+", "A", "B", "C", "D", "F")
    assert breakers is not None and "redis: open" in breakers
    assert vitals is not None and "event-loop lag" in vitals and "MiB" in vitals
    assert cycle is not None and "games 52, team_games 0, lines 156" in cycle
    assert "1 / 1" in cycle and "HTTP 500 after 4 attempts" in cycle  # pulls / failures
    assert "v0002 as a canary" in cycle and "s ago" in cycle and "in 35" in cycle
    assert all(n > 500 for n in inked.values()), inked
    assert shot.stat().st_size > 10_000
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(shot, ARTIFACTS / "monitor-dashboard.png")


def test_an_idle_service_shows_no_data_not_a_failing_grade() -> None:
    monitor = Monitor(bus=EventBus(), sinks=[])
    try:
        with serve(build_app(monitor, stream_events=3)) as base, chromium() as browser:
            page = browser.new_page()
            page.goto(f"{base}/dashboard")
            page.wait_for_function(
                "() => (window.scriptohioDashboard || {}).updates >= 1", timeout=30_000)
            grade = page.text_content("#grade")
            score = page.text_content("#score")
            criteria = page.text_content("#criteria")
    finally:
        monitor.close()
    assert grade == "no data"
    assert score == "score –"
    assert criteria is not None and "no data" in criteria and "not graded" in criteria
