"""Autoscaling decisions: a pure function plus hysteresis, stepped with a fake clock."""

from __future__ import annotations

from scriptohio.clock import FakeClock
from scriptohio.runtime import Autoscaler, AutoscalerConfig, PoolStats, desired_workers

CONFIG = AutoscalerConfig(min_workers=2, max_workers=20, target_utilization=0.5,
                          max_queue_wait_s=0.05, scale_up_delay_s=1.0, scale_down_delay_s=10.0)


def stats(workers: int, busy: int, queued: int = 0, wait: float = 0.0) -> PoolStats:
    return PoolStats(workers=workers, slots_per_worker=10, busy=busy, queued=queued,
                     queue_wait_s=wait)


def test_desired_workers_follows_demand_and_clamps() -> None:
    assert desired_workers(stats(2, 0), CONFIG)[0] == 2  # idle: min
    assert desired_workers(stats(2, 20, 10), CONFIG)[0] == 6  # 30 / (10 * 0.5)
    assert desired_workers(stats(2, 20, 1000), CONFIG)[0] == 20  # clamped to max


def test_long_queue_wait_asks_for_one_more_worker() -> None:
    wanted, reason = desired_workers(stats(4, 10, 0, wait=0.2), CONFIG)
    assert wanted == 5
    assert "queue wait" in reason


def test_scale_up_only_after_the_up_delay() -> None:
    clock = FakeClock()
    scaler = Autoscaler(CONFIG, clock=clock)
    busy = stats(2, 20, 20)
    assert scaler.observe(busy) is None
    clock.advance(0.5)
    assert scaler.observe(busy) is None
    clock.advance(0.5)
    decision = scaler.observe(busy)
    assert decision is not None
    assert (decision.from_workers, decision.to_workers) == (2, 8)
    assert scaler.decisions["up"] == 1


def test_scale_down_needs_the_longer_down_delay() -> None:
    clock = FakeClock()
    scaler = Autoscaler(CONFIG, clock=clock)
    idle = stats(8, 0)
    for _ in range(9):
        assert scaler.observe(idle) is None
        clock.advance(1.0)
    assert scaler.observe(idle) is None  # 9 s so far
    clock.advance(1.0)
    decision = scaler.observe(idle)
    assert decision is not None and decision.to_workers == 2
    assert scaler.decisions["down"] == 1


def test_oscillating_load_does_not_flap() -> None:
    clock = FakeClock()
    scaler = Autoscaler(CONFIG, clock=clock)
    decisions = []
    for step in range(100):  # load flips every 0.5 s: never steady for a full delay
        load = stats(4, 40, 0) if step % 2 else stats(4, 0)
        decisions.append(scaler.observe(load))
        clock.advance(0.5)
    assert [d for d in decisions if d is not None] == []
    assert scaler.decisions["hold"] == 100


def test_interrupted_pressure_restarts_the_up_delay() -> None:
    clock = FakeClock()
    scaler = Autoscaler(CONFIG, clock=clock)
    assert scaler.observe(stats(2, 20, 20)) is None
    clock.advance(0.9)
    assert scaler.observe(stats(2, 10)) is None  # demand fits: timer resets
    clock.advance(0.2)
    assert scaler.observe(stats(2, 20, 20)) is None
    clock.advance(0.9)
    assert scaler.observe(stats(2, 20, 20)) is None
    clock.advance(0.1)
    assert scaler.observe(stats(2, 20, 20)) is not None
