"""Percentiles are exact (within HdrHistogram's 0.1 %) and merge across processes."""

from __future__ import annotations

import json
import random

import pytest

from scriptohio.loadtest.histogram import LatencyHistogram
from scriptohio.loadtest.recorder import RunRecorder, cache_hit
from scriptohio.monitor.outcomes import RequestOutcome


def exact_percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))  # nearest-rank definition
    return ordered[int(rank) - 1]


def test_percentiles_match_known_latencies_within_a_tenth_of_a_percent() -> None:
    values = [i / 1000 for i in range(1, 1001)]  # 1 ms .. 1000 ms
    hist = LatencyHistogram()
    for v in values:
        hist.record(v)
    for p in (50, 90, 95, 99, 100):
        assert hist.percentile(p) == pytest.approx(exact_percentile(values, p), rel=1e-3)
    assert hist.max_s == pytest.approx(1.0, rel=1e-3)
    assert hist.mean_s == pytest.approx(0.5005, rel=1e-3)


def test_above_100_ms_it_does_not_round_to_10_ms_like_locust() -> None:
    hist = LatencyHistogram()
    for _ in range(100):
        hist.record(0.1234)
    assert hist.percentile(95) == pytest.approx(0.1234, rel=1e-3)
    assert abs(hist.percentile(95) - 0.120) > 0.002  # Locust would report 120 ms


def test_merged_worker_histograms_equal_one_histogram_of_everything() -> None:
    rng = random.Random(7)
    values = [rng.lognormvariate(-3, 0.8) for _ in range(5000)]
    whole = LatencyHistogram()
    for v in values:
        whole.record(v)
    merged = LatencyHistogram()
    for worker in range(4):
        part = LatencyHistogram()
        for v in values[worker::4]:
            part.record(v)
        merged.add_encoded(part.encode())  # as if sent over the wire
    assert merged.count == whole.count == 5000
    assert merged.summary() == whole.summary()


def test_values_above_the_ceiling_are_clamped_not_lost() -> None:
    hist = LatencyHistogram(highest_s=1.0)
    hist.record(5.0)
    assert hist.count == 1
    assert hist.max_s == pytest.approx(1.0, rel=1e-3)


def test_recorder_wire_round_trip_keeps_counts_per_second_and_endpoint() -> None:
    worker = RunRecorder()
    worker.record(0.010, RequestOutcome.OK, cache=True, endpoint="/v1/predict", at=100.2)
    worker.record(0.020, RequestOutcome.SHED, endpoint="/v1/predict", at=100.9)
    worker.record(0.030, RequestOutcome.OK, cache=False, endpoint="/v1/games", at=101.5)
    wire = json.loads(json.dumps(worker.drain()))
    assert worker.total.hist.count == 0  # drained
    master = RunRecorder()
    master.merge(wire)
    master.merge(RunRecorder().drain())  # an empty report changes nothing
    assert master.total.hist.count == 3
    assert master.seconds[100].outcomes == {"ok": 1, "shed": 1}
    assert master.endpoints["/v1/games"].hist.percentile(50) == pytest.approx(0.03, rel=1e-3)
    assert (master.total.cache_hits, master.total.cache_lookups) == (1, 2)


def test_x_cache_header_meaning() -> None:
    assert [cache_hit(h) for h in ("hit-l1", "hit-shared", "miss", "stale", None)] == [
        True, True, False, False, None]
