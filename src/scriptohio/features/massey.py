"""Least-squares margin ratings (SRS / Massey) with a prior, solved in closed form.

Minimises ``sum_g (m_g - (r_h - r_a + h * hf_g))^2 + w * sum_t (r_t - p_t)^2
+ w_h * (h - p_h)^2`` where margins ``m_g`` are capped against blowouts. The prior makes the
system well-posed from week one (no games yet: the ratings equal the prior).
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import cho_factor, cho_solve

from scriptohio.features.config import RatingConfig


def solve_ratings(
    home_idx: np.ndarray,
    away_idx: np.ndarray,
    margins: np.ndarray,
    home_field: np.ndarray,
    prior: np.ndarray,
    cfg: RatingConfig,
) -> tuple[np.ndarray, float]:
    """Ratings per team index and the fitted home-field points."""
    n = len(prior)
    a = np.zeros((n + 1, n + 1))
    b = np.zeros(n + 1)
    m = np.clip(margins, -cfg.margin_cap, cfg.margin_cap)
    # Normal equations built by scatter-adds: each game row is e_h - e_a + hf * e_H.
    np.add.at(a, (home_idx, home_idx), 1.0)
    np.add.at(a, (away_idx, away_idx), 1.0)
    np.add.at(a, (home_idx, away_idx), -1.0)
    np.add.at(a, (away_idx, home_idx), -1.0)
    col = np.zeros(n)
    np.add.at(col, home_idx, home_field)
    np.add.at(col, away_idx, -home_field)
    a[:n, n] += col
    a[n, :n] += col
    a[n, n] += float(np.sum(home_field**2))
    np.add.at(b, home_idx, m)
    np.add.at(b, away_idx, -m)
    b[n] += float(np.sum(home_field * m))
    a[np.arange(n), np.arange(n)] += cfg.prior_weight
    b[:n] += cfg.prior_weight * prior
    a[n, n] += cfg.home_field_weight
    b[n] += cfg.home_field_weight * cfg.home_field_prior
    x = cho_solve(cho_factor(a), b)  # symmetric positive definite thanks to the prior
    return x[:n], float(x[n])
