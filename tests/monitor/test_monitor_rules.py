"""Alert rules: the packaged defaults, and pending -> firing -> resolved on a fake clock."""

from __future__ import annotations

from pathlib import Path

import pytest

from scriptohio.errors import ValidationError
from scriptohio.monitor import AlertEngine, load_rules
from scriptohio.monitor.rules import parse_duration

from .conftest import FakeClock


def test_packaged_rules_are_the_plan_thresholds() -> None:
    rules = {r.name: r for r in load_rules()}
    assert (rules["HighP95Latency"].metric, rules["HighP95Latency"].threshold) == (
        "p95_latency_s", 1.5)
    assert rules["HighP95Latency"].for_s == 300
    assert (rules["LowCacheHitRate"].op, rules["LowCacheHitRate"].threshold) == ("<", 0.95)
    assert rules["LowCacheHitRate"].for_s == 600
    assert (rules["HighCpu"].threshold, rules["HighCpu"].for_s) == (0.80, 300)
    assert (rules["HighErrorRate"].threshold, rules["HighErrorRate"].for_s) == (0.02, 120)
    assert (rules["HighMemory"].threshold, rules["HighMemory"].for_s) == (0.90, 0)


def test_p95_rule_goes_pending_then_firing_then_resolved(clock: FakeClock) -> None:
    engine = AlertEngine(load_rules(), clock=clock)
    slow = {"p95_latency_s": 2.0}
    assert engine.evaluate(slow) == []
    assert [a["state"] for a in engine.active()] == ["pending"]
    clock.advance(299)
    assert engine.evaluate(slow) == []
    clock.advance(1)
    [notice] = engine.evaluate(slow)
    assert (notice.rule.name, notice.state, notice.value) == ("HighP95Latency", "firing", 2.0)
    assert engine.firing()[0]["name"] == "HighP95Latency"
    clock.advance(30)
    assert engine.evaluate(slow) == []  # firing is notified once, not every step
    clock.advance(10)
    [resolved] = engine.evaluate({"p95_latency_s": 0.4})
    assert resolved.state == "resolved"
    assert resolved.at - resolved.since == 340
    assert engine.active() == []


def test_pending_alert_that_recovers_is_dropped_silently(clock: FakeClock) -> None:
    engine = AlertEngine(load_rules(), clock=clock)
    engine.evaluate({"error_rate": 0.05})
    clock.advance(60)
    assert engine.evaluate({"error_rate": 0.0}) == []
    clock.advance(120)
    assert engine.evaluate({"error_rate": 0.05}) == []  # the `for` timer restarted
    clock.advance(120)
    assert [n.rule.name for n in engine.evaluate({"error_rate": 0.05})] == ["HighErrorRate"]


def test_memory_rule_fires_at_once_and_missing_values_count_as_false(clock: FakeClock) -> None:
    engine = AlertEngine(load_rules(), clock=clock)
    [notice] = engine.evaluate({"system_memory": 0.95, "cache_hit_rate": None})
    assert notice.rule.name == "HighMemory" and notice.state == "firing"
    clock.advance(3600)
    assert engine.evaluate({"system_memory": 0.95}) == []


@pytest.mark.parametrize(
    ("values", "wait", "name"),
    [
        ({"cache_hit_rate": 0.90}, 600, "LowCacheHitRate"),
        ({"system_cpu": 0.85}, 300, "HighCpu"),
        ({"error_rate": 0.03}, 120, "HighErrorRate"),
    ],
)
def test_each_rule_fires_exactly_after_its_for_duration(
    clock: FakeClock, values: dict[str, float], wait: int, name: str
) -> None:
    engine = AlertEngine(load_rules(), clock=clock)
    engine.evaluate(values)
    clock.advance(wait - 1)
    assert engine.evaluate(values) == []
    clock.advance(1)
    assert [n.rule.name for n in engine.evaluate(values)] == [name]


def test_users_can_pass_their_own_rules_file(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(
        "rules:\n  - {name: Busy, metric: queued, op: '>=', threshold: 10, for: 30s}\n"
    )
    engine = AlertEngine(load_rules(path), clock=clock)
    engine.evaluate({"queued": 10})
    clock.advance(30)
    assert [n.rule.name for n in engine.evaluate({"queued": 12})] == ["Busy"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("rules: 3\n", "rules:"),
        ("rules:\n  - {name: X, metric: m, op: '!=', threshold: 1}\n", "op must be"),
        ("rules:\n  - {name: X, metric: m, op: '>'}\n", "threshold"),
        ("rules:\n  - {name: X, metric: m, op: '>', threshold: 1, for: soon}\n", "duration"),
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
