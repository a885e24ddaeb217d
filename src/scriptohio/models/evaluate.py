"""Walk-forward evaluation against an Elo-only baseline and the betting market.

Models are fitted on the seasons through ``train_through``; every test game is predicted from
its pregame features, i.e. from the data before its week (the feature store guarantees it),
so the models never see a test result. Scored on FBS-vs-FBS games with a closing line, the
same games for every forecaster.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from scriptohio.data.dataset import Dataset
from scriptohio.features import FeatureStore
from scriptohio.models.baselines import EloBaseline, MarketBaseline
from scriptohio.models.bundle import ENSEMBLE, Progress
from scriptohio.models.config import DEFAULT_MODEL_CONFIG, ModelConfig
from scriptohio.models.eval_report import write_calibration_png, write_markdown
from scriptohio.models.metrics import reliability, score, week_bucket
from scriptohio.models.train import fit_window, training_rows

GOALS = {"mae_vs_market": 1.0, "winner_acc": 0.70, "brier": 0.19}


def _forecasts(dataset: Dataset, features: FeatureStore, train_through: int,
               rows: np.ndarray, config: ModelConfig, progress: Progress | None
               ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    bundle = fit_window(dataset, features, through=train_through, config=config,
                        progress=progress)
    train = training_rows(dataset, features, through=train_through,
                          first_season=config.first_season)
    y_train = dataset.games.home_margin[train]
    x_train = features.game_features(train)
    elo = EloBaseline.fit(x_train, y_train)
    market = MarketBaseline.fit(dataset.games.cols["spread"][train], y_train)
    x = features.game_features(rows)
    out = bundle.predict(x)
    found = {name: (out.margins[:, j], out.probs[:, j]) for j, name in enumerate(out.names)}
    found[ENSEMBLE] = (out.margin, out.prob)
    found["elo"] = elo.predict(x)
    found["market"] = market.predict(dataset.games.cols["spread"][rows])
    return found


def evaluate(dataset: Dataset, out_dir: Path | str, *, train_through: int = 2023,
             test: Sequence[int] = (2024, 2025), config: ModelConfig = DEFAULT_MODEL_CONFIG,
             features: FeatureStore | None = None, progress: Progress | None = None
             ) -> dict[str, object]:
    """Fit through ``train_through``, score each ``test`` season; write JSON, Markdown, PNG."""
    features = features or FeatureStore.build(dataset)
    c = dataset.games.cols
    y_all = dataset.games.home_margin
    rows = np.flatnonzero(
        np.isin(c["season"], list(test)) & (c["home_division"] == "fbs")
        & (c["away_division"] == "fbs") & ~np.isnan(y_all) & ~np.isnan(c["spread"])
    )
    forecasts = _forecasts(dataset, features, train_through, rows, config, progress)
    y = y_all[rows]
    buckets = np.array([week_bucket(t, w) for t, w in
                        zip(c["season_type"][rows].tolist(), c["week"][rows].tolist(),
                            strict=True)])
    seasons: dict[str, object] = {}
    for season in test:
        in_season = c["season"][rows] == season
        by_week = {
            bucket: {name: score(m[in_season & (buckets == bucket)],
                                 p[in_season & (buckets == bucket)],
                                 y[in_season & (buckets == bucket)])
                     for name, (m, p) in forecasts.items()}
            for bucket in ("1-4", "5-9", "10+", "postseason")
        }
        seasons[str(season)] = {
            "n": int(in_season.sum()),
            "models": {name: score(m[in_season], p[in_season], y[in_season])
                       for name, (m, p) in forecasts.items()},
            "by_week": by_week,
        }
    decided = y != 0
    curves = {name: reliability(p[decided], (y[decided] > 0).astype(float))
              for name, (_, p) in forecasts.items() if name in (ENSEMBLE, "elo", "market")}
    result: dict[str, object] = {
        "train_through": train_through,
        "test": list(test),
        "seed": config.seed,
        "games": "FBS vs FBS, scored, with a closing spread",
        "config": {k: getattr(config, k) for k in config.__dataclass_fields__},
        "goals": GOALS,
        "seasons": seasons,
        "reliability": curves,
    }
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = {"json": str(out / "evaluation.json"), "markdown": str(out / "evaluation.md"),
             "calibration_png": str(out / "calibration.png")}
    write_calibration_png(curves, Path(files["calibration_png"]))
    write_markdown(result, Path(files["markdown"]))
    # The saved report does not list where it was saved: it may be served or moved elsewhere.
    Path(files["json"]).write_text(json.dumps(result, indent=2, default=list))
    result["files"] = files
    return result
