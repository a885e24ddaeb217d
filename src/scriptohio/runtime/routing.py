"""Routes: which handler serves a request type, in which pool, under which policies.

Agents are plugged in as handlers. In an ``async`` pool a handler is ``async def
handler(request) -> result``; in a ``thread`` or ``process`` pool it is a plain (for processes:
picklable, module-level) ``def handler(request) -> result``. A handler may return an
:class:`~scriptohio.runtime.request.AgentResult` to report how the cache served it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from scriptohio.breaker import CircuitBreaker
from scriptohio.runtime.request import AgentRequest
from scriptohio.runtime.retry import DEFAULT_RETRY_POLICY, RetryPolicy

Handler = Callable[[AgentRequest], Awaitable[Any]] | Callable[[AgentRequest], Any]


@dataclass(frozen=True, slots=True)
class Route:
    """Everything the orchestrator needs to run one request type.

    ``idempotent``: safe to retry (within the retry budget). ``coalesce``: identical concurrent
    requests share one execution. ``timeout_s``: per-attempt limit (None: deadline only).
    """

    request_type: str
    handler: Handler
    pool: str
    timeout_s: float | None
    idempotent: bool = False
    coalesce: bool = False
    retry: RetryPolicy = DEFAULT_RETRY_POLICY
    breaker: CircuitBreaker | None = None
