"""A graded sample of "grade my picks": naive Elo picks for every scored 2024 game.

The picks are what a fan with only Elo ratings would write: margin = Elo difference / 25 plus
2.5 points at a true home game, win probability = 1 / (1 + 10^(-diff/400)). They are written
to a temporary CSV (game_id, margin, home_win_prob) and graded like any upload
(``scriptohio grade-picks``); the report goes to ``--out`` (default
``docs/results/picks-sample``).
Run: ``.venv/bin/python bench/picks_sample.py``
"""

from __future__ import annotations

import argparse
import csv
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from scriptohio.data.dataset import load_dataset
from scriptohio.data.paths import find_data_dir
from scriptohio.features import FEATURE_NAMES, FeatureStore
from scriptohio.models.pick_report import write_pick_report
from scriptohio.models.picks import grade_picks

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--season", type=int, default=2024)
    parser.add_argument("--out", default=str(REPO / "docs/results/picks-sample"))
    args = parser.parse_args()
    started = time.perf_counter()
    dataset = load_dataset(find_data_dir(os.environ.get("SCRIPTOHIO_DATA_DIR"), cwd=REPO))
    features = FeatureStore.build(dataset)
    c = dataset.games.cols
    rows = np.flatnonzero((c["season"] == args.season) & ~np.isnan(dataset.games.home_margin))
    x = features.game_features(rows)
    diff = x[:, FEATURE_NAMES.index("elo_diff")]
    home = x[:, FEATURE_NAMES.index("home_field")]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"elo-picks-{args.season}.csv"
        with path.open("w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["game_id", "margin", "home_win_prob"])
            for gid, d, h in zip(c["game_id"][rows].tolist(), diff.tolist(), home.tolist(),
                                 strict=True):
                w.writerow([gid, round(d / 25 + 2.5 * h, 1),
                            round(1 / (1 + 10 ** (-(d + 60 * h) / 400)), 4)])
        report = grade_picks(dataset, path, features=features)
    files = write_pick_report(report, args.out)
    you = report["forecasters"]["you"]["all"]
    print(f"{report['graded']} picks graded, fitted through {report['train_through']}; "
          f"you: MAE {you['mae']:.2f}, Brier {you['brier']:.4f}; report {files['markdown']} "
          f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
