"""How the picks did over a season, summed up from the week slates' cached answers: winner
accuracy, margin error against the market's, the lean against the line, the Brier score, error
by part of the season and a calibration table. Pure functions over answer dicts (no I/O).

The slates' predictions for played games are what the served model says from the data before
kickoff; a game the model was trained on (``result.model_trained_on_it``) is in-sample, and
the page says how many are.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["BUCKETS", "Tally", "evaluate"]

#: parts of a season: (label, first week, last week) of the regular season; bowls apart
BUCKETS: tuple[tuple[str, int, int], ...] = (
    ("weeks 0-4", 0, 4), ("weeks 5-8", 5, 8), ("weeks 9-12", 9, 12), ("weeks 13+", 13, 99))
CALIBRATION_BINS = 10


@dataclass
class Tally:
    """Running sums over played games."""

    games: int = 0
    right: int = 0
    abs_error: float = 0.0
    market_games: int = 0
    market_abs_error: float = 0.0
    model_abs_error_with_market: float = 0.0
    leans: int = 0
    leans_right: int = 0
    brier: float = 0.0
    in_sample: int = 0

    def add(self, game: Mapping[str, Any]) -> None:
        result, prediction = game["result"], game["prediction"]
        market = game.get("market") or {}
        margin, actual = float(prediction["margin"]), float(result["margin"])
        prob = float(prediction["home_win_prob"])
        self.games += 1
        self.right += bool(result.get("correct_winner"))
        self.abs_error += abs(margin - actual)
        self.brier += (prob - (1.0 if actual > 0 else 0.0)) ** 2
        self.in_sample += bool(result.get("model_trained_on_it"))
        if market.get("spread") is not None:
            self.market_games += 1
            self.market_abs_error += abs(-float(market["spread"]) - actual)
            self.model_abs_error_with_market += abs(margin - actual)
            covered, edge = market.get("covered"), market.get("edge")
            if covered and covered != "push" and edge:
                self.leans += 1
                self.leans_right += covered == (game["home"] if edge > 0 else game["away"])

    def as_row(self) -> dict[str, float | int | None]:
        def ratio(a: float, b: int) -> float | None:
            return a / b if b else None

        return {"games": self.games, "accuracy": ratio(self.right, self.games),
                "mae": ratio(self.abs_error, self.games),
                "market_mae": ratio(self.market_abs_error, self.market_games),
                "mae_with_market": ratio(self.model_abs_error_with_market, self.market_games),
                "against_line": ratio(self.leans_right, self.leans), "leans": self.leans,
                "brier": ratio(self.brier, self.games), "in_sample": self.in_sample}


@dataclass
class Evaluation:
    overall: dict[str, Any]
    buckets: list[tuple[str, dict[str, Any]]]
    calibration: list[dict[str, Any]] = field(default_factory=list)


def _bucket(week: int, season_type: str) -> str:
    if season_type != "regular":
        return "postseason"
    return next(label for label, lo, hi in BUCKETS if lo <= week <= hi)


def evaluate(slates: Iterable[Mapping[str, Any]]) -> Evaluation:
    """The season's figures from its week slates (``/v1/games`` answers)."""
    overall = Tally()
    parts: dict[str, Tally] = {}
    bins: list[list[tuple[float, float]]] = [[] for _ in range(CALIBRATION_BINS)]
    for slate in slates:
        label = _bucket(int(slate["week"]), str(slate["season_type"]))
        for game in slate["games"]:
            if not game.get("result") or not game.get("prediction"):
                continue
            overall.add(game)
            parts.setdefault(label, Tally()).add(game)
            prob = float(game["prediction"]["home_win_prob"])
            won = 1.0 if float(game["result"]["margin"]) > 0 else 0.0
            bins[min(int(prob * CALIBRATION_BINS), CALIBRATION_BINS - 1)].append((prob, won))
    order = [label for label, _, _ in BUCKETS] + ["postseason"]
    return Evaluation(overall.as_row(),
                      [(label, parts[label].as_row()) for label in order if label in parts],
                      _calibration(bins))


def _calibration(bins: Sequence[list[tuple[float, float]]]) -> list[dict[str, Any]]:
    out = []
    for i, found in enumerate(bins):
        if found:
            out.append({"lo": i / CALIBRATION_BINS, "hi": (i + 1) / CALIBRATION_BINS,
                        "games": len(found),
                        "predicted": sum(p for p, _ in found) / len(found),
                        "observed": sum(w for _, w in found) / len(found)})
    return out
