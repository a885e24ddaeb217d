"""Daily, weekly and monthly performance reports from the metric history (``scriptohio report``).

A report compares the period that ends now with the one before it: a summary table (mean,
worst, previous mean, change), the grade over the period's means, bottlenecks found in the
period's averages, recommendations, and PNG plots next to the report file.
"""

from __future__ import annotations

import datetime as dt
import html
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from scriptohio.errors import ValidationError
from scriptohio.monitor.bottleneck import STAGES, BottleneckSignals, detect_bottlenecks
from scriptohio.monitor.grade import GradeResult, grade_service
from scriptohio.monitor.history import DAY_S, HistoryStore, Point
from scriptohio.monitor.report_plots import PLOTS, draw

#: A month is 30 days: the month before it still lies in the hourly tier (90 days kept).
PERIODS = {"daily": DAY_S, "weekly": 7 * DAY_S, "monthly": 30 * DAY_S}
FORMATS = ("md", "html")
#: (metric, label, unit, scale, lower is better)
SUMMARY_ROWS = (
    ("p95_latency_s", "P95 latency", "ms", 1000.0, True),
    ("avg_latency_s", "Average latency", "ms", 1000.0, True),
    ("throughput_rps", "Throughput", "req/s", 1.0, False),
    ("error_rate", "Error rate", "%", 100.0, True),
    ("cache_hit_rate", "Cache hit rate", "%", 100.0, False),
    ("system_cpu", "System CPU", "%", 100.0, True),
    ("system_memory", "Memory", "%", 100.0, True),
    ("loop_lag_s", "Event-loop lag", "ms", 1000.0, True),
    ("alerts_firing", "Alerts firing", "mean count", 1.0, True),
)
TREND_ALERT = 0.2  # a 20 % move the wrong way earns a recommendation


@dataclass(frozen=True, slots=True)
class MetricSummary:
    metric: str
    mean: float | None
    worst: float | None
    previous: float | None

    @property
    def change(self) -> float | None:
        if self.mean is None or not self.previous:
            return None
        return (self.mean - self.previous) / abs(self.previous)


def _mean(points: list[Point]) -> float | None:
    return sum(p.avg for p in points) / len(points) if points else None


def summarize(
    current: Mapping[str, list[Point]], previous: Mapping[str, list[Point]], metric: str,
    lower_is_better: bool,
) -> MetricSummary:
    now = current.get(metric, [])
    worst = (max(p.hi for p in now) if lower_is_better else min(p.lo for p in now)) if now else None
    return MetricSummary(metric, _mean(now), worst, _mean(previous.get(metric, [])))


def build_report(
    state_dir: str | Path,
    period: str,
    fmt: str = "md",
    out_dir: str | Path = "reports",
    *,
    now: float | None = None,
) -> Path:
    """Write the report for the ``period`` ending at ``now``; returns the report file path."""
    if period not in PERIODS:
        raise ValidationError(f"period must be one of {sorted(PERIODS)}, not {period!r}")
    if fmt not in FORMATS:
        raise ValidationError(f"format must be one of {list(FORMATS)}, not {fmt!r}")
    now = time.time() if now is None else now
    span = PERIODS[period]
    store = HistoryStore(state_dir, clock=lambda: now)
    try:
        resolution = 60 if period == "daily" else 3600
        names = store.metrics()
        current = {m: store.series(m, now - span, now, resolution_s=resolution) for m in names}
        previous = {
            m: store.series(m, now - 2 * span, now - span, resolution_s=resolution) for m in names
        }
    finally:
        store.close()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"report-{period}-{dt.datetime.fromtimestamp(now, dt.UTC):%Y%m%d-%H%M}"
    rows = [(summarize(current, previous, m, low), label, unit, scale, low)
            for m, label, unit, scale, low in SUMMARY_ROWS]
    means = {m: _mean(points) for m, points in current.items()}
    result = grade_service(means)
    findings = _findings(means, rows)
    prev_means = {m: _mean(points) for m, points in previous.items()}
    plots = [p for spec in PLOTS
             if (p := draw(spec, current, prev_means, out / f"{stem}-{spec.key}.png"))]
    start = dt.datetime.fromtimestamp(now - span, dt.UTC)
    end = dt.datetime.fromtimestamp(now, dt.UTC)
    title = (f"Script Ohio {period} performance report, "
             f"{start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC")
    path = out / f"{stem}.{fmt}"
    render = _markdown if fmt == "md" else _html
    path.write_text(render(title, result, rows, findings, plots), encoding="utf-8")
    return path


