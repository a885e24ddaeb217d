"""The learning navigator: lessons, concepts, paths, stored progress and recommendations."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from scriptohio.agents.learn import LEVELS, LearningNavigator, default_catalogue
from scriptohio.clock import FakeClock
from scriptohio.errors import NotFoundError, ValidationError


def stepping_clock() -> FakeClock:
    """Every reading is one second after the previous one (progress is ordered by time)."""
    return FakeClock(1_001.0, tick=1.0)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "state" / "learning.sqlite"


@pytest.fixture
def nav(db: Path) -> Iterator[LearningNavigator]:
    navigator = LearningNavigator(db, clock=stepping_clock())
    yield navigator
    navigator.close()


def test_lesson_has_body_examples_and_unlocks(nav: LearningNavigator) -> None:
    lesson = nav.lesson("elo")
    assert lesson["title"] == "How Elo works"
    assert "K x (actual result - expected result)" in str(lesson["body"])
    examples = lesson["examples"]
    assert isinstance(examples, list) and examples
    assert examples[0]["curl"].startswith("curl -s '{base_url}/v1/rankings?")  # API fills it
    assert "least-squares-ratings" in lesson["unlocks"]
    assert {"name": "elo", "title": "Elo rating"} in lesson["concepts"]


def test_unknown_lesson_lists_the_valid_ids(nav: LearningNavigator) -> None:
    with pytest.raises(NotFoundError) as caught:
        nav.lesson("elo-ratings-101")
    error = caught.value
    assert error.status == 404
    assert set(error.valid_ids) == set(default_catalogue().lessons)
    assert "welcome" in error.detail and "walk-forward" in error.detail
    assert "elo" in error.suggestions


@pytest.mark.parametrize("name", ["epa", "EPA", "Expected Points Added", "success-rate",
                                  "Success Rate", "brier", "home field"])
def test_concept_by_name_title_or_alias(nav: LearningNavigator, name: str) -> None:
    concept = nav.concept(name)
    assert concept["name"] in ("epa", "success_rate", "brier_score", "home_field_advantage")
    lessons = concept["lessons"]
    assert isinstance(lessons, list) and all("title" in lesson for lesson in lessons)


def test_unknown_concept_suggests_close_names(nav: LearningNavigator) -> None:
    with pytest.raises(NotFoundError) as caught:
        nav.concept("explosivness")
    assert caught.value.suggestions[0] == "explosiveness"
    assert "did you mean explosiveness" in caught.value.detail
    with pytest.raises(NotFoundError):
        nav.concept("zzzzzz")


def test_new_user_starts_with_welcome(nav: LearningNavigator) -> None:
    for role in ("casual", "data_scientist", "production"):
        recommendation = nav.recommend("new-user", role)
        assert recommendation["next"]["id"] == "welcome"


def test_completion_persists_across_instances(db: Path) -> None:
    first = LearningNavigator(db, clock=stepping_clock())
    assert first.complete("ana", "welcome")["newly_completed"] is True
    first.complete("ana", "elo")
    first.close()
    second = LearningNavigator(db)
    progress = second.progress("ana")
    assert progress["completed"] == ["welcome", "elo"]
    assert progress["completed_count"] == 2
    assert second.recommend("ana", "casual")["next"]["id"] != "welcome"
    second.close()
    assert sqlite3.connect(db).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_completing_twice_changes_nothing(nav: LearningNavigator) -> None:
    assert nav.complete("bo", "welcome")["newly_completed"] is True
    assert nav.complete("bo", "welcome")["newly_completed"] is False
    assert nav.progress("bo")["completed"] == ["welcome"]


def test_completing_an_unknown_lesson_stores_nothing(nav: LearningNavigator) -> None:
    with pytest.raises(NotFoundError):
        nav.complete("cy", "no-such-lesson")
    assert nav.progress("cy")["completed"] == []


def test_users_do_not_see_each_others_progress(nav: LearningNavigator) -> None:
    nav.complete("dee", "welcome")
    assert nav.progress("eve")["completed_count"] == 0
    assert nav.recommend("eve", "casual")["next"]["id"] == "welcome"


def test_walking_a_path_follows_its_order(nav: LearningNavigator) -> None:
    path = list(default_catalogue().paths["data_scientist"])
    for expected in path:
        recommendation = nav.recommend("fay", "data_scientist")
        assert recommendation["next"]["id"] == expected
        nav.complete("fay", expected)
    progress = nav.progress("fay")
    assert progress["by_role"]["data_scientist"] == {
        "done": len(path), "total": len(path),
    }


def test_path_marks_completed_and_ready_lessons(nav: LearningNavigator) -> None:
    nav.complete("gus", "welcome")
    nav.complete("gus", "epa-and-success-rate")
    answer = nav.path("casual", "gus")
    steps = {step["id"]: step for step in answer["lessons"]}
    assert steps["welcome"]["completed"] and steps["epa-and-success-rate"]["completed"]
    assert steps["explosiveness"]["ready"] and not steps["explosiveness"]["completed"]
    assert not steps["matchup-analysis"]["ready"]
    assert answer["completed_count"] == 2
    assert answer["total_minutes"] == sum(
        default_catalogue().lessons[i].minutes for i in default_catalogue().paths["casual"]
    )
    assert answer["next"]["id"] == "asking-questions"


def test_out_of_order_progress_still_recommends_a_ready_lesson(nav: LearningNavigator) -> None:
    nav.complete("hal", "ensemble")  # skipped ahead: prerequisites not done
    recommendation = nav.recommend("hal", "data_scientist")
    lesson = default_catalogue().lessons[recommendation["next"]["id"]]
    assert lesson.id == "welcome" and not lesson.prerequisites


def test_finished_path_suggests_advanced_lessons_of_other_roles(nav: LearningNavigator) -> None:
    catalogue = default_catalogue()
    casual = set(catalogue.paths["casual"])
    for lesson_id in catalogue.paths["casual"]:
        nav.complete("ivy", lesson_id)
    recommendation = nav.recommend("ivy", "casual")
    assert "complete" in str(recommendation["reason"])
    chosen = recommendation["next"]
    assert chosen is not None and chosen["id"] not in casual
    ready_levels = [
        LEVELS.index(lesson.level) for lesson in catalogue.lessons.values()
        if lesson.id not in casual and set(lesson.prerequisites) <= casual
    ]
    assert LEVELS.index(chosen["level"]) == max(ready_levels)


def test_everything_done_means_no_next_lesson(nav: LearningNavigator) -> None:
    for lesson_id in default_catalogue().paths["data_scientist"]:
        nav.complete("jo", lesson_id)
    for lesson_id in default_catalogue().lessons:
        nav.complete("jo", lesson_id)
    recommendation = nav.recommend("jo", "production")
    assert recommendation["next"] is None
    assert recommendation["reason"] == "every lesson is complete"
    assert nav.progress("jo")["percent"] == 100.0


def test_bad_role_and_user_are_validation_errors(nav: LearningNavigator) -> None:
    with pytest.raises(ValidationError, match="casual"):
        nav.path("admin", "kim")
    with pytest.raises(ValidationError):
        nav.recommend("  ", "casual")
    with pytest.raises(ValidationError):
        nav.complete("x" * 201, "welcome")


def test_concurrent_writers_lose_nothing(db: Path) -> None:
    lessons = list(default_catalogue().lessons)
    navigators = [LearningNavigator(db) for _ in range(3)]

    def work(index: int) -> None:
        for lesson_id in lessons[index::3]:
            navigators[index].complete("lee", lesson_id)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    completed = navigators[0].progress("lee")["completed"]
    assert isinstance(completed, list) and sorted(completed) == sorted(lessons)
    for navigator in navigators:
        navigator.close()
