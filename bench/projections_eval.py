"""Walk-forward evaluation of season projections against an Elo-only baseline.

For each test season S (default 2021-2024) the game model is fitted on the seasons before S
only (``fit_window(through=S-1)``), and so is the baseline: margins from the Elo difference
and home field alone (``EloBaseline``, its residual sd as the game sd). From before weeks 1,
5 and 9 of S, both project the rest of S with the same simulation (10,000 seasons, seed 0);
the feature store's point-in-time snapshots mean nothing after the week is seen.

Scored against what happened:

* conference champions (the title-game winners; conferences without a title game are not
  scored): multi-class Brier (sum over the conference's teams of (p - y)^2) and log loss of
  the champion's probability (floored at 0.001), averaged over conferences;
* playoff field (the teams in CFP games: 4 to 2023, 12 in 2024): Brier and log loss per FBS
  team (probabilities clipped to [0.001, 0.999]);
* regular-season win totals (title games and bowls excluded): MAE over FBS teams.

Writes a Markdown table to stdout and a calibration plot (``--png``, default
``docs/results/projections-calibration.png``).
Run: ``.venv/bin/python bench/projections_eval.py [--seasons 2021,2022,2023,2024]``
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import math  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from scriptohio.agents.context import AnalyticsContext, WeekRef  # noqa: E402
from scriptohio.agents.projections import projection_inputs  # noqa: E402
from scriptohio.data.dataset import Dataset, load_dataset  # noqa: E402
from scriptohio.data.paths import find_data_dir  # noqa: E402
from scriptohio.features import FeatureStore  # noqa: E402
from scriptohio.models.baselines import ELO_COLUMNS, EloBaseline  # noqa: E402
from scriptohio.models.metrics import reliability  # noqa: E402
from scriptohio.models.predictor import Predictor  # noqa: E402
from scriptohio.models.simulation import SimulationConfig, simulate_season  # noqa: E402
from scriptohio.models.train import fit_window, training_rows  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
WEEKS = (1, 5, 9)
FLOOR = 1e-3


class EloOnly(Predictor):
    """A predictor whose margins are the Elo baseline's (what the projection agent reads)."""

    def __init__(self, elo: EloBaseline, features: FeatureStore, sd: float) -> None:
        self.features = features
        self.elo = elo
        self._sd = sd
        self.model_version = "elo"
        self.explain_top = 0

    @property
    def margin_sd(self) -> float:
        return self._sd

    def margins_as_of(self, rows: np.ndarray, season: int, week: int | None,
                      season_type: str = "regular") -> np.ndarray:
        if not len(rows):
            return np.empty(0)
        x = self._store().rows_as_of(rows, season, week, season_type)
        return np.asarray(self.elo.margin_model.predict(x[:, ELO_COLUMNS]))

    def neutral_margins(self, season: int, week: int | None, season_type: str,
                        home: list[str], away: list[str], *, postseason: bool) -> np.ndarray:
        x = self._store().neutral_rows(season, week, season_type, home, away,
                                       postseason=postseason)
        return np.asarray(self.elo.margin_model.predict(x[:, ELO_COLUMNS]))


@dataclass
class Truth:
    champions: dict[str, str]  # conference -> title-game winner
    field: set[str]
    wins: dict[str, int]


def truth(dataset: Dataset, season: int) -> Truth:
    games = dataset.games
    c = games.cols
    occasions = dataset.occasions(season)
    champions, field = {}, set()
    for gid, occ in occasions.items():
        g = games.get(gid)
        assert g is not None
        if occ.kind == "conference_championship" and g.played and occ.conference:
            champions[occ.conference] = g.home_team if (g.home_points or 0) > (
                g.away_points or 0) else g.away_team
        if occ.kind in ("playoff", "national_championship"):
            field |= {g.home_team, g.away_team}
    wins: dict[str, int] = {}
    for w in games.weeks(season):
        for row in games.rows_for_week(season, w).tolist():
            unscored = np.isnan(c["home_points"][row])
            if int(c["game_id"][row]) in occasions or unscored:
                continue
            winner = (c["home_team"][row] if c["home_points"][row] > c["away_points"][row]
                      else c["away_team"][row])
            wins[str(winner)] = wins.get(str(winner), 0) + 1
    return Truth(champions, field, wins)


def score(ctx: AnalyticsContext, ref: WeekRef, real: Truth) -> tuple[dict[str, float], dict]:
    inputs = projection_inputs(ctx, ref)
    sim = inputs.sim
    run = simulate_season(sim, SimulationConfig())
    n = run.simulations
    post = sim.postseason
    briers, losses = [], []
    uniform: list[tuple[float, float]] = []
    champ_points: list[tuple[float, float]] = []
    for ci, conf in enumerate(post.conferences):
        winner = real.champions.get(conf)
        members = np.flatnonzero(post.conference == ci)
        if winner is None or winner not in sim.teams or not len(members):
            continue
        p = run.conference_titles[members] / n
        y = np.array([sim.teams[t] == winner for t in members], dtype=float)
        briers.append(float(((p - y) ** 2).sum()))
        uniform.append((1 - 1 / len(members), math.log(len(members))))
        losses.append(-math.log(max(float(p[y == 1].sum()), FLOOR)))
        champ_points += list(zip(p.tolist(), y.tolist(), strict=True))
    fbs = np.flatnonzero(sim.eligible)
    p_field = np.clip(run.playoff[fbs] / n, FLOOR, 1 - FLOOR)
    y_field = np.array([sim.teams[t] in real.field for t in fbs], dtype=float)
    expected = run.expected_wins()[fbs]
    actual = np.array([real.wins.get(sim.teams[t], 0) for t in fbs], dtype=float)
    metrics = {
        "champ_brier": float(np.mean(briers)), "champ_log_loss": float(np.mean(losses)),
        "conferences": float(len(briers)),
        "uniform_brier": float(np.mean([u[0] for u in uniform])),
        "uniform_log_loss": float(np.mean([u[1] for u in uniform])),
        "field_brier": float(np.mean((p_field - y_field) ** 2)),
        "field_log_loss": float(-np.mean(y_field * np.log(p_field)
                                         + (1 - y_field) * np.log(1 - p_field))),
        "wins_mae": float(np.mean(np.abs(expected - actual))),
    }
    points = {"champion": champ_points,
              "field": list(zip((run.playoff[fbs] / n).tolist(), y_field.tolist(), strict=True))}
    return metrics, points


