"""The ask router: free text -> intent, entities and the structured request for an agent.

Pipeline (no external language model)::

    text ─▶ team mentions (resolver + typo-tolerant guesses)
         ─▶ mask teams / years / weeks ─▶ classifier scores ┐
                                       ─▶ keyword rules    ├─▶ blend × team-count fit ─▶ intent
         ─▶ season, week, metric, conference, role hints    ┘
         ─▶ request for the chosen agent, or a clarification (ambiguous or missing teams)

The blend is ``classifier_weight × classifier + rule_weight × rules``, multiplied by how well
the number of teams fits each intent (a prediction needs two, a profile one), and normalised;
the winner's share is the confidence. Below ``min_confidence`` the answer is ``help``.
The classifier trains once, lazily, on the seed questions (about a quarter of a second).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from scriptohio.agents.ask.classifier import (
    IntentClassifier,
    TfidfIntentClassifier,
    load_seed_questions,
)
from scriptohio.agents.ask.entities import Calendar, extract_entities
from scriptohio.agents.ask.intents import INTENTS, Intent, Routed
from scriptohio.agents.ask.masking import mask_question
from scriptohio.agents.ask.mentions import (
    TeamMention,
    TeamMentionFinder,
    TeamResolverLike,
    load_rivalries,
)
from scriptohio.agents.ask.requests import RequestBuilder, distinct_teams
from scriptohio.agents.ask.rules import rule_scores
from scriptohio.agents.ask.topics import TopicMatcher
from scriptohio.agents.context import AnalyticsContext
from scriptohio.agents.learn import ROLES, Catalogue, default_catalogue
from scriptohio.errors import ValidationError

__all__ = [
    "DEFAULT_CURRENT_SEASON",
    "DEFAULT_ROUTER_CONFIG",
    "AskRouter",
    "RouterConfig",
    "router_for",
]

# The latest season in the shipped data; the service passes the latest season it has loaded.
DEFAULT_CURRENT_SEASON = 2025
_LETTER = re.compile(r"[^\W\d_]")
_WORDS = re.compile(r"[a-z]+")
# How well a number of distinct teams (0, 1, 2+) fits each intent.
_TEAM_FIT: Mapping[str, tuple[float, float, float]] = {
    "predict": (0.3, 0.55, 1.0),
    "result": (0.5, 0.7, 1.0),
    "matchup": (0.1, 0.45, 1.0),
    "compare": (0.1, 0.4, 1.0),
    "team_profile": (0.3, 1.0, 0.35),
    "record": (0.1, 1.0, 0.3),
    "streak": (0.1, 1.0, 0.35),
    "schedule": (0.1, 1.0, 0.3),
    "head_to_head": (0.05, 0.3, 1.0),
    "leaders": (1.0, 0.35, 0.2),
    "rankings": (1.0, 0.8, 0.35),
    "games": (1.0, 0.5, 0.35),
    "projection": (0.6, 1.0, 0.3),
    "changes": (1.0, 0.5, 0.3),
    "learn": (1.0, 0.45, 0.3),
    "help": (1.0, 0.2, 0.1),
}
# Ordinary words never guessed to be a misspelt team (the seed questions' words are added too).
_COMMON_WORDS_TEXT = """
    about after again against also always analysis another any anyone anything around
    because been before being best better between both could didnt does doing done down during
    each even every first from going gonna good great have having here into just know last least
    like look looking make many more most much must need next night none only other over play
    played playing plays please really right same season should show since some still such sure
    take team teams than that their them then there these they thing think this those through
    time today tomorrow tonight under until very want wanna week weekend well were what when
    where which while will with without would year years your give tell explain versus
    against winner winning chance chances probability number numbers score scores points
    offense offence defense defence rushing passing running ranking rankings ranked spread
    odds line matchup compare comparison breakdown stats statistics record schedule games
    saturday sunday friday football college conference beat beats lose loses lost game
    one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen
    twenty thirty forty fifty hundred first second third fourth fifth last later earlier
    ever never once twice times time year month today yesterday tomorrow morning evening
    straight streak row consecutive home away road neutral field stadium playoff playoffs
    bowl championship title final finals semifinal quarterfinal round against versus total
    over under favorite favourite underdog upset line spread points allowed scored scoring
    perfect undefeated unbeaten winless record history series rivalry left remaining next
    still already again also only just even much many more most less least fewest best worst"""
_COMMON_WORDS = frozenset(_COMMON_WORDS_TEXT.split())


@dataclass(frozen=True)
class RouterConfig:
    """Blend weights and thresholds of the router."""

    classifier_weight: float = 0.5
    rule_weight: float = 0.5
    min_confidence: float = 0.3
    max_query_chars: int = 500
    team_fit: Mapping[str, tuple[float, float, float]] = field(
        default_factory=lambda: dict(_TEAM_FIT)
    )


DEFAULT_ROUTER_CONFIG = RouterConfig()


class AskRouter:
    """Routes a free-text question to an agent request (see the module docstring)."""

    def __init__(
        self,
        team_resolver: TeamResolverLike,
        *,
        current_season: int = DEFAULT_CURRENT_SEASON,
        current_week: int | None = None,
        classifier: IntentClassifier | None = None,
        catalogue: Catalogue | None = None,
        config: RouterConfig = DEFAULT_ROUTER_CONFIG,
    ) -> None:
        self._config = config
        self._calendar = Calendar(current_season, current_week)
        self._seeds = load_seed_questions()
        vocabulary = set(_COMMON_WORDS)
        for questions in self._seeds.values():
            for question in questions:
                vocabulary.update(_WORDS.findall(question.casefold()))
        rivalries = load_rivalries(team_resolver.teams)
        for name in rivalries:
            vocabulary.update(_WORDS.findall(name))
        self._finder = TeamMentionFinder(
            team_resolver, vocabulary=vocabulary, rivalries=rivalries
        )
        self._exact = team_resolver
        self._topics = TopicMatcher(catalogue or default_catalogue())
        self._builder = RequestBuilder(self._calendar, self._topics, frozenset(vocabulary))
        self._classifier = classifier
        self._lock = threading.Lock()

    @property
    def calendar(self) -> Calendar:
        """The season and week that "this year" and "this week" mean."""
        return self._calendar

    def classifier(self) -> IntentClassifier:
        """The intent classifier, trained on first use (thread-safe)."""
        trained = self._classifier
        if trained is not None:  # the common case takes no lock
            return trained
        with self._lock:
            if self._classifier is None:
                examples = []
                for intent, questions in self._seeds.items():
                    for question in questions:
                        spans = self._exact.find_mentions(question)
                        examples.append((mask_question(question, spans), intent))
                self._classifier = TfidfIntentClassifier(examples)
            return self._classifier

    def route(self, text: str, role: str | None = None) -> Routed:
        """Decide the intent of ``text`` and build the request; ValidationError if unusable."""
        query = self._validate(text, role)
        mentions = self._finder.find(query)
        # Rivalry names are blanked too: the "Bowl" of "Iron Bowl" is no bowl game.
        found = extract_entities(
            _blank(query, [*mentions, *self._finder.rivalry(query)]), self._calendar
        )
        role = found.role_hint or role
        entities = self._entities(mentions, found)
        if not _LETTER.search(query):
            return self._help(query, 1.0, role, entities)
        masked = mask_question(query, mentions)
        team_count = len(distinct_teams(mentions))
        ranked, ruled = self._score(masked, team_count)
        intent, confidence = ranked[0]
        # A question naming a team is about that team even when the wording is unclear; help
        # is for questions that give nothing to work with, including a vague "learn" guess
        # that names no topic and uses no learning words.
        vague_learn = (
            intent == "learn" and "learn" not in ruled and self._topics.match(query).empty
        )
        if team_count == 0 and (confidence < self._config.min_confidence or vague_learn):
            return self._help(query, 1.0 - confidence, role, entities)
        request, clarification = self._builder.build(intent, query, mentions, found, role)
        return Routed(
            query=query,
            intent=request["agent"],  # what is answered: the builder may narrow the intent
            confidence=confidence,
            request=request,
            role=role,
            clarification=clarification,
            entities=entities,
            alternatives=tuple((name, round(score, 3)) for name, score in ranked[1:3]),
        )

    def _score(
        self, masked: str, team_count: int
    ) -> tuple[list[tuple[Intent, float]], dict[str, float]]:
        config = self._config
        learned = self.classifier().scores(masked)
        rules = rule_scores(masked)
        blended: dict[Intent, float] = {}
        for intent in INTENTS:
            score = config.classifier_weight * learned.get(intent, 0.0)
            score += config.rule_weight * rules.get(intent, 0.0)
            blended[intent] = score * config.team_fit[intent][min(team_count, 2)]
        total = sum(blended.values()) or 1.0
        ranked = sorted(((i, s / total) for i, s in blended.items()), key=lambda item: -item[1])
        return ranked, rules

    def _validate(self, text: object, role: str | None) -> str:
        if not isinstance(text, str) or not text.strip():
            raise ValidationError("the question is empty; try e.g. 'Michigan at Ohio State'")
        if len(text) > self._config.max_query_chars:
            raise ValidationError(
                f"the question is {len(text)} characters long; the limit is "
                f"{self._config.max_query_chars}"
            )
        if role is not None and role not in ROLES:
            raise ValidationError(f"unknown role {role!r}; valid roles: {', '.join(ROLES)}")
        return " ".join(text.split())

    def _help(
        self, query: str, confidence: float, role: str | None, entities: dict[str, Any]
    ) -> Routed:
        request, _ = self._builder.build("help", query, [], extract_entities("", self._calendar),
                                         role)
        return Routed(query, "help", confidence, request, role, None, entities)

    @staticmethod
    def _entities(mentions: list[TeamMention], found: Any) -> dict[str, Any]:
        return {
            "teams": [
                {"text": m.surface, "team": m.team, "candidates": list(m.candidates),
                 "fuzzy": m.fuzzy}
                for m in mentions
            ],
            "season": found.season,
            "week": found.week,
            "season_type": found.season_type,
            "metrics": list(found.metrics),
            "method": found.method,
            "conference": found.conference,
            "limit": found.limit,
            "neutral": found.neutral,
            "role_hint": found.role_hint,
            "occasion": found.occasion,
            "tense": found.tense,
        }


def _blank(text: str, mentions: list[TeamMention]) -> str:
    """``text`` with team names blanked, so "Penn State" never reads as a metric or year."""
    chars = list(text)
    for mention in mentions:
        chars[mention.start : mention.end] = " " * (mention.end - mention.start)
    return "".join(chars)


def router_for(ctx: AnalyticsContext) -> AskRouter:
    """The router of a context's data: its teams, and its "now" for "this year"/"this week"
    (built and trained once per context)."""
    memo: dict[str, AskRouter] = ctx.memo("ask_router")
    router = memo.get("router")
    if router is None:
        router = AskRouter(ctx.dataset.teams, current_season=ctx.current.season,
                           current_week=ctx.current.week)
        router.classifier()
        memo["router"] = router
    return router
