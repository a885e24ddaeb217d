"""Sliding window: throughput, error rate and percentiles follow the clock."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scriptohio.monitor.window import SlidingWindow

from .conftest import EPOCH, FakeClock


def test_percentiles_are_within_the_bin_resolution(clock: FakeClock) -> None:
    window = SlidingWindow(60, clock=clock)
    for ms in range(1, 1001):  # 1 ms .. 1000 ms, uniform
        window.record(ms / 1000)
    stats = window.stats()
    assert stats.count == 1000
    assert stats.p50_s == pytest.approx(0.500, rel=0.03)
    assert stats.p95_s == pytest.approx(0.950, rel=0.03)
    assert stats.p99_s == pytest.approx(0.990, rel=0.03)
    assert stats.avg_s == pytest.approx(0.5005)


def test_old_requests_leave_the_window(clock: FakeClock) -> None:
    window = SlidingWindow(10, clock=clock)
    for _ in range(50):
        window.record(2.0, error=True)
    clock.advance(5)
    for _ in range(50):
        window.record(0.01)
    both = window.stats()
    assert (both.count, both.errors, both.error_rate) == (100, 50, 0.5)
    assert both.throughput_rps == pytest.approx(100 / 5)
    clock.advance(6)  # the first second is now 11 s old
    later = window.stats()
    assert (later.count, later.errors) == (50, 0)
    assert later.p99_s == pytest.approx(0.01, rel=0.03)
    assert later.throughput_rps == pytest.approx(50 / 10)
    clock.advance(20)
    empty = window.stats()
    assert (empty.count, empty.p95_s, empty.error_rate) == (0, None, None)


def test_a_window_must_be_at_least_a_second() -> None:
    with pytest.raises(ValueError):
        SlidingWindow(0)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=1e-3, max_value=30.0), min_size=20, max_size=400))
def test_percentiles_match_the_exact_order_statistic(latencies: list[float]) -> None:
    window = SlidingWindow(60, clock=FakeClock(EPOCH))
    for seconds in latencies:
        window.record(seconds)
    stats = window.stats()
    ordered = sorted(latencies)
    for q, got in ((0.5, stats.p50_s), (0.95, stats.p95_s), (0.99, stats.p99_s)):
        exact = ordered[max(1, math.ceil(q * len(ordered))) - 1]
        assert got == pytest.approx(exact, rel=0.025)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(min_value=0, max_value=14),
                          st.floats(min_value=1e-4, max_value=5.0), st.booleans()),
                min_size=1, max_size=300))
def test_the_running_total_equals_a_recount_of_the_live_seconds(
    steps: list[tuple[int, float, bool]],
) -> None:
    """Seconds leave the running total exactly once, however the clock jumps."""
    clock = FakeClock(EPOCH)
    window = SlidingWindow(10, clock=clock)
    seen: list[tuple[int, float, bool]] = []
    for advance, seconds, error in steps:
        clock.advance(advance)
        window.record(seconds, error=error)
        seen.append((int(clock()), seconds, error))
    got = window.stats()
    recount = SlidingWindow(10, clock=clock)
    oldest = int(clock()) - 9
    for second, seconds, error in seen:
        if second >= oldest:
            recount.record(seconds, error=error)
    want = recount.stats()
    assert (got.count, got.errors) == (want.count, want.errors)
    assert (got.p50_s, got.p90_s, got.p95_s, got.p99_s, got.max_s) == (
        want.p50_s, want.p90_s, want.p95_s, want.p99_s, want.max_s)
    assert window.mean() == pytest.approx(want.avg_s)
