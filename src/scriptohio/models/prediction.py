"""What a prediction looks like: plain frozen dataclasses (``dataclasses.asdict`` gives JSON)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class PredictionRequest:
    """One game to predict (real or hypothetical); ``neutral=None`` = as scheduled / unknown."""

    home: str
    away: str
    season: int
    week: int | None
    neutral: bool | None = None
    season_type: str = "regular"
    explain: bool = False


@dataclass(frozen=True, slots=True)
class ModelOutput:
    """One model's answer."""

    margin: float
    home_win_prob: float


@dataclass(frozen=True, slots=True)
class MarginInterval:
    """Central interval of the home margin at ``level`` (e.g. 0.8)."""

    lo: float
    hi: float
    level: float


@dataclass(frozen=True, slots=True)
class Prediction:
    """The ensemble's answer with every model's, an interval and (optionally) an explanation.

    ``margin`` is home points minus away points; ``explanation`` lists the top features with
    their contribution to the margin in points, largest magnitude first.
    """

    home: str
    away: str
    season: int
    week: int | None
    season_type: str
    neutral: bool | None
    margin: float
    home_win_prob: float
    winner: str
    margin_interval: MarginInterval
    models: dict[str, ModelOutput]
    model_version: str
    explanation: list[tuple[str, float]] | None = None
    game_id: int | None = None
    market_spread: float | None = None
    extra: dict[str, object] = field(default_factory=dict)
