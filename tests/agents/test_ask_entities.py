"""Entity extraction, masking, keyword rules and the classifier, each on its own."""

from __future__ import annotations

import pytest

from scriptohio.agents.ask import Calendar, extract_entities
from scriptohio.agents.ask.classifier import TfidfIntentClassifier, load_seed_questions
from scriptohio.agents.ask.masking import mask_question
from scriptohio.agents.ask.rules import rule_scores

NOW = Calendar(current_season=2025, current_week=10)


@pytest.mark.parametrize(
    ("text", "season", "week"),
    [
        ("week 5 2024", 2024, 5),
        ("wk14 '23", 2023, 14),
        ("week five of 2019", 2019, 5),
        ("the 3rd week last season", 2024, 3),
        ("this year", 2025, None),
        ("next week", None, 11),
        ("last saturday", None, 9),
        ("tonight", None, 10),
        ("top 25", None, None),
    ],
)
def test_seasons_and_weeks(text: str, season: int | None, week: int | None) -> None:
    found = extract_entities(text, NOW)
    assert (found.season, found.week) == (season, week)


def test_relative_week_needs_a_current_week() -> None:
    assert extract_entities("games this week", Calendar(2025)).week is None


@pytest.mark.parametrize(
    ("text", "metrics"),
    [
        ("epa per play and success rate", ("epa", "success_rate")),
        ("big plays", ("explosiveness",)),
        ("their run game", ("rushing",)),
        ("passing offense", ("passing", "offense")),
        ("o-line and stuff rate", ("line_play",)),
        ("defenses", ("defense",)),
    ],
)
def test_metrics_in_order_of_appearance(text: str, metrics: tuple[str, ...]) -> None:
    assert extract_entities(text, NOW).metrics == metrics


@pytest.mark.parametrize(
    ("text", "conference"),
    [("the SEC", "SEC"), ("b1g", "Big Ten"), ("big 12", "Big 12"), ("pac-12", "Pac-12"),
     ("the mac", "Mid-American"), ("sun belt", "Sun Belt"), ("mwc", "Mountain West")],
)
def test_conferences(text: str, conference: str) -> None:
    assert extract_entities(text, NOW).conference == conference


def test_method_limit_neutral_and_postseason() -> None:
    found = extract_entities("top 10 by elo on a neutral field in the bowls", NOW)
    assert (found.method, found.limit, found.neutral, found.season_type) == (
        "elo", 10, True, "postseason"
    )
    assert extract_entities("least squares ratings", NOW).method == "srs"


def test_masking_hides_teams_years_and_week_numbers() -> None:
    class Span:
        def __init__(self, start: int, end: int) -> None:
            self.start, self.end = start, end

    text = "Bama at Georgia 2024 week 5"
    assert mask_question(text, [Span(0, 4), Span(8, 15)]) == "xteamx at xteamx xyearx week xnumx"


def test_rules_need_the_right_shape() -> None:
    assert rule_scores("xteamx at xteamx spread")["predict"] >= 0.9
    assert "predict" not in rule_scores("what does the spread mean")
    assert rule_scores("what does the spread mean")["learn"] >= 0.9
    assert rule_scores("top 25")["rankings"] >= 0.9
    assert rule_scores("xteamx offense vs xteamx defense")["matchup"] >= 0.9


def test_classifier_learns_the_seed_set() -> None:
    seeds = load_seed_questions()
    examples = [(q.casefold(), intent) for intent, qs in seeds.items() for q in qs]
    classifier = TfidfIntentClassifier(examples)
    assert set(classifier.labels) == set(seeds)
    right = sum(
        max(classifier.scores(text).items(), key=lambda kv: kv[1])[0] == intent
        for text, intent in examples
    )
    assert right / len(examples) > 0.95
    scores = classifier.scores("some unseen words")
    assert sum(scores.values()) == pytest.approx(1.0)
