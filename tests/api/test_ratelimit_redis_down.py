"""The shared rate limit with its Redis killed mid-load: requests keep being answered, the log
gets a line per breaker state change (not a traceback per request), /metrics counts what went
through unchecked, and limiting comes back with Redis. The Redis is the test's own."""

from __future__ import annotations

import asyncio
import logging

import pytest

from tests.api.conftest import AppClient
from tests.conftest import PrivateRedis


async def test_the_limiter_fails_open_quietly_and_recovers(
        tiny_client: AppClient, private_redis: PrivateRedis,
        caplog: pytest.LogCaptureFixture) -> None:
    async with tiny_client(redis_url=private_redis.url, rate_limit="5/minute",
                           cache_namespace="test-ratelimit-down") as client:
        def get() -> object:
            return client.get("/v1/rankings", headers={"X-User-Id": "frank"})

        assert [(await get()).status_code for _ in range(6)] == [200] * 5 + [429]  # type: ignore[attr-defined]
        private_redis.stop()  # kill -9
        caplog.clear()
        with caplog.at_level(logging.DEBUG):
            codes = [(await get()).status_code for _ in range(60)]  # type: ignore[attr-defined]
        assert set(codes) == {200}  # the limit's store is gone: fail open, answer everyone
        warnings = [r for r in caplog.records if r.levelno >= logging.WARNING
                    and r.name.startswith("scriptohio.runtime")]
        assert len(warnings) <= 3, [r.getMessage() for r in warnings]  # breaker lines only
        assert any("ratelimit:redis" in r.getMessage() for r in warnings)
        metrics = (await client.get("/metrics")).text
        assert 'scriptohio_ratelimit_failed_open_total{reason="breaker_open"}' in metrics
        assert 'scriptohio_breaker_state{name="ratelimit:redis"} 2.0' in metrics

        private_redis.start()  # back, empty: the breaker lets a probe through after its wait
        status = 200
        for _ in range(300):
            codes = [(await get()).status_code for _ in range(6)]  # type: ignore[attr-defined]
            if 429 in codes:
                status = 429
                break
            await asyncio.sleep(0.1)
        assert status == 429  # limiting again
