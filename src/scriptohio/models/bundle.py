"""A fitted model suite: base models, ensemble weights, calibration, margin interval.

:func:`fit_bundle` learns the ensemble honestly, by rolling origin: for each of the last
``ensemble_folds`` training seasons, the base models are fitted on the seasons before it and
predict it. Ensemble weights (non-negative least squares), the probability calibration of
each model and the residual interval come from those out-of-fold predictions (several seasons:
weights learned on one season chased its noise). Finally every base model is refitted on all
training seasons.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import nnls
from threadpoolctl import threadpool_limits

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


def _held_out(x: np.ndarray, y: np.ndarray, seasons: np.ndarray, folds: list[int],
              cfg: ModelConfig, report: Progress, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Rolling-origin predictions: each fold season predicted by models fitted before it."""
    margins, truth = [], []
    for k, season in enumerate(folds):
        before = seasons < season
        if not before.any():
            before = seasons == season
        fold_models = make_models(cfg)
        for i, model in enumerate(fold_models):
            report(f"fit {model.name} (through {season - 1})",
                   (k * len(fold_models) + i) / steps)
            model.fit(x[before], y[before])
        rows = seasons == season
        margins.append(np.column_stack([m.margin(x[rows]) for m in fold_models]))
        truth.append(y[rows])
    return np.vstack(margins), np.concatenate(truth)


def fit_bundle(x: np.ndarray, y: np.ndarray, seasons: np.ndarray, cfg: ModelConfig,
               feature_names: tuple[str, ...], progress: Progress | None = None,
               ) -> ModelBundle:
    """Fit the whole suite on rows (x, y) labelled by ``seasons`` (see module docstring)."""
    with threadpool_limits(cfg.threads):  # BLAS threads: same contention as XGBoost's
        return _fit_bundle(x, y, seasons, cfg, feature_names, progress or (lambda s, f: None))


def _fit_bundle(x: np.ndarray, y: np.ndarray, seasons: np.ndarray, cfg: ModelConfig,
                feature_names: tuple[str, ...], report: Progress) -> ModelBundle:
    counts = {int(s): int((seasons == s).sum()) for s in np.unique(seasons)}
    full = sorted(s for s, n in counts.items() if n >= 300) or sorted(counts)
    folds = full[-cfg.ensemble_folds:]
    n_models = len(make_models(cfg))
    steps = (len(folds) + 1) * n_models + 1
    val_margins, yv = _held_out(x, y, seasons, folds, cfg, report, steps)
    decided = yv != 0
    weights, _ = nnls(val_margins, yv)
    if weights.sum() == 0:
        weights = np.full(n_models, 1.0 / n_models)
    ens = val_margins @ weights
    scaler = PlattScaler.fit(ens[decided], yv[decided] > 0)
    interval = ResidualInterval.fit(yv - ens, cfg.interval_level)
    final = make_models(cfg)
    for i, model in enumerate(final):
        report(f"refit {model.name} (all seasons)", (len(folds) * n_models + i) / steps)
        model.fit(x, y)
        model.scaler = PlattScaler.fit(val_margins[decided, i], yv[decided] > 0)
    report("ensemble", (steps - 1) / steps)
    val_mae = {m.name: float(np.mean(np.abs(val_margins[:, i] - yv))) for i, m in
               enumerate(final)}
    val_mae[ENSEMBLE] = float(np.mean(np.abs(ens - yv)))
    meta: dict[str, object] = {
        "validation_seasons": folds,
        "validation_mae": val_mae,
        "weights": dict(zip([m.name for m in final], weights.tolist(), strict=True)),
        "rows": len(y),
        "feature_names": list(feature_names),
        "feature_hash": feature_hash(feature_names),
    }
    return ModelBundle(final, weights, scaler, interval, feature_names, meta)
