"""Per-user rate limits: a ``limits`` strategy over a ``limits`` storage.

The window algorithm is one of ``limits``' strategies, picked by name
(``RateLimitConfig.strategy``, default ``"fixed-window"``; see ``limits.aio.strategies``). For
the fixed window the limiter counts a hit itself, in one storage call that returns the count
and the window's end together, with the keys and the increment ``limits`` uses
(:func:`window_counter`); other strategies are ``limits``' ``hit`` and ``get_window_stats``. The
storage comes from a URL: ``memory://`` (this process only) or ``redis://host:port/db``
(shared, so the limit holds across every worker process). Strategies import storage, never
the reverse: a new window is a new strategy name, a new backend a new URL.

``memory://`` is :class:`~scriptohio.runtime.clocked_storage.ClockedMemoryStorage`, a
``limits`` storage whose clock is injected, so the limiter's tests step a fake clock instead of
sleeping; Redis keeps time itself (its expiry is absolute, so the limiter's clock must then be
wall-clock ``time.time``).

Limits are strings such as ``"100/minute"``: one default plus optional per-role overrides. A
:class:`RateLimitDecision` carries what HTTP needs and is the one place the ``RateLimit-Limit``,
``RateLimit-Remaining``, ``RateLimit-Reset`` and ``Retry-After`` headers are built.

If the storage fails, the limiter fails *open* (allows): an outage of the limiter must not
become an outage of the service. A breaker stops hammering a dead Redis and logs one line per
state change; each request let through unchecked is a
:class:`~scriptohio.runtime.telemetry.RateLimitFailedOpen` event (a counter on /metrics), not a
log line (a Redis outage under load once wrote 200,000 tracebacks in 20 s).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from limits import RateLimitItem, parse
from limits.aio.storage import Storage
from limits.aio.strategies import STRATEGIES, FixedWindowRateLimiter, RateLimiter
from limits.storage import storage_from_string

from scriptohio.breaker import CircuitBreaker
from scriptohio.clock import Clock
from scriptohio.runtime.clocked_storage import ClockedMemoryStorage
from scriptohio.runtime.telemetry import RateLimitFailedOpen

log = logging.getLogger(__name__)

DEFAULT_LIMIT = "100/minute"
DEFAULT_STRATEGY = "fixed-window"
DEFAULT_STORAGE_URL = "memory://"
DEFAULT_KEY_PREFIX = "scriptohio:ratelimit"
DEFAULT_STORAGE_TIMEOUT_S = 0.25
#: limits' incr_expire.lua (INCRBY; EXPIRE when the key is new), and the key's PTTL: the fixed
#: window's count and end in one round trip
_INCR_EXPIRE_PTTL = """
local amount = tonumber(ARGV[2])
local current = redis.call("incrby", KEYS[1], amount)
if tonumber(current) == amount then
    redis.call("expire", KEYS[1], ARGV[1])
end
return {current, redis.call("pttl", KEYS[1])}
"""

#: count one hit in a fixed window: key, expiry seconds -> (count, when the window ends)
WindowCounter = Callable[[str, int], Awaitable[tuple[int, float]]]


def window_counter(storage: Storage, clock: Clock) -> WindowCounter | None:
    """One call per hit for the fixed window: :class:`ClockedMemoryStorage`'s
    ``incr_with_expiry``, or a Lua script on ``limits``' Redis connection, under the key
    ``limits`` uses (so its strategies and ours count the same keys). None for a storage this
    does not know: then ``limits``' ``hit`` and ``get_window_stats`` (three calls)."""
    if isinstance(storage, ClockedMemoryStorage):
        return storage.incr_with_expiry
    bridge: Any = getattr(storage, "bridge", None)
    if not (hasattr(bridge, "get_connection") and hasattr(bridge, "prefixed_key")):
        return None
    script: Any = None

    async def count(key: str, expiry: int) -> tuple[int, float]:
        nonlocal script
        if script is None:  # registering is local; Redis loads it on first use
            script = bridge.get_connection().register_script(_INCR_EXPIRE_PTTL)
        current, pttl = await script([bridge.prefixed_key(key)], [expiry, 1])
        return int(current), clock() + max(0, int(pttl)) / 1000

    return count


