"""``/v1/projections`` and ``/v1/teams/{team}/projection``: on the six-team league (fake
predictor) and on the shipped data with the trained model."""

from __future__ import annotations

import math
from typing import Any

import pytest

from scriptohio.data.dataset import Dataset
from tests.api.conftest import TINY_TEAMS, AppClient

JSON_PROBLEM = "application/problem+json"


async def test_the_tiny_league_projection_adds_up_and_is_cached(
        tiny_client: AppClient) -> None:
    async with tiny_client() as client:
        params = {"season": 2023, "week": 5, "simulations": 2000}
        r = await client.get("/v1/projections", params=params)
        assert r.status_code == 200, r.text
        assert r.headers["X-Cache"] == "miss"
        body = r.json()
        assert (body["season"], body["week"], body["simulations"]) == (2023, 5, 2000)
        assert body["as_of"] == "2023 season through week 4 (games to 2023-09-22)"
        teams = {t["team"]: t for t in body["teams"]}
        assert set(teams) == set(TINY_TEAMS)
        for t in teams.values():
            assert t["remaining_games"] == 2  # weeks 5 and 6
            assert len(t["wins_distribution"]) == 7  # 0..6 wins
            assert math.isclose(sum(t["wins_distribution"]), 1.0, abs_tol=1e-3)
            for key in ("p_bowl_eligible", "p_conference_title", "p_playoff",
                        "p_national_title"):
                assert 0.0 <= t[key] <= 1.0
            wins = int(t["record"].split("-")[0])
            assert wins <= t["expected_wins"] <= wins + 2
        # 2023: the four-team playoff, one champion
        assert sum(t["p_playoff"] for t in teams.values()) == pytest.approx(4, abs=1e-3)
        assert sum(t["p_national_title"] for t in teams.values()) == pytest.approx(1, abs=1e-3)
        for conference in ("North", "South"):
            assert sum(t["p_conference_title"] for t in teams.values()
                       if t["conference"] == conference) == pytest.approx(1, abs=1e-3)
        # the best-rated team is the likeliest champion
        assert body["teams"][0]["team"] == "Alpha"

        again = await client.get("/v1/projections", params=params)
        assert again.headers["X-Cache"].startswith("hit")
        assert again.json() == body


async def test_casual_users_get_the_projection_in_plain_words(tiny_client: AppClient) -> None:
    async with tiny_client() as client:
        params = {"season": 2023, "week": 5, "simulations": 2000}
        league = (await client.get("/v1/projections", params=params,
                                   headers={"X-Role": "casual"})).json()
        leader = max(league["teams"], key=lambda t: t["p_national_title"])
        pct = f"{round(leader['p_national_title'] * 100):.0f} %"
        assert league["summary"].startswith("In 2,000 simulated seasons from the 2023 season "
                                             "through week 4")
        assert f"{leader['team']} {pct}" in league["summary"]
        r = await client.get("/v1/teams/Bravo/projection", params=params,
                             headers={"X-Role": "casual"})
        team = r.json()
        row = team["team"]
        said = team["summary"]
        assert said.startswith(f"Bravo ({row['record']}, 2 games left): "
                               f"{row['expected_wins']:.1f} wins expected")
        dist = row["wins_distribution"]
        best = dist.index(max(dist))
        assert f"{best}-{len(dist) - 1 - best} the likeliest final record" in said
        assert f"{round(row['p_playoff'] * 100):.0f} % to make the playoff" in said
        production = (await client.get("/v1/teams/Bravo/projection", params=params,
                                       headers={"X-Role": "production"})).json()
        assert "summary" not in production


async def test_a_conference_and_a_team(tiny_client: AppClient) -> None:
    async with tiny_client() as client:
        r = await client.get("/v1/projections", params={"conference": "north",
                                                        "simulations": 500})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["conference"] == "North"
        assert {t["team"] for t in body["teams"]} == {"Alpha", "Bravo", "Charlie"}

        r = await client.get("/v1/teams/alpha/projection", params={"simulations": 500})
        assert r.status_code == 200, r.text
        one = r.json()
        assert one["team"]["team"] == "Alpha" and one["week"] == 5
        assert [g["week"] for g in one["remaining"]] == [5, 6]
        for g in one["remaining"]:
            assert g["opponent"] in TINY_TEAMS and 0.0 < g["win_prob"] < 1.0
            # Alpha is the best team: favoured in every game
            assert g["margin"] > 0 and g["win_prob"] > 0.5


@pytest.mark.parametrize(("path", "params", "status", "says"), [
    ("/v1/projections", {"simulations": 50}, 422, "simulations"),
    ("/v1/projections", {"simulations": 200_000}, 422, "simulations"),
    ("/v1/projections", {"season": 2023, "week": 9}, 422, "week must be between"),
    ("/v1/projections", {"season": 1990}, 422, "season must be between"),
    ("/v1/projections", {"conference": "Nowhere"}, 404, "no conference 'Nowhere'"),
    ("/v1/teams/Zulu%20Tech/projection", {}, 404, "unknown team"),
    ("/v1/teams/Alpha/projection", {"week": 30}, 422, "week"),
])
async def test_bad_input_is_a_problem_that_says_what_was_wrong(
        tiny_client: AppClient, path: str, params: dict[str, object], status: int,
        says: str) -> None:
    async with tiny_client() as client:
        r = await client.get(path, params=params)
        assert r.status_code == status, r.text
        assert r.headers["content-type"].startswith(JSON_PROBLEM)
        assert says in r.text


