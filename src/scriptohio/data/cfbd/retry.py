"""How long to wait before asking CollegeFootballData.com again: a pure decision, no I/O.

Retried: HTTP 429 and 5xx answers, timeouts and dropped connections. Not retried: other 4xx
answers (a bad key, a bad query: asking again will not help) and malformed payloads. The wait
is ``Retry-After`` when the server sends one (capped), else exponential backoff.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_ATTEMPTS = 4
DEFAULT_BASE_DELAY_S = 0.5
DEFAULT_MAX_DELAY_S = 30.0
#: a Retry-After longer than this is not waited for: the pull fails with a clear error instead
DEFAULT_MAX_RETRY_AFTER_S = 120.0


def retryable_status(status: int) -> bool:
    return status == 429 or 500 <= status <= 599


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds form); ``None`` if absent or odd."""
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None  # the HTTP-date form: fall back to backoff
    return max(0.0, seconds)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = DEFAULT_ATTEMPTS
    base_delay_s: float = DEFAULT_BASE_DELAY_S
    max_delay_s: float = DEFAULT_MAX_DELAY_S
    max_retry_after_s: float = DEFAULT_MAX_RETRY_AFTER_S

    def delay(self, attempt: int, retry_after: float | None = None) -> float | None:
        """Seconds to wait after failed ``attempt`` (1-based), or ``None``: give up."""
        if attempt >= self.attempts:
            return None
        if retry_after is not None:
            return None if retry_after > self.max_retry_after_s else retry_after
        return min(self.max_delay_s, self.base_delay_s * 2 ** (attempt - 1))
