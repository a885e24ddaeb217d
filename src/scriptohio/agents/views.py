"""Role-based answers: the same result shaped for each kind of user.

* ``data_scientist`` — everything: per-model numbers, intervals, explanations, versions.
* ``casual`` — the key numbers plus a plain-language ``summary``.
* ``production`` — compact: only the contract's fields, rounded, nothing else.
"""

from __future__ import annotations

from typing import Any, Literal

Role = Literal["casual", "data_scientist", "production"]
ROLES: tuple[Role, ...] = ("casual", "data_scientist", "production")


def prediction_view(body: dict[str, Any], role: str) -> dict[str, Any]:
    """Shape one prediction body for ``role``."""
    if role == "data_scientist":
        return body
    pred = body["prediction"]
    iv = pred["margin_interval"]
    core = {
        "home": body["home"], "away": body["away"], "season": body["season"],
        "week": body["week"], "neutral": body["neutral"],
        "prediction": {"margin": round(pred["margin"], 1),
                       "home_win_prob": round(pred["home_win_prob"], 3),
                       "winner": pred["winner"],
                       "margin_interval": [iv["lo"], iv["hi"]]},
        "models": {"ensemble": {"margin": round(pred["margin"], 1),
                                "home_win_prob": round(pred["home_win_prob"], 3)}},
        "market": body["market"],
    }
    if role == "production":
        return core
    core["models"] = {n: {"margin": round(m["margin"], 1), "home_win_prob":
                          round(m["home_win_prob"], 3)} for n, m in body["models"].items()}
    core["summary"] = prediction_summary(body)
    if "result" in body:
        core["result"] = body["result"]
    return core


def prediction_summary(body: dict[str, Any]) -> str:
    pred = body["prediction"]
    margin = pred["margin"]
    fav, dog = (body["home"], body["away"]) if margin >= 0 else (body["away"], body["home"])
    prob = pred["home_win_prob"] if margin >= 0 else 1 - pred["home_win_prob"]
    iv = pred["margin_interval"]
    text = (f"{fav} is favoured over {dog} by {abs(margin):.1f} points and wins about "
            f"{prob * 100:.0f} times in 100. Eight times in ten the home margin lands between "
            f"{iv['lo']:+.0f} and {iv['hi']:+.0f}.")
    market = body.get("market")
    if market:
        line = -market["spread"]  # the market's expected home margin
        if line == 0:
            text += " The betting market has it a pick'em"
        else:
            pick = body["home"] if line > 0 else body["away"]
            text += f" The betting market favours {pick} by {abs(line):.1f}"
        text += f"; the model's edge on the home side is {market['edge']:+.1f} points."

    result = body.get("result")
    if result:
        text += (f" Final: {body['home']} {result['home_points']}, {body['away']} "
                 f"{result['away_points']}.")
    return text


def slate_view(body: dict[str, Any], role: str) -> dict[str, Any]:
    if role == "data_scientist":
        return body
    games = []
    for g in body["games"]:
        view = prediction_view(g, "production")
        view.pop("season"), view.pop("week")
        view["game_id"] = g["game_id"]
        view["result"] = g["result"]
        if role == "casual":
            view["kickoff"] = g["kickoff"]
            view["summary"] = prediction_summary(g)
        games.append(view)
    return {**{k: v for k, v in body.items() if k != "games"}, "games": games}


def generic_view(body: dict[str, Any], role: str) -> dict[str, Any]:
    """Insight answers: production drops prose and nested detail lists."""
    if role != "production":
        return body
    return {k: v for k, v in body.items() if k not in ("summary", "schedule", "trend")}
