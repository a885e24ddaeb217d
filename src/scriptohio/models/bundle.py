"""A fitted model suite: base models, ensemble weights, calibration, margin interval.

:func:`fit_bundle` learns the ensemble honestly: the base models are first fitted on every
training season but the last (the *validation* season), which they then predict; ensemble
weights (non-negative least squares), the probability calibration of each model and the
residual interval come from those held-out predictions. Finally every base model is refitted
on all training seasons.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import nnls

from scriptohio.models.calibration import PlattScaler, ResidualInterval
from scriptohio.models.config import ModelConfig
from scriptohio.models.estimators import MarginModel, make_models

Progress = Callable[[str, float], None]
ENSEMBLE = "ensemble"


def feature_hash(names: tuple[str, ...]) -> str:
    """Short stable hash of the feature list (a bundle only serves the features it knows)."""
    return hashlib.sha256("\n".join(names).encode()).hexdigest()[:16]


@dataclass(frozen=True, eq=False)
class SuiteOutput:
    """Predictions of every model for n games (columns follow ``names``)."""

    names: tuple[str, ...]
    margins: np.ndarray  # (n, M)
    probs: np.ndarray  # (n, M)
    margin: np.ndarray  # ensemble (n,)
    prob: np.ndarray  # ensemble (n,)
    contributions: np.ndarray | None  # (n, F) ensemble-weighted, decomposable models only


@dataclass(eq=False)
class ModelBundle:
    """Everything needed to turn feature rows into predictions."""

    models: list[MarginModel]
    weights: np.ndarray
    scaler: PlattScaler
    interval: ResidualInterval
    feature_names: tuple[str, ...]
    meta: dict[str, object] = field(default_factory=dict)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(m.name for m in self.models)

    def predict(self, x: np.ndarray, *, explain: bool = False) -> SuiteOutput:
        """Predictions for feature rows ``x`` (n, F), one vectorised call per model."""
        margins = np.column_stack([m.margin(x) for m in self.models])
        probs = np.column_stack([m.scaler.prob(margins[:, j]) for j, m in
                                 enumerate(self.models)])
        margin = margins @ self.weights
        contrib = None
        if explain:
            parts = [(w, m.contributions(x)) for w, m in zip(self.weights, self.models,
                                                               strict=True)]
            usable = [(w, c) for w, c in parts if c is not None and w > 0]
            total = sum(w for w, _ in usable)
            if usable and total > 0:
                # Rescale so the decomposable models speak for the whole ensemble's weight.
                contrib = sum(w * c for w, c in usable) * (float(self.weights.sum()) / total)
        return SuiteOutput(self.names, margins, probs, margin, self.scaler.prob(margin), contrib)


def fit_bundle(x: np.ndarray, y: np.ndarray, seasons: np.ndarray, cfg: ModelConfig,
               feature_names: tuple[str, ...], progress: Progress | None = None,
               ) -> ModelBundle:
    """Fit the whole suite on rows (x, y) labelled by ``seasons`` (see module docstring)."""
    report = progress or (lambda stage, frac: None)
    counts = {int(s): int((seasons == s).sum()) for s in np.unique(seasons)}
    valid_season = max(s for s, n in counts.items() if n >= 300 or s == min(counts))
    fit_rows, val_rows = seasons < valid_season, seasons == valid_season
    if not fit_rows.any():
        fit_rows = val_rows
    held = make_models(cfg)
    steps = 2 * len(held) + 1
    for i, model in enumerate(held):
        report(f"fit {model.name} (through {valid_season - 1})", i / steps)
        model.fit(x[fit_rows], y[fit_rows])
    xv, yv = x[val_rows], y[val_rows]
    val_margins = np.column_stack([m.margin(xv) for m in held])
    decided = yv != 0
    weights, _ = nnls(val_margins, yv)
    if weights.sum() == 0:
        weights = np.full(len(held), 1.0 / len(held))
    ens = val_margins @ weights
    scaler = PlattScaler.fit(ens[decided], yv[decided] > 0)
    interval = ResidualInterval.fit(yv - ens, cfg.interval_level)
    final = make_models(cfg)
    for i, model in enumerate(final):
        report(f"refit {model.name} (all seasons)", (len(held) + i) / steps)
        model.fit(x, y)
        model.scaler = PlattScaler.fit(val_margins[decided, i], yv[decided] > 0)
    report("ensemble", (steps - 1) / steps)
    val_mae = {m.name: float(np.mean(np.abs(val_margins[:, i] - yv))) for i, m in
               enumerate(held)}
    val_mae[ENSEMBLE] = float(np.mean(np.abs(ens - yv)))
    meta: dict[str, object] = {
        "validation_season": valid_season,
        "validation_mae": val_mae,
        "weights": dict(zip([m.name for m in final], weights.tolist(), strict=True)),
        "rows": len(y),
        "feature_names": list(feature_names),
        "feature_hash": feature_hash(feature_names),
    }
    return ModelBundle(final, weights, scaler, interval, feature_names, meta)
