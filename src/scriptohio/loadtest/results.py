"""A finished run: raw engine output -> summary, timeline, per-endpoint table and grade.

The engine process writes *raw* measurements (encoded histograms, counters, user and server
samples). Everything derived -- percentiles, rates, the timeline, the grade -- is computed
here, in the calling process, by pure functions, so reports and verdicts can be tested on
crafted raw data without running Locust.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scriptohio.loadtest.histogram import LatencyHistogram
from scriptohio.loadtest.recorder import RunRecorder, Tally
from scriptohio.loadtest.scrape import ServerSample, cpu_percent, summarize_server
from scriptohio.loadtest.shapes import SCENARIOS
from scriptohio.loadtest.validation import grade_as_dict, grade_run
from scriptohio.monitor.outcomes import RequestOutcome


@dataclass(slots=True)
class RunResult:
    """Everything a report shows; JSON round-trips through :meth:`to_dict` / :meth:`load`."""

    spec: dict[str, Any]
    summary: dict[str, Any]
    grade: dict[str, Any]
    timeline: list[dict[str, Any]] = field(default_factory=list)
    endpoints: dict[str, dict[str, Any]] = field(default_factory=dict)
    histogram: str = ""  # encoded HdrHistogram of every request: lets two runs be merged
    report_files: dict[str, str] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """The CI gate: Grade A or A+."""
        return bool(self.grade.get("passed"))

    def to_dict(self) -> dict[str, Any]:
        return {"spec": self.spec, "summary": self.summary, "grade": self.grade,
                "timeline": self.timeline, "endpoints": self.endpoints,
                "histogram": self.histogram}

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> RunResult:
        return cls(dict(raw["spec"]), dict(raw["summary"]), dict(raw["grade"]),
                   list(raw.get("timeline", [])), dict(raw.get("endpoints", {})),
                   str(raw.get("histogram", "")))

    @classmethod
    def load(cls, path: str | Path) -> RunResult:
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


def _counts(outcomes: Mapping[str, int]) -> dict[str, int]:
    return {o.value: int(outcomes.get(o.value, 0)) for o in RequestOutcome}


def _rates(counts: Mapping[str, int]) -> tuple[int, int, float | None]:
    """(requests, failures, success rate): the share of requests that did not fail, with
    failures as the monitor defines them (:mod:`scriptohio.monitor.outcomes`)."""
    total = sum(counts.values())
    failures = sum(counts[o.value] for o in RequestOutcome if o.is_failure)
    return total, failures, (1.0 - failures / total if total else None)


def _retries(tally: Tally) -> dict[str, Any]:
    """The refusals users waited out and retried (by status), and the requests that gave up."""
    return {"retried": {"503": int(tally.retried.get("503", 0)),
                        "429": int(tally.retried.get("429", 0))},
            "gave_up": tally.gave_up}


def build_result(raw: Mapping[str, Any]) -> RunResult:
    """Derive the result of a run from the engine's raw output."""
    recorder = RunRecorder()
    recorder.merge(raw["recorder"])
    started, ended = float(raw["started_at"]), float(raw["ended_at"])
    duration = max(ended - started, 1e-9)
    counts = _counts(recorder.total.outcomes)
    total, failures, success = _rates(counts)
    samples = [ServerSample.from_dict(s) for s in raw.get("server", [])]
    server = summarize_server(samples)
    tally = recorder.total
    client_cache = tally.cache_hits / tally.cache_lookups if tally.cache_lookups else None
    users = [(float(t), int(n)) for t, n in raw.get("users", [])]
    peak = max((n for _, n in users), default=0)
    spec = raw.get("spec", {})
    mode = raw.get("mode", "closed")
    scenario = SCENARIOS.get(str(spec.get("scenario", "")))
    summary: dict[str, Any] = {
        "mode": mode,
        # What the throughput criterion is judged against (see validation.py).
        "offered_rps": spec.get("arrival_rate") if mode == "open" else None,
        "saturating": mode == "closed" and scenario is not None and scenario.saturates,
        "workers": int(raw.get("workers", 0)),
        "duration_s": duration,
        "requests": total,
        "throughput_rps": total / duration,
        "latency_s": tally.hist.summary(),
        "outcomes": counts,
        "real_failures": failures,
        "intended_rejections": counts["rate_limited"] + counts["shed"],
        # Users honour Retry-After (unless the run said not to): a refusal they retried is not
        # in the outcomes above, which are final answers; it is counted here, by status.
        "retry_after": bool(spec.get("retry_after", False)),
        **_retries(tally),
        "attempts": total + sum(tally.retried.values()),
        "success_rate": success,
        "client_cache_hit_ratio": client_cache,
        "cache_hit_rate": client_cache if client_cache is not None
        else server["cache_hit_ratio"],
        "peak_users": peak,
        "latency_at_peak_s": _latency_at_peak(recorder, users, peak),
        "locust_requests": raw.get("locust_requests"),
        "server": server,
        "engine_errors": list(raw.get("errors", [])),
    }
    result = RunResult(dict(spec), summary, grade_as_dict(grade_run(summary)),
                       _timeline(recorder, users, samples, started, ended),
                       _endpoints(recorder), tally.hist.encode())
    return result


def _timeline(recorder: RunRecorder, users: list[tuple[float, int]],
              samples: list[ServerSample], started: float,
              ended: float) -> list[dict[str, Any]]:
    # The load window only: samplers keep ticking while the engine stops and drains.
    seconds = range(int(started), math.ceil(ended))
    cpu = {int(t): v for t, v in cpu_percent(samples)}
    rss = {int(s.at): s.rss_bytes for s in samples if s.rss_bytes is not None}
    users_at = {int(t): n for t, n in users}
    rows: list[dict[str, Any]] = []
    last_users = 0
    for second in seconds:
        tally = recorder.seconds.get(second)
        last_users = users_at.get(second, last_users)
        counts = _counts(tally.outcomes if tally else {})
        # a second without answers (none, or retried refusals only) is a gap, not 0 ms
        hist = tally.hist if tally and tally.hist.count else None
        rows.append({
            "t": second - int(started), "requests": sum(counts.values()),
            "p50": hist.percentile(50) if hist else None,
            "p95": hist.percentile(95) if hist else None,
            "p99": hist.percentile(99) if hist else None,
            "max": hist.max_s if hist else None, "outcomes": counts, "users": last_users,
            "retried_503": int(tally.retried.get("503", 0)) if tally else 0,
            "cpu_percent": cpu.get(second), "rss_bytes": rss.get(second),
        })
    return rows


def _latency_at_peak(recorder: RunRecorder, users: list[tuple[float, int]],
                     peak: int) -> dict[str, float] | None:
    """Latency over the seconds with the peak user count: the hold phase without the ramp.

    Spawning users costs the generator CPU; while it spawns hundreds of users a second the
    in-flight requests' measured latency includes that pause. The whole-run figures (and the
    grade) keep it; this figure shows the service under the full load without it.
    """
    if not peak or not recorder.seconds:
        return None
    seconds = {int(t) for t, n in users if n == peak}
    hist = LatencyHistogram()
    for second in seconds:
        if (tally := recorder.seconds.get(second)) is not None:
            hist.add(tally.hist)
    return hist.summary() if hist.count else None


def _endpoints(recorder: RunRecorder) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name, tally in sorted(recorder.endpoints.items()):
        counts = _counts(tally.outcomes)
        total, failures, success = _rates(counts)
        out[name] = {"requests": total, "real_failures": failures, "success_rate": success,
                     "outcomes": counts, **_retries(tally), "latency_s": tally.hist.summary()}
    return out
