"""Per-request measurements of a run, bucketed per wall-clock second, mergeable as plain data.

Each process of a run (the local runner, or every Locust worker) owns one
:class:`RunRecorder`. Workers periodically :meth:`~RunRecorder.drain` their recorder into a
wire dict (encoded histograms, counters; msgpack- and JSON-safe) that rides on Locust's
``report_to_master`` event; the master :meth:`~RunRecorder.merge` s them. Buckets are keyed by
the epoch second the request completed in, so buckets from different processes line up.

A *request* is what a user asked for, recorded once with its final answer; a refusal the user
waited out and sent again (:mod:`scriptohio.loadtest.retry`) is a *retry*, counted by status
in the second it was answered, never as a request. ``gave_up`` counts the requests whose every
attempt was refused (they keep their last answer's outcome).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from scriptohio.loadtest.histogram import LatencyHistogram
from scriptohio.monitor.outcomes import RequestOutcome

Wire = dict[str, Any]


def cache_hit(x_cache: str | None) -> bool | None:
    """``X-Cache`` header -> hit (True), miss/stale (False), not cacheable (None)."""
    if not x_cache:
        return None
    return x_cache.strip().lower().startswith("hit")


@dataclass(slots=True)
class Tally:
    """Latencies, outcomes and cache answers of one bucket (a second, or an endpoint)."""

    hist: LatencyHistogram = field(default_factory=LatencyHistogram)
    outcomes: Counter[str] = field(default_factory=Counter)
    cache_hits: int = 0
    cache_lookups: int = 0
    retried: Counter[str] = field(default_factory=Counter)  # status -> refusals retried
    gave_up: int = 0

    def record(self, latency_s: float, outcome: RequestOutcome, cache: bool | None,
               gave_up: bool = False) -> None:
        self.hist.record(latency_s)
        self.outcomes[outcome.value] += 1
        self.gave_up += int(gave_up)
        if cache is not None:
            self.cache_lookups += 1
            self.cache_hits += int(cache)

    def to_wire(self) -> Wire:
        return {"hist": self.hist.encode(), "outcomes": dict(self.outcomes),
                "cache_hits": self.cache_hits, "cache_lookups": self.cache_lookups,
                "retried": dict(self.retried), "gave_up": self.gave_up}

    def merge(self, wire: Wire) -> None:
        if wire["hist"] and sum(wire["outcomes"].values()):  # retries only: no latencies
            self.hist.add_encoded(wire["hist"])
        self.outcomes.update({str(k): int(v) for k, v in wire["outcomes"].items()})
        self.cache_hits += int(wire["cache_hits"])
        self.cache_lookups += int(wire["cache_lookups"])
        self.retried.update({str(k): int(v) for k, v in wire.get("retried", {}).items()})
        self.gave_up += int(wire.get("gave_up", 0))


class RunRecorder:
    """All measurements of one process: overall, per second and per endpoint."""

    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self.total = Tally()
        self.seconds: dict[int, Tally] = {}
        self.endpoints: dict[str, Tally] = {}

    def record(
        self,
        latency_s: float,
        outcome: RequestOutcome,
        *,
        cache: bool | None = None,
        endpoint: str = "",
        at: float | None = None,
        gave_up: bool = False,
    ) -> None:
        """One finished request; ``at`` (epoch s) defaults to now; ``gave_up``: its every
        attempt was refused."""
        second = int(self._clock() if at is None else at)
        for tally in self._tallies(second, endpoint):
            tally.record(latency_s, outcome, cache, gave_up)

    def retry(self, status: int, *, endpoint: str = "", at: float | None = None) -> None:
        """A refused attempt (``status`` 503 or 429) that its user will send again."""
        second = int(self._clock() if at is None else at)
        for tally in self._tallies(second, endpoint):
            tally.retried[str(status)] += 1

    def _tallies(self, second: int, endpoint: str) -> tuple[Tally, Tally, Tally]:
        return (self.total, self.seconds.setdefault(second, Tally()),
                self.endpoints.setdefault(endpoint, Tally()))

    def to_wire(self) -> Wire:
        return {
            "total": self.total.to_wire(),
            "seconds": {str(s): t.to_wire() for s, t in self.seconds.items()},
            "endpoints": {name: t.to_wire() for name, t in self.endpoints.items()},
        }

    def drain(self) -> Wire:
        """The measurements since the last drain, as wire data; the recorder starts afresh."""
        wire = self.to_wire()
        self.total = Tally()
        self.seconds = {}
        self.endpoints = {}
        return wire

    def merge(self, wire: Wire) -> None:
        """Add another recorder's wire data (e.g. a worker's drained report)."""
        self.total.merge(wire["total"])
        for second, tally in wire["seconds"].items():
            self.seconds.setdefault(int(second), Tally()).merge(tally)
        for name, tally in wire["endpoints"].items():
            self.endpoints.setdefault(str(name), Tally()).merge(tally)
