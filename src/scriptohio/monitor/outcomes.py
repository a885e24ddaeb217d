"""What an answer means for the service's grade: served, refused on purpose, or a failure.

One definition for everything that judges the service -- the live monitor's sliding window and
its error counter (:mod:`~scriptohio.monitor.core`, :mod:`~scriptohio.monitor.http_recorder`)
and the load tester's success rate (:mod:`scriptohio.loadtest.results`) -- so a request
is a failure in the dashboard exactly when it is one in a load-test report.

A **failure** is the service not doing its job: a 5xx answer (other than the readiness probe
while the service is still loading), a timeout or a lost connection. A 4xx is the service
doing its job -- an unknown team is a 404 with suggestions, an out-of-range week a 422 naming
the range, a caller over its quota a 429 -- so it is never a failure. ``GET /ready`` answers
503 until data and models are loaded: that is the probe telling the balancer to wait, not a
request the service failed to serve.

==============  ================================================  ========
outcome         when                                              failure
==============  ================================================  ========
ok              2xx / 3xx                                         no
client_error    4xx other than 429 (bad input, unknown team)      no
rate_limited    429 (the caller's quota)                          no
not_ready       503 from the readiness probe (``/ready``)         no
shed            other 503: admission control, breaker open,       yes
                a ``/v1`` request before the service was ready
server_error    other 5xx (500, 504 deadline exceeded, ...)       yes
connection      no HTTP status: refused, reset, timed out         yes
==============  ================================================  ========

A 503 from load shedding is the service protecting itself, but the request was not served:
it counts against the success rate (the report still lists it apart from other 5xx).
"""

from __future__ import annotations

from enum import StrEnum

#: Route templates of readiness probes: their 503 means "still loading", not a failure.
READINESS_ROUTES = frozenset({"/ready"})


class RequestOutcome(StrEnum):
    OK = "ok"
    CLIENT_ERROR = "client_error"
    RATE_LIMITED = "rate_limited"
    NOT_READY = "not_ready"
    SHED = "shed"
    SERVER_ERROR = "server_error"
    CONNECTION = "connection"

    @property
    def is_failure(self) -> bool:
        """The service did not do its job (see the module docstring)."""
        return self in _FAILURES

    @property
    def is_intended_rejection(self) -> bool:
        """The service refused on purpose: a caller's quota (429) or shedding load (503)."""
        return self in (RequestOutcome.RATE_LIMITED, RequestOutcome.SHED)


_FAILURES = frozenset({RequestOutcome.SHED, RequestOutcome.SERVER_ERROR,
                       RequestOutcome.CONNECTION})
# Module-level names: an enum member looked up on its class costs a descriptor call, and the
# monitor classifies every request it times.
_OK, _CLIENT_ERROR, _RATE_LIMITED = (RequestOutcome.OK, RequestOutcome.CLIENT_ERROR,
                                     RequestOutcome.RATE_LIMITED)
_NOT_READY, _SHED, _SERVER_ERROR, _CONNECTION = (RequestOutcome.NOT_READY, RequestOutcome.SHED,
                                                 RequestOutcome.SERVER_ERROR,
                                                 RequestOutcome.CONNECTION)


def classify(status: int | None, route: str = "") -> RequestOutcome:
    """Outcome of an answer with HTTP ``status`` (None or 0 = no answer at all) on ``route``
    (the route template, e.g. ``/v1/teams/{team}``, or the load tester's endpoint name)."""
    if not status:
        return _CONNECTION
    if status < 400:
        return _OK
    if status == 429:
        return _RATE_LIMITED
    if status < 500:
        return _CLIENT_ERROR
    if status == 503:
        return _NOT_READY if route in READINESS_ROUTES else _SHED
    return _SERVER_ERROR


def is_failure(status: int | None, route: str = "") -> bool:
    """Whether an answer with ``status`` on ``route`` is a failure of the service."""
    return classify(status, route) in _FAILURES
