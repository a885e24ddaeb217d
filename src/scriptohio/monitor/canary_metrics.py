"""Canary events -> per-version series on ``/metrics`` and the canary section of the status
and the dashboard.

Series (labels: a model version, an arm, an outcome; never a caller):

* ``scriptohio_model_requests_total{model_version, arm, outcome}``: prediction requests while
  a canary was known, by the version that answered (``outcome="fallback"``: the candidate
  failed and the stable version answered);
* ``scriptohio_model_request_seconds{model_version, arm}``: their latency;
* ``scriptohio_canary_margin_divergence_points`` and ``scriptohio_canary_win_prob_divergence``
  ``{candidate}``: the paired comparisons of the candidate's answers with the stable ones;
* ``scriptohio_canary_share{candidate}``: the share of callers it serves now (0 once ended);
* ``scriptohio_canary_transitions_total{event}``: starts, advances, promotions, aborts seen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from scriptohio.events import EventBus
from scriptohio.models.canary_events import CanaryChanged, CanaryCompared, ModelServed
from scriptohio.monitor.metrics import HTTP_BUCKETS

__all__ = ["CanaryMonitor"]

MARGIN_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 20.0)
WIN_PROB_BUCKETS = (0.005, 0.01, 0.02, 0.05, 0.08, 0.1, 0.2, 0.5)


class CanaryMonitor:
    """Subscribes to the canary events; ``summary`` is the last canary state heard of."""

    def __init__(self, bus: EventBus, registry: CollectorRegistry) -> None:
        r = registry
        self.requests = Counter("scriptohio_model_requests",
                                "Prediction requests by the model version that answered.",
                                ("model_version", "arm", "outcome"), registry=r)
        self.latency = Histogram("scriptohio_model_request_seconds",
                                 "Prediction request latency by model version.",
                                 ("model_version", "arm"), buckets=HTTP_BUCKETS, registry=r)
        self.margin_divergence = Histogram(
            "scriptohio_canary_margin_divergence_points",
            "|candidate margin - stable margin| on the same question.", ("candidate",),
            buckets=MARGIN_BUCKETS, registry=r)
        self.win_prob_divergence = Histogram(
            "scriptohio_canary_win_prob_divergence",
            "|candidate home win prob - stable home win prob| on the same question.",
            ("candidate",), buckets=WIN_PROB_BUCKETS, registry=r)
        self.share = Gauge("scriptohio_canary_share", "Share of callers the candidate serves.",
                           ("candidate",), registry=r, multiprocess_mode="max")
        self.transitions = Counter("scriptohio_canary_transitions",
                                   "Canary starts, advances, promotions and aborts seen.",
                                   ("event",), registry=r)
        self.summary: dict[str, Any] | None = None
        self._seen: tuple[Any, ...] = ()
        self._subscriptions: list[Callable[[], None]] = [
            bus.subscribe(ModelServed, self._served),
            bus.subscribe(CanaryCompared, self._compared),
            bus.subscribe(CanaryChanged, self._changed)]

    def _served(self, e: ModelServed) -> None:
        self.requests.labels(e.model_version, e.arm, e.outcome).inc()
        self.latency.labels(e.model_version, e.arm).observe(e.seconds)

    def _compared(self, e: CanaryCompared) -> None:
        self.margin_divergence.labels(e.candidate).observe(e.margin_diff)
        self.win_prob_divergence.labels(e.candidate).observe(e.win_prob_diff)

    def _changed(self, e: CanaryChanged) -> None:
        s = e.summary
        self.summary = s
        self.share.labels(s["candidate"]).set(s["share"])
        key = (s["id"], s["status"], s["stage"])
        if key != self._seen:
            self._seen = key
            last = s["timeline"][-1]["event"] if s["timeline"] else "start"
            self.transitions.labels(last).inc()

    def section(self) -> dict[str, Any] | None:
        """The canary for the status and the dashboard: no timeline beyond its last 10."""
        if self.summary is None:
            return None
        return {**self.summary, "timeline": self.summary["timeline"][-10:]}

    def close(self) -> None:
        for unsubscribe in self._subscriptions:
            unsubscribe()
        self._subscriptions.clear()
