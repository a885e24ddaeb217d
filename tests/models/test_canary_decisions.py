"""Canary decisions stepped with a fake clock, sticky assignment, and the store shared by
every worker (two controls over one state directory stand for two workers)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scriptohio.errors import ConflictError, NotFoundError
from scriptohio.models.canary import CanaryPolicy
from scriptohio.models.canary_control import CanaryControl
from scriptohio.models.canary_stats import ArmStats, in_canary
from scriptohio.models.canary_store import FileCanaryStore
from scriptohio.testing import FakeClock, FakeModels

POLICY = CanaryPolicy(stage_s=60.0, min_requests=20, max_errors=3, min_compared=10,
                      min_graded=10)


def readings(requests: int, *, errors: int = 0, seconds: float = 0.004,
             margin_diff: float = 0.5, prob_diff: float = 0.01, graded: int = 0,
             abs_error: float = 10.0, stable_abs_error: float = 10.0) -> ArmStats:
    stats = ArmStats()
    for i in range(requests):
        stats.record(seconds, ok=i >= errors)
        stats.compare(margin_diff, prob_diff)
    for _ in range(graded):
        stats.grade(abs_error, stable_abs_error)
    return stats


@pytest.fixture()
def clock() -> FakeClock:
    return FakeClock(1_000_000.0)


@pytest.fixture()
def control(tmp_path: Path, clock: FakeClock) -> CanaryControl:
    return CanaryControl(FileCanaryStore(tmp_path), FakeModels({"v0002": {}}, stable="v0001"),
                         clock=clock)


def test_same_caller_same_arm_and_shares_close_to_each_stage() -> None:
    users = [f"user-{i}" for i in range(20_000)]
    for share in (0.10, 0.25, 0.50, 1.00):
        served = sum(in_canary("v0002@1", u, share) for u in users)
        assert abs(served / len(users) - share) < 0.01, share
    # sticky: the same answer every time, and whoever is in at 10 % stays in at 25 and 50 %
    assert [in_canary("v0002@1", "user-7", 0.25) for _ in range(5)] == [
        in_canary("v0002@1", "user-7", 0.25)] * 5
    at_10 = {u for u in users if in_canary("v0002@1", u, 0.10)}
    at_25 = {u for u in users if in_canary("v0002@1", u, 0.25)}
    at_50 = {u for u in users if in_canary("v0002@1", u, 0.50)}
    assert at_10 <= at_25 <= at_50
    # a new canary draws a new sample of callers
    other = {u for u in users if in_canary("v0003@2", u, 0.10)}
    assert len(other & at_10) < 0.2 * len(at_10)


def test_promotion_through_every_stage_with_a_fake_clock(
        control: CanaryControl, clock: FakeClock) -> None:
    state = control.start("v0002", policy=POLICY)
    assert (state.stage, state.share, state.stable) == (0, 0.10, "v0001")
    for stage, share in enumerate((0.10, 0.25, 0.50, 1.00)):
        assert control.read().share == share  # type: ignore[union-attr]
        # enough requests but not enough time: it holds
        state = control.step(state.id, stage, readings(25), readings(100))  # type: ignore
        assert state is not None and state.stage == stage and state.running
        clock.advance(59.0)
        assert control.step(state.id, stage).stage == stage  # type: ignore[union-attr]
        clock.advance(1.0)
        state = control.step(state.id, stage)  # type: ignore[assignment]
        assert state is not None
    assert state.status == "promoted"
    assert control.models.latest_version() == "v0002"  # the candidate is the default now
    events = [(t["event"], t["share"]) for t in state.timeline]
    assert events == [("start", 0.10), ("advance", 0.10), ("advance", 0.25),
                      ("advance", 0.50), ("promote", 1.00)]
    assert state.timeline[1]["canary"]["requests"] == 25
    assert state.timeline[1]["stable"]["requests"] == 100


def test_a_stage_needs_its_requests_not_only_its_time(
        control: CanaryControl, clock: FakeClock) -> None:
    state = control.start("v0002", policy=POLICY)
    clock.advance(3600)
    state = control.step(state.id, 0, readings(19), readings(100))  # type: ignore[assignment]
    assert state.stage == 0 and state.running
    state = control.step(state.id, 0, readings(1), readings(0))  # type: ignore[assignment]
    assert state.stage == 1


@pytest.mark.parametrize(("canary", "why"), [
    (readings(5, errors=3), "3 failed canary predictions"),
    (readings(20, margin_diff=4.0), "mean |margin difference| 4.00"),
    (readings(20, prob_diff=0.2), "mean |win probability difference| 0.200"),
    (readings(20, graded=10, abs_error=12.5, stable_abs_error=10.0), "canary MAE 12.50"),
    (readings(40, seconds=0.4), "canary P95 0.500 s"),
])
def test_rolled_back_on_each_threshold(control: CanaryControl, clock: FakeClock,
                                       canary: ArmStats, why: str) -> None:
    state = control.start("v0002", policy=POLICY)
    clock.advance(1.0)
    ended = control.step(state.id, 0, canary, readings(100))
    assert ended is not None and ended.status == "aborted"
    assert ended.reason is not None and ended.reason.startswith(why), ended.reason
    assert ended.share == 0.0  # every caller is back on stable
    assert control.models.latest_version() == "v0001"
    assert [t["event"] for t in ended.timeline] == ["start", "abort"]


def test_within_thresholds_it_holds(control: CanaryControl, clock: FakeClock) -> None:
    state = control.start("v0002", policy=POLICY)
    clock.advance(1.0)
    held = control.step(state.id, 0, readings(80, margin_diff=2.9, errors=1), readings(100))
    assert held is not None and held.running and held.stage == 0


def test_two_workers_add_up_and_advance_once(tmp_path: Path, clock: FakeClock) -> None:
    models = FakeModels({"v0002": {}}, stable="v0001")
    one = CanaryControl(FileCanaryStore(tmp_path), models, clock=clock)
    two = CanaryControl(FileCanaryStore(tmp_path), models, clock=clock)
    state = one.start("v0002", policy=POLICY)
    clock.advance(60)
    assert one.step(state.id, 0, readings(10), readings(40)).stage == 0  # type: ignore
    moved = two.step(state.id, 0, readings(10), readings(40))  # 20 together: enough
    assert moved is not None and moved.stage == 1
    assert moved.timeline[-1]["canary"]["requests"] == 20
    late = one.step(state.id, 0, readings(5), readings(5))  # readings of the old stage
    assert late is not None and late.stage == 1 and late.canary.requests == 0
    assert late.canary_total.requests == 25


def test_refusals(control: CanaryControl) -> None:
    with pytest.raises(NotFoundError):
        control.start("v0009")
    with pytest.raises(ConflictError, match="already the stable"):
        control.start("v0001")
    with pytest.raises(ConflictError, match="no canary is running"):
        control.abort()
    control.start("v0002")
    with pytest.raises(ConflictError, match="already running"):
        control.start("v0002")
    ended = control.abort("bad feeling")
    assert ended.status == "aborted" and ended.reason == "bad feeling"
    with pytest.raises(ConflictError, match="no canary is running"):
        control.promote()


def test_incompatible_version_is_refused(tmp_path: Path) -> None:
    control = CanaryControl(FileCanaryStore(tmp_path),
                            FakeModels({}, stable="v0001", incompatible=["v0002"]))
    with pytest.raises(ConflictError, match="other features"):
        control.start("v0002")


def test_policy_stages_must_grow_to_everyone() -> None:
    with pytest.raises(ValueError, match="last stage"):
        CanaryPolicy(stages=(0.1, 0.5))
    with pytest.raises(ValueError, match="increasing"):
        CanaryPolicy(stages=(0.5, 0.1, 1.0))
