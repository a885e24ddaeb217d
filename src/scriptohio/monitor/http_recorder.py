"""Per-route HTTP request metrics: two recorders behind one ``record`` method.

The hot path of every request ends here, so the single-process recorder keeps plain lists
(a dict lookup, a ``bisect`` and three additions: well under a microsecond) and writes the
text exposition itself when scraped. With several workers
(``PROMETHEUS_MULTIPROC_DIR`` set) values must live in prometheus_client's per-process files, so
that mode uses regular ``Counter``/``Histogram`` objects; both expose the same series:

* ``scriptohio_http_requests_total{route, method, status}``
* ``scriptohio_http_request_errors_total{route, method}`` (failures as
  :mod:`~scriptohio.monitor.outcomes` defines them: 5xx other than the readiness probe's
  503 while loading, and exceptions; never a 4xx)
* ``scriptohio_http_request_duration_seconds{route, method}`` (histogram, ``HTTP_BUCKETS``)
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from typing import Any, Protocol

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import Metric

from scriptohio.monitor.outcomes import is_failure

REQUESTS = ("scriptohio_http_requests", "HTTP requests handled.")
ERRORS = ("scriptohio_http_request_errors",
          "HTTP requests that failed (5xx other than readiness while loading, or an exception).")
DURATION = ("scriptohio_http_request_duration_seconds", "HTTP request duration.")


class HttpRecorder(Protocol):
    def record(self, route: str, method: str, status: int, seconds: float) -> None: ...

    def totals(self) -> dict[str, float]:
        """This process's cumulative ``requests``, ``errors``, ``duration_sum`` and ``le:<b>``
        bucket counts (the names of :mod:`~scriptohio.monitor.signals`)."""
        ...

    def render(self) -> bytes:
        """Text exposition of series kept outside the registry (empty if none)."""
        ...


class InMemoryHttpRecorder:
    """Single-process recorder: plain counters, rendered at scrape time.

    Not registered in the registry: :meth:`MonitorMetrics.exposition` appends :meth:`render`.
    """

    def __init__(self, registry: CollectorRegistry, buckets: tuple[float, ...]) -> None:
        self._bounds = buckets
        # (route, method, status) -> [count, sum of seconds, per-bucket counts (+Inf last)]
        self._series: dict[tuple[str, str, int], list[Any]] = {}
        self._le = [repr(float(b)) for b in buckets] + ["+Inf"]

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

    def totals(self) -> dict[str, float]:
        out = dict.fromkeys(("requests", "errors", "duration_sum"), 0.0)
        buckets = [0] * (len(self._bounds) + 1)
        for (route, _, status), (count, total, counts) in list(self._series.items()):
            out["requests"] += count
            out["duration_sum"] += total
            if is_failure(status, route):
                out["errors"] += count
            for i, n in enumerate(counts):
                buckets[i] += n
        running = 0
        for le, n in zip(self._le, buckets, strict=True):
            running += n
            out[f"le:{le}"] = float(running)
        return out

    def render(self) -> bytes:
        """These series in the Prometheus text format (0.0.4).

        Written directly rather than through ``generate_latest``: these are most of the lines of
        a scrape, and plain string building is about ten times faster.
        """
        name, doc = REQUESTS
        requests = [f"# HELP {name}_total {doc}", f"# TYPE {name}_total counter"]
        name, doc = ERRORS
        errors = [f"# HELP {name}_total {doc}", f"# TYPE {name}_total counter"]
        name, doc = DURATION
        durations = [f"# HELP {name} {doc}", f"# TYPE {name} histogram"]
        merged: dict[tuple[str, str], list[Any]] = {}
        failed: dict[tuple[str, str], int] = {}
        for (route, method, status), (count, total, buckets) in list(self._series.items()):
            labels = f'route="{_escape(route)}",method="{_escape(method)}"'
            requests.append(f'{REQUESTS[0]}_total{{{labels},status="{status}"}} {float(count)}')
            if is_failure(status, route):
                failed[(route, method)] = failed.get((route, method), 0) + count
            entry = merged.setdefault((route, method), [[0] * len(buckets), 0.0, 0])
            for i, n in enumerate(buckets):
                entry[0][i] += n
            entry[1] += total
            entry[2] += count
        for (route, method), n in failed.items():
            labels = f'route="{_escape(route)}",method="{_escape(method)}"'
            errors.append(f"{ERRORS[0]}_total{{{labels}}} {float(n)}")
        for (route, method), (counts, total, count) in merged.items():
            labels = f'route="{_escape(route)}",method="{_escape(method)}"'
            running = 0
            for le, n in zip(self._le, counts, strict=True):
                running += n
                durations.append(f'{name}_bucket{{{labels},le="{le}"}} {float(running)}')
            durations.append(f"{name}_count{{{labels}}} {float(count)}")
            durations.append(f"{name}_sum{{{labels}}} {float(total)!r}")
        return ("\n".join(requests + errors + durations) + "\n").encode()


class PrometheusHttpRecorder:
    """Multiprocess-safe recorder: prometheus_client metric objects (file-backed per worker)."""

    def __init__(self, registry: CollectorRegistry, buckets: tuple[float, ...]) -> None:
        self.requests = Counter(*REQUESTS, ("route", "method", "status"), registry=registry)
        self.errors = Counter(*ERRORS, ("route", "method"), registry=registry)
        self.duration = Histogram(*DURATION, ("route", "method"), buckets=buckets,
                                  registry=registry)
        self._children: dict[tuple[str, str, int], tuple[Any, Any, Any | None]] = {}

    def record(self, route: str, method: str, status: int, seconds: float) -> None:
        children = self._children.get((route, method, status))
        if children is None:
            children = self._children[(route, method, status)] = (
                self.requests.labels(route, method, str(status)),
                self.duration.labels(route, method),
                self.errors.labels(route, method) if is_failure(status, route) else None,
            )
        children[0].inc()
        children[1].observe(seconds)
        if children[2] is not None:
            children[2].inc()

    def totals(self) -> dict[str, float]:
        return http_totals(m for c in (self.requests, self.errors, self.duration)
                           for m in c.collect())

    def render(self) -> bytes:
        return b""  # everything lives in the registry


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def http_totals(families: Iterable[Metric]) -> dict[str, float]:
    """The recorders' :meth:`~HttpRecorder.totals` summed from metric families (one process's,
    or every worker's as ``MultiProcessCollector`` merges them)."""
    out = dict.fromkeys(("requests", "errors", "duration_sum"), 0.0)
    buckets: dict[str, float] = {}
    for family in families:
        for sample in family.samples:
            name = sample.name
            if name == f"{REQUESTS[0]}_total":
                out["requests"] += sample.value
            elif name == f"{ERRORS[0]}_total":
                out["errors"] += sample.value
            elif name == f"{DURATION[0]}_sum":
                out["duration_sum"] += sample.value
            elif name == f"{DURATION[0]}_bucket":
                le = sample.labels["le"]
                key = "le:" + (le if le == "+Inf" else repr(float(le)))
                buckets[key] = buckets.get(key, 0.0) + sample.value
    out.update(buckets)
    return out
