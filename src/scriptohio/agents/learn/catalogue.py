"""The lesson catalogue: every lesson file plus the glossary, checked as a whole.

Lessons are the ``lessons/*.md`` files next to this module, in file-name order (the numeric
prefix is the catalogue order used to break ties in paths). Loading checks what a single file
cannot: ids are unique, every prerequisite and concept exists, concepts point at existing
lessons, and prerequisites have no cycle. Any problem raises :class:`DataFormatError`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType

from scriptohio.agents.learn.glossary import DEFAULT_CONCEPT_FILE, Glossary, load_glossary
from scriptohio.agents.learn.lesson import ROLES, Lesson, parse_lesson
from scriptohio.agents.learn.paths import find_cycle, role_path
from scriptohio.errors import DataFormatError

__all__ = ["DEFAULT_LESSON_DIR", "Catalogue", "default_catalogue", "load_catalogue"]

DEFAULT_LESSON_DIR = Path(__file__).with_name("lessons")


@dataclass(frozen=True)
class Catalogue:
    """Lessons by id (catalogue order), the glossary, and the path of each role."""

    lessons: Mapping[str, Lesson]
    glossary: Glossary
    paths: Mapping[str, Sequence[str]]

    def dependants(self, lesson_id: str) -> list[str]:
        """The lessons that list ``lesson_id`` as a prerequisite."""
        return [other.id for other in self.lessons.values() if lesson_id in other.prerequisites]


def _check(lessons: Mapping[str, Lesson], glossary: Glossary) -> None:
    concept_names = set(glossary.names)
    for lesson in lessons.values():
        missing = [need for need in lesson.prerequisites if need not in lessons]
        if missing:
            raise DataFormatError(
                f"unknown prerequisites {missing}", file=lesson.source, column="prerequisites"
            )
        unknown = [name for name in lesson.concepts if name not in concept_names]
        if unknown:
            raise DataFormatError(
                f"unknown concepts {unknown}", file=lesson.source, column="concepts"
            )
    for concept in glossary:
        bad = [lesson_id for lesson_id in concept.lessons if lesson_id not in lessons]
        bad += [name for name in concept.related_concepts if name not in concept_names]
        if bad:
            raise DataFormatError(f"concept {concept.name} points at unknown {bad}")
    cycle = find_cycle(lessons)
    if cycle:
        raise DataFormatError(f"prerequisite cycle: {' -> '.join(cycle)}", column="prerequisites")


def load_catalogue(
    lesson_dir: Path = DEFAULT_LESSON_DIR, concept_file: Path = DEFAULT_CONCEPT_FILE
) -> Catalogue:
    """Load and check every lesson and the glossary."""
    lessons: dict[str, Lesson] = {}
    for path in sorted(lesson_dir.glob("*.md")):
        lesson = parse_lesson(path.read_text(encoding="utf-8"), source=str(path))
        if lesson.id in lessons:
            raise DataFormatError(f"duplicate lesson id {lesson.id!r}", file=str(path), column="id")
        lessons[lesson.id] = lesson
    if not lessons:
        raise DataFormatError("no lessons found", file=str(lesson_dir))
    glossary = load_glossary(concept_file)
    _check(lessons, glossary)
    paths = {role: tuple(role_path(lessons, role)) for role in ROLES}
    return Catalogue(MappingProxyType(lessons), glossary, MappingProxyType(paths))


@cache
def default_catalogue() -> Catalogue:
    """The catalogue shipped with the package, loaded once per process."""
    return load_catalogue()
