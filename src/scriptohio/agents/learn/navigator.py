"""The learning navigator: role paths, lessons, concepts, progress and the next step.

``LearningNavigator`` is the agent behind ``GET /v1/learn/...``. It joins the read-only
:class:`Catalogue` with a :class:`ProgressStore`; the decision of what to study next is a pure
function (:func:`next_lessons`) of the catalogue, the role and the set of completed lessons.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from rapidfuzz import fuzz, process

from scriptohio.agents.learn.catalogue import Catalogue, default_catalogue
from scriptohio.agents.learn.lesson import LEVELS, ROLES, Lesson
from scriptohio.agents.learn.paths import topological_order
from scriptohio.agents.learn.progress import ProgressStore, SqliteProgressStore
from scriptohio.errors import NotFoundError, ValidationError

__all__ = ["MAX_USER_ID_LENGTH", "LearningNavigator", "UnknownLessonError", "next_lessons"]

MAX_USER_ID_LENGTH = 200
DEFAULT_ALTERNATIVES = 3


class UnknownLessonError(NotFoundError):
    """No lesson with that id; carries every valid id and the closest ones."""

    title = "Unknown lesson"

    def __init__(self, lesson_id: str, valid_ids: Sequence[str]) -> None:
        self.lesson_id = lesson_id
        self.valid_ids = list(valid_ids)
        close = process.extract(lesson_id, self.valid_ids, scorer=fuzz.WRatio, limit=3,
                                score_cutoff=60)
        self.suggestions = [choice for choice, _, _ in close]
        super().__init__(
            f"unknown lesson {lesson_id!r}; valid lessons: {', '.join(self.valid_ids)}"
        )


def next_lessons(catalogue: Catalogue, role: str, done: set[str]) -> tuple[list[str], str]:
    """The recommended lesson ids (best first) and why: a pure decision.

    First choice: the first unfinished lesson on the role's path whose prerequisites are done.
    When the path is finished: unfinished lessons of the other roles that are ready, advanced
    ones first. Empty when every lesson is done.
    """
    lessons = catalogue.lessons
    path = catalogue.paths[role]

    def ready(lesson_id: str) -> bool:
        return lesson_id not in done and all(n in done for n in lessons[lesson_id].prerequisites)

    on_path = [lesson_id for lesson_id in path if ready(lesson_id)]
    if on_path:
        return on_path, f"next on the {role} path"
    rank = {lesson_id: i for i, lesson_id in enumerate(lessons)}
    others = sorted(
        (lesson_id for lesson_id in lessons if ready(lesson_id)),
        key=lambda i: (-LEVELS.index(lessons[i].level), rank[i]),
    )
    if others:
        return others, f"the {role} path is complete: advanced lessons from other paths"
    left = [lesson_id for lesson_id in lessons if lesson_id not in done]
    if left:  # only reachable when progress holds lessons out of prerequisite order
        return topological_order(lessons, left), "lessons still to take"
    return [], "every lesson is complete"


class LearningNavigator:
    """Lessons, concepts, role paths and per-user progress (``progress``: a store, or the
    path of a SQLite file)."""

    def __init__(
        self,
        progress: str | Path | ProgressStore,
        *,
        catalogue: Catalogue | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self._catalogue = catalogue or default_catalogue()
        if isinstance(progress, str | Path):
            progress = (SqliteProgressStore(progress) if clock is None
                        else SqliteProgressStore(progress, clock=clock))
        self._store: ProgressStore = progress

    @property
    def catalogue(self) -> Catalogue:
        """The lessons and glossary served."""
        return self._catalogue

    def lesson(self, lesson_id: str) -> dict[str, object]:
        """A full lesson (Markdown body, concepts, runnable examples, what it unlocks).

        Each example's ``curl`` names the service as ``BASE_URL_PLACEHOLDER``, for the caller
        to fill in with the address its reader uses.
        """
        lesson = self._get(lesson_id)
        glossary = self._catalogue.glossary
        return {
            **lesson.summary(),
            "concepts": [
                {"name": name, "title": glossary.get(name).title} for name in lesson.concepts
            ],
            "body": lesson.body,
            "examples": [example.as_json() for example in lesson.examples],
            "unlocks": self._catalogue.dependants(lesson.id),
        }

    def concept(self, name: str) -> dict[str, object]:
        """A glossary entry by name, title or alias; NotFoundError with suggestions otherwise."""
        concept = self._catalogue.glossary.get(name)
        related = [
            self._catalogue.lessons[lesson_id].summary() for lesson_id in concept.lessons
        ]
        return {**concept.as_json(), "lessons": related}

    def complete(self, user_id: str, lesson_id: str) -> dict[str, object]:
        """Mark a lesson complete (idempotent); ``newly_completed`` is False on a repeat."""
        user = self._user(user_id)
        lesson = self._get(lesson_id)
        newly = self._store.mark_complete(user, lesson.id)
        return {"user_id": user, "lesson_id": lesson.id, "newly_completed": newly}

    def progress(self, user_id: str) -> dict[str, object]:
        """What a user has completed, overall and per role path."""
        user = self._user(user_id)
        completed = [lesson_id for lesson_id, _ in self._store.completed(user)
                     if lesson_id in self._catalogue.lessons]
        done = set(completed)
        total = len(self._catalogue.lessons)
        by_role = {
            role: {"done": sum(1 for i in path if i in done), "total": len(path)}
            for role, path in self._catalogue.paths.items()
        }
        return {
            "user_id": user,
            "completed": completed,
            "completed_count": len(completed),
            "total": total,
            "percent": round(100.0 * len(completed) / total, 1),
            "by_role": by_role,
        }

    def recommend(self, user_id: str, role: str) -> dict[str, object]:
        """The next lesson to take on a role's path, and a few alternatives."""
        user, role = self._user(user_id), self._role(role)
        ranked, reason = next_lessons(self._catalogue, role, self._done(user))
        lessons = self._catalogue.lessons
        return {
            "user_id": user,
            "role": role,
            "next": lessons[ranked[0]].summary() if ranked else None,
            "reason": reason,
            "alternatives": [lessons[i].summary() for i in ranked[1 : 1 + DEFAULT_ALTERNATIVES]],
        }

    def path(self, role: str, user_id: str) -> dict[str, object]:
        """A role's ordered path with, per lesson, whether it is completed and ready."""
        user, role = self._user(user_id), self._role(role)
        done = self._done(user)
        lessons = self._catalogue.lessons
        steps = []
        for lesson_id in self._catalogue.paths[role]:
            lesson = lessons[lesson_id]
            steps.append(
                {
                    **lesson.summary(),
                    "completed": lesson_id in done,
                    "ready": all(need in done for need in lesson.prerequisites),
                }
            )
        return {
            "role": role,
            "user_id": user,
            "lessons": steps,
            "total_minutes": sum(lessons[i].minutes for i in self._catalogue.paths[role]),
            "completed_count": sum(1 for step in steps if step["completed"]),
            "total": len(steps),
            "next": self.recommend(user, role)["next"],
        }

    def close(self) -> None:
        """Release the progress database."""
        self._store.close()

    def _get(self, lesson_id: str) -> Lesson:
        lesson = self._catalogue.lessons.get(lesson_id.strip().casefold())
        if lesson is None:
            raise UnknownLessonError(lesson_id, list(self._catalogue.lessons))
        return lesson

    def _done(self, user_id: str) -> set[str]:
        return {lesson_id for lesson_id, _ in self._store.completed(user_id)}

    @staticmethod
    def _user(user_id: str) -> str:
        user = user_id.strip() if isinstance(user_id, str) else ""
        if not user or len(user) > MAX_USER_ID_LENGTH:
            raise ValidationError(f"user id must be 1..{MAX_USER_ID_LENGTH} characters")
        return user

    @staticmethod
    def _role(role: str) -> str:
        if role not in ROLES:
            raise ValidationError(f"unknown role {role!r}; valid roles: {', '.join(ROLES)}")
        return role
