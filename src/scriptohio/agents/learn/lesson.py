"""One lesson: a Markdown file with a YAML front matter, parsed into a frozen :class:`Lesson`.

A lesson file looks like::

    ---
    id: elo
    title: How Elo works
    level: intro
    roles: [casual, data_scientist]
    concepts: [elo, k_factor]
    prerequisites: [welcome]
    minutes: 7
    examples:
      - title: Elo rankings at the end of the 2024 regular season
        request: GET /v1/rankings?season=2024&week=15&method=elo
        explains: ...
    ---
    Markdown body ...

Parsing is strict: a missing or mistyped field raises :class:`DataFormatError` naming the file
and the field, so a broken lesson fails the catalogue load (and its test), not a user request.

An example's ``curl`` command names the service as :data:`BASE_URL_PLACEHOLDER`, not by an
address: a lesson cannot know where its reader reaches the service, so whoever serves it fills
that in (the API: the address the request came to).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote

import yaml

from scriptohio.errors import DataFormatError

__all__ = ["BASE_URL_PLACEHOLDER", "LEVELS", "ROLES", "Example", "Lesson", "parse_lesson"]

Level = Literal["intro", "intermediate", "advanced"]
LEVELS: tuple[Level, ...] = ("intro", "intermediate", "advanced")
ROLES: tuple[str, ...] = ("casual", "data_scientist", "production")
_METHODS = frozenset({"GET", "POST"})
#: Stands for the service's address (scheme, host, port, mount path) in ``curl`` commands.
BASE_URL_PLACEHOLDER = "{base_url}"


@dataclass(frozen=True)
class Example:
    """A runnable request against the live API, with what to look at in the answer."""

    title: str
    method: str
    path: str
    explains: str
    body: Mapping[str, Any] | None = None
    role: str | None = None

    def curl(self, base_url: str = BASE_URL_PLACEHOLDER) -> str:
        """The example as a shell command (single-quoted, so ``&`` and ``%20`` survive)."""
        parts = ["curl", "-s"]
        if self.method != "GET":
            parts += ["-X", self.method]
        parts.append(f"'{base_url}{self.path}'")
        if self.role:
            parts += ["-H", f"'X-Role: {quote(self.role)}'"]
        if self.body is not None:
            parts += ["-H", "'Content-Type: application/json'", "-d", f"'{json.dumps(self.body)}'"]
        return " ".join(parts)

    def as_json(self) -> dict[str, object]:
        """The example as served by the API, ``curl`` still holding the placeholder."""
        return {
            "title": self.title,
            "method": self.method,
            "path": self.path,
            "body": dict(self.body) if self.body is not None else None,
            "role": self.role,
            "explains": self.explains,
            "curl": self.curl(),
        }


@dataclass(frozen=True)
class Lesson:
    """A lesson of the catalogue; ``body`` is Markdown."""

    id: str
    title: str
    level: Level
    roles: tuple[str, ...]
    concepts: tuple[str, ...]
    prerequisites: tuple[str, ...]
    minutes: int
    body: str
    examples: tuple[Example, ...]
    source: str = ""

    def summary(self) -> dict[str, object]:
        """The short form used in paths and recommendations."""
        return {
            "id": self.id,
            "title": self.title,
            "level": self.level,
            "minutes": self.minutes,
            "roles": list(self.roles),
            "prerequisites": list(self.prerequisites),
        }


def _field(meta: Mapping[str, Any], name: str, kind: type, source: str) -> Any:
    value = meta.get(name)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise DataFormatError(f"expected {kind.__name__}, got {value!r}", file=source, column=name)
    return value


def _strings(meta: Mapping[str, Any], name: str, source: str) -> tuple[str, ...]:
    value = meta.get(name, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise DataFormatError("expected a list of strings", file=source, column=name, value=value)
    return tuple(value)


def _example(raw: object, source: str) -> Example:
    if not isinstance(raw, Mapping):
        raise DataFormatError("an example must be a mapping", file=source, column="examples")
    request = _field(raw, "request", str, source).split(maxsplit=1)
    if len(request) != 2 or request[0] not in _METHODS or not request[1].startswith("/"):
        raise DataFormatError(
            "request must read 'GET /path' or 'POST /path'", file=source, column="examples"
        )
    body = raw.get("body")
    if body is not None and not isinstance(body, Mapping):
        raise DataFormatError("body must be a mapping", file=source, column="examples")
    role = raw.get("role")
    if role is not None and role not in ROLES:
        raise DataFormatError("unknown role", file=source, column="examples", value=role)
    return Example(
        title=_field(raw, "title", str, source),
        method=request[0],
        path=request[1],
        explains=_field(raw, "explains", str, source).strip(),
        body=body,
        role=role,
    )


def parse_lesson(text: str, *, source: str = "<lesson>") -> Lesson:
    """Parse a lesson file (front matter between ``---`` lines, then the Markdown body)."""
    head, sep, body = text.removeprefix("\ufeff").partition("\n---\n")
    if not head.startswith("---\n") or not sep:
        raise DataFormatError("a lesson starts with a '---' front matter block", file=source)
    try:
        meta = yaml.safe_load(head[4:])
    except yaml.YAMLError as exc:
        raise DataFormatError(f"front matter is not YAML: {exc}", file=source) from exc
    if not isinstance(meta, Mapping):
        raise DataFormatError("front matter must be a mapping", file=source)
    level = _field(meta, "level", str, source)
    if level not in LEVELS:
        raise DataFormatError(f"level must be one of {LEVELS}", file=source, column="level")
    roles = _strings(meta, "roles", source)
    if not roles or any(role not in ROLES for role in roles):
        raise DataFormatError(f"roles must be among {ROLES}", file=source, column="roles")
    minutes = _field(meta, "minutes", int, source)
    if minutes <= 0:
        raise DataFormatError("minutes must be positive", file=source, column="minutes")
    raw_examples = meta.get("examples")
    if not isinstance(raw_examples, list) or not raw_examples:
        raise DataFormatError("at least one example is required", file=source, column="examples")
    return Lesson(
        id=_field(meta, "id", str, source),
        title=_field(meta, "title", str, source),
        level=level,
        roles=roles,
        concepts=_strings(meta, "concepts", source),
        prerequisites=_strings(meta, "prerequisites", source),
        minutes=minutes,
        body=body.strip(),
        examples=tuple(_example(raw, source) for raw in raw_examples),
        source=source,
    )
