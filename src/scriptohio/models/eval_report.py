"""Human-readable outputs of the evaluation: a Markdown table and a reliability plot."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

ORDER = ("ensemble", "ridge", "logistic", "xgboost", "mlp", "elo", "market")


def _row(name: str, m: Mapping[str, Any]) -> str:
    if not m.get("n"):
        return f"| {name} | 0 | | | | | |"
    return (f"| {name} | {m['n']} | {m['mae']:.2f} | {m['rmse']:.2f} | {m['winner_acc']:.3f} "
            f"| {m['brier']:.4f} | {m['log_loss']:.4f} |")


def _table(models: Mapping[str, Mapping[str, Any]]) -> list[str]:
    lines = ["| model | n | MAE | RMSE | winner acc | Brier | log loss |",
             "|---|---|---|---|---|---|---|"]
    names = [n for n in ORDER if n in models] + [n for n in models if n not in ORDER]
    return lines + [_row(n, models[n]) for n in names]


def write_markdown(result: Mapping[str, Any], path: Path) -> None:
    """The evaluation as Markdown: one table per test season and per week bucket."""
    lines = [
        "# Walk-forward evaluation",
        "",
        f"Trained through {result['train_through']}; tested on "
        f"{', '.join(str(s) for s in result['test'])} ({result['games']}); seed {result['seed']}.",
        "Each test game is predicted from pregame features (data before its week only).",
        "",
    ]
    for season, body in result["seasons"].items():
        models = body["models"]
        ens, market, elo = models.get("ensemble", {}), models.get("market", {}), models.get("elo")
        lines += [f"## {season}", "", *_table(models), ""]
        if ens.get("n") and market.get("n"):
            gap = ens["mae"] - market["mae"]
            beats = elo is not None and all(
                ens[k] < elo[k] for k in ("mae", "rmse", "brier", "log_loss")
            ) and ens["winner_acc"] >= elo["winner_acc"]
            lines += [f"Ensemble MAE − market MAE: {gap:+.2f} points; "
                      f"better than Elo-only on every metric: {'yes' if beats else 'no'}.", ""]
        for bucket, by_model in body["by_week"].items():
            lines += [f"### {season}, weeks {bucket}", "", *_table(by_model), ""]
    lines += ["![calibration](calibration.png)", ""]
    path.write_text("\n".join(lines))


def write_calibration_png(curves: Mapping[str, list[tuple[float, float, int]]], path: Path
                          ) -> None:
    """Reliability diagram (predicted vs observed home-win frequency)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", label="perfect")
    for name, points in curves.items():
        if points:
            xs, ys, _ = zip(*points, strict=True)
            ax.plot(xs, ys, marker="o", label=name)
    ax.set_xlabel("predicted home win probability")
    ax.set_ylabel("observed home win frequency")
    ax.set_title("Reliability (test seasons)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
