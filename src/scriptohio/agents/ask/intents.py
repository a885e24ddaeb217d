"""What the ask router returns: the intent, the structured request and, if needed, a question back.

Intents and the agent each one is dispatched to (``request["agent"]``):

==============  ===========================================================================
predict         a game to come: ``teams`` (one or two), ``season``, optional ``week``,
                ``occasion``, ``neutral``; the real game is looked up before predicting
result          a game played: the same fields; a named ``occasion`` ("the 2024 SEC
                championship") needs no teams
team_profile    one team: ``team``, ``season``, optional ``metric`` (a unit: its numbers)
record          one team's season record: ``team``, ``season``
streak          one team's current run of wins or losses: ``team``, optional ``season``
schedule        one team's season schedule, played and to come: ``team``, ``season``
head_to_head    two teams' series: ``teams``
leaders         best / worst units: ``metric``, ``season``, ``conference``, ``worst``
rankings        ``season``, optional ``week``, ``method``, ``conference``, ``limit``, ``team``
matchup         offence vs defence of two teams: ``home``, ``away``, ``season``, ``week``
compare         two teams side by side: ``teams`` [a, b], ``season``, optional ``metric``
games           a week's slate: ``season``, optional ``week``, ``season_type``
projection      the rest of a season simulated: one ``team``'s projection (wins, playoff and
                title odds), else the season's (``conference`` narrows it); ``season``
changes         what the latest ingest moved (the change feed's newest entry)
learn           lessons: optional ``concept``, ``lesson``; else the ``path`` of a role
help            nothing understood: ``examples`` of questions that work
==============  ===========================================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["HELP_EXAMPLES", "INTENTS", "TEAM_SLOTS", "Clarification", "Intent", "Routed"]

Intent = Literal[
    "predict", "result", "team_profile", "record", "streak", "schedule", "head_to_head",
    "leaders", "rankings", "matchup", "compare", "games", "projection", "changes", "learn",
    "help"
]
INTENTS: tuple[Intent, ...] = (
    "predict", "result", "team_profile", "record", "streak", "schedule", "head_to_head",
    "leaders", "rankings", "matchup", "compare", "games", "projection", "changes", "learn",
    "help"
)
# How many distinct teams each intent needs; intents not listed need none.
TEAM_SLOTS: Mapping[str, int] = {
    "predict": 1, "matchup": 2, "compare": 2, "team_profile": 1, "record": 1, "streak": 1,
    "schedule": 1, "head_to_head": 2,
}

HELP_EXAMPLES: tuple[str, ...] = (
    "who won Michigan at Ohio State in 2024",
    "who wins Ohio State vs Michigan this year",
    "score of the 2024 SEC championship game",
    "Indiana's record in 2024",
    "how good is Oregon this year",
    "top 25 in the SEC 2024",
    "Ohio State offense vs Michigan defense",
    "compare Texas and Georgia",
    "week 5 2024 games",
    "is Notre Dame going to make the playoff",
    "what is EPA",
)


@dataclass(frozen=True)
class Clarification:
    """A question back to the user: ambiguous names or a missing entity."""

    message: str
    candidates: tuple[str, ...] = ()
    field: str = ""

    def as_json(self) -> dict[str, object]:
        """The clarification as served by ``POST /v1/ask``."""
        return {"message": self.message, "candidates": list(self.candidates), "field": self.field}


@dataclass(frozen=True)
class Routed:
    """The router's decision for one question.

    ``request`` is what the integrator dispatches (``request["agent"]`` names the agent). When
    ``clarification`` is set the request is incomplete and should not be dispatched; ask the user.
    ``alternatives`` are the runner-up intents with their scores, for debugging and UIs.
    """

    query: str
    intent: Intent
    confidence: float
    request: Mapping[str, Any]
    role: str | None = None
    clarification: Clarification | None = None
    entities: Mapping[str, Any] = field(default_factory=dict)
    alternatives: tuple[tuple[str, float], ...] = ()

    @property
    def needs_clarification(self) -> bool:
        """True when the user must answer a question before the request can run."""
        return self.clarification is not None

    def as_json(self) -> dict[str, object]:
        """The routing part of the ``POST /v1/ask`` answer (the integrator adds ``answer``)."""
        return {
            "query": self.query,
            "intent": self.intent,
            "confidence": round(self.confidence, 3),
            "request": dict(self.request),
            "role": self.role,
            "clarification": self.clarification.as_json() if self.clarification else None,
            "entities": dict(self.entities),
        }
