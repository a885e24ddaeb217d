"""Live monitor state, and the two views built from it: flat values and the dashboard snapshot.

Flat values (alert rules, grade and history read these names; ``None`` = no data):

``requests`` (count in the window), ``throughput_rps``, ``error_rate``, ``success_rate``,
``avg_latency_s``, ``p50_latency_s``, ``p90_latency_s``, ``p95_latency_s``, ``p99_latency_s``,
``cache_hit_rate`` (windowed, all tiers), ``cache_hit_rate_<tier>``, ``process_cpu``,
``system_cpu``, ``system_memory``, ``process_memory``, ``disk_usage``, ``loop_lag_s``,
``queued`` (all pools), ``rejections_rps``, ``stage_<stage>_s`` (mean seconds per stage),
``redis_latency_s``; the history also stores ``alerts_firing`` (count at each tick).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

from scriptohio.monitor.bottleneck import (
    STAGES,
    Bottleneck,
    BottleneckSignals,
    PoolSignal,
    detect_bottlenecks,
)
from scriptohio.monitor.cachestats import CacheStatsReader
from scriptohio.monitor.grade import GradeResult
from scriptohio.monitor.metrics import MonitorMetrics
from scriptohio.monitor.resources import ResourceSample
from scriptohio.monitor.window import SlidingWindow, WindowStats
from scriptohio.runtime.telemetry import PoolSnapshot

KNOWN_STAGES = (*STAGES, "redis")
LOOP_LAG_SPAN_S = 5.0


class MonitorState:
    """Everything the monitor keeps besides the request window; fed by events and calls."""

    def __init__(
        self, *, window_s: int, clock: Callable[[], float] = time.time,
        queue_growth_span_s: float = 5.0,
    ) -> None:
        self.window_s = window_s
        self.queue_growth_span_s = queue_growth_span_s
        self.clock = clock
        self.stages: dict[str, SlidingWindow] = {}
        self.pools: dict[str, PoolSnapshot] = {}
        self._queue_history: dict[str, deque[tuple[float, int]]] = {}
        self.breakers: dict[str, str] = {}
        self.rejections: dict[str, int] = {}
        self._rejection_window = SlidingWindow(window_s, clock=clock)
        self.scaling: deque[dict[str, Any]] = deque(maxlen=20)
        self.models: dict[str, dict[str, float]] = {}
        self.outcomes: dict[str, int] = {}
        self._lags: deque[tuple[float, float]] = deque(maxlen=512)  # > 5 s of 20 ms probes
        self._cache_samples: deque[tuple[float, dict[str, dict[str, float]]]] = deque()
        self.cache_tiers: dict[str, dict[str, float]] = {}
        #: the weekly cycle as this process saw it: pulls, failures, retrains (dashboard card)
        self.data_cycle: dict[str, Any] = {"pulls": 0, "failures": 0}

    # --- inputs -------------------------------------------------------------------------
    def observe_stage(self, stage: str, seconds: float, metrics: MonitorMetrics) -> None:
        name = stage if stage in KNOWN_STAGES else "other"
        window = self.stages.get(name)
        if window is None:
            window = self.stages[name] = SlidingWindow(self.window_s, clock=self.clock)
        window.record(seconds)
        metrics.stage_duration.labels(name).observe(seconds)

    def data_pulled(self, at: float, next_at: float, rows: Mapping[str, int], due: bool
                    ) -> None:
        cycle = self.data_cycle
        cycle["pulls"] += 1
        cycle.update(last_pull_at=at, next_pull_at=next_at, last_due=due)
        if due:
            cycle["last_rows_changed"] = dict(rows)

    def data_pull_failed(self, at: float, next_at: float, reason: str) -> None:
        cycle = self.data_cycle
        cycle["failures"] += 1
        cycle.update(last_failure_at=at, last_failure=reason, next_pull_at=next_at)

    def model_retrained(self, retrain: dict[str, Any]) -> None:
        self.data_cycle["last_retrain"] = retrain

    def model_load(self, name: str, seconds: float) -> None:
        self.models.setdefault(name, {"predictions": 0, "calls": 0, "total_s": 0.0})
        self.models[name]["load_s"] = seconds

    def prediction(self, model: str, seconds: float, n: int) -> None:
        entry = self.models.setdefault(model, {"predictions": 0, "calls": 0, "total_s": 0.0})
        entry["predictions"] += n
        entry["calls"] += 1
        entry["total_s"] += seconds

    def queue_length(self, pool: str, queued: int) -> None:
        self._queue_history.setdefault(pool, deque(maxlen=256)).append((self.clock(), queued))

    def pool(self, e: PoolSnapshot) -> None:
        self.pools[e.pool] = e
        self.queue_length(e.pool, e.queued)

    def rejected(self, reason: str) -> None:
        self.rejections[reason] = self.rejections.get(reason, 0) + 1
        self._rejection_window.record(0.0)

    def agent_completed(self, request_type: str, seconds: float, outcome: str) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1

    def breaker(self, name: str, to_state: str) -> None:
        self.breakers[name] = to_state

    def scaled(self, pool: str, before: int, after: int, reason: str) -> None:
        self.scaling.append({"t": self.clock(), "pool": pool, "from": before, "to": after,
                             "reason": reason})

    def loop_lag(self, lag_s: float) -> None:
        self._lags.append((self.clock(), lag_s))

    def sample_cache(self, tiers: dict[str, dict[str, float]], now: float) -> None:
        self.cache_tiers = tiers
        self._cache_samples.append((now, tiers))
        while self._cache_samples and now - self._cache_samples[0][0] > self.window_s:
            self._cache_samples.popleft()

    # --- derived ------------------------------------------------------------------------
    @property
    def loop_lag_s(self) -> float:
        now = self.clock()
        recent = [lag for t, lag in self._lags if now - t <= LOOP_LAG_SPAN_S]
        return max(recent, default=0.0)

    def queue_growth(self, pool: str) -> float:
        """Queue length now minus ``queue_growth_span_s`` ago (or the oldest reading)."""
        span_s = self.queue_growth_span_s
        history = self._queue_history.get(pool)
        if not history:
            return 0.0
        now_t, now_q = history[-1]
        past = [q for t, q in history if now_t - t >= span_s]
        base = past[-1] if past else history[0][1]
        return float(now_q - base)

    def windowed_cache(self) -> dict[str, dict[str, float]]:
        """Per tier hits/misses/hit_ratio over the window (cumulative counters differenced)."""
        if not self._cache_samples:
            return {}
        first = self._cache_samples[0][1]
        last = self._cache_samples[-1][1]
        out: dict[str, dict[str, float]] = {}
        for tier, values in last.items():
            base = first.get(tier, {}) if len(self._cache_samples) > 1 else {}
            hits = values.get("hits", 0.0) - base.get("hits", 0.0)
            misses = values.get("misses", 0.0) - base.get("misses", 0.0)
            if hits < 0 or misses < 0:  # the source restarted its counters: use them as they are
                hits, misses = values.get("hits", 0.0), values.get("misses", 0.0)
            row = {"hits": hits, "misses": misses}
            if hits + misses > 0:
                row["hit_ratio"] = hits / (hits + misses)
            out[tier] = row
        return out

    def rejections_rps(self) -> float:
        return self._rejection_window.stats().throughput_rps

    def stage_means(self) -> dict[str, float]:
        out = {}
        for name, window in self.stages.items():
            avg = window.mean()
            if avg is not None:
                out[name] = avg
        return out

    def bottlenecks(self, values: Mapping[str, float | None]) -> list[Bottleneck]:
        cpu = values.get("process_cpu")
        cores = values.get("cpu_count") or 1.0
        pools = tuple(
            PoolSignal(p.pool, p.workers, p.busy, p.max_workers, p.queued,
                       self.queue_growth(p.pool))
            for p in self.pools.values()
        )
        signals = BottleneckSignals(
            stage_s=self.stage_means(),
            pools=pools,
            # A CPython process saturates at about one core (the GIL): compare to that.
            process_cpu=None if cpu is None else min(1.0, cpu * cores),
            loop_lag_s=values.get("loop_lag_s"),
            redis_latency_s=values.get("redis_latency_s"),
            cache_hit_rate=values.get("cache_hit_rate"),
        )
        return detect_bottlenecks(signals)


def flat_values(
    state: MonitorState, window: WindowStats, resources: ResourceSample | None
) -> dict[str, float | None]:
    """The flat ``{name: value}`` view (see the module docstring for the names)."""
    v: dict[str, float | None] = {
        "requests": float(window.count),
        "throughput_rps": window.throughput_rps,
        "error_rate": window.error_rate,
        "success_rate": None if window.error_rate is None else 1.0 - window.error_rate,
        "avg_latency_s": window.avg_s,
        "p50_latency_s": window.p50_s,
        "p90_latency_s": window.p90_s,
        "p95_latency_s": window.p95_s,
        "p99_latency_s": window.p99_s,
        "loop_lag_s": state.loop_lag_s,
        "queued": float(sum(p.queued for p in state.pools.values())),
        "rejections_rps": state.rejections_rps(),
    }
    windowed = state.windowed_cache()
    v["cache_hit_rate"] = CacheStatsReader.overall_hit_ratio(
        {t: w for t, w in windowed.items() if w["hits"] + w["misses"] > 0}
    )
    for tier, w in windowed.items():
        v[f"cache_hit_rate_{tier}"] = w.get("hit_ratio")
    if resources is not None:
        v.update({k: val for k, val in resources.as_dict().items()
                  if k not in ("net_sent_bytes", "net_recv_bytes", "threads")})
    stage_means = state.stage_means()
    for stage, avg in stage_means.items():
        v[f"stage_{stage}_s"] = avg
    remote = [t["latency_s"] for t in state.cache_tiers.values() if "latency_s" in t]
    v["redis_latency_s"] = stage_means.get("redis", max(remote) if remote else None)
    return v


def build_snapshot(
    state: MonitorState,
    window: WindowStats,
    resources: ResourceSample | None,
    values: Mapping[str, float | None],
    *,
    alerts: list[dict[str, object]],
    grade: GradeResult,
) -> dict[str, Any]:
    """The JSON the dashboard draws, one per tick."""
    windowed = state.windowed_cache()
    return {
        "t": state.clock(),
        "grade": {"score": grade.score, "grade": grade.grade, "criteria": grade.criteria()},
        "requests": window.as_dict(),
        "stages": state.stage_means(),
        "cache": {
            "hit_rate": values.get("cache_hit_rate"),
            "tiers": {
                tier: {**state.cache_tiers.get(tier, {}), "window_hit_ratio": w.get("hit_ratio")}
                for tier, w in windowed.items()
            },
        },
        "pools": {
            name: {
                "workers": p.workers, "busy": p.busy, "queued": p.queued,
                "min_workers": p.min_workers, "max_workers": p.max_workers,
                "utilization": p.busy / p.workers if p.workers else 0.0,
            }
            for name, p in state.pools.items()
        },
        "breakers": dict(state.breakers),
        "rejections": dict(state.rejections),
        "scaling": list(state.scaling)[-5:],
        "resources": resources.as_dict() if resources is not None else {},
        "loop_lag_s": values.get("loop_lag_s"),
        "in_flight": values.get("in_flight"),
        "models": {
            name: {
                "load_s": m.get("load_s"), "predictions": m["predictions"],
                "avg_prediction_s": m["total_s"] / m["calls"] if m["calls"] else None,
            }
            for name, m in state.models.items()
        },
        "alerts": alerts,
        "bottlenecks": [b.as_dict() for b in state.bottlenecks(values)],
        "data": dict(state.data_cycle),
    }
