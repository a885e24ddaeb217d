"""Async orchestrator: pools, admission control, breakers, rate limits, coalescing, batching.

Agents plug in as handlers (``orchestrator.register(type, handler, pool=...)``); the runtime
never imports agents, the API or the monitor. See docs/runtime.md.
"""

from scriptohio.runtime.adaptive import GradientConfig, GradientLimit
from scriptohio.runtime.autoscaler import (
    Autoscaler,
    AutoscalerConfig,
    PoolStats,
    ScalingDecision,
    desired_workers,
)
from scriptohio.runtime.batching import BatchConfig, MicroBatcher
from scriptohio.runtime.coalescing import Coalescer
from scriptohio.runtime.interpreter import (
    freeze_long_lived,
    shorten_gil_switch_interval,
    tune_gc_for_latency,
)
from scriptohio.runtime.lag import EventLoopLagMonitor
from scriptohio.runtime.limiter import RateLimitConfig, RateLimitDecision, UserRateLimiter
from scriptohio.runtime.loopguard import LoopGuardConfig
from scriptohio.runtime.orchestrator import (
    DEFAULT_MAX_CONCURRENT_REQUESTS,
    DEFAULT_POOLS,
    AsyncAgentOrchestrator,
    OrchestratorConfig,
)
from scriptohio.runtime.pool import PoolConfig, WorkerPool
from scriptohio.runtime.pressure import PressureConfig, PressureShedder
from scriptohio.runtime.priority import AgingPriorityQueue
from scriptohio.runtime.request import AgentRequest, AgentResponse, AgentResult, StageTimings
from scriptohio.runtime.retry import RetryBudget, RetryPolicy
from scriptohio.runtime.routing import Handler, Route

__all__ = [
    "DEFAULT_MAX_CONCURRENT_REQUESTS",
    "DEFAULT_POOLS",
    "AgentRequest",
    "AgentResponse",
    "AgentResult",
    "AgingPriorityQueue",
    "AsyncAgentOrchestrator",
    "Autoscaler",
    "AutoscalerConfig",
    "BatchConfig",
    "Coalescer",
    "EventLoopLagMonitor",
    "GradientConfig",
    "GradientLimit",
    "Handler",
    "LoopGuardConfig",
    "MicroBatcher",
    "OrchestratorConfig",
    "PoolConfig",
    "PoolStats",
    "PressureConfig",
    "PressureShedder",
    "RateLimitConfig",
    "RateLimitDecision",
    "RetryBudget",
    "RetryPolicy",
    "Route",
    "ScalingDecision",
    "StageTimings",
    "UserRateLimiter",
    "WorkerPool",
    "desired_workers",
    "freeze_long_lived",
    "shorten_gil_switch_interval",
    "tune_gc_for_latency",
]
