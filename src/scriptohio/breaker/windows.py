"""Sliding windows of call outcomes for the circuit breaker (resilience4j semantics).

Two windows behind one protocol: :class:`CountWindow` keeps the last N outcomes;
:class:`TimeWindow` aggregates the last N seconds in one-second buckets (partial
aggregation, so memory is O(N) whatever the call rate).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class WindowCounts:
    calls: int = 0
    failures: int = 0
    slow: int = 0

    @property
    def failure_rate(self) -> float:
        return self.failures / self.calls if self.calls else 0.0

    @property
    def slow_rate(self) -> float:
        return self.slow / self.calls if self.calls else 0.0


class OutcomeWindow(Protocol):
    def record(self, failed: bool, slow: bool, now: float) -> None: ...

    def counts(self, now: float) -> WindowCounts: ...

    def reset(self) -> None: ...


class CountWindow:
    """The last ``size`` outcomes, as a ring buffer with running totals."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("window size must be >= 1")
        self._size = size
        self.reset()

    def reset(self) -> None:
        self._ring: list[tuple[bool, bool]] = []
        self._next = 0
        self._failures = 0
        self._slow = 0

    def record(self, failed: bool, slow: bool, now: float) -> None:
        if len(self._ring) < self._size:
            self._ring.append((failed, slow))
        else:
            old_failed, old_slow = self._ring[self._next]
            self._failures -= old_failed
            self._slow -= old_slow
            self._ring[self._next] = (failed, slow)
            self._next = (self._next + 1) % self._size
        self._failures += failed
        self._slow += slow

    def counts(self, now: float) -> WindowCounts:
        return WindowCounts(len(self._ring), self._failures, self._slow)


class TimeWindow:
    """Outcomes of the last ``seconds`` seconds, in one bucket per second."""

    def __init__(self, seconds: int) -> None:
        if seconds < 1:
            raise ValueError("window size must be >= 1 second")
        self._seconds = seconds
        self.reset()

    def reset(self) -> None:
        # bucket: [epoch second, calls, failures, slow]
        self._buckets = [[-1, 0, 0, 0] for _ in range(self._seconds)]

    def record(self, failed: bool, slow: bool, now: float) -> None:
        second = int(now // 1)
        bucket = self._buckets[second % self._seconds]
        if bucket[0] != second:
            bucket[:] = [second, 0, 0, 0]
        bucket[1] += 1
        bucket[2] += failed
        bucket[3] += slow

    def counts(self, now: float) -> WindowCounts:
        oldest = int(now // 1) - self._seconds
        calls = failures = slow = 0
        for second, c, f, s in self._buckets:
            if second > oldest:
                calls, failures, slow = calls + c, failures + f, slow + s
        return WindowCounts(calls, failures, slow)
