"""Loop guard: an adaptive concurrency limit that keeps the event loop responsive.

Event-loop lag is the length of a loop turn: a timer (or a socket) that became ready waits
until every callback already ready in this turn has run. When the CPU is the bottleneck, a
turn's length grows with the number of requests executing at once, because the completions
that pile up while one turn runs all become ready in the next; throughput does not grow with
it, since the CPU is already saturated. Concurrency past that point buys only lag.

So each async pool carries a concurrency *limit* below its capacity, moved by the lag
signal (multiplicative decrease and increase, as TCP Vegas and Netflix's concurrency-limits
move a limit on round-trip time): when two samples in a row are above ``high_s`` the limit
drops to a fraction of what the pool runs now; when two in a row are below ``low_s`` it
grows back. Two in a row, because one late timer is as often the OS preempting the process
(a noisy neighbour) as our own work, and cutting concurrency then only costs throughput.
Requests over the limit wait in the pool's priority queue (bounded, deadline-checked,
priority-ordered), where they cost the loop nothing. Pools running fewer than ``min_limit``
requests are never cut, so a small light pool is not punished for a heavy pool's flood
(the bulkhead holds).

:func:`next_limit` is a pure function of the lag signal and the pool's state;
:class:`LagSignal` turns raw samples into that signal.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LoopGuardConfig:
    high_s: float = 0.006  # lag above this (twice in a row): cut the limit
    low_s: float = 0.003  # lag below this (twice in a row): raise it again
    decrease: float = 0.9  # new limit = min(limit, busy) x decrease
    increase: float = 1.1  # new limit = limit x increase (at least +1)
    min_limit: int = 32  # never cut below this many concurrent requests
    window: int = 2  # samples that must agree before the limit moves

    def __post_init__(self) -> None:
        if not 0 < self.low_s <= self.high_s:
            raise ValueError("need 0 < low_s <= high_s")
        if not 0 < self.decrease < 1 < self.increase:
            raise ValueError("need 0 < decrease < 1 < increase")
        if self.min_limit < 1:
            raise ValueError("min_limit must be >= 1")


DEFAULT_LOOP_GUARD = LoopGuardConfig()


class LagSignal:
    """The lag signal of the last ``window`` samples (a single late timer moves nothing)."""

    __slots__ = ("_recent",)

    def __init__(self, window: int = 2) -> None:
        self._recent: deque[float] = deque(maxlen=max(1, window))

    def observe(self, lag_s: float) -> tuple[float, float]:
        """(the lag every recent sample reached, the lag any recent sample reached)."""
        self._recent.append(lag_s)
        return min(self._recent), max(self._recent)


def next_limit(sustained_s: float, peak_s: float, busy: int, limit: int, ceiling: int,
               config: LoopGuardConfig = DEFAULT_LOOP_GUARD) -> int:
    """The pool's next concurrency limit.

    ``sustained_s``/``peak_s``: the lag every / any recent sample reached (one sample:
    both are that sample; see :class:`LagSignal`); ``busy``: requests the pool executes now;
    ``limit``: its current limit; ``ceiling``: the most it may ever run (max workers x
    slots). The result stays in ``[min_limit, ceiling]`` (``ceiling`` when that is smaller).
    """
    floor = min(config.min_limit, ceiling)
    if sustained_s > config.high_s:
        if busy <= config.min_limit:
            return limit  # too small to be what fills the loop
        return max(floor, int(min(limit, busy) * config.decrease))
    if peak_s < config.low_s and limit < ceiling:
        return min(ceiling, max(limit + 1, int(limit * config.increase)))
    return limit
