"""Users that honour Retry-After: the policy (pure), the counts (recorder), and real runs
against a server on loopback that sheds its first N ``/v1`` attempts with 503 + Retry-After."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from scriptohio.loadtest.recorder import RunRecorder
from scriptohio.loadtest.report import render_markdown
from scriptohio.loadtest.results import build_result
from scriptohio.loadtest.retry import RetryPolicy, retry_after_seconds
from scriptohio.loadtest.runner import run_loadtest
from scriptohio.monitor.outcomes import RequestOutcome

from .crafted import raw_run
from .test_loadtest_run import FIXTURE_COMMAND, fixture_env

NOW = datetime(2026, 12, 3, 18, 0, tzinfo=UTC)


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert retry_after_seconds("1") == 1.0
    assert retry_after_seconds(" 120 ") == 120.0
    later = format_datetime(NOW + timedelta(seconds=7), usegmt=True)
    assert retry_after_seconds(later, now=NOW) == pytest.approx(7.0)
    earlier = format_datetime(NOW - timedelta(seconds=7), usegmt=True)
    assert retry_after_seconds(earlier, now=NOW) == 0.0
    for unreadable in (None, "", "soon", "-1", "1.5"):
        assert retry_after_seconds(unreadable) is None, unreadable


def test_policy_waits_the_header_capped_with_jitter_for_a_bounded_number_of_attempts() -> None:
    policy = RetryPolicy(max_attempts=3, max_wait_s=5.0, jitter_s=0.25)
    rng = random.Random(1)
    for _ in range(50):
        wait = policy.next_wait_s(503, "1", 1, rng)
        assert wait is not None and 1.0 <= wait <= 1.25
        capped = policy.next_wait_s(429, "60", 2, rng)
        assert capped is not None and 5.0 <= capped <= 5.25
    assert policy.next_wait_s(503, "1", 3, rng) is None  # the third attempt is the last
    assert policy.refused(503, "1") and policy.refused(429, "2")


def test_policy_takes_other_answers_as_final() -> None:
    policy = RetryPolicy()
    rng = random.Random(1)
    for status, header in ((503, None), (503, "soon"), (500, "1"), (502, "1"), (404, "1"),
                           (200, "1"), (0, None)):
        assert policy.next_wait_s(status, header, 1, rng) is None, (status, header)
        assert not policy.refused(status, header)
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)


def test_retries_are_counted_apart_from_requests_and_merge_across_workers() -> None:
    worker = RunRecorder(clock=lambda: 1_700_000_000.5)
    worker.retry(503, endpoint="/v1/predict")
    worker.retry(503, endpoint="/v1/predict")
    worker.record(2.1, RequestOutcome.SHED, endpoint="/v1/predict", gave_up=True)
    worker.retry(429, endpoint="/v1/games", at=1_700_000_003.2)  # a second with no answer
    master = RunRecorder()
    master.merge(worker.drain())
    assert master.total.retried == {"503": 2, "429": 1}
    assert master.total.gave_up == 1 and master.total.hist.count == 1
    assert master.endpoints["/v1/predict"].retried == {"503": 2}
    raw = raw_run(seconds=5, per_second=10)
    raw["spec"]["retry_after"] = True
    raw["recorder"] = master.to_wire()
    raw["locust_requests"] = 4
    result = build_result(raw)
    s = result.summary
    assert s["requests"] == 1 and s["attempts"] == 4 == s["locust_requests"]
    assert s["retried"] == {"503": 2, "429": 1} and s["gave_up"] == 1
    assert s["real_failures"] == 1
    assert result.endpoints["/v1/predict"]["retried"]["503"] == 2
    quiet = result.timeline[3]
    assert quiet["requests"] == 0 and quiet["p95"] is None  # retries only: a gap, not 0 ms
    markdown = render_markdown(result)
    assert "503 retried 2, 429 retried 1, gave up 1" in markdown


def test_users_retry_sheds_and_a_request_refused_every_time_is_a_failure(
        tmp_path: Path) -> None:
    # One user; the server sheds its first 4 /v1 attempts with Retry-After: 1. The first
    # request is refused at all 3 attempts (gave up: a failure); the second is refused once,
    # then served; everything after is served.
    result = run_loadtest(None, "normal", users=1, duration=6.0, think_scale=0.01,
                          spawn_server=True, server_command=FIXTURE_COMMAND,
                          server_env=fixture_env(FIXTURE_SHED_FIRST="4"), report_dir=tmp_path)
    s = result.summary
    assert s["retry_after"] is True
    assert s["retried"] == {"503": 3, "429": 0}
    assert s["gave_up"] == 1
    assert s["outcomes"]["shed"] == 1 == s["real_failures"]
    assert s["outcomes"]["ok"] == s["requests"] - 1 > 10
    assert s["attempts"] == s["requests"] + 3 == s["locust_requests"]
    # what the user waited: the gave-up request spans two waits of >= 1 s, the other one
    assert s["latency_s"]["max"] >= 2.0
    assert sum(1 for r in result.timeline for _ in range(r["retried_503"])) == 3
    assert sum(e["retried"]["503"] for e in result.endpoints.values()) == 3
    assert "503 retried 3, 429 retried 0, gave up 1" in (tmp_path / "loadtest.md").read_text()


def test_without_retry_after_every_shed_is_a_failure_at_once() -> None:
    result = run_loadtest(None, "normal", users=1, duration=2.0, think_scale=0.01,
                          spawn_server=True, server_command=FIXTURE_COMMAND,
                          server_env=fixture_env(FIXTURE_SHED_FIRST="4"), retry_after=False)
    s = result.summary
    assert s["retry_after"] is False
    assert s["retried"] == {"503": 0, "429": 0} and s["gave_up"] == 0
    assert s["outcomes"]["shed"] == 4 == s["real_failures"]
    assert s["attempts"] == s["requests"] == s["locust_requests"]
