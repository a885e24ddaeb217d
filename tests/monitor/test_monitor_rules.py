"""Alert rules: the packaged rules, signals over windows, and pending -> firing -> resolved."""

from __future__ import annotations

from pathlib import Path

import pytest

from scriptohio.errors import ValidationError
from scriptohio.monitor import AlertEngine, load_rules
from scriptohio.monitor.rules import parse_duration
from scriptohio.monitor.series import TotalsHistory
from scriptohio.monitor.signals import BUCKET_KEYS

from .conftest import FakeClock


class Traffic:
    """Cumulative totals of a service answering ``rate`` requests a minute, stepped by hand."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.history = TotalsHistory()
        self.totals = dict.fromkeys(("requests", "errors", "duration_sum", "cache_hits",
                                     "cache_misses", "cpu_seconds", *BUCKET_KEYS), 0.0)
        self.totals["workers"] = 1.0
        self.history.record(clock(), self.totals)

    def minute(self, *, requests: int = 100, errors: int = 0, seconds: float = 0.01,
               hits: int = 0, misses: int = 0, cpu_s: float = 6.0) -> TotalsHistory:
        """One more minute of traffic, each request taking ``seconds``."""
        self.clock.advance(60)
        t = self.totals
        t["requests"] += requests
        t["errors"] += errors
        t["duration_sum"] += requests * seconds
        for key in BUCKET_KEYS:
            if key == "le:+Inf" or seconds <= float(key[3:]):
                t[key] += requests
        t["cache_hits"] += hits
        t["cache_misses"] += misses
        t["cpu_seconds"] += cpu_s
        self.history.record(self.clock(), t)
        return self.history


def test_packaged_rules_are_the_plan_thresholds() -> None:
    rules = {r.name: r for r in load_rules()}
    assert (rules["HighP95Latency"].metric, rules["HighP95Latency"].threshold) == (
        "p95_latency", 1.5)
    assert rules["HighP95Latency"].for_s == 300
    assert (rules["LowCacheHitRate"].op, rules["LowCacheHitRate"].threshold) == ("<", 0.95)
    assert rules["LowCacheHitRate"].for_s == 600
    assert (rules["HighCpu"].metric, rules["HighCpu"].threshold) == ("process_cpu", 0.80)
    assert (rules["HighErrorRate"].threshold, rules["HighErrorRate"].for_s) == (0.02, 120)
    assert (rules["HighMemory"].threshold, rules["HighMemory"].for_s) == (0.90, 0)
    assert rules["LatencySLOBurnFast"].windows == ("1h", "5m")


def test_p95_rule_goes_pending_then_firing_then_resolved(clock: FakeClock) -> None:
    engine = AlertEngine(load_rules(), clock=clock)
    traffic = Traffic(clock)
    assert engine.evaluate({}, traffic.history) == []  # one sample: no window yet
    for _ in range(60):  # an hour of fast answers
        assert engine.evaluate({}, traffic.minute()) == []
    history = traffic.minute(seconds=2.0)  # every answer slow: the 5m p95 is 1.5..2.5 s
    assert engine.evaluate({}, history) == []
    assert "HighP95Latency" in [a["name"] for a in engine.active() if a["state"] == "pending"]
    for _ in range(4):
        assert "HighP95Latency" not in [n.rule.name
                                        for n in engine.evaluate({}, traffic.minute(seconds=2.0))]
    fired = [n for n in engine.evaluate({}, traffic.minute(seconds=2.0))
             if n.rule.name == "HighP95Latency"]
    assert [n.state for n in fired] == ["firing"] and fired[0].value > 1.5
    for _ in range(5):
        notices = engine.evaluate({}, traffic.minute())
    assert "HighP95Latency" in [n.rule.name for n in notices if n.state == "resolved"]


def test_an_idle_service_fires_nothing(clock: FakeClock) -> None:
    """Flat counters for two hours: no ratio has a denominator, so no rule has data."""
    engine = AlertEngine(load_rules(), clock=clock)
    traffic = Traffic(clock)
    traffic.minute(requests=100, hits=99, misses=1)  # some traffic, then none
    for _ in range(120):
        notices = engine.evaluate({}, traffic.minute(requests=0, cpu_s=0.0))
    assert engine.active() == [] and not [n for n in notices if n.state == "firing"]


def test_pending_alert_that_recovers_is_dropped_silently(clock: FakeClock) -> None:
    engine = AlertEngine(load_rules(), clock=clock)
    traffic = Traffic(clock)
    engine.evaluate({}, traffic.minute(errors=5))
    assert [a["name"] for a in engine.active()] == ["HighErrorRate"]
    for _ in range(2):  # the 2m window forgets the errors
        assert engine.evaluate({}, traffic.minute()) == []
    assert engine.active() == []
    for _ in range(2):
        assert engine.evaluate({}, traffic.minute(errors=5)) == []  # the `for` timer restarted
    assert [n.rule.name for n in engine.evaluate({}, traffic.minute(errors=5))] == [
        "HighErrorRate"]


def test_memory_rule_fires_at_once_and_missing_values_count_as_false(clock: FakeClock) -> None:
    engine = AlertEngine(load_rules(), clock=clock)
    [notice] = engine.evaluate({"system_memory": 0.95, "cache_hit_rate": None})
    assert notice.rule.name == "HighMemory" and notice.state == "firing"
    clock.advance(3600)
    assert engine.evaluate({"system_memory": 0.95}) == []


@pytest.mark.parametrize(
    ("minute", "minutes", "name"),
    [
        ({"hits": 90, "misses": 10}, 11, "LowCacheHitRate"),
        ({"cpu_s": 54.0}, 10, "HighCpu"),  # 0.9 of a core; rate over 5m reaches it at 5m
        ({"errors": 3}, 3, "HighErrorRate"),
    ],
)
def test_each_rule_fires_exactly_after_its_for_duration(
    clock: FakeClock, minute: dict[str, float], minutes: int, name: str
) -> None:
    engine = AlertEngine(load_rules(), clock=clock)
    traffic = Traffic(clock)
    for _ in range(minutes - 1):
        assert name not in [n.rule.name for n in engine.evaluate({}, traffic.minute(**minute))]
    assert name in [n.rule.name for n in engine.evaluate({}, traffic.minute(**minute))]


def test_users_can_pass_their_own_rules_file(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(
        "rules:\n  - {name: Busy, metric: queued, op: '>=', threshold: 10, for: 30s}\n"
        "  - {name: Errors, signal: error_ratio, windows: [2m], op: '>', threshold: 0.5}\n"
    )
    engine = AlertEngine(load_rules(path), clock=clock)
    traffic = Traffic(clock)
    engine.evaluate({"queued": 10})
    clock.advance(30)
    assert [n.rule.name for n in engine.evaluate({"queued": 12})] == ["Busy"]
    notices = engine.evaluate({}, traffic.minute(errors=60))
    assert [n.rule.name for n in notices if n.state == "firing"] == ["Errors"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("rules: 3\n", "rules:"),
        ("rules:\n  - {name: X, metric: m, op: '!=', threshold: 1}\n", "op must be"),
        ("rules:\n  - {name: X, metric: m, op: '>'}\n", "threshold"),
        ("rules:\n  - {name: X, metric: m, op: '>', threshold: 1, for: soon}\n", "duration"),
        ("rules:\n  - {name: X, signal: nope, op: '>', threshold: 1}\n", "signal must be"),
    ],
)
def test_bad_rules_files_are_rejected_with_a_message(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(text)
    with pytest.raises(ValidationError, match=message):
        load_rules(path)


def test_parse_duration() -> None:
    assert [parse_duration(t) for t in ("90", "30s", "5m", "1.5h", "2d", "250ms")] == [
        90.0, 30.0, 300.0, 5400.0, 172800.0, 0.25]
