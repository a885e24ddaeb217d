"""The default policy: adaptive W-TinyLFU with value-aware victims.

Structure (after Einziger, Friedman & Manes, "TinyLFU", and Caffeine's adaptive variant):

* a small LRU *window* takes every new key, so bursts of recency are served;
* keys leaving the window are *candidates* for the main SLRU (probation + protected); a
  candidate is admitted only if the frequency sketch rates it above the main victim, so scans
  and one-hit wonders cannot flush the hot set. Two looser rules (``Admission``) also admit a
  candidate that was refused recently and came back (S3-FIFO's ghost queue) or that the sketch
  has seen before; a stricter one demands a real lead (loops);
* a tuner (by default the shadow tuner of ``tuning``) picks the window share and the admission
  rule at run time, so one policy acts recency-like on recency traces and frequency-like on
  loop/scan traces without per-trace tuning.

Value awareness (for the service cache, GreedyDual-style): entries carry ``priority`` and
``cost``; the admission contest and the victim choice compare ``frequency x priority x cost /
weight``. With uniform values (every trace replay) this reduces exactly to W-TinyLFU.
"""

from __future__ import annotations

import random
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, replace

from scriptohio.cache.policy import DEFAULT_COST, DEFAULT_PRIORITY, EvictionPolicy
from scriptohio.cache.sketch import FrequencySketch, KeyHasher
from scriptohio.cache.tuning import (
    DEFAULT_SHADOW_CONFIG,
    Admission,
    HillClimber,
    Setting,
    ShadowConfig,
    ShadowTuner,
    WindowTuner,
)

_DEFAULT_VALUE = DEFAULT_PRIORITY * DEFAULT_COST
# Most keys moved between segments by one call: a resize of a large cache is spread over the
# following requests so no single request pays milliseconds for it.
MAX_TRANSFER = 256


@dataclass(frozen=True, slots=True)
class TinyLfuConfig:
    """Generic knobs; never tuned per trace."""

    initial_window: float = 0.1
    protected_share: float = 0.80
    sample_factor: int = 10
    width_factor: int = 2
    doorkeeper: bool = True
    max_count: int = 15
    # How a candidate wins its place (see ``Admission``); the shadow tuner changes it.
    admission: Admission = Admission.GHOST
    # Keys remembered after their admission was refused (S3-FIFO's ghost queue), as a
    # multiple of the capacity in entries.
    ghost_factor: float = 2.0
    # A warm candidate sometimes wins a lost contest, so an attacker cannot pin the victim
    # by colliding with it in the sketch (Caffeine's hash-flooding defence).
    warm_threshold: int = 6
    warm_admit_one_in: int = 128
    victim_sample: int = 8
    tuner: str = "shadow"  # "shadow", "climb" or "fixed"
    shadow_budget: int = 2048
    shadow: ShadowConfig = DEFAULT_SHADOW_CONFIG
    # hash() of str/bytes differs per process; replays intern keys to ints to stay repeatable.
    hasher: KeyHasher = hash


DEFAULT_CONFIG = TinyLfuConfig()


