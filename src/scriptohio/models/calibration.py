"""Margin -> win probability mapping (Platt scaling), fitted on held-out predictions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression


@dataclass(frozen=True, slots=True)
class PlattScaler:
    """``p = 1 / (1 + exp(-(slope * margin + intercept)))``."""

    slope: float = 0.06
    intercept: float = 0.0

    @staticmethod
    def fit(margin: np.ndarray, home_won: np.ndarray) -> PlattScaler:
        lr = LogisticRegression(C=1e4).fit(margin.reshape(-1, 1), home_won.astype(int))
        return PlattScaler(float(lr.coef_[0, 0]), float(lr.intercept_[0]))

    def prob(self, margin: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(self.slope * margin + self.intercept)))


def logit(p: np.ndarray) -> np.ndarray:
    q = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(q / (1 - q))


@dataclass(frozen=True, slots=True)
class ResidualInterval:
    """A central margin interval from the quantiles of held-out residuals."""

    lo: float
    hi: float
    level: float

    @staticmethod
    def fit(residuals: np.ndarray, level: float) -> ResidualInterval:
        tail = (1.0 - level) / 2.0
        lo, hi = np.quantile(residuals, [tail, 1.0 - tail])
        return ResidualInterval(float(lo), float(hi), level)
