"""What the resource routers share: the documented error responses, the context and the
team names of a request."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from pydantic import BaseModel

from scriptohio.agents.context import AnalyticsContext


class Problem(BaseModel):
    """RFC 9457 problem details (``application/problem+json``)."""

    type: str
    title: str
    status: int
    detail: str
    suggestions: list[str] | None = None
    candidates: list[str] | None = None
    valid_range: list[int] | None = None


def _problem(description: str) -> dict[str, Any]:
    return {"model": Problem, "description": description,
            "content": {"application/problem+json": {}}}


ERRORS: dict[int | str, dict[str, Any]] = {
    400: _problem("Bad request (e.g. an invalid X-Role header)"),
    401: _problem("Missing or invalid API key (key mode)"),
    403: _problem("The caller's role may not do this (e.g. ingest results without admin)"),
    404: _problem("Unknown team (with suggestions), game, lesson or job; a week the season "
                  "does not have (with its weeks)"),
    409: _problem("Ambiguous team name (with candidates)"),
    422: _problem("Invalid or out-of-range parameter (names the valid range)"),
    429: _problem("Rate limited (Retry-After, RateLimit-* headers)"),
    503: _problem("Overloaded, still loading, or a dependency's circuit is open (Retry-After)"),
}


#: names each typo a request's team names were read from: ``michgan=Michigan&pen%20state=...``
CORRECTIONS_HEADER = "X-Team-Corrections"


def require_teams(ctx: AnalyticsContext, *names: str) -> tuple[list[str], dict[str, str]]:
    """The canonical team of each name (404 unknown, 409 ambiguous, through
    ``ctx.require_team``) and the response headers that say which typos were corrected.

    The headers are ``{}`` unless a name was a typo; then ``X-Team-Corrections`` maps each
    corrected name to its team, URL-encoded (``urllib.parse.parse_qsl`` reads it back). The
    answer's body and cache key use the canonical names only.
    """
    teams = [ctx.require_team(name) for name in names]
    resolver = ctx.dataset.teams
    corrected = [(name, team) for name, team in zip(names, teams, strict=True)
                 if team != name and resolver.resolve(name).corrected]
    if not corrected:
        return teams, {}
    return teams, {CORRECTIONS_HEADER: urlencode(corrected, quote_via=quote)}
