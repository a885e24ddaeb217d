"""Per-user rate limits: a limits strategy over a limits storage; a fake clock steps the
window, real Redis shares it across processes."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from limits import parse

from scriptohio.clock import FakeClock
from scriptohio.runtime import RateLimitConfig, UserRateLimiter
from scriptohio.runtime.limiter import with_fast_keys

REDIS_URL = "redis://127.0.0.1:6379/0"


async def test_allows_the_limit_then_denies_with_retry_after_and_headers() -> None:
    clock = FakeClock(1_000.0)
    limiter = UserRateLimiter(RateLimitConfig(default="3/minute"), clock=clock)
    decisions = [await limiter.hit("alice") for _ in range(3)]
    assert [d.allowed for d in decisions] == [True, True, True]
    assert [d.remaining for d in decisions] == [2, 1, 0]
    clock.advance(20)
    denied = await limiter.hit("alice")
    assert not denied.allowed
    assert denied.retry_after_s == pytest.approx(40.0)
    assert denied.headers() == {"RateLimit-Limit": "3", "RateLimit-Remaining": "0",
                                "RateLimit-Reset": "40", "Retry-After": "40"}
    assert decisions[0].headers() == {"RateLimit-Limit": "3", "RateLimit-Remaining": "2",
                                      "RateLimit-Reset": "60"}  # Retry-After only when denied


async def test_window_resets_after_it_expires() -> None:
    clock = FakeClock(1_000.0)
    limiter = UserRateLimiter(RateLimitConfig(default="2/minute"), clock=clock)
    for _ in range(3):
        await limiter.hit("bob")
    clock.advance(60)
    fresh = await limiter.hit("bob")
    assert fresh.allowed and fresh.remaining == 1


async def test_users_are_counted_separately_and_roles_have_their_own_limits() -> None:
    clock = FakeClock(0.0)
    config = RateLimitConfig(default="1/minute", per_role={"production": "5/minute"})
    limiter = UserRateLimiter(config, clock=clock)
    assert (await limiter.hit("a")).allowed
    assert not (await limiter.hit("a")).allowed
    assert (await limiter.hit("b")).allowed  # another user is unaffected
    allowed = [(await limiter.hit("svc", "production")).allowed for _ in range(6)]
    assert allowed == [True] * 5 + [False]
    assert (await limiter.hit("svc2", "production")).limit == 5


def test_default_is_100_per_minute_in_a_fixed_window() -> None:
    limiter = UserRateLimiter()
    assert limiter.limit_for("casual").amount == 100
    assert limiter.config.strategy == "fixed-window"


@pytest.mark.parametrize("limit", ["100/minute", "5 per 2 seconds", "1000/day"])
def test_fast_keys_are_the_keys_limits_builds(limit: str) -> None:
    item, fast = parse(limit), with_fast_keys(parse(limit))
    for identifiers in (("ip:127.0.0.1",), ("alice",), (b"bytes",), (7,), ("a", "b")):
        assert fast.key_for(*identifiers) == item.key_for(*identifiers)
    assert (fast.amount, fast.get_expiry(), fast == item) == (item.amount, item.get_expiry(), True)


def test_strategies_are_the_limits_librarys_by_name() -> None:
    with pytest.raises(ValueError, match="unknown rate-limit strategy 'leaky'"):
        UserRateLimiter(RateLimitConfig(strategy="leaky"))
    # the in-process storage keeps counters only; limits refuses a moving window over it
    with pytest.raises(NotImplementedError):
        UserRateLimiter(RateLimitConfig(strategy="moving-window"))


async def test_redis_failure_fails_open() -> None:
    # Nothing listens on port 1: the limiter must allow rather than fail the request.
    config = RateLimitConfig(default="1/minute", storage_url="redis://127.0.0.1:1/0")
    limiter = UserRateLimiter(config)
    decisions = [await limiter.hit("carol") for _ in range(3)]
    assert all(d.allowed for d in decisions)
    await limiter.aclose()


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    prefix = f"test-runtime-rl-{uuid.uuid4().hex}"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=f"{prefix}*"):
        client.delete(key)
    client.close()


async def test_moving_window_over_redis_counts_the_last_minute(redis_prefix: str) -> None:
    config = RateLimitConfig(default="2/minute", strategy="moving-window",
                             storage_url=REDIS_URL, key_prefix=redis_prefix)
    limiter = UserRateLimiter(config)
    decisions = [await limiter.hit("dora") for _ in range(3)]
    await limiter.aclose()
    assert [d.allowed for d in decisions] == [True, True, False]
    assert [d.remaining for d in decisions] == [1, 0, 0]
    assert 0 < decisions[-1].retry_after_s <= 60


def _clients_named(name: str) -> set[int]:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        return {int(c["id"]) for c in client.client_list() if c.get("name") == name}
    finally:
        client.close()


async def test_aclose_closes_the_redis_connections(redis_prefix: str) -> None:
    limiter = UserRateLimiter(RateLimitConfig(storage_url=REDIS_URL, key_prefix=redis_prefix))
    assert (await limiter.hit("erin")).allowed
    opened = _clients_named(redis_prefix)  # connections carry the key prefix as their name
    assert opened
    await limiter.aclose()
    assert not _clients_named(redis_prefix) & opened


_WORKER = textwrap.dedent(
    """
    import asyncio, sys
    from scriptohio.runtime import RateLimitConfig, UserRateLimiter

    async def main() -> None:
        config = RateLimitConfig(default="25/minute", storage_url=sys.argv[1],
                                 key_prefix=sys.argv[2])
        limiter = UserRateLimiter(config)
        sys.stdin.readline()  # start together with the other process
        allowed = 0
        for _ in range(20):
            allowed += (await limiter.hit("shared-user")).allowed
        await limiter.aclose()
        print(allowed)

    asyncio.run(main())
    """
)


def test_limit_is_shared_across_two_processes_through_redis(redis_prefix: str) -> None:
    redis.Redis.from_url(REDIS_URL).ping()  # fails (not skips) without Redis
    procs = [
        subprocess.Popen([sys.executable, "-c", _WORKER, REDIS_URL, redis_prefix],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                         cwd=Path(__file__).parent)
        for _ in range(2)
    ]
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    counts = [int(proc.communicate(timeout=60)[0].strip()) for proc in procs]
    assert sum(counts) == 25  # 40 hits in total, one global limit of 25
    assert all(count > 0 for count in counts)

    async def from_this_process() -> bool:
        config = RateLimitConfig(default="25/minute", storage_url=REDIS_URL,
                                 key_prefix=redis_prefix)
        limiter = UserRateLimiter(config)
        allowed = (await limiter.hit("shared-user")).allowed
        await limiter.aclose()
        return allowed

    assert asyncio.run(from_this_process()) is False
