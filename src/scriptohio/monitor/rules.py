"""Alert rules as data, and the pending -> firing -> resolved state machine.

Rules live in a YAML file (``alert_rules.yaml`` in this package is the default and the one
source of the shipped Prometheus rules too: ``deploy/prometheus/alerts.yml`` is rendered from
it by :mod:`~scriptohio.monitor.prometheus_rules`). A rule judges either a *signal* of
:mod:`~scriptohio.monitor.signals` over one or more windows (all must hold, as the
multi-window burn alerts need), or, for rules of your own, one of the monitor's flat values::

    - name: HighErrorRate
      signal: error_ratio          # a key of signals.SIGNALS
      windows: [2m]                # Prometheus's rate() windows; several = all must hold
      op: ">"                      # > >= < <=
      threshold: 0.02
      for: 2m                      # how long the condition must hold before firing (0 = at once)
      severity: critical
      summary: Error rate above 2 % for 2 minutes

    - {name: Busy, metric: queued, op: ">=", threshold: 10, for: 30s}   # in-app only

Rules the app cannot evaluate about itself (its own target being down) sit under
``prometheus_rules:`` in Prometheus's own form and are rendered as they are.

Semantics follow Prometheus: a true condition makes the alert *pending*; once it has held for
``for`` it is *firing* (a notification); when the condition turns false a firing alert is
*resolved* (a notification) and a pending one silently returns to inactive. No data (an idle
service, a window not yet covered) counts as false. :class:`AlertEngine` is pure: the caller
passes the clock and the values.
"""

from __future__ import annotations

import operator
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from scriptohio.errors import ValidationError
from scriptohio.monitor.signals import SIGNALS, WindowView

DEFAULT_RULES_FILE = "alert_rules.yaml"
_OPS: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le,
}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_UNIT_S = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, None: 1.0}


def parse_duration(text: str | float | int) -> float:
    """``"5m"`` -> 300.0; plain numbers are seconds."""
    if isinstance(text, int | float):
        return float(text)
    match = _DURATION.match(text)
    if match is None:
        raise ValidationError(f"bad duration {text!r} (expected e.g. 30s, 5m, 1h)")
    return float(match.group(1)) * _UNIT_S[match.group(2)]


@dataclass(frozen=True, slots=True)
class AlertRule:
    """``metric`` is the flat value judged or, for a signal rule, the signal's name."""

    name: str
    metric: str
    op: str
    threshold: float
    for_s: float = 0.0
    severity: str = "warning"
    summary: str = ""
    windows_s: tuple[float, ...] = ()  # non-empty: ``metric`` is a signal over these windows
    windows: tuple[str, ...] = ()  # the same windows as written (Prometheus's durations)
    description: str = ""

    @property
    def is_signal(self) -> bool:
        return bool(self.windows_s)

    def holds(self, value: float | None) -> bool:
        return value is not None and _OPS[self.op](value, self.threshold)

    def value(self, values: Mapping[str, float | None],
              view: WindowView | None) -> tuple[bool, float | None]:
        """(condition holds, the value shown): a signal holds when every window's does."""
        signal = SIGNALS.get(self.metric) if self.is_signal else None
        if signal is None or not signal.windowed:  # a flat value (a gauge signal's own name)
            value = values.get(self.metric)
            return self.holds(value), value
        if view is None:
            return False, None
        readings = [signal.value(view, w) for w in self.windows_s]
        return all(self.holds(v) for v in readings), readings[0]


@dataclass(frozen=True, slots=True)
class AlertNotice:
    """A state change worth telling someone about: ``state`` is "firing" or "resolved"."""

    rule: AlertRule
    state: str
    value: float | None
    at: float
    since: float

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.rule.name, "state": self.state, "severity": self.rule.severity,
            "metric": self.rule.metric, "value": self.value, "threshold": self.rule.threshold,
            "summary": self.rule.summary, "at": self.at, "since": self.since,
        }


def load_rules(path: str | Path | None = None) -> tuple[AlertRule, ...]:
    """Rules from ``path`` (YAML), or the packaged defaults; errors name the rule and field."""
    data, where = load_rules_document(path)
    items = data.get("rules")
    if not isinstance(items, list):
        raise ValidationError(f"{where}: expected a top-level 'rules:' list")
    return tuple(_rule_from(item, where, i) for i, item in enumerate(items))


