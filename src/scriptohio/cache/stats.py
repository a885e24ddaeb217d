"""Cache statistics: plain counters the manager updates and monitors read via ``snapshot()``."""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field

# Loader latency histogram bucket upper bounds, seconds (Prometheus-style, last is +Inf).
LATENCY_BOUNDS = (0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, float("inf"))


@dataclass(slots=True)
class CacheStats:
    """Counters per tier and per event; all monotonic except the ``*_bytes`` gauges."""

    hits: Counter[str] = field(default_factory=Counter)  # per tier: l1, l2, shared, stale
    # Fresh L1 hits of the get() fast path, kept apart from ``hits`` (an int attribute is
    # cheaper to bump than a Counter item); snapshot() and total_hits add them to "l1".
    l1_fast_hits: int = 0
    misses: int = 0
    hit_bytes: int = 0
    miss_bytes: int = 0
    evictions: Counter[str] = field(default_factory=Counter)  # per reason
    shared_errors: int = 0
    loads: int = 0
    load_errors: int = 0
    loader_latency: list[int] = field(default_factory=lambda: [0] * len(LATENCY_BOUNDS))
    loader_seconds: float = 0.0
    preloads: int = 0
    # Preloaded entries read before leaving the cache; each such first read is a hit the
    # preload created, so it counts for precision (/ preloads) and coverage (/ all hits).
    preload_hits: int = 0

    def record_load(self, seconds: float, ok: bool) -> None:
        """One loader run and its duration."""
        self.loads += 1
        self.loader_seconds += seconds
        self.loader_latency[bisect_left(LATENCY_BOUNDS, seconds)] += 1
        if not ok:
            self.load_errors += 1

    @property
    def total_hits(self) -> int:
        """Hits over every tier (stale included)."""
        return sum(self.hits.values()) + self.l1_fast_hits

    def hits_by_tier(self) -> dict[str, int]:
        """Hits per tier, fast-path L1 hits included."""
        hits = dict(self.hits)
        if self.l1_fast_hits:
            hits["l1"] = hits.get("l1", 0) + self.l1_fast_hits
        return hits

    def snapshot(
        self, *, tier_bytes: dict[str, int], compression_ratio: float
    ) -> dict[str, object]:
        """A JSON-ready view for monitors, the dashboard and benchmarks."""
        hits = self.total_hits
        lookups = hits + self.misses
        looked_bytes = self.hit_bytes + self.miss_bytes
        return {
            "hits": self.hits_by_tier(),
            "misses": self.misses,
            "hit_ratio": hits / lookups if lookups else 0.0,
            "byte_hit_ratio": self.hit_bytes / looked_bytes if looked_bytes else 0.0,
            "evictions": dict(self.evictions),
            "bytes": tier_bytes,
            "compression_ratio": compression_ratio,
            "shared_errors": self.shared_errors,
            "loads": self.loads,
            "load_errors": self.load_errors,
            "loader_latency": {
                "bounds": [*LATENCY_BOUNDS[:-1], "+Inf"],
                "counts": list(self.loader_latency),
                "mean_seconds": self.loader_seconds / self.loads if self.loads else 0.0,
            },
            "preload": {
                "preloaded": self.preloads,
                "precision": self.preload_hits / self.preloads if self.preloads else 0.0,
                "coverage": self.preload_hits / hits if hits else 0.0,
            },
        }
