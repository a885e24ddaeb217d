"""Clocks: a clock is any zero-argument callable returning seconds as a float.

Every time-dependent policy (circuit breaker, limiter storage, autoscaler, priority aging,
TTLs, the monitor's windows) takes its clock as an argument, so tests step a
:class:`FakeClock` instead of sleeping. A foundation module like :mod:`scriptohio.errors`:
it imports nothing from the package, and every layer may import it.
"""

from __future__ import annotations

from collections.abc import Callable

Clock = Callable[[], float]


class FakeClock:
    """A manually stepped clock for deterministic tests and simulations.

    ``advance(s)`` moves it by hand. With ``tick`` > 0 every reading also moves it forward by
    ``tick`` seconds after it is read, so code that times itself (``end - start``) measures
    exactly ``tick`` per reading, whatever the host's speed.
    """

    def __init__(self, start: float = 0.0, *, tick: float = 0.0) -> None:
        if tick < 0:
            raise ValueError("a clock never goes backwards")
        self.now = start
        self.tick = tick

    def __call__(self) -> float:
        now = self.now
        self.now += self.tick
        return now

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds`` (never backwards)."""
        if seconds < 0:
            raise ValueError("a clock never goes backwards")
        self.now += seconds
