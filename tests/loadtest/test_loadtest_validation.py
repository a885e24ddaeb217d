"""Grade-A verdicts on crafted runs: a passing run, each criterion failing on its own, what a
failure is, and what the throughput is judged against (open, saturating, other closed runs)."""

from __future__ import annotations

import pytest

from scriptohio.clock import FakeClock
from scriptohio.events import EventBus
from scriptohio.loadtest.recorder import RunRecorder
from scriptohio.loadtest.results import build_result
from scriptohio.loadtest.validation import criteria_values, grade_run
from scriptohio.monitor import Monitor
from scriptohio.monitor.outcomes import classify

from .crafted import START, raw_run


def test_a_fast_healthy_normal_run_passes_whatever_its_throughput() -> None:
    # 100 req/s of thinking users in `normal`: the rate they offered, reported, not graded
    result = build_result(raw_run(per_second=30))
    assert result.summary["throughput_rps"] == pytest.approx(30.0)
    throughput = result.grade["criteria"]["throughput_rps"]
    assert throughput["verdict"] == "not graded"
    assert throughput["value"] == pytest.approx(30.0) and throughput["threshold"] is None
    assert result.grade["grade"] in ("A", "A+")
    assert result.passed
    graded = {k: c["verdict"] for k, c in result.grade["criteria"].items() if k != "throughput_rps"}
    assert set(graded.values()) == {"pass"}


def test_a_saturating_scenario_grades_throughput_against_the_plan() -> None:
    slow = build_result(raw_run(per_second=80, scenario="stress"))
    assert slow.grade["criteria"]["throughput_rps"] == {"value": pytest.approx(80.0),
                                                        "threshold": 100.0, "verdict": "fail"}
    assert not slow.passed
    fast = build_result(raw_run(per_second=250, scenario="stress-2000"))
    assert fast.grade["criteria"]["throughput_rps"]["verdict"] == "pass"
    assert fast.grade["grade"] == "A+"


def test_an_open_model_run_passes_when_it_completed_what_was_offered() -> None:
    kept_up = build_result(raw_run(per_second=49, arrival_rate=50))
    criterion = kept_up.grade["criteria"]["throughput_rps"]
    assert criterion["threshold"] == pytest.approx(47.5)  # 95 % of the offered 50 req/s
    assert criterion["verdict"] == "pass"
    assert "offered 50 req/s" in criterion["note"]
    assert kept_up.summary["offered_rps"] == 50
    assert kept_up.passed
    behind = build_result(raw_run(per_second=400, arrival_rate=500))  # 80 % of the offer
    assert behind.grade["criteria"]["throughput_rps"]["verdict"] == "fail"
    assert not behind.passed  # although 400 req/s is far above the plan's 100


GOOD = {"latency_s": {"p95": 0.2, "mean": 0.1}, "requests": 1000, "throughput_rps": 150.0,
        "success_rate": 0.999, "cache_hit_rate": 0.99, "saturating": True}


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


def test_4xx_answers_are_not_failures_but_5xx_and_shed_503s_are() -> None:
    client = build_result(raw_run(per_second=200, rate_limited_per_second=20,
                                  not_found_per_second=10))
    assert client.summary["success_rate"] == 1.0
    assert client.summary["real_failures"] == 0
    assert client.summary["intended_rejections"] == 200  # the 429s, listed apart
    assert client.summary["outcomes"]["client_error"] == 100
    assert client.passed
    shed = build_result(raw_run(per_second=200, shed_per_second=20))
    assert shed.summary["success_rate"] == pytest.approx(0.9)
    assert shed.summary["real_failures"] == 200  # not served: a failure, if an intended one
    assert shed.grade["criteria"]["success_rate"]["verdict"] == "fail"
    broken = build_result(raw_run(per_second=200, failures_per_second=2))
    assert broken.summary["real_failures"] == 20
    assert broken.summary["outcomes"]["server_error"] == 20
    assert broken.summary["success_rate"] == pytest.approx(0.99)
    assert broken.endpoints["/v1/predict"]["real_failures"] + \
        broken.endpoints["/v1/games"]["real_failures"] == 20


def test_the_load_tester_and_the_live_monitor_count_the_same_failures() -> None:
    """The same answers, seen by a load test and by the service's monitor: same success rate."""
    answers = ([("/ready", 503)] * 5 + [("/v1/predict", 200)] * 70 + [("/v1/teams/{team}", 404)] * 8
               + [("/v1/rankings", 422)] * 6 + [("/v1/predict", 429)] * 4
               + [("/v1/predict", 503)] * 3 + [("/v1/matchup", 500)] * 2
               + [("/v1/ask", 504)] * 1 + [("/v1/games", 0)] * 1)
    clock = FakeClock(START)
    monitor = Monitor(bus=EventBus(), clock=clock, sinks=[])
    recorder = RunRecorder()
    for route, status in answers:
        monitor.request_started()
        monitor.request_finished(route, "GET", status, 0.01)
        recorder.record(0.01, classify(status, route), endpoint=route, at=START)
    raw = raw_run(per_second=0)
    raw["recorder"] = recorder.to_wire()
    run = build_result(raw)
    assert run.summary["real_failures"] == 7  # three shed 503s, a 500, a 504, a lost connection
    assert run.summary["success_rate"] == pytest.approx(1 - 7 / len(answers))
    assert monitor.values()["success_rate"] == pytest.approx(run.summary["success_rate"])
    metrics = monitor.metrics.exposition()[0].decode()
    assert 'scriptohio_http_request_errors_total{route="/v1/matchup",method="GET"} 2.0' in metrics
    for not_failed in ("/ready", "/v1/teams/{team}", "/v1/rankings"):
        assert f'scriptohio_http_request_errors_total{{route="{not_failed}"' not in metrics
    monitor.close()


def test_cache_rate_falls_back_to_the_server_when_the_client_saw_no_header() -> None:
    values = criteria_values({**GOOD, "cache_hit_rate": None})
    assert values["cache_hit_rate"] is None
    result = grade_run({**GOOD, "cache_hit_rate": None})
    assert result.criteria()["cache_hit_rate"]["verdict"] == "no data"
    assert result.passed  # a criterion without data is left out, not failed


def test_an_empty_run_has_no_grade_and_does_not_pass_the_gate() -> None:
    result = build_result(raw_run(per_second=0))
    assert result.summary["requests"] == 0
    assert result.grade["grade"] == "no data"
    assert result.grade["score"] is None
    assert {c["verdict"] for c in result.grade["criteria"].values()} <= {"no data", "not graded"}
    assert not result.passed
