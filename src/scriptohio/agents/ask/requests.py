"""From intent + entities to the structured request an agent runs, or a question back (pure).

Home and away follow how people write games: "X at Y" / "X @ Y" / "X visits Y" puts X on the
road; "X vs Y", "X hosts Y" and a bare "X Y" put the first team at home (the neutral flag is
set only when the question says "neutral").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from scriptohio.agents.ask.entities import Calendar, Extracted
from scriptohio.agents.ask.intents import HELP_EXAMPLES, TEAM_SLOTS, Clarification
from scriptohio.agents.ask.mentions import TeamMention
from scriptohio.agents.ask.topics import TopicMatcher

__all__ = ["RequestBuilder", "distinct_teams", "home_and_away"]

_AWAY_FIRST = re.compile(
    r"^(at|@|visits|visiting|(travels?|traveling|travelling|going|goes|heads?) to|on the road at"
    r"|plays? at|playing at)( the)?$"
)
_HOME_FIRST = re.compile(r"^(hosts?|hosting|welcomes?|at home (against|vs\.?|to))( the)?$"
)
_OFFENSE = re.compile(r"^\W*'?s?\s*(offen[cs]e|offensive|run\w*|rush\w*|pass\w*|o-?line)\b")
_DEFENSE = re.compile(r"^\W*'?s?\s*(defen[cs]e|defensive|run d|secondary|front|d-?line)\b")


def distinct_teams(mentions: Sequence[TeamMention]) -> list[TeamMention]:
    """Mentions with repeats of the same team (or the same candidate set) removed.

    An ambiguous nickname one of whose teams is also named outright is that team again
    ("BYU ... can the Cougars stay perfect", "the Aggies of Texas A&M").
    """
    named = {m.team for m in mentions if m.team}
    seen: set[object] = set()
    unique = []
    for mention in mentions:
        if mention.team is None and named & set(mention.candidates):
            continue
        key = mention.team or mention.candidates
        if key not in seen:
            seen.add(key)
            unique.append(mention)
    return unique


def home_and_away(text: str, first: TeamMention, second: TeamMention) -> tuple[str, str, bool]:
    """Sides of the first and second mention, and whether the words between stated the venue."""
    between = " ".join(text[first.end : second.start].casefold().split())
    if _AWAY_FIRST.match(between):
        return "away", "home", True
    return "home", "away", bool(_HOME_FIRST.match(between))


_CONNECTOR = re.compile(r"\s+(vs\.?|v\.?|versus|at|@|against|or|and|beat|beats|over)\s+",
                        re.IGNORECASE)
_AFTER = re.compile(r"\b(after|following)\s+(the\s+)?$", re.IGNORECASE)
_NAME = re.compile(r"[^\W\d_][\w'&.-]*")
#: intents about two teams, where a side that is not a team must be pointed out
_PAIRED = frozenset({"predict", "result", "matchup", "compare", "head_to_head"})


@dataclass(frozen=True)
class RequestBuilder:
    """Builds requests for a calendar; the topic matcher names lessons for ``learn``;
    ``vocabulary`` is ordinary words, never an unknown team's name."""

    calendar: Calendar
    topics: TopicMatcher
    vocabulary: frozenset[str] = frozenset()

    def build(
        self,
        intent: str,
        text: str,
        mentions: Sequence[TeamMention],
        found: Extracted,
        role: str | None,
    ) -> tuple[dict[str, Any], Clarification | None]:
        """The request for ``intent`` and, when something is ambiguous or missing, a question."""
        teams = distinct_teams(mentions)
        request: dict[str, Any] = {"agent": intent}
        if intent == "help":
            request["examples"] = list(HELP_EXAMPLES)
            return request, None
        if intent == "learn":
            topic = self.topics.match(text)
            request.update(concept=topic.concept, lesson=topic.lesson)
            if topic.concept is None and topic.lesson is None:
                request["path"] = role or "casual"
            return request, None
        if intent == "result" and not teams and found.occasion is None:
            intent = "games"  # "who won last week": the slate with its results
            request["agent"] = intent
        if (intent in ("result", "team_profile") and len(teams) == 1
                and found.split in ("home", "road", "neutral")):
            intent = "record"  # "how did Texas A&M do at home": its record in those games
            request["agent"] = intent
        request["season"] = found.season or self.calendar.current_season
        request["season_stated"] = found.season is not None
        if found.week is not None:
            request["week"] = found.week
        if found.season_type:
            request["season_type"] = found.season_type
        if found.metrics:
            request["metric"] = found.metrics[0]
            request["metrics"] = list(found.metrics)
        if intent in ("predict", "result") and len(teams) == 2:
            after = [m for m in teams if _AFTER.search(text[: m.start])]
            if len(after) == 1:  # "who does Penn State play after Ohio State"
                request["after"] = after[0].team
                teams = [m for m in teams if m is not after[0]]
        if intent in ("predict", "result", "matchup"):
            self._game(request, text, teams, found)
        elif intent == "compare":
            request["teams"] = [m.team for m in teams[:6]]
        elif intent == "head_to_head":
            request["teams"] = [m.team for m in teams[:2]]
            if found.since is not None:
                request["since"] = found.since
        elif intent in ("team_profile", "record", "streak", "schedule"):
            request["team"] = teams[0].team if teams else None
            if found.before_week is not None:
                request["before_week"] = found.before_week
            for key in ("last_games", "split", "month", "occasion", "since"):
                if getattr(found, key) is not None:
                    request[key] = getattr(found, key)
        elif intent == "projection":
            request["team"] = teams[0].team if teams else None
            if found.conference is not None:
                request["conference"] = found.conference
        elif intent in ("leaders", "rankings") and found.worst:
            request["worst"] = True
        if intent == "leaders":
            for key in ("conference", "limit"):
                if getattr(found, key) is not None:
                    request[key] = getattr(found, key)
            request["worst"] = found.worst
        if intent == "rankings":
            self._rankings(request, teams, found)
        elif intent == "games":
            # No week named: the current one, unless the question is about bowls or another
            # season, where the current week means nothing.
            if (
                "week" not in request
                and self.calendar.current_week is not None
                and request["season"] == self.calendar.current_season
                and "season_type" not in request
            ):
                request["week"] = self.calendar.current_week
            if len(teams) == 1:
                request["team"] = teams[0].team
            for key in ("conference", "occasion", "playoff_round", "tense", "named_bowl"):
                if getattr(found, key) is not None:
                    request[key] = getattr(found, key)
        unknown = self._unknown_side(text, teams) if intent in _PAIRED else None
        if unknown is not None:
            return request, Clarification(
                f"I don't know a team called {unknown!r}; which team do you mean?", (), "team")
        return request, self._clarify(intent, teams, found.occasion)

    def _unknown_side(self, text: str, teams: list[TeamMention]) -> str | None:
        """A word joined to the one named team by "vs", "at", "or"... that is no team
        ("Hogwarts vs Ohio State"), so the answer does not drop it silently."""
        if len(teams) != 1:
            return None
        team = teams[0]
        before = text[: team.start]
        after = text[team.end :]
        joined = _CONNECTOR.match(after)
        if joined:
            word = _NAME.match(after[joined.end() :])
        else:
            joined = re.search(_CONNECTOR.pattern + r"$", before, re.IGNORECASE)
            word = None
            if joined:
                words = _NAME.findall(before[: joined.start()])
                word = re.match(r".*", words[-1]) if words else None
        if word is None:
            return None
        name = word.group(0).strip(".'")
        if len(name) < 3 or name.casefold() in self.vocabulary:
            return None
        return name

    @staticmethod
    def _game(
        request: dict[str, Any], text: str, teams: list[TeamMention], found: Extracted
    ) -> None:
        if len(teams) >= 2:
            first, second = teams[0], teams[1]
            first_side, second_side, stated = home_and_away(text, first, second)
            request[first_side], request[second_side] = first.team, second.team
            # "X at Y" states the venue; "X vs Y" only suggests it, so the agent may swap the
            # teams to match a scheduled game.
            request["venue"] = "stated" if stated else "assumed"
            if request["agent"] == "matchup":
                for mention in (first, second):
                    after = text[mention.end : mention.end + 20].casefold()
                    if _OFFENSE.match(after):
                        request["offense"] = mention.team
                    elif _DEFENSE.match(after):
                        request["defense"] = mention.team
        else:
            request["home"] = teams[0].team if teams else None
            request["away"] = None
        request["teams"] = [m.team for m in teams[:2]]
        for key in ("occasion", "conference", "tense", "named_bowl", "playoff_round", "since"):
            if getattr(found, key) is not None:
                request[key] = getattr(found, key)
        if found.neutral:
            request["neutral"] = True

    @staticmethod
    def _rankings(request: dict[str, Any], teams: list[TeamMention], found: Extracted) -> None:
        for key in ("method", "conference", "limit"):
            value = getattr(found, key)
            if value is not None:
                request[key] = value
        if len(teams) == 1 and teams[0].team:
            request["team"] = teams[0].team

    @staticmethod
    def _clarify(intent: str, teams: list[TeamMention], occasion: str | None
                 ) -> Clarification | None:
        for mention in teams:
            if mention.team is None:
                return Clarification(
                    f"Which team do you mean by {mention.surface!r}?",
                    mention.candidates,
                    "team",
                )
        needed = TEAM_SLOTS.get(intent, 0)
        if len(teams) >= needed or (intent in ("predict", "result") and occasion):
            return None
        if needed == 2 and teams:
            other = "Ohio State" if teams[0].team == "Michigan" else "Michigan"
            return Clarification(
                f"Which opponent of {teams[0].team}? Name both teams, e.g. "
                f"'{teams[0].team} vs {other}'.",
                (),
                "opponent",
            )
        if needed == 2 or intent == "predict":
            return Clarification("Which two teams? e.g. 'Michigan at Ohio State'.", (), "teams")
        return Clarification("Which team? e.g. 'how good is Oregon this year'.", (), "team")
