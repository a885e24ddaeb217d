"""GET /v1/predict and /v1/games on real data: values, roles, cache tiers."""

from __future__ import annotations

import orjson

from scriptohio.data.dataset import Dataset
from scriptohio.models.totals import TotalsModel
from tests.api.conftest import AppClient

THE_GAME = {"home": "Ohio State", "away": "Michigan", "season": 2024, "week": 14}


async def test_the_game_has_a_prediction_and_the_actual_result(app_client: AppClient) -> None:
    async with app_client() as client:
        r = await client.get("/v1/predict", params=THE_GAME,
                             headers={"X-Role": "data_scientist"})
        assert r.status_code == 200, r.text
        body = r.json()
        assert (body["home"], body["away"], body["season"], body["week"]) == (
            "Ohio State", "Michigan", 2024, 14)
        pred = body["prediction"]
        assert 0.0 < pred["home_win_prob"] < 1.0
        assert pred["winner"] == ("Ohio State" if pred["margin"] > 0 else "Michigan")
        iv = pred["margin_interval"]
        assert iv["lo"] < pred["margin"] < iv["hi"] and iv["level"] == 0.8
        assert {"ridge", "logistic", "xgboost", "mlp", "ensemble"} <= set(body["models"])
        assert body["market"]["spread"] == -20.0  # Ohio State were 20-point favourites
        assert abs(body["market"]["edge"] - (pred["margin"] - 20.0)) < 0.02
        assert body["status"] == "final"
        assert body["result"] == {"home_points": 10, "away_points": 13, "margin": -3,
                                  "winner": "Michigan", "correct_winner": pred["margin"] < 0,
                                  "model_trained_on_it": True}
        assert body["market"]["favourite"] == "Ohio State" and body["market"]["line"] == 20.0
        assert body["market"]["covered"] == "Michigan"
        assert len(body["explanation"]) >= 5
        assert all({"feature", "contribution"} <= set(e) for e in body["explanation"])


async def test_aliases_share_one_cache_entry(app_client: AppClient) -> None:
    async with app_client() as client:
        first = await client.get("/v1/predict", params={**THE_GAME, "home": "tOSU"})
        second = await client.get("/v1/predict", params={**THE_GAME, "away": "michigan"})
        assert first.headers["x-cache"] == "miss"
        assert second.headers["x-cache"] == "hit-l1"
        assert first.content == second.content


async def test_role_payloads(app_client: AppClient) -> None:
    async with app_client() as client:
        sizes = {}
        bodies = {}
        for role in ("casual", "data_scientist", "production"):
            r = await client.get("/v1/predict", params=THE_GAME, headers={"X-Role": role})
            assert r.status_code == 200
            sizes[role] = len(r.content)
            bodies[role] = r.json()
        assert sizes["production"] * 3 <= sizes["data_scientist"], sizes
        assert "explanation" in bodies["data_scientist"]
        assert "explanation" not in bodies["casual"] and "explanation" not in bodies["production"]
        assert "Ohio State" in bodies["casual"]["summary"]
        assert "summary" not in bodies["production"]
        for body in bodies.values():  # the contract's fields are always there
            assert {"home", "away", "season", "week", "neutral", "prediction", "models",
                    "market"} <= set(body)


async def test_without_a_week_the_real_game_is_predicted(app_client: AppClient) -> None:
    async with app_client() as client:
        r = await client.get("/v1/predict", params={"home": "Ohio State", "away": "Michigan"},
                             headers={"X-Role": "casual"})
        assert r.status_code == 200
        body = r.json()
        # the 2025 game is at Michigan in week 14: sides and week follow the schedule
        assert (body["home"], body["away"], body["season"], body["week"]) == (
            "Michigan", "Ohio State", 2025, 14)
        assert body["status"] == "scheduled" and body["market"]["spread"] == 9.5
        assert "week 14" in body["summary"] and "9.5" in body["summary"]
        played = (await client.get("/v1/predict", params={
            "home": "Ohio State", "away": "Michigan", "season": 2024})).json()
        assert played["week"] == 14 and played["status"] == "final"
        assert "Michigan beat Ohio State 13-10" in played["summary"]


async def test_no_meeting_is_a_labelled_hypothetical_in_the_current_week(
        app_client: AppClient) -> None:
    async with app_client() as client:
        r = await client.get("/v1/predict", params={"home": "Ohio State", "away": "Stanford"},
                             headers={"X-Role": "casual"})
        body = r.json()
        assert (body["season"], body["week"], body["status"]) == (2025, 10, "hypothetical")
        assert body["summary"].startswith("No game is scheduled between Ohio State and Stanford")
        assert body["market"] is None and body.get("game") is None


async def test_week_slate(app_client: AppClient) -> None:
    async with app_client() as client:
        r = await client.get("/v1/games", params={"season": 2024, "week": 14},
                             headers={"X-Role": "production"})
        assert r.status_code == 200
        body = orjson.loads(r.content)
        assert body["count"] == len(body["games"]) > 50
        game = next(g for g in body["games"] if g["home"] == "Ohio State")
        assert {"home_points": 10, "away_points": 13}.items() <= game["result"].items()
        assert 0 < game["prediction"]["home_win_prob"] < 1
        upcoming = (await client.get("/v1/games", params={"season": 2025, "week": 12})).json()
        assert upcoming["games"] and all(g["result"] is None for g in upcoming["games"])


async def test_a_game_has_our_total_beside_the_markets(app_client: AppClient,
                                                        dataset: Dataset) -> None:
    totals = TotalsModel.fit(dataset)
    async with app_client() as client:
        played = (await client.get("/v1/predict", params=THE_GAME,
                                   headers={"X-Role": "data_scientist"})).json()
        game = dataset.games.get(played["game_id"])
        assert game is not None and game.over_under is not None
        row = dataset.games.row_of(game.game_id)
        assert row is not None
        expected = totals.predict(row)
        assert expected is not None and 20 < expected < 90
        total = played["total"]
        assert total["predicted"] == round(expected, 1)
        assert total["market"] == game.over_under
        assert total["edge"] == round(expected - game.over_under, 1)
        assert total["lean"] == ("over" if expected > game.over_under else "under")
        assert total["actual"] == 23 and total["model_trained_on_it"] is True  # 13-10
        assert total["lean_right"] == ((game.over_under < 23) == (total["lean"] == "over"))

        # the real 2025 game, not yet played: a total to come, in the casual words too
        upcoming = (await client.get("/v1/predict", params={
            "home": "Michigan", "away": "Ohio State", "season": 2025},
            headers={"X-Role": "casual"})).json()
        assert upcoming["status"] == "scheduled"
        ahead = upcoming["total"]
        assert ahead["model_trained_on_it"] is False and "actual" not in ahead
        assert ahead["market"] is not None and ahead["lean"] in ("over", "under")
        said = f"about {round(ahead['predicted'])} points in all"
        assert said in upcoming["summary"]
        assert f"{ahead['lean']} the market's total" in upcoming["summary"]
