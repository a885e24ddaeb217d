"""``scriptohio train``: features from the data, every model fitted, stored as a new version."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from scriptohio.data.completeness import POSTSEASON, complete_through
from scriptohio.data.dataset import Dataset
from scriptohio.features import FeatureStore
from scriptohio.models.bundle import ModelBundle, Progress, fit_bundle
from scriptohio.models.config import DEFAULT_MODEL_CONFIG, ModelConfig
from scriptohio.models.registry import ModelRegistry

Through = tuple[int, int | None] | int | None


@dataclass(frozen=True, slots=True)
class TrainResult:
    """What ``train`` produced."""

    version: str
    seconds: float
    rows: int
    first_season: int
    last_season: int
    validation_seasons: list[int]
    validation_mae: dict[str, float]


def _normalise(through: Through) -> tuple[int, int | None] | None:
    if through is None or isinstance(through, tuple):
        return through
    return (int(through), None)


def training_rows(dataset: Dataset, features: FeatureStore, *, through: Through = None,
                  first_season: int = DEFAULT_MODEL_CONFIG.first_season) -> np.ndarray:
    """Rows of ``dataset.games`` to learn from: scored, with features, inside the window.

    ``through=(season, week)`` keeps regular-season weeks up to ``week`` of ``season``;
    ``(season, None)`` or ``season`` keeps the whole season, postseason included.
    """
    c = dataset.games.cols
    y = dataset.games.home_margin
    x = features.game_features(np.arange(dataset.games.n))
    keep = ~np.isnan(y) & np.isfinite(x).all(axis=1) & (c["season"] >= first_season)
    window = _normalise(through)
    if window is not None:
        season, week = window
        inside = c["season"] < season
        if week is None:
            inside |= c["season"] == season
        else:
            regular = c["season_type"] == "regular"
            inside |= (c["season"] == season) & regular & (c["week"] <= week)
        keep &= inside
    return np.flatnonzero(keep)


def fit_window(dataset: Dataset, features: FeatureStore, *, through: Through = None,
               config: ModelConfig = DEFAULT_MODEL_CONFIG, progress: Progress | None = None
               ) -> ModelBundle:
    """Fit the model suite on the training window (nothing is written)."""
    rows = training_rows(dataset, features, through=through, first_season=config.first_season)
    c = dataset.games.cols
    x = features.game_features(rows)
    bundle = fit_bundle(x, dataset.games.home_margin[rows], c["season"][rows], config,
                        tuple(features.feature_names), progress)
    window = _normalise(through)
    done = complete_through(dataset.games)
    if done is not None and window is not None:  # a window cut short saw only up to its end
        done = min(done, (window[0], POSTSEASON if window[1] is None else window[1]))
    bundle.meta.update({
        "first_season": int(c["season"][rows].min()),
        "last_season": int(c["season"][rows].max()),
        "through": None if window is None else list(window),
        # the newest week whose results were all in: a later complete week is due a retrain
        "complete_through": None if done is None else list(done),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "data_version": dataset.version,
        "config": {k: getattr(config, k) for k in config.__dataclass_fields__},
    })
    return bundle


def train(dataset: Dataset, state_dir: Path | str, through: Through = None,
          progress: Progress | None = None, *, features: FeatureStore | None = None,
          config: ModelConfig = DEFAULT_MODEL_CONFIG, make_default: bool = True
          ) -> TrainResult:
    """Build features, fit every model and store a new version in the registry: the default
    one, unless ``make_default`` is False (a candidate for a canary)."""
    started = time.perf_counter()
    report = progress or (lambda stage, frac: None)
    if features is None:
        report("build features", 0.0)
        features = FeatureStore.build(dataset)
    bundle = fit_window(dataset, features, through=through, config=config,
                        progress=lambda s, f: report(s, 0.05 + 0.9 * f))
    report("save", 0.97)
    version = ModelRegistry(state_dir).save(bundle, make_default=make_default)
    report("done", 1.0)
    meta = bundle.meta
    return TrainResult(
        version=version, seconds=time.perf_counter() - started, rows=int(str(meta["rows"])),
        first_season=int(str(meta["first_season"])), last_season=int(str(meta["last_season"])),
        validation_seasons=list(meta["validation_seasons"]),  # type: ignore[call-overload]
        validation_mae=dict(meta["validation_mae"]),  # type: ignore[call-overload]
    )


@contextmanager
def rich_progress(description: str = "training") -> Iterator[Progress]:
    """A progress callback drawing a rich progress bar on stderr (for the CLI)."""
    from rich.console import Console
    from rich.progress import BarColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as Bar

    columns = (TextColumn("[bold]{task.description}"), BarColumn(),
               TextColumn("{task.fields[stage]}"), TimeElapsedColumn())
    with Bar(*columns, console=Console(stderr=True), transient=False) as bar:
        task = bar.add_task(description, total=1.0, stage="")

        def update(stage: str, fraction: float) -> None:
            bar.update(task, completed=fraction, stage=stage)

        yield update
