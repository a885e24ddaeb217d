"""The shared tier: Redis, reached through ``redis.asyncio``, never allowed to fail a request.

Every operation is bounded by a short timeout and guarded by a
:class:`~scriptohio.breaker.CircuitBreaker` (open after a few failures in a row, by default);
any Redis or network error is counted, converted into "no answer" (``None`` / ``False``) and
the local tiers go on serving.

Layout under ``namespace``: ``{ns}:v:{key}`` holds a packed value (JSON header line + stored
bytes, expiring with the entry), ``{ns}:t:{tag}`` is the set of keys carrying a tag, and the
channel ``{ns}:invalidate`` carries invalidations to every process (``{"keys": [...]}`` or
``{"tag": ...}``); ``{ns}:claim:{name}`` marks work one process took on for all (see
:meth:`SharedTier.claim`) and ``{ns}:i:{name}`` lists the keys that work stored (a JSON
array), so other processes can copy them in bulk (:meth:`SharedTier.get_indexed`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import orjson
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from scriptohio.breaker import BreakerConfig, CircuitBreaker

log = logging.getLogger(__name__)
T = TypeVar("T")
_FAILURES = (RedisError, OSError, TimeoutError, ConnectionError)
CLAIM_TIMEOUT_S = 2.0
CLAIM_RETRY_S = 30.0
#: values fetched per MGET by :meth:`SharedTier.get_indexed` (~1 MB of answers)
INDEX_BATCH = 500
#: Three failures in a row open the circuit for five seconds; one probe then decides.
DEFAULT_SHARED_BREAKER = BreakerConfig.consecutive(3, wait_in_open_s=5.0)


@dataclass(frozen=True, slots=True)
class SharedConfig:
    """Timeouts and names for the shared tier."""

    namespace: str = "scriptohio:cache"
    op_timeout: float = 0.05
    breaker: BreakerConfig = DEFAULT_SHARED_BREAKER
    listen_backoff_max: float = 2.0


@dataclass(frozen=True, slots=True)
class SharedValue:
    """A value as the shared tier returns it."""

    stored: bytes
    fresh_until_wall: float
    tags: tuple[str, ...]
    priority: int
    cost: float


def pack(value: SharedValue) -> bytes:
    """Serialise for Redis: one JSON header line, then the stored (codec-prefixed) bytes."""
    fresh = value.fresh_until_wall
    # JSON has no infinity: null means "no expiry".
    header = {
        "f": None if fresh == float("inf") else fresh,
        "t": value.tags,
        "p": value.priority,
        "c": value.cost,
    }
    return orjson.dumps(header) + b"\n" + value.stored


def unpack(blob: bytes) -> SharedValue:
    """Inverse of :func:`pack`."""
    head, _, stored = blob.partition(b"\n")
    meta = orjson.loads(head)
    fresh = float("inf") if meta["f"] is None else float(meta["f"])
    return SharedValue(stored, fresh, tuple(meta["t"]), int(meta["p"]), float(meta["c"]))


class SharedTier:
    """Redis-backed tier with timeouts, a breaker and pub/sub invalidation."""

    def __init__(
        self,
        url: str,
        *,
        config: SharedConfig = SharedConfig(),
        timer: Callable[[], float] = time.monotonic,
        client: aioredis.Redis | None = None,
    ) -> None:
        self.config = config
        self.breaker = CircuitBreaker("redis:shared-cache", config.breaker, clock=timer)
        self._client = client or aioredis.Redis.from_url(
            url,
            socket_timeout=config.op_timeout,
            socket_connect_timeout=config.op_timeout,
            retry_on_timeout=False,
        )
        self._url = url
        self._injected = client is not None
        self._patient: aioredis.Redis | None = None  # longer socket timeout, for claims
        self._background_down_until = float("-inf")
        self._timer = timer
        self._ns = config.namespace
        self.channel = f"{self._ns}:invalidate"
        self.errors = 0

    def _vkey(self, key: str) -> str:
        return f"{self._ns}:v:{key}"

    def _tkey(self, tag: str) -> str:
        return f"{self._ns}:t:{tag}"

    def _ikey(self, name: str) -> str:
        return f"{self._ns}:i:{name}"

    async def _guard(self, op: Callable[[], Awaitable[T]], default: T) -> T:
        """Run ``op`` if the breaker allows, within the timeout; ``default`` on any failure."""
        breaker = self.breaker
        if not breaker.try_acquire():
            return default
        started = self._timer()
        try:
            result = await asyncio.wait_for(op(), timeout=self.config.op_timeout * 2)
        except _FAILURES as exc:
            self.errors += 1
            breaker.record_failure(self._timer() - started)
            log.debug("shared tier unavailable: %r", exc)
            return default
        except BaseException:  # cancelled, or not Redis's fault: the permit must not leak
            breaker.release()
            raise
        breaker.record_success(self._timer() - started)
        return result

    async def get(self, key: str) -> SharedValue | None:
        """The shared value for ``key``, or None (absent, or Redis unavailable)."""
        blob = await self._guard(lambda: self._client.get(self._vkey(key)), None)
        if blob is None:
            return None
        try:
            return unpack(blob if isinstance(blob, bytes) else blob.encode())
        except (ValueError, KeyError, TypeError):
            return None

    async def set(self, key: str, value: SharedValue, ttl: float | None) -> bool:
        """Store ``value`` (expiring after ``ttl`` seconds if given); index its tags."""

        async def op() -> bool:
            await self._queue_set(self._client.pipeline(transaction=False),
                                  [(key, value, ttl)]).execute()
            return True

        return await self._guard(op, False)

    async def set_many(self, items: list[tuple[str, SharedValue, float | None]], *,
                       index: tuple[str, float | None] | None = None) -> bool:
        """Store many values in one pipeline. Bulk background work: like :meth:`claim`, it
        bypasses the request path's breaker, waits longer, and skips while Redis is down.

        ``index``: ``(name, ttl)``: also record the items' keys under ``name`` (expiring
        after ``ttl`` seconds if given), for :meth:`get_indexed`."""
        if not items or self._timer() < self._background_down_until:
            return False
        pipe = self._queue_set(self._patient_client().pipeline(transaction=False), items)
        if index is not None:
            name, ttl = index
            pipe.set(self._ikey(name), orjson.dumps([key for key, _v, _t in items]),
                     px=None if ttl is None else max(1, int(ttl * 1000)))
        try:
            await asyncio.wait_for(pipe.execute(), timeout=CLAIM_TIMEOUT_S * 2)
        except _FAILURES as exc:
            self._background_failed(exc)
            return False
        return True

    async def get_indexed(self, name: str) -> list[tuple[str, SharedValue]] | None:
        """The values whose keys :meth:`set_many` recorded under ``name`` (those still
        present), fetched ``INDEX_BATCH`` at a time; None if there is no such index or Redis
        is unavailable. Bulk background work, as :meth:`set_many`."""
        if self._timer() < self._background_down_until:
            return None
        client = self._patient_client()
        try:
            listed = await asyncio.wait_for(client.get(self._ikey(name)), timeout=CLAIM_TIMEOUT_S)
            if listed is None:
                return None
            keys = [str(k) for k in orjson.loads(listed)]
            out: list[tuple[str, SharedValue]] = []
            for i in range(0, len(keys), INDEX_BATCH):
                batch = keys[i:i + INDEX_BATCH]
                blobs = await asyncio.wait_for(client.mget([self._vkey(k) for k in batch]),
                                               timeout=CLAIM_TIMEOUT_S * 2)
                for key, blob in zip(batch, blobs, strict=True):
                    if blob is not None:
                        with contextlib.suppress(ValueError, KeyError, TypeError):
                            out.append((key, unpack(blob if isinstance(blob, bytes)
                                                    else blob.encode())))
        except _FAILURES as exc:
            self._background_failed(exc)
            return None
        except (orjson.JSONDecodeError, TypeError):
            log.warning("ignoring malformed shared index %r", name)
            return None
        return out

    def _queue_set(self, pipe: Any, items: list[tuple[str, SharedValue, float | None]]) -> Any:
        for key, value, ttl in items:
            pipe.set(self._vkey(key), pack(value),
                     px=None if ttl is None else max(1, int(ttl * 1000)))
            for tag in value.tags:
                pipe.sadd(self._tkey(tag), key)
        return pipe

    async def claim(self, name: str, ttl_s: float, owner: str = "") -> bool:
        """Take ``name`` for ``ttl_s`` seconds if no process holds it (``SET NX``).

        True when this caller should do the work: it won the claim, or Redis is unavailable
        (fail open: better to do work twice than not at all). Claims guard background work,
        not requests: they bypass the request path's breaker and wait longer (a loaded Redis
        or a busy loop answers late), and after a failure they fail open at once for
        ``CLAIM_RETRY_S`` instead of waiting on a dead Redis again."""
        if self._timer() < self._background_down_until:
            return True
        try:
            won = await asyncio.wait_for(self._patient_client().set(
                f"{self._ns}:claim:{name}", owner or "1", nx=True,
                px=max(1, int(ttl_s * 1000))), timeout=CLAIM_TIMEOUT_S)
        except _FAILURES as exc:
            self._background_failed(exc)
            return True
        return bool(won)

    def _background_failed(self, exc: BaseException) -> None:
        self.errors += 1
        self._background_down_until = self._timer() + CLAIM_RETRY_S
        log.warning("shared tier unavailable for background work (%r); retrying in %.0f s",
                    exc, CLAIM_RETRY_S)

    def _patient_client(self) -> aioredis.Redis:
        if self._injected:
            return self._client
        if self._patient is None:
            self._patient = aioredis.Redis.from_url(
                self._url, socket_timeout=CLAIM_TIMEOUT_S,
                socket_connect_timeout=CLAIM_TIMEOUT_S, retry_on_timeout=False)
        return self._patient

    async def delete(self, keys: list[str]) -> bool:
        """Delete ``keys`` from the shared tier."""
        if not keys:
            return True

        async def op() -> bool:
            await self._client.delete(*(self._vkey(k) for k in keys))
            return True

        return await self._guard(op, False)

    async def delete_tag(self, tag: str) -> list[str]:
        """Delete every key carrying ``tag`` and the tag set; return those keys."""

        async def op() -> list[str]:
            members = await self._client.smembers(self._tkey(tag))
            keys = sorted(m.decode() if isinstance(m, bytes) else str(m) for m in members)
            pipe = self._client.pipeline(transaction=False)
            if keys:
                pipe.delete(*(self._vkey(k) for k in keys))
            pipe.delete(self._tkey(tag))
            await pipe.execute()
            return keys

        return await self._guard(op, [])

    async def publish(self, message: dict[str, Any]) -> bool:
        """Tell every process (this one included) to drop local copies."""

        async def op() -> bool:
            await self._client.publish(self.channel, orjson.dumps(message))
            return True

        return await self._guard(op, False)

    async def listen(
        self, on_message: Callable[[dict[str, Any]], None], stop: asyncio.Event
    ) -> None:
        """Deliver invalidation messages until ``stop`` is set; survives Redis restarts."""
        backoff = 0.05
        while not stop.is_set():
            pubsub = self._client.pubsub()
            try:
                await pubsub.subscribe(self.channel)
                backoff = 0.05
                while not stop.is_set():
                    msg = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.2)
                    if msg is not None and msg.get("type") == "message":
                        try:
                            on_message(orjson.loads(msg["data"]))
                        except (orjson.JSONDecodeError, TypeError):
                            log.warning("ignoring malformed invalidation message")
            except _FAILURES as exc:
                self.errors += 1
                log.debug("invalidation listener lost Redis: %r", exc)
            finally:
                try:
                    await asyncio.wait_for(pubsub.aclose(), timeout=self.config.op_timeout)
                except (*_FAILURES, RuntimeError):
                    pass
            if not stop.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=backoff)
                backoff = min(backoff * 2, self.config.listen_backoff_max)

    async def close(self) -> None:
        """Release connections."""
        with contextlib.suppress(*_FAILURES):
            await asyncio.wait_for(self._client.aclose(), timeout=self.config.op_timeout * 4)
        if self._patient is not None:
            with contextlib.suppress(*_FAILURES):
                await asyncio.wait_for(self._patient.aclose(), timeout=self.config.op_timeout * 4)
