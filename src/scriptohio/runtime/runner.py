"""Runs one admitted request: pool slot, breaker, timeout, retries, stale fallback.

Errors are returned inside an :class:`Outcome`, never raised, so a coalesced execution can
share a failure exactly as it shares a result. Caller errors (bad input) are not the agent's
fault: they neither trip the breaker nor get retried.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass, replace
from typing import Any

from scriptohio.errors import (
    CallerError,
    CircuitOpenError,
    DeadlineExceededError,
    OverloadedError,
)
from scriptohio.runtime.breaker import BreakerState, CircuitBreaker
from scriptohio.runtime.clock import Clock
from scriptohio.runtime.pool import WorkerPool
from scriptohio.runtime.request import AgentResult, Request
from scriptohio.runtime.retry import RetryBudget, is_retryable
from scriptohio.runtime.routing import Route
from scriptohio.runtime.stale import StaleSource
from scriptohio.runtime.timeouts import TimeoutWheel


@dataclass(slots=True)
class Outcome:
    """What happened to one execution (shared by coalesced callers; treat as read-only).

    Not frozen on purpose: frozen dataclasses pay a ``object.__setattr__`` per field, and this
    object is built once per request on the hot path.
    """

    result: Any = None
    error: BaseException | None = None
    queue_wait_s: float = 0.0
    execution_s: float = 0.0
    cache: str | None = None
    cache_s: float = 0.0
    stale: bool = False
    attempts: int = 0
    reject_reason: str | None = None  # set when refused before the agent ran


class AgentRunner:
    def __init__(
        self,
        *,
        clock: Clock,
        budget: RetryBudget,
        stale_source: StaleSource | None,
    ) -> None:
        self._clock = clock
        self._budget = budget
        self._stale = stale_source
        self._wheel = TimeoutWheel()

    async def run(self, route: Route, pool: WorkerPool, request: Request) -> Outcome:
        breaker = route.breaker
        if breaker is not None and breaker.state is BreakerState.OPEN:
            return await self._circuit_open(route, request, breaker)  # fail fast, do not queue
        try:
            waited = 0.0
            if not pool.try_acquire(request.type, request.priority):
                waited = await pool.acquire(request.type, request.priority, request.deadline)
        except OverloadedError as exc:
            return Outcome(error=exc, reject_reason="overload")
        except DeadlineExceededError as exc:
            return Outcome(error=exc, reject_reason="deadline")
        try:
            return await self._attempts(route, pool, request, waited)
        finally:
            pool.release()

    async def _attempts(
        self, route: Route, pool: WorkerPool, request: Request, waited: float
    ) -> Outcome:
        breaker = route.breaker
        self._budget.record_request()
        spent = 0.0
        attempt = 0
        while True:
            attempt += 1
            if breaker is not None and not breaker.try_acquire():
                outcome = await self._circuit_open(route, request, breaker)
                return replace(outcome, queue_wait_s=waited, attempts=attempt - 1)
            timeout = self._time_left(route, request)
            if timeout is not None and timeout <= 0:
                if breaker is not None:
                    breaker.release()
                return Outcome(error=DeadlineExceededError("deadline passed before running"),
                               queue_wait_s=waited, attempts=attempt - 1,
                               reject_reason="deadline")
            started = self._clock()
            try:
                if pool.is_async:
                    work = route.handler(request)
                else:
                    work = pool.run_in_executor(route.handler, request)
                if timeout is not None:
                    work = _within(work, timeout, route.request_type, self._wheel)
                value = await work
            except CallerError as exc:
                if breaker is not None:
                    breaker.release()
                return Outcome(error=exc, queue_wait_s=waited,
                               execution_s=spent + self._clock() - started, attempts=attempt)
            except asyncio.CancelledError:
                if breaker is not None:
                    breaker.release()
                raise
            except Exception as exc:
                elapsed = self._clock() - started
                spent += elapsed
                if breaker is not None:
                    if self._callers_deadline(exc, route, timeout):
                        breaker.release()  # the caller's budget ran out, not the agent's SLA
                    else:
                        breaker.record_failure(elapsed)
                if not self._may_retry(route, request, exc, attempt):
                    return Outcome(error=exc, queue_wait_s=waited, execution_s=spent,
                                   attempts=attempt)
                await asyncio.sleep(route.retry.backoff(attempt))
                continue
            elapsed = self._clock() - started
            if breaker is not None:
                breaker.record_success(elapsed)
            pool.record_execution(elapsed)
            return await self._success(route, request, value, waited, spent + elapsed, attempt)

    async def _success(
        self, route: Route, request: Request, value: Any, waited: float, spent: float,
        attempt: int,
    ) -> Outcome:
        cache, cache_s = None, 0.0
        if isinstance(value, AgentResult):
            value, cache, cache_s = value.value, value.cache, value.cache_s
        if route.serve_stale and self._stale is not None:
            await self._stale.remember(request, value)
        return Outcome(result=value, queue_wait_s=waited, execution_s=spent, cache=cache,
                       cache_s=cache_s, attempts=attempt)

    def _may_retry(self, route: Route, request: Request, error: Exception, attempt: int) -> bool:
        if not (route.idempotent and attempt < route.retry.max_attempts and is_retryable(error)):
            return False
        pause = route.retry.backoff(attempt)
        if request.deadline is not None and self._clock() + pause >= request.deadline:
            return False
        return self._budget.try_spend()

    @staticmethod
    def _callers_deadline(error: Exception, route: Route, timeout: float | None) -> bool:
        """Did a timeout fire because the request's own deadline was nearer than the route's?

        A request that waited in the queue may have only a few ms left; cutting it short says
        nothing about the agent's health, so it must not trip the breaker.
        """
        if not isinstance(error, DeadlineExceededError) or timeout is None:
            return False
        return route.timeout_s is None or timeout < route.timeout_s

    def _time_left(self, route: Route, request: Request) -> float | None:
        if request.deadline is None:
            return route.timeout_s
        left = request.deadline - self._clock()
        return left if route.timeout_s is None else min(left, route.timeout_s)

    async def _circuit_open(
        self, route: Route, request: Request, breaker: CircuitBreaker
    ) -> Outcome:
        if route.serve_stale and self._stale is not None:
            started = self._clock()
            stale = await self._stale.get_stale(request)
            if stale is not None:
                return Outcome(result=stale.value, cache="stale", stale=True,
                               cache_s=self._clock() - started)
        error = CircuitOpenError(f"agent {route.request_type!r} is unavailable",
                                 retry_after=max(breaker.retry_after(), 0.1))
        return Outcome(error=error, reject_reason="circuit_open")


async def _within(work: Awaitable[Any], timeout: float, request_type: str,
                  wheel: TimeoutWheel) -> Any:
    """``await work`` but at most ``timeout`` s; raises :class:`DeadlineExceededError`."""
    task = asyncio.current_task()
    if task is None:  # not inside a task: cannot be cancelled, so no timeout to enforce
        return await work
    cancelling = task.cancelling()
    expiry = wheel.arm(task, timeout)
    try:
        return await work
    except asyncio.CancelledError:
        if expiry.fired and task.uncancel() <= cancelling:
            raise DeadlineExceededError(
                f"agent {request_type!r} did not answer within {timeout:.3f} s") from None
        raise
    finally:
        wheel.disarm(expiry)


def outcome_label(outcome: Outcome) -> str:
    """The ``outcome`` field of :class:`~scriptohio.runtime.events.RequestCompleted`."""
    if outcome.stale:
        return "stale"
    if outcome.error is None:
        return "ok"
    return "timeout" if isinstance(outcome.error, DeadlineExceededError) else "error"

