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
from typing import Any, cast

import pytest
import redis
from limits import parse

from scriptohio.clock import FakeClock
from scriptohio.runtime import RateLimitConfig, RateLimitDecision, UserRateLimiter
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
    from scriptohio.runtime import RateLimitConfig, RateLimitDecision, UserRateLimiter

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


def _ttl_s(client: redis.Redis, prefix: str, default: float) -> float:
    """Redis's own time to live (PTTL) of the one window key under ``prefix``, in seconds;
    ``default`` when there is none yet."""
    keys = list(client.scan_iter(match=f"{prefix}*"))
    assert len(keys) <= 1, keys
    return float(client.pttl(keys[0])) / 1000 if keys else default


async def _hit_within(limiter: UserRateLimiter, user: str, client: redis.Redis,
                      prefix: str) -> RateLimitDecision:
    """A hit whose window end must lie between Redis's time to live read just before it and
    just after it: bounds that come from the order of events, not from how fast they run."""
    before = _ttl_s(client, prefix, 60.0)
    decision = await limiter.hit(user)
    after = _ttl_s(client, prefix, 0.0)
    assert after - 0.002 <= decision.reset_after_s <= before + 0.002, (after, decision, before)
    return decision


async def test_a_fixed_window_opened_by_another_process_keeps_its_count_and_its_end(
        redis_prefix: str) -> None:
    """One round trip per hit gives what limits' hit + get_window_stats gave: the count goes
    on across limiters (processes) sharing Redis, and the window's end is the one Redis
    keeps, however long after its start a limiter first meets it."""
    config = RateLimitConfig(default="5/minute", storage_url=REDIS_URL, key_prefix=redis_prefix)
    first, second = UserRateLimiter(config), UserRateLimiter(config)
    client = redis.Redis.from_url(REDIS_URL)
    try:
        opened = await _hit_within(first, "fay", client, redis_prefix)
        await asyncio.sleep(1.1)  # an end remembered from the first hit would now be wrong
        joined = [await _hit_within(second, "fay", client, redis_prefix) for _ in range(5)]
        again = await _hit_within(first, "fay", client, redis_prefix)
    finally:
        client.close()
        await first.aclose()
        await second.aclose()
    assert [opened.remaining] + [d.remaining for d in joined] == [4, 3, 2, 1, 0, 0]
    assert [d.allowed for d in joined] == [True] * 4 + [False]
    assert not again.allowed and again.remaining == 0


async def test_limits_own_fixed_window_and_the_limiter_count_the_same_keys(
        redis_prefix: str) -> None:
    """The limiter's one-call hit increments the key limits' FixedWindowRateLimiter does, so
    either can count a window the other opened (processes of two versions, say)."""
    from limits.aio.strategies import FixedWindowRateLimiter
    from limits.storage import storage_from_string

    config = RateLimitConfig(default="4/minute", storage_url=REDIS_URL, key_prefix=redis_prefix)
    limiter = UserRateLimiter(config)
    storage = storage_from_string("async+" + REDIS_URL, implementation="redispy",
                                  key_prefix=redis_prefix)
    theirs = FixedWindowRateLimiter(storage)
    item = parse("4/minute")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        assert await theirs.hit(item, "hal")
        ours = await _hit_within(limiter, "hal", client, redis_prefix)
        assert await theirs.hit(item, "hal")
        stats = await theirs.get_window_stats(item, "hal")
        last = await _hit_within(limiter, "hal", client, redis_prefix)
    finally:
        client.close()
        await limiter.aclose()
        await cast(Any, storage).bridge.storage.aclose()
    assert (ours.remaining, stats.remaining, last.remaining, last.allowed) == (2, 1, 0, True)


async def test_a_window_gone_from_redis_early_and_reopened_elsewhere_has_its_new_end(
        redis_prefix: str) -> None:
    config = RateLimitConfig(default="5/minute", storage_url=REDIS_URL, key_prefix=redis_prefix)
    first, second = UserRateLimiter(config), UserRateLimiter(config)
    client = redis.Redis.from_url(REDIS_URL)
    try:
        await first.hit("gil")
        await asyncio.sleep(1.1)
        keys = list(client.scan_iter(match=f"{redis_prefix}*"))
        assert len(keys) == 1
        client.delete(*keys)  # evicted, or lost in a restart
        reopened = await _hit_within(second, "gil", client, redis_prefix)
        met = await _hit_within(first, "gil", client, redis_prefix)  # the new window's end
    finally:
        client.close()
        await first.aclose()
        await second.aclose()
    assert (reopened.remaining, met.remaining) == (4, 3)


async def test_a_window_past_its_end_is_a_new_window() -> None:
    clock = FakeClock(1_000.0)
    limiter = UserRateLimiter(RateLimitConfig(default="2/minute"), clock=clock)
    assert (await limiter.hit("gus")).reset_after_s == pytest.approx(60)
    clock.advance(45)
    assert (await limiter.hit("gus")).reset_after_s == pytest.approx(15)
    clock.advance(15)  # the window ended: the next hit opens a new one, with a new end
    fresh = await limiter.hit("gus")
    assert (fresh.allowed, fresh.remaining, fresh.reset_after_s) == (True, 1, pytest.approx(60))
    clock.advance(59)
    last = await limiter.hit("gus")
    assert (last.remaining, last.reset_after_s) == (0, pytest.approx(1))
