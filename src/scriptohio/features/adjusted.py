"""Opponent-adjusted efficiency: ridge regression on offence and defence indicators.

For every team-game row ``y = mu + off[team] + def[opponent]``; the penalty pulls each
team's terms toward a prior (last season's, shrunk) so early-season values are sensible.
All statistics share one design matrix, so they are solved together (multiple right sides).
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import cho_factor, cho_solve


def solve_adjusted(
    off_idx: np.ndarray,
    def_idx: np.ndarray,
    values: np.ndarray,
    prior_off: np.ndarray,
    prior_def: np.ndarray,
    prior_mean: np.ndarray,
    weight: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (mean, off, def) per statistic: shapes (S,), (T, S), (T, S).

    ``values`` is (rows, S) without NaN; ``prior_*`` are (T, S) deviations from the mean.
    """
    n = prior_off.shape[0]
    mean = values.mean(axis=0) if len(values) else prior_mean.copy()
    resid = values - mean
    a = np.zeros((2 * n, 2 * n))
    d = def_idx + n
    np.add.at(a, (off_idx, off_idx), 1.0)
    np.add.at(a, (d, d), 1.0)
    np.add.at(a, (off_idx, d), 1.0)
    np.add.at(a, (d, off_idx), 1.0)
    a[np.arange(2 * n), np.arange(2 * n)] += weight
    b = np.zeros((2 * n, values.shape[1]))
    np.add.at(b, off_idx, resid)
    np.add.at(b, d, resid)
    b[:n] += weight * prior_off
    b[n:] += weight * prior_def
    x = cho_solve(cho_factor(a), b)  # symmetric positive definite thanks to the prior
    return mean, x[:n], x[n:]
