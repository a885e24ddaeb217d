"""The grade grades the service: no data is not a failure, 4xx and readiness 503s are not
failures, throughput is judged against what was offered. Pure ``grade()`` calls, and the
monitor's grade over its sliding window with a stepped clock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from scriptohio.events import EventBus
from scriptohio.monitor import Monitor, grade
from scriptohio.monitor.grade import (
    DEFAULT_CRITERIA,
    MONITOR_CRITERIA,
    THROUGHPUT,
    reported_only,
    throughput_of_offered,
    with_criterion,
)
from scriptohio.monitor.outcomes import RequestOutcome, classify, is_failure

from .conftest import CountingCache, FakeClock

FAST = {"p95_latency_s": 0.05, "avg_latency_s": 0.02, "throughput_rps": 150.0,
        "success_rate": 1.0, "cache_hit_rate": 0.99}


# --- what a failure is ----------------------------------------------------------------------

@pytest.mark.parametrize(("status", "route", "outcome", "failure"), [
    (200, "/v1/predict", RequestOutcome.OK, False),
    (304, "/v1/predict", RequestOutcome.OK, False),
    (404, "/v1/teams/{team}", RequestOutcome.CLIENT_ERROR, False),
    (422, "/v1/rankings", RequestOutcome.CLIENT_ERROR, False),
    (429, "/v1/predict", RequestOutcome.RATE_LIMITED, False),
    (503, "/ready", RequestOutcome.NOT_READY, False),
    (503, "/v1/predict", RequestOutcome.SHED, True),
    (500, "/v1/predict", RequestOutcome.SERVER_ERROR, True),
    (500, "/ready", RequestOutcome.SERVER_ERROR, True),  # a crashing probe is a failure
    (504, "/v1/ask", RequestOutcome.SERVER_ERROR, True),
    (0, "/v1/games", RequestOutcome.CONNECTION, True),
    (None, "/v1/games", RequestOutcome.CONNECTION, True),
])
def test_failures_are_5xx_timeouts_and_lost_connections_only(
        status: int | None, route: str, outcome: RequestOutcome, failure: bool) -> None:
    assert classify(status, route) is outcome
    assert is_failure(status, route) is failure is outcome.is_failure


# --- no data ----------------------------------------------------------------------------------

def test_nothing_to_judge_is_no_data_not_f() -> None:
    result = grade({})
    assert (result.grade, result.score, result.passed) == ("no data", None, False)
    assert {c["verdict"] for c in result.criteria().values()} == {"no data"}


def test_criteria_without_data_are_left_out_not_failed() -> None:
    result = grade({"p95_latency_s": 0.05, "avg_latency_s": 0.02})
    assert result.grade in ("A", "A+")
    assert result.score == 100.0
    assert result.criteria()["success_rate"]["verdict"] == "no data"


def test_a_failing_criterion_still_fails_next_to_missing_ones() -> None:
    result = grade({"p95_latency_s": 1.8, "avg_latency_s": 0.9})
    assert result.grade == "F"
    assert result.criteria()["p95_latency_s"]["verdict"] == "fail"


# --- throughput -------------------------------------------------------------------------------

def test_a_reported_criterion_shows_its_value_and_leaves_the_score_alone() -> None:
    criteria = with_criterion(reported_only(THROUGHPUT, "demand, not capacity"))
    result = grade({**FAST, "throughput_rps": 0.4}, criteria)
    assert result.grade == "A+" and result.score == 100.0
    assert result.criteria()["throughput_rps"] == {
        "value": 0.4, "threshold": None, "verdict": "not graded", "note": "demand, not capacity"}


def test_throughput_against_the_offered_rate() -> None:
    criteria = with_criterion(throughput_of_offered(50.0))
    assert grade({**FAST, "throughput_rps": 48.0}, criteria).grade == "A+"  # no A+ step
    behind = grade({**FAST, "throughput_rps": 38.0}, criteria)  # 76 % of what was offered
    assert behind.criteria()["throughput_rps"]["verdict"] == "fail"
    assert behind.criteria()["throughput_rps"]["threshold"] == pytest.approx(47.5)
    # proportional credit: 38 / 47.5 of the criterion's 20 points
    assert behind.score == pytest.approx(100 - 20 * (1 - 38 / 47.5), abs=0.01)
    with pytest.raises(ValueError):
        throughput_of_offered(0.0)


def test_the_plan_thresholds_are_unchanged_for_saturating_loads() -> None:
    assert grade(FAST, DEFAULT_CRITERIA).grade == "A"  # 150 req/s passes, A+ needs 200
    assert grade({**FAST, "throughput_rps": 250.0}).grade == "A+"
    assert grade({**FAST, "throughput_rps": 80.0}).criteria()["throughput_rps"]["verdict"] \
        == "fail"


def test_the_live_monitor_does_not_grade_throughput() -> None:
    assert [c.name for c in MONITOR_CRITERIA if not c.graded] == ["throughput_rps"]


# --- the monitor's window, with a stepped clock ---------------------------------------------

@pytest.fixture
def live(clock: FakeClock) -> Iterator[Monitor]:
    m = Monitor(bus=EventBus(), clock=clock, sinks=[])
    yield m
    m.close()


def _answer(monitor: Monitor, route: str, status: int, n: int, seconds: float = 0.01) -> None:
    for _ in range(n):
        monitor.request_started()
        monitor.request_finished(route, "GET", status, seconds)


def test_an_idle_monitor_has_no_grade(live: Monitor) -> None:
    live.tick()
    status = live.status()
    assert (status["grade"], status["score"]) == ("no data", None)
    assert live.snapshot()["grade"]["grade"] == "no data"


def test_start_up_probes_and_client_errors_leave_a_healthy_service_healthy(
        live: Monitor, clock: FakeClock) -> None:
    _answer(live, "/ready", 503, 12)  # polled while loading
    clock.advance(12)
    _answer(live, "/ready", 200, 1)
    _answer(live, "/v1/teams/{team}", 200, 5)
    _answer(live, "/v1/teams/{team}", 404, 3)
    _answer(live, "/v1/rankings", 422, 3)
    _answer(live, "/v1/predict", 429, 2)
    live.tick()
    status = live.status()
    criteria = status["criteria"]
    assert criteria["success_rate"]["value"] == 1.0
    assert criteria["success_rate"]["verdict"] == "pass"
    assert criteria["throughput_rps"]["verdict"] == "not graded"  # 26 requests in 13 s
    assert status["grade"] in ("A", "A+")
    assert live.values()["error_rate"] == 0.0


def test_a_real_failure_still_counts(live: Monitor, clock: FakeClock) -> None:
    _answer(live, "/v1/predict", 200, 95)
    _answer(live, "/v1/predict", 500, 5)
    live.tick()
    status = live.status()
    assert status["criteria"]["success_rate"]["value"] == pytest.approx(0.95)
    assert status["criteria"]["success_rate"]["verdict"] == "fail"
    assert status["grade"] not in ("A", "A+", "no data")


def test_when_the_traffic_stops_the_grade_goes_back_to_no_data(
        live: Monitor, clock: FakeClock) -> None:
    cache = CountingCache()
    live.add_cache_source(cache, tier="l1")
    cache.values = {"hits": 0, "misses": 0}
    live.tick()
    _answer(live, "/v1/predict", 200, 50)
    clock.advance(30)
    cache.values = {"hits": 99, "misses": 1}
    live.tick()
    assert live.status()["grade"] in ("A", "A+")
    clock.advance(61)  # the window has emptied; a warmer keeps missing in the background
    cache.values = {"hits": 99, "misses": 500}
    live.tick()
    status = live.status()
    assert status["grade"] == "no data"
    assert status["criteria"]["cache_hit_rate"]["verdict"] == "no data"
