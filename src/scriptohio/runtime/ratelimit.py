"""Per-user rate limits on top of the ``limits`` library (fixed window).

``limits`` provides limit parsing, key naming and the storages (its Redis storage increments
and sets the expiry atomically in Lua); the fixed-window decision is made here from the
count ``incr`` returns, which saves one storage round trip per request.

Limits are strings such as ``"100/minute"``: one default plus optional per-role overrides.
Storage comes from a URL: ``memory://`` (this process only, clock injectable) or
``redis://host:port/db`` (shared, so the limit holds across every worker process).
A :class:`RateLimitDecision` carries what the HTTP layer needs for ``RateLimit-Limit``,
``RateLimit-Remaining``, ``RateLimit-Reset`` and ``Retry-After``.

If Redis fails, the limiter fails *open* (allows) and logs: an outage of the limiter must
not become an outage of the service. An optional breaker stops hammering a dead Redis.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from limits import RateLimitItem, parse
from limits.aio.storage import Storage
from limits.aio.strategies import FixedWindowRateLimiter
from limits.storage import storage_from_string

from scriptohio.breaker import CircuitBreaker
from scriptohio.clock import Clock
from scriptohio.errors import RateLimitedError
from scriptohio.runtime.clocked_storage import ClockedMemoryStorage

log = logging.getLogger(__name__)

DEFAULT_LIMIT = "100/minute"
DEFAULT_STORAGE_URL = "memory://"
DEFAULT_KEY_PREFIX = "scriptohio:ratelimit"
DEFAULT_EXEMPT_TYPES = frozenset({"health", "ready", "metrics"})
DEFAULT_STORAGE_TIMEOUT_S = 0.25


@dataclass(frozen=True, slots=True)
class RateLimitConfig:
    default: str = DEFAULT_LIMIT
    per_role: Mapping[str, str] = field(default_factory=dict)
    storage_url: str = DEFAULT_STORAGE_URL
    key_prefix: str = DEFAULT_KEY_PREFIX
    exempt_types: frozenset[str] = DEFAULT_EXEMPT_TYPES
    # A slow Redis must not hold requests: past this the limiter fails open.
    storage_timeout_s: float = DEFAULT_STORAGE_TIMEOUT_S


@dataclass(frozen=True, slots=True)
class RateLimitDecision:
    """Outcome of one hit: ``reset_after_s`` is seconds until the window resets."""

    allowed: bool
    limit: int
    remaining: int
    reset_after_s: float

    @property
    def retry_after_s(self) -> float:
        return 0.0 if self.allowed else max(self.reset_after_s, 0.0)

    def headers(self) -> dict[str, str]:
        """HTTP headers for this decision (``Retry-After`` only when denied)."""
        reset = str(max(0, math.ceil(self.reset_after_s)))
        headers = {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": reset,
        }
        if not self.allowed:
            headers["Retry-After"] = str(max(1, math.ceil(self.retry_after_s)))
        return headers


class RateLimitExceeded(RateLimitedError):
    """429 carrying the decision, so the HTTP layer can set the RateLimit-* headers."""

    def __init__(self, decision: RateLimitDecision) -> None:
        super().__init__(
            f"rate limit of {decision.limit} requests per window reached",
            retry_after=max(decision.retry_after_s, 1.0),
        )
        self.decision = decision


def _storage_for(config: RateLimitConfig, clock: Clock) -> Storage:
    url = config.storage_url
    if url.startswith("memory://"):
        return ClockedMemoryStorage(clock)
    if url.startswith(("redis://", "rediss://")):
        url = "async+" + url
    storage = storage_from_string(
        url, implementation="redispy", key_prefix=config.key_prefix,
        socket_timeout=config.storage_timeout_s,
        socket_connect_timeout=config.storage_timeout_s)
    if not isinstance(storage, Storage):
        raise ValueError(f"rate-limit storage {url!r} has no asyncio implementation")
    return storage


DEFAULT_RATE_LIMIT_CONFIG = RateLimitConfig()


class UserRateLimiter:
    """Counts hits per user id, with the limit of the user's role.

    ``clock`` must be wall-clock seconds (``time.time``) for Redis, whose expiry is absolute.
    """

    def __init__(
        self,
        config: RateLimitConfig = DEFAULT_RATE_LIMIT_CONFIG,
        *,
        clock: Clock = time.time,
        breaker: CircuitBreaker | None = None,
    ) -> None:
        self.config = config
        self._clock = clock
        self._breaker = breaker
        self._default = parse(config.default)
        self._per_role: dict[str, RateLimitItem] = {
            role: parse(limit) for role, limit in config.per_role.items()
        }
        self._storage = _storage_for(config, clock)
        self._strategy = FixedWindowRateLimiter(self._storage)

    def is_exempt(self, request_type: str) -> bool:
        return request_type in self.config.exempt_types

    def limit_for(self, role: str) -> RateLimitItem:
        return self._per_role.get(role, self._default)

    async def hit(self, user_id: str, role: str = "casual") -> RateLimitDecision:
        """Count one request for ``user_id`` and say whether it is within the limit."""
        item = self.limit_for(role)
        if self._breaker is not None and not self._breaker.try_acquire():
            return self._fail_open(item)
        started = self._clock()
        try:
            # The fixed-window strategy of ``limits`` (hit + get_window_stats) makes three
            # storage calls; incr already returns the count, so two suffice: one Redis round
            # trip less per request. Same keys and semantics as FixedWindowRateLimiter.
            key = item.key_for(user_id)
            count = await self._storage.incr(key, item.get_expiry())
            reset_at = await self._storage.get_expiry(key)
        except Exception:  # Redis down or slow: fail open, never fail the request
            log.warning("rate-limit storage failed; allowing request", exc_info=True)
            if self._breaker is not None:
                self._breaker.record_failure(self._clock() - started)
            return self._fail_open(item)
        if self._breaker is not None:
            self._breaker.record_success(self._clock() - started)
        return RateLimitDecision(
            allowed=count <= item.amount,
            limit=item.amount,
            remaining=max(0, item.amount - count),
            reset_after_s=max(0.0, reset_at - self._clock()),
        )

    async def check(self, user_id: str, role: str = "casual") -> RateLimitDecision:
        """Like :meth:`hit` but raises :class:`RateLimitExceeded` when denied."""
        decision = await self.hit(user_id, role)
        if not decision.allowed:
            raise RateLimitExceeded(decision)
        return decision

    async def reset_user(self, user_id: str, role: str = "casual") -> None:
        await self._strategy.clear(self.limit_for(role), user_id)

    async def aclose(self) -> None:
        """Close the Redis connections, if any (``limits`` offers no public close)."""
        client = getattr(getattr(self._storage, "bridge", None), "storage", None)
        close = getattr(client, "aclose", None)
        if close is not None:
            await close()

    def _fail_open(self, item: RateLimitItem) -> RateLimitDecision:
        return RateLimitDecision(True, item.amount, item.amount, float(item.get_expiry()))
