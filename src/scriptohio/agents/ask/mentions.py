"""Team mentions in a question: exact names and aliases first, then typo-tolerant guesses.

The team resolver finds exact names, aliases and mascots (``find_mentions``) but deliberately
does not guess inside a sentence. People type "ohio stat" and "georiga", so this module adds two
careful fuzzy passes on top:

* **extension**: an exact mention followed by an unknown word ("ohio" + "stat") is re-tried as
  one phrase; if the phrase is a close match to a *longer* name, that wins ("Ohio State").
* **leftovers**: words outside any mention that are not ordinary vocabulary ("georiga") are
  tried alone and in adjacent pairs.

A named rivalry ("the Iron Bowl") stands for both its teams when the question does not name two
teams itself.

A guess needs a similarity of at least ``fuzzy_cutoff`` (Indel ratio on normalised names). At
84, a one-letter substitution in a 4- or 5-letter word never qualifies (75 and 80), which keeps
common words ("rams", "bears") from turning into teams.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import yaml
from rapidfuzz import fuzz

from scriptohio.errors import DataFormatError

__all__ = [
    "DEFAULT_FUZZY_CUTOFF",
    "DEFAULT_RIVALRY_FILE",
    "TeamMention",
    "TeamMentionFinder",
    "TeamResolverLike",
    "load_rivalries",
]

DEFAULT_FUZZY_CUTOFF = 84.0
DEFAULT_RIVALRY_FILE = Path(__file__).with_name("rivalries.yaml")
_MIN_GUESS_LENGTH = 4
_TAIL_CUTOFF = 70.0
_WORD = re.compile(r"[^\W\d_]+(?:['’.&][^\W\d_]+)*")


class _ResolutionLike(Protocol):
    @property
    def team(self) -> str | None: ...

    @property
    def candidates(self) -> tuple[str, ...]: ...


class _MentionLike(Protocol):
    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...

    @property
    def surface(self) -> str: ...

    @property
    def resolution(self) -> _ResolutionLike: ...


class TeamResolverLike(Protocol):
    """What the router needs from :class:`scriptohio.data.teams.TeamResolver`."""

    @property
    def teams(self) -> tuple[str, ...]: ...

    def find_mentions(self, text: str) -> Sequence[_MentionLike]: ...

    def search(self, name: str, *, limit: int | None = None) -> list[tuple[str, float]]: ...


@dataclass(frozen=True)
class TeamMention:
    """A team named in the text: one ``team``, or several ``candidates`` when ambiguous."""

    start: int
    end: int
    surface: str
    team: str | None
    candidates: tuple[str, ...] = ()
    fuzzy: bool = False


class TeamMentionFinder:
    """Finds team mentions, left to right, tolerating typos outside ordinary vocabulary."""

    def __init__(
        self,
        resolver: TeamResolverLike,
        *,
        vocabulary: Iterable[str] = (),
        fuzzy_cutoff: float = DEFAULT_FUZZY_CUTOFF,
        rivalries: Mapping[str, tuple[str, str]] | None = None,
    ) -> None:
        self._resolver = resolver
        self._vocabulary = frozenset(word.casefold() for word in vocabulary)
        self._cutoff = fuzzy_cutoff
        # Longest names first, so "red river rivalry" is found before "red river".
        self._rivalries = dict(
            sorted((rivalries or {}).items(), key=lambda item: -len(item[0]))
        )

    def find(self, text: str) -> list[TeamMention]:
        """Every team mention, in order of appearance."""
        words = [(m.start(), m.end()) for m in _WORD.finditer(text)]
        mentions = [self._extend(text, words, m) for m in self._resolver.find_mentions(text)]
        if len({m.team or m.candidates for m in mentions}) < 2:
            mentions += self.rivalry(text)
        taken = [(m.start, m.end) for m in mentions]
        free = [
            (start, end) for start, end in words
            if not any(s <= start < e for s, e in taken) and self._guessable(text[start:end])
        ]
        i = 0
        while i < len(free):
            pair = free[i : i + 2]
            adjacent = len(pair) == 2 and text[pair[0][1] : pair[1][0]].strip() == ""
            spans = ([pair] if adjacent else []) + [pair[:1]]
            for span in spans:
                guess = self._guess(text, span[0][0], span[-1][1])
                if guess is not None:
                    mentions.append(guess)
                    i += len(span)
                    break
            else:
                i += 1
        return sorted(mentions, key=lambda mention: mention.start)

    def rivalry(self, text: str) -> list[TeamMention]:
        """Both teams of a named rivalry ("the Iron Bowl"), as two mentions of one span."""
        lowered = text.casefold().replace("’", "'")
        for name, teams in self._rivalries.items():
            found = re.search(rf"\b{re.escape(name)}\b", lowered)
            if found:
                return [
                    TeamMention(found.start(), found.end(), text[found.start() : found.end()],
                                team)
                    for team in teams
                ]
        return []

    def _guessable(self, word: str) -> bool:
        return len(word) >= _MIN_GUESS_LENGTH and word.casefold() not in self._vocabulary

    def _guess(self, text: str, start: int, end: int) -> TeamMention | None:
        surface = text[start:end]
        ranked = self._resolver.search(surface, limit=4)
        if not ranked or ranked[0][1] < self._cutoff:
            return None
        best = ranked[0][1]
        tied = tuple(team for team, score in ranked if score >= best - 0.5)
        if len(tied) == 1:
            return TeamMention(start, end, surface, tied[0], (), fuzzy=True)
        return TeamMention(start, end, surface, None, tied, fuzzy=True)

    def _extend(
        self, text: str, words: list[tuple[int, int]], found: _MentionLike
    ) -> TeamMention:
        exact = TeamMention(
            found.start, found.end, found.surface, found.resolution.team,
            tuple(found.resolution.candidates),
        )
        following = [(s, e) for s, e in words if s >= found.end][:1]
        if not following or not self._guessable(text[following[0][0] : following[0][1]]):
            return exact
        if text[found.end : following[0][0]].strip():
            return exact  # punctuation between: "Ohio, stat..." is not one name
        guess = self._guess(text, found.start, following[0][1])
        if guess is None or (guess.team is not None and guess.team == exact.team):
            return exact
        # The added word must look like the rest of the longer name ("stat" ~ "State"), not
        # merely keep the phrase close to it ("Florida later" is not "Florida State").
        extra = text[following[0][0] : following[0][1]].casefold()
        names = [guess.team] if guess.team else list(guess.candidates)
        tails = [name.casefold().split()[-1] for name in names if " " in name]
        if not tails or max(fuzz.ratio(extra, tail) for tail in tails) < _TAIL_CUTOFF:
            return exact
        return guess


def load_rivalries(
    known: Iterable[str], path: Path = DEFAULT_RIVALRY_FILE
) -> dict[str, tuple[str, str]]:
    """``{rivalry name: (team, team)}`` for rivalries whose two teams are both ``known``."""
    try:
        table = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DataFormatError(str(exc), file=str(path)) from exc
    if not isinstance(table, Mapping):
        raise DataFormatError("expected rivalry name -> [team, team]", file=str(path))
    teams = set(known)
    rivalries: dict[str, tuple[str, str]] = {}
    for name, pair in table.items():
        if not (isinstance(pair, list) and len(pair) == 2):
            raise DataFormatError("expected two teams", file=str(path), column=str(name))
        if pair[0] in teams and pair[1] in teams:
            rivalries[str(name).casefold()] = (str(pair[0]), str(pair[1]))
    return rivalries
