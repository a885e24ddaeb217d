"""Questions about the season to come route to projections, questions about what moved to the
change feed; the same words about a season gone by still route to its results."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from scriptohio.agents.ask import AskRouter
from scriptohio.data.paths import find_data_dir
from scriptohio.data.teams import TeamResolver

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def router() -> AskRouter:
    with (find_data_dir(cwd=REPO) / "games.csv").open(encoding="utf-8") as handle:
        names = {row[key] for row in csv.DictReader(handle) for key in ("home_team", "away_team")}
    return AskRouter(TeamResolver(names), current_season=2025, current_week=10)


@pytest.mark.parametrize(("question", "team"), [
    ("is notre dame going to make the playoff", "Notre Dame"),
    ("what are ohio state's playoff chances", "Ohio State"),
    ("how many games will texas win this year", "Texas"),
    ("can penn state still make the cfp?", "Penn State"),
])
def test_a_teams_season_to_come_is_its_projection(router: AskRouter, question: str,
                                                  team: str) -> None:
    routed = router.route(question)
    assert routed.intent == "projection" and routed.clarification is None
    assert routed.request["team"] == team and routed.request["season"] == 2025


@pytest.mark.parametrize(("question", "conference"), [
    ("who will win the big ten", "Big Ten"),
    ("who is going to win the national title", None),
    ("who's the favourite to win the SEC this year", "SEC"),
])
def test_who_wins_a_title_to_come_is_the_seasons_projection(
        router: AskRouter, question: str, conference: str | None) -> None:
    routed = router.route(question)
    assert routed.intent == "projection"
    assert routed.request["team"] is None
    assert routed.request.get("conference") == conference


@pytest.mark.parametrize(("question", "intents"), [
    ("who won the national title in 2024", {"result"}),
    ("who won the big ten championship in 2023", {"result"}),
    ("how many games did florida state win in 2024", {"record"}),
    # the scheduled title game itself (both intents look the real game up)
    ("who will win the sec championship game", {"predict", "result"}),
    ("who wins the game?", {"predict"}),
    ("will Alabama beat Georgia", {"predict"}),
])
def test_the_same_words_about_a_game_or_a_past_season_are_not_projections(
        router: AskRouter, question: str, intents: set[str]) -> None:
    assert router.route(question).intent in intents


@pytest.mark.parametrize("question", ["what changed this week", "who moved the most",
                                      "biggest risers and fallers after saturday"])
def test_what_moved_is_the_change_feed(router: AskRouter, question: str) -> None:
    assert router.route(question).intent == "changes"
