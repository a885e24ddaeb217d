"""PNG plots for reports, drawn with matplotlib's Agg canvas (no display, no pyplot state)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from scriptohio.monitor.history import Point


@dataclass(frozen=True, slots=True)
class PlotSpec:
    key: str
    title: str
    unit: str
    metrics: tuple[str, ...]
    scale: float = 1.0  # multiply values (s -> ms, ratio -> %)


PLOTS = (
    PlotSpec("latency", "Response time", "ms",
             ("p50_latency_s", "p95_latency_s", "p99_latency_s"), 1000.0),
    PlotSpec("throughput", "Throughput", "req/s", ("throughput_rps",)),
    PlotSpec("errors", "Error rate", "%", ("error_rate",), 100.0),
    PlotSpec("cache", "Cache hit rate", "%", ("cache_hit_rate",), 100.0),
    PlotSpec("resources", "CPU and memory", "%", ("system_cpu", "process_cpu", "system_memory"),
             100.0),
)


def draw(
    spec: PlotSpec,
    current: Mapping[str, Sequence[Point]],
    previous_mean: Mapping[str, float | None],
    path: Path,
) -> Path | None:
    """One PNG: each metric's series, and its previous-period mean as a dashed line."""
    if not any(current.get(m) for m in spec.metrics):
        return None
    fig = Figure(figsize=(8, 3), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    for i, metric in enumerate(spec.metrics):
        points = current.get(metric) or []
        if not points:
            continue
        times: Any = [dt.datetime.fromtimestamp(p.ts, dt.UTC) for p in points]
        color = f"C{i}"
        ax.plot(times, [p.avg * spec.scale for p in points], label=metric, color=color, lw=1.2)
        prev = previous_mean.get(metric)
        if prev is not None:
            ax.axhline(prev * spec.scale, color=color, ls="--", lw=0.8, alpha=0.7)
    ax.set_title(f"{spec.title} ({spec.unit}); dashed: previous period mean")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=8)
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path)
    return path
