"""Predictive preloading: what usually follows an answer is computed before it is asked for,
and preloaded answers carry their tags (an invalidation reaches them)."""

from __future__ import annotations

from tests.api.conftest import AppClient

FIRST = "/v1/rankings?season=2024&limit=25"
THEN = "/v1/teams/Alabama?season=2024"
TAG = "team:Alabama:2024"


async def test_successor_is_preloaded_after_invalidation(app_client: AppClient) -> None:
    async with app_client() as client:
        manager = client.app.state.service.cache.manager  # type: ignore[attr-defined]
        for user in ("u1", "u2", "u3", "u4"):  # people read the rankings, then Alabama
            for url in (FIRST, THEN):
                assert (await client.get(url, headers={"X-User-Id": user})).status_code == 200
        await manager.wait_idle()
        dropped = await client.post("/v1/admin/invalidate", json={"tags": [TAG]})
        assert dropped.json()["invalidated"] >= 1

        await client.get(FIRST, headers={"X-User-Id": "u5"})  # starts the preload of THEN
        await manager.wait_idle()
        preloaded = await client.get(THEN, headers={"X-User-Id": "u5"})
        assert preloaded.headers["x-cache"] == "hit-l1"
        assert manager.stats["preload"]["preloaded"] >= 1

        await client.post("/v1/admin/invalidate", json={"tags": [TAG]})
        again = await client.get(THEN, headers={"X-User-Id": "u6"})
        assert again.headers["x-cache"] == "miss"  # the preloaded entry had the tag
        assert again.content == preloaded.content
