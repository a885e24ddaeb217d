"""Performance monitor: metrics, alerts, bottlenecks, grade, dashboard, history and reports.

Public API (the rest is private to the package)::

    monitor = Monitor(bus=bus, state_dir=state_dir)          # subscribes to runtime events
    app.add_middleware(MetricsMiddleware, monitor=monitor, exclude=monitor_exclusions())
    app.include_router(monitor_router(monitor))  # /metrics, /v1/monitor/status, /dashboard
    # lifespan: await monitor.start() ... await monitor.stop()
    build_report(state_dir, "daily", "md", out_dir)          # `scriptohio report`
"""

from __future__ import annotations

from scriptohio.monitor.bottleneck import (
    Bottleneck,
    BottleneckSignals,
    PoolSignal,
    detect_bottlenecks,
)
from scriptohio.monitor.cachestats import CacheStatsSource
from scriptohio.monitor.core import DEFAULT_CONFIG, Monitor, MonitorConfig
from scriptohio.monitor.grade import GradeResult, grade
from scriptohio.monitor.history import HistoryStore, Tier
from scriptohio.monitor.metrics import MonitorMetrics, prepare_multiprocess_dir
from scriptohio.monitor.middleware import MetricsMiddleware
from scriptohio.monitor.report import build_report
from scriptohio.monitor.router import monitor_exclusions, monitor_router
from scriptohio.monitor.rules import AlertEngine, AlertNotice, AlertRule, load_rules
from scriptohio.monitor.sinks import AlertSink, LogSink, WebhookSink

__all__ = [
    "DEFAULT_CONFIG",
    "AlertEngine",
    "AlertNotice",
    "AlertRule",
    "AlertSink",
    "Bottleneck",
    "BottleneckSignals",
    "CacheStatsSource",
    "GradeResult",
    "HistoryStore",
    "LogSink",
    "MetricsMiddleware",
    "Monitor",
    "MonitorConfig",
    "MonitorMetrics",
    "PoolSignal",
    "Tier",
    "WebhookSink",
    "build_report",
    "detect_bottlenecks",
    "grade",
    "load_rules",
    "monitor_exclusions",
    "monitor_router",
    "prepare_multiprocess_dir",
]
