"""Crafted raw engine output: a run whose numbers are known exactly."""

from __future__ import annotations

from typing import Any

from scriptohio.loadtest.outcomes import Outcome
from scriptohio.loadtest.recorder import RunRecorder

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
            failures_per_second: int = 0) -> dict[str, Any]:
    """``seconds`` seconds of ``per_second`` requests each taking ``latency_s``."""
    from scriptohio.loadtest.scrape import parse_metrics

    rec = RunRecorder()
    for s in range(seconds):
        at = START + s + 0.5
        ok = per_second - shed_per_second - rate_limited_per_second - failures_per_second
        for i in range(per_second):
            outcome = (Outcome.OK if i < ok else
                       Outcome.SHED if i < ok + shed_per_second else
                       Outcome.RATE_LIMITED if i < ok + shed_per_second + rate_limited_per_second
                       else Outcome.SERVER_ERROR)
            rec.record(latency_s, outcome, cache=outcome is Outcome.OK,
                       endpoint="/v1/predict" if i % 2 else "/v1/games", at=at)
    samples = [parse_metrics(METRICS_TEXT.format(cpu=0.5 * s, rss=100e6 + s * 1e6,
                                                 hits=90 * s, misses=10 * s,
                                                 breaker=2 if s == 3 else 0), START + s)
               for s in range(seconds + 1)]
    return {"spec": {"host": "http://127.0.0.1:1", "scenario": "normal"}, "mode": "closed",
            "workers": 0, "started_at": START, "ended_at": START + seconds,
            "recorder": rec.to_wire(), "users": [[START + s, 10 * (s + 1)] for s in range(seconds)],
            "server": [x.as_dict() for x in samples], "errors": [],
            "locust_requests": seconds * per_second}
