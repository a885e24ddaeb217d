"""Run reports: JSON (everything, re-loadable), Markdown (for a PR or a closing note), HTML.

``write_reports(result, directory)`` writes ``loadtest.json``, ``loadtest.md`` and
``loadtest.html`` and returns their paths by format.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scriptohio.loadtest.html_report import render_html
from scriptohio.loadtest.results import RunResult


def _ms(seconds: Any) -> str:
    return "-" if seconds is None else f"{float(seconds) * 1000:.1f}"


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _lag(server: dict[str, Any]) -> str:
    bound = server.get("event_loop_lag_p99_s")
    if bound is None:
        return "-"
    text = f"<= {bound * 1000:g} ms ({server.get('event_loop_lag_probes', 0)} probes)"
    own, wait = server.get("event_loop_own_lag_p99_s"), server.get("event_loop_cpu_wait_share")
    if own is not None:
        text += f"; beyond the loop thread's wait for a CPU <= {own * 1000:g} ms"
    if wait is not None:
        text += f"; the loop thread waited for a CPU {wait:.0%} of the run"
    return text


def _peak_row(peak: dict[str, float] | None) -> list[str]:
    if not peak:
        return []
    return [f"| at peak users (no ramp) | {_ms(peak['mean'])} | {_ms(peak['p50'])} | "
            f"{_ms(peak['p90'])} | {_ms(peak['p95'])} | {_ms(peak['p99'])} | "
            f"{_ms(peak['max'])} |"]


def _retry_line(s: dict[str, Any]) -> str:
    """The refusals users waited out: never to be read as "no refusals"."""
    retried = s.get("retried", {})
    if not s.get("retry_after"):
        return "Retry-After: not honoured (every answer final; a shed 503 is a failure at once)"
    return (f"Retry-After honoured (wait, retry; the outcomes above are final answers): "
            f"503 retried {retried.get('503', 0)}, 429 retried {retried.get('429', 0)}, "
            f"gave up {s.get('gave_up', 0)} (refused at every attempt, in the outcomes as their "
            f"last answer); attempts sent {s.get('attempts', s['requests'])}")


def render_markdown(result: RunResult) -> str:
    """A human-readable summary of one run."""
    s, g = result.summary, result.grade
    spec = result.spec
    lat = s["latency_s"]
    lines = [
        f"# Load test: {spec.get('scenario', '?')} -> grade {g['grade']} "
        f"(score {_fmt(g['score'])})",
        "",
        f"Host `{spec.get('host', '')}`, mode {s['mode']}, workers {s['workers']}, "
        f"duration {s['duration_s']:.1f} s, peak users {s['peak_users']}"
        + (f", arrival rate {spec['arrival_rate']} req/s" if spec.get("arrival_rate") else "")
        + ".",
        "",
        "## Grade-A criteria",
        "",
        "| criterion | value | threshold | verdict |",
        "|---|---|---|---|",
    ]
    for name, c in g["criteria"].items():
        note = f" ({c['note']})" if c.get("note") else ""
        lines.append(f"| {name} | {_fmt(c['value'])} | {_fmt(c['threshold'])} | "
                     f"{c['verdict']}{note} |")
    lines += [
        "",
        "## Client side",
        "",
        f"- requests: {s['requests']}, throughput {s['throughput_rps']:.1f} req/s",
        f"- success rate: {_fmt(s['success_rate'])}; failures {s['real_failures']} "
        "(5xx incl. 503s, timeouts, connection errors; a 4xx is never one), "
        f"intended rejections (429/503) {s['intended_rejections']}",
        f"- outcomes: {', '.join(f'{k} {v}' for k, v in s['outcomes'].items())}",
        f"- {_retry_line(s)}",
        f"- cache hit rate: {_fmt(s['cache_hit_rate'])} "
        f"(client X-Cache {_fmt(s['client_cache_hit_ratio'])})",
        "",
        "| latency (ms) | mean | p50 | p90 | p95 | p99 | max |",
        "|---|---|---|---|---|---|---|",
        f"| all | {_ms(lat['mean'])} | {_ms(lat['p50'])} | {_ms(lat['p90'])} | "
        f"{_ms(lat['p95'])} | {_ms(lat['p99'])} | {_ms(lat['max'])} |",
        *_peak_row(s.get("latency_at_peak_s")),
        "",
        "## Endpoints",
        "",
        "| endpoint | requests | failures | 503 retried | gave up | p50 ms | p95 ms | p99 ms "
        "| max ms |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, e in result.endpoints.items():
        el = e["latency_s"]
        retried = e.get("retried", {}).get("503", 0)
        lines.append(f"| `{name}` | {e['requests']} | {e['real_failures']} | {retried} | "
                     f"{e.get('gave_up', 0)} | {_ms(el['p50'])} | {_ms(el['p95'])} | "
                     f"{_ms(el['p99'])} | {_ms(el['max'])} |")
    server = s["server"]
    rss = server["rss_bytes_max"]
    lines += [
        "",
        "## Server (/metrics)",
        "",
        f"- scrapes: {server['scrapes']}; CPU % mean {_fmt(server['cpu_percent_mean'])}, "
        f"max {_fmt(server['cpu_percent_max'])}; peak RSS "
        f"{'-' if rss is None else f'{rss / 2**20:.1f} MiB'}",
        f"- cache hit ratio (server): {_fmt(server['cache_hit_ratio'])}",
        f"- event-loop lag P99 (server probes during the run): {_lag(server)}",
        f"- pools: {server['pools'] or '-'}",
        f"- breakers (last): {server['breakers'] or '-'}; non-zero during the run: "
        f"{server['breakers_seen'] or '-'}",
    ]
    if s["engine_errors"]:
        lines += ["", "## Engine errors (first ones)", ""]
        lines += [f"- `{e}`" for e in s["engine_errors"]]
    return "\n".join(lines) + "\n"


def write_reports(result: RunResult, directory: Path) -> dict[str, str]:
    """Write the three reports into ``directory``; returns {format: path}."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = {"json": directory / "loadtest.json", "markdown": directory / "loadtest.md",
             "html": directory / "loadtest.html"}
    paths["json"].write_text(json.dumps(result.to_dict(), indent=2), encoding="utf-8")
    markdown = render_markdown(result)
    paths["markdown"].write_text(markdown, encoding="utf-8")
    paths["html"].write_text(render_html(result, markdown), encoding="utf-8")
    return {k: str(v) for k, v in paths.items()}
