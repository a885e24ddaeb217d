"""Grade-A validation of a whole run: the monitor's criteria applied to the run's summary.

The criteria, thresholds and score are :func:`scriptohio.monitor.grade.grade` (one
definition for the live monitor and for load tests). This module only says which run figure
feeds which criterion:

================  =================================================================
criterion         run figure
================  =================================================================
p95_latency_s     client latency P95 over every answered or failed request
avg_latency_s     client latency mean
throughput_rps    requests completed / run duration
success_rate      ok / (requests - 429s): a 429 is the caller's quota doing its job,
                  so it neither counts for nor against the service; a 503 (shed or
                  breaker open) is a request the service did not serve and counts against
cache_hit_rate    ``X-Cache: hit-*`` share of cacheable answers seen by the client; when
                  the client saw no ``X-Cache`` header, the server's scraped hit ratio
================  =================================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scriptohio.monitor.grade import DEFAULT_CRITERIA, Criterion, GradeResult, grade


def criteria_values(summary: Mapping[str, Any]) -> dict[str, float | None]:
    """The criterion inputs of a run summary (see the table above)."""
    latency = summary.get("latency_s", {})
    requests = int(summary.get("requests", 0))
    return {
        "p95_latency_s": latency.get("p95") if requests else None,
        "avg_latency_s": latency.get("mean") if requests else None,
        "throughput_rps": summary.get("throughput_rps") if requests else None,
        "success_rate": summary.get("success_rate"),
        "cache_hit_rate": summary.get("cache_hit_rate"),
    }


def grade_run(
    summary: Mapping[str, Any], criteria: tuple[Criterion, ...] = DEFAULT_CRITERIA
) -> GradeResult:
    """Verdict per criterion, score and letter for a run summary."""
    return grade(criteria_values(summary), criteria)


def grade_as_dict(result: GradeResult) -> dict[str, Any]:
    return {"score": result.score, "grade": result.grade, "passed": result.passed,
            "criteria": result.criteria()}
