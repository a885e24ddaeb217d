"""Per-route HTTP request metrics: two recorders behind one ``record`` method.

The hot path of every request ends here, so the single-process recorder keeps plain lists
(a dict lookup, a ``bisect`` and three integer additions: well under a microsecond) and turns
them into Prometheus families only when scraped. With several workers
(``PROMETHEUS_MULTIPROC_DIR`` set) values must live in prometheus_client's per-process files, so
that mode uses regular ``Counter``/``Histogram`` objects; both expose the same series:

* ``scriptohio_http_requests_total{route, method, status}``
* ``scriptohio_http_request_errors_total{route, method}`` (5xx answers and failures)
* ``scriptohio_http_request_duration_seconds{route, method}`` (histogram, ``HTTP_BUCKETS``)
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from typing import Any, Protocol

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric

REQUESTS = ("scriptohio_http_requests", "HTTP requests handled.")
ERRORS = ("scriptohio_http_request_errors", "HTTP requests answered 5xx or failed.")
DURATION = ("scriptohio_http_request_duration_seconds", "HTTP request duration.")


class HttpRecorder(Protocol):
    def record(self, route: str, method: str, status: int, seconds: float) -> None: ...


class InMemoryHttpRecorder:
    """Single-process recorder: plain counters, rendered at scrape time."""

    def __init__(self, registry: CollectorRegistry, buckets: tuple[float, ...]) -> None:
        self._bounds = buckets
        # (route, method, status) -> [count, sum of seconds, per-bucket counts (+Inf last)]
        self._series: dict[tuple[str, str, int], list[Any]] = {}
        registry.register(self)

    def record(self, route: str, method: str, status: int, seconds: float) -> None:
        series = self._series.get((route, method, status))
        if series is None:
            series = self._series[(route, method, status)] = [
                0, 0.0, [0] * (len(self._bounds) + 1)
            ]
        series[0] += 1
        series[1] += seconds
        # bisect_left: a value equal to a bound belongs to that bucket (le = "less or equal").
        series[2][bisect_left(self._bounds, seconds)] += 1

    def collect(self) -> Iterator[Metric]:
        requests = CounterMetricFamily(*REQUESTS, labels=["route", "method", "status"])
        errors = CounterMetricFamily(*ERRORS, labels=["route", "method"])
        durations = HistogramMetricFamily(*DURATION, labels=["route", "method"])
        merged: dict[tuple[str, str], tuple[list[int], list[float]]] = {}
        failed: dict[tuple[str, str], int] = {}
        for (route, method, status), (count, total, buckets) in list(self._series.items()):
            requests.add_metric([route, method, str(status)], count)
            if status >= 500:
                failed[(route, method)] = failed.get((route, method), 0) + count
            counts, sums = merged.setdefault((route, method), ([0] * len(buckets), [0.0]))
            for i, n in enumerate(buckets):
                counts[i] += n
            sums[0] += total
        for key, n in failed.items():
            errors.add_metric(list(key), n)
        for (route, method), (counts, sums) in merged.items():
            cumulative, running = [], 0
            for bound, n in zip((*self._bounds, float("inf")), counts, strict=True):
                running += n
                cumulative.append((_le(bound), running))
            durations.add_metric([route, method], cumulative, sums[0])
        yield requests
        yield errors
        yield durations


class PrometheusHttpRecorder:
    """Multiprocess-safe recorder: prometheus_client metric objects (file-backed per worker)."""

    def __init__(self, registry: CollectorRegistry, buckets: tuple[float, ...]) -> None:
        self.requests = Counter(*REQUESTS, ("route", "method", "status"), registry=registry)
        self.errors = Counter(*ERRORS, ("route", "method"), registry=registry)
        self.duration = Histogram(*DURATION, ("route", "method"), buckets=buckets,
                                  registry=registry)
        self._children: dict[tuple[str, str, int], tuple[Any, Any, Any]] = {}

    def record(self, route: str, method: str, status: int, seconds: float) -> None:
        children = self._children.get((route, method, status))
        if children is None:
            children = self._children[(route, method, status)] = (
                self.requests.labels(route, method, str(status)),
                self.duration.labels(route, method),
                self.errors.labels(route, method),
            )
        children[0].inc()
        children[1].observe(seconds)
        if status >= 500:
            children[2].inc()


def _le(bound: float) -> str:
    return "+Inf" if bound == float("inf") else repr(float(bound))
