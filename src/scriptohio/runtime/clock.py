"""Clocks: a clock is any zero-argument callable returning seconds as a float.

Every time-dependent runtime policy (breaker, limiter storage, autoscaler, priority aging)
takes its clock as an argument so tests step a :class:`FakeClock` instead of sleeping.
"""

from __future__ import annotations

from collections.abc import Callable

Clock = Callable[[], float]


class FakeClock:
    """A manually stepped clock for deterministic tests and simulations."""

    def __init__(self, start: float = 0.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds`` (never backwards)."""
        if seconds < 0:
            raise ValueError("a clock never goes backwards")
        self.now += seconds
