"""Key-mode auth with hashed keys, per-user rate limits with their headers, the open paths."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import redis

from scriptohio.api.identity import KeyStore
from scriptohio.api.open_paths import OPEN_PATHS, is_open
from scriptohio.runtime.limiter import DEFAULT_KEY_PREFIX
from tests.api.conftest import AppClient


async def test_rate_limit_per_user(tiny_client: AppClient) -> None:
    # a wider per-address limit, so that alice and bob (one test address) are told apart
    async with tiny_client(rate_limit="3/minute", address_rate_limit="50/minute") as client:
        url = "/v1/rankings?season=2023&limit=3"
        for i in range(3):
            r = await client.get(url, headers={"X-User-Id": "alice"})
            assert r.status_code == 200
            assert r.headers["ratelimit-limit"] == "3"
            assert r.headers["ratelimit-remaining"] == str(2 - i)
        limited = await client.get(url, headers={"X-User-Id": "alice"})
        assert limited.status_code == 429
        assert int(limited.headers["retry-after"]) >= 1
        assert limited.headers["content-type"] == "application/problem+json"
        assert limited.json()["title"] == "Too many requests"
        for name in ("retry-after", "ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"):
            assert len(limited.headers.get_list(name)) == 1, name  # built once, in one place
        assert limited.headers["ratelimit-remaining"] == "0"
        # another user is not affected, and operations endpoints are exempt
        assert (await client.get(url, headers={"X-User-Id": "bob"})).status_code == 200
        assert (await client.get("/health", headers={"X-User-Id": "alice"})).status_code == 200


async def test_key_mode(app_client: AppClient, service_state: Path) -> None:
    keys = KeyStore(service_state)
    scientist = keys.create("dana", "data_scientist")
    admin = keys.create("ops", "admin")
    keys.close()
    assert scientist not in (service_state / KeyStore.FILENAME).read_bytes().decode("latin-1")
    async with app_client(auth="keys") as client:
        url = "/v1/predict?home=Ohio%20State&away=Michigan&season=2024&week=14"
        assert (await client.get(url)).status_code == 401
        bad = await client.get(url, headers={"Authorization": "Bearer nope"})
        assert bad.status_code == 401 and bad.json()["title"] == "Unauthorized"
        ok = await client.get(url, headers={"Authorization": f"Bearer {scientist}"})
        assert ok.status_code == 200 and "explanation" in ok.json()  # the key carries the role
        forbidden = await client.post("/v1/admin/reload",
                                      headers={"Authorization": f"Bearer {scientist}"})
        assert forbidden.status_code == 403
        reload = await client.post("/v1/admin/reload",
                                   headers={"Authorization": f"Bearer {admin}"})
        assert reload.status_code == 200 and reload.json()["model_version"]


async def test_keys_are_listed_revoked_and_rotated_and_a_revocation_reaches_the_service(
        tiny_client: AppClient, tmp_path: Path) -> None:
    import asyncio
    import json
    import os
    import stat
    import subprocess
    import sys

    state = tmp_path / "state"
    keys = KeyStore(state)
    key = keys.create("erin", "casual")
    keys.close()
    assert stat.S_IMODE(os.stat(state / KeyStore.FILENAME).st_mode) == 0o600

    def cli(*args: str) -> object:
        done = subprocess.run([sys.executable, "-m", "scriptohio.cli.main", "keys", *args],
                              env={**os.environ, "SCRIPTOHIO_STATE_DIR": str(state)},
                              capture_output=True, text=True, timeout=60, check=True)
        return json.loads(done.stdout)

    listed = cli("list")
    assert isinstance(listed, list) and [k["user_id"] for k in listed] == ["erin"]
    assert key not in json.dumps(listed)  # ids only, never the key
    key_id = str(listed[0]["id"])
    async with tiny_client(auth="keys") as client:
        auth = {"Authorization": f"Bearer {key}"}
        assert (await client.get("/v1/rankings", headers=auth)).status_code == 200
        rotated = cli("rotate", key_id)
        assert isinstance(rotated, dict) and rotated["revoked"] == key_id
        status = 200
        for _ in range(100):  # another process revoked it: refused within seconds
            status = (await client.get("/v1/rankings", headers=auth)).status_code
            if status == 401:
                break
            await asyncio.sleep(0.1)
        assert status == 401
        fresh = {"Authorization": f"Bearer {rotated['key']}"}
        assert (await client.get("/v1/rankings", headers=fresh)).status_code == 200
    assert [k["active"] for k in cli("list")] == [False, True]  # type: ignore[union-attr]


@pytest.mark.parametrize("path", ["/health", "/ready", "/metrics", "/dashboard",
                                  "/dashboard/stream", "/dashboard/static/app.js", "/docs",
                                  "/docs/static/swagger-ui.css", "/redoc", "/openapi.json",
                                  "/v1/monitor/status"])
def test_operations_and_docs_paths_are_open(path: str) -> None:
    assert is_open(path)


@pytest.mark.parametrize("path", ["/v1/predict", "/v1/monitors", "/healthz",
                                  "/docs-admin", "/redocs", "/", "/v1/docs"])
def test_other_paths_are_not_open(path: str) -> None:
    assert not is_open(path)


async def test_open_paths_need_no_key_and_are_not_counted(app_client: AppClient) -> None:
    async with app_client(auth="keys", rate_limit="1/minute") as client:
        for path in OPEN_PATHS:
            for _ in range(2):  # twice: over a limit of one, had they been counted
                r = await client.get(path)
                assert r.status_code not in (401, 429), path
                assert "ratelimit-limit" not in r.headers, path
        assert (await client.get("/v1/rankings?season=2024")).status_code == 401


def _limiter_connections(url: str) -> set[int]:
    client = redis.Redis.from_url(url)
    try:
        return {int(c["id"]) for c in client.client_list() if c.get("name") == DEFAULT_KEY_PREFIX}
    finally:
        client.close()


async def test_stopping_the_service_closes_the_rate_limiters_redis_connections(
        app_client: AppClient, redis_url: str, namespace: str) -> None:
    user = f"user-{uuid.uuid4().hex}"
    before = _limiter_connections(redis_url)
    try:
        async with app_client(redis_url=redis_url, cache_namespace=namespace) as client:
            r = await client.get("/v1/rankings?season=2024&limit=3", headers={"X-User-Id": user})
            assert r.status_code == 200 and r.headers["ratelimit-limit"] == "10000"
            opened = _limiter_connections(redis_url) - before
            assert opened  # the limit is kept in Redis, through the limiter's own connections
        assert not _limiter_connections(redis_url) & opened
    finally:
        keys = redis.Redis.from_url(redis_url)
        for key in keys.scan_iter(match=f"{DEFAULT_KEY_PREFIX}:*{user}*"):
            keys.delete(key)
        keys.close()


async def test_a_429_is_a_rejection_filed_under_the_route_it_was_for(
        tiny_client: AppClient) -> None:
    async with tiny_client(rate_limit="2/minute", address_rate_limit="50/minute") as client:
        codes = [(await client.get("/v1/teams/Alpha", headers={"X-User-Id": "carol"})).status_code
                 for _ in range(4)]
        assert codes[-1] == 429
        text = (await client.get("/metrics")).text
    limited = [line for line in text.splitlines()
               if line.startswith("scriptohio_http_requests_total{") and 'status="429"' in line]
    assert limited and all('route="/v1/teams/{team}"' in line for line in limited), limited
    assert float(limited[0].rsplit(" ", 1)[1]) == codes.count(429)
    assert f'reason="rate_limit"}} {float(codes.count(429))}' in text