async def test_the_2025_projection_from_before_week_10(app_client: AppClient) -> None:
    async with app_client() as client:
        r = await client.get("/v1/projections", params={"season": 2025, "week": 10,
                                                        "simulations": 2000})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["as_of"].startswith("2025 season through week 9")
        teams = {t["team"]: t for t in body["teams"]}
        assert 130 <= len(teams) <= 140  # FBS teams only
        assert sum(t["p_playoff"] for t in teams.values()) == pytest.approx(12, abs=0.01)
        assert sum(t["p_national_title"] for t in teams.values()) == pytest.approx(1, abs=0.01)
        titles: dict[str, float] = {}
        for t in teams.values():
            titles[t["conference"]] = titles.get(t["conference"], 0.0) + t["p_conference_title"]
        assert titles.pop("FBS Independents") == 0.0  # Notre Dame and co. win no conference
        assert titles.pop("Pac-12") == 0.0  # two teams in 2025: no champion
        assert all(v == pytest.approx(1, abs=0.01) for v in titles.values()), titles
        # the scheduled title games are replaced by simulated ones: their teams are not fixed
        conferences = {c["conference"]: c["title_game"] for c in body["conferences"]}
        assert conferences["SEC"] and conferences["Big Ten"]
        # two title-game teams per conference with one; the Sun Belt's come one per division
        for conference, has_game in conferences.items():
            appearances = sum(t["p_title_game"] for t in teams.values()
                              if t["conference"] == conference)
            assert appearances == pytest.approx(2 if has_game else 0, abs=0.01), conference
        east = {"App State", "Coastal Carolina", "Georgia Southern", "Georgia State",
                "James Madison", "Marshall", "Old Dominion"}
        assert sum(teams[t]["p_title_game"] for t in east) == pytest.approx(1, abs=0.01)

        r = await client.get("/v1/teams/Ohio State/projection",
                             params={"season": 2025, "week": 10, "simulations": 2000})
        assert r.status_code == 200, r.text
        one = r.json()
        assert one["team"] == teams["Ohio State"]  # the same run answers both
        wins = int(one["team"]["record"].split("-")[0])
        expected = wins + sum(g["win_prob"] for g in one["remaining"])
        assert one["team"]["expected_wins"] == pytest.approx(expected, abs=0.1)


async def test_an_ingest_invalidates_the_projections_it_moves(app_client: AppClient,
                                                              dataset: Dataset) -> None:
    from tests.api.test_ingest_invalidation import _week12_results

    text, rows = _week12_results(dataset, 1)
    loser = rows[0]["home_team"]  # lost 3-52 in the ingested result
    before_13 = "/v1/projections?season=2025&week=13&simulations=500"
    other_season = "/v1/projections?season=2024&week=9&simulations=500"
    async with app_client() as client:
        first = (await client.get(before_13)).json()
        await client.get(other_season)
        for url in (before_13, other_season):
            assert (await client.get(url)).headers["x-cache"].startswith("hit")
        r = await client.post("/v1/admin/ingest", json={"games_csv": text})
        assert r.status_code == 200, r.text

        assert (await client.get(other_season)).headers["x-cache"].startswith("hit")
        fresh = await client.get(before_13)
        assert fresh.headers["x-cache"] == "miss"
        old = next(t for t in first["teams"] if t["team"] == loser)
        new = next(t for t in fresh.json()["teams"] if t["team"] == loser)
        wins, losses = map(int, old["record"].split("-"))
        # week 12 was simulated before; now it is a played loss
        assert new["record"] == f"{wins}-{losses + 1}"
        assert new["remaining_games"] == old["remaining_games"] - 1



async def test_asking_about_the_season_to_come_answers_the_projection(
        app_client: AppClient) -> None:
    async with app_client() as client:
        async def ask(question: str) -> dict[str, Any]:
            r = await client.post("/v1/ask", json={"query": question},
                                  headers={"X-Role": "casual"})
            assert r.status_code == 200, r.text
            body: dict[str, Any] = r.json()
            return body

        team = await ask("is notre dame going to make the playoff")
        served = (await client.get("/v1/teams/Notre Dame/projection",
                                   headers={"X-Role": "casual"})).json()
        assert team["intent"] == "projection"
        assert team["answer"]["summary"] == served["summary"]
        assert "Notre Dame (5-2" in served["summary"]
        assert _percent_of(served["team"]["p_playoff"]) in served["summary"]

        league = await ask("who will win the big ten")
        big_ten = (await client.get("/v1/projections", params={"conference": "Big Ten"},
                                    headers={"X-Role": "casual"})).json()
        assert league["answer"]["summary"] == big_ten["summary"]
        assert "the Big Ten title" in big_ten["summary"]


def _percent_of(p: float) -> str:
    return f"{round(p * 100):.0f} % to make the playoff"
