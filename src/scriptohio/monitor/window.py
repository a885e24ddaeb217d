"""Sliding-window request statistics: count, errors, throughput, latency percentiles.

The window is a ring of one-second buckets. Recording is O(1) and allocation-free: the latency
goes into a log-spaced bin (about 4 % wide), so percentiles over the window are read by summing
a few hundred integers instead of sorting samples. The clock is passed in so tests step it.
"""

from __future__ import annotations

import math
import time
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]

#: Smallest latency resolved separately (everything below lands in bin 0).
MIN_LATENCY_S = 1e-4
#: Bin growth factor: percentiles are exact to about half of this (2 %).
BIN_GROWTH = 1.04
#: Bins up to ~ 1e-4 * 1.04**400 ~ 660 s; slower requests land in the last bin.
N_BINS = 400
DEFAULT_WINDOW_S = 60

#: Upper bound of each bin; bin i holds (bound[i-1], bound[i]]. Bisect beats a log() call.
_BOUNDS = tuple(MIN_LATENCY_S * BIN_GROWTH**i for i in range(N_BINS - 1))


def _bin_value(index: int) -> float:
    """Representative latency of a bin: its geometric middle."""
    if index == 0:
        return MIN_LATENCY_S
    return MIN_LATENCY_S * BIN_GROWTH ** (index - 0.5)


class _Bucket:
    __slots__ = ("bins", "count", "errors", "second", "total")

    def __init__(self) -> None:
        self.second = -1
        self.count = 0
        self.errors = 0
        self.total = 0.0
        self.bins: list[int] = [0] * N_BINS

    def reset(self, second: int) -> None:
        self.second = second
        self.count = 0
        self.errors = 0
        self.total = 0.0
        # A dense list: incrementing an index is cheaper than a dict update on the hot path;
        # one 400-slot allocation per second is nothing.
        self.bins = [0] * N_BINS


@dataclass(frozen=True, slots=True)
class WindowStats:
    """What the window saw; latencies in seconds, ``None`` when there were no requests."""

    count: int
    errors: int
    throughput_rps: float
    error_rate: float | None
    avg_s: float | None
    p50_s: float | None
    p90_s: float | None
    p95_s: float | None
    p99_s: float | None
    max_s: float | None

    def as_dict(self) -> dict[str, float | int | None]:
        return {
            "count": self.count,
            "errors": self.errors,
            "throughput_rps": self.throughput_rps,
            "error_rate": self.error_rate,
            "avg_s": self.avg_s,
            "p50_s": self.p50_s,
            "p90_s": self.p90_s,
            "p95_s": self.p95_s,
            "p99_s": self.p99_s,
            "max_s": self.max_s,
        }


class SlidingWindow:
    """Requests of the last ``window_s`` seconds, in one-second buckets."""

    def __init__(self, window_s: int = DEFAULT_WINDOW_S, *, clock: Clock = time.time) -> None:
        if window_s < 1:
            raise ValueError("window_s must be >= 1")
        self.window_s = window_s
        self._clock = clock
        self._buckets = [_Bucket() for _ in range(window_s)]
        self._started = clock()

    def record(self, seconds: float, *, error: bool = False) -> None:
        """Count one request that took ``seconds``."""
        second = int(self._clock())
        bucket = self._buckets[second % self.window_s]
        if bucket.second != second:
            bucket.reset(second)
        bucket.count += 1
        bucket.total += seconds
        if error:
            bucket.errors += 1
        bucket.bins[bisect_left(_BOUNDS, seconds)] += 1

    def stats(self) -> WindowStats:
        """Aggregate the live buckets (those younger than the window)."""
        now = self._clock()
        oldest = int(now) - self.window_s + 1
        count = errors = 0
        total = 0.0
        live = []
        for bucket in self._buckets:
            if bucket.second < oldest or bucket.count == 0:
                continue
            count += bucket.count
            errors += bucket.errors
            total += bucket.total
            live.append(bucket.bins)
        # A young window divides by the time it has existed, not by its full length.
        span = max(1.0, min(float(self.window_s), now - self._started))
        if count == 0:
            return WindowStats(0, 0, 0.0, None, None, None, None, None, None, None)
        ordered = [(b, n) for b, n in enumerate(map(sum, zip(*live, strict=True))) if n]
        return WindowStats(
            count=count,
            errors=errors,
            throughput_rps=count / span,
            error_rate=errors / count,
            avg_s=total / count,
            p50_s=_percentile(ordered, count, 0.50),
            p90_s=_percentile(ordered, count, 0.90),
            p95_s=_percentile(ordered, count, 0.95),
            p99_s=_percentile(ordered, count, 0.99),
            max_s=_bin_value(ordered[-1][0]),
        )


def _percentile(ordered: list[tuple[int, int]], count: int, q: float) -> float:
    rank = max(1, math.ceil(q * count))
    seen = 0
    for b, n in ordered:
        seen += n
        if seen >= rank:
            return _bin_value(b)
    return _bin_value(ordered[-1][0])
