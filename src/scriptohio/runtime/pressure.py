"""Shedding at the door: a drop probability driven by the event loop's own lag.

The pool's adaptive limit (:mod:`scriptohio.runtime.adaptive`) keeps the requests it admits
fast, but a request it refuses has already cost its HTTP parsing, routing, team lookup and
cache probe, about half a millisecond. At several times capacity those refusals alone fill
the loop, every request then waits in the socket before it is even read (the first overload
run of the adaptive pool: 3x capacity, goodput 20 % of the peak, 503s answered after 5 s). So
the service also refuses at the door, before any of that work, with a probability that
follows the loop's lag as PIE (RFC 8033) follows a queue's delay::

    p += gain x (delay - target) / target        (each lag sample, every 20 ms)
    p  = clamp(p, 0, max_drop)

``delay`` is the longer of the loop's *own* lag (its wait for a CPU that another process held
is left out: refusing requests cannot give that CPU back) and the queue delay of the pools
with an adaptive limit (requests waiting for a slot cost the loop nothing, so their wait
shows in no lag). A delay twice the target raises ``p`` by ``gain`` per sample; a quiet
service lowers it back to 0 within a few hundred milliseconds. A request is
refused only while more than ``min_in_flight`` are in the service, so a short stall of a
lightly used service (a model reload, a slow disk) never turns a user away.

:class:`PressureShedder` is pure: lag samples in, a probability out; the random draw is the
caller's.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_PRESSURE", "PressureConfig", "PressureShedder"]


@dataclass(frozen=True, slots=True)
class PressureConfig:
    target_lag_s: float = 0.05
    gain: float = 0.05
    max_drop: float = 0.98  # always let a few through, or the lag could never be measured
    min_in_flight: int = 32

    def __post_init__(self) -> None:
        if self.target_lag_s <= 0 or self.gain <= 0:
            raise ValueError("target_lag_s and gain must be > 0")
        if not 0 < self.max_drop < 1:
            raise ValueError("max_drop must be in (0, 1)")


DEFAULT_PRESSURE = PressureConfig()


class PressureShedder:
    __slots__ = ("_config", "probability")

    def __init__(self, config: PressureConfig = DEFAULT_PRESSURE) -> None:
        self._config = config
        self.probability = 0.0

    def observe(self, delay_s: float) -> float:
        """One delay sample; returns the new drop probability."""
        config = self._config
        step = config.gain * (delay_s - config.target_lag_s) / config.target_lag_s
        self.probability = max(0.0, min(config.max_drop, self.probability + step))
        return self.probability

    def shed(self, in_flight: int, draw: float) -> bool:
        """Refuse this request? ``draw``: a uniform random number in [0, 1)."""
        return (self.probability > 0.0 and in_flight > self._config.min_in_flight
                and draw < self.probability)
