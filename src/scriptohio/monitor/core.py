"""The ``Monitor``: subscribes to runtime events, keeps windows, and ticks once a second.

Monitoring subscribes; it is not sprinkled. Other layers reach it three ways:

* runtime events on the :class:`~scriptohio.events.EventBus` (admissions, rejections, completions,
  breaker transitions, pool snapshots and scaling, and the event-loop lag samples of the
  runtime's one probe, :class:`~scriptohio.runtime.lag.EventLoopLagMonitor`);
* :class:`~scriptohio.monitor.middleware.MetricsMiddleware` for HTTP requests;
* plain callables handed down by the integrator: :meth:`Monitor.observe_stage`,
  :meth:`Monitor.observe_model_load`, :meth:`Monitor.observe_prediction`, and cache statistics
  through :class:`~scriptohio.monitor.cachestats.CacheStatsSource`.

Each tick (:meth:`Monitor.tick`) samples resources and caches, evaluates the alert rules,
rebuilds the dashboard snapshot once (shared by every stream client) and, every
``history_every_s``, stores the flat values in the history. The snapshot layout and the flat
value names are in :mod:`scriptohio.monitor.snapshot`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from scriptohio.events import EventBus, default_bus
from scriptohio.monitor.cachestats import CacheCollector, CacheStatsReader, CacheStatsSource
from scriptohio.monitor.canary_metrics import CanaryMonitor
from scriptohio.monitor.grade import GradeResult, grade_service
from scriptohio.monitor.history import HistoryStore
from scriptohio.monitor.http_recorder import http_totals
from scriptohio.monitor.metrics import MonitorMetrics, mark_worker_dead, multiprocess_dir
from scriptohio.monitor.outcomes import is_failure
from scriptohio.monitor.resources import ResourceCollector, ResourceSampler
from scriptohio.monitor.rules import AlertEngine, AlertNotice, AlertRule, load_rules
from scriptohio.monitor.series import DEFAULT_HISTORY, HistoryConfig, TotalsHistory
from scriptohio.monitor.signals import replica_window
from scriptohio.monitor.sinks import AlertSink, LogSink
from scriptohio.monitor.snapshot import MonitorState, build_snapshot, flat_values
from scriptohio.monitor.subscriptions import subscribe_runtime_events
from scriptohio.monitor.window import SlidingWindow
from scriptohio.monitor.workers import WorkerMirror

log = logging.getLogger(__name__)
#: The rejection reason of every 429 answer.
RATE_LIMITED = "rate_limit"


@dataclass(frozen=True, slots=True)
class MonitorConfig:
    window_s: int = 60  # sliding window of the live stats and the grade
    tick_s: float = 1.0  # dashboard / alert evaluation period
    history_every_s: float = 10.0
    queue_growth_span_s: float = 5.0
    rules_path: str | None = None  # None = packaged alert_rules.yaml
    series: HistoryConfig = DEFAULT_HISTORY  # totals kept for the rules' windows


DEFAULT_CONFIG = MonitorConfig()


class Monitor:
    """Live performance state of one service process."""

    def __init__(
        self,
        *,
        bus: EventBus | None = None,
        config: MonitorConfig = DEFAULT_CONFIG,
        clock: Callable[[], float] = time.time,
        rules: Sequence[AlertRule] | None = None,
        sinks: Sequence[AlertSink] | None = None,
        state_dir: str | Path | None = None,
        metrics: MonitorMetrics | None = None,
        sampler: ResourceSampler | None = None,
        replica: str = "",
    ) -> None:
        self.config = config
        self.clock = clock
        self.metrics = metrics or MonitorMetrics(replica=replica)
        self.state = MonitorState(
            window_s=config.window_s, clock=clock,
            queue_growth_span_s=config.queue_growth_span_s,
        )
        self.requests = SlidingWindow(config.window_s, clock=clock)
        self.cache = CacheStatsReader()
        # the machine's CPU, memory and disk (tests hand in a sampler that does not read the
        # host, whose memory may be over an alert's threshold when others use it)
        self.sampler = sampler or ResourceSampler(disk_path=state_dir or ".")
        workers = multiprocess_dir() is not None
        self.metrics.add_collector(ResourceCollector(self.sampler, host_only=workers))
        self.metrics.add_collector(CacheCollector(self.cache), per_process=True)
        # several workers: this one's process and cache readings go to the shared files
        self.mirror = WorkerMirror(self.cache, self.sampler) if workers else None
        self.alerts = AlertEngine(
            rules if rules is not None else load_rules(config.rules_path), clock=clock
        )
        # Cumulative totals sampled every tick: the rules read their windows from here.
        self.series = TotalsHistory(config.series)
        self.cpu_seconds: Callable[[], float] = time.process_time
        self.sinks: list[AlertSink] = list(sinks) if sinks is not None else [LogSink()]
        self.history = HistoryStore(state_dir, clock=clock) if state_dir is not None else None
        self._http = self.metrics.http
        # A plain int on the hot path; copied into the gauge on each tick and scrape.
        self.in_flight = 0
        self._last_history = float("-inf")
        self._snapshot: dict[str, Any] = {}
        self._snapshot_bytes = b"{}"
        self._version = 0
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tick_event: asyncio.Event | None = None
        self._deliveries: set[asyncio.Task[None]] = set()
        self._unsubscribe = subscribe_runtime_events(bus or default_bus, self.metrics,
                                                     self.state)
        self.pending_notices: deque[AlertNotice] = deque(maxlen=1000)
        self.canary = CanaryMonitor(bus or default_bus, self.metrics.registry)

    # --- inputs -------------------------------------------------------------------------
    def request_started(self) -> None:
        """Called by the middleware when a request enters."""
        self.in_flight += 1

    def request_finished(self, route: str, method: str, status: int, seconds: float) -> None:
        """Called by the middleware when a request has been answered (or failed)."""
        self.in_flight -= 1
        self._http.record(route, method, status, seconds)
        if status == 429:  # a caller over its quota (or failing to authenticate): refused
            self.metrics.rejections.labels(RATE_LIMITED, "door").inc()
            self.state.rejected(RATE_LIMITED)
        self.requests.record(seconds, error=is_failure(status, route))

    def observe_stage(self, stage: str, seconds: float) -> None:
        """Time spent in one stage of a request (queue_wait, cache, features, inference,
        serialization, redis); other names are filed under ``other``."""
        self.state.observe_stage(stage, seconds, self.metrics)

    def observe_model_load(self, name: str, seconds: float) -> None:
        """A model finished loading in ``seconds``."""
        self.metrics.model_load.labels(name).observe(seconds)
        self.state.model_load(name, seconds)

    def observe_prediction(self, model: str, seconds: float, n: int = 1) -> None:
        """One prediction call of ``model`` over ``n`` rows took ``seconds``."""
        self.metrics.model_prediction.labels(model).observe(seconds)
        self.metrics.model_predictions.labels(model).inc(n)
        self.state.prediction(model, seconds, n)
        self.state.observe_stage("inference", seconds, self.metrics)

    def open_history(self, state_dir: str | Path) -> HistoryStore:
        """Start persisting snapshots under ``state_dir`` (when it is known only at start-up)."""
        if self.history is None:
            self.history = HistoryStore(state_dir, clock=self.clock)
        return self.history

    def add_cache_source(self, source: CacheStatsSource, tier: str = "cache") -> None:
        """Read cache statistics from ``source`` (see :mod:`~scriptohio.monitor.cachestats`)."""
        self.cache.add(source, tier)

    # --- outputs ------------------------------------------------------------------------
    def values(self) -> dict[str, float | None]:
        """Flat metric values (alert rules, grade, history all read these names)."""
        values = flat_values(self.state, self.requests.stats(), self.sampler.last)
        values["in_flight"] = float(self.in_flight)
        if self.mirror is not None:  # the replica's requests, not this worker's share
            values.update(replica_window(self.series, float(self.config.window_s)))
        return values

    def totals(self) -> dict[str, float]:
        """Cumulative totals of the replica (the names of :mod:`.signals`): this process's,
        or with several workers all of theirs, read from the merged multiprocess files."""
        if self.mirror is not None:
            return self._merged_totals()
        totals = self._http.totals()
        tiers = self.cache.read()
        if tiers:
            ordered = list(tiers.values())
            totals["cache_hits"] = sum(t.get("hits", 0.0) for t in ordered)
            totals["cache_misses"] = ordered[-1].get("misses", 0.0)
        totals["cpu_seconds"] = self.cpu_seconds()
        totals["workers"] = 1.0
        sample = self.sampler.last
        if sample is not None:
            totals["system_memory"] = sample.system_memory
        return totals

    def _merged_totals(self) -> dict[str, float]:
        families = self.metrics.merged_families()
        totals = http_totals(families)
        for family in families:
            for sample in family.samples:
                if sample.name == "scriptohio_cache_requests_total":
                    key = "cache_hits" if sample.labels.get("result") == "hit" else "cache_misses"
                    totals[key] = totals.get(key, 0.0) + sample.value
                elif sample.name == "process_cpu_seconds_total":
                    totals["cpu_seconds"] = sample.value
                elif sample.name == "scriptohio_worker_processes":
                    totals["workers"] = sample.value
        sample_ = self.sampler.last
        if sample_ is not None:
            totals["system_memory"] = sample_.system_memory
        return totals

    def grade(self, values: dict[str, float | None] | None = None) -> GradeResult:
        """The Grade-A criteria over the sliding window (see :func:`.grade.grade_service`)."""
        return grade_service(values if values is not None else self.values())

    def status(self) -> dict[str, Any]:
        """The ``GET /v1/monitor/status`` body."""
        values = self.values()
        result = self.grade(values)
        return {
            "score": result.score,
            "grade": result.grade,
            "criteria": result.criteria(),
            "alerts": self.alerts.firing(),
            "bottlenecks": [b.as_dict() for b in self.state.bottlenecks(values)],
            "canary": self.canary.section(),
            "data": dict(self.state.data_cycle),
        }

    def refresh_gauges(self) -> None:
        """Copy values kept as plain numbers into their gauges (before a scrape)."""
        self.metrics.http_in_flight.set(self.in_flight)
        if self.mirror is not None:
            self.mirror.update()

    def snapshot(self) -> dict[str, Any]:
        """The latest dashboard snapshot (rebuilt by :meth:`tick`)."""
        return self._snapshot or self._rebuild()

    # --- the tick -----------------------------------------------------------------------
    def tick(self) -> list[AlertNotice]:
        """Sample, evaluate alerts, rebuild the snapshot, store history; returns new notices."""
        now = self.clock()
        self.sampler.sample()
        self.refresh_gauges()
        self.state.sample_cache(self.cache.read(), now)
        self.series.record(now, self.totals())
        values = self.values()
        notices = self.alerts.evaluate(values, self.series)
        self.pending_notices.extend(notices)
        values["alerts_firing"] = float(len(self.alerts.firing()))
        if self.history is not None and now - self._last_history >= self.config.history_every_s:
            self._last_history = now
            self.history.record(values, now)
        self._rebuild(values)
        return notices

    def _rebuild(self, values: dict[str, float | None] | None = None) -> dict[str, Any]:
        values = values if values is not None else self.values()
        result = self.grade(values)
        self._snapshot = build_snapshot(
            self.state, self.requests.stats(), self.sampler.last, values,
            alerts=self.alerts.active(), grade=result,
        )
        self._snapshot["canary"] = self.canary.section()
        self._snapshot_bytes = orjson.dumps(self._snapshot)
        self._version += 1
        return self._snapshot

    async def step(self) -> None:
        """One tick plus delivery of its notices to the sinks."""
        self.tick()
        await self._deliver()

    async def _deliver(self) -> None:
        if not self.pending_notices:
            return
        batch = list(self.pending_notices)
        self.pending_notices.clear()
        for sink in self.sinks:
            try:
                await sink.send(batch)
            except Exception:  # a broken sink must not stop the others or the ticker
                log.exception("alert sink %r failed", sink)

    async def _run(self) -> None:
        interval = self.config.tick_s
        while True:
            # No lag probe of its own: the runtime's EventLoopLagMonitor samples the loop and
            # its EventLoopLag events reach the gauge and the state through the bus.
            await asyncio.sleep(interval)
            try:
                self.tick()
            except Exception:  # the ticker must survive a bad sample
                log.exception("monitor tick failed")
            if self.pending_notices:
                # Delivery (a webhook may take seconds) must not delay the next snapshot.
                task = asyncio.get_running_loop().create_task(self._deliver())
                self._deliveries.add(task)
                task.add_done_callback(self._deliveries.discard)
            if self._tick_event is not None:
                self._tick_event.set()
                self._tick_event = asyncio.Event()

    def ensure_running(self) -> None:
        """Start the ticker on the running loop if it is not running there yet."""
        loop = asyncio.get_running_loop()
        if self._task is not None and not self._task.done() and self._loop is loop:
            return
        self._loop = loop
        self._tick_event = asyncio.Event()
        self._task = loop.create_task(self._run(), name="scriptohio-monitor")

    async def start(self) -> None:
        """Start ticking (call from the app's lifespan)."""
        self.ensure_running()

    async def stop(self) -> None:
        """Stop ticking and close the history store."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self.history is not None:
            self.history.close()
            self.history = None
        mark_worker_dead(os.getpid())

    async def next_snapshot(self, after: int, timeout_s: float = 2.0) -> tuple[int, bytes]:
        """Wait for a snapshot newer than version ``after``; returns (version, JSON bytes)."""
        self.ensure_running()
        if self._version <= after and self._tick_event is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._tick_event.wait(), timeout_s)
        if self._version == 0:
            self._rebuild()
        return self._version, self._snapshot_bytes

    def close(self) -> None:
        """Unsubscribe from the bus and close the history (tests, reconfiguration)."""
        self._unsubscribe()
        self.canary.close()
        if self.history is not None:
            self.history.close()
            self.history = None
