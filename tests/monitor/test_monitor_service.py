"""The user's report, end to end: a real ``scriptohio serve`` on loopback, polled on ``/ready``
while it loads, asked a few good and a few bad questions (404, 422), then graded live and by
``scriptohio report``. It never answered a 5xx, so neither may call it failing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from scriptohio.monitor import HistoryStore
from tests.servers import running_service

GOOD = ["/v1/teams/Ohio State", "/v1/predict?home=Ohio State&away=Michigan"]
BAD = ["/v1/teams/Nowhere Tech"] * 3 + ["/v1/rankings?season=1800"] * 3  # 404s, 422s


def _wait_for_history(state: Path, requests: int, timeout_s: float = 60.0) -> None:
    """Until the monitor has stored a window holding at least ``requests`` requests."""
    deadline = time.monotonic() + timeout_s
    store = HistoryStore(state)
    try:
        while time.monotonic() < deadline:
            now = time.time()
            points = store.series("requests", now - 300, now + 60, resolution_s=10)
            if points and max(p.hi for p in points) >= requests:
                return
            time.sleep(0.5)
    finally:
        store.close()
    raise AssertionError(f"no history row with {requests} requests within {timeout_s} s")


def test_a_service_that_never_failed_is_not_graded_as_failing(
        service_state: Path, tmp_path: Path) -> None:
    with running_service(service_state, {"SCRIPTOHIO_WARM_CACHE": "0"}) as url:
        not_ready = 0
        deadline = time.monotonic() + 120
        while (ready := httpx.get(url + "/ready", timeout=5)).status_code == 503:
            not_ready += 1
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert ready.status_code == 200
        assert not_ready > 0  # the start-up probes this is about
        with httpx.Client(base_url=url, timeout=30) as client:
            statuses = [client.get(path).status_code for path in GOOD + BAD]
        assert statuses == [200, 200, 404, 404, 404, 422, 422, 422]

        status = httpx.get(url + "/v1/monitor/status", timeout=5).json()
        criteria = status["criteria"]
        assert criteria["success_rate"]["value"] == 1.0
        assert criteria["success_rate"]["verdict"] == "pass"
        assert criteria["throughput_rps"]["verdict"] == "not graded"
        assert status["grade"] not in ("F", "no data")
        metrics = httpx.get(url + "/metrics", timeout=5).text
        assert "scriptohio_http_request_errors_total{" not in metrics  # nothing failed

        _wait_for_history(service_state, not_ready + 1 + len(GOOD) + len(BAD))

    done = subprocess.run(
        [sys.executable, "-m", "scriptohio.cli.main", "report", "--out", str(tmp_path / "out")],
        env=dict(os.environ, SCRIPTOHIO_STATE_DIR=str(service_state)),
        capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    text = Path(json.loads(done.stdout)["report"]).read_text()
    assert "| Error rate (%) | 0.00 | 0.00 |" in text  # the user saw 100 % here
    assert "| success_rate | 1 | 0.995 | pass |" in text
    assert "Grade F" not in text and "Grade: no data" not in text
