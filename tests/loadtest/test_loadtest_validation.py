"""Grade-A verdicts on crafted runs: a passing run, and each criterion failing on its own."""

from __future__ import annotations

import pytest

from scriptohio.loadtest.results import build_result
from scriptohio.loadtest.validation import criteria_values, grade_run

from .crafted import raw_run


def test_a_fast_healthy_run_gets_grade_a_and_passes_the_gate() -> None:
    result = build_result(raw_run())
    assert result.summary["requests"] == 1000
    assert result.summary["throughput_rps"] == pytest.approx(100.0)
    assert result.grade["criteria"]["throughput_rps"]["verdict"] == "fail"  # needs > 100
    result = build_result(raw_run(per_second=150))
    assert result.grade["grade"] in ("A", "A+")
    assert result.passed
    assert {c["verdict"] for c in result.grade["criteria"].values()} == {"pass"}


GOOD = {"latency_s": {"p95": 0.2, "mean": 0.1}, "requests": 1000, "throughput_rps": 150.0,
        "success_rate": 0.999, "cache_hit_rate": 0.99}


@pytest.mark.parametrize(("change", "failing"), [
    ({"latency_s": {"p95": 1.5, "mean": 0.1}}, "p95_latency_s"),
    ({"latency_s": {"p95": 0.9, "mean": 0.6}}, "avg_latency_s"),
    ({"throughput_rps": 80.0}, "throughput_rps"),
    ({"success_rate": 0.99}, "success_rate"),
    ({"cache_hit_rate": 0.9}, "cache_hit_rate"),
])
def test_each_criterion_failing_alone_fails_the_gate(change: dict, failing: str) -> None:
    result = grade_run({**GOOD, **change})
    verdicts = {v.name: v.passed for v in result.verdicts}
    assert verdicts.pop(failing) is False
    assert all(verdicts.values())
    assert not result.passed
    assert result.grade not in ("A", "A+")


def test_the_good_summary_itself_passes() -> None:
    assert grade_run(GOOD).passed


def test_429s_are_left_out_but_503s_count_against_success() -> None:
    limited = build_result(raw_run(per_second=200, rate_limited_per_second=20))
    assert limited.summary["success_rate"] == 1.0
    assert limited.summary["intended_rejections"] == 200
    assert limited.summary["real_failures"] == 0
    shed = build_result(raw_run(per_second=200, shed_per_second=20))
    assert shed.summary["success_rate"] == pytest.approx(0.9)
    assert shed.grade["criteria"]["success_rate"]["verdict"] == "fail"
    assert shed.summary["real_failures"] == 0  # shed is intended, not a real failure
    broken = build_result(raw_run(per_second=200, failures_per_second=2))
    assert broken.summary["real_failures"] == 20
    assert broken.summary["outcomes"]["server_error"] == 20


def test_cache_rate_falls_back_to_the_server_when_the_client_saw_no_header() -> None:
    values = criteria_values({**GOOD, "cache_hit_rate": None})
    assert values["cache_hit_rate"] is None
    result = grade_run({**GOOD, "cache_hit_rate": None})
    assert result.criteria()["cache_hit_rate"]["verdict"] == "no data"
    assert result.passed  # a criterion without data is left out, not failed


def test_an_empty_run_fails() -> None:
    result = build_result(raw_run(per_second=0))
    assert result.summary["requests"] == 0
    assert not result.passed
