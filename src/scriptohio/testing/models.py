"""Model versions without a registry: ``FakeModels`` for canary tests.

``FakeModels({"v0002": {"Alpha": 9.0, ...}}, stable="fake")`` serves each named version as a
:class:`~scriptohio.testing.FakePredictor` with those ratings; a version mapped to ``None`` is
a broken candidate whose every prediction raises (:class:`BrokenPredictor`), and versions in
``incompatible`` look trained on other features. ``set_default`` records the promoted version.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from scriptohio.features import FeatureStore
from scriptohio.models import Prediction, PredictionRequest, Predictor
from scriptohio.testing.predictor import FAKE_MODEL_VERSION, FakePredictor

__all__ = ["BrokenPredictor", "FakeModels"]


class BrokenPredictor(FakePredictor):
    """A candidate whose artifact loads but whose predictions raise."""

    def predict_many(self, requests: Sequence[PredictionRequest]) -> list[Prediction]:
        raise RuntimeError(f"model {self.model_version} is broken")


class FakeModels:
    """Named fake model versions (see the module docstring)."""

    def __init__(self, versions: Mapping[str, Mapping[str, float] | None], *,
                 stable: str = FAKE_MODEL_VERSION, incompatible: Iterable[str] = ()) -> None:
        self._versions = dict(versions)
        self.stable = stable
        self.default = stable
        self.incompatible = set(incompatible)
        self.loads: list[str] = []

    def versions(self) -> list[str]:
        return sorted({self.stable, *self._versions, *self.incompatible})

    def compatible(self, version: str) -> bool:
        return version not in self.incompatible

    def latest_version(self) -> str | None:
        return self.default

    def set_default(self, version: str) -> None:
        self.default = version

    def predictor(self, version: str, features: FeatureStore) -> Predictor:
        self.loads.append(version)
        if version not in self._versions:
            raise FileNotFoundError(f"no artifact for model version {version}")
        ratings = self._versions[version]
        if ratings is None:
            return BrokenPredictor(features, version=version)
        return FakePredictor(features, ratings, version=version)
