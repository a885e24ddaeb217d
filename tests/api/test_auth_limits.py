"""Key-mode auth with hashed keys, and per-user rate limits with their headers."""

from __future__ import annotations

from pathlib import Path

from scriptohio.api.identity import KeyStore
from tests.api.conftest import AppClient


async def test_rate_limit_per_user(tiny_client: AppClient) -> None:
    async with tiny_client(rate_limit="3/minute") as client:
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
