"""Name the bottleneck from a stats snapshot, with a concrete recommendation.

Pure function over :class:`BottleneckSignals`; the monitor builds the signals from its windows.
Two families of evidence:

* **stage breakdown** - mean seconds per request spent in queue wait, cache, feature building,
  model inference and serialization; a stage that takes at least ``dominant_share`` of the
  accounted time *and* at least ``min_stage_s`` is the bottleneck;
* **saturation** - a pool at its maximum with a growing queue, a CPU-bound process, event-loop
  lag, slow Redis, a cold cache.

Findings are sorted by severity (``critical`` before ``warning``), then by how far past its
threshold the signal is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

STAGES = ("queue_wait", "cache", "features", "inference", "serialization")

RECOMMENDATIONS = {
    "queue_wait": "Requests wait for workers: raise the pool's max_workers or add service "
    "workers (--workers), and coalesce identical requests.",
    "cache": "Cache lookups are slow: keep hot keys in the in-process L1 tier, use pipelined "
    "or batched Redis calls, and compress only large values.",
    "features": "Feature building dominates: precompute team features per week at ingest and "
    "cache them instead of rebuilding per request.",
    "inference": "Model inference dominates: batch predictions (micro-batching), keep models "
    "loaded and warm, or serve the lighter model for casual users.",
    "serialization": "Serialization dominates: use orjson responses, trim optional fields, and "
    "cache the serialized body for hot answers.",
    "pool_saturated": "A worker pool is at its maximum with a growing queue: raise max_workers, "
    "shed low-priority load earlier, or scale out.",
    "cpu_bound": "The process is CPU-bound: move CPU work to a process pool, add workers up to "
    "the core count, and cache computed results.",
    "event_loop_lag": "The event loop is blocked: move blocking or CPU-heavy calls off the loop "
    "(run_in_executor / to_thread) and avoid synchronous I/O in handlers.",
    "slow_redis": "Redis is slow: check its latency and memory, pipeline calls, lower payload "
    "sizes, and rely on the in-process tier while it recovers.",
    "low_cache_hit_rate": "Cache hit rate is low: enlarge the cache, lengthen TTLs for stable "
    "data, and preload the coming week's predictions.",
}


@dataclass(frozen=True, slots=True)
class BottleneckThresholds:
    dominant_share: float = 0.5
    min_stage_s: float = 0.05
    cpu_bound: float = 0.85  # process CPU over its usable cores
    loop_lag_s: float = 0.1
    redis_latency_s: float = 0.02
    cache_hit_rate: float = 0.9


DEFAULT_THRESHOLDS = BottleneckThresholds()


@dataclass(frozen=True, slots=True)
class PoolSignal:
    name: str
    workers: int
    busy: int
    max_workers: int
    queued: int
    queue_growth: float  # queued now minus queued a few seconds ago


@dataclass(frozen=True, slots=True)
class BottleneckSignals:
    stage_s: Mapping[str, float] = field(default_factory=dict)  # mean seconds per stage
    pools: tuple[PoolSignal, ...] = ()
    process_cpu: float | None = None  # share of the cores the process can use, 0..1
    loop_lag_s: float | None = None
    redis_latency_s: float | None = None
    cache_hit_rate: float | None = None


@dataclass(frozen=True, slots=True)
class Bottleneck:
    kind: str
    severity: str  # "warning" | "critical"
    evidence: str
    recommendation: str
    excess: float  # how far past the threshold (ratio), used for ordering

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind, "severity": self.severity, "evidence": self.evidence,
            "recommendation": self.recommendation,
        }


def _finding(kind: str, severity: str, evidence: str, excess: float) -> Bottleneck:
    return Bottleneck(kind, severity, evidence, RECOMMENDATIONS[kind], excess)


def detect_bottlenecks(
    signals: BottleneckSignals, thresholds: BottleneckThresholds = DEFAULT_THRESHOLDS
) -> list[Bottleneck]:
    """Every bottleneck the signals show, most severe first (empty when all is well)."""
    t = thresholds
    found: list[Bottleneck] = []
    stage_times = {s: v for s, v in signals.stage_s.items() if s in STAGES and v > 0}
    total = sum(stage_times.values())
    if total > 0:
        stage, seconds = max(stage_times.items(), key=lambda kv: kv[1])
        share = seconds / total
        if share >= t.dominant_share and seconds >= t.min_stage_s:
            severity = "critical" if seconds >= 10 * t.min_stage_s else "warning"
            found.append(_finding(
                stage, severity,
                f"{stage} takes {seconds * 1000:.0f} ms per request ({share:.0%} of the time)",
                seconds / t.min_stage_s,
            ))
    for pool in signals.pools:
        if pool.max_workers > 0 and pool.workers >= pool.max_workers \
                and pool.busy >= pool.max_workers and pool.queued > 0 and pool.queue_growth > 0:
            found.append(_finding(
                "pool_saturated", "critical",
                f"pool {pool.name} at max ({pool.busy}/{pool.max_workers} busy), queue "
                f"{pool.queued} and growing (+{pool.queue_growth:g})",
                1.0 + pool.queue_growth,
            ))
    if signals.process_cpu is not None and signals.process_cpu >= t.cpu_bound:
        found.append(_finding(
            "cpu_bound", "critical" if signals.process_cpu >= 0.95 else "warning",
            f"process CPU at {signals.process_cpu:.0%} of its cores",
            signals.process_cpu / t.cpu_bound,
        ))
    if signals.loop_lag_s is not None and signals.loop_lag_s >= t.loop_lag_s:
        found.append(_finding(
            "event_loop_lag", "critical" if signals.loop_lag_s >= 5 * t.loop_lag_s else "warning",
            f"event-loop lag {signals.loop_lag_s * 1000:.0f} ms",
            signals.loop_lag_s / t.loop_lag_s,
        ))
    if signals.redis_latency_s is not None and signals.redis_latency_s >= t.redis_latency_s:
        found.append(_finding(
            "slow_redis", "warning",
            f"Redis operations take {signals.redis_latency_s * 1000:.1f} ms",
            signals.redis_latency_s / t.redis_latency_s,
        ))
    if signals.cache_hit_rate is not None and signals.cache_hit_rate < t.cache_hit_rate:
        found.append(_finding(
            "low_cache_hit_rate", "warning", f"cache hit rate {signals.cache_hit_rate:.1%}",
            t.cache_hit_rate / max(signals.cache_hit_rate, 0.01),
        ))
    found.sort(key=lambda b: (b.severity != "critical", -b.excess))
    return found
