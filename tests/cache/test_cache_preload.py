"""Predictive preloading on sequences with a known pattern: precision and coverage."""

from __future__ import annotations

import random

from scriptohio.cache import CacheManager, Loaded, LocalConfig
from scriptohio.cache.preload import PreloadConfig, SuccessorModel


def test_successor_model_learns_and_forgets() -> None:
    model = SuccessorModel(PreloadConfig(decay=0.5, threshold=0.3))
    for _ in range(5):
        model.observe("a", "s1")
        model.observe("b", "s1")
    assert [k for k, _ in model.predict("a")] == ["b"]
    for _ in range(5):  # habits change: a is now followed by c
        model.observe("a", "s1")
        model.observe("c", "s1")
    assert model.predict("a")[0][0] == "c"
    assert model.predict("unknown") == []


def test_sessions_do_not_mix() -> None:
    model = SuccessorModel()
    model.observe("a", "alice")
    model.observe("x", "bob")
    model.observe("b", "alice")
    assert [k for k, _ in model.predict("a")] == ["b"]
    assert model.predict("x") == []


async def test_preload_precision_and_coverage_on_chains() -> None:
    rng = random.Random(3)
    chains = [[f"c{c}:step{s}" for s in range(4)] for c in range(60)]
    cache = CacheManager(LocalConfig(max_entries=60, l2_max_entries=1, l2_max_bytes=1))
    loads: list[str] = []

    async def load_key(key: str) -> bytes:
        loads.append(key)
        return key.encode() * 10

    for visit in range(400):
        chain = rng.choice(chains)
        session = f"user{visit % 7}"
        for key in chain:

            async def loader(key: str = key) -> bytes:
                return await load_key(key)

            await cache.get_or_load(key, loader)
            cache.preload_predicted_entries(key, load_key, session=session)
            await cache.wait_idle()
    preload = cache.stats["preload"]
    assert isinstance(preload, dict)
    assert preload["preloaded"] > 100
    assert preload["precision"] >= 0.8
    assert preload["coverage"] >= 0.3


async def test_no_preloads_while_saturated() -> None:
    cache = CacheManager(saturated=lambda: True)

    async def load_key(key: str) -> bytes:
        return b"x"

    for _ in range(5):
        for key in ("a", "b"):
            cache.preload_predicted_entries(key, load_key)
    await cache.wait_idle()
    assert cache.stats["preload"] == {"preloaded": 0, "precision": 0.0, "coverage": 0.0}


async def test_preloaded_entries_carry_tags_and_are_invalidated_with_them() -> None:
    cache = CacheManager()

    async def load_key(key: str) -> Loaded:
        return Loaded(key.encode(), tags=(f"team:{key}",), ttl=60.0)

    for _ in range(4):  # teach the successor model: a -> b
        for key in ("a", "b"):
            cache.put(key, key.encode())
            cache.preload_predicted_entries(key, load_key, session="s")
        cache.invalidate("b")
    await cache.wait_idle()
    cache.invalidate("b")
    assert cache.preload_predicted_entries("a", load_key, session="s") == ["b"]
    await cache.wait_idle()
    assert cache.get("b") == b"b"  # the value, not the wrapper
    assert cache.invalidate_tag("team:b") == ["b"]
    assert cache.get("b") is None