@dataclass(frozen=True, slots=True)
class RateLimitConfig:
    default: str = DEFAULT_LIMIT
    per_role: Mapping[str, str] = field(default_factory=dict)
    #: a name in ``limits.aio.strategies.STRATEGIES``: fixed-window, moving-window, ...
    strategy: str = DEFAULT_STRATEGY
    storage_url: str = DEFAULT_STORAGE_URL
    #: Redis keys start with it; Redis connections carry it as their client name
    key_prefix: str = DEFAULT_KEY_PREFIX
    # A slow Redis must not hold requests: past this the limiter fails open.
    storage_timeout_s: float = DEFAULT_STORAGE_TIMEOUT_S


DEFAULT_RATE_LIMIT_CONFIG = RateLimitConfig()


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

    def raw_headers(self) -> list[tuple[bytes, bytes]]:
        """The HTTP headers of this decision, as ASGI wants them (``Retry-After`` when denied)."""
        headers = [
            (b"ratelimit-limit", str(self.limit).encode()),
            (b"ratelimit-remaining", str(self.remaining).encode()),
            (b"ratelimit-reset", str(max(0, math.ceil(self.reset_after_s))).encode()),
        ]
        if not self.allowed:
            headers.append((b"retry-after", str(max(1, math.ceil(self.retry_after_s))).encode()))
        return headers

    def headers(self) -> dict[str, str]:
        """:meth:`raw_headers` by their usual spelling, for people and tests."""
        return {_SPELLING[name]: value.decode() for name, value in self.raw_headers()}


_SPELLING = {b"ratelimit-limit": "RateLimit-Limit", b"ratelimit-remaining": "RateLimit-Remaining",
             b"ratelimit-reset": "RateLimit-Reset", b"retry-after": "Retry-After"}


def _key_for(item: Any, *identifiers: bytes | str | int | float) -> str:
    if len(identifiers) == 1 and type(identifiers[0]) is str:
        return f"{item.namespace}/{identifiers[0]}/{item.suffix}"
    return cast(str, super(type(item), item).key_for(*identifiers))


_FAST_KEYED: dict[type[RateLimitItem], type[RateLimitItem]] = {}


def with_fast_keys(item: RateLimitItem) -> RateLimitItem:
    """``item``, whose ``key_for`` builds the key ``limits`` builds, faster.

    The key is built on every hit (and, for strategies other than the fixed window, on each
    of their storage calls). ``limits``' ``key_for`` makes a list and converts every part
    each time (~1 µs); for the one string identifier the limiter passes (the user id), a
    format string over a suffix made once does the same (a test pins the keys equal, so
    processes on either side share counters).
    """
    base = type(item)
    keyed = _FAST_KEYED.get(base)
    if keyed is None:
        keyed = _FAST_KEYED[base] = cast(type[RateLimitItem], type(
            f"FastKeyed{base.__name__}", (base,), {"__slots__": ("suffix",), "key_for": _key_for}))
    fast: Any = keyed(item.amount, item.multiples, item.namespace)
    fast.suffix = f"{item.amount}/{item.multiples}/{base.GRANULARITY.name}"
    return cast(RateLimitItem, fast)


def storage_for(config: RateLimitConfig, clock: Clock) -> Storage:
    """The ``limits`` storage named by ``config.storage_url``."""
    url = config.storage_url
    if url.startswith("memory://"):
        return ClockedMemoryStorage(clock)
    if url.startswith(("redis://", "rediss://")):
        url = "async+" + url
    storage = storage_from_string(
        url, implementation="redispy", key_prefix=config.key_prefix,
        client_name=config.key_prefix, socket_timeout=config.storage_timeout_s,
        socket_connect_timeout=config.storage_timeout_s)
    if not isinstance(storage, Storage):
        raise ValueError(f"rate-limit storage {url!r} has no asyncio implementation")
    return storage


