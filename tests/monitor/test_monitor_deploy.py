"""deploy/: Prometheus rules and the Grafana dashboard match what the service exposes."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from scriptohio.breaker import BreakerTransition
from scriptohio.events import EventBus
from scriptohio.monitor import Monitor, load_rules
from scriptohio.monitor.prometheus_rules import render_text
from scriptohio.runtime.telemetry import (
    ConcurrencyLimited,
    EventLoopLag,
    PoolScaled,
    PoolSnapshot,
    RequestCompleted,
    RequestRejected,
)

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
ALERTS = DEPLOY / "prometheus" / "alerts.yml"
DASHBOARD = DEPLOY / "grafana" / "scriptohio-dashboard.json"
METRIC = re.compile(r"\b(scriptohio(?:_[a-z0-9]+)+|scriptohio:[a-z0-9_:]+)\b")
SUFFIXES = ("_bucket", "_count", "_sum")


def _prometheus_rules() -> list[dict[str, str]]:
    groups = yaml.safe_load(ALERTS.read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


def _exposed_names() -> set[str]:
    """Every series name a monitor with some traffic, events and cache stats exposes."""
    bus = EventBus()
    monitor = Monitor(bus=bus, sinks=[])

    class Cache:
        def stats(self) -> dict[str, float]:
            return {"hits": 9, "misses": 1, "evictions": 1, "bytes": 10, "entries": 2,
                    "preload_precision": 0.5}

    monitor.add_cache_source(Cache(), tier="l1")
    monitor.request_finished("/v1/predict", "GET", 503, 0.2)
    monitor.observe_stage("features", 0.01)
    monitor.observe_model_load("ridge", 0.3)
    monitor.observe_prediction("ridge", 0.002, 4)
    for event in (
        RequestCompleted("predict", "p", "ok", 0.01, 0.02), RequestRejected("predict", "p", "x"),
        BreakerTransition("redis", "closed", "open"), PoolScaled("p", 1, 2, "load"),
        PoolSnapshot("p", 2, 1, 0, 1, 4, 90), EventLoopLag(0.01),
        ConcurrencyLimited("p", 100, 90, 0.01),
    ):
        bus.emit(event)
    monitor.tick()
    text = monitor.metrics.exposition()[0].decode()
    monitor.close()
    return {line.split("{")[0].split(" ")[0] for line in text.splitlines()
            if line and not line.startswith("#")}


def _check_names(exprs: list[str], exposed: set[str], recorded: set[str]) -> None:
    for expr in exprs:
        for name in METRIC.findall(expr):
            if ":" in name:
                assert name in recorded, f"recording rule {name} is not defined"
                continue
            base = next((name[: -len(s)] for s in SUFFIXES if name.endswith(s)), name)
            assert name in exposed or base + "_bucket" in exposed, f"{name} is never exposed"


def test_shipped_prometheus_rules_are_rendered_from_the_packaged_rules() -> None:
    """One source of truth: deploy/prometheus/alerts.yml is the rendering of alert_rules.yaml
    (regenerate with `python -m scriptohio.monitor.prometheus_rules`)."""
    assert ALERTS.read_text() == render_text()
    alerts = {r["alert"]: r for r in _prometheus_rules() if "alert" in r}
    for rule in load_rules():
        twin = alerts[rule.name]
        assert repr(rule.threshold) in twin["expr"], rule.name
        expected_for = f"{int(rule.for_s // 60)}m" if rule.for_s else None
        assert twin.get("for") == expected_for, rule.name
    assert {"LatencySLOBurnFast", "LatencySLOBurnFast6h", "LatencySLOBurnSlow",
            "LatencySLOBurnSlow3d", "ServiceDown", "ServiceAbsent"} <= set(alerts)


def test_rules_and_dashboard_only_use_series_the_service_exposes() -> None:
    exposed = _exposed_names()
    rules = _prometheus_rules()
    recorded = {r["record"] for r in rules if "record" in r}
    _check_names([r["expr"] for r in rules], exposed, recorded)
    dashboard = json.loads(DASHBOARD.read_text())
    exprs = [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]
    assert len(exprs) >= 15
    _check_names(exprs, exposed, recorded)
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))


@pytest.mark.skipif(shutil.which("promtool") is None and os.environ.get("CI") != "true",
                    reason="promtool not installed (apt-get install prometheus); required in CI")
def test_promtool_checks_and_unit_tests_pass() -> None:
    """alerts_test.yml: idle (2 h of flat counters page nothing), down, unscraped, flapping,
    a burst of slow answers (pages the fast burn), and each threshold rule."""
    for args in (["check", "rules", "alerts.yml"], ["test", "rules", "alerts_test.yml"]):
        result = subprocess.run(["promtool", *args], cwd=ALERTS.parent, capture_output=True,
                                text=True, timeout=60)
        assert result.returncode == 0, result.stdout + result.stderr
