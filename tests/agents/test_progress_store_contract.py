"""The lesson progress store's contract against both stores: SQLite in the state directory and
Redis (a private redis-server of the test's own)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scriptohio.agents.learn import LearningNavigator, open_progress_store
from scriptohio.errors import ServiceError
from tests.conftest import PrivateRedis


def test_completions_are_recorded_once_per_user_and_shared(
        tmp_path: Path, store_redis_url: str | None) -> None:
    times = iter([10.0, 20.0, 30.0, 40.0])
    path = tmp_path / "learning.sqlite"
    first = open_progress_store(path, store_redis_url, namespace="contract",
                                clock=lambda: next(times))
    second = open_progress_store(path, store_redis_url, namespace="contract")  # another process
    assert first.mark_complete("uma", "b-lesson")
    assert first.mark_complete("uma", "a-lesson")
    assert not second.mark_complete("uma", "b-lesson")  # a repeat changes nothing
    assert first.mark_complete("vic", "b-lesson")
    assert second.completed("uma") == [("b-lesson", 10.0), ("a-lesson", 20.0)]
    assert second.completed("vic") == [("b-lesson", 30.0)]
    assert second.completed("nobody") == []
    first.close()
    second.close()


def test_the_navigator_reads_progress_from_the_store_it_is_given(
        tmp_path: Path, private_redis: PrivateRedis) -> None:
    one = LearningNavigator(open_progress_store(tmp_path / "a.sqlite", private_redis.url,
                                                namespace="nav"))
    other = LearningNavigator(open_progress_store(tmp_path / "b.sqlite", private_redis.url,
                                                  namespace="nav"))
    lesson_id = next(iter(one.catalogue.lessons))
    assert one.complete("wes", lesson_id)["newly_completed"] is True
    assert other.complete("wes", lesson_id)["newly_completed"] is False
    assert other.progress("wes")["completed"] == [lesson_id]
    private_redis.stop()
    with pytest.raises(ServiceError, match="learning progress store"):
        other.progress("wes")
    one.close()
    other.close()
