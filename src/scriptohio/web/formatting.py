"""How numbers and names read on a page: pure functions, registered as Jinja2 filters.

Spreads follow the data's convention (negative = home team favoured); the market's ``edge`` is
the model's home margin minus the market's, so a positive edge leans to the home team.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

__all__ = ["FILTERS", "GLOBALS", "game_url", "pick_outcome", "quote_path", "team_url"]


def quote_path(name: str) -> str:
    """A team name as one URL path segment (``Texas A&M`` → ``Texas%20A%26M``)."""
    return quote(name, safe="")


def team_url(team: str, season: int | None = None) -> str:
    base = f"/app/teams/{quote_path(team)}"
    return f"{base}?season={season}" if season is not None else base


def game_url(home: str, away: str, season: int | None = None, week: int | None = None,
             season_type: str | None = None) -> str:
    query: dict[str, Any] = {"home": home, "away": away}
    if season is not None:
        query["season"] = season
    if week is not None:
        query["week"] = week
    if season_type and season_type != "regular":
        query["season_type"] = season_type
    return "/app/game?" + urlencode(query)


def matchup_url(home: str, away: str, season: int | None = None) -> str:
    query: dict[str, Any] = {"home": home, "away": away}
    if season is not None:
        query["season"] = season
    return "/app/matchup?" + urlencode(query)


def signed(value: float | None, digits: int = 1) -> str:
    """``+3.5`` / ``−2.0`` (a true minus sign), ``–`` when unknown."""
    if value is None:
        return "–"
    text = f"{abs(value):.{digits}f}"
    if round(value, digits) == 0:
        return text
    return ("+" if value > 0 else "−") + text


def number(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "–"
    return f"{value:.{digits}f}".replace("-", "−")


def percent(prob: float | None, digits: int = 0) -> str:
    if prob is None:
        return "–"
    return f"{100 * prob:.{digits}f} %"


def kickoff(value: str | None) -> str:
    """``Sat 1 Nov, 17:00 UTC`` from an ISO timestamp (the data's times are UTC)."""
    if not value:
        return "time to be announced"
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    return f"{when:%a} {when.day} {when:%b}, {when:%H:%M} UTC"


def line_text(market: Mapping[str, Any] | None) -> str:
    """``Ohio State −9.5`` (the favourite and the points they give), ``pick'em`` or ``no line``."""
    if not market or market.get("spread") is None:
        return "no line"
    if not market.get("favourite") or not market.get("line"):
        return "pick'em"
    return f"{market['favourite']} −{float(market['line']):g}"


def pick(game: Mapping[str, Any]) -> tuple[str, float]:
    """The model's pick and its win probability."""
    prediction = game["prediction"]
    prob = float(prediction["home_win_prob"])
    if prediction["winner"] == game["home"]:
        return game["home"], prob
    return game["away"], 1.0 - prob


def edge_text(game: Mapping[str, Any]) -> str:
    """``2.7 to UTEP``: how far the model is from the market, and toward whom."""
    market = game.get("market") or {}
    edge = market.get("edge")
    if edge is None:
        return "–"
    if round(float(edge), 1) == 0:
        return "none"
    side = game["home"] if edge > 0 else game["away"]
    return f"{abs(float(edge)):.1f} to {side}"


def pick_outcome(game: Mapping[str, Any]) -> dict[str, bool | None]:
    """For a played game: was the pick's winner right, and was the lean against the line?"""
    result = game.get("result") or {}
    market = game.get("market") or {}
    winner = result.get("correct_winner")
    covered, edge = market.get("covered"), market.get("edge")
    against_line: bool | None = None
    if covered and covered != "push" and edge:
        leaned = game["home"] if edge > 0 else game["away"]
        against_line = covered == leaned
    return {"winner": winner, "line": against_line}


def interval(prediction: Mapping[str, Any]) -> tuple[float, float, float]:
    """``(lo, hi, level)`` of the margin interval in either role's shape."""
    found = prediction.get("margin_interval")
    if isinstance(found, Mapping):
        return float(found["lo"]), float(found["hi"]), float(found.get("level", 0.8))
    if found:
        return float(found[0]), float(found[1]), 0.8
    return float("nan"), float("nan"), 0.8


def side_margin(margin: float, home: str, away: str) -> str:
    """``Ohio State by 11.3`` from a home margin."""
    if round(margin, 1) == 0:
        return "even"
    return f"{home if margin > 0 else away} by {abs(margin):.1f}"


FILTERS: dict[str, Callable[..., Any]] = {
    "signed": signed, "number": number, "percent": percent, "kickoff": kickoff,
    "line_text": line_text, "edge_text": edge_text, "quote_path": quote_path,
}
GLOBALS: dict[str, Callable[..., Any]] = {
    "team_url": team_url, "game_url": game_url, "matchup_url": matchup_url, "pick": pick,
    "pick_outcome": pick_outcome, "interval": interval, "side_margin": side_margin,
}
