"""Models of the home margin and win probability, their registry, training and evaluation.

Public surface: :class:`Predictor`, :class:`Prediction`, :class:`PredictionRequest`,
:class:`ModelOutput`, :class:`MarginInterval`; submodules ``registry`` (ModelRegistry),
``train`` (train), ``evaluate`` (evaluate) and ``predict_file`` (predict_file).
"""

from __future__ import annotations

from scriptohio.models.prediction import (
    MarginInterval,
    ModelOutput,
    Prediction,
    PredictionRequest,
)
from scriptohio.models.predictor import Predictor

__all__ = ["MarginInterval", "ModelOutput", "Prediction", "PredictionRequest", "Predictor"]
