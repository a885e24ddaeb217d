"""Autoscaling decision for a worker pool: a pure function plus a small hysteresis machine.

:func:`desired_workers` maps observed statistics to a worker count (Ray Serve style: demand
divided by what a worker should carry at the target utilization; queue wait above its bound
asks for at least one more worker). :class:`Autoscaler` acts only when the same direction has
been wanted for the whole scale-up (short) or scale-down (long) delay, so it does not flap.
It does no I/O and reads time only from its clock; every decision is counted and logged.
"""

from __future__ import annotations

import logging
import math
import time
from collections import Counter
from dataclasses import dataclass

from scriptohio.clock import Clock

log = logging.getLogger(__name__)

DEFAULT_MIN_WORKERS = 2
DEFAULT_MAX_WORKERS = 20
DEFAULT_TARGET_UTILIZATION = 0.7
DEFAULT_MAX_QUEUE_WAIT_S = 0.05
DEFAULT_SCALE_UP_DELAY_S = 0.5
DEFAULT_SCALE_DOWN_DELAY_S = 15.0


@dataclass(frozen=True, slots=True)
class AutoscalerConfig:
    min_workers: int = DEFAULT_MIN_WORKERS
    max_workers: int = DEFAULT_MAX_WORKERS
    target_utilization: float = DEFAULT_TARGET_UTILIZATION
    max_queue_wait_s: float = DEFAULT_MAX_QUEUE_WAIT_S
    scale_up_delay_s: float = DEFAULT_SCALE_UP_DELAY_S
    scale_down_delay_s: float = DEFAULT_SCALE_DOWN_DELAY_S

    def __post_init__(self) -> None:
        if not 1 <= self.min_workers <= self.max_workers:
            raise ValueError("need 1 <= min_workers <= max_workers")
        if not 0 < self.target_utilization <= 1:
            raise ValueError("target_utilization must be in (0, 1]")


DEFAULT_AUTOSCALER_CONFIG = AutoscalerConfig()


@dataclass(frozen=True, slots=True)
class PoolStats:
    """What a pool observed since the last evaluation."""

    workers: int
    slots_per_worker: int
    busy: int  # slots executing now
    queued: int  # requests waiting for a slot
    queue_wait_s: float  # worst queue wait seen since the last evaluation


@dataclass(frozen=True, slots=True)
class ScalingDecision:
    from_workers: int
    to_workers: int
    reason: str


def desired_workers(stats: PoolStats, config: AutoscalerConfig) -> tuple[int, str]:
    """Worker count the observed load asks for, clamped to [min, max], and why."""
    per_worker = stats.slots_per_worker * config.target_utilization
    demand = stats.busy + stats.queued
    wanted = math.ceil(demand / per_worker) if demand else 0
    reason = f"demand {demand} at target utilization {config.target_utilization:.0%}"
    if stats.queue_wait_s > config.max_queue_wait_s and wanted <= stats.workers:
        wanted = stats.workers + 1
        reason = f"queue wait {stats.queue_wait_s * 1000:.0f} ms above bound"
    return max(config.min_workers, min(config.max_workers, wanted)), reason


class Autoscaler:
    """Turns a stream of :class:`PoolStats` into rare, deliberate :class:`ScalingDecision`."""

    def __init__(
        self, config: AutoscalerConfig = DEFAULT_AUTOSCALER_CONFIG, *, clock: Clock = time.monotonic
    ) -> None:
        self.config = config
        self._clock = clock
        self._up_since: float | None = None
        self._down_since: float | None = None
        self.decisions: Counter[str] = Counter()  # "up" | "down" | "hold"

    def observe(self, stats: PoolStats) -> ScalingDecision | None:
        """Evaluate once; returns a decision only when a delay has fully elapsed."""
        now = self._clock()
        wanted, reason = desired_workers(stats, self.config)
        if wanted > stats.workers:
            self._down_since = None
            self._up_since = now if self._up_since is None else self._up_since
            if now - self._up_since >= self.config.scale_up_delay_s:
                return self._decide("up", stats.workers, wanted, reason)
        elif wanted < stats.workers:
            self._up_since = None
            self._down_since = now if self._down_since is None else self._down_since
            if now - self._down_since >= self.config.scale_down_delay_s:
                return self._decide("down", stats.workers, wanted, reason)
        else:
            self._up_since = self._down_since = None
        self.decisions["hold"] += 1
        return None

    def _decide(self, direction: str, current: int, wanted: int, reason: str) -> ScalingDecision:
        self._up_since = self._down_since = None
        self.decisions[direction] += 1
        log.info("autoscale %s: %d -> %d workers (%s)", direction, current, wanted, reason)
        return ScalingDecision(current, wanted, reason)
