"""Render the Prometheus rule file from the monitor's rules: one source for both evaluators.

``python -m scriptohio.monitor.prometheus_rules [rules.yaml] > deploy/prometheus/alerts.yml``.
Each signal rule becomes one recording rule per (signal, window) it reads, named after the
signal (``scriptohio:slo_latency_slow_ratio:rate1h``), and one alert comparing them with the
rule's threshold (``and`` across its windows), ``for`` and severity. Rules under
``prometheus_rules:`` are copied as they are. Only signal rules are rendered: a rule on a flat
value (``metric:``) exists in the app alone.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

from scriptohio.monitor.rules import AlertRule, load_rules, load_rules_document
from scriptohio.monitor.signals import SIGNALS

HEADER = """\
# GENERATED from src/scriptohio/monitor/alert_rules.yaml -- edit that file, then run
#   python -m scriptohio.monitor.prometheus_rules > deploy/prometheus/alerts.yml
# Load with `rule_files: [alerts.yml]` (see prometheus.yml beside it); check with
# `promtool check rules alerts.yml` and `promtool test rules alerts_test.yml`.
"""


def _record_name(signal: str, window: str) -> str:
    return SIGNALS[signal].record.format(w=window)


def _condition(rule: AlertRule) -> str:
    signal = SIGNALS[rule.metric]
    if not signal.windowed:
        return f"{signal.promql('')} {rule.op} {rule.threshold!r}"
    return " and ".join(f"{_record_name(rule.metric, w)} {rule.op} {rule.threshold!r}"
                         for w in rule.windows)


def render(path: str | Path | None = None) -> dict[str, Any]:
    """The rule file (as data) for the rules at ``path`` (the packaged ones by default)."""
    rules = [r for r in load_rules(path) if r.is_signal]
    document, _ = load_rules_document(path)
    recorded: dict[str, str] = {}
    for rule in rules:
        signal = SIGNALS[rule.metric]
        if signal.windowed:
            for window in rule.windows:
                recorded.setdefault(_record_name(rule.metric, window), signal.promql(window))
    alerts: list[dict[str, Any]] = []
    for rule in rules:
        alert: dict[str, Any] = {"alert": rule.name, "expr": _condition(rule)}
        if rule.for_s:
            alert["for"] = _duration(rule.for_s)
        alert["labels"] = {"severity": rule.severity}
        annotations = {"summary": rule.summary}
        if rule.description:
            annotations["description"] = rule.description
        alert["annotations"] = annotations
        alerts.append(alert)
    # One group: its rules run in order at each evaluation, so an alert reads the recording
    # made in the same evaluation (a separate group would lag it by one interval).
    groups: list[dict[str, Any]] = [
        {"name": "scriptohio",
         "rules": [*({"record": name, "expr": expr} for name, expr in recorded.items()),
                   *alerts]},
    ]
    extra = document.get("prometheus_rules")
    if isinstance(extra, list) and extra:
        groups.append({"name": "scriptohio-targets", "rules": extra})
    return {"groups": groups}


def render_text(path: str | Path | None = None) -> str:
    """:func:`render` as the YAML text shipped in ``deploy/prometheus/alerts.yml``."""
    body = yaml.safe_dump(render(path), sort_keys=False, width=100, allow_unicode=True)
    return HEADER + body


def _duration(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    sys.stdout.write(render_text(args[0] if args else None))


if __name__ == "__main__":
    main()
