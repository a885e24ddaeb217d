"""Micro-batching and coalescing: N concurrent calls, one execution, answers per caller."""

from __future__ import annotations

import asyncio

import pytest

from scriptohio.runtime import BatchConfig, Coalescer, MicroBatcher


async def test_concurrent_calls_become_one_vectorised_call_with_correct_answers() -> None:
    calls: list[list[int]] = []

    async def square_all(items: list[int]) -> list[int]:
        calls.append(list(items))
        return [x * x for x in items]

    batcher: MicroBatcher[int, int] = MicroBatcher(square_all, BatchConfig(64, 0.005))
    answers = await asyncio.gather(*(batcher.submit(x) for x in range(50)))
    assert answers == [x * x for x in range(50)]
    assert len(calls) == 1 and sorted(calls[0]) == list(range(50))


async def test_batches_are_bounded_in_size() -> None:
    sizes: list[int] = []

    async def echo(items: list[str]) -> list[str]:
        sizes.append(len(items))
        return items

    batcher: MicroBatcher[str, str] = MicroBatcher(echo, BatchConfig(max_batch_size=8))
    words = [f"w{i}" for i in range(20)]
    assert await asyncio.gather(*(batcher.submit(w) for w in words)) == words
    assert sizes == [8, 8, 4]
    assert (batcher.batches, batcher.items) == (3, 20)


async def test_a_lone_call_is_flushed_after_the_wait() -> None:
    async def double(items: list[int]) -> list[int]:
        return [2 * x for x in items]

    batcher: MicroBatcher[int, int] = MicroBatcher(double, BatchConfig(64, 0.001))
    assert await asyncio.wait_for(batcher.submit(21), timeout=5) == 42


async def test_batch_failure_reaches_every_caller() -> None:
    async def broken(items: list[int]) -> list[int]:
        raise RuntimeError("model crashed")

    batcher: MicroBatcher[int, int] = MicroBatcher(broken)
    results = await asyncio.gather(*(batcher.submit(i) for i in range(5)),
                                   return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)


async def test_wrong_answer_count_is_an_error_not_a_misassignment() -> None:
    async def short(items: list[int]) -> list[int]:
        return items[:-1]

    batcher: MicroBatcher[int, int] = MicroBatcher(short)
    with pytest.raises(ValueError, match="answers"):
        await asyncio.gather(batcher.submit(1), batcher.submit(2))


async def test_coalescer_runs_identical_work_once_and_shares_the_result() -> None:
    runs = 0
    gate = asyncio.Event()

    async def work() -> str:
        nonlocal runs
        runs += 1
        await gate.wait()
        return "answer"

    coalescer: Coalescer[str] = Coalescer()
    callers = [asyncio.ensure_future(coalescer.run("k", work)) for _ in range(10)]
    await asyncio.sleep(0)
    gate.set()
    results = await asyncio.gather(*callers)
    assert runs == 1
    assert [r[0] for r in results] == ["answer"] * 10
    assert sum(joined for _, joined in results) == 9
    assert len(coalescer) == 0  # forgotten once done: the next call runs again
    await coalescer.run("k", work)
    assert runs == 2


async def test_coalesced_work_survives_the_first_caller_leaving() -> None:
    gate = asyncio.Event()

    async def work() -> int:
        await gate.wait()
        return 7

    coalescer: Coalescer[int] = Coalescer()
    first = asyncio.ensure_future(coalescer.run("k", work))
    await asyncio.sleep(0)
    second = asyncio.ensure_future(coalescer.run("k", work))
    await asyncio.sleep(0)
    first.cancel()
    gate.set()
    assert await second == (7, True)
