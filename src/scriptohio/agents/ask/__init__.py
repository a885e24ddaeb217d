"""Ask router: free text -> intent + entities -> a structured request for another agent.

``AskRouter(team_resolver, current_season=..., current_week=...).route(text, role=None)``
returns a :class:`Routed` (intent, confidence, request, role, clarification, entities).
"""

from __future__ import annotations

from scriptohio.agents.ask.entities import Calendar, Extracted, extract_entities
from scriptohio.agents.ask.intents import HELP_EXAMPLES, INTENTS, Clarification, Intent, Routed
from scriptohio.agents.ask.router import (
    DEFAULT_CURRENT_SEASON,
    DEFAULT_ROUTER_CONFIG,
    AskRouter,
    RouterConfig,
    router_for,
)

__all__ = [
    "DEFAULT_CURRENT_SEASON",
    "DEFAULT_ROUTER_CONFIG",
    "HELP_EXAMPLES",
    "INTENTS",
    "AskRouter",
    "Calendar",
    "Clarification",
    "Extracted",
    "Intent",
    "Routed",
    "RouterConfig",
    "extract_entities",
    "router_for",
]
