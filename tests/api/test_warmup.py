"""Cache warming: scheduled games, slates and insight answers are cached before anyone asks."""

from __future__ import annotations

import asyncio

from tests.api.conftest import AppClient


async def test_warmed_answers_are_hits_and_equal_computed_ones(app_client: AppClient) -> None:
    # the latest two seasons keep the test short
    async with app_client(warm_cache=True, warm_first_season=2024) as client:
        service = client.app.state.service  # type: ignore[attr-defined]
        await asyncio.wait_for(service.warmer.done.wait(), 240)
        assert service.warmer.entries > 3000
        urls = [
            ("/v1/predict?home=Ohio%20State&away=Michigan&season=2024&week=14", "casual"),
            ("/v1/predict?home=Ohio%20State&away=Michigan&season=2024&week=14&neutral=false",
             "production"),
            ("/v1/predict?home=Ohio%20State&away=Michigan&season=2024&week=14",
             "data_scientist"),
            ("/v1/games?season=2024&week=14", "production"),
            ("/v1/teams/Oregon?season=2024", "casual"),
            ("/v1/rankings?season=2024&method=elo", "casual"),
            ("/v1/matchup?home=Ohio%20State&away=Michigan&season=2024&week=14", "casual"),
            ("/v1/matchup?home=Oregon&away=Ohio%20State&season=2024&week=1"
             "&season_type=postseason", "casual"),
        ]
        warmed = {}
        for url, role in urls:
            r = await client.get(url, headers={"X-Role": role})
            assert r.status_code == 200 and r.headers["x-cache"] == "hit-l1", (url, r.headers)
            warmed[(url, role)] = r.content
        # the warmed bytes are exactly what the agents compute on demand
        await client.post("/v1/admin/invalidate", json={"all": True})
        for (url, role), body in warmed.items():
            r = await client.get(url, headers={"X-Role": role})
            assert r.headers["x-cache"] == "miss" and r.content == body, url


async def test_two_processes_share_the_warming_through_redis(
        app_client: AppClient, redis_url: str, namespace: str) -> None:
    """Two services on one Redis namespace (as two workers): each week is warmed once, by
    whichever claimed it, and the other serves it from the shared tier."""
    shared = {"redis_url": redis_url, "cache_namespace": namespace, "warm_cache": True,
              "warm_first_season": 2025}  # keep it short: the latest season
    async with app_client(**shared) as first, app_client(**shared) as second:
        services = [c.app.state.service for c in (first, second)]  # type: ignore[attr-defined]
        await asyncio.wait_for(asyncio.gather(*(s.warmer.done.wait() for s in services)), 240)
        for service in services:
            await service.cache.manager.wait_idle()  # write-through to Redis finished
        # every unit (a week, or the season's insight answers) was warmed by exactly one
        keys = services[0].holder.get().dataset.games.week_keys()
        total = len([k for k in keys if k[0] >= 2025]) + 1
        for service in services:
            assert service.warmer.units + service.warmer.skipped == total
        assert sum(s.warmer.units for s in services) == total
        assert sum(s.warmer.entries for s in services) > 1000
        # a slate warmed by one is in the other's shared tier: the same bytes, no recompute
        url = "/v1/games?season=2025&week=1"
        answers = [await client.get(url) for client in (first, second)]
        assert sorted(r.headers["x-cache"] for r in answers) == ["hit-l1", "hit-shared"]
        assert answers[0].content == answers[1].content
