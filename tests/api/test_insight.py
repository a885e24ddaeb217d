"""Rankings, team profiles, matchups and comparisons on real data."""

from __future__ import annotations

from tests.api.conftest import AppClient


async def test_2024_end_of_regular_season_top_12(app_client: AppClient) -> None:
    async with app_client() as client:
        r = await client.get("/v1/rankings", params={"season": 2024, "week": 1,
                                                     "season_type": "postseason", "limit": 12})
        assert r.status_code == 200, r.text
        teams = [t["team"] for t in r.json()["teams"]]
        assert len(teams) == 12
        for team in ("Oregon", "Georgia", "Texas", "Penn State", "Ohio State"):
            assert team in teams, teams
        ratings = [t["rating"] for t in r.json()["teams"]]
        assert ratings == sorted(ratings, reverse=True)


async def test_rankings_by_method_and_conference(app_client: AppClient) -> None:
    async with app_client() as client:
        sec = (await client.get("/v1/rankings", params={"season": 2024, "conference": "sec",
                                                        "method": "elo"})).json()
        assert sec["teams"] and all(t["conference"] == "SEC" for t in sec["teams"])
        elos = [t["elo"] for t in sec["teams"]]
        assert elos == sorted(elos, reverse=True)
        assert [t["rank"] for t in sec["teams"]] == list(range(1, len(elos) + 1))


async def test_team_profile(app_client: AppClient) -> None:
    async with app_client() as client:
        r = await client.get("/v1/teams/ohio st", params={"season": 2024})
        assert r.status_code == 200, r.text
        p = r.json()
        assert p["team"] == "Ohio State" and p["record"] == "14-2"
        assert p["ratings"]["ensemble"]["rank"] <= 5
        assert 0 <= p["ratings"]["off_eff"]["percentile"] <= 100
        michigan = next(g for g in p["schedule"] if g["opponent"] == "Michigan")
        assert michigan["result"] == {"points_for": 10, "points_against": 13, "outcome": "L"}
        assert michigan["prediction"]["margin"] > 0  # the upset: the model had Ohio State
        assert len(p["trend"]["last_results"]) == 5


async def test_matchup_and_compare(app_client: AppClient) -> None:
    async with app_client() as client:
        m = (await client.get("/v1/matchup", params={"home": "Ohio State", "away": "Michigan",
                                                     "season": 2024, "week": 14})).json()
        units = {e["unit"] for e in m["home_offense_vs_away_defense"]}
        assert {"rushing", "passing", "explosiveness", "line_play"} <= units
        assert "Ohio State" in m["summary"]
        # a bowl is "postseason week 1": rated after the whole regular season, not before week 1
        q = {"home": "Ohio State", "away": "Tennessee", "season": 2024, "week": 1}
        bowl = (await client.get("/v1/matchup", params={**q, "season_type": "postseason"})).json()
        opener = (await client.get("/v1/matchup", params=q)).json()
        assert (bowl["season_type"], opener["season_type"]) == ("postseason", "regular")
        assert "postseason" in bowl["as_of"] and bowl["rating_gap"] != opener["rating_gap"]
        bad = await client.get("/v1/matchup", params={**q, "season_type": "bowl"})
        assert bad.status_code == 422 and "season_type" in bad.text
        c = (await client.get("/v1/compare", params={"teams": ["Oregon", "Georgia", "Texas"],
                                                     "season": 2024})).json()
        assert [t["team"] for t in c["teams"]] == ["Oregon", "Georgia", "Texas"]
