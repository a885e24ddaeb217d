"""Which lesson or concept a learning question is about ("what is EPA" -> concept ``epa``).

Concept spellings (names, titles, aliases) come from the learning navigator's glossary; the
longest spelling found in the question wins, so "line yards" beats "line". A misspelt single
word ("explosivness") matches a one-word spelling by similarity. When no concept is named, the
lesson whose title shares the most words with the question is chosen, if any is close enough.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from scriptohio.agents.learn import Catalogue, concept_key

__all__ = ["DEFAULT_TITLE_CUTOFF", "Topic", "TopicMatcher"]

DEFAULT_TITLE_CUTOFF = 70.0
DEFAULT_WORD_CUTOFF = 85.0
_MIN_SPELLING = 3
_WORD = re.compile(r"[a-z0-9]+")
_FILLER_WORDS = (
    "what whats is are the a an does do how i you we explain define tell me about mean means "
    "meaning of in on for to and or why should learn teach lesson lessons please can"
)
_FILLER = frozenset(_FILLER_WORDS.split())


@dataclass(frozen=True)
class Topic:
    """The concept and/or lesson a question is about (either may be None)."""

    concept: str | None
    lesson: str | None

    @property
    def empty(self) -> bool:
        """True when the question names no concept and no lesson."""
        return self.concept is None and self.lesson is None


class TopicMatcher:
    """Finds the concept or lesson a learning question names."""

    def __init__(self, catalogue: Catalogue, *, title_cutoff: float = DEFAULT_TITLE_CUTOFF) -> None:
        self._catalogue = catalogue
        spellings = catalogue.glossary.spellings()
        self._phrases = sorted(
            ((key.replace("_", " "), name) for key, name in spellings.items()
             if len(key) >= _MIN_SPELLING),
            key=lambda item: -len(item[0]),
        )
        self._single_words: Mapping[str, str] = {
            phrase: name for phrase, name in self._phrases if " " not in phrase and len(phrase) > 4
        }
        self._titles = {lesson.id: lesson.title.casefold() for lesson in catalogue.lessons.values()}
        self._title_cutoff = title_cutoff

    def match(self, text: str) -> Topic:
        """The concept named in ``text`` (with its first lesson), else the closest lesson."""
        words = _WORD.findall(concept_key(text).replace("_", " "))
        padded = f" {' '.join(words)} "
        # The earliest concept named is the subject ("how is the ensemble calibrated");
        # at the same position the longest spelling wins ("line yards" over "line").
        hits = [
            (padded.index(f" {phrase} "), -len(phrase), name)
            for phrase, name in self._phrases
            if f" {phrase} " in padded
        ]
        concept = min(hits)[2] if hits else None
        if concept is None:
            concept = self._misspelt(words)
        if concept is not None:
            lessons = self._catalogue.glossary.get(concept).lessons
            return Topic(concept, lessons[0] if lessons else None)
        content = " ".join(word for word in words if word not in _FILLER)
        if not content:
            return Topic(None, None)
        best = process.extractOne(
            content, self._titles, scorer=fuzz.token_set_ratio, score_cutoff=self._title_cutoff
        )
        return Topic(None, str(best[2]) if best else None)

    def _misspelt(self, words: list[str]) -> str | None:
        for word in words:
            if len(word) <= 4 or word in _FILLER:
                continue
            best = process.extractOne(
                word, list(self._single_words), scorer=fuzz.ratio, score_cutoff=DEFAULT_WORD_CUTOFF
            )
            if best is not None:
                return self._single_words[best[0]]
        return None
