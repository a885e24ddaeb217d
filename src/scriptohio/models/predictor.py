"""Predictions from a model bundle and the feature store: single, batched, by game id."""

from __future__ import annotations

from collections.abc import Sequence
from statistics import NormalDist

import numpy as np

from scriptohio.errors import NotReadyError
from scriptohio.features import FeatureStore
from scriptohio.models.bundle import ENSEMBLE, ModelBundle, SuiteOutput
from scriptohio.models.prediction import (
    MarginInterval,
    ModelOutput,
    Prediction,
    PredictionRequest,
)

DEFAULT_EXPLAIN_TOP = 8


class Predictor:
    """A loaded model version bound to a feature store (swappable after an ingest)."""

    def __init__(self, bundle: ModelBundle, features: FeatureStore | None, *, version: str = "",
                 explain_top: int = DEFAULT_EXPLAIN_TOP) -> None:
        if features is not None and tuple(features.feature_names) != bundle.feature_names:
            raise ValueError("model bundle was trained on a different feature list")
        self.bundle = bundle
        self.features = features
        self.model_version = version
        self.explain_top = explain_top

    def _store(self) -> FeatureStore:
        if self.features is None:
            raise NotReadyError("features are not built yet")
        return self.features

    def predict(self, home: str, away: str, season: int, week: int | None,
                neutral: bool | None = None, season_type: str = "regular",
                explain: bool = False) -> Prediction:
        """Predict one game (home − away margin, home win probability)."""
        req = PredictionRequest(home, away, season, week, neutral, season_type, explain)
        return self.predict_many([req])[0]

    def predict_many(self, requests: Sequence[PredictionRequest]) -> list[Prediction]:
        """Predict many games in one vectorised pass through every model."""
        if not requests:
            return []
        store = self._store()
        x = store.matchup_rows([(r.home, r.away, r.season, r.week, r.neutral, r.season_type)
                                for r in requests])
        out = self.bundle.predict(x, explain=any(r.explain for r in requests))
        games = store.dataset.games
        preds = []
        for i, r in enumerate(requests):
            row = store.scheduled_row(r.home, r.away, r.season, r.week, r.season_type)
            gid = None if row is None else int(games.cols["game_id"][row])
            spread = None if row is None else games.cols["spread"][row]
            preds.append(self._prediction(out, i, r, gid, spread))
        return preds

    @property
    def margin_sd(self) -> float:
        """Standard deviation of the ensemble's held-out margin residuals (points): the
        residual interval read as a normal one."""
        iv = self.bundle.interval
        return (iv.hi - iv.lo) / (2.0 * NormalDist().inv_cdf(0.5 + iv.level / 2.0))

    def margins_as_of(self, rows: np.ndarray, season: int, week: int | None,
                      season_type: str = "regular") -> np.ndarray:
        """Ensemble home margins of scheduled games (``dataset.games`` rows) predicted from
        what was known before ``week`` (see ``FeatureStore.rows_as_of``)."""
        if not len(rows):
            return np.empty(0)
        x = self._store().rows_as_of(rows, season, week, season_type)
        return np.asarray(self.bundle.predict(x).margin, dtype=float)

    def neutral_margins(self, season: int, week: int | None, season_type: str,
                        home: list[str], away: list[str], *, postseason: bool) -> np.ndarray:
        """Ensemble margins of hypothetical neutral-site games ``home[i]`` v ``away[i]``."""
        if not home:
            return np.empty(0)
        x = self._store().neutral_rows(season, week, season_type, home, away,
                                       postseason=postseason)
        return np.asarray(self.bundle.predict(x).margin, dtype=float)

    def trained_on(self, season: int, week: int, season_type: str = "regular") -> bool:
        """True when a played game of that week was in this model's training window."""
        meta = self.bundle.meta
        first, last = meta.get("first_season"), meta.get("last_season")
        if not isinstance(first, int) or not isinstance(last, int) or not first <= season <= last:
            return False
        through = meta.get("through")
        if not isinstance(through, list) or not through:
            return True
        if season < through[0]:
            return True
        if season > through[0]:
            return False
        return through[1] is None or (season_type == "regular" and week <= through[1])

    def _prediction(self, out: SuiteOutput, i: int, r: PredictionRequest, game_id: int | None,
                    spread: float | None) -> Prediction:
        margin = float(out.margin[i])
        iv = self.bundle.interval
        models = {name: ModelOutput(float(out.margins[i, j]), float(out.probs[i, j]))
                  for j, name in enumerate(out.names)}
        models[ENSEMBLE] = ModelOutput(margin, float(out.prob[i]))
        explanation = None
        if r.explain and out.contributions is not None:
            row = out.contributions[i]
            top = np.argsort(-np.abs(row))[: self.explain_top]
            explanation = [(self.bundle.feature_names[j], round(float(row[j]), 3)) for j in top]
        prob = float(out.prob[i])
        return Prediction(
            home=r.home, away=r.away, season=r.season, week=r.week, season_type=r.season_type,
            neutral=r.neutral, margin=margin, home_win_prob=prob,
            winner=r.home if prob >= 0.5 else r.away,
            margin_interval=MarginInterval(margin + iv.lo, margin + iv.hi, iv.level),
            models=models, model_version=self.model_version, explanation=explanation,
            game_id=game_id,
            market_spread=None if spread is None or spread != spread else float(spread),
        )
