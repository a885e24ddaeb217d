"""A small circuit breaker for the shared tier (the cache keeps its own: it sits below runtime).

Pure state machine with an injected clock: ``allow()`` before a call, then ``record_success()``
or ``record_failure()``. After ``failure_threshold`` consecutive failures the circuit opens for
``reset_timeout`` seconds; then one trial call is let through (half-open); its outcome closes or
re-opens the circuit.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

State = Literal["closed", "open", "half_open"]


@dataclass(frozen=True, slots=True)
class BreakerConfig:
    """Thresholds for :class:`CircuitBreaker`."""

    failure_threshold: int = 3
    reset_timeout: float = 5.0


class CircuitBreaker:
    """Closed -> open after repeated failures -> half-open trial -> closed or open again."""

    def __init__(
        self,
        config: BreakerConfig = BreakerConfig(),
        *,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self._config = config
        self._timer = timer
        self._failures = 0
        self._opened_at = 0.0
        self._state: State = "closed"
        self._trial_running = False

    @property
    def state(self) -> State:
        """Current state; an open circuit turns half-open once its timeout has passed."""
        if self._state == "open" and self._timer() - self._opened_at >= self._config.reset_timeout:
            self._state = "half_open"
            self._trial_running = False
        return self._state

    def allow(self) -> bool:
        """May a call go through now? In half-open state only one trial at a time."""
        state = self.state
        if state == "closed":
            return True
        if state == "half_open" and not self._trial_running:
            self._trial_running = True
            return True
        return False

    def record_success(self) -> None:
        """The call worked: close the circuit."""
        self._failures = 0
        self._state = "closed"
        self._trial_running = False

    def record_failure(self) -> None:
        """The call failed or timed out."""
        self._failures += 1
        if self._state == "half_open" or self._failures >= self._config.failure_threshold:
            self._state = "open"
            self._opened_at = self._timer()
            self._trial_running = False