def _findings(
    means: Mapping[str, float | None], rows: list[tuple[MetricSummary, str, str, float, bool]]
) -> list[tuple[str, str]]:
    """(finding, recommendation) pairs: bottlenecks of the period, then adverse trends."""
    cpu = means.get("process_cpu")
    cores = means.get("cpu_count") or 1.0
    signals = BottleneckSignals(
        stage_s={s: v for s in STAGES if (v := means.get(f"stage_{s}_s")) is not None},
        process_cpu=None if cpu is None else min(1.0, cpu * cores),
        loop_lag_s=means.get("loop_lag_s"),
        redis_latency_s=means.get("redis_latency_s"),
        cache_hit_rate=means.get("cache_hit_rate"),
    )
    out = [(f"{b.kind} ({b.severity}): {b.evidence}", b.recommendation)
           for b in detect_bottlenecks(signals)]
    for summary, label, _unit, _scale, low in rows:
        change = summary.change
        if change is not None and (change > TREND_ALERT if low else change < -TREND_ALERT):
            out.append((
                f"{label} moved {change:+.0%} against the previous period",
                f"Investigate what changed for {label.lower()} (deploys, traffic mix, data size).",
            ))
    return out


def _fmt(value: float | None, scale: float) -> str:
    return "n/a" if value is None else f"{value * scale:.2f}"


def _table(rows: list[tuple[MetricSummary, str, str, float, bool]]) -> list[list[str]]:
    table = [["Metric", "Mean", "Worst", "Previous mean", "Change"]]
    for s, label, unit, scale, _low in rows:
        change = "n/a" if s.change is None else f"{s.change:+.1%}"
        table.append([f"{label} ({unit})", _fmt(s.mean, scale), _fmt(s.worst, scale),
                      _fmt(s.previous, scale), change])
    return table


def _criteria_table(result: GradeResult) -> list[list[str]]:
    table = [["Criterion", "Value", "Threshold", "Verdict"]]
    for v in result.verdicts:
        table.append([v.name, "n/a" if v.value is None else f"{v.value:.4g}",
                      "n/a" if v.threshold is None else f"{v.threshold:g}", v.verdict])
    return table


def _grade_text(result: GradeResult) -> tuple[str, str]:
    """(headline, rest of the sentence) of the grade; "no data" is said in words."""
    if result.score is None:
        return "Grade: no data", "no requests were answered in this period."
    return f"Grade {result.grade}", f"score {result.score:.1f} / 100."


def _markdown(
    title: str, result: GradeResult, rows: list[tuple[MetricSummary, str, str, float, bool]],
    findings: list[tuple[str, str]], plots: list[Path],
) -> str:
    head, rest = _grade_text(result)
    lines = [f"# {title}", "", f"**{head}**, {rest}", ""]
    for heading, table in (("Criteria (the period's means)", _criteria_table(result)),
                           ("Summary", _table(rows))):
        lines += [f"## {heading}", "", "| " + " | ".join(table[0]) + " |",
                  "|" + "---|" * len(table[0])]
        lines += ["| " + " | ".join(r) + " |" for r in table[1:]]
        lines += [""]
    lines += ["## Bottlenecks and recommendations", ""]
    lines += [f"- {f}. **Recommendation:** {r}" for f, r in findings] or ["- None found."]
    lines += ["", "## Plots", ""] + [f"![{p.stem}]({p.name})" for p in plots]
    return "\n".join(lines) + "\n"


def _html(
    title: str, result: GradeResult, rows: list[tuple[MetricSummary, str, str, float, bool]],
    findings: list[tuple[str, str]], plots: list[Path],
) -> str:
    e = html.escape

    def html_table(table: list[list[str]]) -> str:
        head = "".join(f"<th>{e(c)}</th>" for c in table[0])
        body = "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>"
                       for r in table[1:])
        return f"<table border='1'><tr>{head}</tr>{body}</table>"

    items = "".join(f"<li>{e(f)}. <b>Recommendation:</b> {e(r)}</li>" for f, r in findings)
    images = "".join(f'<img src="{e(p.name)}" alt="{e(p.stem)}">' for p in plots)
    grade_head, grade_rest = _grade_text(result)
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{e(title)}</title></head>"
        f"<body><h1>{e(title)}</h1><p><b>{e(grade_head)}</b>, {e(grade_rest)}</p>"
        f"<h2>Criteria (the period's means)</h2>{html_table(_criteria_table(result))}"
        f"<h2>Summary</h2>{html_table(_table(rows))}<h2>Bottlenecks and recommendations</h2>"
        f"<ul>{items or '<li>None found.</li>'}</ul><h2>Plots</h2>{images}</body></html>\n"
    )
