"""Sliding-window request statistics: count, errors, throughput, latency percentiles.

The window is a ring of one-second buckets. Recording is O(1) and allocation-free: the latency
goes into a log-spaced bin (about 4 % wide), counted in its second's bucket and in a running
total over the ring; a bucket that leaves the window is subtracted from the total once. So
reading percentiles walks a few hundred integers instead of sorting samples or re-summing
every bucket (which took the monitor's once-a-second tick to ~14 ms of blocked event loop at
300 req/s). The clock is passed in so tests step it.
"""

from __future__ import annotations

import math
import operator
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
        self._totals = [0] * N_BINS  # bins summed over every bucket not yet retired
        self._started = clock()

    def _retire(self, bucket: _Bucket, second: int) -> None:
        """Take ``bucket`` out of the running total and reuse it for ``second``."""
        if bucket.count:
            self._totals = list(map(operator.sub, self._totals, bucket.bins))
        bucket.reset(second)

    def record(self, seconds: float, *, error: bool = False) -> None:
        """Count one request that took ``seconds``."""
        second = int(self._clock())
        bucket = self._buckets[second % self.window_s]
        if bucket.second != second:
            self._retire(bucket, second)
        bucket.count += 1
        bucket.total += seconds
        if error:
            bucket.errors += 1
        index = bisect_left(_BOUNDS, seconds)
        bucket.bins[index] += 1
        self._totals[index] += 1

    def _live(self, now: float) -> tuple[int, int, float]:
        """Retire buckets older than the window; (count, errors, total seconds) of the rest."""
        oldest = int(now) - self.window_s + 1
        count = errors = 0
        total = 0.0
        for bucket in self._buckets:
            if bucket.second < oldest:
                if bucket.count:
                    self._retire(bucket, bucket.second)
                continue
            count += bucket.count
            errors += bucket.errors
            total += bucket.total
        return count, errors, total

    def mean(self) -> float | None:
        """Mean latency over the window (no percentiles: cheaper than :meth:`stats`)."""
        count, _, total = self._live(self._clock())
        return total / count if count else None

    def stats(self) -> WindowStats:
        """Aggregate the live buckets (those younger than the window)."""
        now = self._clock()
        count, errors, total = self._live(now)
        # A young window divides by the time it has existed, not by its full length.
        span = max(1.0, min(float(self.window_s), now - self._started))
        if count == 0:
            return WindowStats(0, 0, 0.0, None, None, None, None, None, None, None)
        p50, p90, p95, p99, top = _percentiles(self._totals, count, (0.50, 0.90, 0.95, 0.99))
        return WindowStats(
            count=count,
            errors=errors,
            throughput_rps=count / span,
            error_rate=errors / count,
            avg_s=total / count,
            p50_s=p50,
            p90_s=p90,
            p95_s=p95,
            p99_s=p99,
            max_s=top,
        )


def _percentiles(bins: list[int], count: int, qs: tuple[float, ...]) -> list[float]:
    """The latencies at quantiles ``qs`` (ascending) and the highest occupied bin's, in one
    walk over ``bins``."""
    ranks = [max(1, math.ceil(q * count)) for q in qs]
    out: list[float] = []
    seen = 0
    last = 0
    for index, n in enumerate(bins):
        if not n:
            continue
        last = index
        seen += n
        while len(out) < len(ranks) and seen >= ranks[len(out)]:
            out.append(_bin_value(index))
    out += [_bin_value(last)] * (len(ranks) - len(out))
    out.append(_bin_value(last))
    return out
