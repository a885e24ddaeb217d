"""Runtime events (and scheduled data pulls) -> Prometheus metrics and monitor state.

One handler per event type in :mod:`scriptohio.runtime.telemetry`; each is a few counter updates,
because the bus calls subscribers synchronously on the emitting code path.
"""

from __future__ import annotations

from collections.abc import Callable

from scriptohio.breaker import BreakerTransition
from scriptohio.events import DataPulled, DataPullFailed, EventBus, ModelRetrained
from scriptohio.monitor.metrics import BREAKER_STATE_VALUE, MonitorMetrics
from scriptohio.monitor.snapshot import MonitorState
from scriptohio.runtime.telemetry import (
    ConcurrencyLimited,
    EventLoopLag,
    PoolScaled,
    PoolSnapshot,
    RateLimitFailedOpen,
    RequestAdmitted,
    RequestCompleted,
    RequestRejected,
)


def subscribe_runtime_events(bus: EventBus, metrics: MonitorMetrics,
                             state: MonitorState) -> Callable[[], None]:
    """Update ``metrics`` and ``state`` on every runtime event; returns one unsubscribe for
    all. Takes the monitor's parts, not the monitor, which builds them and calls this."""
    m = metrics

    def on_admitted(e: RequestAdmitted) -> None:
        m.pool_queued.labels(e.pool).set(e.queued)
        state.queue_length(e.pool, e.queued)

    def on_rejected(e: RequestRejected) -> None:
        m.rejections.labels(e.reason, e.pool).inc()
        state.rejected(e.reason)

    def on_completed(e: RequestCompleted) -> None:
        m.agent_execution.labels(e.request_type, e.pool).observe(e.execution_s)
        m.agent_queue_wait.labels(e.pool).observe(e.queue_wait_s)
        m.agent_completed.labels(e.request_type, e.pool, e.outcome).inc()
        state.observe_stage("queue_wait", e.queue_wait_s, m)
        state.agent_completed(e.request_type, e.execution_s, e.outcome)

    def on_breaker(e: BreakerTransition) -> None:
        m.breaker_state.labels(e.name).set(BREAKER_STATE_VALUE.get(e.to_state, 0.0))
        m.breaker_transitions.labels(e.name, e.to_state).inc()
        state.breaker(e.name, e.to_state)

    def on_scaled(e: PoolScaled) -> None:
        direction = "up" if e.to_workers > e.from_workers else "down"
        m.pool_scaling.labels(e.pool, direction).inc()
        m.pool_workers.labels(e.pool).set(e.to_workers)
        state.scaled(e.pool, e.from_workers, e.to_workers, e.reason)

    def on_limited(e: ConcurrencyLimited) -> None:
        direction = "up" if e.to_limit > e.from_limit else "down"
        m.pool_limit_changes.labels(e.pool, direction).inc()
        m.pool_limit.labels(e.pool).set(e.to_limit)

    def on_pool(e: PoolSnapshot) -> None:
        m.pool_workers.labels(e.pool).set(e.workers)
        if e.limit:
            m.pool_limit.labels(e.pool).set(e.limit)
        if e.adaptive_limit:
            m.pool_adaptive_limit.labels(e.pool).set(e.adaptive_limit)
        m.pool_busy.labels(e.pool).set(e.busy)
        m.pool_max.labels(e.pool).set(e.max_workers)
        m.pool_queued.labels(e.pool).set(e.queued)
        m.pool_utilization.labels(e.pool).set(e.busy / e.workers if e.workers else 0.0)
        state.pool(e)

    def on_failed_open(e: RateLimitFailedOpen) -> None:
        m.ratelimit_failed_open.labels(e.reason).inc()

    def on_lag(e: EventLoopLag) -> None:
        m.event_loop_lag.set(e.lag_s)
        m.event_loop_lag_probes.observe(e.lag_s)
        m.event_loop_own_lag.observe(e.own_lag_s)
        m.event_loop_cpu_wait.inc(e.cpu_wait_s)
        state.loop_lag(e.lag_s)

    def on_pulled(e: DataPulled) -> None:
        m.data_pulls.labels("ok" if e.due else "nothing_due").inc()
        for table, n in e.rows_changed.items():
            m.data_pull_rows_changed.labels(table).inc(n)
        m.data_pull_last_success.set(e.at)
        m.data_pull_next.set(e.next_at)
        m.data_pull_seconds.set(e.seconds)
        state.data_pulled(e.at, e.next_at, e.rows_changed, e.due)

    def on_pull_failed(e: DataPullFailed) -> None:
        m.data_pulls.labels("failed").inc()
        m.data_pull_last_failure.set(e.at)
        m.data_pull_next.set(e.next_at)
        state.data_pull_failed(e.at, e.next_at, e.reason)

    def on_retrained(e: ModelRetrained) -> None:
        m.model_retrains.labels("failed" if not e.ok else "canary" if e.canary else "ok").inc()
        if e.ok:
            m.model_retrain_last_success.set(e.at)
            m.model_retrain_seconds.set(e.seconds)
        state.model_retrained({"at": e.at, "through": list(e.through), "version": e.version,
                               "previous": e.previous, "seconds": round(e.seconds, 1),
                               "canary": e.canary, "error": e.error})

    unsubscribers = [
        bus.subscribe(DataPulled, on_pulled),
        bus.subscribe(ModelRetrained, on_retrained),
        bus.subscribe(DataPullFailed, on_pull_failed),
        bus.subscribe(RequestAdmitted, on_admitted),
        bus.subscribe(RequestRejected, on_rejected),
        bus.subscribe(RequestCompleted, on_completed),
        bus.subscribe(BreakerTransition, on_breaker),
        bus.subscribe(PoolScaled, on_scaled),
        bus.subscribe(ConcurrencyLimited, on_limited),
        bus.subscribe(PoolSnapshot, on_pool),
        bus.subscribe(EventLoopLag, on_lag),
        bus.subscribe(RateLimitFailedOpen, on_failed_open),
    ]

    def unsubscribe_all() -> None:
        for unsubscribe in unsubscribers:
            unsubscribe()

    return unsubscribe_all
