"""The base models behind one small protocol: margin, win probability, contributions.

Each model predicts the home margin; a :class:`~scriptohio.models.calibration.PlattScaler`
(fitted later on a held-out season) turns margins into probabilities. The logistic model is
the exception: it predicts the probability and maps it back to a margin.
"""

from __future__ import annotations

import warnings
from typing import Protocol

import numpy as np
import xgboost as xgb
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.neural_network import MLPRegressor

from scriptohio.models.calibration import PlattScaler, logit
from scriptohio.models.config import ModelConfig
from scriptohio.models.forest import Forest

LOGIT_CAP = float(np.log(1e6))  # the same bound as clipping probabilities at 1e-6
#: Up to this many rows the numpy forest beats XGBoost's per-call overhead.
FOREST_MAX_ROWS = 16


class MarginModel(Protocol):
    """A fitted-or-not model of the home margin."""

    name: str
    scaler: PlattScaler

    def fit(self, x: np.ndarray, y: np.ndarray) -> None: ...

    def margin(self, x: np.ndarray) -> np.ndarray: ...

    def contributions(self, x: np.ndarray) -> np.ndarray | None:
        """Per-feature contributions to the margin (n, F), or None if not decomposable."""
        ...


class _Standardised:
    mean: np.ndarray
    std: np.ndarray

    def _fit_scale(self, x: np.ndarray) -> np.ndarray:
        self.mean = x.mean(axis=0)
        self.std = np.where(x.std(axis=0) > 0, x.std(axis=0), 1.0)
        return self._scale(x)

    def _scale(self, x: np.ndarray) -> np.ndarray:
        return (x - self.mean) / self.std


