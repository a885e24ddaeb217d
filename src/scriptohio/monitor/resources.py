"""Process and system resources through psutil: CPU, memory, disk, network.

``ResourceSampler.sample()`` is cheap (no sleeping: CPU percentages are measured since the
previous call), so both the monitor's one-second tick and a ``/metrics`` scrape can call it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric


@dataclass(frozen=True, slots=True)
class ResourceSample:
    """One reading. CPU ratios are 0..1 of the whole machine; memory ratios 0..1."""

    process_cpu: float
    system_cpu: float
    cpu_count: int
    process_rss_bytes: int
    process_memory: float
    system_memory: float
    disk_usage: float
    net_sent_bytes: int
    net_recv_bytes: int
    threads: int

    def as_dict(self) -> dict[str, float]:
        return {k: float(v) for k, v in asdict(self).items()}


class ResourceSampler:
    """Reads psutil; ``disk_path`` is the volume whose fill level matters (the state dir)."""

    def __init__(self, *, disk_path: str | Path = ".", pid: int | None = None) -> None:
        self._process = psutil.Process(pid or os.getpid())
        self._disk_path = str(disk_path)
        self._cpu_count = psutil.cpu_count() or 1
        # The first cpu_percent() call only sets the reference point.
        self._process.cpu_percent(None)
        psutil.cpu_percent(None)
        self._last: ResourceSample | None = None

    def sample(self) -> ResourceSample:
        with self._process.oneshot():
            process_cpu = self._process.cpu_percent(None) / 100.0 / self._cpu_count
            memory_info = self._process.memory_info()
            threads = self._process.num_threads()
        virtual = psutil.virtual_memory()
        try:
            disk = psutil.disk_usage(self._disk_path).percent / 100.0
        except OSError:  # the path may vanish (tmp dirs in tests); report a full-free disk
            disk = 0.0
        net = psutil.net_io_counters()
        sample = ResourceSample(
            process_cpu=min(1.0, process_cpu),
            system_cpu=psutil.cpu_percent(None) / 100.0,
            cpu_count=self._cpu_count,
            process_rss_bytes=memory_info.rss,
            process_memory=memory_info.rss / virtual.total if virtual.total else 0.0,
            system_memory=virtual.percent / 100.0,
            disk_usage=disk,
            net_sent_bytes=net.bytes_sent if net else 0,
            net_recv_bytes=net.bytes_recv if net else 0,
            threads=threads,
        )
        self._last = sample
        return sample

    @property
    def last(self) -> ResourceSample | None:
        """The latest sample, without measuring again."""
        return self._last


#: Readings of this process (the rest describe the host, the same from any worker).
PROCESS_GAUGES = frozenset({"scriptohio_process_cpu_ratio", "scriptohio_process_memory_ratio",
                            "scriptohio_process_resident_memory_bytes",
                            "scriptohio_process_threads"})


class ResourceCollector:
    """Prometheus collector reading the sampler's latest values at scrape time.

    ``host_only``: leave out this process's readings (several workers: they reach the
    exposition through the multiprocess files, summed over the workers)."""

    def __init__(self, sampler: ResourceSampler, *, host_only: bool = False) -> None:
        self._sampler = sampler
        self._host_only = host_only

    def collect(self) -> Iterator[Metric]:
        s = self._sampler.last or self._sampler.sample()
        gauges = (
            ("scriptohio_process_cpu_ratio", "Process CPU, share of all cores.", s.process_cpu),
            ("scriptohio_system_cpu_ratio", "System CPU utilisation.", s.system_cpu),
            ("scriptohio_system_memory_ratio", "System memory in use.", s.system_memory),
            ("scriptohio_process_memory_ratio", "Process RSS over total memory.",
             s.process_memory),
            ("scriptohio_process_resident_memory_bytes", "Process RSS.",
             float(s.process_rss_bytes)),
            ("scriptohio_disk_usage_ratio", "State volume fill level.", s.disk_usage),
            ("scriptohio_process_threads", "Process threads.", float(s.threads)),
        )
        for name, doc, value in gauges:
            if not (self._host_only and name in PROCESS_GAUGES):
                yield GaugeMetricFamily(name, doc, value=value)
        yield CounterMetricFamily(
            "scriptohio_network_sent_bytes", "Bytes sent by the host.", value=s.net_sent_bytes
        )
        yield CounterMetricFamily(
            "scriptohio_network_received_bytes", "Bytes received by the host.",
            value=s.net_recv_bytes,
        )