def plot(curves: dict[str, dict[str, list[tuple[float, float, int]]]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 5))
    for ax, (what, title) in zip(axes, (("champion", "conference champion"),
                                         ("field", "playoff field")), strict=True):
        ax.plot([0, 1], [0, 1], color="grey", linestyle="--", label="perfect")
        for name, by_kind in curves.items():
            pts = by_kind[what]
            if pts:
                xs, ys, _ = zip(*pts, strict=True)
                ax.plot(xs, ys, marker="o", label=name)
        ax.set_xlabel(f"predicted P({title})")
        ax.set_ylabel("observed frequency")
        ax.set_title(f"{title} (all seasons, weeks {', '.join(map(str, WEEKS))})")
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seasons", default="2021,2022,2023,2024")
    parser.add_argument("--png", default=str(REPO / "docs/results/projections-calibration.png"))
    args = parser.parse_args()
    seasons = [int(s) for s in args.seasons.split(",")]
    started = time.perf_counter()
    dataset = load_dataset(find_data_dir(os.environ.get("SCRIPTOHIO_DATA_DIR"), cwd=REPO))
    features = FeatureStore.build(dataset)
    results: dict[tuple[str, int, int], dict[str, float]] = {}
    points: dict[str, dict[str, list[tuple[float, float]]]] = {
        "ensemble": {"champion": [], "field": []}, "elo": {"champion": [], "field": []}}
    for season in seasons:
        bundle = fit_window(dataset, features, through=season - 1)
        rows = training_rows(dataset, features, through=season - 1)
        x, y = features.game_features(rows), dataset.games.home_margin[rows]
        elo = EloBaseline.fit(x, y)
        elo_sd = float(np.std(y - elo.margin_model.predict(x[:, ELO_COLUMNS])))
        forecasters = {"ensemble": Predictor(bundle, features, version=f"through {season - 1}"),
                       "elo": EloOnly(elo, features, elo_sd)}
        real = truth(dataset, season)
        for name, predictor in forecasters.items():
            ctx = AnalyticsContext(dataset, features, predictor)
            for week in WEEKS:
                metrics, pts = score(ctx, WeekRef(season, week), real)
                results[(name, season, week)] = metrics
                for kind in ("champion", "field"):
                    points[name][kind] += pts[kind]
        print(f"# {season}: ensemble sd {forecasters['ensemble'].margin_sd:.2f}, "
              f"elo sd {elo_sd:.2f}; {len(real.champions)} title games, field "
              f"{len(real.field)} ({time.perf_counter() - started:.0f} s)")

    print()
    print("| forecaster | before week | conf. champion Brier | conf. champion log loss "
          "| playoff field Brier | playoff field log loss | win-total MAE |")
    print("|---|---|---|---|---|---|---|")
    for week in WEEKS:
        for name in ("ensemble", "elo"):
            rs = [results[(name, s, week)] for s in seasons]
            mean = {k: float(np.mean([r[k] for r in rs])) for k in rs[0]}
            print(f"| {name} | {week} | {mean['champ_brier']:.4f} | "
                  f"{mean['champ_log_loss']:.3f} | {mean['field_brier']:.4f} | "
                  f"{mean['field_log_loss']:.4f} | {mean['wins_mae']:.3f} |")
    rs = [results[("ensemble", s, w)] for s in seasons for w in WEEKS]
    print(f"| uniform over the conference (reference) | any | "
          f"{np.mean([r['uniform_brier'] for r in rs]):.4f} | "
          f"{np.mean([r['uniform_log_loss'] for r in rs]):.3f} | | | |")
    print()
    print("| season | before week | ensemble champ. Brier | elo champ. Brier | ensemble win MAE "
          "| elo win MAE |")
    print("|---|---|---|---|---|---|")
    for season in seasons:
        for week in WEEKS:
            e, b = results[("ensemble", season, week)], results[("elo", season, week)]
            print(f"| {season} | {week} | {e['champ_brier']:.4f} | {b['champ_brier']:.4f} | "
                  f"{e['wins_mae']:.3f} | {b['wins_mae']:.3f} |")
    curves = {name: {kind: reliability(np.array([p for p, _ in pts]),
                                       np.array([y for _, y in pts]))
                     for kind, pts in by_kind.items()} for name, by_kind in points.items()}
    for name, by_kind in curves.items():
        for kind, pts in by_kind.items():
            print(f"reliability {name} {kind}: " + ", ".join(
                f"{p:.2f}->{o:.2f} (n={k})" for p, o, k in pts))
    plot(curves, Path(args.png))
    print(f"\ncalibration plot: {args.png}; {time.perf_counter() - started:.0f} s in all")


if __name__ == "__main__":
    main()
