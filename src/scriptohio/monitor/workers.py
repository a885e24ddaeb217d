"""Several worker processes, one replica: per-worker readings kept where every worker sees them.

With ``serve --workers N`` a scrape reaches one worker at a time. Series read from live objects
at scrape time (the process's CPU and memory, its cache tiers) would answer for that worker
only, so they flip between workers and ``process_cpu_seconds_total`` can go backwards. In
multiprocess mode :class:`WorkerMirror` copies those readings into prometheus_client's
per-process files on every tick and before every scrape, with a merge mode chosen per series:

=========================================  ==========  =====================================
series                                     merged as   why
=========================================  ==========  =====================================
``process_cpu_seconds_total``              sum         counters: every worker that ever ran,
``scriptohio_cache_{hits,misses,...}``                 so the total never goes backwards
``scriptohio_cache_requests_total``
``process_resident_memory_bytes``,         livesum     what the live workers hold together
``process_open_fds``, ``scriptohio_cache_
{bytes,entries}``, ``scriptohio_process_*``
``process_start_time_seconds``             livemin     the replica's oldest live worker
``scriptohio_cache_preload_precision``     livemax     a ratio: the best worker's
=========================================  ==========  =====================================

``scriptohio_cache_hit_ratio`` is derived from the merged counters at scrape time
(:class:`MergedCacheRatio`), never averaged. The replica is named by ``scriptohio_replica_info``
(label ``replica``, from ``SCRIPTOHIO_REPLICA`` via the settings, else host:port), so
Prometheus targets and dashboards tell replicas apart.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator

import psutil
from prometheus_client import Counter, Gauge
from prometheus_client.core import GaugeMetricFamily, Metric

from scriptohio.monitor.cachestats import CacheStatsReader
from scriptohio.monitor.resources import ResourceSampler

_CACHE_COUNTERS = ("hits", "misses", "evictions")
_CACHE_GAUGES = ("bytes", "entries")


class WorkerMirror:
    """This worker's process and cache readings, written to its multiprocess files."""

    def __init__(self, reader: CacheStatsReader, sampler: ResourceSampler) -> None:
        self._reader = reader
        self._sampler = sampler
        self._process = psutil.Process(os.getpid())
        self._seen: dict[tuple[str, str], float] = {}
        self.cpu = Counter("process_cpu_seconds", "Total user and system CPU time spent in "
                           "seconds (all worker processes).", registry=None)
        self.rss = Gauge("process_resident_memory_bytes", "Resident memory size in bytes "
                         "(all live workers).", registry=None, multiprocess_mode="livesum")
        self.fds = Gauge("process_open_fds", "Open file descriptors (all live workers).",
                         registry=None, multiprocess_mode="livesum")
        self.start = Gauge("process_start_time_seconds", "Start time of the oldest live "
                           "worker, seconds since the epoch.", registry=None,
                           multiprocess_mode="livemin")
        self.start.set(self._process.create_time())
        self.cache_counters = {key: Counter(f"scriptohio_cache_{key}", f"Cache {key}.",
                                            ("tier",), registry=None)
                               for key in _CACHE_COUNTERS}
        self.cache_gauges = {key: Gauge(f"scriptohio_cache_{key}", f"Cache {key}.", ("tier",),
                                        registry=None, multiprocess_mode="livesum")
                             for key in _CACHE_GAUGES}
        self.preload = Gauge("scriptohio_cache_preload_precision_ratio",
                             "Share of preloaded entries that were used.", ("tier",),
                             registry=None, multiprocess_mode="livemax")
        self.lookups = Counter("scriptohio_cache_requests", "Cache lookups by the service, by "
                               "result (hit: some tier answered; miss: none did).", ("result",),
                               registry=None)
        self.resources = {name: Gauge(name, doc, registry=None, multiprocess_mode="livesum")
                          for name, doc in (
            ("scriptohio_process_cpu_ratio", "Worker processes' CPU, share of all cores."),
            ("scriptohio_process_memory_ratio", "Worker processes' RSS over total memory."),
            ("scriptohio_process_threads", "Worker processes' threads."))}

    def _advance(self, counter: Counter, key: tuple[str, str], value: float,
                 *labels: str) -> None:
        """Move ``counter`` to the cumulative ``value`` (a source reset counts from zero)."""
        before = self._seen.get(key, 0.0)
        delta = value - before if value >= before else value
        self._seen[key] = value
        if delta > 0:
            (counter.labels(*labels) if labels else counter).inc(delta)

    def update(self) -> None:
        """Copy the current readings (call on each tick and before a scrape)."""
        with self._process.oneshot():
            times = self._process.cpu_times()
            self._advance(self.cpu, ("cpu", ""), times.user + times.system)
            self.rss.set(self._process.memory_info().rss)
            self.fds.set(self._process.num_fds())
        tiers = self._reader.read()
        for tier, values in tiers.items():
            for key, counter in self.cache_counters.items():
                if key in values:
                    self._advance(counter, (key, tier), values[key], tier)
            for key, gauge in self.cache_gauges.items():
                if key in values:
                    gauge.labels(tier).set(values[key])
            if "preload_precision" in values:
                self.preload.labels(tier).set(values["preload_precision"])
        if tiers:
            ordered = list(tiers.values())
            self._advance(self.lookups, ("lookups", "hit"),
                          sum(t.get("hits", 0.0) for t in ordered), "hit")
            self._advance(self.lookups, ("lookups", "miss"), ordered[-1].get("misses", 0.0),
                          "miss")
        sample = self._sampler.last
        if sample is not None:
            self.resources["scriptohio_process_cpu_ratio"].set(sample.process_cpu)
            self.resources["scriptohio_process_memory_ratio"].set(sample.process_memory)
            self.resources["scriptohio_process_threads"].set(sample.threads)


class MergedCacheRatio:
    """``scriptohio_cache_hit_ratio{tier}`` from merged hit and miss counters."""

    def __init__(self, families: Iterable[Metric]) -> None:
        self._families = list(families)

    def collect(self) -> Iterator[Metric]:
        hits: dict[str, float] = {}
        misses: dict[str, float] = {}
        for family in self._families:
            for sample in family.samples:
                if sample.name == "scriptohio_cache_hits_total":
                    hits[sample.labels["tier"]] = sample.value
                elif sample.name == "scriptohio_cache_misses_total":
                    misses[sample.labels["tier"]] = sample.value
        ratio = GaugeMetricFamily("scriptohio_cache_hit_ratio", "Cumulative hit ratio.",
                                  labels=["tier"])
        for tier in sorted(set(hits) | set(misses)):
            lookups = hits.get(tier, 0.0) + misses.get(tier, 0.0)
            if lookups:
                ratio.add_metric([tier], hits.get(tier, 0.0) / lookups)
        yield ratio


def replica_name(named: str | None, port: int | None = None) -> str:
    """The replica's name: the one configured (``SCRIPTOHIO_REPLICA``), else host:port."""
    if named:
        return named
    host = os.uname().nodename
    return f"{host}:{port}" if port else host
