"""Total points: walk-forward MAE of our total vs the market total (``over_under``), same games.

Fits on 2014 through the season before each test season; scores FBS-vs-FBS games with a score
and a market total. Prints JSON per season: n, MAE ours / market, bias, share of games where the
actual total fell on our side of the market's line (52.4 % beats a -110 price).

    python bench/models_totals.py
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from scriptohio.data.dataset import load_dataset
from scriptohio.data.paths import find_data_dir
from scriptohio.models.totals import walk_forward

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    dataset = load_dataset(find_data_dir(os.environ.get("SCRIPTOHIO_DATA_DIR"), cwd=REPO))
    t = time.perf_counter()
    result = walk_forward(dataset, (2024, 2025))
    print(json.dumps({"seasons": result, "seconds": round(time.perf_counter() - t, 2)},
                     indent=2))


if __name__ == "__main__":
    main()
