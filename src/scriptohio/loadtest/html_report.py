"""The HTML report: the Markdown figures plus plots over time, as one self-contained file.

Plots (PNG, embedded as base64): latency percentiles (p50/p95/p99 per second), throughput,
active users, errors by kind, server CPU % and memory. Uses matplotlib's object API
(``Figure``) with the Agg canvas, so no GUI backend or global pyplot state is involved.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from matplotlib.figure import Figure

if TYPE_CHECKING:
    from scriptohio.loadtest.results import RunResult

_KINDS = ("rate_limited", "shed", "client_error", "server_error", "connection")


def _png(title: str, ylabel: str, t: Sequence[float],
         series: dict[str, Sequence[float | None]]) -> str:
    fig = Figure(figsize=(8, 2.6), dpi=90)
    ax = fig.add_subplot()
    for label, values in series.items():
        points = [(x, y) for x, y in zip(t, values, strict=False) if y is not None]
        if points:
            ax.plot([p[0] for p in points], [p[1] for p in points], label=label)
    ax.set_title(title)
    ax.set_xlabel("seconds since start")
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    if len(series) > 1:
        ax.legend(loc="upper left", fontsize="small")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def plots(result: RunResult) -> dict[str, str]:
    """Plot name -> base64 PNG."""
    rows: list[dict[str, Any]] = result.timeline
    t = [float(r["t"]) for r in rows]
    mb = [None if r["rss_bytes"] is None else r["rss_bytes"] / 2**20 for r in rows]
    return {
        "latency": _png("Latency percentiles", "ms", t, {
            p: [None if r[p] is None else r[p] * 1000 for r in rows]
            for p in ("p50", "p95", "p99")}),
        "throughput": _png("Throughput", "requests/s", t,
                           {"requests": [r["requests"] for r in rows]}),
        "users": _png("Active users", "users", t, {"users": [r["users"] for r in rows]}),
        "errors": _png("Errors by kind (final answers) and 503s retried", "per second", t, {
            **{k: [r["outcomes"].get(k, 0) for r in rows] for k in _KINDS},
            "503 retried": [r.get("retried_503", 0) for r in rows]}),
        "cpu": _png("Server CPU", "% of a core", t, {"cpu": [r["cpu_percent"] for r in rows]}),
        "memory": _png("Server memory (RSS)", "MiB", t, {"rss": mb}),
    }


def render_html(result: RunResult, figures: str) -> str:
    """The page: ``figures`` (the Markdown report, shown as preformatted text) and the plots.

    The caller passes the Markdown in, so this module needs nothing from :mod:`.report`
    (which writes both).
    """
    images = "\n".join(
        f'<h3>{html.escape(name)}</h3><img alt="{html.escape(name)}" '
        f'src="data:image/png;base64,{data}">'
        for name, data in plots(result).items()
    )
    title = f"Load test {result.spec.get('scenario', '')}: grade {result.grade['grade']}"
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif;max-width:60em;margin:auto}"
        "pre{background:#f6f6f6;padding:1em;overflow-x:auto}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>"
        f"<pre>{html.escape(figures)}</pre>"
        f"<h2>Over time</h2>{images}</body></html>\n"
    )
