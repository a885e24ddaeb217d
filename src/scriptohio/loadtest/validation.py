"""Grade-A validation of a whole run: the monitor's criteria applied to the run's summary.

The criteria, thresholds and score are :func:`scriptohio.monitor.grade.grade`, and a failure
is what :mod:`scriptohio.monitor.outcomes` says it is (one definition for the live monitor and
for load tests). This module only says which run figure feeds which criterion:

================  =================================================================
criterion         run figure
================  =================================================================
p95_latency_s     client latency P95 over every answered or failed request
avg_latency_s     client latency mean
throughput_rps    requests completed / run duration, judged by what was offered:

                  * open model (``--rate R``): passes above 95 % of R -- the service
                    completed what it was sent;
                  * closed model, a scenario meant to saturate (``stress``,
                    ``stress-2000``): the plan's > 100 req/s (A+ > 200) -- the
                    throughput is the service's capacity;
                  * other closed-model runs: reported, not graded -- thinking users
                    offer what they offer (100 ``normal`` users ~35 req/s), and a
                    closed loop completes what it sends, so the figure says nothing
                    about the service that latency does not already say
success_rate      1 - failures / requests: failures are 5xx (a 503 from shedding
                  included), timeouts and connection errors; a 4xx (404, 422, 429) is
                  the service doing its job and never counts against it
cache_hit_rate    ``X-Cache: hit-*`` share of cacheable answers seen by the client; when
                  the client saw no ``X-Cache`` header, the server's scraped hit ratio
================  =================================================================

A run without requests has no data for any criterion: grade ``"no data"``, which does not
pass the gate.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scriptohio.monitor.grade import (
    DEFAULT_CRITERIA,
    THROUGHPUT,
    Criterion,
    GradeResult,
    grade,
    reported_only,
    throughput_of_offered,
    with_criterion,
)

CLOSED_NOT_SATURATING = ("closed-model run not meant to saturate: the rate the thinking users "
                         "offered")


def criteria_values(summary: Mapping[str, Any]) -> dict[str, float | None]:
    """The criterion inputs of a run summary (see the table above)."""
    if not int(summary.get("requests", 0)):
        # nothing was answered: no criterion has data (the server's cache ratio, if scraped,
        # counts someone else's lookups)
        return dict.fromkeys(("p95_latency_s", "avg_latency_s", "throughput_rps",
                              "success_rate", "cache_hit_rate"))
    latency = summary.get("latency_s", {})
    return {
        "p95_latency_s": latency.get("p95"),
        "avg_latency_s": latency.get("mean"),
        "throughput_rps": summary.get("throughput_rps"),
        "success_rate": summary.get("success_rate"),
        "cache_hit_rate": summary.get("cache_hit_rate"),
    }


def throughput_criterion(summary: Mapping[str, Any]) -> Criterion:
    """What a run's throughput is judged against (see the table above)."""
    offered = summary.get("offered_rps")
    if offered:
        return throughput_of_offered(float(offered))
    if summary.get("saturating"):
        return THROUGHPUT
    return reported_only(THROUGHPUT, CLOSED_NOT_SATURATING)


def run_criteria(summary: Mapping[str, Any]) -> tuple[Criterion, ...]:
    """The criteria a run is graded by: the plan's, with its throughput criterion."""
    return with_criterion(throughput_criterion(summary), DEFAULT_CRITERIA)


def grade_run(summary: Mapping[str, Any]) -> GradeResult:
    """Verdict per criterion, score and letter for a run summary."""
    return grade(criteria_values(summary), run_criteria(summary))


def grade_as_dict(result: GradeResult) -> dict[str, Any]:
    return {"score": result.score, "grade": result.grade, "passed": result.passed,
            "criteria": result.criteria()}