class RidgeModel(_Standardised):
    """Ridge regression on standardised features; contributions = coef x centred feature."""

    name = "ridge"

    def __init__(self, cfg: ModelConfig) -> None:
        self.model = Ridge(alpha=cfg.ridge_alpha)
        self.scaler = PlattScaler()

    def fit(self, x: np.ndarray, y: np.ndarray) -> None:
        self.model.fit(self._fit_scale(x), y)

    def margin(self, x: np.ndarray) -> np.ndarray:
        # Plain algebra instead of sklearn's predict: its input checks cost ~0.3 ms a call.
        return np.asarray(self._scale(x) @ self.model.coef_ + self.model.intercept_)

    def contributions(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(self._scale(x) * self.model.coef_)


class LogisticModel(_Standardised):
    """Logistic regression of the home win; margin = logit(p) x a slope fitted on training."""

    name = "logistic"

    def __init__(self, cfg: ModelConfig) -> None:
        self.model = LogisticRegression(C=cfg.logistic_c, max_iter=500)
        self.scaler = PlattScaler()
        self.points_per_logit = 7.0

    def fit(self, x: np.ndarray, y: np.ndarray) -> None:
        z = self._fit_scale(x)
        keep = y != 0
        self.model.fit(z[keep], (y[keep] > 0).astype(int))
        lg = logit(self.model.predict_proba(z)[:, 1])
        self.points_per_logit = float(np.dot(lg, y) / max(np.dot(lg, lg), 1e-9))

    def margin(self, x: np.ndarray) -> np.ndarray:
        z = self._scale(x) @ self.model.coef_[0] + self.model.intercept_[0]
        return np.asarray(np.clip(z, -LOGIT_CAP, LOGIT_CAP) * self.points_per_logit)

    def contributions(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(self._scale(x) * self.model.coef_[0] * self.points_per_logit)


class XGBoostModel:
    """Gradient-boosted trees; contributions from XGBoost's own ``pred_contribs`` (SHAP)."""

    name = "xgboost"

    def __init__(self, cfg: ModelConfig) -> None:
        self.params = {
            "objective": "reg:squarederror", "max_depth": cfg.xgb_depth,
            "eta": cfg.xgb_learning_rate, "subsample": cfg.xgb_subsample,
            "colsample_bytree": 0.8, "min_child_weight": cfg.xgb_min_child_weight,
            "seed": cfg.seed, "nthread": cfg.threads, "tree_method": "hist",
        }
        self.trees = cfg.xgb_trees
        self.booster: xgb.Booster | None = None
        self.forest: Forest | None = None
        self._blob: bytes | None = None
        self._threads = cfg.threads
        self.scaler = PlattScaler()

    def fit(self, x: np.ndarray, y: np.ndarray) -> None:
        self.set_booster(xgb.train(self.params, xgb.DMatrix(x, label=y), self.trees))

    def set_booster(self, booster: xgb.Booster) -> None:
        self.booster = booster
        self.forest = Forest.from_booster(booster)

    def defer_booster(self, blob: bytes, threads: int) -> None:
        """Keep the booster's JSON and parse it on first need (contributions, big batches):
        loading it costs ~30 ms that a plain prediction, served by the forest, never needs."""
        self.booster = None
        self._blob = blob
        self._threads = threads
        if self.forest is None:
            self.set_booster(self._booster())

    def booster_json(self) -> bytes:
        """The booster in XGBoost's JSON format (what the registry stores)."""
        blob = getattr(self, "_blob", None)
        return blob if blob is not None else bytes(self._booster().save_raw("json"))

    def _booster(self) -> xgb.Booster:
        booster = self.booster
        if booster is None:
            blob = getattr(self, "_blob", None)
            if blob is None:
                raise RuntimeError("XGBoost model used before fit/load")
            booster = xgb.Booster()
            booster.load_model(bytearray(blob))
            # Serving predicts few rows at a time: one thread avoids pool overhead.
            booster.set_param({"nthread": self._threads})
            self.booster = booster  # a racing thread may build a twin: harmless
        return booster

    def margin(self, x: np.ndarray) -> np.ndarray:
        if self.forest is not None and len(x) <= FOREST_MAX_ROWS:
            return self.forest.predict(x)
        return np.asarray(self._booster().inplace_predict(x))

    def contributions(self, x: np.ndarray) -> np.ndarray:
        # nthread=1: building a DMatrix with the default thread pool costs ~45 ms here.
        matrix = xgb.DMatrix(x, nthread=self.params["nthread"] if len(x) > 256 else 1)
        out = self._booster().predict(matrix, pred_contribs=True)
        return np.asarray(out[:, :-1])  # last column is the bias

    def __getstate__(self) -> dict[str, object]:
        # The booster travels as XGBoost's own JSON (see artifacts), never pickled; the
        # derived numpy forest is pickled so loading needs no JSON parsing.
        state = dict(self.__dict__)
        state["booster"] = None
        state.pop("_blob", None)
        return state


class MLPModel(_Standardised):
    """A small scikit-learn neural network on standardised features (no contributions)."""

    name = "mlp"

    def __init__(self, cfg: ModelConfig) -> None:
        self.model = MLPRegressor(
            hidden_layer_sizes=cfg.mlp_hidden, alpha=cfg.mlp_alpha, max_iter=cfg.mlp_max_iter,
            early_stopping=True, random_state=cfg.seed, learning_rate_init=1e-3,
        )
        self.scaler = PlattScaler()
        self.y_scale = 1.0
        self.converged = True

    def fit(self, x: np.ndarray, y: np.ndarray) -> None:
        self.y_scale = float(np.std(y)) or 1.0
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            self.model.fit(self._fit_scale(x), y / self.y_scale)
        # Hitting max_iter is a budget we chose (early stopping usually ends sooner): record it.
        self.converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)

    def margin(self, x: np.ndarray) -> np.ndarray:
        # The fitted network's forward pass (ReLU hidden layers, identity output).
        h = self._scale(x)
        last = len(self.model.coefs_) - 1
        for i, (w, b) in enumerate(zip(self.model.coefs_, self.model.intercepts_, strict=True)):
            h = h @ w + b
            if i < last:
                h = np.maximum(h, 0.0)
        return np.asarray(h[:, 0] * self.y_scale)

    def contributions(self, x: np.ndarray) -> None:
        return None


def make_models(cfg: ModelConfig, names: tuple[str, ...] | None = None) -> list[MarginModel]:
    """Fresh, unfitted base models (all of them unless ``names`` picks some)."""
    all_models: list[MarginModel] = [RidgeModel(cfg), LogisticModel(cfg), XGBoostModel(cfg),
                                     MLPModel(cfg)]
    return [m for m in all_models if names is None or m.name in names]
