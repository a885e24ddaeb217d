"""The state stores' Redis: one connection setup, one breaker, one conversion of its errors.

Jobs, API keys, lesson progress and a model canary live in the state directory (SQLite, a
JSON file) or, when the service has ``SCRIPTOHIO_REDIS_URL``, in Redis, so that every replica
reads one state. Each Redis-backed store reaches Redis through a :class:`RedisState`:

* a synchronous ``redis-py`` client with short socket timeouts (the calls are single keys or
  short Lua scripts; the stores are synchronous, as their SQLite twins are);
* its keys under one ``namespace`` (:meth:`RedisState.key`);
* every call behind a :class:`~scriptohio.breaker.CircuitBreaker` (three failures in a row
  open it for five seconds, as the shared cache tier's and the limiter's do), so a Redis that
  does not answer costs a few timeouts and then fails at once;
* any Redis or network error converted here into :class:`~scriptohio.errors.ServiceError`
  (503 with ``Retry-After``), naming what could not be reached; an open breaker is a
  :class:`~scriptohio.errors.CircuitOpenError`.

Unlike the cache tier, these stores never pretend: a state that cannot be read or written is
an error the caller sees, not a miss.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import redis
from redis.exceptions import RedisError

from scriptohio.breaker import BreakerConfig, CircuitBreaker
from scriptohio.errors import CircuitOpenError, ServiceError

__all__ = ["DEFAULT_STATE_BREAKER", "DEFAULT_STATE_TIMEOUT_S", "RedisState"]

T = TypeVar("T")
#: seconds a call to the state's Redis may take (connect, then each reply)
DEFAULT_STATE_TIMEOUT_S = 1.0
DEFAULT_STATE_BREAKER = BreakerConfig.consecutive(3, wait_in_open_s=5.0)
_FAILURES = (RedisError, OSError, TimeoutError, ConnectionError)


class RedisState:
    """A Redis client for one state store (see the module docstring).

    ``what`` names the store in errors ("job store"); ``breaker`` is shared with the
    orchestrator when the service builds it (its transitions reach the monitor); a process
    without one (a process-pool worker, the CLI) gets its own."""

    def __init__(self, url: str, *, namespace: str, what: str,
                 timeout_s: float = DEFAULT_STATE_TIMEOUT_S,
                 breaker: CircuitBreaker | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.url = url
        self.namespace = namespace
        self.what = what
        self.client = redis.Redis.from_url(url, socket_timeout=timeout_s,
                                           socket_connect_timeout=timeout_s,
                                           retry_on_timeout=False)
        self.breaker = breaker or CircuitBreaker(f"redis:{what}", DEFAULT_STATE_BREAKER,
                                                 clock=clock)
        self._clock = clock
        self._lock = threading.Lock()  # the breaker is not thread-safe; progress comes from threads

    def key(self, *parts: str) -> str:
        """``namespace:part:part...``"""
        return ":".join((self.namespace, *parts))

    def script(self, source: str) -> Callable[..., Any]:
        """A Lua script registered on the client (sent by hash, loaded on first use)."""
        return self.client.register_script(source)

    def call(self, op: Callable[[redis.Redis], T]) -> T:
        """Run ``op(client)`` behind the breaker; ServiceError if Redis does not answer."""
        with self._lock:
            permitted = self.breaker.try_acquire()
            retry = self.breaker.retry_after()
        if not permitted:
            raise CircuitOpenError(f"the {self.what} (Redis) is unavailable: it failed "
                                   "several times in a row; retry shortly",
                                   retry_after=max(retry, 1.0))
        started = self._clock()
        try:
            result = op(self.client)
        except _FAILURES as exc:
            with self._lock:
                self.breaker.record_failure(self._clock() - started)
            raise ServiceError(f"the {self.what} (Redis) does not answer: {exc}",
                               retry_after=self.breaker.config.wait_in_open_s) from exc
        except BaseException:
            with self._lock:
                self.breaker.release()
            raise
        with self._lock:
            self.breaker.record_success(self._clock() - started)
        return result

    def close(self) -> None:
        self.client.close()
