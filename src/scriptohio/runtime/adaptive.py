"""Adaptive admission: a pool's concurrency limit that follows its measured latency.

A fixed in-flight bound is either too low for a cheap pool or, for the cold path, far too
high: a few concurrent computations already fill the CPU, and every request admitted past
that waits (the December attack: 1,200 concurrent cold requests, 98.7 % admitted, server
P95 1.7 s, throughput down from 256 to 91 req/s). The limit here is the gradient algorithm of
Netflix's concurrency-limits and Envoy's adaptive concurrency filter, written over our own
pool rather than taken as a library: the PyPI candidates (aimd-limiter, aioadaptive,
ace-concurrency, all 0.x) each own a semaphore, where ours must move the limit of an
existing priority queue with deadlines.

Each completed execution is a sample; a short moving average (``short_window`` samples) is
what the pool does now. The *baseline* is what it does nearly unloaded: as in Envoy, it is
measured, not averaged, because an average of loaded samples follows the load upwards and
lets the limit climb with it (Netflix's Gradient2 long average does, when latency grows in
proportion to concurrency, which is what CPU-bound work on one event loop shows). Every
``probe_every`` samples the limit drops to ``min_limit`` until ``probe_samples`` executions
have finished with no more than that running; their median is the new baseline (a lower
short average lowers it at any time). Then::

    gradient  = clamp(tolerance x baseline / short, 0.5, 1.0)
    new limit = limit x gradient + sqrt(limit)      (sqrt(limit): room to probe upwards)
    limit     = limit x (1 - smoothing) + new limit x smoothing

While latency stays within ``tolerance`` of the baseline the limit grows by about
sqrt(limit) x smoothing per sample, but only while the pool uses at least half of it (an
idle pool's limit says nothing, so it must not drift up to the ceiling); once latency rises,
it falls towards the concurrency the work runs at without waiting inside the handlers.

Requests over the limit wait in the pool's queue, where :class:`~scriptohio.runtime.pool.
WorkerPool` sheds them at once (503 + Retry-After) when the wait it predicts is over the
pool's ``max_queue_wait_s``. :class:`GradientLimit` is pure: samples in, a limit out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["DEFAULT_GRADIENT", "GradientConfig", "GradientLimit"]


@dataclass(frozen=True, slots=True)
class GradientConfig:
    initial_limit: int = 16
    min_limit: int = 4  # never fewer at once (a slow sample must not starve the pool)
    max_limit: int = 1000
    tolerance: float = 1.5  # latency may grow to 1.5 x its long-term average unpunished
    smoothing: float = 0.2
    short_window: int = 10
    probe_every: int = 2000  # samples between baseline measurements
    probe_samples: int = 25  # executions at min_limit that make one

    def __post_init__(self) -> None:
        if not 1 <= self.min_limit <= self.initial_limit <= self.max_limit:
            raise ValueError("need 1 <= min_limit <= initial_limit <= max_limit")
        if self.tolerance < 1:
            raise ValueError("tolerance must be >= 1")
        if not 0 < self.smoothing <= 1:
            raise ValueError("smoothing must be in (0, 1]")
        if self.short_window < 1 or self.probe_samples < 1:
            raise ValueError("need short_window >= 1 and probe_samples >= 1")
        if self.probe_every <= self.probe_samples:
            raise ValueError("need probe_every > probe_samples")


DEFAULT_GRADIENT = GradientConfig()


class _Average:
    """Exponential moving average over about ``window`` samples; a plain mean until then,
    so the first samples are not dragged towards zero."""

    __slots__ = ("_count", "_window", "value")

    def __init__(self, window: int) -> None:
        self._window = window
        self._count = 0
        self.value = 0.0

    def add(self, sample: float) -> float:
        if self._count < self._window:
            self._count += 1
            self.value += (sample - self.value) / self._count
        else:
            self.value += (sample - self.value) * 2 / (self._window + 1)
        return self.value


class GradientLimit:
    """The concurrency limit of one pool, moved by each execution's duration."""

    __slots__ = ("_baseline", "_config", "_probe", "_short", "_since_probe", "_value")

    def __init__(self, config: GradientConfig = DEFAULT_GRADIENT) -> None:
        self._config = config
        self._value = float(config.initial_limit)
        self._short = _Average(config.short_window)
        self._baseline = math.inf
        self._since_probe = 0
        self._probe: list[float] | None = []  # measuring from the start: no baseline yet

    @property
    def limit(self) -> int:
        return self._config.min_limit if self._probe is not None else int(self._value)

    @property
    def baseline_s(self) -> float:
        """The measured nearly-unloaded execution time (inf before the first probe)."""
        return self._baseline

    def observe(self, execution_s: float, in_flight: int) -> int:
        """One completed execution (``in_flight``: what the pool ran when it ended, this
        one included); returns the new limit."""
        config = self._config
        short = self._short.add(execution_s)
        if self._probe is not None:
            if in_flight <= config.min_limit:
                self._probe.append(execution_s)
            if len(self._probe) >= config.probe_samples:
                self._baseline = sorted(self._probe)[len(self._probe) // 2]
                self._probe = None
                self._since_probe = 0
            return self.limit
        self._since_probe += 1
        if self._since_probe >= config.probe_every:
            self._probe = []
            return self.limit
        self._baseline = min(self._baseline, short)
        if in_flight < self._value / 2 or short <= 0:
            return self.limit  # the pool is not using its limit: latency says nothing of it
        gradient = max(0.5, min(1.0, config.tolerance * self._baseline / short))
        target = self._value * gradient + math.sqrt(self._value)
        value = self._value * (1 - config.smoothing) + target * config.smoothing
        self._value = max(float(config.min_limit), min(float(config.max_limit), value))
        return self.limit
