"""Scenario shapes: users over time, stepped with a fake clock (no Locust, no sleeping)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from scriptohio.errors import ValidationError
from scriptohio.loadtest.shapes import SCENARIOS, build_schedule


def users_over(schedule, times):  # type: ignore[no-untyped-def]
    return [None if (t := schedule.tick(s)) is None else t[0] for s in times]


def test_nominal_scenarios_have_the_plan_user_counts() -> None:
    peaks = {name: s.peak_users for name, s in SCENARIOS.items()}
    assert peaks == {"normal": 100, "peak": 500, "stress": 1000, "stress-2000": 2000,
                     "endurance": 500, "spike": 1000}
    assert SCENARIOS["endurance"].total_s == 3600


def test_spike_goes_100_then_1000_at_once_then_back() -> None:
    spike = build_schedule("spike")
    assert users_over(spike, [0, 119.9, 120, 239.9, 240, 359.9, 360]) == [
        100, 100, 1000, 1000, 100, 100, None]
    _users, rate = spike.tick(120.0)  # type: ignore[misc]
    assert rate >= 900  # "at once": all 900 new users within a second


def test_duration_scale_compresses_a_ten_minute_run_into_seconds() -> None:
    normal = build_schedule("normal", duration_s=6.0)
    assert normal.total_s == pytest.approx(6.0)
    assert normal.tick(5.99) == (100, pytest.approx(100 / 0.6))
    assert normal.tick(6.0) is None
    spike = build_schedule("spike", scale=0.01)
    assert users_over(spike, [0.5, 1.3, 2.5, 3.6]) == [100, 1000, 100, None]


def test_users_override_rescales_every_stage() -> None:
    spike = build_schedule("spike", users=50, scale=0.1)
    assert users_over(spike, [1, 13, 25]) == [5, 50, 5]


@pytest.mark.parametrize("kwargs", [{"scale": 0}, {"users": 0}, {"duration_s": -1}])
def test_bad_parameters_are_caller_errors(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValidationError):
        build_schedule("normal", **kwargs)  # type: ignore[arg-type]


def test_unknown_scenario_names_the_choices() -> None:
    with pytest.raises(ValidationError, match="spike"):
        build_schedule("tsunami")


ADAPTER_SCRIPT = """
import json
from scriptohio.loadtest.locust_users import ScheduleShape
from scriptohio.clock import FakeClock
from scriptohio.loadtest.shapes import build_schedule
clock = FakeClock(50.0)
shape = ScheduleShape(build_schedule("spike", scale=0.1), clock=clock)
shape.reset_time()
out = []
for t in (0.0, 11.9, 12.0, 24.0, 36.0):
    clock.now = 50.0 + t
    out.append(shape.tick())
print(json.dumps(out))
"""


def test_locust_shape_adapter_ticks_on_the_injected_clock() -> None:
    # Locust gevent-patches whatever imports it, so the adapter is exercised in a child process.
    done = subprocess.run([sys.executable, "-c", ADAPTER_SCRIPT], capture_output=True,
                          text=True, timeout=60, check=True)
    ticks = json.loads(done.stdout.strip().splitlines()[-1])
    assert [None if t is None else t[0] for t in ticks] == [100, 100, 1000, 100, None]


PUBLIC_API_SCRIPT = """
import sys
import scriptohio.loadtest as lt
assert sorted(lt.__all__) == ["RunResult", "SCENARIOS", "build_schedule", "compare",
                              "loadtest_app", "run_loadtest"], lt.__all__
for name in lt.__all__:
    getattr(lt, name)
print(sorted(m for m in ("locust", "gevent") if m in sys.modules))
"""


def test_public_api_is_pinned_and_never_imports_locust_into_the_caller() -> None:
    # Locust gevent-patches its importer; the caller (CLI, service, tests) must stay unpatched.
    done = subprocess.run([sys.executable, "-c", PUBLIC_API_SCRIPT], capture_output=True,
                          text=True, timeout=60, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"
