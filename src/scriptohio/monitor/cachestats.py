"""How the monitor reads cache statistics without importing the cache package's classes.

A cache tier (or a whole layered cache) only has to offer ``stats()`` returning cumulative
numbers. Keys are either plain (``"hits"``) for a source registered under a tier name, or
dotted (``"l1.hits"``) when one source reports several tiers. Known metric keys:
``hits``, ``misses``, ``evictions``, ``bytes``, ``entries``, ``preload_precision``,
``latency_s`` (mean operation latency, used to spot a slow Redis). Unknown keys are ignored.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Protocol, runtime_checkable

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

KNOWN_KEYS = frozenset(
    {"hits", "misses", "evictions", "bytes", "entries", "preload_precision", "latency_s"}
)


@runtime_checkable
class CacheStatsSource(Protocol):
    """Anything with ``stats()`` -> mapping of (optionally ``tier.``-prefixed) numbers."""

    def stats(self) -> Mapping[str, float]: ...


class CacheStatsReader:
    """Merges registered sources into ``{tier: {metric: value}}`` plus derived hit ratios."""

    def __init__(self) -> None:
        self._sources: list[tuple[str, CacheStatsSource]] = []

    def add(self, source: CacheStatsSource, tier: str = "cache") -> None:
        """Register ``source``; plain keys are filed under ``tier``."""
        self._sources.append((tier, source))

    def read(self) -> dict[str, dict[str, float]]:
        tiers: dict[str, dict[str, float]] = {}
        for default_tier, source in self._sources:
            try:
                raw = source.stats()
            except Exception:  # a broken stats source must not break the monitor
                continue
            for key, value in raw.items():
                tier, _, metric = key.rpartition(".")
                tier = tier or default_tier
                if metric in KNOWN_KEYS:
                    tiers.setdefault(tier, {})[metric] = float(value)
        for values in tiers.values():
            lookups = values.get("hits", 0.0) + values.get("misses", 0.0)
            if lookups:
                values["hit_ratio"] = values.get("hits", 0.0) / lookups
        return tiers

    @staticmethod
    def overall_hit_ratio(tiers: Mapping[str, Mapping[str, float]]) -> float | None:
        """Share of lookups answered by some tier (misses counted at the last tier only).

        A request that misses L1 and hits L2 is a hit for the service: so the overall ratio is
        1 - (misses of the last tier consulted) / (lookups of the first). With tiers not
        ordered, the conservative reading is total hits over (total hits + last misses).
        """
        if not tiers:
            return None
        ordered = list(tiers.values())
        hits = sum(t.get("hits", 0.0) for t in ordered)
        final_misses = ordered[-1].get("misses", 0.0)
        total = hits + final_misses
        return hits / total if total else None


class CacheCollector:
    """Prometheus collector for the registered cache sources (read at scrape time)."""

    def __init__(self, reader: CacheStatsReader) -> None:
        self._reader = reader

    def collect(self) -> Iterator[Metric]:
        tiers = self._reader.read()
        counters = {
            "hits": CounterMetricFamily("scriptohio_cache_hits", "Cache hits.", labels=["tier"]),
            "misses": CounterMetricFamily(
                "scriptohio_cache_misses", "Cache misses.", labels=["tier"]
            ),
            "evictions": CounterMetricFamily(
                "scriptohio_cache_evictions", "Cache evictions.", labels=["tier"]
            ),
        }
        gauges = {
            "bytes": GaugeMetricFamily("scriptohio_cache_bytes", "Cache size.", labels=["tier"]),
            "entries": GaugeMetricFamily(
                "scriptohio_cache_entries", "Cache entries.", labels=["tier"]
            ),
            "preload_precision": GaugeMetricFamily(
                "scriptohio_cache_preload_precision_ratio",
                "Share of preloaded entries that were used.", labels=["tier"],
            ),
            "hit_ratio": GaugeMetricFamily(
                "scriptohio_cache_hit_ratio", "Cumulative hit ratio.", labels=["tier"]
            ),
        }
        for tier, values in tiers.items():
            for key, family in counters.items():
                if key in values:
                    family.add_metric([tier], values[key])
            for key, gauge in gauges.items():
                if key in values:
                    gauge.add_metric([tier], values[key])
        # Service-level lookups: a hit is an answer from any tier, a miss one no tier had.
        lookups = CounterMetricFamily(
            "scriptohio_cache_requests", "Cache lookups by the service, by result (hit: some "
            "tier answered; miss: none did).", labels=["result"])
        if tiers:
            ordered = list(tiers.values())
            lookups.add_metric(["hit"], sum(t.get("hits", 0.0) for t in ordered))
            lookups.add_metric(["miss"], ordered[-1].get("misses", 0.0))
        yield from counters.values()
        yield from gauges.values()
        yield lookups