def strategy_for(config: RateLimitConfig, storage: Storage) -> RateLimiter:
    """The ``limits`` strategy named by ``config.strategy`` over ``storage``."""
    try:
        strategy: Callable[[Storage], RateLimiter] = STRATEGIES[config.strategy]
    except KeyError:
        raise ValueError(f"unknown rate-limit strategy {config.strategy!r}; "
                         f"strategies: {', '.join(sorted(STRATEGIES))}") from None
    return strategy(storage)


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
        emit: Callable[[object], None] | None = None,
    ) -> None:
        self.config = config
        self._clock = clock
        self._breaker = breaker
        self._emit = emit
        self._default = with_fast_keys(parse(config.default))
        self._per_role: dict[str, RateLimitItem] = {
            role: with_fast_keys(parse(limit)) for role, limit in config.per_role.items()
        }
        self._items: dict[str, RateLimitItem] = {}
        self._storage = storage_for(config, clock)
        self._strategy = strategy_for(config, self._storage)
        self._counter = (window_counter(self._storage, clock)
                         if type(self._strategy) is FixedWindowRateLimiter else None)

    def limit_for(self, role: str) -> RateLimitItem:
        return self._per_role.get(role, self._default)

    async def hit(self, user_id: str, role: str = "casual") -> RateLimitDecision:
        """Count one request for ``user_id`` and say whether it is within the limit."""
        return await self._hit(self.limit_for(role), user_id)

    async def _hit(self, item: RateLimitItem, user_id: str) -> RateLimitDecision:
        breaker = self._breaker
        if breaker is not None and not breaker.try_acquire():
            return self._fail_open(item, "breaker_open")
        started = self._clock()
        try:
            allowed, remaining, reset_time = await self._count(item, user_id)
        except Exception:  # storage down or slow: fail open, never fail the request
            log.debug("rate-limit storage failed; allowing request", exc_info=True)
            if breaker is not None:
                breaker.record_failure(self._clock() - started)
            return self._fail_open(item, "error")
        except BaseException:  # cancelled: says nothing about the storage
            if breaker is not None:
                breaker.release()
            raise
        now = self._clock()
        if breaker is not None:
            breaker.record_success(now - started)
        return RateLimitDecision(allowed=allowed, limit=item.amount, remaining=remaining,
                                 reset_after_s=max(0.0, reset_time - now))

    async def _count(self, item: RateLimitItem, user_id: str) -> tuple[bool, int, float]:
        """Count the hit: (allowed, remaining, when the window resets).

        The fixed window asks the storage once (:func:`window_counter`) where ``limits`` asks
        it three times (its ``hit`` increments; its ``get_window_stats`` reads the count, then
        the expiry): over Redis, one round trip per limit per request instead of three.
        """
        if self._counter is None:
            allowed = await self._strategy.hit(item, user_id)
            stats = await self._strategy.get_window_stats(item, user_id)
            return allowed, stats.remaining, stats.reset_time
        count, reset = await self._counter(item.key_for(user_id), item.get_expiry())
        return count <= item.amount, max(0, item.amount - count), reset

    async def hit_key(self, key: str, limit: str) -> RateLimitDecision:
        """Count one hit against ``key`` under its own ``limit`` (e.g. "20/minute"): a limit
        that is not a user's, such as per-address counts."""
        item = self._items.get(limit)
        if item is None:
            item = self._items[limit] = with_fast_keys(parse(limit))
        return await self._hit(item, key)

    async def aclose(self) -> None:
        """Close the Redis connections, if any (``limits`` offers no public close)."""
        client = getattr(getattr(self._storage, "bridge", None), "storage", None)
        close = getattr(client, "aclose", None)
        if close is not None:
            await close()

    def _fail_open(self, item: RateLimitItem, reason: str) -> RateLimitDecision:
        if self._emit is not None:
            self._emit(RateLimitFailedOpen(reason))
        return RateLimitDecision(True, item.amount, item.amount, float(item.get_expiry()))
