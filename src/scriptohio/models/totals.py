"""Total points: pregame scoring-level features, a ridge model, walk-forward against the market.

The margin features are home-minus-away differences, which say nothing about how many points a
game will have; totals need levels. :func:`scoring_features` gives every game each side's
running points scored and allowed (a recency-weighted mean over its earlier games, shrunk toward
the league's running mean, carried across seasons with less weight) computed week by week: a
game's features come only from weeks before its own, so its result never informs them.

:func:`walk_forward` fits on every season before a test season and scores that season, on
FBS-vs-FBS games with a score and a market total (``over_under``): MAE of our total and of the
market's, and the share of games where the actual total fell on our side of the line.

:class:`TotalsModel` is the same model fitted on every scored game since ``first_season``,
for the product: a game's predicted total beside the market total (the predict answers).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from scriptohio.data.dataset import Dataset

__all__ = ["TOTAL_FEATURES", "TotalsModel", "scoring_features", "walk_forward"]

TOTAL_FEATURES = ("home_pf", "home_pa", "away_pf", "away_pa", "home_expected",
                  "away_expected", "league_team_points", "neutral", "postseason",
                  "min_weight")
#: a team's mean counts at most this many recent games (older ones fade)
MAX_WEIGHT = 10.0
#: pseudo-games of the league mean a team's mean is shrunk toward
PRIOR_GAMES = 2.0
#: weight a team carries into a new season
CARRY_WEIGHT = 3.0
LEAGUE_ALPHA = 0.01
FIRST_SEASON = 2014


def scoring_features(dataset: Dataset) -> np.ndarray:
    """``(games, len(TOTAL_FEATURES))`` pregame features, in ``dataset.games`` row order."""
    c = dataset.games.cols
    n = len(c["game_id"])
    out = np.full((n, len(TOTAL_FEATURES)), np.nan)
    kickoff = c["kickoff"]
    group_key = list(zip(c["season"].tolist(), (c["season_type"] == "postseason").tolist(),
                         c["week"].tolist(), strict=True))
    groups: dict[tuple[int, bool, int], list[int]] = {}
    for i, key in enumerate(group_key):
        groups.setdefault(key, []).append(i)
    order = sorted(groups, key=lambda k: float(np.min(kickoff[groups[k]])))
    pf: dict[str, float] = {}
    pa: dict[str, float] = {}
    weight: dict[str, float] = {}
    season_of: dict[str, int] = {}
    league = 27.0
    home_t, away_t = c["home_team"].tolist(), c["away_team"].tolist()
    hp, ap = c["home_points"], c["away_points"]
    neutral = np.nan_to_num(c["neutral_site"].astype(float), nan=0.0)
    for key in order:
        season, post, _ = key
        rows = groups[key]
        for team in {t for i in rows for t in (home_t[i], away_t[i])}:
            if season_of.get(team, season) != season:
                weight[team] = min(weight.get(team, 0.0), CARRY_WEIGHT)
            season_of[team] = season

        def level(team: str, table: dict[str, float], league: float) -> tuple[float, float]:
            w = weight.get(team, 0.0)
            mean = table.get(team, league)
            return (mean * w + league * PRIOR_GAMES) / (w + PRIOR_GAMES), w

        for i in rows:
            h_pf, wh = level(home_t[i], pf, league)
            h_pa, _ = level(home_t[i], pa, league)
            a_pf, wa = level(away_t[i], pf, league)
            a_pa, _ = level(away_t[i], pa, league)
            out[i] = (h_pf, h_pa, a_pf, a_pa, (h_pf + a_pa) / 2, (a_pf + h_pa) / 2, league,
                      neutral[i], float(post), min(wh, wa))
        for i in rows:  # then this week's results join the state
            if np.isnan(hp[i]) or np.isnan(ap[i]):
                continue
            for team, scored, allowed in ((home_t[i], hp[i], ap[i]),
                                          (away_t[i], ap[i], hp[i])):
                w = min(weight.get(team, 0.0) + 1.0, MAX_WEIGHT)
                pf[team] = pf.get(team, league) + (float(scored) - pf.get(team, league)) / w
                pa[team] = pa.get(team, league) + (float(allowed) - pa.get(team, league)) / w
                weight[team] = w
                league += LEAGUE_ALPHA * ((float(scored) + float(allowed)) / 2 - league)
    return out


def walk_forward(dataset: Dataset, test: Sequence[int] = (2024, 2025), *,
                 first_season: int = FIRST_SEASON, alpha: float = 1.0) -> dict[str, object]:
    """Per test season: our total vs the market total on the same games."""
    c = dataset.games.cols
    x = scoring_features(dataset)
    total = c["home_points"] + c["away_points"]
    usable = ~np.isnan(total) & np.isfinite(x).all(axis=1)
    fbs = (c["home_division"] == "fbs") & (c["away_division"] == "fbs")
    out: dict[str, object] = {}
    for season in test:
        train = usable & (c["season"] >= first_season) & (c["season"] < season)
        rows = usable & fbs & (c["season"] == season) & ~np.isnan(c["over_under"])
        model = make_pipeline(StandardScaler(), Ridge(alpha=alpha))
        model.fit(x[train], total[train])
        ours = model.predict(x[rows])
        line, actual = c["over_under"][rows], total[rows]
        decided = (ours != line) & (actual != line)
        right = np.sign(ours - line) == np.sign(actual - line)
        out[str(season)] = {
            "n": int(rows.sum()), "train_games": int(train.sum()),
            "mae_ours": float(np.mean(np.abs(ours - actual))),
            "mae_market": float(np.mean(np.abs(line - actual))),
            "bias_ours": float(np.mean(ours - actual)),
            "right_side_share": float(np.mean(right[decided])) if decided.any() else None,
            "right_side_n": int(decided.sum()),
        }
    return out


@dataclass(frozen=True, eq=False)
class TotalsModel:
    """Total points for every game of one data version (its pregame features, one fit)."""

    predicted: np.ndarray  # per game row; NaN without pregame features
    trained: np.ndarray  # bool per game row: its result was a training target
    model: Any

    @classmethod
    def fit(cls, dataset: Dataset, *, first_season: int = FIRST_SEASON,
            alpha: float = 1.0) -> TotalsModel:
        c = dataset.games.cols
        x = scoring_features(dataset)
        total = c["home_points"] + c["away_points"]
        trained = ~np.isnan(total) & np.isfinite(x).all(axis=1) & (c["season"] >= first_season)
        model = make_pipeline(StandardScaler(), Ridge(alpha=alpha))
        model.fit(x[trained], total[trained])
        usable = np.isfinite(x).all(axis=1)
        predicted = np.full(len(x), np.nan)
        predicted[usable] = model.predict(x[usable])  # every game at once: answers read one
        return cls(predicted, trained, model)

    def predict(self, row: int) -> float | None:
        """The predicted total of the game in ``row``, or None without pregame features."""
        value = float(self.predicted[row])
        return None if np.isnan(value) else value

    def trained_on(self, row: int) -> bool:
        return bool(self.trained[row])