class TinyLfuPolicy:
    """Adaptive W-TinyLFU; see the module docstring."""

    def __init__(
        self,
        capacity: int,
        *,
        config: TinyLfuConfig = DEFAULT_CONFIG,
        rng: random.Random | None = None,
        tuner: WindowTuner | None = None,
    ) -> None:
        if capacity < 1:
            raise ValueError("capacity must be >= 1")
        self.capacity = capacity
        self.config = config
        self.sketch = FrequencySketch(
            capacity,
            sample_factor=config.sample_factor,
            width_factor=config.width_factor,
            doorkeeper=config.doorkeeper,
            max_count=config.max_count,
            hasher=config.hasher,
        )
        self._rng = rng or random.Random(0)
        self._window: OrderedDict[Hashable, int] = OrderedDict()
        self._probation: OrderedDict[Hashable, int] = OrderedDict()
        self._protected: OrderedDict[Hashable, int] = OrderedDict()
        self._window_w = self._probation_w = self._protected_w = 0
        self._values: dict[Hashable, float] = {}
        self._window_max = 0.0
        self._set_window(capacity * config.initial_window)
        self.admission = config.admission
        self._ghost: dict[Hashable, None] = {}
        self._ghost_max = max(1, int(capacity * config.ghost_factor))
        self._rebalancing = False
        self._tuner = tuner if tuner is not None else self._default_tuner()
        self.window_history: list[int] = []

    def _default_tuner(self) -> WindowTuner | None:
        cfg = self.config
        initial = (cfg.initial_window, cfg.admission)
        if cfg.tuner == "climb":
            return HillClimber(self.capacity, initial=initial)
        if cfg.tuner == "shadow":
            fixed = replace(cfg, tuner="fixed")

            def make_shadow(capacity: int, setting: Setting) -> EvictionPolicy:
                window, admission = setting
                shadow_cfg = replace(fixed, initial_window=window, admission=admission)
                return TinyLfuPolicy(capacity, config=shadow_cfg, rng=random.Random(1))

            shadow = replace(cfg.shadow, shadow_budget=cfg.shadow_budget)
            return ShadowTuner(
                self.capacity, make_shadow, config=shadow, initial=initial, hasher=cfg.hasher
            )
        return None

    # -- protocol ---------------------------------------------------------------------------
    def __contains__(self, key: Hashable) -> bool:
        return key in self._window or key in self._probation or key in self._protected

    def __len__(self) -> int:
        return len(self._window) + len(self._probation) + len(self._protected)

    @property
    def weight(self) -> int:
        """Total weight of the resident keys."""
        return self._window_w + self._probation_w + self._protected_w

    def on_hit(self, key: Hashable) -> None:
        self.sketch.increment(key)
        if self._tuner is not None:
            change = self._tuner.record(key, True)
            if change is not None:
                self._apply(change)
        if key in self._window:
            self._window.move_to_end(key)
        elif key in self._probation:
            w = self._probation.pop(key)
            self._probation_w -= w
            self._protected[key] = w
            self._protected_w += w
            self._demote_protected()
        else:
            self._protected.move_to_end(key)

    def on_insert(
        self,
        key: Hashable,
        weight: int = 1,
        *,
        priority: int = DEFAULT_PRIORITY,
        cost: float = DEFAULT_COST,
    ) -> list[Hashable]:
        self.sketch.increment(key)
        tuner = self._tuner
        if tuner is not None:
            change = tuner.record(key, False)
            if change is not None:
                self._apply(change)
        capacity = self.capacity
        if weight > capacity:
            return [key]
        value = priority * cost
        if value != _DEFAULT_VALUE:
            self._values[key] = value
        window = self._window
        window[key] = weight
        # (Locals over attributes from here on: this runs on every write.)
        if self._rebalancing:
            self._window_w += weight
            self._rebalance()
            window_w = self._window_w
        else:
            window_w = self._window_w + weight
        window_max = self._window_max
        # The new key always keeps its window slot; at most MAX_TRANSFER keys leave per call.
        if window_w <= window_max or len(window) <= 1:
            self._window_w = window_w
            return self._evict([]) if self.weight > capacity else []
        cand, cw = window.popitem(last=False)
        self._window_w = window_w = window_w - cw
        probation = self._probation
        if (window_w > window_max and len(window) > 1) or self._values:
            # Several keys leave the window, or values differ: the general path.
            probation[cand] = cw
            self._probation_w += cw
            candidates = [cand]
            while (
                self._window_w > self._window_max
                and len(window) > 1
                and len(candidates) < MAX_TRANSFER
            ):
                k, w = window.popitem(last=False)
                self._window_w -= w
                probation[k] = w
                self._probation_w += w
                candidates.append(k)
            return self._evict(candidates) if self.weight > capacity else []
        # The usual write: one candidate, uniform values. The same decisions as _evict, but
        # the candidate enters probation only if it wins (a loser never touches the queue).
        probation_w = self._probation_w
        total = window_w + probation_w + cw + self._protected_w
        if total <= capacity or not probation:
            probation[cand] = cw
            self._probation_w = probation_w + cw
            return self._evict([cand]) if total > capacity else []
        victim = next(iter(probation))
        if self._admit(cand, cw, victim, probation[victim]):
            vw = probation.pop(victim)
            probation[cand] = cw
            self._probation_w = probation_w + cw - vw
            total -= vw
            loser = victim
        else:
            total -= cw
            loser = cand
            self._refused(cand)
        return self._evict_overflow([loser]) if total > capacity else [loser]

    def on_remove(self, key: Hashable) -> None:
        self._values.pop(key, None)
        for queue in (self._window, self._probation, self._protected):
            w = queue.pop(key, None)
            if w is not None:
                if queue is self._window:
                    self._window_w -= w
                elif queue is self._probation:
                    self._probation_w -= w
                else:
                    self._protected_w -= w
                return

    # -- decisions --------------------------------------------------------------------------
    def _score(self, key: Hashable, weight: int) -> float:
        return self.sketch.frequency(key) * self._values.get(key, _DEFAULT_VALUE) / weight

    def _admit(self, candidate: Hashable, cw: int, victim: Hashable, vw: int) -> bool:
        """Does ``candidate`` deserve the place of ``victim``? (the TinyLFU contest, then the
        admission rule's second chance)"""
        sketch = self.sketch
        cfg = self.config
        admission = self.admission
        warm = cfg.warm_threshold - 1
        if not self._values and cw == vw:
            bar = sketch.frequency(victim) + (1 if admission is Admission.STRICT else 0)
            # Only "above bar?", "warm?" (and for REPEAT "seen before?") matter: an estimate
            # at or below all of them is enough.
            bound = min(bar, warm, 1) if admission is Admission.REPEAT else min(bar, warm)
            cf = sketch.frequency_above(candidate, bound)
            if cf > bar:
                return True
        elif self._score(candidate, cw) > self._score(victim, vw):
            return True
        else:
            cf = sketch.frequency(candidate)
        if admission is Admission.GHOST:
            if self._ghost.pop(candidate, 0) is None:
                return True
        elif admission is Admission.REPEAT and cf >= 2:
            return True
        return cf > warm and self._rng.randrange(cfg.warm_admit_one_in) == 0

    def _refused(self, key: Hashable) -> None:
        """Remember a candidate that lost (the GHOST rule admits it if it comes back)."""
        ghost = self._ghost
        ghost[key] = None
        if len(ghost) > self._ghost_max:
            del ghost[next(iter(ghost))]

    def _pick_victim(self, exclude: set[Hashable]) -> Hashable | None:
        """The probation entry to contest; the oldest, or the lowest-value of the oldest few."""
        probation = self._probation
        if not self._values:
            for k in probation:
                return None if k in exclude else k
            return None
        best: Hashable | None = None
        best_score = 0.0
        for i, k in enumerate(probation):
            if i >= self.config.victim_sample or k in exclude:
                break
            score = self._values.get(k, _DEFAULT_VALUE) / probation[k]
            if best is None or score < best_score:
                best, best_score = k, score
        return best

    def _evict(self, candidates: list[Hashable]) -> list[Hashable]:
        evicted: list[Hashable] = []
        pending = set(candidates)
        for cand in candidates:
            if self.weight <= self.capacity:
                break
            pending.discard(cand)
            victim = self._pick_victim(pending | {cand})
            if victim is None:
                continue
            cw = self._probation[cand]
            vw = self._probation[victim]
            if self._admit(cand, cw, victim, vw):
                loser = victim
            else:
                loser = cand
                self._refused(cand)
            self._drop(self._probation, loser)
            evicted.append(loser)
        return self._evict_overflow(evicted)

    def _evict_overflow(self, evicted: list[Hashable]) -> list[Hashable]:
        """Drop the oldest keys while the weight is still over capacity."""
        while self.weight > self.capacity:
            queue = self._probation or self._protected or self._window
            k = next(iter(queue))
            self._drop(queue, k)
            evicted.append(k)
        return evicted

    def _drop(self, queue: OrderedDict[Hashable, int], key: Hashable) -> None:
        w = queue.pop(key)
        if queue is self._probation:
            self._probation_w -= w
        elif queue is self._protected:
            self._protected_w -= w
        else:
            self._window_w -= w
        if self._values:
            self._values.pop(key, None)

    def _demote_protected(self) -> None:
        budget = MAX_TRANSFER
        while budget and self._protected_w > self._protected_max:
            budget -= 1
            k, w = self._protected.popitem(last=False)
            self._protected_w -= w
            self._probation[k] = w
            self._probation_w += w

    # -- adaptation -------------------------------------------------------------------------
    def _set_window(self, size: float) -> None:
        # At least one slot: a just-written (e.g. preloaded) entry survives until the next
        # write instead of facing the admission contest before anyone could read it.
        self._window_max = min(max(size, 1.0), self.capacity - 1.0)
        self._protected_max = self.config.protected_share * (self.capacity - self._window_max)

    def _apply(self, setting: Setting) -> None:
        window, self.admission = setting
        self._resize_window(window * self.capacity - self._window_max)
        self.window_history.append(round(self._window_max))

    def _resize_window(self, delta: float) -> None:
        self._set_window(self._window_max + delta)
        self._rebalancing = True
        self._rebalance()

    def _rebalance(self) -> None:
        """Move the window's surplus into main after a shrink, a bounded batch at a time (a
        big resize is spread over the next requests instead of stalling one), and demote
        protected keys beyond main's new protected share."""
        budget = MAX_TRANSFER
        # Shrinking: the window's oldest keys join probation.
        while budget and self._window_w > self._window_max and self._window:
            k, w = self._window.popitem(last=False)
            self._window_w -= w
            self._probation[k] = w
            self._probation_w += w
            budget -= 1
        # Growing needs no move: new keys stay in the window while main's victims make room
        # (``_evict_overflow``). Moving main's oldest keys into the window instead would give
        # the coldest entries a whole window's lease without an admission contest.
        self._demote_protected()
        self._rebalancing = budget == 0 or self._protected_w > self._protected_max
