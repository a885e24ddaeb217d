"""Load over time: scenarios as staged schedules, pure and clock-free.

A :class:`Schedule` answers one question: *at ``elapsed_s`` seconds into the run, how many
users should be active and how fast should we get there?* -- the contract of Locust's
``LoadTestShape.tick()`` without its clock. The Locust adapter
(:class:`scriptohio.loadtest.locust_users.ScheduleShape`) supplies the clock, so tests step a
fake clock through these schedules without Locust or sleeps.

Scenarios (nominal durations; ``scale`` multiplies every duration and ramp):

============  =====================================================  ==========
scenario      stages (users reached within ``ramp`` then held)       nominal
============  =====================================================  ==========
normal        100 users, ramp 60 s                                   600 s
peak          500 users, ramp 120 s                                  600 s
stress        1,000 users, ramp 120 s                                600 s
stress-2000   2,000 users, ramp 240 s                                600 s
endurance     500 users, ramp 120 s                                  3,600 s
spike         100 (ramp 30 s) for 120 s -> 1,000 at once for 120 s
              -> back to 100 at once for 120 s                       360 s
============  =====================================================  ==========

``stress`` and ``stress-2000`` are *meant to saturate* the service (``saturates=True``): their
throughput is the service's capacity, so the Grade-A throughput criterion (> 100 req/s) is
judged in them; in the other closed-model scenarios the throughput is the rate the thinking
users offered, reported but not graded (see :mod:`scriptohio.loadtest.validation`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from scriptohio.errors import ValidationError

#: "At once" still needs a finite Locust spawn rate; this floor keeps ramps from dividing by 0.
MIN_RAMP_S = 0.001
MIN_SPAWN_RATE = 1.0


class Schedule(Protocol):
    """What a load shape needs: users and spawn rate at a time, or None when the run is over."""

    @property
    def total_s(self) -> float: ...

    def tick(self, elapsed_s: float) -> tuple[int, float] | None: ...


@dataclass(frozen=True, slots=True)
class Stage:
    """Hold ``users`` for ``duration_s``, reaching them within the first ``ramp_s``."""

    duration_s: float
    users: int
    ramp_s: float


@dataclass(frozen=True, slots=True)
class StagedSchedule:
    """A sequence of stages; the spawn rate of a stage is its user change over its ramp.

    ``saturates``: the scenario is meant to drive the service to its capacity."""

    name: str
    stages: tuple[Stage, ...]
    saturates: bool = False

    @property
    def total_s(self) -> float:
        return sum(s.duration_s for s in self.stages)

    @property
    def peak_users(self) -> int:
        return max((s.users for s in self.stages), default=0)

    def tick(self, elapsed_s: float) -> tuple[int, float] | None:
        start = 0.0
        previous_users = 0
        for stage in self.stages:
            if elapsed_s < start + stage.duration_s:
                change = abs(stage.users - previous_users)
                rate = max(MIN_SPAWN_RATE, change / max(stage.ramp_s, MIN_RAMP_S))
                return stage.users, rate
            start += stage.duration_s
            previous_users = stage.users
        return None

    def scaled(self, *, scale: float = 1.0, users: int | None = None) -> StagedSchedule:
        """Multiply durations by ``scale``; rescale user counts so the peak equals ``users``."""
        if scale <= 0:
            raise ValidationError(f"duration scale must be > 0, got {scale}")
        if users is not None and users < 1:
            raise ValidationError(f"users must be >= 1, got {users}")
        factor = 1.0 if users is None or not self.peak_users else users / self.peak_users
        stages = tuple(
            Stage(s.duration_s * scale, max(1, round(s.users * factor)), s.ramp_s * scale)
            for s in self.stages
        )
        return StagedSchedule(self.name, stages, self.saturates)


def _hold(name: str, users: int, ramp_s: float, total_s: float, *,
          saturates: bool = False) -> StagedSchedule:
    return StagedSchedule(name, (Stage(total_s, users, ramp_s),), saturates)


SCENARIOS: dict[str, StagedSchedule] = {
    "normal": _hold("normal", 100, 60.0, 600.0),
    "peak": _hold("peak", 500, 120.0, 600.0),
    "stress": _hold("stress", 1000, 120.0, 600.0, saturates=True),
    "stress-2000": _hold("stress-2000", 2000, 240.0, 600.0, saturates=True),
    "endurance": _hold("endurance", 500, 120.0, 3600.0),
    "spike": StagedSchedule(
        "spike",
        (Stage(120.0, 100, 30.0), Stage(120.0, 1000, 1.0), Stage(120.0, 100, 1.0)),
    ),
}


def build_schedule(
    scenario: str,
    *,
    scale: float = 1.0,
    users: int | None = None,
    duration_s: float | None = None,
) -> StagedSchedule:
    """The named scenario, scaled. ``duration_s`` (if given) wins over ``scale``."""
    try:
        base = SCENARIOS[scenario]
    except KeyError:
        names = ", ".join(sorted(SCENARIOS))
        raise ValidationError(f"unknown scenario {scenario!r}; choose one of {names}") from None
    if duration_s is not None:
        if duration_s <= 0:
            raise ValidationError(f"duration must be > 0 s, got {duration_s}")
        scale = duration_s / base.total_s
    return base.scaled(scale=scale, users=users)
