"""What a client does with a refusal that says when to come back: pure, no Locust.

A service that sheds load answers 503 (or 429 for a caller over its quota) with
``Retry-After``: the request was refused *before any work was done*, and the header says when
to try again. A production client waits and retries; the load tester's users do the same
unless the run is told not to (``--no-retry-after``), so a run measures what a user of such a
client sees -- and counts the refusals it retried apart (``retried`` and ``gave_up`` in the
results), so that a retried shed is never mistaken for no shed.

:class:`RetryPolicy` decides; :mod:`scriptohio.loadtest.locust_users` waits and sends again.

* Only 503 and 429 *with* a ``Retry-After`` are retried: without the header the service did
  not say the refusal is temporary. Connection errors, 5xx other than 503, and 4xx other than
  429 are final answers.
* Every method is retried, POST too (the shipped HAProxy configuration never replays a POST:
  it cannot know whether the replica did the work). A 503 or 429 with ``Retry-After`` from this
  service or its balancer is nearly always a refusal at the door -- admission, the edge queue
  bound, the rate limiter -- where no work was done. The exception: a job submission whose
  store wrote the job but did not confirm it answers 503 too (docs/api.md), and a retry of
  it makes a second job.
* The wait is the header's seconds (delta-seconds or an HTTP-date), at most ``max_wait_s``
  (a client does not wait minutes for an interactive answer), plus up to ``jitter_s`` of
  random jitter so refused users do not come back in one wave.
* At most ``max_attempts`` attempts in all; a request refused every time *gave up* and keeps
  its last answer's outcome (a 503 is then a failure, a 429 a rate-limited answer).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

DEFAULT_RETRY_ATTEMPTS = 3
DEFAULT_RETRY_MAX_WAIT_S = 5.0
DEFAULT_RETRY_JITTER_S = 0.25
RETRIED_STATUSES = frozenset({429, 503})


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds from ``now``: delta-seconds or an HTTP-date (RFC 9110
    10.2.3); None when absent or unreadable. A date in the past is 0."""
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How a client honours ``Retry-After`` (see the module docstring)."""

    max_attempts: int = DEFAULT_RETRY_ATTEMPTS
    max_wait_s: float = DEFAULT_RETRY_MAX_WAIT_S
    jitter_s: float = DEFAULT_RETRY_JITTER_S

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be >= 1, got {self.max_attempts}")
        if self.max_wait_s < 0 or self.jitter_s < 0:
            raise ValueError("max_wait_s and jitter_s must be >= 0")

    @staticmethod
    def refused(status: int, retry_after: str | None) -> bool:
        """A refusal that says when to come back (503/429 with a readable ``Retry-After``)."""
        return status in RETRIED_STATUSES and retry_after_seconds(retry_after) is not None

    def next_wait_s(self, status: int, retry_after: str | None, attempt: int,
                    rng: random.Random) -> float | None:
        """Seconds to wait before attempt ``attempt + 1`` after this answer to attempt
        ``attempt`` (1-based); None when this answer is final."""
        seconds = retry_after_seconds(retry_after) if status in RETRIED_STATUSES else None
        if seconds is None or attempt >= self.max_attempts:
            return None
        return min(seconds, self.max_wait_s) + rng.uniform(0.0, self.jitter_s)


@dataclass(slots=True)
class Attempts:
    """One request's attempts so far. It rides in Locust's request context from the sending
    user to the engine's listener, which records a refused attempt the user will retry as a
    retry, and only the final answer as the request (latency from ``first_at``)."""

    first_at: float  # perf_counter when the request was meant to go out (its first attempt)
    sent_at: float  # perf_counter when this attempt went out
    number: int = 1
    retrying: bool = False  # this attempt's answer is a refusal the user will retry
    gave_up: bool = False  # the final answer is a refusal: every attempt was refused
