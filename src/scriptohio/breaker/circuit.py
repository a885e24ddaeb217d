"""The circuit breaker: a small state machine with a clock (resilience4j semantics).

::

    CLOSED --(failure rate or slow-call rate >= threshold, once minimum_calls seen)--> OPEN
    OPEN --(wait_in_open_s elapsed, checked on the next call attempt)--> HALF_OPEN
    HALF_OPEN --(half_open_calls probes done, rates below thresholds)--> CLOSED
    HALF_OPEN --(probes done, a rate at or above its threshold)--> OPEN

The decision logic does no I/O: callers ask :meth:`CircuitBreaker.try_acquire` before a call
and report :meth:`record_success` / :meth:`record_failure` (with the call duration) after it;
:meth:`release` returns a permit whose call never happened or whose error is ignored
(caller errors are not the dependency's fault). :meth:`call` wraps an awaitable for
convenience. Each change of state is reported to ``on_transition`` as a
:class:`BreakerTransition` (the orchestrator puts them on the event bus for the monitor).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, TypeVar

from scriptohio.breaker.windows import CountWindow, OutcomeWindow, TimeWindow, WindowCounts
from scriptohio.clock import Clock
from scriptohio.errors import CallerError, CircuitOpenError

T = TypeVar("T")

DEFAULT_FAILURE_RATE = 0.5
DEFAULT_SLOW_CALL_RATE = 1.0
DEFAULT_SLOW_CALL_S = 2.0
DEFAULT_WINDOW_SIZE = 50
DEFAULT_MINIMUM_CALLS = 10
DEFAULT_WAIT_IN_OPEN_S = 5.0
DEFAULT_HALF_OPEN_CALLS = 3


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(frozen=True, slots=True)
class BreakerTransition:
    """A breaker changed state (an event: the monitor counts these and shows the state)."""

    name: str
    from_state: str  # "closed" | "open" | "half_open"
    to_state: str


@dataclass(frozen=True, slots=True)
class BreakerConfig:
    """Thresholds are fractions in [0, 1]; ``window_size`` counts calls or seconds."""

    failure_rate_threshold: float = DEFAULT_FAILURE_RATE
    slow_call_rate_threshold: float = DEFAULT_SLOW_CALL_RATE
    slow_call_duration_s: float = DEFAULT_SLOW_CALL_S
    window_type: Literal["count", "time"] = "count"
    window_size: int = DEFAULT_WINDOW_SIZE
    minimum_calls: int = DEFAULT_MINIMUM_CALLS
    wait_in_open_s: float = DEFAULT_WAIT_IN_OPEN_S
    half_open_calls: int = DEFAULT_HALF_OPEN_CALLS

    @classmethod
    def consecutive(cls, failures: int, *, wait_in_open_s: float = DEFAULT_WAIT_IN_OPEN_S
                    ) -> BreakerConfig:
        """Open after ``failures`` failures in a row; one probe decides when half-open.

        (Every one of the last N calls failed exactly when the last N failed in a row.)
        Slow calls never count: for dependencies whose calls are bounded by their own timeout.
        """
        return cls(failure_rate_threshold=1.0, slow_call_duration_s=float("inf"),
                   window_size=failures, minimum_calls=failures,
                   wait_in_open_s=wait_in_open_s, half_open_calls=1)


DEFAULT_BREAKER_CONFIG = BreakerConfig()


class CircuitBreaker:
    """Guards one agent or dependency; see the module docstring for the state machine."""

    def __init__(
        self,
        name: str,
        config: BreakerConfig = DEFAULT_BREAKER_CONFIG,
        *,
        clock: Clock = time.monotonic,
        on_transition: Callable[[BreakerTransition], None] | None = None,
    ) -> None:
        self.name = name
        self.config = config
        self._clock = clock
        self._on_transition = on_transition
        self._window: OutcomeWindow = (
            CountWindow(config.window_size)
            if config.window_type == "count"
            else TimeWindow(config.window_size)
        )
        self._probes = CountWindow(config.half_open_calls)
        self._state = BreakerState.CLOSED
        self._opened_at = 0.0
        self._permits_out = 0  # half-open probes handed out and not yet reported
        self._below_minimum = True

    @property
    def state(self) -> BreakerState:
        """Current state; an OPEN breaker whose wait has elapsed reads as HALF_OPEN."""
        if (
            self._state is BreakerState.OPEN
            and self._clock() - self._opened_at >= self.config.wait_in_open_s
        ):
            self._transition(BreakerState.HALF_OPEN)
        return self._state

    def retry_after(self) -> float:
        """Seconds until an OPEN breaker admits probes (0 when not open)."""
        if self.state is not BreakerState.OPEN:
            return 0.0
        return max(0.0, self._opened_at + self.config.wait_in_open_s - self._clock())

    def try_acquire(self) -> bool:
        """May a call go ahead now? In HALF_OPEN only ``half_open_calls`` probes may."""
        state = self.state
        if state is BreakerState.CLOSED:
            return True
        if state is BreakerState.OPEN:
            return False
        if self._permits_out + self._probes.counts(0).calls < self.config.half_open_calls:
            self._permits_out += 1
            return True
        return False

    def release(self) -> None:
        """Give back a permit whose outcome must not count (call skipped or ignored error)."""
        if self._state is BreakerState.HALF_OPEN and self._permits_out > 0:
            self._permits_out -= 1

    def record_success(self, duration_s: float) -> None:
        self._record(failed=False, duration_s=duration_s)

    def record_failure(self, duration_s: float) -> None:
        self._record(failed=True, duration_s=duration_s)

    async def call(self, fn: Callable[[], Awaitable[T]]) -> T:
        """Run ``fn`` under the breaker; raises :class:`CircuitOpenError` when not permitted."""
        if not self.try_acquire():
            raise CircuitOpenError(
                f"circuit {self.name!r} is open", retry_after=max(self.retry_after(), 0.1)
            )
        started = self._clock()
        try:
            result = await fn()
        except CallerError:
            self.release()
            raise
        except Exception:
            self.record_failure(self._clock() - started)
            raise
        except BaseException:  # cancelled: the dependency said nothing either way
            self.release()
            raise
        self.record_success(self._clock() - started)
        return result

    def _record(self, *, failed: bool, duration_s: float) -> None:
        slow = duration_s >= self.config.slow_call_duration_s
        now = self._clock()
        state = self.state
        if state is BreakerState.CLOSED:
            self._window.record(failed, slow, now)
            # Once the minimum is reached, a clean success cannot raise either rate, so the
            # window is only re-evaluated on failures and slow calls (hot path: ~every request).
            if not (failed or slow or self._below_minimum):
                return
            counts = self._window.counts(now)
            self._below_minimum = counts.calls < self.config.minimum_calls
            if not self._below_minimum and self._over_threshold(counts):
                self._open(now)
        elif state is BreakerState.HALF_OPEN:
            self._permits_out = max(0, self._permits_out - 1)
            self._probes.record(failed, slow, now)
            counts = self._probes.counts(now)
            if counts.calls >= self.config.half_open_calls:
                if self._over_threshold(counts):
                    self._open(now)
                else:
                    self._transition(BreakerState.CLOSED)
        # OPEN: a late answer from a call admitted before the trip changes nothing.

    def _over_threshold(self, counts: WindowCounts) -> bool:
        return (
            counts.failure_rate >= self.config.failure_rate_threshold
            or counts.slow_rate >= self.config.slow_call_rate_threshold
        )

    def _open(self, now: float) -> None:
        self._opened_at = now
        self._transition(BreakerState.OPEN)

    def _transition(self, to: BreakerState) -> None:
        before = self._state
        if before is to:
            return
        self._state = to
        self._below_minimum = True
        self._window.reset()
        self._probes.reset()
        self._permits_out = 0
        if self._on_transition is not None:
            self._on_transition(BreakerTransition(self.name, str(before), str(to)))
