"""Role-based answers: the same result shaped for each kind of user.

* ``data_scientist`` — everything: per-model numbers, intervals, explanations, versions.
* ``casual`` — the key numbers plus a plain-language ``summary``.
* ``production`` — compact: only the contract's fields, rounded, nothing else.
"""

from __future__ import annotations

from typing import Any, Literal

from scriptohio.agents.game_summary import game_summary

Role = Literal["casual", "data_scientist", "production"]
ROLES: tuple[Role, ...] = ("casual", "data_scientist", "production")


def prediction_view(body: dict[str, Any], role: str) -> dict[str, Any]:
    """Shape one prediction body for ``role``."""
    if role == "data_scientist":
        return {**body, "summary": game_summary(body)}
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
        "total": body.get("total"),
        "status": body.get("status"),
        "as_of": body.get("as_of"),
    }
    if role == "production":
        total = body.get("total")
        core["total"] = None if total is None else {
            k: total[k] for k in ("predicted", "market", "edge")}
        if body.get("result"):  # a played game: its score is the answer
            r = body["result"]
            core["result"] = {"home_points": r["home_points"], "away_points": r["away_points"],
                              "winner": r.get("winner")}
        return core
    core["models"] = {n: {"margin": round(m["margin"], 1), "home_win_prob":
                          round(m["home_win_prob"], 3)} for n, m in body["models"].items()}
    core["summary"] = game_summary(body)
    for key in ("result", "game", "meetings", "note"):
        if body.get(key) is not None:
            core[key] = body[key]
    return core


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
            view["summary"] = game_summary(g)
        games.append(view)
    dropped = ("games", "summary") if role == "production" else ("games",)
    return {**{k: v for k, v in body.items() if k not in dropped}, "games": games}


def generic_view(body: dict[str, Any], role: str) -> dict[str, Any]:
    """Insight answers: production drops prose and nested detail lists."""
    if role != "production":
        return body
    return {k: v for k, v in body.items() if k not in ("summary", "schedule", "trend")}
