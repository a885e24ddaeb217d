"""The service starts fast: /health at once, /ready once the data is loaded."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from tests.servers import running_service


def test_health_answers_quickly_and_ready_turns_200(service_state: Path) -> None:
    started = time.monotonic()
    with running_service(service_state) as url:
        health = httpx.get(url + "/health")
        assert health.status_code == 200 and health.json()["status"] == "ok"
        assert time.monotonic() - started < 30  # a generous bound: start-up must not train
        deadline = time.monotonic() + 90
        while (ready := httpx.get(url + "/ready")).status_code != 200:
            assert ready.status_code == 503 and ready.headers["retry-after"]
            assert time.monotonic() < deadline
            time.sleep(0.1)
        assert ready.json()["ready"] is True


def test_unknown_route_is_problem_json(state_dir: Path) -> None:
    with running_service(state_dir) as url:
        r = httpx.get(url + "/nope")
        assert r.status_code == 404
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["status"] == 404 and r.json()["title"] == "Not found"
