"""Team names over HTTP: typos answer 200 with the correction in a header, junk 404, ambiguous
names 409 — on every route that takes a team (the tables live in tests/data/team_tables.py)."""

from __future__ import annotations

from urllib.parse import parse_qsl, quote

import httpx

from tests.api.conftest import AppClient
from tests.data.team_tables import AMBIGUOUS, JUNK, TYPOS

THE_GAME = {"home": "Ohio State", "away": "Michigan", "season": 2024, "week": 14}
CORRECTIONS = "x-team-corrections"


def _corrections(r: httpx.Response) -> list[tuple[str, str]]:
    return parse_qsl(r.headers[CORRECTIONS]) if CORRECTIONS in r.headers else []


async def test_every_typo_answers_the_canonical_teams_profile(app_client: AppClient) -> None:
    async with app_client() as client:
        for query, team in TYPOS:
            r = await client.get(f"/v1/teams/{quote(query, safe='')}", params={"season": 2024})
            assert r.status_code == 200, (query, r.text)
            assert r.json()["team"] == team
            assert _corrections(r) == [(query, team)]


async def test_a_corrected_typo_shares_the_canonical_cache_entry(app_client: AppClient) -> None:
    async with app_client() as client:
        typo = await client.get("/v1/predict", params={**THE_GAME, "home": "Ohio Stat",
                                                       "away": "michgan"})
        assert typo.status_code == 200, typo.text
        assert (typo.json()["home"], typo.json()["away"]) == ("Ohio State", "Michigan")
        assert _corrections(typo) == [("Ohio Stat", "Ohio State"), ("michgan", "Michigan")]
        exact = await client.get("/v1/predict", params=THE_GAME)
        assert (typo.headers["x-cache"], exact.headers["x-cache"]) == ("miss", "hit-l1")
        assert exact.content == typo.content and _corrections(exact) == []
        alias = await client.get("/v1/predict", params={**THE_GAME, "home": "tOSU"})
        assert alias.content == typo.content and _corrections(alias) == []  # not a typo
        # the repeat is answered by the answer memo, with the same header
        served = client.app.state.service.answer_memo.served  # type: ignore[attr-defined]
        again = await client.get("/v1/predict", params={**THE_GAME, "home": "Ohio Stat",
                                                        "away": "michgan"})
        assert client.app.state.service.answer_memo.served == served + 1  # type: ignore[attr-defined]
        assert again.content == typo.content
        assert again.headers[CORRECTIONS] == typo.headers[CORRECTIONS]


async def test_matchup_and_compare_read_typos_too(app_client: AppClient) -> None:
    async with app_client() as client:
        m = await client.get("/v1/matchup", params={**THE_GAME, "home": "Ohoi State"})
        assert m.status_code == 200, m.text
        assert "Ohio State" in m.json()["summary"]
        assert _corrections(m) == [("Ohoi State", "Ohio State")]
        c = await client.get("/v1/compare", params={"teams": ["Oregen", "Georgia", "Texass"],
                                                    "season": 2024})
        assert c.status_code == 200, c.text
        assert [t["team"] for t in c.json()["teams"]] == ["Oregon", "Georgia", "Texas"]
        assert _corrections(c) == [("Oregen", "Oregon"), ("Texass", "Texas")]
        # a typo of the other team is still the same team
        same = await client.get("/v1/predict", params={**THE_GAME, "away": "Ohio Stat"})
        assert same.status_code == 422 and "different teams" in same.json()["detail"]


async def test_junk_is_an_unknown_team_without_suggestions(app_client: AppClient) -> None:
    async with app_client() as client:
        for query in [q for q in JUNK if q]:
            r = await client.get(f"/v1/teams/{quote(query, safe='')}")
            assert r.status_code == 404, (query, r.text)
            assert r.headers["content-type"] == "application/problem+json"
            body = r.json()
            assert body["title"] == "Unknown team" and body["suggestions"] == [], query
        r = await client.get("/v1/predict", params={**THE_GAME, "away": "banana"})
        assert r.status_code == 404 and r.json()["suggestions"] == []
        r = await client.get("/v1/predict", params={**THE_GAME, "away": "Michigan!"})
        assert r.status_code == 404 and r.json()["suggestions"][0] == "Michigan"


async def test_ambiguous_names_and_typos_are_409_with_candidates(app_client: AppClient) -> None:
    async with app_client() as client:
        for query, expected in AMBIGUOUS:
            r = await client.get(f"/v1/teams/{quote(query, safe='')}")
            assert r.status_code == 409, (query, r.text)
            assert set(r.json()["candidates"]) == expected, query
        r = await client.get("/v1/matchup", params={**THE_GAME, "away": "Estern Michigan"})
        assert r.status_code == 409
        assert set(r.json()["candidates"]) == {"Eastern Michigan", "Western Michigan"}
