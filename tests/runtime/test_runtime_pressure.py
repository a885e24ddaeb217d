"""Refusal at the door: the lag-driven drop probability and the middleware that applies it."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from scriptohio.api.middleware.shed import ShedMiddleware
from scriptohio.runtime import PressureConfig, PressureShedder

CONFIG = PressureConfig(target_lag_s=0.05, gain=0.05, max_drop=0.9, min_in_flight=4)


def test_lag_over_the_target_raises_the_probability_and_a_quiet_loop_lowers_it() -> None:
    shedder = PressureShedder(CONFIG)
    assert shedder.observe(0.010) == 0.0  # quiet: nothing to lower
    assert shedder.observe(0.100) == pytest.approx(0.05)  # twice the target: +gain
    for _ in range(100):
        shedder.observe(0.500)
    assert shedder.probability == 0.9  # never refuses everything
    steps = 0
    while shedder.observe(0.002) > 0:
        steps += 1
    assert steps < 25  # back to 0 within half a second of 20 ms samples


def test_only_a_busy_service_refuses_and_only_with_the_probability() -> None:
    shedder = PressureShedder(CONFIG)
    for _ in range(100):
        shedder.observe(0.500)
    assert not shedder.shed(in_flight=4, draw=0.0)  # a lightly used service never refuses
    assert shedder.shed(in_flight=5, draw=0.5)
    assert not shedder.shed(in_flight=5, draw=0.95)
    with pytest.raises(ValueError):
        PressureConfig(max_drop=1.0)


async def test_the_middleware_refuses_at_the_door_but_never_the_operations_paths() -> None:
    release = asyncio.Event()
    reached: list[str] = []

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        reached.append(scope["path"])
        if scope["path"] == "/slow":
            await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    shedder = PressureShedder(CONFIG)
    for _ in range(100):
        shedder.observe(0.500)
    refused: list[int] = []
    middleware = ShedMiddleware(app, shedder=shedder, on_shed=lambda: refused.append(1),
                                draw=lambda: 0.0)
    transport = httpx.ASGITransport(app=middleware)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        slow = [asyncio.create_task(client.get("/slow")) for _ in range(4)]
        while middleware.in_flight < 4:
            await asyncio.sleep(0.001)
        # four inside: not yet "busy"; the fifth is let in, the sixth is refused
        assert (await asyncio.wait_for(client.get("/v1/rankings"), 5)).status_code == 200
        slow.append(asyncio.create_task(client.get("/slow")))
        while middleware.in_flight < 5:
            await asyncio.sleep(0.001)
        r = await client.get("/v1/rankings")
        assert r.status_code == 503 and r.headers["retry-after"] == "1"
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["status"] == 503 and "overloaded" in r.json()["detail"]
        assert (await client.get("/health")).status_code == 200  # operations stay reachable
        assert (await client.get("/metrics")).status_code == 200
        release.set()
        assert [s.status_code for s in await asyncio.gather(*slow)] == [200] * 5
    assert refused == [1] and reached.count("/v1/rankings") == 1
    assert middleware.in_flight == 0
