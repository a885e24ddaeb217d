"""The public surface of scriptohio.monitor is pinned: changing it is a deliberate act."""

from __future__ import annotations

import inspect

import scriptohio.monitor as monitor

PUBLIC = {
    "DEFAULT_CONFIG", "AlertEngine", "AlertNotice", "AlertRule", "AlertSink", "Bottleneck",
    "BottleneckSignals", "CacheStatsSource", "GradeResult", "HistoryStore", "LogSink",
    "MetricsMiddleware", "Monitor", "MonitorConfig", "MonitorMetrics", "PoolSignal", "Tier",
    "WebhookSink", "build_report", "detect_bottlenecks", "grade", "load_rules",
    "monitor_exclusions", "monitor_router", "prepare_multiprocess_dir",
}


def test_public_names_are_pinned_and_importable() -> None:
    assert set(monitor.__all__) == PUBLIC
    for name in PUBLIC:
        assert getattr(monitor, name) is not None


def test_documented_signatures() -> None:
    assert list(inspect.signature(monitor.build_report).parameters)[:4] == [
        "state_dir", "period", "fmt", "out_dir"]
    assert list(inspect.signature(monitor.Monitor.observe_prediction).parameters) == [
        "self", "model", "seconds", "n"]
    assert list(inspect.signature(monitor.Monitor.observe_model_load).parameters) == [
        "self", "name", "seconds"]
    assert next(iter(inspect.signature(monitor.grade).parameters)) == "values"
