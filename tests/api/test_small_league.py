"""The API on a six-team league with a fake predictor (``scriptohio.testing``): the numbers
are known in advance, and no shipped data or trained model is needed."""

from __future__ import annotations

import math

from scriptohio.agents.context import AnalyticsContext
from scriptohio.api.dependencies import current_context
from scriptohio.testing import DatasetBuilder, fake_context
from tests.api.conftest import TINY_RATINGS, AppClient


def _margin(home: str, away: str) -> float:
    return TINY_RATINGS[home] - TINY_RATINGS[away] + 2.5


async def test_a_scheduled_game_is_predicted_from_the_fake_ratings(
        tiny_client: AppClient) -> None:
    async with tiny_client() as client:
        r = await client.get("/v1/predict", params={"home": "Alpha", "away": "Foxtrot"},
                             headers={"X-Role": "casual"})
        assert r.status_code == 200, r.text
        body = r.json()
        # no week given: the real game, week 5 (the next slate), Foxtrot at Alpha
        assert (body["season"], body["week"], body["status"]) == (2023, 5, "scheduled")
        assert body["prediction"]["margin"] == round(_margin("Alpha", "Foxtrot"), 1)
        assert body["prediction"]["home_win_prob"] == round(
            1 / (1 + math.exp(-_margin("Alpha", "Foxtrot") / 7)), 3)
        assert body["market"]["spread"] == -17.5 and body["market"]["favourite"] == "Alpha"
        assert "Foxtrot play at Alpha in week 5 of 2023" in body["summary"]


async def test_a_played_game_answers_with_its_result(tiny_client: AppClient) -> None:
    async with tiny_client() as client:
        r = await client.post("/v1/ask", json={"query": "who won alpha vs charlie"},
                              headers={"X-Role": "casual"})
        answer = r.json()["answer"]
        assert answer["status"] == "final"
        assert answer["result"]["winner"] == "Alpha"
        assert answer["summary"].startswith("Alpha beat Charlie 30-20")


async def test_rankings_and_profiles_carry_plain_summaries(tiny_client: AppClient) -> None:
    async with tiny_client() as client:
        ranks = (await client.get("/v1/rankings", headers={"X-Role": "casual"})).json()
        assert [t["team"] for t in ranks["teams"]][:2] == ["Alpha", "Bravo"]
        assert "1. Alpha (4-0" in ranks["summary"]
        prod = (await client.get("/v1/rankings", headers={"X-Role": "production"})).json()
        assert "summary" not in prod
        team = (await client.get("/v1/teams/alpha")).json()
        assert team["record"] == "4-0" and "Next: week 5" in team["summary"]


async def test_a_route_takes_its_context_from_a_dependency_tests_can_override(
        tiny_client: AppClient, tmp_path: object) -> None:
    from pathlib import Path

    other = DatasetBuilder().game(2022, 1, "Zulu", "Yankee", score=(7, 3)).game(
        2022, 2, "Yankee", "Zulu").write(Path(str(tmp_path)) / "other")
    ctx: AnalyticsContext = fake_context(other, {"Zulu": 3.0})

    async def override() -> AnalyticsContext:
        return ctx

    async with tiny_client() as client:
        client.app.dependency_overrides[current_context] = override  # type: ignore[attr-defined]
        r = await client.get("/v1/predict", params={"home": "Yankee", "away": "Zulu"})
        assert r.status_code == 200, r.text
        assert (r.json()["season"], r.json()["week"]) == (2022, 2)
        assert (await client.get("/v1/teams/Alpha")).status_code == 404  # not in that data
