"""The ask router asks back instead of guessing, rejects unusable input and reads role hints."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scriptohio.agents.ask import HELP_EXAMPLES, INTENTS, AskRouter
from scriptohio.data.paths import find_data_dir
from scriptohio.data.teams import TeamResolver
from scriptohio.errors import CallerError, ValidationError

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def resolver() -> TeamResolver:
    with (find_data_dir(cwd=REPO) / "games.csv").open(encoding="utf-8") as handle:
        names = {row[key] for row in csv.DictReader(handle) for key in ("home_team", "away_team")}
    return TeamResolver(names)


@pytest.fixture(scope="module")
def router(resolver: TeamResolver) -> AskRouter:
    return AskRouter(resolver, current_season=2025, current_week=13)


def test_osu_is_ambiguous_and_lists_the_three_state_schools(router: AskRouter) -> None:
    routed = router.route("OSU vs Michigan")
    assert routed.intent == "predict"
    assert routed.needs_clarification
    assert routed.clarification is not None
    assert {"Ohio State", "Oklahoma State", "Oregon State"} <= set(routed.clarification.candidates)
    assert "OSU" in routed.clarification.message
    # The unambiguous side is kept for the follow-up.
    assert routed.request["away"] == "Michigan"


def test_ambiguous_mascot_asks_which_team(router: AskRouter) -> None:
    routed = router.route("Huskies at Ducks, who wins?")
    assert routed.intent == "predict"
    assert routed.clarification is not None
    assert "Washington" in routed.clarification.candidates
    assert routed.request["home"] == "Oregon"


def test_prediction_with_one_team_is_about_its_game_that_week(router: AskRouter) -> None:
    routed = router.route("will michigan win this saturday?")
    assert routed.intent == "predict"
    assert routed.clarification is None  # the schedule knows Michigan's opponent
    assert routed.request["teams"] == ["Michigan"]
    assert routed.request["week"] == 13 and routed.request["tense"] == "future"


def test_prediction_without_teams_asks_for_both(router: AskRouter) -> None:
    routed = router.route("who wins the game?")
    assert routed.intent == "predict"
    assert routed.clarification is not None
    assert routed.clarification.field == "teams"


def test_complete_questions_need_no_clarification(router: AskRouter) -> None:
    routed = router.route("Michigan at Ohio State 2024 week 14")
    assert routed.clarification is None
    assert routed.request == {
        "agent": "predict", "home": "Ohio State", "away": "Michigan", "season": 2024, "week": 14,
        "venue": "stated", "season_stated": True, "teams": ["Michigan", "Ohio State"],
    }


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_question_is_a_validation_error(router: AskRouter, text: str) -> None:
    with pytest.raises(ValidationError, match="empty"):
        router.route(text)


def test_overlong_question_is_a_caller_error(router: AskRouter) -> None:
    with pytest.raises(CallerError, match="limit is 500"):
        router.route("who wins " * 100)


def test_unknown_role_is_rejected(router: AskRouter) -> None:
    with pytest.raises(ValidationError, match="data_scientist"):
        router.route("top 25", role="admin")


@pytest.mark.parametrize("text", ["???", "12345", "asdf qwer zxcv", "what's the weather"])
def test_garbage_gets_help_with_examples(router: AskRouter, text: str) -> None:
    routed = router.route(text)
    assert routed.intent == "help"
    assert routed.request["examples"] == list(HELP_EXAMPLES)
    # Every help example is itself understood.
    for example in routed.request["examples"]:
        assert router.route(example).intent != "help"


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("explain like I'm new: who wins Georgia vs Texas", "casual"),
        ("Ohio State vs Michigan 2024 week 14, show me the features and contributions",
         "data_scientist"),
        ("just the number for Oregon at Ohio State", "production"),
    ],
)
def test_role_hints_override_the_callers_role(router: AskRouter, text: str, role: str) -> None:
    routed = router.route(text, role="casual" if role != "casual" else "production")
    assert routed.intent == "predict"
    assert routed.role == role


def test_callers_role_is_kept_without_a_hint(router: AskRouter) -> None:
    assert router.route("top 25", role="production").role == "production"
    assert router.route("top 25").role is None


def test_learning_path_follows_the_role(router: AskRouter) -> None:
    routed = router.route("where should I start learning?", role="data_scientist")
    assert routed.intent == "learn"
    assert routed.request["path"] == "data_scientist"


def test_relative_dates_follow_the_calendar(resolver: TeamResolver) -> None:
    router = AskRouter(resolver, current_season=2024, current_week=7)
    assert router.route("games this week").request == {
        "agent": "games", "season": 2024, "week": 7, "season_stated": False,
    }
    assert router.route("how good was Oregon last season").request["season"] == 2023
    assert router.route("scores from last week").request["week"] == 6
    no_week = AskRouter(resolver, current_season=2024)
    assert "week" not in no_week.route("Oregon vs Ohio State this week").request


def test_routed_json_shape(router: AskRouter) -> None:
    body = router.route("Bama at Georgia spread?").as_json()
    assert set(body) == {
        "query", "intent", "confidence", "request", "role", "clarification", "entities",
    }
    assert body["intent"] == "predict"
    teams = body["entities"]["teams"]
    assert [t["team"] for t in teams] == ["Alabama", "Georgia"]
    assert teams[0]["text"] == "Bama"


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=200))
def test_any_text_routes_or_is_a_validation_error(router: AskRouter, text: str) -> None:
    try:
        routed = router.route(text)
    except ValidationError:
        assert not text.strip()
        return
    assert routed.intent in INTENTS
    assert 0.0 <= routed.confidence <= 1.0
    assert routed.request["agent"] == routed.intent
