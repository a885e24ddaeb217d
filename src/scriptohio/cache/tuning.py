"""Window tuners: how the default policy decides between recency and frequency at run time.

W-TinyLFU has two knobs that no single setting gets right for every workload: the share of the
cache given to the recency *window*, and the rule by which a candidate leaving the window
enters the main area (the *admission*, see :class:`Admission`: TinyLFU's frequency contest,
a stricter contest for loops, or a contest that also admits recently refused keys (S3-FIFO's
ghost queue) or any key seen before). A tuner watches the request stream and now and then
answers "use window share w and admission a".

* :class:`ShadowTuner` (default) runs a few small shadow caches, one per (w, a) setting, on a
  hash-sampled subset of the keys (spatial sampling as in SHARDS, Waldspurger et al.) and picks
  the setting whose shadow has the best recent hit ratio. Sampling keeps the cost bounded: the
  shadows together see about ``shadow_budget`` keys however large the real cache is.
* :class:`HillClimber` is Caffeine's climber: step the window, keep direction while the hit
  ratio improves. Kept as the cheaper alternative (no shadows).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from scriptohio.cache.policy import EvictionPolicy

_M64 = (1 << 64) - 1
_SAMPLE_SEED = 0xA24BAED4963EE407


class Admission(Enum):
    """How a candidate leaving the window wins a place in the main area."""

    # TinyLFU's contest: the sketch rates the candidate above the victim (as in Caffeine).
    FREQUENCY = 0
    # A lead of 2: the candidate's count includes the access that just made it a candidate,
    # the victim's not yet its next one, so on loops every equal-count contest is a coin flip
    # that churns the main area; demanding a real lead stops that.
    STRICT = 1
    # FREQUENCY, or the candidate was refused recently and is back (S3-FIFO's ghost queue):
    # a key re-requested within a few caches' worth of refusals has shown reuse.
    GHOST = 2
    # FREQUENCY, or the sketch has seen the candidate before (any reuse is enough): close to
    # a recency policy with one-hit wonders filtered out.
    REPEAT = 3


Setting = tuple[float, Admission]
"""(window share of the capacity, admission rule)."""


class WindowTuner(Protocol):
    """Observes requests; returns a new setting when it wants one, else None."""

    def record(self, key: Hashable, hit: bool) -> Setting | None: ...


@dataclass(frozen=True, slots=True)
class ShadowConfig:
    """Shadow-tuner knobs (generic, never per trace)."""

    windows: Sequence[float] = (0.01, 0.1, 0.25, 0.5, 0.75)
    # FREQUENCY (Caffeine's plain contest) is left out: GHOST and REPEAT include it, STRICT
    # covers loops, and each shadow costs one policy operation per sampled access.
    admissions: Sequence[Admission] = (Admission.STRICT, Admission.GHOST, Admission.REPEAT)
    shadow_budget: int = 2048  # sampled capacity per shadow is about min(capacity, budget)
    min_period: int = 2_000
    max_period: int = 50_000
    decay: float = 0.9  # weight of the previous periods' hits at each decision
    # Switching has a cost (the real cache's contents fit the old split) and near-ties flip
    # with noise: switch only when the best shadow beats the current setting's shadow by
    # this relative margin.
    switch_margin: float = 0.003


DEFAULT_SHADOW_CONFIG = ShadowConfig()


class ShadowTuner:
    """Pick the (window, admission) whose sampled shadow cache hits most recently."""

    def __init__(
        self,
        capacity: int,
        make_shadow: Callable[[int, Setting], EvictionPolicy],
        *,
        config: ShadowConfig = DEFAULT_SHADOW_CONFIG,
        initial: Setting = (0.1, Admission.GHOST),
        hasher: Callable[[Hashable], int] = hash,
    ) -> None:
        self._hash = hasher
        rate = min(1.0, config.shadow_budget / capacity)
        self._threshold = int(rate * _M64)
        shadow_capacity = max(1, round(capacity * rate))
        self.settings: list[Setting] = [(w, a) for a in config.admissions for w in config.windows]
        self._shadows = [make_shadow(shadow_capacity, s) for s in self.settings]
        self._scores = [0.0] * len(self.settings)
        self._period = max(config.min_period, min(config.max_period, 2 * capacity))
        self._decay = config.decay
        self._switch_margin = config.switch_margin
        self._seen = 0
        self.current = initial

    def record(self, key: Hashable, hit: bool) -> Setting | None:
        """Feed a sampled key to every shadow; at period ends, return the best setting."""
        if (self._hash(key) * _SAMPLE_SEED) & _M64 < self._threshold:
            scores = self._scores
            for i, shadow in enumerate(self._shadows):
                if key in shadow:
                    scores[i] += 1.0
                    shadow.on_hit(key)
                else:
                    shadow.on_insert(key)
        self._seen += 1
        if self._seen < self._period:
            return None
        self._seen = 0
        scores = self._scores
        best = max(range(len(scores)), key=scores.__getitem__)
        self._scores = [s * self._decay for s in scores]
        if self.current in self.settings:
            here = self.settings.index(self.current)
            if best == here or scores[best] <= scores[here] * (1.0 + self._switch_margin):
                return None
        self.current = self.settings[best]
        return self.current


@dataclass(frozen=True, slots=True)
class ClimberConfig:
    """Caffeine's hill-climber constants."""

    step: float = 0.0625
    decay: float = 0.98
    restart: float = 0.05
    period_factor: float = 10.0
    max_period: int = 30_000


class HillClimber:
    """Resize the window by hill climbing on the sampled hit ratio (Caffeine's scheme)."""

    def __init__(
        self,
        capacity: int,
        *,
        config: ClimberConfig = ClimberConfig(),
        initial: Setting = (0.01, Admission.FREQUENCY),
    ) -> None:
        self._capacity = capacity
        self._config = config
        self._period = max(64, min(config.max_period, int(config.period_factor * capacity)))
        self._hits = self._requests = 0
        self._prev_ratio = 0.0
        self._step = config.step  # first move: grow the window
        self.current = initial

    def record(self, key: Hashable, hit: bool) -> Setting | None:
        """Count the request; at period ends, move the window one step."""
        self._requests += 1
        self._hits += hit
        if self._requests < self._period:
            return None
        cfg = self._config
        ratio = self._hits / self._requests
        change = ratio - self._prev_ratio
        amount = self._step if change >= 0 else -self._step
        if abs(change) >= cfg.restart:
            self._step = cfg.step if amount >= 0 else -cfg.step
        else:
            self._step = cfg.decay * amount
        self._prev_ratio = ratio
        self._hits = self._requests = 0
        window = min(max(self.current[0] + amount, 0.0), 1.0)
        self.current = (window, self.current[1])
        return self.current
