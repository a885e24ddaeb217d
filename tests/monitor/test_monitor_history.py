"""Metric history: downsampled tiers, bounded retention, WAL, and the monitor writing to it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from scriptohio.events import EventBus
from scriptohio.monitor import HistoryStore, Monitor, Tier
from scriptohio.monitor.history import DAY_S

from .conftest import FakeClock

T0 = 1_800_000_000  # a multiple of 3600


def test_every_tier_holds_exact_averages(tmp_path: Path, clock: FakeClock) -> None:
    clock.now = T0
    store = HistoryStore(tmp_path, clock=clock)
    for i in range(12):  # two minutes of 10 s samples: 0..11
        store.record({"p95_latency_s": float(i), "missing": None}, at=T0 + 10 * i)
    raw = store.series("p95_latency_s", T0, T0 + 120, resolution_s=10)
    assert [p.avg for p in raw] == [float(i) for i in range(12)]
    minutes = store.series("p95_latency_s", T0, T0 + 120, resolution_s=60)
    assert [(p.ts, p.avg, p.lo, p.hi) for p in minutes] == [
        (T0, 2.5, 0.0, 5.0), (T0 + 60, 8.5, 6.0, 11.0)]
    [hour] = store.series("p95_latency_s", T0, T0 + 3600, resolution_s=3600)
    assert hour.avg == pytest.approx(5.5)
    assert store.metrics() == ["p95_latency_s"]  # None values are not stored
    store.close()


def test_retention_drops_old_rows_per_tier(tmp_path: Path, clock: FakeClock) -> None:
    clock.now = T0
    store = HistoryStore(tmp_path, clock=clock)
    for i in range(0, 3 * DAY_S, 600):  # three days, every 10 minutes
        store.record({"x": 1.0}, at=T0 + i)
    end = T0 + 3 * DAY_S
    store.prune(end)
    raw_rows = store.count(10)
    assert raw_rows == DAY_S // 600  # only the last day at 10 s resolution
    assert store.count(60) == 3 * DAY_S // 600  # a week of minutes keeps all three days
    assert store.count(3600) == 3 * 24
    # The finest tier that still covers a start time is chosen automatically.
    clock.now = end
    assert store.tier_for(end - 3600).resolution_s == 10
    assert store.tier_for(end - 2 * DAY_S).resolution_s == 60
    assert store.tier_for(end - 30 * DAY_S).resolution_s == 3600
    store.close()


def test_custom_tiers_and_wal(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path, tiers=(Tier(1, 5),), prune_every_s=0)
    for i in range(20):
        store.record({"x": float(i)}, at=T0 + i)
    assert store.count(1) == 6  # [now - 5, now]
    store.close()
    mode = sqlite3.connect(tmp_path / "monitor.sqlite").execute("PRAGMA journal_mode").fetchone()
    assert mode[0] == "wal"


def test_monitor_ticks_write_history_every_ten_seconds(tmp_path: Path, clock: FakeClock) -> None:
    monitor = Monitor(bus=EventBus(), clock=clock, sinks=[], state_dir=tmp_path)
    try:
        for _ in range(30):  # 30 one-second ticks
            monitor.request_finished("/v1/predict", "GET", 200, 0.05)
            monitor.tick()
            clock.advance(1)
        assert monitor.history is not None
        points = monitor.history.series("throughput_rps", clock.now - 60, clock.now,
                                        resolution_s=10)
        assert len(points) == 3
        assert {"p95_latency_s", "system_cpu", "system_memory"} <= set(monitor.history.metrics())
    finally:
        monitor.close()


def test_history_can_be_opened_after_construction(tmp_path: Path, clock: FakeClock) -> None:
    monitor = Monitor(bus=EventBus(), clock=clock, sinks=[])
    try:
        monitor.tick()
        store = monitor.open_history(tmp_path)
        assert monitor.open_history(tmp_path) is store
        clock.advance(10)
        monitor.tick()
        assert "system_memory" in store.metrics()
        assert (tmp_path / "monitor.sqlite").exists()
    finally:
        monitor.close()
