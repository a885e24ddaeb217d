"""The in-app alerts and Prometheus agree: the same rules on the same series fire the same alerts.

Each scenario is a series of per-minute traffic. The in-app engine evaluates the packaged rules
over it minute by minute; what it fires at each minute becomes the expectation of a
``promtool test rules`` case over the same series and the rendered Prometheus rules. promtool
passing means Prometheus fires exactly those alerts at exactly those times.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from scriptohio.clock import FakeClock
from scriptohio.monitor import AlertEngine, load_rules
from scriptohio.monitor.prometheus_rules import render
from scriptohio.monitor.series import HistoryConfig, TotalsHistory
from scriptohio.monitor.signals import BUCKET_KEYS, SIGNALS

pytestmark = pytest.mark.skipif(
    shutil.which("promtool") is None and os.environ.get("CI") != "true",
    reason="promtool not installed (apt-get install prometheus); required in CI")

MINUTES = 150
#: (requests, errors, seconds each, cache hits, cache misses, cpu seconds, memory) per minute
Minute = tuple[int, int, float, int, int, float, float]
Scenario = Callable[[int], Minute]


def _steady(m: int) -> Minute:
    return (100, 0, 0.02, 99, 1, 6.0, 0.5)


SCENARIOS: dict[str, Scenario] = {
    "idle": lambda m: _steady(m) if m < 10 else (0, 0, 0.02, 0, 0, 0.0, 0.5),
    "burst": lambda m: _steady(m) if m < 60 else (100, 0, 2.0, 99, 1, 6.0, 0.5),
    "short burst": lambda m: (100, 0, 2.0 if 60 <= m < 63 else 0.02, 99, 1, 6.0, 0.5),
    "flapping errors": lambda m: (100, 5 * (m % 2), 0.02, 99, 1, 6.0, 0.5),
    "errors": lambda m: (100, 5 if m >= 30 else 0, 0.02, 99, 1, 6.0, 0.5),
    "cold cache": lambda m: (100, 0, 0.02, 80 if m < 40 else 99, 20 if m < 40 else 1, 6.0, 0.5),
    "busy cpu": lambda m: (100, 0, 0.02, 99, 1, 54.0 if 20 <= m < 60 else 6.0, 0.5),
    "memory": lambda m: (100, 0, 0.02, 99, 1, 6.0, 0.95 if 30 <= m < 33 else 0.5),
}


def _in_app(scenario: Scenario) -> tuple[dict[str, list[float]], list[dict[str, Any]]]:
    """The series (cumulative, per minute) and the alerts the app fires at each minute."""
    clock = FakeClock(0.0)
    engine = AlertEngine(load_rules(), clock=clock)
    history = TotalsHistory(HistoryConfig(fine_step_s=60, coarse_step_s=60))
    totals = dict.fromkeys(("requests", "errors", "cache_hits", "cache_misses", "cpu_seconds",
                            *BUCKET_KEYS), 0.0)
    series: dict[str, list[float]] = {name: [] for name in (*totals, "system_memory")}
    firing: list[dict[str, Any]] = []
    for m in range(MINUTES + 1):
        if m:
            requests, errors, seconds, hits, misses, cpu, _ = scenario(m)
            totals["requests"] += requests
            totals["errors"] += errors
            for key in BUCKET_KEYS:
                if key == "le:+Inf" or seconds <= float(key[3:]):
                    totals[key] += requests
            totals["cache_hits"] += hits
            totals["cache_misses"] += misses
            totals["cpu_seconds"] += cpu
        memory = scenario(m)[6]
        history.record(clock(), {**totals, "workers": 1.0})
        for name, value in totals.items():
            series[name].append(value)
        series["system_memory"].append(memory)
        engine.evaluate({"system_memory": memory}, history)
        firing.append({a["name"]: a for a in engine.firing()})
        clock.advance(60)
    return series, firing


def _input_series(series: dict[str, list[float]]) -> list[dict[str, str]]:
    def values(name: str) -> str:
        return " ".join(f"{v:g}" for v in series[name])

    route = 'route="/v1/predict",method="GET"'
    duration = "scriptohio_http_request_duration_seconds"
    out = [
        {"series": f'scriptohio_http_requests_total{{{route},status="200"}}',
         "values": values("requests")},
        {"series": f"scriptohio_http_request_errors_total{{{route}}}", "values": values("errors")},
        {"series": f"{duration}_count{{{route}}}", "values": values("requests")},
        {"series": 'scriptohio_cache_requests_total{result="hit"}', "values": values("cache_hits")},
        {"series": 'scriptohio_cache_requests_total{result="miss"}',
         "values": values("cache_misses")},
        {"series": 'process_cpu_seconds_total{job="scriptohio",instance="a"}',
         "values": values("cpu_seconds")},
        {"series": 'scriptohio_worker_processes{job="scriptohio",instance="a"}',
         "values": f"1x{MINUTES}"},
        {"series": 'scriptohio_system_memory_ratio{job="scriptohio",instance="a"}',
         "values": values("system_memory")},
        {"series": 'up{job="scriptohio",instance="a"}', "values": f"1x{MINUTES}"},
    ]
    for key in BUCKET_KEYS:
        le = key[3:]
        out.append({"series": f'{duration}_bucket{{{route},le="{le}"}}', "values": values(key)})
    return out


def _expected(firing: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rules = {r.name: r for r in load_rules()}
    checks = []
    for minute in range(1, MINUTES + 1):
        for name, rule in rules.items():
            alerts = []
            if name in firing[minute]:
                labels = {"severity": rule.severity}
                if SIGNALS[rule.metric].per_instance:
                    labels["instance"] = "a"
                alerts.append({"exp_labels": labels,
                               "exp_annotations": {"summary": rule.summary}})
            checks.append({"eval_time": f"{minute}m", "alertname": name, "exp_alerts": alerts})
    return checks


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_prometheus_fires_what_the_app_fires(tmp_path: Path, name: str) -> None:
    series, firing = _in_app(SCENARIOS[name])
    rules = render()
    for group in rules["groups"]:  # the descriptions' humanized values are cosmetic
        for rule in group["rules"]:
            rule.get("annotations", {}).pop("description", None)
    (tmp_path / "alerts.yml").write_text(yaml.safe_dump(rules, sort_keys=False))
    test = {"rule_files": ["alerts.yml"], "evaluation_interval": "1m",
            "tests": [{"interval": "1m", "input_series": _input_series(series),
                       "alert_rule_test": _expected(firing)}]}
    (tmp_path / "test.yml").write_text(yaml.safe_dump(test, sort_keys=False))
    result = subprocess.run(["promtool", "test", "rules", "test.yml"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    fired = {alert for minute in firing for alert in minute}
    expected_to_fire = {
        "idle": set(), "short burst": {"HighP95Latency"}, "flapping errors": {"HighErrorRate"},
        "burst": {"LatencySLOBurnFast", "LatencySLOBurnFast6h", "HighP95Latency"},
        "errors": {"HighErrorRate"}, "cold cache": {"LowCacheHitRate"}, "busy cpu": {"HighCpu"},
        "memory": {"HighMemory"},
    }[name]
    assert expected_to_fire <= fired, fired
    if name in ("idle", "short burst"):  # nothing else: a 3-minute burst burns no budget alarm
        assert fired == expected_to_fire
