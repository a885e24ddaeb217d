"""Hyper-parameters of the models, chosen on the 2022-2023 seasons only."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ModelConfig:
    """Every knob of the model suite."""

    first_season: int = 2005  # 2004 has no prior season for the ratings' priors
    ridge_alpha: float = 10.0
    logistic_c: float = 0.5
    xgb_trees: int = 200
    xgb_depth: int = 4
    xgb_learning_rate: float = 0.03
    xgb_subsample: float = 0.8
    xgb_min_child_weight: float = 20.0
    mlp_hidden: tuple[int, ...] = (32, 16)
    mlp_alpha: float = 1.0
    mlp_max_iter: int = 200
    interval_level: float = 0.8
    ensemble_folds: int = 3  # out-of-fold seasons for the ensemble weights and calibration
    seed: int = 0
    # One thread: on a shared 2-core machine XGBoost's OpenMP pool measured 30x slower (spinning
    # threads fighting other processes) than a single thread for these small data sets.
    threads: int = 1


DEFAULT_MODEL_CONFIG = ModelConfig()
