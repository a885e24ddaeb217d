"""Predictions without a trained model: ``FakePredictor(features, ratings)``.

The margin is ``ratings[home] - ratings[away]`` plus ``home_field`` points unless neutral; the
win probability a logistic of it; every number is deterministic, so a test can state what it
expects. It answers everything the agents ask a :class:`~scriptohio.models.Predictor`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from statistics import NormalDist

import numpy as np

from scriptohio.agents.context import AnalyticsContext
from scriptohio.data.dataset import load_dataset
from scriptohio.features import FeatureStore
from scriptohio.models import MarginInterval, ModelOutput, Prediction, PredictionRequest
from scriptohio.models.predictor import Predictor

__all__ = ["FAKE_MODEL_VERSION", "FakePredictor", "fake_context"]

FAKE_MODEL_VERSION = "fake"
_SCALE = 7.0  # points per logit: a 7-point favourite wins about 73 times in 100


class FakePredictor(Predictor):
    """A :class:`Predictor` whose margins come from fixed ratings (see the module)."""

    def __init__(self, features: FeatureStore, ratings: Mapping[str, float] | None = None,
                 *, home_field: float = 2.5, version: str = FAKE_MODEL_VERSION) -> None:
        # no model bundle: only what the agents read is set
        self.features = features
        self.ratings = dict(ratings or {})
        self.home_field = home_field
        self.model_version = version
        self.explain_top = 3

    def margin(self, home: str, away: str, neutral: bool | None) -> float:
        field = 0.0 if neutral else self.home_field
        return self.ratings.get(home, 0.0) - self.ratings.get(away, 0.0) + field

    def predict_many(self, requests: Sequence[PredictionRequest]) -> list[Prediction]:
        store = self._store()
        games = store.dataset.games
        out = []
        for r in requests:
            row = store.scheduled_row(r.home, r.away, r.season, r.week, r.season_type)
            neutral = r.neutral
            if neutral is None and row is not None:
                scheduled = games.cols["neutral_site"][row]
                neutral = bool(scheduled) if scheduled == scheduled else None
            margin = self.margin(r.home, r.away, neutral)
            prob = 1 / (1 + math.exp(-margin / _SCALE))
            spread = None if row is None else games.cols["spread"][row]
            out.append(Prediction(
                home=r.home, away=r.away, season=r.season, week=r.week,
                season_type=r.season_type, neutral=r.neutral, margin=margin,
                home_win_prob=prob, winner=r.home if prob >= 0.5 else r.away,
                margin_interval=MarginInterval(margin - 15.0, margin + 15.0, 0.8),
                models={"fake": ModelOutput(margin, prob), "ensemble": ModelOutput(margin, prob)},
                model_version=self.model_version,
                explanation=[("rating_diff", round(margin, 3))] if r.explain else None,
                game_id=None if row is None else int(games.cols["game_id"][row]),
                market_spread=None if spread is None or spread != spread else float(spread)))
        return out

    @property
    def margin_sd(self) -> float:
        return 15.0 / NormalDist().inv_cdf(0.9)  # the ±15-point 80 % interval read as normal

    def margins_as_of(self, rows: np.ndarray, season: int, week: int | None,
                      season_type: str = "regular") -> np.ndarray:
        c = self._store().dataset.games.cols
        out = []
        for row in np.asarray(rows, dtype=int).tolist():
            flag = float(c["neutral_site"][row])
            out.append(self.margin(str(c["home_team"][row]), str(c["away_team"][row]),
                                   flag == flag and bool(flag)))
        return np.array(out, dtype=float)

    def neutral_margins(self, season: int, week: int | None, season_type: str,
                        home: list[str], away: list[str], *, postseason: bool) -> np.ndarray:
        return np.array([self.margin(h, a, True) for h, a in zip(home, away, strict=True)],
                        dtype=float)

    def trained_on(self, season: int, week: int, season_type: str = "regular") -> bool:
        return False  # it was never trained on anything


def fake_context(data_dir: Path, ratings: Mapping[str, float] | None = None
                 ) -> AnalyticsContext:
    """The analytics context of the data in ``data_dir`` with a :class:`FakePredictor`."""
    dataset = load_dataset(data_dir)
    features = FeatureStore.build(dataset)
    return AnalyticsContext(dataset, features, FakePredictor(features, ratings))
