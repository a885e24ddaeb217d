"""Cumulative totals sampled over time, so rules can read increases over Prometheus's windows.

A rule's window can be three days (the slow SLO burn), and the monitor ticks every second, so
samples are kept in two rings: every ``fine_step_s`` for ``fine_span_s`` (the short windows),
and every ``coarse_step_s`` for ``coarse_span_s`` (the long ones). Memory stays bounded (about
1,500 + 900 samples of a few dozen floats) whatever the uptime.

``increase(name, w)`` follows ``rate(x[w]) * w`` of Prometheus with samples on a grid: the
latest sample minus the oldest one inside ``[now - w, now]``; a counter that ended lower
than it began (a restart) counts from zero. ``None`` when fewer than two samples fall in the
window or the series was never seen: no data, as in PromQL.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass

Totals = Mapping[str, float]


@dataclass(frozen=True, slots=True)
class HistoryConfig:
    fine_step_s: float = 5.0
    fine_span_s: float = 2 * 3600.0 + 60.0
    coarse_step_s: float = 300.0
    coarse_span_s: float = 3 * 86400.0 + 600.0


DEFAULT_HISTORY = HistoryConfig()


class TotalsHistory:
    """Samples of cumulative totals at their times (the caller's clock)."""

    def __init__(self, config: HistoryConfig = DEFAULT_HISTORY) -> None:
        self.config = config
        self._fine: deque[tuple[float, dict[str, float]]] = deque()
        self._coarse: deque[tuple[float, dict[str, float]]] = deque()
        self._now: float | None = None
        self._latest: dict[str, float] = {}

    def record(self, t: float, totals: Totals) -> None:
        """Keep ``totals`` as of ``t`` (called every tick; thinned to the rings' steps)."""
        sample = dict(totals)
        self._now = t
        self._latest = sample
        for ring, step, span in ((self._fine, self.config.fine_step_s, self.config.fine_span_s),
                                 (self._coarse, self.config.coarse_step_s,
                                  self.config.coarse_span_s)):
            if not ring or t - ring[-1][0] >= step - 1e-9:
                ring.append((t, sample))
            while ring and t - ring[0][0] > span:
                ring.popleft()

    def latest(self, name: str) -> float | None:
        return self._latest.get(name)

    def covered(self, window_s: float) -> float:
        """Seconds between the oldest sample inside the last ``window_s`` and the newest."""
        if self._now is None:
            return 0.0
        ring = self._fine if window_s <= self.config.fine_span_s - self.config.fine_step_s \
            else self._coarse
        index = bisect_left(ring, self._now - window_s - 1e-6, key=lambda sample: sample[0])
        return self._now - ring[index][0] if index < len(ring) else 0.0

    def increase(self, name: str, window_s: float) -> float | None:
        if self._now is None or name not in self._latest:
            return None
        ring = self._fine if window_s <= self.config.fine_span_s - self.config.fine_step_s \
            else self._coarse
        index = bisect_left(ring, self._now - window_s - 1e-6, key=lambda sample: sample[0])
        if index >= len(ring):
            return None
        t0, first = ring[index]
        if t0 >= self._now or name not in first:
            return None
        before, after = first[name], self._latest[name]
        return after - before if after >= before else after  # went down: restarted from 0
