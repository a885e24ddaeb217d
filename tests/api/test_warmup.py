"""Cache warming: scheduled games, slates and insight answers are cached before anyone asks."""

from __future__ import annotations

import asyncio

from tests.api.conftest import AppClient
from tests.conftest import PrivateRedis


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
            # warmed answers wait compressed in L2 (roles with one view share an entry, so a
            # later URL may find it promoted already); the first read promotes them to L1
            assert r.status_code == 200 and r.headers["x-cache"] in ("hit-l2", "hit-l1"), (
                url, r.headers)
            again = await client.get(url, headers={"X-Role": role})
            assert again.headers["x-cache"] == "hit-l1" and again.content == r.content
            warmed[(url, role)] = r.content
        first = await client.get(urls[0][0], headers={"X-Role": urls[0][1]})
        assert first.content == warmed[urls[0]]
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
        # each copied what the other warmed, compressed, from the shared tier
        assert services[0].warmer.pulled == services[1].warmer.entries
        assert services[1].warmer.pulled == services[0].warmer.entries
        # a slate warmed by one is in the other's L2: the same bytes, no recompute
        url = "/v1/games?season=2025&week=1"
        answers = [await client.get(url) for client in (first, second)]
        assert [r.headers["x-cache"] for r in answers] == ["hit-l2", "hit-l2"]
        assert answers[0].content == answers[1].content


async def test_a_replica_joining_a_warmed_deployment_copies_instead_of_computing(
        app_client: AppClient, private_redis: PrivateRedis) -> None:
    shared = {"redis_url": private_redis.url, "cache_namespace": "join", "warm_cache": True,
              "warm_first_season": 2025}
    urls = ["/v1/games?season=2025&week=3", "/v1/rankings?season=2025&method=elo",
            "/v1/teams/Oregon?season=2025",
            "/v1/predict?home=Michigan&away=Ohio%20State&season=2025&week=14"]
    async with app_client(**shared) as first:
        warmed = first.app.state.service  # type: ignore[attr-defined]
        await asyncio.wait_for(warmed.warmer.done.wait(), 240)
        async with app_client(**shared) as second:
            joined = second.app.state.service  # type: ignore[attr-defined]
            await asyncio.wait_for(joined.warmer.done.wait(), 240)
            assert (joined.warmer.units, joined.warmer.entries) == (0, 0)  # computed nothing
            assert joined.warmer.pulled == warmed.warmer.entries > 1000
            for url in urls:
                mine, theirs = await second.get(url), await first.get(url)
                assert mine.status_code == 200 and mine.headers["x-cache"] == "hit-l2", url
                assert mine.content == theirs.content
