"""``compare(a, b)``: how run B differs from run A, metric by metric.

Each metric reports both values, the relative change and whether B is *better* (taking
the metric's direction into account: lower latency, higher throughput and success).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scriptohio.loadtest.results import RunResult

#: (label, path into the summary, True when higher is better)
METRICS: tuple[tuple[str, tuple[str, ...], bool], ...] = (
    ("throughput_rps", ("throughput_rps",), True),
    ("latency_mean_s", ("latency_s", "mean"), False),
    ("latency_p50_s", ("latency_s", "p50"), False),
    ("latency_p90_s", ("latency_s", "p90"), False),
    ("latency_p95_s", ("latency_s", "p95"), False),
    ("latency_p99_s", ("latency_s", "p99"), False),
    ("latency_max_s", ("latency_s", "max"), False),
    ("success_rate", ("success_rate",), True),
    ("real_failures", ("real_failures",), False),
    ("intended_rejections", ("intended_rejections",), False),
    ("cache_hit_rate", ("cache_hit_rate",), True),
    ("requests", ("requests",), True),
)


def _load(run: RunResult | str | Path) -> RunResult:
    return run if isinstance(run, RunResult) else RunResult.load(run)


def _get(summary: dict[str, Any], path: tuple[str, ...]) -> float | None:
    node: Any = summary
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return None if node is None else float(node)


def compare(a: RunResult | str | Path, b: RunResult | str | Path) -> dict[str, Any]:
    """Metric table of B against A (paths to ``loadtest.json`` files or results)."""
    ra, rb = _load(a), _load(b)
    metrics: dict[str, dict[str, Any]] = {}
    for label, path, higher_better in METRICS:
        va, vb = _get(ra.summary, path), _get(rb.summary, path)
        change = None if va in (None, 0) or vb is None else (vb - va) / va
        better = None
        if va is not None and vb is not None and va != vb:
            better = vb > va if higher_better else vb < va
        metrics[label] = {"a": va, "b": vb, "change": change, "b_better": better}
    return {
        "a": {"scenario": ra.spec.get("scenario"), "grade": ra.grade["grade"],
              "score": ra.grade["score"]},
        "b": {"scenario": rb.spec.get("scenario"), "grade": rb.grade["grade"],
              "score": rb.grade["score"]},
        "metrics": metrics,
    }


def comparison_markdown(table: dict[str, Any]) -> str:
    lines = [f"A: {table['a']['scenario']} grade {table['a']['grade']} ({table['a']['score']}); "
             f"B: {table['b']['scenario']} grade {table['b']['grade']} ({table['b']['score']})",
             "", "| metric | A | B | change | B better |", "|---|---|---|---|---|"]
    for name, m in table["metrics"].items():
        change = "-" if m["change"] is None else f"{m['change']:+.1%}"
        better = "-" if m["b_better"] is None else ("yes" if m["b_better"] else "no")
        a, b = ("-" if v is None else f"{v:.4g}" for v in (m["a"], m["b"]))
        lines.append(f"| {name} | {a} | {b} | {change} | {better} |")
    return "\n".join(lines) + "\n"
