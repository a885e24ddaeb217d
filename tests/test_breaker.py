"""Circuit breaker state machine, stepped with a fake clock (no sleeps)."""

from __future__ import annotations

import pytest

from scriptohio.breaker import BreakerConfig, BreakerState, BreakerTransition, CircuitBreaker
from scriptohio.clock import FakeClock
from scriptohio.errors import CircuitOpenError, ValidationError

CONFIG = BreakerConfig(
    failure_rate_threshold=0.5,
    slow_call_rate_threshold=0.8,
    slow_call_duration_s=1.0,
    window_size=10,
    minimum_calls=4,
    wait_in_open_s=5.0,
    half_open_calls=2,
)


Made = tuple[CircuitBreaker, FakeClock, list[BreakerTransition]]


def make(config: BreakerConfig = CONFIG) -> Made:
    clock = FakeClock(100.0)
    moves: list[BreakerTransition] = []
    return CircuitBreaker("dep", config, clock=clock, on_transition=moves.append), clock, moves


def test_stays_closed_below_minimum_calls_even_if_all_fail() -> None:
    breaker, _, moves = make()
    for _ in range(3):
        assert breaker.try_acquire()
        breaker.record_failure(0.01)
    assert breaker.state is BreakerState.CLOSED
    assert moves == []


def test_opens_when_failure_rate_reaches_threshold() -> None:
    breaker, _, moves = make()
    for failed in (False, True, False, True):
        assert breaker.try_acquire()
        (breaker.record_failure if failed else breaker.record_success)(0.01)
    assert breaker.state is BreakerState.OPEN
    assert not breaker.try_acquire()
    assert moves == [BreakerTransition("dep", "closed", "open")]


def test_below_failure_threshold_stays_closed() -> None:
    breaker, _, _ = make()
    for failed in (False, False, True, False, False):
        (breaker.record_failure if failed else breaker.record_success)(0.01)
    assert breaker.state is BreakerState.CLOSED


def test_opens_on_slow_call_rate_even_when_calls_succeed() -> None:
    breaker, _, _ = make()
    for _ in range(4):
        breaker.record_success(1.5)
    assert breaker.state is BreakerState.OPEN


def test_open_waits_then_half_open_admits_only_the_probes() -> None:
    breaker, clock, _ = make()
    for _ in range(4):
        breaker.record_failure(0.01)
    clock.advance(4.9)
    assert breaker.state is BreakerState.OPEN
    assert breaker.retry_after() == pytest.approx(0.1)
    clock.advance(0.1)
    assert breaker.state is BreakerState.HALF_OPEN
    assert breaker.try_acquire()
    assert breaker.try_acquire()
    assert not breaker.try_acquire()  # only half_open_calls probes at a time


def test_successful_probes_close_the_circuit() -> None:
    breaker, clock, moves = make()
    for _ in range(4):
        breaker.record_failure(0.01)
    clock.advance(5)
    for _ in range(2):
        assert breaker.try_acquire()
        breaker.record_success(0.01)
    assert breaker.state is BreakerState.CLOSED
    assert [(m.from_state, m.to_state) for m in moves] == [
        ("closed", "open"), ("open", "half_open"), ("half_open", "closed")]
    # Closed again with a fresh window: a single failure does not reopen it.
    breaker.record_failure(0.01)
    assert breaker.state is BreakerState.CLOSED


def test_failing_probe_reopens_and_restarts_the_wait() -> None:
    breaker, clock, _ = make()
    for _ in range(4):
        breaker.record_failure(0.01)
    clock.advance(5)
    assert breaker.try_acquire() and breaker.try_acquire()
    breaker.record_success(0.01)
    breaker.record_failure(0.01)
    assert breaker.state is BreakerState.OPEN
    assert breaker.retry_after() == pytest.approx(5.0)


def test_released_probe_permit_can_be_reused() -> None:
    breaker, clock, _ = make()
    for _ in range(4):
        breaker.record_failure(0.01)
    clock.advance(5)
    assert breaker.try_acquire() and breaker.try_acquire()
    breaker.release()
    assert breaker.try_acquire()


def test_count_window_judges_only_the_last_n_calls() -> None:
    breaker, _, _ = make(BreakerConfig(failure_rate_threshold=0.75, window_size=4,
                                       minimum_calls=4))
    for failed in (True, True, False, False, False, False, True, True):
        (breaker.record_failure if failed else breaker.record_success)(0.01)
    assert breaker.state is BreakerState.CLOSED  # last 4: [ok, ok, fail, fail] = 50 %
    breaker.record_failure(0.01)
    # Last 4 are [ok, fail, fail, fail] = 75 %; over all 9 calls it would be only 55 %.
    assert breaker.state is BreakerState.OPEN


def test_time_window_forgets_outcomes_older_than_the_window() -> None:
    config = BreakerConfig(window_type="time", window_size=10, minimum_calls=4)
    breaker, clock, _ = make(config)
    for _ in range(3):
        breaker.record_failure(0.01)
    clock.advance(11)
    breaker.record_failure(0.01)  # only 1 call in the last 10 s: below minimum
    assert breaker.state is BreakerState.CLOSED
    for _ in range(3):
        breaker.record_failure(0.01)
    assert breaker.state is BreakerState.OPEN


async def test_call_wrapper_fails_fast_and_ignores_caller_errors() -> None:
    breaker, _, _ = make()

    async def bad_input() -> None:
        raise ValidationError("bad")

    for _ in range(10):
        with pytest.raises(ValidationError):
            await breaker.call(bad_input)
    assert breaker.state is BreakerState.CLOSED  # caller errors are not the dependency's fault

    async def broken() -> None:
        raise ConnectionError("down")

    for _ in range(4):
        with pytest.raises(ConnectionError):
            await breaker.call(broken)
    with pytest.raises(CircuitOpenError) as info:
        await breaker.call(broken)
    assert info.value.retry_after > 0


# -- BreakerConfig.consecutive: the shared cache tier's setting (N failures in a row) ----------

def test_consecutive_opens_only_after_n_failures_in_a_row() -> None:
    breaker, _, moves = make(BreakerConfig.consecutive(3, wait_in_open_s=5.0))
    for failed in (True, True, False, True, True):
        assert breaker.try_acquire()
        (breaker.record_failure if failed else breaker.record_success)(0.01)
    assert breaker.state is BreakerState.CLOSED  # a success in between breaks the run
    breaker.record_failure(0.01)
    assert breaker.state is BreakerState.OPEN and not breaker.try_acquire()
    assert moves == [BreakerTransition("dep", "closed", "open")]


def test_consecutive_ignores_slow_calls() -> None:
    breaker, _, _ = make(BreakerConfig.consecutive(2))
    for _ in range(10):
        breaker.record_success(3600.0)
    assert breaker.state is BreakerState.CLOSED


def test_consecutive_lets_one_trial_through_whose_outcome_decides() -> None:
    breaker, clock, moves = make(BreakerConfig.consecutive(2, wait_in_open_s=5.0))
    breaker.record_failure(0.01)
    breaker.record_failure(0.01)
    clock.advance(5.0)
    assert breaker.try_acquire()
    assert not breaker.try_acquire()  # one trial at a time
    breaker.record_failure(0.01)
    assert breaker.state is BreakerState.OPEN
    clock.advance(5.0)
    assert breaker.try_acquire()
    breaker.release()  # the trial was cancelled: it decides nothing, the next one may go
    assert breaker.try_acquire()
    breaker.record_success(0.01)
    assert breaker.state is BreakerState.CLOSED
    assert [m.to_state for m in moves] == ["open", "half_open", "open", "half_open", "closed"]