def load_rules_document(path: str | Path | None = None) -> tuple[dict[str, object], str]:
    """The parsed rules file (packaged default without ``path``) and its name for messages."""
    if path is None:
        text = resources.files(__package__).joinpath(DEFAULT_RULES_FILE).read_text("utf-8")
        where = DEFAULT_RULES_FILE
    else:
        text = Path(path).read_text("utf-8")
        where = str(path)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValidationError(f"{where}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ValidationError(f"{where}: expected a top-level 'rules:' list")
    return data, where


def _rule_from(item: object, where: str, index: int) -> AlertRule:
    if not isinstance(item, dict):
        raise ValidationError(f"{where}: rule {index} is not a mapping")
    if "signal" in item:
        if item["signal"] not in SIGNALS:
            raise ValidationError(f"{where}: rule {item.get('name')!r}: signal must be one of "
                                  f"{sorted(SIGNALS)}")
        windows = item.get("windows") or (["5m"] if SIGNALS[item["signal"]].windowed
                                           else ["0s"])
        if not isinstance(windows, list) or (not SIGNALS[item["signal"]].windowed
                                             and len(windows) != 1):
            raise ValidationError(f"{where}: rule {item.get('name')!r}: windows is a list")
        item = {**item, "metric": item["signal"]}
    else:
        windows = []
    for key in ("name", "metric", "op", "threshold"):
        if key not in item:
            raise ValidationError(f"{where}: rule {index} misses {key!r}")
    if item["op"] not in _OPS:
        raise ValidationError(f"{where}: rule {item['name']!r}: op must be one of {list(_OPS)}")
    try:
        threshold = float(item["threshold"])
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"{where}: rule {item['name']!r}: threshold not a number") from exc
    return AlertRule(
        name=str(item["name"]), metric=str(item["metric"]), op=str(item["op"]),
        threshold=threshold, for_s=parse_duration(item.get("for", 0)),
        severity=str(item.get("severity", "warning")), summary=str(item.get("summary", "")),
        windows_s=tuple(parse_duration(w) for w in windows),
        windows=tuple(str(w) for w in windows), description=str(item.get("description", "")),
    )


@dataclass(slots=True)
class _State:
    active_since: float | None = None  # condition true since
    firing: bool = False


class AlertEngine:
    """Evaluates rules against flat metric values; returns the notices of this step."""

    def __init__(
        self, rules: Sequence[AlertRule], *, clock: Callable[[], float] = time.time
    ) -> None:
        self.rules = tuple(rules)
        self._clock = clock
        self._states = {rule.name: _State() for rule in self.rules}
        self._values: dict[str, float | None] = {}

    def evaluate(self, values: Mapping[str, float | None],
                 view: WindowView | None = None) -> list[AlertNotice]:
        """One evaluation: flat ``values`` for metric rules, ``view`` (the totals' history)
        for signal rules (without it they have no data)."""
        now = self._clock()
        notices: list[AlertNotice] = []
        for rule in self.rules:
            state = self._states[rule.name]
            holds, value = rule.value(values, view)
            self._values[rule.name] = value
            if holds:
                if state.active_since is None:
                    state.active_since = now
                if not state.firing and now - state.active_since >= rule.for_s:
                    state.firing = True
                    notices.append(AlertNotice(rule, "firing", value, now, state.active_since))
            else:
                if state.firing:
                    since = state.active_since if state.active_since is not None else now
                    notices.append(AlertNotice(rule, "resolved", value, now, since))
                state.active_since = None
                state.firing = False
        return notices

    def active(self) -> list[dict[str, object]]:
        """Pending and firing alerts, firing first."""
        out: list[dict[str, object]] = []
        for rule in self.rules:
            state = self._states[rule.name]
            if state.active_since is None:
                continue
            out.append({
                "name": rule.name, "state": "firing" if state.firing else "pending",
                "severity": rule.severity, "metric": rule.metric,
                "value": self._values.get(rule.name), "threshold": rule.threshold,
                "summary": rule.summary, "since": state.active_since,
            })
        out.sort(key=lambda a: a["state"] != "firing")
        return out

    def firing(self) -> list[dict[str, object]]:
        return [a for a in self.active() if a["state"] == "firing"]
