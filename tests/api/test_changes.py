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


def made_up_week(dataset: Dataset, week: int = 10) -> tuple[str, list[dict[str, str]]]:
    """Every 2025 game of ``week`` with a made-up result: the market favourite wins 31-24,
    but every fifth game is an upset, 27-17."""
    import csv
    import io

    with open(dataset.data_dir / "games.csv", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["season"] == "2025"
                and r["week"] == str(week) and r["season_type"] == "regular"]
    for i, r in enumerate(rows):
        home_favoured = float(r["spread"] or 0) <= 0
        home_wins = home_favoured != (i % 5 == 0)
        r["home_points"], r["away_points"] = ("31", "24") if home_wins else ("17", "27")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue(), rows


def _percent(p: float) -> str:
    return f"{round(p * 100):.0f} %"


async def test_a_week_moves_predictions_and_projections_and_says_by_what(
        app_client: AppClient, dataset: Dataset) -> None:
    text, rows = made_up_week(dataset)
    ingested = {int(r["game_id"]): r for r in rows}
    async with app_client() as client:
        r = await client.post("/v1/admin/ingest", json={"games_csv": text})
        assert r.status_code == 200, r.text
        (entry,) = (await client.get("/v1/changes", headers={"X-Role": "casual"})).json()[
            "changes"]
        assert entry["games"] == len(rows)

        predictions = entry["predictions"]
        assert predictions["games_compared"] > 0 and predictions["movers"]
        moves = [abs(m["home_win_prob_change"]) for m in predictions["movers"]]
        assert moves == sorted(moves, reverse=True)
        for m in predictions["movers"]:
            assert m["week"] > 10 or m["season_type"] == "postseason"  # still to play
            # the inputs' shares add up to the move, and only changed inputs are listed
            assert sum(m["by_input"].values()) == pytest.approx(m["margin_change"], abs=0.04)
            assert m["inputs"] and all(i["before"] != i["after"] for i in m["inputs"])
            assert {"elo_diff", "srs_diff"} & {i["feature"] for i in m["inputs"]}
            for g in m["games"]:  # the ingested games of either team
                assert g["game_id"] in ingested and g["team"] in (m["home"], m["away"])
        top = predictions["movers"][0]
        served = (await client.get("/v1/predict", params={
            "home": top["home"], "away": top["away"], "season": 2025, "week": top["week"],
            "season_type": top["season_type"]}, headers={"X-Role": "data_scientist"})).json()[
                "prediction"]
        assert served["margin"] == pytest.approx(top["margin_after"], abs=0.01)
        assert served["home_win_prob"] == pytest.approx(top["home_win_prob_after"], abs=1e-4)

        projections = entry["projections"]
        assert projections["simulations"] == 10_000 and projections["seed"] == 0
        assert projections["movers"]
        for m in projections["movers"]:
            source = m["expected_wins_by_source"]
            assert sum(source.values()) == pytest.approx(m["expected_wins"]["change"],
                                                         abs=0.03)
            wins_before, losses_before = map(int, m["record_before"].split("-"))
            wins_after, losses_after = map(int, m["record_after"].split("-"))
            assert wins_after + losses_after == wins_before + losses_before + len(m["games"])
            won = sum(g["result"] == "W" for g in m["games"])
            assert wins_after == wins_before + won
        lead = projections["movers"][0]
        served_team = (await client.get(f"/v1/teams/{lead['team']}/projection")).json()["team"]
        assert served_team["p_playoff"] == lead["p_playoff"]["after"]
        assert served_team["expected_wins"] == pytest.approx(lead["expected_wins"]["after"],
                                                             abs=0.005)

        # the plain words carry the entry's own numbers
        summary = entry["summary"]
        favourite_home = top["home_win_prob_after"] >= 0.5
        before = top["home_win_prob_before"] if favourite_home else 1 - top[
            "home_win_prob_before"]
        after = top["home_win_prob_after"] if favourite_home else 1 - top["home_win_prob_after"]
        said = (f"{top['home'] if favourite_home else top['away']}'s chance "
                f"{'against' if favourite_home else 'at'} "
                f"{top['away'] if favourite_home else top['home']} in week {top['week']} went "
                f"from {_percent(before)} to {_percent(after)}")
        assert said in summary
        assert (f"{lead['team']}'s playoff chances went from "
                f"{_percent(lead['p_playoff']['before'])} to "
                f"{_percent(lead['p_playoff']['after'])} and expected wins from "
                f"{lead['expected_wins']['before']:.1f} to "
                f"{lead['expected_wins']['after']:.1f}") in summary


async def test_the_feed_survives_a_restart_and_pages_across_it(
        app_client: AppClient, dataset: Dataset) -> None:
    from tests.api.test_ingest_invalidation import _week12_results

    first, _ = _week12_results(dataset, 1)
    second, _ = _week12_results(dataset, 2)  # the first game again and one more
    async with app_client() as client:
        for text in (first, second):
            r = await client.post("/v1/admin/ingest", json={"games_csv": text})
            assert r.status_code == 200, r.text
        page = (await client.get("/v1/changes", params={"limit": 1})).json()
        assert page["more"] and len(page["changes"]) == 1
        before_restart = (await client.get("/v1/changes")).json()["changes"]
    assert [e["data_version"] for e in before_restart] == [1, 2]

    async with app_client() as client:  # the same state directory, a new process
        again = (await client.get("/v1/changes")).json()
        assert again["changes"] == before_restart
        rest = (await client.get("/v1/changes",
                                 params={"since": page["next_since"], "limit": 1})).json()
        assert [e["data_version"] for e in rest["changes"]] == [2] and not rest["more"]
        asked = (await client.post("/v1/ask", json={"query": "what changed this week"},
                                   headers={"X-Role": "casual"})).json()
        assert asked["intent"] == "changes"
        assert asked["answer"]["summary"] == before_restart[-1]["summary"]
