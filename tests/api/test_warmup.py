"""Cache warming: scheduled games, slates and insight answers are cached before anyone asks."""

from __future__ import annotations

import asyncio

from tests.api.conftest import AppClient


async def test_warmed_answers_are_hits_and_equal_computed_ones(app_client: AppClient) -> None:
    async with app_client(warm_cache=True) as client:
        service = client.app.state.service  # type: ignore[attr-defined]
        service.warmer.first_season = 2024  # keep the test short: the latest two seasons
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
