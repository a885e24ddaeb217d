"""A tiny ASGI stand-in for the service with a known, fixed latency.

Every ``/v1`` endpoint of the contract answers after exactly ``FIXTURE_LATENCY_S`` seconds
(``asyncio.sleep``), so the load tester's percentiles can be checked against a known value.
``/health`` is immediate; ``/metrics`` exposes process CPU/memory (prometheus_client's
process collector), cache hit/miss counters, a pool gauge and a breaker gauge.
``FIXTURE_REJECT_EVERY=N`` makes every N-th ``/v1`` request answer 429 and the next
N-th answer 503 (alternating), to check that intended rejections are counted apart.
Every ``FIXTURE_MISS_EVERY``-th answer (default 10) is ``X-Cache: miss``, the rest ``hit-l1``
(0 = all hits). ``FIXTURE_STALL_AT=N`` with ``FIXTURE_STALL_S=S``: the N-th ``/v1`` request
blocks the whole server (a synchronous sleep on the event loop) for S seconds, once -- the
stall a closed-loop load generator would hide. ``FIXTURE_SHED_FIRST=N``: the first N ``/v1``
requests answer 503 with ``Retry-After: FIXTURE_RETRY_AFTER`` (default 1), as a shedding
balancer does, so a client that retries sees its attempts refused and then served.

Run: ``python -m uvicorn --app-dir tests/loadtest fixture_app:app --port P``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import time
from collections.abc import Awaitable, Callable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, ProcessCollector, generate_latest

LATENCY_S = float(os.environ.get("FIXTURE_LATENCY_S", "0.02"))
REJECT_EVERY = int(os.environ.get("FIXTURE_REJECT_EVERY", "0"))
MISS_EVERY = int(os.environ.get("FIXTURE_MISS_EVERY", "10"))
STALL_AT = int(os.environ.get("FIXTURE_STALL_AT", "0"))
STALL_S = float(os.environ.get("FIXTURE_STALL_S", "0"))
SHED_FIRST = int(os.environ.get("FIXTURE_SHED_FIRST", "0"))
RETRY_AFTER = os.environ.get("FIXTURE_RETRY_AFTER", "1").encode()

registry = CollectorRegistry()
ProcessCollector(registry=registry)
CACHE_HITS = Counter("fixture_cache_hits", "hits", registry=registry)
CACHE_MISSES = Counter("fixture_cache_misses", "misses", registry=registry)
POOL = Gauge("fixture_pool_workers", "pool", ["pool"], registry=registry)
POOL.labels("predict").set(4)
BREAKER = Gauge("fixture_breaker_state", "breaker", ["dependency"], registry=registry)
BREAKER.labels("redis").set(0)
_requests = itertools.count(1)
_cacheable = itertools.count(1)

Send = Callable[[dict[str, Any]], Awaitable[None]]
Receive = Callable[[], Awaitable[dict[str, Any]]]


async def _respond(send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]],
                   content_type: bytes = b"application/json") -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", content_type), *headers]})
    await send({"type": "http.response.body", "body": body})


def _answer(method: str, path: str) -> dict[str, Any]:
    if path == "/v1/learn/path":
        return {"lessons": [{"id": "basics"}, {"id": "spreads"}],
                "concepts": ["point_spread", "elo"]}
    if path == "/v1/jobs" and method == "POST":
        return {"id": "job-1", "status": "queued"}
    return {"ok": True, "path": path}


async def app(scope: dict[str, Any], receive: Receive, send: Send) -> None:
    if scope["type"] != "http":
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
        return
    path, method = scope["path"], scope["method"]
    while (await receive()).get("more_body"):
        pass  # drain the request body
    if path == "/health":
        await _respond(send, 200, b'{"status":"ok"}', [])
        return
    if path == "/metrics":
        await _respond(send, 200, generate_latest(registry), [],
                       b"text/plain; version=0.0.4; charset=utf-8")
        return
    if not path.startswith("/v1/"):
        await _respond(send, 404, b'{"status":404}', [])
        return
    await asyncio.sleep(LATENCY_S)
    n = next(_requests)
    if n == STALL_AT:
        time.sleep(STALL_S)  # deliberately blocks the event loop: every request waits
    if n <= SHED_FIRST:
        await _respond(send, 503, b'{"status":503,"title":"Service Unavailable"}',
                       [(b"retry-after", RETRY_AFTER)], b"application/problem+json")
        return
    if REJECT_EVERY and n % REJECT_EVERY == 0:
        status = 429 if (n // REJECT_EVERY) % 2 else 503
        await _respond(send, status, b'{"status":%d}' % status, [(b"retry-after", b"1")])
        return
    hit = not MISS_EVERY or next(_cacheable) % MISS_EVERY != 0
    (CACHE_HITS if hit else CACHE_MISSES).inc()
    body = json.dumps(_answer(method, path)).encode()
    await _respond(send, 200, body, [(b"x-cache", b"hit-l1" if hit else b"miss")])
