"""The circuit breaker every layer uses: the cache's shared tier, the orchestrator's agents.

A bottom package (below ``data`` in the layers contract, importing only the foundation
modules :mod:`scriptohio.clock` and :mod:`scriptohio.errors`), so the cache and the runtime
share one implementation. The decision logic is a pure state machine over an injected clock:
callers ask :meth:`CircuitBreaker.try_acquire`, then report the outcome.
"""

from scriptohio.breaker.circuit import (
    DEFAULT_BREAKER_CONFIG,
    BreakerConfig,
    BreakerState,
    BreakerTransition,
    CircuitBreaker,
)

__all__ = [
    "DEFAULT_BREAKER_CONFIG",
    "BreakerConfig",
    "BreakerState",
    "BreakerTransition",
    "CircuitBreaker",
]
