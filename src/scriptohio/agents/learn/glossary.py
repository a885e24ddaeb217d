"""The concept glossary: plain explanations of the terms the answers use, looked up leniently.

Concepts live in ``concepts.yaml`` next to this module, keyed by a snake_case name, each with a
title, aliases, a one-paragraph plain explanation, an optional "why it matters" line, related
concepts and related lessons. A lookup accepts the name, the title or any alias, in any case and
with spaces, hyphens or underscores ("Success Rate", "success-rate", "brier"); a miss raises
:class:`UnknownConceptError` carrying the closest names (rapidfuzz).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml
from rapidfuzz import fuzz, process

from scriptohio.errors import DataFormatError, NotFoundError

__all__ = [
    "DEFAULT_CONCEPT_FILE",
    "Concept",
    "Glossary",
    "UnknownConceptError",
    "concept_key",
    "load_glossary",
]

DEFAULT_CONCEPT_FILE = Path(__file__).with_name("concepts.yaml")
DEFAULT_SUGGESTIONS = 3
DEFAULT_SUGGESTION_CUTOFF = 70.0
_SEPARATORS = re.compile(r"[\s_\-/]+")


def concept_key(text: str) -> str:
    """The lookup key of a concept name: ``"Success-Rate "`` -> ``"success_rate"``."""
    return _SEPARATORS.sub("_", text.strip().casefold().replace("'", "")).strip("_")


class UnknownConceptError(NotFoundError):
    """No concept of that name; ``suggestions`` holds the closest names."""

    title = "Unknown concept"

    def __init__(self, name: str, suggestions: Iterable[str] = ()) -> None:
        self.name = name
        self.suggestions = list(suggestions)
        hint = f"; did you mean {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"unknown concept {name!r}{hint}")


@dataclass(frozen=True)
class Concept:
    """One glossary entry."""

    name: str
    title: str
    aliases: tuple[str, ...]
    summary: str
    why_it_matters: str
    related_concepts: tuple[str, ...]
    lessons: tuple[str, ...]

    def as_json(self) -> dict[str, object]:
        """The entry as served by ``GET /v1/learn/concepts/{name}``."""
        return {
            "name": self.name,
            "title": self.title,
            "aliases": list(self.aliases),
            "summary": self.summary,
            "why_it_matters": self.why_it_matters,
            "related_concepts": list(self.related_concepts),
            "lessons": list(self.lessons),
        }


class Glossary:
    """Concepts by name, with alias lookup and fuzzy suggestions."""

    def __init__(
        self, concepts: Iterable[Concept], *, suggestion_limit: int = DEFAULT_SUGGESTIONS
    ) -> None:
        self._concepts = {concept.name: concept for concept in concepts}
        self._limit = suggestion_limit
        keys: dict[str, str] = {}
        for concept in self._concepts.values():
            for spelling in (*concept.aliases, concept.title, concept.name):
                keys[concept_key(spelling)] = concept.name
        self._keys = keys

    def __iter__(self) -> Iterator[Concept]:
        return iter(self._concepts.values())

    def __len__(self) -> int:
        return len(self._concepts)

    @property
    def names(self) -> tuple[str, ...]:
        """Every concept name, sorted."""
        return tuple(sorted(self._concepts))

    def spellings(self) -> Mapping[str, str]:
        """``{lookup key: concept name}`` for names, titles and aliases (for routers)."""
        return dict(self._keys)

    def get(self, name: str) -> Concept:
        """The concept for a name, title or alias; :class:`UnknownConceptError` otherwise."""
        key = concept_key(name)
        found = self._keys.get(key)
        if found is not None:
            return self._concepts[found]
        matches = process.extract(
            key,
            list(self._keys),
            scorer=fuzz.ratio,
            limit=self._limit * 3,
            score_cutoff=DEFAULT_SUGGESTION_CUTOFF,
        )
        suggestions = list(dict.fromkeys(self._keys[choice] for choice, _, _ in matches))
        raise UnknownConceptError(name, suggestions[: self._limit])


def _strings(raw: Mapping[str, object], field: str, source: str, name: str) -> tuple[str, ...]:
    value = raw.get(field, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise DataFormatError("expected a list of strings", file=source, column=f"{name}.{field}")
    return tuple(value)


def _text(raw: Mapping[str, object], field: str, source: str, name: str) -> str:
    value = raw.get(field, "")
    if not isinstance(value, str):
        raise DataFormatError("expected text", file=source, column=f"{name}.{field}")
    return " ".join(value.split())


def load_glossary(path: Path = DEFAULT_CONCEPT_FILE) -> Glossary:
    """Read ``concepts.yaml``; raises :class:`DataFormatError` naming the bad entry."""
    source = str(path)
    try:
        table = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DataFormatError(str(exc), file=source) from exc
    if not isinstance(table, Mapping):
        raise DataFormatError("expected a mapping of concept name -> entry", file=source)
    concepts = []
    for name, raw in table.items():
        if not isinstance(raw, Mapping) or concept_key(str(name)) != name:
            raise DataFormatError("bad concept entry (snake_case name -> mapping)", file=source,
                                  column=str(name))
        summary = _text(raw, "summary", source, name)
        title = _text(raw, "title", source, name)
        if not summary or not title:
            raise DataFormatError("title and summary are required", file=source, column=name)
        concepts.append(
            Concept(
                name=name,
                title=title,
                aliases=_strings(raw, "aliases", source, name),
                summary=summary,
                why_it_matters=_text(raw, "why_it_matters", source, name),
                related_concepts=_strings(raw, "related", source, name),
                lessons=_strings(raw, "lessons", source, name),
            )
        )
    return Glossary(concepts)
