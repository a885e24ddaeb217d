"""Scoring rules for margin and probability forecasts (pure functions)."""

from __future__ import annotations

import numpy as np

EPS = 1e-12


def score(margin_pred: np.ndarray, prob_pred: np.ndarray, margin: np.ndarray) -> dict[str, float]:
    """MAE, RMSE, winner accuracy (ties excluded), Brier score and log loss, and n."""
    err = margin_pred - margin
    decided = margin != 0
    won = (margin[decided] > 0).astype(float)
    p = np.clip(prob_pred[decided], EPS, 1 - EPS)
    n = len(margin)
    if n == 0:
        return {"n": 0}
    return {
        "n": int(n),
        "mae": float(np.mean(np.abs(err))),
        "rmse": float(np.sqrt(np.mean(err**2))),
        "winner_acc": float(np.mean((margin_pred[decided] > 0) == (won > 0))),
        "brier": float(np.mean((p - won) ** 2)),
        "log_loss": float(-np.mean(won * np.log(p) + (1 - won) * np.log(1 - p))),
    }


def reliability(prob_pred: np.ndarray, won: np.ndarray, bins: int = 10
                ) -> list[tuple[float, float, int]]:
    """(mean predicted, observed frequency, count) per probability bin with data."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(prob_pred, edges) - 1, 0, bins - 1)
    out = []
    for b in range(bins):
        sel = which == b
        if sel.any():
            out.append((float(prob_pred[sel].mean()), float(won[sel].mean()), int(sel.sum())))
    return out


def week_bucket(season_type: str, week: int) -> str:
    """The evaluation's week bucket: 1-4, 5-9, 10+ or postseason (week 0 counts as 1-4)."""
    if season_type == "postseason":
        return "postseason"
    if week <= 4:
        return "1-4"
    return "5-9" if week <= 9 else "10+"
