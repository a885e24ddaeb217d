"""Model canaries: a candidate version serves a growing, sticky share of predictions.

A canary moves through ``stages`` (10 → 25 → 50 → 100 % of callers by default, see
:func:`~scriptohio.models.canary_stats.in_canary`). Each stage lasts at least ``stage_s`` and
until the candidate answered ``min_requests``; then it advances, and after the last stage the
candidate is promoted (it becomes the registry's default). At any time it is aborted when the
candidate, compared with the stable version over the current stage,

* fails (``max_errors`` failures, or an error ratio ``max_error_ratio`` over the stable one's),
* diverges (mean |margin difference| over ``max_margin_diff`` points, or mean |win-probability
  difference| over ``max_win_prob_diff``, once ``min_compared`` answers were paired),
* is less accurate on played games (MAE over the stable one's by ``max_mae_gap`` points once
  ``min_graded`` answers were graded), or
* is slower (P95 over ``max_p95_ratio`` × the stable P95, and over ``p95_floor_s``).

Everything here is pure: :func:`decide` reads a :class:`CanaryState` and the time it is given
and returns a :class:`Decision`; :func:`apply` returns the next state. The service's
controller (``api.canary``) and the CLI do the I/O: they keep the state in a
:mod:`~scriptohio.models.canary_store` and make a promoted candidate the default.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

from scriptohio.models.canary_stats import ArmStats

__all__ = ["DEFAULT_POLICY", "DEFAULT_STAGES", "CanaryPolicy", "CanaryState", "Decision",
           "abort", "add_stats", "apply", "decide", "new_canary", "promote"]

DEFAULT_STAGES = (0.10, 0.25, 0.50, 1.00)
Status = Literal["running", "promoted", "aborted"]
Action = Literal["hold", "advance", "promote", "abort"]


@dataclass(frozen=True, slots=True)
class CanaryPolicy:
    """When a canary advances and when it is rolled back (see the module docstring)."""

    stages: tuple[float, ...] = DEFAULT_STAGES
    stage_s: float = 60.0
    min_requests: int = 50
    max_errors: int = 5
    max_error_ratio: float = 0.02
    min_compared: int = 20
    max_margin_diff: float = 3.0
    max_win_prob_diff: float = 0.08
    min_graded: int = 20
    max_mae_gap: float = 1.0
    max_p95_ratio: float = 2.0
    p95_floor_s: float = 0.05

    def __post_init__(self) -> None:
        stages = self.stages
        if not stages or any(not 0 < s <= 1 for s in stages) or list(stages) != sorted(stages):
            raise ValueError("stages must be increasing shares in (0, 1]")
        if stages[-1] != 1.0:
            raise ValueError("the last stage must be 100 % of traffic")

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["stages"] = list(self.stages)
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> CanaryPolicy:
        if not data:
            return cls()
        values = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        if "stages" in values:
            values["stages"] = tuple(float(s) for s in values["stages"])
        return cls(**values)


DEFAULT_POLICY = CanaryPolicy()


@dataclass(frozen=True)
class CanaryState:
    """One canary, as every worker and replica reads it from the store."""

    id: str
    candidate: str
    stable: str
    started_at: float
    policy: CanaryPolicy = DEFAULT_POLICY
    status: Status = "running"
    stage: int = 0
    stage_started_at: float = 0.0
    ended_at: float | None = None
    reason: str | None = None
    canary: ArmStats = field(default_factory=ArmStats)  # this stage
    stable_arm: ArmStats = field(default_factory=ArmStats)  # this stage
    canary_total: ArmStats = field(default_factory=ArmStats)
    stable_total: ArmStats = field(default_factory=ArmStats)
    baseline_p95_s: float | None = None  # the stable P95 of the last stage that had one
    timeline: tuple[dict[str, Any], ...] = ()

    @property
    def running(self) -> bool:
        return self.status == "running"

    @property
    def share(self) -> float:
        """The share of callers the candidate serves now (0 once ended)."""
        return self.policy.stages[self.stage] if self.running else 0.0

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "candidate": self.candidate, "stable": self.stable,
                "started_at": self.started_at, "policy": self.policy.as_json(),
                "status": self.status, "stage": self.stage,
                "stage_started_at": self.stage_started_at, "ended_at": self.ended_at,
                "reason": self.reason, "canary": self.canary.as_json(),
                "stable_arm": self.stable_arm.as_json(),
                "canary_total": self.canary_total.as_json(),
                "stable_total": self.stable_total.as_json(),
                "baseline_p95_s": self.baseline_p95_s, "timeline": list(self.timeline)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CanaryState:
        return cls(id=str(data["id"]), candidate=str(data["candidate"]),
                   stable=str(data["stable"]), started_at=float(data["started_at"]),
                   policy=CanaryPolicy.from_json(data.get("policy")),
                   status=data.get("status", "running"), stage=int(data.get("stage", 0)),
                   stage_started_at=float(data.get("stage_started_at", data["started_at"])),
                   ended_at=data.get("ended_at"), reason=data.get("reason"),
                   canary=ArmStats.from_json(data.get("canary")),
                   stable_arm=ArmStats.from_json(data.get("stable_arm")),
                   canary_total=ArmStats.from_json(data.get("canary_total")),
                   stable_total=ArmStats.from_json(data.get("stable_total")),
                   baseline_p95_s=data.get("baseline_p95_s"),
                   timeline=tuple(data.get("timeline") or ()))

    def summary(self) -> dict[str, Any]:
        """The status body: where the canary is and how the two versions compare."""
        return {"id": self.id, "candidate": self.candidate, "stable": self.stable,
                "status": self.status, "stage": self.stage, "share": self.share,
                "stages": list(self.policy.stages), "started_at": self.started_at,
                "stage_started_at": self.stage_started_at, "ended_at": self.ended_at,
                "reason": self.reason,
                "current_stage": {"canary": self.canary.summary(),
                                  "stable": self.stable_arm.summary()},
                "total": {"canary": self.canary_total.summary(),
                          "stable": self.stable_total.summary()},
                "policy": self.policy.as_json(), "timeline": list(self.timeline)}


@dataclass(frozen=True, slots=True)
class Decision:
    action: Action
    reason: str = ""


HOLD = Decision("hold")


def new_canary(candidate: str, stable: str, now: float, *,
               policy: CanaryPolicy = DEFAULT_POLICY, by: str = "operator") -> CanaryState:
    """A canary of ``candidate`` against ``stable`` at its first stage."""
    state = CanaryState(id=f"{candidate}@{int(now)}", candidate=candidate, stable=stable,
                        started_at=now, policy=policy, stage_started_at=now)
    return _log(state, now, "start", f"started by {by}")


def decide(state: CanaryState, now: float) -> Decision:
    """What to do with a running canary at ``now``: abort, advance, promote or hold."""
    if not state.running:
        return HOLD
    p, c, s = state.policy, state.canary, state.stable_arm
    if c.errors >= p.max_errors:
        return Decision("abort", f"{c.errors} failed canary predictions (limit {p.max_errors})")
    if c.requests >= p.min_requests and c.error_ratio > s.error_ratio + p.max_error_ratio:
        return Decision("abort", f"canary error ratio {c.error_ratio:.3f} against "
                                 f"{s.error_ratio:.3f} stable")
    if c.compared >= p.min_compared:
        if c.mean_margin_diff > p.max_margin_diff:
            return Decision("abort", f"mean |margin difference| {c.mean_margin_diff:.2f} "
                                     f"points > {p.max_margin_diff}")
        if c.mean_prob_diff > p.max_win_prob_diff:
            return Decision("abort", f"mean |win probability difference| "
                                     f"{c.mean_prob_diff:.3f} > {p.max_win_prob_diff}")
    if c.graded >= p.min_graded and c.mae is not None and c.stable_mae is not None \
            and c.mae - c.stable_mae > p.max_mae_gap:
        return Decision("abort", f"canary MAE {c.mae:.2f} against {c.stable_mae:.2f} stable "
                                 f"on {c.graded} played games")
    slow = _slower(state)
    if slow:
        return Decision("abort", slow)
    if now - state.stage_started_at >= p.stage_s and c.requests >= p.min_requests:
        last = state.stage == len(p.stages) - 1
        return Decision("promote" if last else "advance",
                        f"{c.requests} canary requests over {now - state.stage_started_at:.0f} s "
                        f"within thresholds")
    return HOLD


def _slower(state: CanaryState) -> str:
    p, c = state.policy, state.canary
    if c.requests < p.min_requests:
        return ""
    stable_p95 = (state.stable_arm.p95() if state.stable_arm.requests >= p.min_requests
                  else state.baseline_p95_s)
    canary_p95 = c.p95()
    if stable_p95 is None or canary_p95 is None:
        return ""
    if canary_p95 > max(p.p95_floor_s, p.max_p95_ratio * stable_p95):
        return f"canary P95 {canary_p95:.3f} s against {stable_p95:.3f} s stable"
    return ""


def apply(state: CanaryState, decision: Decision, now: float) -> CanaryState:
    """The state after ``decision`` at ``now`` (unchanged for ``hold``)."""
    if decision.action == "advance":
        baseline = state.stable_arm.p95() if state.stable_arm.requests >= \
            state.policy.min_requests else state.baseline_p95_s
        moved = _log(state, now, "advance", decision.reason)
        return replace(moved, stage=state.stage + 1, stage_started_at=now,
                       canary=ArmStats(), stable_arm=ArmStats(), baseline_p95_s=baseline)
    if decision.action == "promote":
        return promote(state, now, decision.reason)
    if decision.action == "abort":
        return abort(state, now, decision.reason)
    return state


def promote(state: CanaryState, now: float, reason: str = "promoted by operator"
            ) -> CanaryState:
    """The candidate wins: the canary ends and the candidate is to become the default."""
    return replace(_log(state, now, "promote", reason), status="promoted", ended_at=now,
                   reason=reason)


def abort(state: CanaryState, now: float, reason: str = "aborted by operator") -> CanaryState:
    """Roll back: the canary ends and every caller is served by the stable version."""
    return replace(_log(state, now, "abort", reason), status="aborted", ended_at=now,
                   reason=reason)


def add_stats(state: CanaryState, stage: int, canary: ArmStats, stable: ArmStats
              ) -> CanaryState:
    """Add one worker's readings of ``stage``; readings of an earlier stage only count in
    the totals (they were taken at another share)."""
    if not state.running or (canary.empty and stable.empty):
        return state
    out = replace(state, canary_total=state.canary_total + canary,
                  stable_total=state.stable_total + stable)
    if stage == state.stage:
        out = replace(out, canary=state.canary + canary, stable_arm=state.stable_arm + stable)
    return out


def _log(state: CanaryState, now: float, event: str, reason: str) -> CanaryState:
    entry = {"at": now, "event": event, "stage": state.stage,
             "share": state.policy.stages[state.stage], "reason": reason,
             "canary": state.canary.summary(), "stable": state.stable_arm.summary()}
    return replace(state, timeline=(*state.timeline, entry))
