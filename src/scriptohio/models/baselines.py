"""Reference forecasters for the evaluation: Elo alone and the betting market's closing line.

Both are fitted on the training seasons only: Elo's points-per-Elo and home term by least
squares, both probability maps by logistic regression.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LinearRegression, LogisticRegression

from scriptohio.features import FEATURE_NAMES

ELO_COLUMNS = (FEATURE_NAMES.index("elo_diff"), FEATURE_NAMES.index("home_field"))


@dataclass(eq=False)
class EloBaseline:
    """Margin and win probability from the Elo difference and home field only."""

    margin_model: LinearRegression
    prob_model: LogisticRegression

    @staticmethod
    def fit(x: np.ndarray, y: np.ndarray) -> EloBaseline:
        z = x[:, ELO_COLUMNS]
        decided = y != 0
        return EloBaseline(LinearRegression().fit(z, y),
                           LogisticRegression(C=1e4).fit(z[decided], y[decided] > 0))

    def predict(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        z = x[:, ELO_COLUMNS]
        return self.margin_model.predict(z), self.prob_model.predict_proba(z)[:, 1]


@dataclass(eq=False)
class MarketBaseline:
    """The closing spread as a margin forecast (``-spread``) and its logistic win map."""

    prob_model: LogisticRegression

    @staticmethod
    def fit(spread: np.ndarray, y: np.ndarray) -> MarketBaseline:
        ok = ~np.isnan(spread) & (y != 0)
        return MarketBaseline(LogisticRegression(C=1e4).fit(-spread[ok].reshape(-1, 1),
                                                            y[ok] > 0))

    def predict(self, spread: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return -spread, self.prob_model.predict_proba(-spread.reshape(-1, 1))[:, 1]
