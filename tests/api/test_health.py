"""The service starts fast: /health at once, /ready once the data is loaded."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from scriptohio.models.registry import ModelRegistry
from tests.servers import running_service


def test_health_answers_at_once_and_ready_turns_200_without_training(
        service_state: Path) -> None:
    trained = ModelRegistry(service_state).versions()
    with running_service(service_state) as url:
        health = httpx.get(url + "/health")
        assert health.status_code == 200 and health.json()["status"] == "ok"
        deadline = time.monotonic() + 90
        while (ready := httpx.get(url + "/ready")).status_code != 200:
            assert ready.status_code == 503 and ready.headers["retry-after"]
            assert time.monotonic() < deadline
            time.sleep(0.1)
        assert ready.json()["ready"] is True
    # start-up loaded the trained model rather than training one (what made it slow)
    assert ModelRegistry(service_state).versions() == trained
    assert ready.json()["model_version"] == trained[-1]


def test_unknown_route_is_problem_json(state_dir: Path) -> None:
    with running_service(state_dir) as url:
        r = httpx.get(url + "/nope")
        assert r.status_code == 404
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["status"] == 404 and r.json()["title"] == "Not found"
