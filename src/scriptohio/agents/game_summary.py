"""What a fan is told about one game, in sentences built from the answer's numbers (pure).

A played game leads with its result (winner, score, where, when, occasion), then the line and
who covered, then what the model said from the data before kickoff. A scheduled game leads with
when and where it is played, then the market's line and the model's number against it. A
hypothetical game says first that no such game is scheduled. Other meetings of the two teams
in the season follow.
"""

from __future__ import annotations

from typing import Any

from scriptohio.agents.prose import chance, line, points, score, venue, when

__all__ = ["game_summary", "meeting_sentence"]


def _where(body: dict[str, Any], subject: str) -> str:
    """`` at Ohio State`` / `` on a neutral field`` / ``""`` (site unknown)."""
    kind = body.get("occasion_kind") or (body.get("game") or {}).get("occasion_kind")
    often = body.get("season_type") == "postseason" or kind == "conference_championship"
    where = venue(body["home"], body.get("neutral"), often, subject)
    return f" {where}" if where else ""


def _model_sentence(body: dict[str, Any], *, before: bool) -> str:
    pred = body["prediction"]
    margin = pred["margin"]
    prob = pred["home_win_prob"]
    team = body["home"] if margin >= 0 else body["away"]
    p = prob if margin >= 0 else 1 - prob
    lead = "Before kickoff the model had" if before else "The model has"
    text = f"{lead} {team} by {points(margin)} ({chance(p)})"
    market = body.get("market")
    against_market = not before and body.get("status") == "scheduled"
    if against_market and market and market.get("spread") is not None:
        edge = market["edge"]
        if abs(edge) < 0.05:
            text += ", the same as the market"
        else:
            side = body["home"] if edge > 0 else body["away"]
            text += f", {points(edge)} points more on {side} than the market"
    return text + "."


def _line_sentence(body: dict[str, Any], *, played: bool) -> str:
    market = body.get("market") or {}
    if market.get("spread") is None:
        return "There was no market line." if played else "There is no market line yet."
    favourite = market.get("favourite")
    if favourite is None:
        text = "The market had it a pick'em" if played else "The market has it a pick'em"
    else:
        verb = "were favoured" if played else "are favoured"
        text = f"{favourite} {verb} by {line(market['line'])}"
    if market.get("total") is not None:
        text += f" with a total of {line(market['total'])}"
    covered = market.get("covered")
    if played and covered:
        text += "; the line was a push" if covered == "push" else f"; {covered} covered"
    return text + "."


def _total_sentence(body: dict[str, Any]) -> str:
    """``"It expects about 55 points in all, 2.5 over the market's total."`` (or ``""``)."""
    total = body.get("total") or {}
    if total.get("predicted") is None:
        return ""
    text = f"It expects about {round(total['predicted'])} points in all"
    edge = total.get("edge")
    if edge is not None:
        text += (", the market's total" if total.get("lean") is None
                 else f", {line(abs(edge))} {total['lean']} the market's total")
    return text + "."


def meeting_sentence(m: dict[str, Any]) -> str:
    """One other meeting: ``"week 5 of 2025: Alabama won 24-21 at Georgia"``."""
    date = when(m["season"], m["week"], m["season_type"], m["date"])
    occasion = f", {m['occasion']}" if m.get("occasion") else ""
    if m["status"] == "no score":
        return f"{date}{occasion}: {m['away']} at {m['home']}, score unknown"
    if m["status"] == "final":
        hp, ap = m["home_points"], m["away_points"]
        winner = m["home"] if hp > ap else m["away"]
        return f"{date}{occasion}: {winner} won {score(hp, ap)}{_where(m, winner)}"
    where = _where(m, m["away"]) or " at a site the data does not give"
    return f"{date}{occasion}: {m['away']} vs {m['home']}{where}"


def game_summary(body: dict[str, Any]) -> str:
    """The casual summary of a prediction body decorated with the game's facts."""
    status = body.get("status")
    game = body.get("game") or {}
    home, away = body["home"], body["away"]
    occasion = f", {game['occasion']}" if game.get("occasion") else ""
    date = when(body["season"], body["week"], body["season_type"], game.get("date"))
    parts: list[str]
    if status == "final":
        r = body["result"]
        hp, ap = r["home_points"], r["away_points"]
        if r["winner"] is None:
            parts = [f"{home} and {away} tied {hp}-{ap} in {date}{occasion}."]
        else:
            loser = away if r["winner"] == home else home
            parts = [f"{r['winner']} beat {loser} {score(hp, ap)}{_where(body, r['winner'])} "
                     f"in {date}{occasion}."]
        parts.append(_line_sentence(body, played=True))
        model = _model_sentence(body, before=True)
        if r.get("model_trained_on_it"):
            model = model[:-1] + " (it has since learned from this game's result)."
        parts.append(model)
    elif status == "scheduled":
        meet = (f"{home} and {away} meet on a neutral field" if body["neutral"]
                else f"{away} play {home}" if not _where(body, away)
                else f"{away} play at {home}")
        parts = [f"{meet} in {date}{occasion}; not played yet."]
        parts.append(_line_sentence(body, played=False))
        parts.append(_model_sentence(body, before=False))
        parts.append(_total_sentence(body))
    elif status == "no score":
        parts = [f"{away} played {home}{_where(body, away)} in {date}{occasion}, but the data "
                 "has no score for that game.", _model_sentence(body, before=True)]
    else:
        parts = [body.get("note") or f"No game is scheduled between {home} and {away}.",
                 _model_sentence(body, before=False)]
    others = body.get("meetings") or []
    earlier = [m for m in others if m["status"] != "scheduled"]
    later = [m for m in others if m["status"] == "scheduled"]
    if earlier:
        parts.append("They also met in " + "; ".join(meeting_sentence(m) for m in earlier) + ".")
    if later:
        parts.append("They meet again in " + "; ".join(meeting_sentence(m) for m in later)
                     + ".")
    elif status == "final" and game.get("current_season"):
        parts.append("They do not meet again this season.")
    return " ".join(p for p in parts if p)
