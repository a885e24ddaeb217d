"""The public surface of scriptohio.runtime is pinned, and the layer rule holds."""

from __future__ import annotations

import subprocess
import sys

import scriptohio.runtime as runtime

EXPECTED = {
    "AgentResult", "AgingPriorityQueue", "AsyncAgentOrchestrator", "Autoscaler",
    "AutoscalerConfig", "BatchConfig", "Coalescer", "DEFAULT_MAX_CONCURRENT_REQUESTS",
    "DEFAULT_POOLS", "EventLoopLagMonitor", "GradientConfig", "GradientLimit", "Handler",
    "LoopGuardConfig",
    "MicroBatcher", "freeze_long_lived", "shorten_gil_switch_interval", "tune_gc_for_latency",
    "OrchestratorConfig", "PoolConfig", "PoolStats", "PressureConfig", "PressureShedder",
    "RateLimitConfig", "RateLimitDecision",
    "AgentRequest", "AgentResponse", "RetryBudget", "RetryPolicy", "Route",
    "ScalingDecision", "StageTimings", "UserRateLimiter", "WorkerPool",
    "desired_workers",
}


def test_public_names_are_exactly_the_documented_ones() -> None:
    assert set(runtime.__all__) == EXPECTED
    for name in runtime.__all__:
        assert getattr(runtime, name) is not None


def test_default_limits_match_the_contract() -> None:
    assert runtime.DEFAULT_MAX_CONCURRENT_REQUESTS == 1000
    assert runtime.AutoscalerConfig().min_workers == 2
    assert runtime.AutoscalerConfig().max_workers == 20


def test_importing_the_runtime_pulls_in_no_upper_layer() -> None:
    code = (
        "import sys, scriptohio.runtime\n"
        "upper = ('api', 'agents', 'monitor', 'models', 'features', 'cli', 'loadtest')\n"
        "print([m for m in sys.modules if m.split('.')[:2] in "
        "[['scriptohio', u] for u in upper]])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60)
    assert out.stdout.strip() == "[]"


def test_the_gil_switch_interval_is_set_and_the_old_one_returned() -> None:
    before = sys.getswitchinterval()
    try:
        assert runtime.shorten_gil_switch_interval(0.0007) == before
        assert abs(sys.getswitchinterval() - 0.0007) < 1e-9
    finally:
        sys.setswitchinterval(before)
