"""The ask router on questions written the way people type them.

Each case: the question, the expected intent, and the request fields that must match. The router
runs for real (team resolver built from games.csv, classifier trained on the package's seed
set); none of these strings appear in the package.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from scriptohio.agents.ask import AskRouter
from scriptohio.data.paths import find_data_dir
from scriptohio.data.teams import TeamResolver

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def router() -> AskRouter:
    """A router over the real team names, in week 13 of the 2025 season."""
    with (find_data_dir(cwd=REPO) / "games.csv").open(encoding="utf-8") as handle:
        names = {row[key] for row in csv.DictReader(handle) for key in ("home_team", "away_team")}
    return AskRouter(TeamResolver(names), current_season=2025, current_week=13)

CASES: list[tuple[str, str, dict[str, Any]]] = [
    # --- a team's games at home / on the road: the record in those games, not the season ----
    ("how did texas a&m do at home in 2024", "record",
     {"team": "Texas A&M", "season": 2024, "split": "home"}),
    ("how has oregon played on the road this year", "record",
     {"team": "Oregon", "season": 2025, "split": "road"}),
    # --- predict -----------------------------------------------------------------------------
    ("who wins ohio state vs michigan", "predict", {"home": "Ohio State", "away": "Michigan"}),
    ("Bama at Georgia spread?", "predict", {"home": "Georgia", "away": "Alabama"}),
    ("michigan @ ohio st 2024 wk 14 who wins", "predict",
     {"home": "Ohio State", "away": "Michigan", "season": 2024, "week": 14}),
    ("Who's gonna win the Texas vs Oklahoma game?", "predict",
     {"home": "Texas", "away": "Oklahoma"}),
    ("predicton for lsu at alabama", "predict", {"home": "Alabama", "away": "LSU"}),
    ("can the buckeyes beat the wolverines this year", "predict",
     {"home": "Ohio State", "away": "Michigan", "season": 2025}),
    ("odds on Notre Dame v USC", "predict", {"home": "Notre Dame", "away": "USC"}),
    ("Oregon vs Penn State neutral site prediction", "predict",
     {"home": "Oregon", "away": "Penn State", "neutral": True}),
    ("ohio stat vs michgan", "predict", {"home": "Ohio State", "away": "Michigan"}),
    ("georiga vs alabama who wins", "predict", {"home": "Georgia", "away": "Alabama"}),
    ("whats the line for Clemson at South Carolina last season", "predict",
     {"home": "South Carolina", "away": "Clemson", "season": 2024}),
    ("win probability for the Hokies at the Hoos", "predict",
     {"home": "Virginia", "away": "Virginia Tech"}),
    ("will the Gators upset the Vols?", "predict", {"home": "Florida", "away": "Tennessee"}),
    ("Texas A&M at Texas this week pick", "predict",
     {"home": "Texas", "away": "Texas A&M", "week": 13}),
    ("Ducks vs Beavers 2024 final score prediction", "predict",
     {"home": "Oregon", "away": "Oregon State", "season": 2024}),
    ("who is favored in the iron bowl, auburn vs bama", "predict",
     {"home": "Auburn", "away": "Alabama"}),
    ("Miami (OH) at Ohio 2023 who takes it", "predict",
     {"home": "Ohio", "away": "Miami (OH)", "season": 2023}),
    ("kansas st vs iowa st, give me the number", "predict",
     {"home": "Kansas State", "away": "Iowa State"}),
    ("who wins the iron bowl this year", "predict",
     {"home": "Alabama", "away": "Auburn", "venue": "assumed", "season": 2025}),
    ("spread on the apple cup", "predict", {"home": "Washington", "away": "Washington State"}),
    # --- team_profile ------------------------------------------------------------------------
    ("how good is Oregon this year", "team_profile", {"team": "Oregon", "season": 2025}),
    ("tell me about Texas", "team_profile", {"team": "Texas"}),
    ("how r the hokies doing in 2023", "team_profile",
     {"team": "Virginia Tech", "season": 2023}),
    ("Notre Dame 2024 season profile", "team_profile", {"team": "Notre Dame", "season": 2024}),
    ("is penn state's defense any good", "team_profile",
     {"team": "Penn State", "metric": "defense"}),
    ("ole miss record last year", "record", {"team": "Ole Miss", "season": 2024}),
    ("how is Michigan's run game", "team_profile", {"team": "Michigan", "metric": "rushing"}),
    ("whats up with the Sooners", "team_profile", {"team": "Oklahoma"}),
    ("boise state stats", "team_profile", {"team": "Boise State"}),
    ("how bad is Colorado State this season", "team_profile",
     {"team": "Colorado State", "season": 2025}),
    # --- rankings ----------------------------------------------------------------------------
    ("top 25", "rankings", {"limit": 25}),
    ("best teams in the SEC 2024", "rankings", {"conference": "SEC", "season": 2024}),
    ("power rankings week 15 2024", "rankings", {"season": 2024, "week": 15}),
    ("who's #1 right now", "rankings", {}),
    ("big ten rankings", "rankings", {"conference": "Big Ten"}),
    ("elo ratings 2023", "rankings", {"method": "elo", "season": 2023}),
    ("where does ohio state rank", "rankings", {"team": "Ohio State"}),
    ("top 10 offenses in the big 12", "leaders", {"limit": 10, "conference": "Big 12"}),
    ("rank the acc teams by srs", "rankings", {"conference": "ACC", "method": "srs"}),
    ("worst teams in fbs last season", "rankings", {"season": 2024}),
    # --- matchup -----------------------------------------------------------------------------
    ("Ohio State offense vs Michigan defense", "matchup",
     {"home": "Ohio State", "away": "Michigan", "offense": "Ohio State", "defense": "Michigan"}),
    ("matchup breakdown Penn State Oregon", "matchup", {"home": "Penn State", "away": "Oregon"}),
    ("how does Georgia's run game match up against Texas", "matchup",
     {"home": "Georgia", "away": "Texas", "metric": "rushing"}),
    ("break down LSU at Ole Miss", "matchup", {"home": "Ole Miss", "away": "LSU"}),
    ("who has the edge in the trenches, iowa or wisconsin", "matchup",
     {"home": "Iowa", "away": "Wisconsin"}),
    ("alabama passing attack vs georgia secondary 2024", "matchup",
     {"home": "Alabama", "away": "Georgia", "season": 2024, "metric": "passing"}),
    ("key matchups clemson vs fsu", "matchup", {"home": "Clemson", "away": "Florida State"}),
    # --- compare -----------------------------------------------------------------------------
    ("compare clemson and miami", "compare", {"teams": ["Clemson", "Miami"]}),
    ("who's better texas or georgia", "compare", {"teams": ["Texas", "Georgia"]}),
    ("Oregon vs Ohio State side by side 2024", "compare",
     {"teams": ["Oregon", "Ohio State"], "season": 2024}),
    ("is usc better than ucla", "compare", {"teams": ["USC", "UCLA"]}),
    ("how does utah stack up against byu", "compare", {"teams": ["Utah", "BYU"]}),
    ("compare the Longhorns and Sooners defenses", "compare",
     {"teams": ["Texas", "Oklahoma"], "metric": "defense"}),
    # --- games -------------------------------------------------------------------------------
    ("games this week", "games", {"week": 13, "season": 2025}),
    ("week 5 2024 games", "games", {"season": 2024, "week": 5}),
    ("what's on saturday", "games", {"week": 13}),
    ("show me last week's scores", "games", {"week": 12}),
    ("2023 bowl games", "games", {"season": 2023, "season_type": "postseason", "week": None}),
    ("slate for wk 3", "games", {"week": 3}),
    ("what games are on next week", "games", {"week": 14}),
    ("week one 2025 schedule", "games", {"week": 1, "season": 2025}),
    # --- learn -------------------------------------------------------------------------------
    ("what is EPA", "learn", {"concept": "epa"}),
    ("explain elo", "learn", {"concept": "elo"}),
    ("how do I read a win probability", "learn", {"concept": "win_probability"}),
    ("wat does success rate mean", "learn", {"concept": "success_rate"}),
    ("what's explosivness", "learn", {"concept": "explosiveness"}),
    ("why should you adjust for opponents", "learn", {"concept": "opponent_adjustment"}),
    ("what is a brier score", "learn", {"concept": "brier_score"}),
    ("how is the ensemble calibrated", "learn", {"concept": "ensemble"}),
    ("teach me about walk-forward backtesting and leakage", "learn",
     {"concept": "walk_forward"}),
    ("what does the spread mean", "learn", {"concept": "spread"}),
    ("explain line yards like I'm new", "learn", {"concept": "line_yards"}),
    ("where do I start learning", "learn", {}),
    # --- result ------------------------------------------------------------------------------
    ("who won michigan at ohio st in 2024", "result",
     {"teams": ["Michigan", "Ohio State"], "season": 2024, "tense": "past"}),
    ("score of the 2023 acc title game", "result",
     {"occasion": "conference_championship", "conference": "ACC", "season": 2023}),
    ("what happened in the national championship last year", "result",
     {"occasion": "national_championship", "season": 2024, "tense": "past"}),
    ("did the gators beat the dawgs", "result", {"teams": ["Florida", "Georgia"]}),
    ("how did texas do in its bowl game in 2024", "result",
     {"teams": ["Texas"], "occasion": "bowl", "season": 2024}),
    # --- record, streak, schedule -------------------------------------------------------------
    ("what was penn state's record in 2023", "record", {"team": "Penn State", "season": 2023}),
    ("how many games has vandy won", "record", {"team": "Vanderbilt"}),
    ("is navy still undefeated", "record", {"team": "Navy"}),
    ("tulane win-loss this season", "record", {"team": "Tulane", "season": 2025}),
    ("how long is ohio state's winning streak", "streak", {"team": "Ohio State"}),
    ("has kansas lost three in a row", "streak", {"team": "Kansas"}),
    ("consecutive wins for boise", "streak", {"team": "Boise State"}),
    ("indiana's streak", "streak", {"team": "Indiana"}),
    ("what's left on lsu's schedule", "schedule", {"team": "LSU"}),
    ("clemson 2024 schedule", "schedule", {"team": "Clemson", "season": 2024}),
    ("remaining games for the aggies of texas a&m", "schedule", {"team": "Texas A&M"}),
    ("show me usc's schedule", "schedule", {"team": "USC"}),
    ("when do the longhorns play next", "predict", {"teams": ["Texas"], "tense": "future"}),
    # --- head to head, leaders ----------------------------------------------------------------
    ("michigan ohio state all time", "head_to_head", {"teams": ["Michigan", "Ohio State"]}),
    ("how many times has iowa beaten iowa state", "head_to_head",
     {"teams": ["Iowa", "Iowa State"]}),
    ("auburn alabama series", "head_to_head", {"teams": ["Auburn", "Alabama"]}),
    ("last time duke beat unc", "head_to_head", {"teams": ["Duke", "North Carolina"]}),
    ("best defense in the big ten 2024", "leaders",
     {"conference": "Big Ten", "season": 2024, "metric": "defense"}),
    ("worst offense in the country", "leaders", {"metric": "offense", "worst": True}),
    ("which team gives up the fewest points", "leaders", {"metric": "defense"}),
    ("who scores the most points in the sec", "leaders", {"conference": "SEC"}),
    # --- help --------------------------------------------------------------------------------
    ("help", "help", {}),
    ("what can you do?", "help", {}),
    ("hello", "help", {}),
    ("asdkjh qwe zzz", "help", {}),
]


@pytest.mark.parametrize(("question", "intent", "expected"), CASES, ids=[c[0] for c in CASES])
def test_question_routes_to_expected_intent_and_entities(
    router: AskRouter, question: str, intent: str, expected: dict[str, Any]
) -> None:
    routed = router.route(question)
    assert routed.intent == intent, (routed.intent, routed.alternatives, routed.request)
    assert routed.request["agent"] == intent
    for key, value in expected.items():
        assert routed.request.get(key) == value, (key, routed.request)
    if intent in ("predict", "matchup", "compare", "team_profile"):
        assert routed.clarification is None, routed.clarification
    assert 0.0 <= routed.confidence <= 1.0


def test_question_set_is_large_and_varied() -> None:
    assert len(CASES) >= 60
    per_intent = {intent for _, intent, _ in CASES}
    assert per_intent == {
        "predict", "result", "team_profile", "record", "streak", "schedule", "head_to_head",
        "leaders", "rankings", "matchup", "compare", "games", "learn", "help"
    }
    assert all(sum(1 for _, i, _ in CASES if i == intent) >= 4 for intent in per_intent)


def test_confident_on_clear_questions(router: AskRouter) -> None:
    for question in ("who wins ohio state vs michigan", "top 25", "what is EPA"):
        assert router.route(question).confidence >= 0.7
