"""Runs one admitted request: pool slot, breaker, timeout, retries.

Errors are returned inside a :class:`RunOutcome`, never raised, so a coalesced execution can
share a failure exactly as it shares a result. Caller errors (bad input) are not the agent's
fault: they neither trip the breaker nor get retried.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from typing import Any

from scriptohio.breaker import BreakerState, CircuitBreaker
from scriptohio.clock import Clock
from scriptohio.errors import (
    CallerError,
    CircuitOpenError,
    DeadlineExceededError,
    OverloadedError,
)
from scriptohio.runtime.pool import WorkerPool
from scriptohio.runtime.request import AgentRequest, AgentResult
from scriptohio.runtime.retry import RetryBudget, is_retryable
from scriptohio.runtime.routing import Route
from scriptohio.runtime.timeouts import TimeoutWheel


@dataclass(slots=True)
class RunOutcome:
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
    attempts: int = 0
    reject_reason: str | None = None  # set when refused before the agent ran


class AgentRunner:
    def __init__(self, *, clock: Clock, budget: RetryBudget) -> None:
        self._clock = clock
        self._budget = budget
        self._wheel = TimeoutWheel()

    async def run(self, route: Route, pool: WorkerPool, request: AgentRequest) -> RunOutcome:
        """Slot, then attempts until success, a final error, or the deadline.

        Deliberately one flat coroutine: every extra ``await`` layer is paid twice per
        request (suspend and resume), which shows at a thousand concurrent requests.
        """
        breaker = route.breaker
        if breaker is not None and breaker.state is BreakerState.OPEN:
            return self._circuit_open(route, breaker)  # fail fast, do not queue
        waited = 0.0
        if not pool.try_acquire(request.type, request.priority):
            try:
                waited = await pool.acquire(request.type, request.priority, request.deadline)
            except OverloadedError as exc:
                return RunOutcome(error=exc, reject_reason="overload")
            except DeadlineExceededError as exc:
                return RunOutcome(error=exc, reject_reason="deadline")
        try:
            self._budget.record_request()
            spent = 0.0
            attempt = 0
            while True:
                attempt += 1
                if breaker is not None and not breaker.try_acquire():
                    outcome = self._circuit_open(route, breaker)
                    return replace(outcome, queue_wait_s=waited, attempts=attempt - 1)
                timeout = self._time_left(route, request)
                if timeout is not None and timeout <= 0:
                    if breaker is not None:
                        breaker.release()
                    return RunOutcome(error=DeadlineExceededError("deadline passed before running"),
                                      queue_wait_s=waited, attempts=attempt - 1,
                                      reject_reason="deadline")
                task = asyncio.current_task() if timeout is not None else None
                expiry = self._wheel.arm(task, timeout) if task and timeout is not None else None
                started = self._clock()
                error: Exception | None = None
                try:
                    if pool.is_async:
                        value = await route.handler(request)
                    else:
                        value = await pool.run_in_executor(route.handler, request)
                except asyncio.CancelledError:
                    if expiry is None or not expiry.claim_cancellation():
                        if breaker is not None:
                            breaker.release()
                        raise
                    error = DeadlineExceededError(
                        f"agent {route.request_type!r} did not answer within {timeout:.3f} s")
                except CallerError as exc:
                    if breaker is not None:
                        breaker.release()
                    return RunOutcome(error=exc, queue_wait_s=waited,
                                      execution_s=spent + self._clock() - started, attempts=attempt)
                except Exception as exc:
                    error = exc
                finally:
                    if expiry is not None:
                        self._wheel.disarm(expiry)
                elapsed = self._clock() - started
                spent += elapsed
                if error is None:
                    if breaker is not None:
                        breaker.record_success(elapsed)
                    pool.record_execution(elapsed)
                    cache, cache_s = None, 0.0
                    if isinstance(value, AgentResult):
                        value, cache, cache_s = value.value, value.cache, value.cache_s
                    return RunOutcome(result=value, queue_wait_s=waited, execution_s=spent,
                                      cache=cache, cache_s=cache_s, attempts=attempt)
                if breaker is not None:
                    if self._callers_deadline(error, route, timeout):
                        breaker.release()  # the caller's budget ran out, not the agent's SLA
                    else:
                        breaker.record_failure(elapsed)
                if not self._may_retry(route, request, error, attempt):
                    return RunOutcome(error=error, queue_wait_s=waited, execution_s=spent,
                                      attempts=attempt)
                await asyncio.sleep(route.retry.backoff(attempt))
        finally:
            pool.release()

    def _may_retry(self, route: Route, request: AgentRequest, error: Exception,
                   attempt: int) -> bool:
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

    def _time_left(self, route: Route, request: AgentRequest) -> float | None:
        if request.deadline is None:
            return route.timeout_s
        left = request.deadline - self._clock()
        return left if route.timeout_s is None else min(left, route.timeout_s)

    @staticmethod
    def _circuit_open(route: Route, breaker: CircuitBreaker) -> RunOutcome:
        error = CircuitOpenError(f"agent {route.request_type!r} is unavailable",
                                 retry_after=max(breaker.retry_after(), 0.1))
        return RunOutcome(error=error, reject_reason="circuit_open")


def outcome_label(outcome: RunOutcome) -> str:
    """The ``outcome`` field of :class:`~scriptohio.runtime.telemetry.RequestCompleted`."""
    if outcome.error is None:
        return "ok"
    return "timeout" if isinstance(outcome.error, DeadlineExceededError) else "error"

