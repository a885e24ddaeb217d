"""The coarse timeout wheel cancels what overruns and leaves alone what finished."""

from __future__ import annotations

import asyncio

import pytest

from scriptohio.runtime.timeouts import TimeoutWheel


async def test_overrunning_task_is_cancelled_and_marked() -> None:
    wheel = TimeoutWheel(resolution_s=0.001)
    task = asyncio.ensure_future(asyncio.sleep(30))
    expiry = wheel.arm(task, 0.005)
    with pytest.raises(asyncio.CancelledError):
        await task
    assert expiry.fired
    assert len(wheel) == 0


async def test_disarmed_timeout_never_fires() -> None:
    wheel = TimeoutWheel(resolution_s=0.001)

    async def quick() -> str:
        return "done"

    task = asyncio.ensure_future(quick())
    expiry = wheel.arm(task, 0.005)
    assert await task == "done"
    wheel.disarm(expiry)
    assert len(wheel) == 0
    await asyncio.sleep(0.02)  # past the slot: nothing fires for it
    assert not expiry.fired


async def test_many_timeouts_share_slots() -> None:
    wheel = TimeoutWheel(resolution_s=0.5)
    tasks = [asyncio.ensure_future(asyncio.sleep(30)) for _ in range(100)]
    expiries = [wheel.arm(task, 10.0) for task in tasks]
    assert len(wheel) == 100
    assert len({e.slot for e in expiries}) <= 2  # one or two loop timers, not a hundred
    for expiry, task in zip(expiries, tasks, strict=True):
        wheel.disarm(expiry)
        task.cancel()
    assert len(wheel) == 0
    await asyncio.gather(*tasks, return_exceptions=True)
