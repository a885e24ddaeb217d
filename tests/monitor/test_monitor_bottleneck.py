"""Bottleneck detection: every kind, injected on its own, is named with a recommendation."""

from __future__ import annotations

import pytest

from scriptohio.monitor import BottleneckSignals, PoolSignal, detect_bottlenecks

HEALTHY_STAGES = {"queue_wait": 0.002, "cache": 0.001, "features": 0.004,
                  "inference": 0.006, "serialization": 0.001}


def test_a_healthy_service_has_no_bottleneck() -> None:
    signals = BottleneckSignals(
        stage_s=HEALTHY_STAGES,
        pools=(PoolSignal("agents", 4, 2, 8, 0, 0.0),),
        process_cpu=0.3, loop_lag_s=0.002, redis_latency_s=0.001, cache_hit_rate=0.99,
    )
    assert detect_bottlenecks(signals) == []


@pytest.mark.parametrize("stage", ["queue_wait", "cache", "features", "inference",
                                   "serialization"])
def test_a_dominant_stage_is_named(stage: str) -> None:
    stages = dict(HEALTHY_STAGES, **{stage: 0.4})
    [finding] = detect_bottlenecks(BottleneckSignals(stage_s=stages))
    assert finding.kind == stage
    assert "400 ms" in finding.evidence
    assert finding.recommendation


def test_a_saturated_pool_with_a_growing_queue_is_named() -> None:
    pool = PoolSignal("predict", workers=8, busy=8, max_workers=8, queued=40, queue_growth=12)
    [finding] = detect_bottlenecks(BottleneckSignals(pools=(pool,)))
    assert finding.kind == "pool_saturated" and finding.severity == "critical"
    assert "predict" in finding.evidence and "max_workers" in finding.recommendation


def test_a_full_pool_whose_queue_drains_is_not_a_bottleneck() -> None:
    pool = PoolSignal("predict", workers=8, busy=8, max_workers=8, queued=3, queue_growth=-5)
    assert detect_bottlenecks(BottleneckSignals(pools=(pool,))) == []


@pytest.mark.parametrize(
    ("signals", "kind"),
    [
        (BottleneckSignals(process_cpu=0.97), "cpu_bound"),
        (BottleneckSignals(loop_lag_s=0.25), "event_loop_lag"),
        (BottleneckSignals(redis_latency_s=0.08), "slow_redis"),
        (BottleneckSignals(cache_hit_rate=0.6), "low_cache_hit_rate"),
    ],
)
def test_each_saturation_signal_is_named(signals: BottleneckSignals, kind: str) -> None:
    assert [b.kind for b in detect_bottlenecks(signals)] == [kind]


def test_findings_are_ordered_critical_first() -> None:
    signals = BottleneckSignals(
        redis_latency_s=0.05, process_cpu=0.99,
        pools=(PoolSignal("p", 2, 2, 2, 9, 3),),
    )
    kinds = [b.kind for b in detect_bottlenecks(signals)]
    assert kinds[-1] == "slow_redis"
    assert set(kinds[:2]) == {"cpu_bound", "pool_saturated"}
