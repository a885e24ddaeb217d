"""Learning navigator: lessons, a concept glossary, role paths and per-user progress.

Use :class:`LearningNavigator` (``path``, ``lesson``, ``concept``, ``complete``, ``progress``,
``recommend``); the lessons and glossary are data files in this package, loaded by
:func:`default_catalogue`.
"""

from __future__ import annotations

from scriptohio.agents.learn.catalogue import Catalogue, default_catalogue, load_catalogue
from scriptohio.agents.learn.glossary import Concept, Glossary, UnknownConceptError, concept_key
from scriptohio.agents.learn.lesson import (
    BASE_URL_PLACEHOLDER,
    LEVELS,
    ROLES,
    Example,
    Lesson,
    parse_lesson,
)
from scriptohio.agents.learn.navigator import LearningNavigator, UnknownLessonError, next_lessons
from scriptohio.agents.learn.progress import (
    ProgressStore,
    RedisProgressStore,
    SqliteProgressStore,
    open_progress_store,
)

__all__ = [
    "BASE_URL_PLACEHOLDER",
    "LEVELS",
    "ROLES",
    "Catalogue",
    "Concept",
    "Example",
    "Glossary",
    "LearningNavigator",
    "Lesson",
    "ProgressStore",
    "RedisProgressStore",
    "SqliteProgressStore",
    "UnknownConceptError",
    "UnknownLessonError",
    "concept_key",
    "default_catalogue",
    "load_catalogue",
    "next_lessons",
    "open_progress_store",
    "parse_lesson",
]
