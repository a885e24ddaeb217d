"""Eviction policies behind one protocol: LRU contract, scan resistance, cost and priority."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from scriptohio.cache import EvictionPolicy, LocalCache, LocalConfig, LruPolicy, TinyLfuPolicy
from scriptohio.cache.sketch import FrequencySketch
from scriptohio.cache.tinylfu import TinyLfuConfig
from scriptohio.cache.tuning import Admission

POLICIES: dict[str, Callable[[int], EvictionPolicy]] = {
    "lru": LruPolicy,
    "default": TinyLfuPolicy,
}


@pytest.fixture(params=sorted(POLICIES))
def make(request: pytest.FixtureRequest) -> Callable[[int], EvictionPolicy]:
    return POLICIES[request.param]


def test_every_policy_satisfies_the_protocol(make: Callable[[int], EvictionPolicy]) -> None:
    assert isinstance(make(10), EvictionPolicy)


def test_never_holds_more_than_capacity(make: Callable[[int], EvictionPolicy]) -> None:
    policy = make(50)
    resident: set[object] = set()
    rng = random.Random(1)
    for _ in range(5_000):
        key = rng.randrange(500)
        if key in policy:
            policy.on_hit(key)
        else:
            resident.add(key)
            for gone in policy.on_insert(key):
                resident.discard(gone)
        assert len(policy) <= 50
    assert resident == {k for k in range(500) if k in policy}


def test_removed_key_is_forgotten(make: Callable[[int], EvictionPolicy]) -> None:
    policy = make(10)
    policy.on_insert("a")
    policy.on_remove("a")
    assert "a" not in policy and len(policy) == 0


def test_lru_evicts_least_recently_used() -> None:
    policy = LruPolicy(3)
    for k in "abc":
        policy.on_insert(k)
    policy.on_hit("a")
    assert policy.on_insert("d") == ["b"]


def test_weights_bound_the_total() -> None:
    for policy in (LruPolicy(100), TinyLfuPolicy(100)):
        for i in range(50):
            policy.on_insert(i, 7)
        assert 7 * len(policy) <= 100


def test_scan_does_not_evict_the_hot_set() -> None:
    hot = [f"hot{i}" for i in range(50)]
    survivors = {}
    for name, make in POLICIES.items():
        policy = make(100)
        for _ in range(20):
            for key in hot:
                if key in policy:
                    policy.on_hit(key)
                else:
                    policy.on_insert(key)
        for i in range(5_000):  # one long scan (50x the capacity) of keys never seen again
            policy.on_insert(f"scan{i}")
        survivors[name] = sum(key in policy for key in hot)
    assert survivors["lru"] == 0
    assert survivors["default"] >= 45


def _eviction_order(priority_of_oldest: int, cost_of_oldest: float) -> list[str]:
    """Fill a 20-entry L1 with 'old' first, then push frequent newcomers in."""
    cache = LocalCache(LocalConfig(max_entries=20))
    cache.put("old", b"x", priority=priority_of_oldest, cost=cost_of_oldest)
    for i in range(19):
        cache.put(f"k{i}", b"x", priority=3, cost=1.0)
    evicted_order = []
    for j in range(10):
        for _ in range(4):  # written repeatedly: frequent enough to be admitted
            cache.put(f"new{j}", b"y", priority=3, cost=1.0)
        for key in ["old", *(f"k{i}" for i in range(19))]:
            if key not in cache.l1 and key not in evicted_order:
                evicted_order.append(key)
    return evicted_order


def test_priority_and_cost_change_eviction_order() -> None:
    plain = _eviction_order(3, 1.0)
    assert "old" in plain[:2]  # equal value: the oldest resident is among the first to go
    for prio, cost in ((5, 1.0), (3, 20.0)):
        valued = _eviction_order(prio, cost)
        assert len(valued) >= 5
        assert "old" not in valued[:5]  # a valuable entry outlives cheaper, younger ones


def test_sketch_counts_and_ages() -> None:
    sketch = FrequencySketch(64, sample_factor=10)
    for _ in range(8):
        sketch.increment("a")
    sketch.increment("b")
    assert sketch.frequency("a") >= 8 > sketch.frequency("b") >= 1
    assert sketch.frequency("never") == 0
    before = sketch.frequency("a")
    sketch.age()
    assert sketch.frequency("a") == (before - 1) // 2  # doorkeeper cleared, counters halved


def test_sketch_halves_by_itself_after_the_sample_period() -> None:
    sketch = FrequencySketch(10, sample_factor=10)  # sample size 100 (minimum 64)
    for _ in range(15):
        sketch.increment("hot")
    high = sketch.frequency("hot")
    for i in range(sketch.sample_size):
        sketch.increment(f"other{i}")
    assert sketch.frequency("hot") < high


def _returning_key_survives(admission: Admission) -> bool:
    """Fill a 10-entry cache with keys read 5 times; a newcomer is refused once, comes back
    soon after, and then contests a victim it cannot beat on frequency alone."""
    config = TinyLfuConfig(tuner="fixed", initial_window=0.1, admission=admission)
    policy = TinyLfuPolicy(10, config=config)
    for _ in range(5):
        for i in range(9):
            key = f"k{i}"
            if key in policy:
                policy.on_hit(key)
            else:
                policy.on_insert(key)
    for key in ("x", "y", "x", "z"):  # x leaves the window twice: refused, then back
        assert key not in policy or key == "x"
        if key not in policy:
            policy.on_insert(key)
    return "x" in policy


def test_frequency_contest_refuses_a_returning_key() -> None:
    assert not _returning_key_survives(Admission.FREQUENCY)
    assert not _returning_key_survives(Admission.STRICT)


def test_ghost_and_repeat_admit_a_returning_key() -> None:
    # GHOST: x was refused recently (S3-FIFO's ghost queue); REPEAT: the sketch saw x before.
    assert _returning_key_survives(Admission.GHOST)
    assert _returning_key_survives(Admission.REPEAT)


def test_ghost_remembers_a_bounded_number_of_refusals() -> None:
    config = TinyLfuConfig(tuner="fixed", initial_window=0.1, admission=Admission.GHOST)
    policy = TinyLfuPolicy(10, config=config)
    for _ in range(5):
        for i in range(9):
            key = f"k{i}"
            if key in policy:
                policy.on_hit(key)
            else:
                policy.on_insert(key)
    for i in range(1_000):  # a scan: every key is refused once and never comes back
        policy.on_insert(f"scan{i}")
    assert len(policy._ghost) <= 2 * 10
    assert sum(f"k{i}" in policy for i in range(9)) >= 7  # the scan did not flush the hot set


def test_shadow_tuner_picks_strict_admission_on_a_loop() -> None:
    # A cyclic scan 1.5x the cache: only a filter that stops churning keeps part of it.
    policy = TinyLfuPolicy(200)
    hits = 0
    for _ in range(60):
        for key in range(300):
            if key in policy:
                hits += 1
                policy.on_hit(key)
            else:
                policy.on_insert(key)
    assert policy.admission is Admission.STRICT
    assert hits > 0.4 * 60 * 300
