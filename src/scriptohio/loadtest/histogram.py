"""Client latency in an HdrHistogram: exact percentiles, mergeable across processes.

Locust's own statistics round response times above 100 ms to the nearest 10 ms; an
HdrHistogram with 3 significant digits keeps every value within 0.1 % from 1 µs to the
configured maximum, and two histograms merge by adding their counts -- so a master can add
its workers' encoded histograms and read percentiles as if one process had measured all.
Values are recorded in microseconds; the public API speaks seconds.
"""

from __future__ import annotations

from hdrh.histogram import HdrHistogram

DEFAULT_HIGHEST_S = 120.0
DEFAULT_SIGNIFICANT_DIGITS = 3
_US = 1_000_000
STANDARD_PERCENTILES = (50.0, 90.0, 95.0, 99.0)


class LatencyHistogram:
    """Latencies in seconds; values above ``highest_s`` are clamped (and counted)."""

    def __init__(
        self,
        *,
        highest_s: float = DEFAULT_HIGHEST_S,
        significant_digits: int = DEFAULT_SIGNIFICANT_DIGITS,
    ) -> None:
        self._highest_us = int(highest_s * _US)
        self._digits = significant_digits
        self._hist = HdrHistogram(1, self._highest_us, significant_digits)

    def record(self, seconds: float) -> None:
        value = round(seconds * _US)
        self._hist.record_value(min(max(value, 1), self._highest_us))

    @property
    def count(self) -> int:
        return int(self._hist.get_total_count())

    def percentile(self, p: float) -> float:
        """The value at percentile ``p`` (0..100), in seconds; 0.0 when empty."""
        if not self.count:
            return 0.0
        return float(self._hist.get_value_at_percentile(p)) / _US

    @property
    def max_s(self) -> float:
        return float(self._hist.get_max_value()) / _US if self.count else 0.0

    @property
    def min_s(self) -> float:
        return float(self._hist.get_min_value()) / _US if self.count else 0.0

    @property
    def mean_s(self) -> float:
        return float(self._hist.get_mean_value()) / _US if self.count else 0.0

    def summary(self) -> dict[str, float]:
        """count, mean, min, p50, p90, p95, p99, max (seconds)."""
        out: dict[str, float] = {"count": float(self.count), "mean": self.mean_s,
                                 "min": self.min_s}
        for p in STANDARD_PERCENTILES:
            out[f"p{p:g}"] = self.percentile(p)
        out["max"] = self.max_s
        return out

    def add(self, other: LatencyHistogram) -> None:
        """Merge ``other`` into this histogram (counts add up)."""
        if other.count:
            self._hist.add(other._hist)

    def encode(self) -> str:
        """Compressed, base64 text form (HdrHistogram's standard encoding)."""
        return bytes(self._hist.encode()).decode("ascii")

    def add_encoded(self, encoded: str) -> None:
        self._hist.decode_and_add(encoded.encode("ascii"))

    @classmethod
    def decode(cls, encoded: str, *, highest_s: float = DEFAULT_HIGHEST_S) -> LatencyHistogram:
        hist = cls(highest_s=highest_s)
        hist.add_encoded(encoded)
        return hist

    def reset(self) -> None:
        self._hist.reset()
