"""The Prometheus metric catalogue of Script Ohio, and its exposition.

Conventions (prometheus.io/docs/practices/naming): base units (seconds, bytes, ratios 0..1),
``_total`` counters, labels of bounded cardinality only (route templates, pool and breaker
names, cache tiers, model names; never a user id). Histogram buckets sit on the SLO edges.

Multiprocess: when ``PROMETHEUS_MULTIPROC_DIR`` is set *before* ``prometheus_client`` is first
imported (the ``serve`` entry point's job), counters, histograms and gauges are kept in
per-process files and :func:`exposition` merges every worker's files, each gauge with its own
merge mode. Readings of live objects (the process, its cache tiers) are copied into those
files by :class:`~scriptohio.monitor.workers.WorkerMirror` instead of being collected at scrape
time, so a scrape answers for the whole replica whichever worker it reaches; only host-level
collectors (the machine's CPU, memory, disk) still answer at scrape time.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import Metric
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import Collector

from scriptohio.monitor.http_recorder import (
    HttpRecorder,
    InMemoryHttpRecorder,
    PrometheusHttpRecorder,
)
from scriptohio.monitor.workers import MergedCacheRatio

#: Request latency buckets: the SLO edge (1 s) and the alert edge (1.5 s) are bucket bounds.
HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 1.5, 2.5, 5.0)
#: Internal stages are faster; finer low end.
STAGE_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
#: Event-loop lag probes (every 20 ms): fine around the 10 ms goal.
LAG_BUCKETS = (0.001, 0.002, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.05, 0.1, 0.25, 1.0)
MODEL_LOAD_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

# The ``*_created`` series double the exposition size for no use on our dashboards; dropping
# them keeps /metrics fast. This is process-wide, by prometheus_client's design.
disable_created_metrics()

BREAKER_STATE_VALUE = {"closed": 0.0, "half_open": 1.0, "open": 2.0}


def prepare_multiprocess_dir(path: str | Path) -> str:
    """Create ``path`` and remove metric files a previous run left there; returns it.

    For ``serve --workers N``: before spawning the workers, the entry point does
    ``os.environ["PROMETHEUS_MULTIPROC_DIR"] = prepare_multiprocess_dir(state_dir / "prometheus")``
    (stale files would resurrect the counters of dead processes).
    """
    directory = Path(path)
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()
    return str(directory)


def mark_worker_dead(pid: int) -> None:
    """Drop worker ``pid``'s live gauges from the merged view (prometheus_client's rule for a
    process that has ended): by the worker as it stops, and by the parent of pre-forked
    workers for any worker that ended (a killed one could not). No-op in one process."""
    if multiprocess_dir() is not None:
        mark_process_dead(pid)


def require_multiprocess_values() -> None:
    """Raise if ``PROMETHEUS_MULTIPROC_DIR`` is set but ``prometheus_client`` was imported
    before it was (its metrics would then be per-process, and a scrape one worker's)."""
    from prometheus_client import values

    if multiprocess_dir() is not None and not getattr(values.ValueClass, "_multiprocess",
                                                      False):
        raise RuntimeError("prometheus_client was imported before PROMETHEUS_MULTIPROC_DIR "
                           "was set: metrics would not be merged across workers")


def multiprocess_dir() -> str | None:
    """The multiprocess directory, or None in single-process mode."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


class MonitorMetrics:
    """Every metric object, registered in one registry (a fresh one per monitor by default).

    ``http_recorder``: ``"memory"`` (fastest; single process), ``"prometheus"`` (multiprocess
    safe), or ``"auto"`` (``prometheus`` when ``PROMETHEUS_MULTIPROC_DIR`` is set).
    """

    def __init__(
        self, registry: CollectorRegistry | None = None, *, http_recorder: str = "auto",
        replica: str = "",
    ) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        if http_recorder == "auto":
            http_recorder = "memory" if multiprocess_dir() is None else "prometheus"
        recorder = InMemoryHttpRecorder if http_recorder == "memory" else PrometheusHttpRecorder
        self.http: HttpRecorder = recorder(r, HTTP_BUCKETS)
        self.http_in_flight = Gauge(
            "scriptohio_http_requests_in_flight", "HTTP requests being handled.",
            registry=r, multiprocess_mode="livesum",
        )
        self.agent_execution = Histogram(
            "scriptohio_agent_execution_seconds", "Agent execution time.",
            ("request_type", "pool"), buckets=HTTP_BUCKETS, registry=r,
        )
        self.agent_queue_wait = Histogram(
            "scriptohio_agent_queue_wait_seconds", "Time a request waited for a worker.",
            ("pool",), buckets=STAGE_BUCKETS, registry=r,
        )
        self.agent_completed = Counter(
            "scriptohio_agent_requests", "Agent requests completed, by outcome.",
            ("request_type", "pool", "outcome"), registry=r,
        )
        self.rejections = Counter(
            "scriptohio_rejections", "Requests refused (rate limit, overload, ...).",
            ("reason", "pool"), registry=r,
        )
        self.pool_workers = Gauge(
            "scriptohio_pool_workers", "Workers in a pool.", ("pool",),
            registry=r, multiprocess_mode="livesum",
        )
        self.pool_busy = Gauge(
            "scriptohio_pool_busy_workers", "Busy workers in a pool.", ("pool",),
            registry=r, multiprocess_mode="livesum",
        )
        self.pool_max = Gauge(
            "scriptohio_pool_max_workers", "Maximum workers of a pool.", ("pool",),
            registry=r, multiprocess_mode="livesum",
        )
        self.pool_queued = Gauge(
            "scriptohio_pool_queued_requests", "Requests waiting in a pool's queue.", ("pool",),
            registry=r, multiprocess_mode="livesum",
        )
        self.pool_utilization = Gauge(
            "scriptohio_pool_utilization_ratio", "Busy workers over workers.", ("pool",),
            registry=r, multiprocess_mode="max",
        )
        self.pool_scaling = Counter(
            "scriptohio_pool_scaling_decisions", "Autoscaler decisions.",
            ("pool", "direction"), registry=r,
        )
        self.pool_limit = Gauge(
            "scriptohio_pool_concurrency_limit",
            "Loop guard's limit on requests a pool runs at once.", ("pool",),
            registry=r, multiprocess_mode="livesum",
        )
        self.pool_adaptive_limit = Gauge(
            "scriptohio_pool_adaptive_limit",
            "Latency-driven limit on requests a pool runs at once (adaptive admission).",
            ("pool",), registry=r, multiprocess_mode="livesum",
        )
        self.pool_limit_changes = Counter(
            "scriptohio_pool_concurrency_limit_changes", "Loop guard limit changes.",
            ("pool", "direction"), registry=r,
        )
        self.breaker_state = Gauge(
            "scriptohio_breaker_state", "Circuit breaker state: 0 closed, 1 half-open, 2 open.",
            ("name",), registry=r, multiprocess_mode="max",
        )
        self.ratelimit_failed_open = Counter(
            "scriptohio_ratelimit_failed_open",
            "Requests let through unchecked: the rate limiter's storage failed or its "
            "breaker was open.", ("reason",), registry=r,
        )
        self.breaker_transitions = Counter(
            "scriptohio_breaker_transitions", "Circuit breaker transitions.",
            ("name", "to_state"), registry=r,
        )
        self.stage_duration = Histogram(
            "scriptohio_stage_duration_seconds", "Per-stage latency of a request.",
            ("stage",), buckets=STAGE_BUCKETS, registry=r,
        )
        self.model_load = Histogram(
            "scriptohio_model_load_seconds", "Model load time.",
            ("model",), buckets=MODEL_LOAD_BUCKETS, registry=r,
        )
        self.model_prediction = Histogram(
            "scriptohio_model_prediction_seconds", "Model prediction call latency.",
            ("model",), buckets=STAGE_BUCKETS, registry=r,
        )
        self.model_predictions = Counter(
            "scriptohio_model_predictions", "Rows predicted.", ("model",), registry=r,
        )
        self.event_loop_lag = Gauge(
            "scriptohio_event_loop_lag_seconds", "Event-loop lag (latest probe).",
            registry=r, multiprocess_mode="max",
        )
        self.event_loop_lag_probes = Histogram(
            "scriptohio_event_loop_lag_probe_seconds", "Event-loop lag of every probe.",
            buckets=LAG_BUCKETS, registry=r,
        )
        self.event_loop_own_lag = Histogram(
            "scriptohio_event_loop_own_lag_seconds",
            "Event-loop lag of every probe beyond the loop thread's wait for a CPU (a lower "
            "bound on the lag the loop's own work caused).",
            buckets=LAG_BUCKETS, registry=r,
        )
        self.event_loop_cpu_wait = Counter(
            "scriptohio_event_loop_cpu_wait_seconds",
            "Time the event loop's thread was ready to run but waited for a CPU.",
            registry=r,
        )
        self.data_pulls = Counter(
            "scriptohio_data_pulls", "Scheduled data pulls, by outcome (ok, failed, nothing_due).",
            ("outcome",), registry=r,
        )
        self.data_pull_rows_changed = Counter(
            "scriptohio_data_pull_rows_changed", "Rows a scheduled pull added or updated.",
            ("table",), registry=r,
        )
        self.data_pull_last_success = Gauge(
            "scriptohio_data_pull_last_success_timestamp_seconds",
            "When the last scheduled pull succeeded (epoch s; 0 = never).",
            registry=r, multiprocess_mode="max",
        )
        self.data_pull_last_failure = Gauge(
            "scriptohio_data_pull_last_failure_timestamp_seconds",
            "When the last scheduled pull failed (epoch s; 0 = never).",
            registry=r, multiprocess_mode="max",
        )
        self.data_pull_next = Gauge(
            "scriptohio_data_pull_next_timestamp_seconds",
            "When the next scheduled pull is due (epoch s).", registry=r,
            multiprocess_mode="max",
        )
        self.data_pull_seconds = Gauge(
            "scriptohio_data_pull_duration_seconds", "How long the last scheduled pull took.",
            registry=r, multiprocess_mode="max",
        )
        self.model_retrains = Counter(
            "scriptohio_model_retrains",
            "Retrains after a pull completed a week, by outcome (ok: the new default; canary:"
            " started as a canary; failed).",
            ("outcome",), registry=r,
        )
        self.model_retrain_last_success = Gauge(
            "scriptohio_model_retrain_last_success_timestamp_seconds",
            "When the models were last retrained on a newly complete week (epoch s; 0 = never).",
            registry=r, multiprocess_mode="max",
        )
        self.model_retrain_seconds = Gauge(
            "scriptohio_model_retrain_duration_seconds",
            "How long the last retrain took, reload included.", registry=r,
            multiprocess_mode="max",
        )
        self.worker_processes = Gauge(
            "scriptohio_worker_processes", "Worker processes of this replica serving requests.",
            registry=r, multiprocess_mode="livesum",
        )
        self.worker_processes.set(1)
        self.replica_info = Gauge(
            "scriptohio_replica_info", "This replica's name (always 1).", ("replica",),
            registry=r, multiprocess_mode="livemax",
        )
        self.replica_info.labels(replica or "unnamed").set(1)
        self._extra: list[Collector] = []
        # The standard process_* series (CPU seconds, RSS, open fds) that tools expect; with
        # several workers WorkerMirror writes them for the whole replica instead.
        self.add_collector(ProcessCollector(registry=None), per_process=True)

    def add_collector(self, collector: Collector, *, per_process: bool = False) -> None:
        """Register a scrape-time collector. ``per_process``: it reads this process only, so
        in multiprocess mode it is left out (its readings reach the files another way)."""
        self.registry.register(collector)
        if not (per_process and multiprocess_dir() is not None):
            self._extra.append(collector)

    def exposition(self) -> tuple[bytes, str]:
        """The text exposition and its content type; merges workers in multiprocess mode."""
        if multiprocess_dir() is None:
            return generate_latest(self.registry) + self.http.render(), CONTENT_TYPE_LATEST
        families = list(MultiProcessCollector(None).collect())
        merged = CollectorRegistry()
        merged.register(_Families(families))
        merged.register(MergedCacheRatio(families))
        for collector in self._extra:
            merged.register(collector)
        return generate_latest(merged) + self.http.render(), CONTENT_TYPE_LATEST

    def merged_families(self) -> list[Metric]:
        """Every worker's series merged (multiprocess mode), else this registry's."""
        if multiprocess_dir() is None:
            return list(self.registry.collect())
        return list(MultiProcessCollector(None).collect())


class _Families:
    """Already collected metric families, as a collector."""

    def __init__(self, families: list[Metric]) -> None:
        self._families = families

    def collect(self) -> Iterator[Metric]:
        return iter(self._families)

