"""Crafted raw engine output: a run whose numbers are known exactly."""

from __future__ import annotations

from typing import Any

from scriptohio.loadtest.recorder import RunRecorder
from scriptohio.monitor.outcomes import RequestOutcome

START = 1_700_000_000.0

METRICS_TEXT = """# TYPE process_cpu_seconds_total counter
process_cpu_seconds_total {cpu}
# TYPE process_resident_memory_bytes gauge
process_resident_memory_bytes {rss}
# TYPE scriptohio_cache_hits_total counter
scriptohio_cache_hits_total{{tier="l1"}} {hits}
# TYPE scriptohio_cache_misses_total counter
scriptohio_cache_misses_total{{tier="l1"}} {misses}
# TYPE scriptohio_pool_workers gauge
scriptohio_pool_workers{{pool="predict"}} 4
# TYPE scriptohio_breaker_state gauge
scriptohio_breaker_state{{dependency="redis"}} {breaker}
"""


def raw_run(*, seconds: int = 10, per_second: int = 100, latency_s: float = 0.05,
            shed_per_second: int = 0, rate_limited_per_second: int = 0,
            failures_per_second: int = 0, not_found_per_second: int = 0,
            scenario: str = "normal", arrival_rate: float | None = None) -> dict[str, Any]:
    """``seconds`` seconds of ``per_second`` requests each taking ``latency_s``; a closed-model
    run of ``scenario``, or an open-model one when ``arrival_rate`` is given."""
    from scriptohio.loadtest.scrape import parse_metrics

    rec = RunRecorder()
    for s in range(seconds):
        at = START + s + 0.5
        kinds = ([RequestOutcome.SHED] * shed_per_second
                 + [RequestOutcome.RATE_LIMITED] * rate_limited_per_second
                 + [RequestOutcome.CLIENT_ERROR] * not_found_per_second
                 + [RequestOutcome.SERVER_ERROR] * failures_per_second)
        kinds = [RequestOutcome.OK] * (per_second - len(kinds)) + kinds
        for i, outcome in enumerate(kinds):
            # error answers carry no X-Cache header
            rec.record(latency_s, outcome, cache=True if outcome is RequestOutcome.OK else None,
                       endpoint="/v1/predict" if i % 2 else "/v1/games", at=at)
    samples = [parse_metrics(METRICS_TEXT.format(cpu=0.5 * s, rss=100e6 + s * 1e6,
                                                 hits=90 * s, misses=10 * s,
                                                 breaker=2 if s == 3 else 0), START + s)
               for s in range(seconds + 1)]
    spec = {"host": "http://127.0.0.1:1", "scenario": scenario, "arrival_rate": arrival_rate}
    return {"spec": spec, "mode": "closed" if arrival_rate is None else "open",
            "workers": 0, "started_at": START, "ended_at": START + seconds,
            "recorder": rec.to_wire(), "users": [[START + s, 10 * (s + 1)] for s in range(seconds)],
            "server": [x.as_dict() for x in samples], "errors": [],
            "locust_requests": seconds * per_second}
