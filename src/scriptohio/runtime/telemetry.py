"""Telemetry: the events the runtime emits through :class:`scriptohio.events.EventBus`.

The monitor subscribes to them (:mod:`scriptohio.monitor.subscriptions`); the bus itself and
the data events live in :mod:`scriptohio.events`.

Every admission, rejection, queue wait, execution and scaling decision is one of these frozen
dataclasses (breaker transitions are :class:`scriptohio.breaker.BreakerTransition`, which the
orchestrator puts on the same bus). Times are seconds (base units, as Prometheus wants them).
Label-like fields (``request_type``, ``pool``) have bounded cardinality; user ids never appear.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RequestAdmitted:
    request_type: str
    pool: str
    priority: int
    queued: int  # queue length of the pool after admission


@dataclass(frozen=True, slots=True)
class RequestRejected:
    request_type: str
    pool: str
    reason: str  # "overload" | "deadline" | "circuit_open" | "shutdown" | "invalid"


@dataclass(frozen=True, slots=True)
class RateLimitFailedOpen:
    """The rate limiter let a request through unchecked: its storage failed (``error``) or
    the storage's breaker is open (``breaker_open``)."""

    reason: str


@dataclass(frozen=True, slots=True)
class RequestCompleted:
    request_type: str
    pool: str
    outcome: str  # "ok" | "error" | "timeout"
    queue_wait_s: float
    execution_s: float
    coalesced: bool = False
    batched: int = 1


@dataclass(frozen=True, slots=True)
class PoolScaled:
    pool: str
    from_workers: int
    to_workers: int
    reason: str


@dataclass(frozen=True, slots=True)
class ConcurrencyLimited:
    """The loop guard moved a pool's concurrency limit (:mod:`scriptohio.runtime.loopguard`)."""

    pool: str
    from_limit: int
    to_limit: int
    lag_s: float


@dataclass(frozen=True, slots=True)
class PoolSnapshot:
    """Emitted periodically (about once a second) per pool."""

    pool: str
    workers: int
    busy: int
    queued: int
    min_workers: int
    max_workers: int
    limit: int = 0  # the loop guard's concurrency limit (0: not reported)
    adaptive_limit: int = 0  # the latency-driven limit (0: the pool has none)


@dataclass(frozen=True, slots=True)
class EventLoopLag:
    """One probe: how late the timer fired, and how long of the probe's interval the loop's
    thread spent runnable but waiting for a CPU (Linux run-queue delay; 0 elsewhere)."""

    lag_s: float
    cpu_wait_s: float = 0.0

    @property
    def own_lag_s(self) -> float:
        """Lag the CPU wait does not explain: a lower bound on what the loop's own work
        caused (a wait early in the interval may not have delayed the timer at all)."""
        return max(0.0, self.lag_s - self.cpu_wait_s)
