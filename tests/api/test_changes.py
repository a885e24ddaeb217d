"""``GET /v1/changes``: after an ingest, what moved and why, checked against the ingested game."""

from __future__ import annotations

import pytest

from scriptohio.data.dataset import Dataset
from tests.api.conftest import AppClient


async def test_an_ingest_says_who_moved_by_how_much_and_which_game_did_it(
        app_client: AppClient, dataset: Dataset) -> None:
    from tests.api.test_ingest_invalidation import _week12_results

    text, rows = _week12_results(dataset, 1)
    loser, winner = rows[0]["home_team"], rows[0]["away_team"]  # 3-52 at home
    async with app_client() as client:
        empty = (await client.get("/v1/changes")).json()
        assert empty["changes"] == []
        r = await client.post("/v1/admin/ingest", json={"games_csv": text})
        assert r.status_code == 200, r.text
        version = r.json()["refresh"]["data_version"]

        feed = (await client.get("/v1/changes", headers={"X-Role": "casual"})).json()
        assert feed["data_version"] == version and len(feed["changes"]) == 1
        entry = feed["changes"][0]
        assert entry["data_version"] == version and entry["games"] == 1
        movers = {m["team"]: m for m in entry["movers"]}
        assert {loser, winner} <= set(movers)
        assert entry["movers"][0]["team"] in (loser, winner)  # the game's teams move most
        assert movers[loser]["rating_change"] < 0 < movers[winner]["rating_change"]
        for m in movers.values():
            # the ensemble is the mean of the three methods: their thirds add up to the move
            assert sum(m["by_method"].values()) == pytest.approx(m["rating_change"], abs=0.03)
            assert m["rating_after"] - m["rating_before"] == pytest.approx(
                m["rating_change"], abs=0.02)
        (game,) = movers[loser]["games"]
        assert (game["result"], game["score"], game["opponent"]) == ("L", "3-52", winner)
        assert game["surprise"] == pytest.approx(-49 - game["expected_margin"], abs=0.1)
        assert movers[winner]["games"][0]["score"] == "52-3"
        assert entry["summary"].startswith("1 new result: ")
        assert loser in entry["summary"] or winner in entry["summary"]

        assert (await client.get("/v1/changes", params={"since": version})).json()[
            "changes"] == []
        production = (await client.get("/v1/changes",
                                       headers={"X-Role": "production"})).json()
        assert "summary" not in production["changes"][0]
        bad = await client.get("/v1/changes", params={"since": -1})
        assert bad.status_code == 422
        assert bad.headers["content-type"] == "application/problem+json"
