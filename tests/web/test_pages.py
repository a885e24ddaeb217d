"""Every page, rendered by the real service in-process, shows the data's own values, links to
pages that exist, and reads the very cache entries the JSON API serves."""

from __future__ import annotations

import csv
import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson
import pytest

from scriptohio.api.routes.insight import profile_recipe
from tests.api.conftest import AppClient


@pytest.fixture(scope="module")
def games(data_dir: Path) -> list[dict[str, str]]:
    with (data_dir / "games.csv").open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def text(page: httpx.Response) -> str:
    """The page's text with tags dropped and entities read, spaces collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page.text)))


def links(page: httpx.Response) -> list[str]:
    return [html.unescape(u) for u in re.findall(r'href="([^"]+)"', page.text)]


def is_html_page(page: httpx.Response, status: int = 200) -> bool:
    return (page.status_code == status and page.headers["content-type"].startswith("text/html")
            and page.text.startswith("<!doctype html>"))


def week_games(games: list[dict[str, str]], season: int, week: int) -> Iterator[dict[str, str]]:
    return (g for g in games if g["season"] == str(season) and g["week"] == week
            and g["season_type"] == "regular")


async def test_home_shows_this_weeks_slate_and_last_weeks_scores(
        app_client: AppClient, games: list[dict[str, str]]) -> None:
    async with app_client() as client:
        slate = (await client.get("/v1/games")).json()
        page = await client.get("/app")
        assert is_html_page(page)
        shown = text(page)
        season, week = slate["season"], slate["week"]
        assert f"Week {week} of {season}" in shown
        scheduled = [g for g in week_games(games, season, str(week)) if not g["home_points"]]
        assert len(scheduled) == slate["count"] and scheduled  # the data's unplayed games
        for g in scheduled:
            assert f"{g['away_team']} at {g['home_team']}" in shown or (
                f"{g['away_team']} vs {g['home_team']}" in shown), g
        for g in slate["games"]:  # pick and win probability as the API has them
            winner = g["prediction"]["winner"]
            prob = g["prediction"]["home_win_prob"]
            prob = prob if winner == g["home"] else 1 - prob
            assert f"{winner} {round(100 * prob)} %" in shown
        # last week's final scores, read from the data (away–home as the games are listed)
        played = list(week_games(games, season, str(week - 1)))
        assert played and all(g["home_points"] for g in played)
        for g in played:
            assert f"{g['away_points']}–{g['home_points']}" in shown, g
        assert "The model picked the winner of" in shown


async def test_game_page_shows_result_models_chart_interval_and_line(
        app_client: AppClient, games: list[dict[str, str]]) -> None:
    row = next(g for g in week_games(games, 2024, "14") if g["home_team"] == "Ohio State"
               and g["away_team"] == "Michigan")
    async with app_client() as client:
        page = await client.get("/app/game", params={"home": "Ohio State", "away": "Michigan",
                                                     "season": 2024, "week": 14})
        answer = (await client.get("/v1/predict", headers={"X-Role": "data_scientist"}, params={
            "home": "Ohio State", "away": "Michigan", "season": 2024, "week": 14})).json()
    assert is_html_page(page)
    shown = text(page)
    assert f"Michigan {row['away_points']}" in shown and f"Ohio State {row['home_points']}" in shown
    assert f"Ohio State −{abs(float(row['spread'])):g}" in shown  # the line, from the data
    assert "Winner ✗" in shown  # Ohio State was the pick and lost
    for name, model in answer["models"].items():
        assert re.search(rf"{name} [+−]{abs(model['margin']):.1f} ", shown), name
    lo, hi = answer["prediction"]["margin_interval"]["lo"], answer["prediction"][
        "margin_interval"]["hi"]
    assert f"Michigan by {abs(lo):.1f} to Ohio State by {hi:.1f}" in shown
    bars = page.text.count('<rect class="pos"') + page.text.count('<rect class="neg"')
    assert bars == len(answer["explanation"]) > 0
    assert 'aria-labelledby="bars-t bars-d"' in page.text


async def test_team_page_record_schedule_units_and_trend(
        app_client: AppClient, games: list[dict[str, str]]) -> None:
    async with app_client() as client:
        profile = (await client.get("/v1/teams/Ohio State")).json()
        page = await client.get("/app/teams/Ohio%20State")
        alias = await client.get("/app/teams/tOSU?season=2024")
    assert is_html_page(page)
    shown = text(page)
    season = profile["season"]
    mine = [g for g in games if g["season"] == str(season)
            and "Ohio State" in (g["home_team"], g["away_team"])]
    wins = losses = 0
    for g in mine:
        if g["home_points"] and int(g["week"]) < 10:  # played before the current week
            us, them = ((g["home_points"], g["away_points"]) if g["home_team"] == "Ohio State"
                        else (g["away_points"], g["home_points"]))
            wins, losses = wins + (int(us) > int(them)), losses + (int(us) < int(them))
            assert f"{'W' if int(us) > int(them) else 'L'} {us}–{them}" in shown, g
    assert f"Record {wins}-{losses}" in shown and profile["record"] == f"{wins}-{losses}"
    for g in mine:
        opponent = g["away_team"] if g["home_team"] == "Ohio State" else g["home_team"]
        assert opponent in shown
    units = [k for k in profile["ratings"] if k.startswith(("off_", "def_"))]
    assert page.text.count("<meter") == len(units) > 10  # offence and defence per measure
    assert '<polyline class="actual"' in page.text and '<polyline class="predicted"' in page.text
    assert alias.status_code == 307
    assert alias.headers["location"] == "/app/teams/Ohio%20State?season=2024"


async def test_rankings_by_method_and_conference_with_moves(app_client: AppClient) -> None:
    async with app_client() as client:
        api = (await client.get("/v1/rankings", params={"method": "elo"})).json()
        page = await client.get("/app/rankings", params={"method": "elo"})
        sec = await client.get("/app/rankings", params={"method": "srs", "conference": "SEC"})
        sec_api = (await client.get("/v1/rankings", params={"method": "srs",
                                                            "conference": "SEC"})).json()
    assert is_html_page(page) and is_html_page(sec)
    order = re.findall(r'<th scope="row"><a href="/app/teams/[^"]+">([^<]+)</a>', page.text)
    assert [html.unescape(t) for t in order] == [row["team"] for row in api["teams"]]
    assert '<option value="elo" selected>' in page.text
    assert "with the move since last week" in page.text and ("▲" in page.text or "▼" in page.text)
    sec_teams = [html.unescape(t) for t in re.findall(
        r'<th scope="row"><a href="/app/teams/[^"]+">([^<]+)</a>', sec.text)]
    assert sec_teams == [row["team"] for row in sec_api["teams"]] and len(sec_teams) == 16
    assert '<option value="SEC" selected>' in sec.text


async def test_matchup_and_team_search(app_client: AppClient) -> None:
    async with app_client() as client:
        api = (await client.get("/v1/matchup", params={"home": "Ohio State",
                                                       "away": "Penn State"})).json()
        page = await client.get("/app/matchup", params={"home": "Ohio State",
                                                        "away": "Penn State"})
        found = await client.get("/app/teams", params={"name": "michgan"})
        listing = await client.get("/app/teams")
    shown = text(page)
    for unit in api["home_offense_vs_away_defense"]:
        assert unit["label"] in shown
    assert found.status_code == 303 and found.headers["location"] == "/app/teams/Michigan"
    assert is_html_page(listing) and "Big Ten" in listing.text and "Ohio State" in listing.text


async def test_compare_side_by_side(app_client: AppClient) -> None:
    async with app_client() as client:
        api = (await client.get("/v1/compare", params={"teams": ["Ohio State", "Oregon"]})).json()
        page = await client.get("/app/compare", params={"teams": ["tOSU", "Oregon", ""]})
        form = await client.get("/app/compare")
    assert is_html_page(page) and is_html_page(form)
    shown = text(page)
    for team in api["teams"]:
        assert team["team"] in shown and team["record"] in shown
        assert f"{team['elo']:.0f}" in shown
    assert "Unit-by-unit matchup" in shown
    assert form.text.count('name="teams"') == 4


async def test_the_ask_box_answers_without_script(app_client: AppClient) -> None:
    q = "who won ohio state vs michigan in 2024"
    async with app_client() as client:
        api = (await client.post("/v1/ask", json={"query": q})).json()
        page = await client.get("/app/ask", params={"q": q})
        fragment = await client.get("/app/ask", params={"q": q, "fragment": 1})
        empty = await client.get("/app/ask")
    assert is_html_page(page)
    assert api["answer"]["summary"] in text(page)
    assert "Michigan beat Ohio State 13-10" in api["answer"]["summary"]
    assert not fragment.text.startswith("<!doctype") and api["answer"]["summary"] in text(fragment)
    assert "/app/game?home=Ohio+State&away=Michigan&season=2024&week=14" in links(page)
    assert is_html_page(empty) and "Some that work" in empty.text


async def test_evaluation_sums_up_the_seasons_played_games(
        app_client: AppClient, games: list[dict[str, str]]) -> None:
    async with app_client() as client:
        page = await client.get("/app/evaluation", params={"season": 2024,
                                                           "role": "data_scientist"})
    assert is_html_page(page)
    shown = text(page)
    played = [g for g in games if g["season"] == "2024" and g["home_points"]]
    assert f"Games {len(played)} " in shown
    lined = [g for g in played if g["spread"]]
    market_mae = sum(abs(-float(g["spread"]) - (int(g["home_points"]) - int(g["away_points"])))
                     for g in lined) / len(lined)
    assert f"Market's MAE (same games) {market_mae:.2f}" in shown
    assert "weeks 0-4" in shown and "postseason" in shown
    assert page.text.count('<circle class="point"') >= 5  # the calibration plot


async def test_a_lesson_can_be_completed(app_client: AppClient) -> None:
    async with app_client() as client:
        path = await client.get("/app/learn")
        cookie = path.cookies.get("so_learner")
        assert is_html_page(path) and cookie
        assert "0 of 12" in text(path)
        lesson = await client.get("/app/learn/lessons/welcome")
        assert is_html_page(lesson) and "Mark this lesson complete" in lesson.text
        assert "<strong>before</strong>" in lesson.text  # its Markdown rendered
        done = await client.post("/app/learn/lessons/welcome/complete")
        assert done.status_code == 303
        after = await client.get(done.headers["location"])
        assert "You have completed this lesson" in after.text
        assert "Mark this lesson complete" not in after.text
        assert "1 of 12" in text(await client.get("/app/learn"))
        concept = await client.get("/app/learn/concepts/epa")
        assert is_html_page(concept) and "Lessons about it" in concept.text
        # another visitor (no cookie) has their own progress
        client.cookies.clear()
        assert "0 of 12" in text(await client.get("/app/learn"))


async def test_role_switch_by_query_and_cookie(app_client: AppClient) -> None:
    async with app_client() as client:
        casual = await client.get("/app/rankings")
        ds = await client.get("/app/rankings", params={"role": "data_scientist"})
        assert ds.cookies.get("so_role") == "data_scientist"
        kept = await client.get("/app/rankings")  # the cookie keeps the role
        game = await client.get("/app/game", params={"home": "Ohio State", "away": "Michigan",
                                                     "season": 2024, "week": 14})
    assert ">Efficiency</th>" not in casual.text and ">Efficiency</th>" in ds.text
    assert ">Efficiency</th>" in kept.text
    assert "Feature contributions (points of home margin)" in game.text


@pytest.mark.parametrize(("url", "status", "words"), [
    ("/app/teams/banana", 404, "unknown team"),
    ("/app/teams/OSU", 409, "Did you mean"),
    ("/app/teams/Ohio%20State?season=1900", 422, "season must be between 2004 and 2025"),
    ("/app?week=abc", 422, "week"),
    ("/app/game?home=Ohio%20State", 422, "away"),
    ("/app/game?home=Ohio%20State&away=Ohio%20State", 422, "different teams"),
    ("/app/learn/lessons/nope", 404, "nope"),
    ("/app/nothing/here", 404, "no page at /app/nothing/here"),
])
async def test_bad_input_is_a_friendly_page(app_client: AppClient, url: str, status: int,
                                            words: str) -> None:
    async with app_client() as client:
        page = await client.get(url)
    assert is_html_page(page, status), page.text[:300]
    assert words in text(page) and "Traceback" not in page.text
    assert "this week's games" in page.text


async def test_every_link_on_every_page_works(app_client: AppClient) -> None:
    pages = ["/app", "/app/game?home=Ohio%20State&away=Michigan&season=2024&week=14",
             "/app/teams/Ohio%20State", "/app/rankings", "/app/rankings?conference=SEC",
             "/app/matchup?home=Ohio%20State&away=Penn%20State", "/app/learn",
             "/app/learn/lessons/welcome", "/app/ask?q=top+10+teams", "/app/teams",
             "/app/evaluation?role=data_scientist", "/app/compare?teams=Ohio+State&teams=Oregon"]
    seen: dict[str, int] = {}
    async with app_client() as client:
        for url in pages:
            page = await client.get(url)
            assert is_html_page(page), url
            for link in links(page):
                if not link.startswith("/") or link in seen:
                    continue
                r = await client.get(link, follow_redirects=True)
                seen[link] = r.status_code
    broken = {link: code for link, code in seen.items() if code != 200}
    assert not broken
    assert len(seen) > 200  # every game of the week, every team, every lesson
    assert any(urlsplit(u).path == "/app/static/app.css" for u in seen)


async def test_pages_read_the_api_cache_entries(app_client: AppClient) -> None:
    """One source of truth: a page fills the entry the API then hits, shows whatever bytes
    that entry holds, and an invalidation reaches it."""
    async with app_client() as client:
        await client.get("/app/teams/Ohio%20State")
        api = await client.get("/v1/teams/Ohio State")
        assert api.headers["x-cache"].startswith("hit")  # the page computed it
        service = client.app.state.service  # type: ignore[attr-defined]
        recipe, _ = profile_recipe(service.holder.get(), "Ohio State", None, None, "casual")
        changed: dict[str, Any] = {**api.json(), "record": "99-0"}
        service.cache.put_many([(recipe, orjson.dumps(changed))], priority=3, cost=1.0)
        assert "Record 99-0" in text(await client.get("/app/teams/Ohio%20State"))
        r = await client.post("/v1/admin/invalidate",
                              json={"tags": [f"team:Ohio State:{recipe.payload['season']}"]})
        assert r.json()["invalidated"] >= 1
        again = text(await client.get("/app/teams/Ohio%20State"))
    assert f"Record {api.json()['record']}" in again and "99-0" not in again


async def test_assets_and_root(app_client: AppClient) -> None:
    async with app_client(auth="keys") as client:  # assets are open, like the API docs
        css = await client.get("/app/static/app.css")
        assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
        again = await client.get("/app/static/app.css", headers={"If-None-Match":
                                                                css.headers["etag"]})
        assert again.status_code == 304
        js = await client.get("/app/static/app.js")
        assert js.headers["content-type"].startswith("text/javascript")
        assert (await client.get("/app/static/nope.js")).status_code == 404
        assert (await client.get("/app")).status_code == 401  # the pages are not open
    async with app_client() as client:
        root = await client.get("/")
        page = await client.get("/app")
    assert root.status_code == 307 and root.headers["location"] == "/app"
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert "://" not in re.sub(r'href="https?://[^"]*"', "", page.text)  # nothing from elsewhere
