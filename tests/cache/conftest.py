"""Cache test fixtures: a fake clock and a private Redis (the shared one: tests/conftest.py)."""

from __future__ import annotations

import pytest

from scriptohio.clock import FakeClock
from tests.conftest import PrivateRedis

__all__ = ["FakeClock", "PrivateRedis"]  # FakeClock: one clock for every test package


@pytest.fixture()
def clock() -> FakeClock:
    return FakeClock(1000.0)


