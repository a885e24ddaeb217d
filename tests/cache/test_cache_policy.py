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


def _hot_set_survivors(make: Callable[[int], EvictionPolicy], scan_length: int) -> int:
    """A 100-entry cache: 50 hot keys read 20 times each, then a scan of one-time keys."""
    hot = [f"hot{i}" for i in range(50)]
    policy = make(100)
    for _ in range(20):
        for key in hot:
            if key in policy:
                policy.on_hit(key)
            else:
                policy.on_insert(key)
    for i in range(scan_length):
        policy.on_insert(f"scan{i}")
    return sum(key in policy for key in hot)


def test_scan_does_not_evict_the_hot_set() -> None:
    # A scan of 10x the capacity: LRU keeps none of the hot set, the default policy nearly all
    # of it (46-50 over 30 hash seeds: str hashes differ per process, and a scan key that
    # collides with hot keys in the sketch can win a contest).
    assert _hot_set_survivors(LruPolicy, 1_000) == 0
    assert _hot_set_survivors(TinyLfuPolicy, 1_000) >= 45
    # 50x the capacity, the hot set never read meanwhile: the sketch has halved its counts
    # five times, so the hot keys that sat in the window (10 % of the cache at the start) lose
    # their place, and every key that had reached the main area keeps it.
    assert _hot_set_survivors(LruPolicy, 5_000) == 0
    assert _hot_set_survivors(TinyLfuPolicy, 5_000) >= 40


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
    # Equal value: the window's two newest keys lose their admission contest first, then the
    # oldest resident of the main area goes.
    assert "old" in plain[:3]
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


def _reference_frequency(sketch: FrequencySketch, key: object) -> int:
    """The documented estimate, recomputed from scratch: min over rows of the counter at the
    top bits of (hash * seed) mod 2**64, plus one for a doorkeeper sighting."""
    rows = sketch._rows
    bits = len(rows[0]).bit_length() - 1
    h = hash(key)
    seeds = (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93)
    low = min(
        row[((h * seed) % (1 << 64)) >> (64 - bits)]
        for row, seed in zip(rows, seeds, strict=True)
    )
    return low + (1 if key in sketch._door else 0)


def test_sketch_estimates_match_the_reference_whatever_the_call_order() -> None:
    # frequency() remembers the last key's counter positions and frequency_above() may stop
    # after one row: neither may change an answer, for negative hashes (ints) included.
    sketch = FrequencySketch(32, sample_factor=1000)
    rng = random.Random(3)
    keys: list[object] = [*range(-40, 40), *(f"k{i}" for i in range(40)), -(2**63), 2**70]
    for _ in range(3_000):
        sketch.increment(rng.choice(keys))
    for _ in range(2_000):
        key = rng.choice(keys)
        expected = _reference_frequency(sketch, key)
        assert sketch.frequency(key) == expected
        assert sketch.frequency(key) == expected  # remembered positions
        bound = rng.randrange(-1, 17)
        above = sketch.frequency_above(key, bound)
        assert above == expected if expected > bound else expected <= above <= bound
        sketch.increment(key)  # counters move under the remembered key
        assert sketch.frequency(key) == _reference_frequency(sketch, key)


@pytest.mark.parametrize(("uniform", "seed"), [(True, 7), (False, 7), (False, 8)])
def test_write_buffer_keeps_every_policy_decision(uniform: bool, seed: int) -> None:
    # A tier whose inserts are replayed into the policy in batches must evict exactly the
    # keys, in the same order, as one running the policy on every write; only later.
    from scriptohio.cache.entry import CacheEntry
    from scriptohio.cache.tier import Evicted, LocalTier

    late: list[Evicted] = []
    plain = LocalTier(max_entries=640, max_bytes=640 * 1000)
    buffered = LocalTier(max_entries=640, max_bytes=640 * 1000, write_buffer=10,
                         on_evict=late.extend)
    gone_plain: list[tuple[str, str]] = []
    gone_buffered: list[tuple[str, str]] = []
    rng = random.Random(seed)
    for i in range(30_000):
        key = f"k{int(3_000 * rng.random() ** 2)}"
        op = rng.random()
        if op < 0.45:
            # read only what both still hold: the buffered tier may also serve keys its
            # policy already evicted (not yet replayed), which the plain one cannot
            if key in plain and key in buffered:
                assert plain.get(key) is buffered.get(key) is not None
        elif op < 0.97:
            if (key in plain) != (key in buffered):
                continue
            size = 100 if uniform else rng.choice([100, 1000, 2500, 9000])
            entry = CacheEntry(i, size, priority=3 if uniform else rng.randint(1, 5))
            gone_plain += [(k, why) for k, _e, why in plain.put(key, entry)]
            gone_buffered += [(k, why) for k, _e, why in buffered.put(key, entry)]
            assert len(buffered) <= 640 + 10
        elif key in plain and key in buffered:
            assert plain.pop(key) is buffered.pop(key) is not None
        gone_buffered += [(k, why) for k, _e, why in late]
        late.clear()
    buffered.drain()
    gone_buffered += [(k, why) for k, _e, why in late]
    assert len(gone_plain) > 5_000
    assert gone_buffered == gone_plain
    assert sorted(buffered.snapshot_keys()) == sorted(plain.snapshot_keys())
    assert buffered.bytes == plain.bytes


def _warm_policy(admission: Admission) -> TinyLfuPolicy:
    """A 10-entry cache (10 % window, no tuner) holding 9 keys each read 5 times."""
    config = TinyLfuConfig(tuner="fixed", initial_window=0.1, admission=admission)
    policy = TinyLfuPolicy(10, config=config)
    for _ in range(5):
        for i in range(9):
            key = f"k{i}"
            if key in policy:
                policy.on_hit(key)
            else:
                policy.on_insert(key)
    return policy


def _returning_key_survives(admission: Admission) -> bool:
    """A newcomer to a warm cache is refused once, comes back soon after, and then contests
    a victim it cannot beat on frequency alone."""
    policy = _warm_policy(admission)
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
    policy = _warm_policy(Admission.GHOST)
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
