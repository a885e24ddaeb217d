"""What a response means for the run: success, an intended rejection, or a real failure.

The service is *meant* to answer 429 when a caller exceeds its quota and 503 when it sheds
load or a dependency's breaker is open; counting those as failures would hide the difference
between a service protecting itself and a broken one. They are counted apart:

===============  ====================================================================
outcome          when
===============  ====================================================================
ok               2xx / 3xx
rate_limited     429 (intended: the caller's quota)
shed             503 (intended: admission control / open breaker)
client_error     other 4xx (a real failure: the load generator sent something wrong)
server_error     other 5xx (a real failure)
connection       no HTTP status: refused, reset, timed out
===============  ====================================================================
"""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    OK = "ok"
    RATE_LIMITED = "rate_limited"
    SHED = "shed"
    CLIENT_ERROR = "client_error"
    SERVER_ERROR = "server_error"
    CONNECTION = "connection"

    @property
    def is_real_failure(self) -> bool:
        return self in (Outcome.CLIENT_ERROR, Outcome.SERVER_ERROR, Outcome.CONNECTION)

    @property
    def is_intended_rejection(self) -> bool:
        return self in (Outcome.RATE_LIMITED, Outcome.SHED)


def classify(status: int | None) -> Outcome:
    """Outcome of a response with HTTP ``status`` (None or 0 = no response at all)."""
    if not status:
        return Outcome.CONNECTION
    if status < 400:
        return Outcome.OK
    if status == 429:
        return Outcome.RATE_LIMITED
    if status == 503:
        return Outcome.SHED
    if status < 500:
        return Outcome.CLIENT_ERROR
    return Outcome.SERVER_ERROR


def cache_hit(x_cache: str | None) -> bool | None:
    """``X-Cache`` header -> hit (True), miss/stale (False), not cacheable (None)."""
    if not x_cache:
        return None
    return x_cache.strip().lower().startswith("hit")
