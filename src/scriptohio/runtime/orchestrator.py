"""The async agent orchestrator: admission, routing to bulkheads, lifecycle.

::

    handle(request)
      -> route by request.type (unknown type: 422)
      -> shutdown? deadline passed? in-flight at max (503)?
      -> coalesce identical concurrent requests (optional, per route)
      -> AgentRunner: breaker fast-fail, pool slot (queue, priority, 503 when full),
         timeout, retries for idempotent work
      -> AgentResponse + one RequestCompleted / RequestRejected event

Every refusal is immediate and carries ``retry_after``. ``stop(drain=True)`` stops admitting,
lets in-flight work finish within the grace period and answers whatever is left with 503,
so nothing accepted goes unanswered.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import time
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass
from enum import Enum
from types import TracebackType
from typing import Any, Literal

from scriptohio.breaker import (
    DEFAULT_BREAKER_CONFIG,
    BreakerConfig,
    BreakerTransition,
    CircuitBreaker,
)
from scriptohio.clock import Clock
from scriptohio.errors import DeadlineExceededError, OverloadedError, ValidationError
from scriptohio.events import EventBus, default_bus
from scriptohio.runtime.autoscaler import AutoscalerConfig
from scriptohio.runtime.coalescing import Coalescer
from scriptohio.runtime.lag import DEFAULT_INTERVAL_S, EventLoopLagMonitor
from scriptohio.runtime.loopguard import (
    LagSignal,
    LoopGuardConfig,
    next_limit,
)
from scriptohio.runtime.pool import PoolConfig, WorkerPool
from scriptohio.runtime.pressure import PressureConfig, PressureShedder
from scriptohio.runtime.request import AgentRequest, AgentResponse, StageTimings
from scriptohio.runtime.retry import (
    DEFAULT_BUDGET_RATIO,
    DEFAULT_RETRY_POLICY,
    RetryBudget,
    RetryPolicy,
)
from scriptohio.runtime.routing import Handler, Route
from scriptohio.runtime.runner import AgentRunner, RunOutcome, outcome_label
from scriptohio.runtime.telemetry import (
    ConcurrencyLimited,
    EventLoopLag,
    RequestCompleted,
    RequestRejected,
)

log = logging.getLogger(__name__)

DEFAULT_MAX_CONCURRENT_REQUESTS = 1000


class Default(Enum):
    """Marker for "use the orchestrator's configured default" (``None`` means "no limit")."""

    TIMEOUT = "default"

DEFAULT_POOLS: Mapping[str, PoolConfig] = {
    # Slots of an async pool cost nothing to add, so the light pool scales up at once
    # (scale-down keeps its long delay); heavy and cpu pools wait out the default delay.
    "light": PoolConfig(autoscaling=AutoscalerConfig(scale_up_delay_s=0.0)),
    "heavy": PoolConfig(),
    "cpu": PoolConfig(kind="process"),
}


@dataclass(frozen=True, slots=True)
class OrchestratorConfig:
    default_timeout_s: float | None = 30.0
    grace_period_s: float = 30.0
    tick_interval_s: float = 0.1  # autoscaler evaluation period
    snapshot_interval_s: float = 1.0
    lag_interval_s: float = DEFAULT_INTERVAL_S
    # Adaptive concurrency limit of the async pools on event-loop lag (opt-in, e.g.
    # ``LoopGuardConfig()``): lower lag under CPU overload, at a cost in throughput.
    loop_guard: LoopGuardConfig | None = None
    # Refusal at the door on the loop's own lag (``PressureConfig()``; the API's
    # ShedMiddleware draws against ``orchestrator.pressure``): see runtime/pressure.py.
    pressure: PressureConfig | None = None
    breaker: BreakerConfig = DEFAULT_BREAKER_CONFIG
    retry_budget_ratio: float = DEFAULT_BUDGET_RATIO


DEFAULT_ORCHESTRATOR_CONFIG = OrchestratorConfig()


def _check_handler_fits(handler: Handler, pool: WorkerPool, request_type: str) -> None:
    """Fail at registration, not on the first request, when a handler suits the wrong pool."""
    call = type(handler).__call__ if not inspect.isroutine(handler) else handler
    is_async = inspect.iscoroutinefunction(handler) or inspect.iscoroutinefunction(call)
    if pool.is_async and not is_async:
        raise TypeError(f"{request_type!r}: pool {pool.name!r} is async; the handler must be "
                        "an async function (plain functions go to a thread or process pool)")
    if not pool.is_async and is_async:
        raise TypeError(f"{request_type!r}: pool {pool.name!r} runs plain functions in "
                        f"{pool.config.kind}s; the handler must not be async")


class AsyncAgentOrchestrator:
    """Runs typed requests through per-type pools under admission control."""

    def __init__(
        self,
        max_concurrent_requests: int = DEFAULT_MAX_CONCURRENT_REQUESTS,
        *,
        pools: Mapping[str, PoolConfig] = DEFAULT_POOLS,
        config: OrchestratorConfig = DEFAULT_ORCHESTRATOR_CONFIG,
        bus: EventBus = default_bus,
        clock: Clock = time.monotonic,
    ) -> None:
        self.max_concurrent_requests = max_concurrent_requests
        self.config = config
        self._bus = bus
        self._clock = clock
        self.pools = {name: WorkerPool(name, cfg, clock=clock, emit=bus.emit)
                      for name, cfg in pools.items()}
        self.breakers: dict[str, CircuitBreaker] = {}
        self._lag_signal = LagSignal(config.loop_guard.window if config.loop_guard else 1)
        self.pressure = PressureShedder(config.pressure) if config.pressure else None
        self.lag_monitor = EventLoopLagMonitor(interval_s=config.lag_interval_s,
                                               emit=self._lag_sampled)
        self._routes: dict[str, Route] = {}
        self._runner = AgentRunner(clock=clock, budget=RetryBudget(config.retry_budget_ratio))
        self._coalescer: Coalescer[RunOutcome] = Coalescer()
        self._in_flight = 0
        self._active: set[asyncio.Task[Any]] = set()
        self._accepting = False
        self._forced = False
        self._drained: asyncio.Future[None] | None = None
        self._ticker: asyncio.Task[None] | None = None

    # -- configuration -------------------------------------------------------------------

    def register(
        self,
        request_type: str,
        handler: Handler,
        *,
        pool: str = "light",
        timeout_s: float | Literal[Default.TIMEOUT] | None = Default.TIMEOUT,
        idempotent: bool = False,
        coalesce: bool = False,
        retry: RetryPolicy = DEFAULT_RETRY_POLICY,
        breaker: BreakerConfig | None = None,
        use_breaker: bool = True,
    ) -> Route:
        """Route ``request_type`` to ``handler`` in ``pool``.

        ``timeout_s``: per-attempt limit; left out = ``config.default_timeout_s``; ``None`` =
        only the request's deadline limits it.
        """
        if pool not in self.pools:
            raise ValueError(f"unknown pool {pool!r}; pools: {sorted(self.pools)}")
        _check_handler_fits(handler, self.pools[pool], request_type)
        route = Route(
            request_type=request_type,
            handler=handler,
            pool=pool,
            timeout_s=(self.config.default_timeout_s if timeout_s is Default.TIMEOUT
                       else timeout_s),
            idempotent=idempotent,
            coalesce=coalesce,
            retry=retry,
            breaker=self.breaker(f"agent:{request_type}", breaker) if use_breaker else None,
        )
        self._routes[request_type] = route
        return route

    def breaker(self, name: str, config: BreakerConfig | None = None) -> CircuitBreaker:
        """The named breaker (created on first use); also for dependencies such as Redis."""
        if name not in self.breakers:
            self.breakers[name] = CircuitBreaker(
                name, config or self.config.breaker, clock=self._clock,
                on_transition=self._breaker_moved)
        return self.breakers[name]

    @property
    def in_flight(self) -> int:
        return self._in_flight

    # -- lifecycle -----------------------------------------------------------------------

    async def start(self) -> None:
        self._accepting = True
        self._forced = False
        self.lag_monitor.start()
        if self._ticker is None:
            self._ticker = asyncio.get_running_loop().create_task(self._tick(), name="autoscale")

    async def stop(self, drain: bool = True, grace_s: float | None = None) -> None:
        """Stop admitting; finish in-flight work within the grace period; answer the rest."""
        self._accepting = False
        grace = self.config.grace_period_s if grace_s is None else grace_s
        if drain and self._in_flight:
            self._drained = asyncio.get_running_loop().create_future()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._drained), grace)
        if self._in_flight:
            log.warning("shutdown: answering %d unfinished requests with 503", self._in_flight)
            self._forced = True
            for pool in self.pools.values():
                pool.fail_waiters("shutting down")
            for task in list(self._active):
                task.cancel()
            for _ in range(100):  # bounded: cancelled handlers answer within a few loop turns
                if not self._in_flight:
                    break
                await asyncio.sleep(0.01)
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None
        await self.lag_monitor.stop()
        for pool in self.pools.values():
            await asyncio.to_thread(pool.close)

    async def __aenter__(self) -> AsyncAgentOrchestrator:
        await self.start()
        return self

    async def __aexit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.stop()

    # -- requests ------------------------------------------------------------------------

    def handle(self, request: AgentRequest) -> Coroutine[Any, Any, AgentResponse]:
        """``await handle(request)``: run it and return its response (errors inside it).

        Returns the coroutine itself rather than awaiting it, to save a frame per request.
        """
        return self._handle(request)

    # -- internals -----------------------------------------------------------------------

    def _admit(self, request: AgentRequest) -> None:
        """Global admission: raises when shutting down or at the in-flight bound."""
        if not self._accepting:
            raise OverloadedError("the service is shutting down", retry_after=5.0)
        if self._in_flight >= self.max_concurrent_requests:
            route = self._routes.get(request.type)
            pool = self.pools.get(route.pool) if route else None
            raise OverloadedError("too many requests in flight",
                                  retry_after=pool.retry_after() if pool else 1.0)
        self._in_flight += 1

    async def _handle(self, request: AgentRequest) -> AgentResponse:
        started = self._clock()
        route = self._routes.get(request.type)
        if route is None:
            return self._refuse(request, "-", "invalid", started,
                                ValidationError(f"unknown request type {request.type!r}"))
        try:
            self._admit(request)
        except OverloadedError as exc:
            reason = "overload" if self._accepting else "shutdown"
            return self._refuse(request, route.pool, reason, started, exc)
        task = asyncio.current_task()
        if task is not None:
            self._active.add(task)
        try:
            return await self._admitted(request, route, started)
        except asyncio.CancelledError:
            if not self._forced or task is None:
                raise
            task.uncancel()  # we cancelled it at shutdown: answer instead of vanishing
            outcome = RunOutcome(error=OverloadedError("shut down before an answer"),
                                 reject_reason="shutdown")
            return self._finish(request, route, outcome, False, started)
        finally:
            if task is not None:
                self._active.discard(task)
            self._done()

    async def _admitted(self, request: AgentRequest, route: Route, started: float) -> AgentResponse:
        """Everything after global admission: deadline, (coalesced) execution."""
        if request.deadline is not None and request.deadline <= started:
            return self._refuse(request, route.pool, "deadline", started,
                                DeadlineExceededError("deadline passed before admission"))
        pool = self.pools[route.pool]
        if route.coalesce:
            outcome, joined = await self._coalescer.run(
                request.coalesce_key(), lambda: self._runner.run(route, pool, request))
        else:
            outcome, joined = await self._runner.run(route, pool, request), False
        return self._finish(request, route, outcome, joined, started)

    def _done(self) -> None:
        self._in_flight -= 1
        if self._in_flight == 0 and self._drained is not None and not self._drained.done():
            self._drained.set_result(None)

    def _finish(self, request: AgentRequest, route: Route, outcome: RunOutcome, joined: bool,
                started: float) -> AgentResponse:
        total = self._clock() - started
        if outcome.reject_reason is not None:
            self._bus.emit(RequestRejected(request.type, route.pool, outcome.reject_reason))
        else:
            self._bus.emit(RequestCompleted(
                request.type, route.pool, outcome_label(outcome),
                0.0 if joined else outcome.queue_wait_s,
                0.0 if joined else outcome.execution_s, coalesced=joined))
        return AgentResponse(
            request_id=request.id, request_type=request.type, result=outcome.result,
            error=outcome.error,
            timings=StageTimings(outcome.queue_wait_s, outcome.execution_s, outcome.cache_s,
                                 total),
            cache=outcome.cache, coalesced=joined,
            attempts=outcome.attempts)

    def _refuse(self, request: AgentRequest, pool: str, reason: str, started: float,
                error: BaseException) -> AgentResponse:
        self._bus.emit(RequestRejected(request.type, pool, reason))
        return AgentResponse(request_id=request.id, request_type=request.type, error=error,
                             timings=StageTimings(total_s=self._clock() - started), attempts=0)

    def _lag_sampled(self, event: EventLoopLag) -> None:
        """Each lag sample: let the loop guard move the async pools' limits, then publish."""
        if self.pressure is not None:
            # the wait for a slot in the pools whose limit follows latency; not the loop's
            # lag, which the refusals themselves lengthen (a flood of refusals would then
            # raise the refusal rate until nothing else ran)
            self.pressure.observe(max([0.0, *(
                pool.queue_delay() for pool in self.pools.values()
                if pool.adaptive_limit is not None)]))
        guard = self.config.loop_guard
        if guard is not None:
            # Only the lag the loop's own work caused: cutting concurrency cannot shorten a
            # wait for a CPU that another process holds.
            sustained, peak = self._lag_signal.observe(event.own_lag_s)
            for pool in self.pools.values():
                if not pool.is_async:
                    continue
                limit = next_limit(sustained, peak, pool.busy, pool.limit, pool.ceiling, guard)
                if limit != pool.limit:
                    self._bus.emit(ConcurrencyLimited(pool.name, pool.limit, limit,
                                                      event.own_lag_s))
                    log.debug("loop guard: pool %s limit %d -> %d (own lag %.1f ms)",
                              pool.name, pool.limit, limit, event.own_lag_s * 1000)
                    pool.set_limit(limit)
        self._bus.emit(event)

    def _breaker_moved(self, event: BreakerTransition) -> None:
        log.warning("breaker %s: %s -> %s", event.name, event.from_state, event.to_state)
        self._bus.emit(event)

    async def _tick(self) -> None:
        every = max(1, round(self.config.snapshot_interval_s / self.config.tick_interval_s))
        ticks = 0
        while True:
            await asyncio.sleep(self.config.tick_interval_s)
            ticks += 1
            for pool in self.pools.values():
                pool.evaluate()
                if ticks % every == 0:
                    self._bus.emit(pool.snapshot())
