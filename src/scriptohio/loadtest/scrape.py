"""The server's side of a run: ``GET /metrics`` parsed into a few resource figures.

Prometheus text is parsed with ``prometheus_client.parser``. Metric names are matched by
pattern so the scraper does not pin the service's metric naming:

==================  =====================================================================
figure              taken from
==================  =====================================================================
cpu_seconds         ``process_cpu_seconds_total`` (the standard process collector);
                    CPU % (of one core) is its rate between two scrapes
cpu_ratio           ``scriptohio_process_cpu_ratio`` (the monitor's gauge: share of all
                    cores), used when there is no CPU counter; converted to % of one core
                    with this machine's core count (the server is on loopback)
rss_bytes           any sample whose name ends ``process_resident_memory_bytes``
cache_hits/misses   counters whose name contains ``cache`` and ends ``hits_total`` /
                    ``misses_total`` (summed over labels); a ratio gauge whose name
                    contains ``cache_hit_ratio`` is used when there are no counters
lag_buckets         cumulative bucket counts of the histogram whose name contains
                    ``event_loop_lag`` (``le`` -> count): the run's lag P99 is read from
                    the first-to-last difference
own_lag_buckets     the same for ``event_loop_own_lag`` (lag beyond the loop thread's
                    wait for a CPU)
loop_cpu_wait       the counter whose name contains ``event_loop_cpu_wait``: seconds the
                    loop's thread was ready but waited for a CPU (e.g. behind the load
                    generator on the same cores)
pools               every sample whose name contains ``pool`` (``name{labels}`` -> value)
breakers            every sample whose name contains ``breaker``
==================  =====================================================================
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from prometheus_client.parser import text_string_to_metric_families


@dataclass(frozen=True, slots=True)
class ServerSample:
    """One scrape at epoch second ``at``."""

    at: float
    cpu_seconds: float | None = None
    cpu_ratio: float | None = None
    rss_bytes: float | None = None
    cache_hits: float | None = None
    cache_misses: float | None = None
    cache_hit_ratio: float | None = None
    pools: dict[str, float] = field(default_factory=dict)
    breakers: dict[str, float] = field(default_factory=dict)
    lag_buckets: dict[str, float] = field(default_factory=dict)
    own_lag_buckets: dict[str, float] = field(default_factory=dict)
    loop_cpu_wait: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> ServerSample:
        return cls(**raw)


def _key(name: str, labels: dict[str, str]) -> str:
    if not labels:
        return name
    inner = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    return f"{name}{{{inner}}}"


def parse_metrics(text: str, at: float) -> ServerSample:
    """Extract the figures above from one Prometheus text exposition."""
    cpu = cpu_ratio = rss = hits = misses = ratio = None
    pools: dict[str, float] = {}
    breakers: dict[str, float] = {}
    lag: dict[str, float] = {}
    own_lag: dict[str, float] = {}
    cpu_wait: float | None = None
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            name, value = sample.name, float(sample.value)
            lower = name.lower()
            if name == "process_cpu_seconds_total":
                cpu = value
            elif lower.endswith("process_cpu_ratio"):
                cpu_ratio = value
            elif lower.endswith("process_resident_memory_bytes"):
                rss = value
            elif "cache" in lower and lower.endswith("hits_total"):
                hits = (hits or 0.0) + value
            elif "cache" in lower and lower.endswith("misses_total"):
                misses = (misses or 0.0) + value
            elif "cache_hit_ratio" in lower and ratio is None:
                ratio = value
            if "pool" in lower:
                pools[_key(name, sample.labels)] = value
            if "breaker" in lower:
                breakers[_key(name, sample.labels)] = value
            if lower.endswith("_bucket"):
                buckets = (lag if "event_loop_lag" in lower
                           else own_lag if "event_loop_own_lag" in lower else None)
                if buckets is not None:
                    le = sample.labels.get("le", "+Inf")
                    buckets[le] = buckets.get(le, 0.0) + value  # summed over workers' labels
            elif "event_loop_cpu_wait" in lower and lower.endswith("_total"):
                cpu_wait = (cpu_wait or 0.0) + value
    return ServerSample(at, cpu, cpu_ratio, rss, hits, misses, ratio, pools, breakers, lag,
                        own_lag, cpu_wait)


def cpu_percent(samples: Sequence[ServerSample]) -> list[tuple[float, float]]:
    """(time, CPU % of one core) between consecutive scrapes that both report CPU."""
    out: list[tuple[float, float]] = []
    with_cpu = [s for s in samples if s.cpu_seconds is not None]
    if len(with_cpu) < 2:
        cores = os.cpu_count() or 1
        return [(s.at, 100.0 * s.cpu_ratio * cores) for s in samples if s.cpu_ratio is not None]
    for prev, cur in itertools.pairwise(with_cpu):
        span = cur.at - prev.at
        if span > 0 and prev.cpu_seconds is not None and cur.cpu_seconds is not None:
            out.append((cur.at, 100.0 * (cur.cpu_seconds - prev.cpu_seconds) / span))
    return out


def server_cache_hit_ratio(samples: Sequence[ServerSample]) -> float | None:
    """Hit ratio over the run: counter deltas first-to-last scrape, else the last ratio gauge."""
    counted = [s for s in samples if s.cache_hits is not None and s.cache_misses is not None]
    if len(counted) >= 2:
        first, last = counted[0], counted[-1]
        assert first.cache_hits is not None and first.cache_misses is not None
        assert last.cache_hits is not None and last.cache_misses is not None
        hits = last.cache_hits - first.cache_hits
        total = hits + last.cache_misses - first.cache_misses
        if total > 0:
            return hits / total
    ratios = [s.cache_hit_ratio for s in samples if s.cache_hit_ratio is not None]
    return ratios[-1] if ratios else None


def lag_quantile(
    samples: Sequence[ServerSample], q: float = 0.99, *, own: bool = False
) -> tuple[float | None, int]:
    """(upper bound of the bucket holding the ``q`` quantile of the run's lag probes, probes);
    ``own``: of the lag beyond the loop thread's wait for a CPU.

    From the first-to-last difference of the cumulative buckets, so only probes taken during
    the run count; ``None`` when the server has no such histogram or no probe fell in."""
    buckets = [s.own_lag_buckets if own else s.lag_buckets for s in samples]
    with_lag = [b for b in buckets if b]
    if not with_lag:
        return None, 0
    first, last = with_lag[0] if len(with_lag) > 1 else {}, with_lag[-1]
    deltas = sorted((float(le), count - first.get(le, 0.0)) for le, count in last.items())
    total = deltas[-1][1] if deltas else 0.0
    if total <= 0:
        return None, 0
    bound = next(le for le, count in deltas if count >= q * total)
    return bound, int(total)


def cpu_wait_share(samples: Sequence[ServerSample]) -> float | None:
    """The loop thread's CPU-wait seconds per second over the run; None if unknown or the
    counter went back (a server restart)."""
    waits = [(s.at, s.loop_cpu_wait) for s in samples if s.loop_cpu_wait is not None]
    if len(waits) < 2 or waits[-1][0] <= waits[0][0]:
        return None
    waited = waits[-1][1] - waits[0][1]
    return waited / (waits[-1][0] - waits[0][0]) if waited >= 0 else None


def summarize_server(samples: Sequence[ServerSample]) -> dict[str, Any]:
    """Peak / mean CPU %, peak RSS, the run's cache hit ratio, last pools and breakers."""
    cpu = [v for _, v in cpu_percent(samples)]
    rss = [s.rss_bytes for s in samples if s.rss_bytes is not None]
    lag_p99, lag_probes = lag_quantile(samples)
    own_lag_p99, _ = lag_quantile(samples, own=True)
    return {
        "scrapes": len(samples),
        "cpu_percent_mean": sum(cpu) / len(cpu) if cpu else None,
        "cpu_percent_max": max(cpu) if cpu else None,
        "rss_bytes_max": max(rss) if rss else None,
        "cache_hit_ratio": server_cache_hit_ratio(samples),
        "event_loop_lag_p99_s": lag_p99,
        "event_loop_lag_probes": lag_probes,
        "event_loop_own_lag_p99_s": own_lag_p99,
        "event_loop_cpu_wait_share": cpu_wait_share(samples),
        "pools": samples[-1].pools if samples else {},
        "breakers": samples[-1].breakers if samples else {},
        "breakers_seen": sorted({k for s in samples for k, v in s.breakers.items() if v}),
    }
