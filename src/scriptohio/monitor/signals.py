"""The signals alert rules judge, each defined twice: in PromQL and over the monitor's own totals.

One catalogue for both evaluators, so a rule means the same in Prometheus and in the app:
:mod:`~scriptohio.monitor.prometheus_rules` renders ``promql(window)`` into the shipped rule
file, and :class:`~scriptohio.monitor.rules.AlertEngine` computes ``value(view, window)`` from
the cumulative totals :class:`~scriptohio.monitor.series.TotalsHistory` sampled.

Both sides return *no data* for an idle service: a ratio whose denominator did not move over
the window is empty in PromQL (``/ (... > 0)``) and ``None`` here, so an idle service is never
"100 % slow" or "0 % cache hits". Totals (names in :data:`TOTALS`):

``requests``, ``errors``, ``duration_sum``, ``le:<bound>`` (cumulative histogram buckets of
``scriptohio_http_request_duration_seconds``, ``le:+Inf`` = requests), ``cache_hits``,
``cache_misses`` (service-level: a lookup no tier answered), ``cpu_seconds`` (all worker
processes of the replica), ``workers`` and ``system_memory`` (gauges: the latest value counts).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from scriptohio.monitor.metrics import HTTP_BUCKETS
from scriptohio.monitor.series import TotalsHistory

#: The SLO's latency edge: "P95 < 1 s" read as "at least 95 % of requests within 1 s".
SLO_LATENCY_S = 1.0
DURATION = "scriptohio_http_request_duration_seconds"
BUCKET_KEYS = (*(f"le:{b!r}" for b in map(float, HTTP_BUCKETS)), "le:+Inf")


class WindowView(Protocol):
    """What a signal reads: counter increases over a window and latest gauge values."""

    def increase(self, name: str, window_s: float) -> float | None: ...

    def latest(self, name: str) -> float | None: ...


@dataclass(frozen=True, slots=True)
class Signal:
    """``promql`` takes the window as Prometheus writes it (``5m``); ``value`` takes seconds.

    ``record``: the recording rule's name pattern (``{w}`` = window); ``per_instance``: the
    PromQL keeps the ``instance`` label (a resource of one replica), otherwise it is summed over
    the deployment (what callers see)."""

    name: str
    record: str
    promql: Callable[[str], str]
    value: Callable[[WindowView, float], float | None]
    per_instance: bool = False
    windowed: bool = True


def _ratio(num: float | None, den: float | None) -> float | None:
    if num is None or den is None or den <= 0:
        return None
    return num / den


def _error_ratio(view: WindowView, w: float) -> float | None:
    return _ratio(view.increase("errors", w) or 0.0, view.increase("requests", w))


def _slow_ratio(view: WindowView, w: float) -> float | None:
    total = view.increase("requests", w)
    fast = view.increase(f"le:{SLO_LATENCY_S!r}", w)
    if total is None or fast is None:
        return None
    return _ratio(total - fast, total)


def histogram_quantile(q: float, cumulative: Sequence[tuple[float, float]]) -> float | None:
    """Prometheus's ``histogram_quantile`` over ``(upper bound, cumulative count)`` pairs
    (ascending, ``+Inf`` last): linear interpolation inside the bucket holding the rank."""
    if not cumulative or cumulative[-1][1] <= 0:
        return None
    total = cumulative[-1][1]
    rank = q * total
    previous_bound, previous_count = 0.0, 0.0
    for bound, count in cumulative:
        if count >= rank:
            if math.isinf(bound):
                return previous_bound  # the highest finite bound, as Prometheus answers
            if count == previous_count:
                return bound
            return previous_bound + (bound - previous_bound) * (
                (rank - previous_count) / (count - previous_count))
        previous_bound, previous_count = bound, count
    return previous_bound


def quantile_over(view: WindowView, q: float, w: float) -> float | None:
    """The ``q`` quantile of request durations over the last ``w`` seconds."""
    pairs: list[tuple[float, float]] = []
    for key in BUCKET_KEYS:
        n = view.increase(key, w)
        if n is None:
            return None
        pairs.append((float(key[3:]), n))
    return histogram_quantile(q, pairs)


def _cache_hit_ratio(view: WindowView, w: float) -> float | None:
    hits = view.increase("cache_hits", w)
    misses = view.increase("cache_misses", w)
    if hits is None or misses is None:
        return None
    return _ratio(hits, hits + misses)


def _process_cpu(view: WindowView, w: float) -> float | None:
    seconds = view.increase("cpu_seconds", w)
    workers = view.latest("workers") or 1.0
    return None if seconds is None else seconds / w / workers


_REQ = "scriptohio_http_requests_total"
_ERR = "scriptohio_http_request_errors_total"
_CACHE = "scriptohio_cache_requests_total"

SIGNALS: dict[str, Signal] = {s.name: s for s in (
    Signal("error_ratio", "scriptohio:http_error_ratio:rate{w}",
           lambda w: f"(sum(rate({_ERR}[{w}])) or vector(0)) / (sum(rate({_REQ}[{w}])) > 0)",
           _error_ratio),
    Signal("slow_ratio", "scriptohio:slo_latency_slow_ratio:rate{w}",
           lambda w: f"(sum(rate({DURATION}_count[{w}])) - sum(rate({DURATION}_bucket"
                     f'{{le="{SLO_LATENCY_S!r}"}}[{w}]))) / (sum(rate({DURATION}_count[{w}])) > 0)',
           _slow_ratio),
    Signal("p95_latency", "scriptohio:http_request_duration_seconds:p95_{w}",
           lambda w: f"histogram_quantile(0.95, sum by (le) (rate({DURATION}_bucket[{w}])))",
           lambda view, w: quantile_over(view, 0.95, w)),
    Signal("cache_hit_ratio", "scriptohio:cache_hit_ratio:rate{w}",
           lambda w: f'(sum(rate({_CACHE}{{result="hit"}}[{w}])) or vector(0)) / '
                     f"(sum(rate({_CACHE}[{w}])) > 0)",
           _cache_hit_ratio),
    # Share of one core per worker process (a CPython worker saturates at about one core):
    # the replica's processes, not the host, whose other tenants are not this service's load.
    Signal("process_cpu", "scriptohio:process_cpu_ratio:rate{w}",
           lambda w: f"sum by (instance) (rate(process_cpu_seconds_total{{job=\"scriptohio\"}}"
                     f"[{w}])) / on (instance) max by (instance) (scriptohio_worker_processes)",
           _process_cpu, per_instance=True),
    # A gauge: the app judges its flat value of the same name, Prometheus the latest sample.
    Signal("system_memory", "",
           lambda w: "max by (instance) (scriptohio_system_memory_ratio)",
           lambda view, w: view.latest("system_memory"), per_instance=True, windowed=False),
)}


def replica_window(view: TotalsHistory, window_s: float) -> dict[str, float | None]:
    """The request values of the grade and status over the last ``window_s`` from totals
    (several workers: the replica's, where each worker's own window sees its share only).
    Percentiles are interpolated in the histogram's buckets, as Prometheus does."""
    requests = view.increase("requests", window_s)
    if not requests:
        return {"requests": 0.0, "throughput_rps": 0.0}
    errors = view.increase("errors", window_s) or 0.0
    seconds = view.increase("duration_sum", window_s) or 0.0
    out: dict[str, float | None] = {
        "requests": requests, "throughput_rps": requests / max(1.0, view.covered(window_s)),
        "error_rate": errors / requests, "success_rate": 1.0 - errors / requests,
        "avg_latency_s": seconds / requests,
    }
    for q in (50, 90, 95, 99):
        out[f"p{q}_latency_s"] = quantile_over(view, q / 100, window_s)
    hits = view.increase("cache_hits", window_s)
    misses = view.increase("cache_misses", window_s)
    if hits is not None and misses is not None and hits + misses > 0:
        out["cache_hit_rate"] = hits / (hits + misses)
    return out
