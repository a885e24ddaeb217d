"""The picks grade as files: JSON, a Markdown table per week bucket and a plot."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["write_pick_report"]

ORDER = ("you", "market", "elo", "ensemble")


def _pct(record: Mapping[str, int] | None) -> str:
    if not record:
        return ""
    n = record["won"] + record["lost"]
    return f"{record['won']}-{record['lost']} ({record['won'] / n:.1%})" if n else "0-0"


def _rows(scores: Mapping[str, Mapping[str, Any]]) -> list[str]:
    lines = ["| forecaster | n | MAE | Brier | log loss | winner | against the spread |",
             "|---|---|---|---|---|---|---|"]
    for name in [n for n in ORDER if n in scores]:
        s = scores[name]
        ats = s.get("ats")
        ats_text = "" if ats is None else _pct(ats) + (f", {ats['push']} push"
                                                       if ats.get("push") else "")
        lines.append(f"| {name} | {s['n']} | {s.get('mae', float('nan')):.2f} | "
                     f"{s.get('brier', float('nan')):.4f} | "
                     f"{s.get('log_loss', float('nan')):.4f} | {_pct(s.get('winner'))} | "
                     f"{ats_text} |")
    return lines


def _plot(report: Mapping[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    forecasters = report["forecasters"]
    names = [n for n in ORDER if n in forecasters]
    buckets = sorted({b for f in forecasters.values() for b in f["by_week"]},
                     key=["1-4", "5-9", "10+", "postseason"].index)
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
    width = 0.8 / max(len(names), 1)
    for k, name in enumerate(names):
        by = forecasters[name]["by_week"]
        mae = [by.get(b, {}).get("mae", float("nan")) for b in buckets]
        acc = []
        for b in buckets:
            w = by.get(b, {}).get("winner") or {"won": 0, "lost": 0}
            n = w["won"] + w["lost"]
            acc.append(w["won"] / n if n else float("nan"))
        xs = [i + k * width for i in range(len(buckets))]
        axes[0].bar(xs, mae, width, label=name)
        axes[1].bar(xs, acc, width, label=name)
    for ax, title in zip(axes, ("MAE of the margin (points)", "winner accuracy"), strict=True):
        ax.set_xticks([i + 0.4 - width / 2 for i in range(len(buckets))], buckets)
        ax.set_xlabel("week")
        ax.set_title(title)
        ax.legend()
    axes[1].set_ylim(0.4, 1.0)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def write_pick_report(report: Mapping[str, Any], out_dir: Path | str) -> dict[str, str]:
    """Write ``picks.json``, ``picks.md`` and ``picks.png`` into ``out_dir``; their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = {"json": str(out / "picks.json"), "markdown": str(out / "picks.md"),
             "plot_png": str(out / "picks.png")}
    Path(files["json"]).write_text(json.dumps(report, indent=2))
    lines = ["# Picks graded", "",
             f"{report['graded']} of {report['rows']} picks graded (seasons "
             f"{', '.join(map(str, report.get('seasons', [])))}); models fitted through "
             f"{report['train_through']} ({report['excluded_in_training_window']} picks in "
             f"that window left out, {report['unmatched_count']} unmatched). Every forecaster "
             "is scored on the same games; the market is the closing line "
             f"({report.get('games_with_line', 0)} games have one).", ""]
    forecasters = report.get("forecasters", {})
    if forecasters:
        lines += ["## All games", "", *_rows({n: f["all"] for n, f in forecasters.items()}),
                  ""]
        buckets = sorted({b for f in forecasters.values() for b in f["by_week"]},
                         key=["1-4", "5-9", "10+", "postseason"].index)
        for b in buckets:
            lines += [f"## Weeks {b}" if b != "postseason" else "## Postseason", "",
                      *_rows({n: f["by_week"][b] for n, f in forecasters.items()
                              if b in f["by_week"]}), ""]
        _plot(report, Path(files["plot_png"]))
        lines += ["![MAE and winner accuracy by week](picks.png)", ""]
    Path(files["markdown"]).write_text("\n".join(lines))
    return files
