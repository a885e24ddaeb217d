"""Retries for idempotent work, bounded by a retry budget.

:class:`RetryPolicy` says how often and how far apart; :class:`RetryBudget` (as in Finagle
and Envoy) caps retries to a fraction of recent first attempts, so a failing dependency
sees at most ``1 + ratio`` times its normal load instead of a retry storm.
"""

from __future__ import annotations

from dataclasses import dataclass

from scriptohio.errors import CallerError, CircuitOpenError, DeadlineExceededError

DEFAULT_MAX_ATTEMPTS = 3
DEFAULT_BACKOFF_S = 0.01
DEFAULT_BUDGET_RATIO = 0.2
DEFAULT_BUDGET_MIN_TOKENS = 10.0


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    backoff_s: float = DEFAULT_BACKOFF_S
    backoff_multiplier: float = 2.0
    max_backoff_s: float = 0.5

    def backoff(self, attempt: int) -> float:
        """Pause before attempt number ``attempt + 1`` (``attempt`` counts from 1)."""
        return min(self.max_backoff_s, self.backoff_s * self.backoff_multiplier ** (attempt - 1))


DEFAULT_RETRY_POLICY = RetryPolicy()


def is_retryable(error: BaseException) -> bool:
    """Transient service failures are; caller errors, open circuits and deadlines are not."""
    if isinstance(error, CallerError | CircuitOpenError | DeadlineExceededError):
        return False
    return isinstance(error, Exception)


class RetryBudget:
    """Token bucket: each first attempt deposits ``ratio`` tokens, each retry spends one."""

    def __init__(
        self,
        ratio: float = DEFAULT_BUDGET_RATIO,
        *,
        initial_tokens: float = DEFAULT_BUDGET_MIN_TOKENS,
        max_tokens: float = 100.0,
    ) -> None:
        self._ratio = ratio
        self._max = max_tokens
        self.tokens = initial_tokens

    def record_request(self) -> None:
        self.tokens = min(self._max, self.tokens + self._ratio)

    def try_spend(self) -> bool:
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False
