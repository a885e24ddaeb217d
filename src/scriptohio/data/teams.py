"""Team names: canonical CFBD names, curated aliases, typo correction, suggestions, mentions.

A :class:`TeamResolver` is built from the canonical names present in the data. It answers three
questions, from cheapest to dearest:

* ``resolve(name)`` -> :class:`Resolution`: one team, several candidates ("OSU"), or unknown with
  suggestions. An exact or alias hit is one dict lookup on the normalised name; only a miss
  tries the generic rewrites ("university of X", "St"/"State", "Ga"/"Georgia", "X <mascot>"),
  then the typo rule below, and only when that finds nothing, rapidfuzz suggestions.
* ``search(name)`` -> ranked ``(team, score)`` pairs (exact hits score 100).
* ``find_mentions(text)`` -> the team names a sentence mentions, longest match first, without
  fuzzy matching (a router asks the user rather than guess from a typo inside a sentence).

Normalisation (:func:`normalize`) makes every lookup insensitive to case, accents, apostrophes,
periods, other punctuation, whitespace, "&" vs "and" (and "A&M" vs "AM"), and a leading "the"
(kept when only one letter would remain: "The U" is Miami, "U" is nobody). Curated aliases
live in ``team_aliases.toml`` next to this module; an alias listed under several teams is
ambiguous on purpose.

**Not a name.** Text with a character that no team name uses (anything but letters, digits,
combining accents, spaces and ``' ’ ‘ ʻ ʼ ` ´ . & ( ) , / - _ – —``), or without a single
letter, resolves to nothing: ``"Ú±°"``, ``"%%%"``, ``"12345"``, ``"%ohio%"``. It still gets
suggestions, so ``"Michigan!"`` answers "did you mean Michigan?".

**Typos: "clearly closest".** A name that is not a team, an alias or a rewrite of one is read as
a typo (:mod:`scriptohio.data.team_typos`). Distance is the optimal-string-alignment edit
distance between normalised names (insert, delete, substitute, swap two neighbours: one edit
each), compared with every team's names and aliases:

1. *budget*: between two strings whose shorter one has n characters, at most 0 edits for
   n <= 4, 1 for 5 <= n <= 8, 2 for n >= 9. So four-letter names ("Iowa", "Ohio", "Army",
   "Navy", "Rice") and abbreviations ("USC", "UCF", "OSU") are never corrected, only suggested;
2. *targets*: a typo may be read as a name or alias of 5 or more characters that is not
   plain English (the ``_PROSE_WORDS``: "orange", "tech", "flames" ... are exact-only);
3. *margin*: with d the smallest distance within budget to a target of team T, the name means
   T only if every other team's nearest name or alias (any alias, however short) is at least
   2·d edits away. Otherwise the name is ambiguous and the candidates are every team nearer
   than 2·d, nearest first: "Estern Michigan" (Eastern and Western Michigan, one edit each),
   "Bulldgs" (four teams' mascot), "Dukew" ("Duke" and JMU's "Dukes").

So "michgan", "Ohio Stat", "Pen State", "Georiga", "Texs A&M" resolve (``corrected=True``);
since an exact name or alias is looked up before the rule runs, a real name is never
rewritten into another team ("Texas" stays Texas, "Miami" stays Miami). Only a name that is
neither a team nor within reach of one is unknown, with the suggestions of :meth:`search`
that score at least the cutoff (so "banana" suggests nothing).

The module is longer than the usual ~250 lines because resolving, suggesting and finding mentions
share one index and one normalisation; split apart they would each need the resolver's internals.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from rapidfuzz import fuzz, process

from scriptohio.data.team_typos import TypoCorrector
from scriptohio.errors import AmbiguousError, DataFormatError, UnknownTeamError

__all__ = [
    "DEFAULT_ALIAS_FILE",
    "DEFAULT_SCORE_CUTOFF",
    "DEFAULT_SUGGESTION_LIMIT",
    "Mention",
    "Resolution",
    "TeamResolver",
    "curated_aliases",
    "normalize",
]

DEFAULT_ALIAS_FILE = Path(__file__).with_name("team_aliases.toml")
DEFAULT_SUGGESTION_LIMIT = 5
DEFAULT_SCORE_CUTOFF = 75.0
# Aliases this short ("osu", "ul") are all a typo away from each other: they are never suggested
# by similarity, only found by an exact hit.
_MIN_FUZZY_CHOICE = 4
# When nothing reaches the cutoff, a second, looser pass still offers the nearest few names.
_FALLBACK_MARGIN = 15.0
_MAX_MENTION_TOKENS = 6

_DROPPED = str.maketrans("", "", "'’‘ʻʼ`´.")
_SEPARATORS = re.compile(r"[\W_]+")
_WORD = re.compile(r"[^\W_]+(?:['’ʻʼ.&][^\W_]+)*")
_POSSESSIVE = re.compile(r"['’]s$", re.IGNORECASE)
# Characters of no team name: text containing one is not a name (see "Not a name" above).
_NOT_IN_NAMES = re.compile(r"[^\w\s'’‘ʻʼ`´.&(),/\-–—\u0300-\u036f]")
# Token folds tried only after an exact miss, so "Ohio St", "Miss St", "Ga Tech", "W Michigan" and
# "Saint Francis" find "Ohio State", "Mississippi State", "Georgia Tech", "Western Michigan" and
# "St. Francis (PA)".
_FOLDS = {
    "state": "st", "saint": "st", "mississippi": "miss", "tennessee": "tenn", "michigan": "mich",
    "georgia": "ga", "louisiana": "la", "florida": "fla", "oklahoma": "okla", "ok": "okla",
    "arkansas": "ark", "virginia": "va", "washington": "wash", "kentucky": "ky", "carolina": "car",
    "northern": "n", "north": "n", "southern": "s", "south": "s", "so": "s", "eastern": "e",
    "east": "e", "western": "w", "west": "w", "central": "c", "texas": "tex", "colorado": "colo",
    "nebraska": "neb", "connecticut": "conn", "missouri": "mo", "illinois": "ill",
}
_PREFIXES = ("university of ", "univ of ")
_SUFFIXES = (" university", " univ")
# Single lower-case words that are aliases but usually plain English in a sentence.
_PROSE_WORDS = frozenset(
    {"u", "um", "uh", "usa", "sc", "am", "orange", "tree", "herd", "tops", "tech", "bucks", "wake",
     "hogs", "irish", "flames", "cards", "app", "coastal", "cal", "kent", "ul", "ut", "nu"}
)

Kind = Literal["resolved", "ambiguous", "unknown"]


def normalize(text: str) -> str:
    """Return the lookup key of a team name: ``"San José St."`` -> ``"san jose st"``.

    Accents are stripped (NFKD, combining marks dropped), case is folded, apostrophes and periods
    vanish ("Hawai'i" -> "hawaii", "N.C." -> "nc"), other punctuation separates words, "&" reads
    as "and" with "a and m" collapsing to "am", and a leading "the" is dropped unless a single
    letter would remain ("The U" -> ``"the u"``).
    """
    tokens = _tokens(text)
    while len(tokens) > 1 and tokens[0] == "the" and len("".join(tokens[1:])) > 1:
        tokens = tokens[1:]
    return " ".join(tokens)


def _tokens(text: str) -> list[str]:
    """The words of :func:`normalize`, a leading "the" kept."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = plain.casefold().translate(_DROPPED).replace("&", " and ")
    tokens = _SEPARATORS.sub(" ", plain).split()
    merged: list[str] = []
    for token in tokens:
        if token == "m" and merged[-2:] == ["a", "and"]:
            merged[-2:] = ["am"]
        else:
            merged.append(token)
    return merged


def _fold(key: str) -> str:
    return " ".join(_FOLDS.get(token, token) for token in key.split())


@cache
def curated_aliases(path: Path = DEFAULT_ALIAS_FILE) -> Mapping[str, tuple[str, ...]]:
    """Load the curated alias table as ``{alias: (canonical, ...)}`` (several = ambiguous)."""
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DataFormatError(str(exc), file=str(path)) from exc
    aliases: dict[str, tuple[str, ...]] = {}
    for team, names in table.items():
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise DataFormatError("expected a list of alias strings", file=str(path), value=team)
        for name in names:
            aliases[name] = (*aliases.get(name, ()), team)
    return MappingProxyType(aliases)


@dataclass(frozen=True)
class Resolution:
    """The outcome of resolving one team name.

    Exactly one of: ``team`` is set (resolved); ``candidates`` holds two or more teams
    (ambiguous); neither, and ``suggestions`` holds the closest known names (unknown).
    ``corrected`` says a resolved ``team`` was read from a typo ("michgan" -> Michigan) rather
    than found as a name or alias.
    """

    query: str
    team: str | None
    candidates: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()
    corrected: bool = False

    @property
    def kind(self) -> Kind:
        """``"resolved"``, ``"ambiguous"`` or ``"unknown"``."""
        if self.team is not None:
            return "resolved"
        return "ambiguous" if self.candidates else "unknown"

    def as_json(self) -> dict[str, object]:
        """The contract shape: ``{"query", "team"}`` or ``{"query", "candidates": [...]}``.

        A corrected typo adds ``"corrected": true``; an unknown name lists its suggestions as
        both ``candidates`` and ``suggestions``.
        """
        if self.team is not None:
            if self.corrected:
                return {"query": self.query, "team": self.team, "corrected": True}
            return {"query": self.query, "team": self.team}
        if self.candidates:
            return {"query": self.query, "candidates": list(self.candidates)}
        return {
            "query": self.query,
            "candidates": list(self.suggestions),
            "suggestions": list(self.suggestions),
        }

    def require(self) -> str:
        """The team, or :class:`UnknownTeamError` / :class:`AmbiguousError` (a caller error)."""
        if self.team is not None:
            return self.team
        if self.candidates:
            raise AmbiguousError(
                f"team name {self.query!r} is ambiguous: {', '.join(self.candidates)}",
                self.candidates,
            )
        raise UnknownTeamError(self.query, self.suggestions)


@dataclass(frozen=True)
class Mention:
    """A team name found in free text: ``text[start:end] == surface``."""

    start: int
    end: int
    surface: str
    resolution: Resolution

    @property
    def team(self) -> str | None:
        """The team, when the mention is not ambiguous."""
        return self.resolution.team


class TeamResolver:
    """Maps what people type to the canonical team names present in the data.

    ``names`` are the canonical names (e.g. every ``home_team``/``away_team`` of games.csv).
    ``extra_aliases`` maps an alias to one canonical name or to several (ambiguous); it replaces a
    curated alias with the same spelling. Canonical names always win over aliases, and aliases
    naming teams absent from ``names`` are ignored.
    """

    def __init__(
        self,
        names: Iterable[str],
        *,
        extra_aliases: Mapping[str, str | Sequence[str]] | None = None,
        curated: Mapping[str, Sequence[str]] | None = None,
        suggestion_limit: int = DEFAULT_SUGGESTION_LIMIT,
        score_cutoff: float = DEFAULT_SCORE_CUTOFF,
    ) -> None:
        self._known = frozenset(names)
        self._teams = tuple(sorted(self._known))
        self._limit = suggestion_limit
        self._cutoff = score_cutoff
        aliases: dict[str, tuple[str, ...]] = {}
        the_phrases: set[str] = set()
        for table in (curated if curated is not None else curated_aliases(), extra_aliases or {}):
            for alias, target in table.items():
                if _tokens(alias)[:1] == ["the"]:
                    the_phrases.add(" ".join(_tokens(alias)))
                aliases[normalize(alias)] = (target,) if isinstance(target, str) else tuple(target)
        index: dict[str, tuple[str, ...]] = {}
        for key, targets in aliases.items():
            present = tuple(dict.fromkeys(t for t in targets if t in self._known))
            if key and present:
                index[key] = present
        by_name: dict[str, tuple[str, ...]] = {}
        for team in self._teams:
            by_name[normalize(team)] = (*by_name.get(normalize(team), ()), team)
        index.update(by_name)
        self._index = index
        self._the_phrases = frozenset(the_phrases)
        folded: dict[str, tuple[str, ...]] = {}
        for key, targets in index.items():
            folded[_fold(key)] = tuple(dict.fromkeys((*folded.get(_fold(key), ()), *targets)))
        self._folded = folded
        self._choices = [key for key in index if len(key) >= _MIN_FUZZY_CHOICE]
        self._typos = TypoCorrector(index, exact_only=_PROSE_WORDS)

    @property
    def teams(self) -> tuple[str, ...]:
        """The canonical names, sorted."""
        return self._teams

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self._known

    def resolve(self, name: str) -> Resolution:
        """Resolve one name to a team, to candidates, or to suggestions when unknown.

        Names and aliases first, then the typo rule of the module docstring: a clear typo
        resolves with ``corrected=True``, an ambiguous one lists its candidates.
        """
        if _NOT_IN_NAMES.search(name):
            return Resolution(name, None, (), self._suggestions(name))
        key = normalize(name)
        targets = self._lookup(key)
        if targets is not None:
            return Resolution(name, targets[0]) if len(targets) == 1 else Resolution(
                name, None, targets)
        typo = self.correct(key)
        if len(typo) == 1:
            return Resolution(name, typo[0], corrected=True)
        if typo:
            return Resolution(name, None, typo)
        return Resolution(name, None, (), self._suggestions(name))

    def correct(self, name: str) -> tuple[str, ...]:
        """The typo rule alone, ignoring exact names: ``()`` no team is within reach,
        ``(team,)`` the one team ``name`` clearly means, more: the ambiguous candidates.

        "university of X" and "X university" are tried as "X" too. Results are cached.
        """
        for variant in self._variants(normalize(name)):
            found = self._typos.correct(variant)
            if found:
                return found
        return ()

    def require(self, name: str) -> str:
        """Return the canonical name or raise UnknownTeamError / AmbiguousError."""
        return self.resolve(name).require()

    def _suggestions(self, name: str) -> tuple[str, ...]:
        # Only names that look alike: the loose second pass of search() is left out here.
        return tuple(team for team, score in self.search(name) if score >= self._cutoff)

    def search(self, name: str, *, limit: int | None = None) -> list[tuple[str, float]]:
        """Rank the teams whose names or aliases look like ``name``; best first, scores 0..100.

        An exact or alias hit scores 100. Similarity is the Indel ratio of the normalised names
        (plain edit similarity: token-subset scorers rank "App State" as close to "Ohoi State" as
        "Ohio State"); when nothing reaches the cutoff, a looser pass offers the nearest few.
        A name that starts a longer one ("Penn" -> "Penn State") scores at least the cutoff.
        """
        limit = self._limit if limit is None else limit
        key = normalize(name)
        scores: dict[str, float] = dict.fromkeys(self._lookup(key) or (), 100.0)
        if key:
            similar = self._similar(key, limit * 4, self._cutoff) or self._similar(
                key, limit, self._cutoff - _FALLBACK_MARGIN
            )
            if len(key) >= 3:
                similar += [(c, self._cutoff) for c in self._choices if c.startswith(key + " ")]
            for choice, score in similar:
                for team in self._index[choice]:
                    scores[team] = max(scores.get(team, 0.0), score)
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
        return ranked[:limit]

    def _similar(self, key: str, limit: int, cutoff: float) -> list[tuple[str, float]]:
        matches = process.extract(
            key, self._choices, scorer=fuzz.ratio, limit=limit, score_cutoff=cutoff
        )
        return [(choice, float(score)) for choice, score, _ in matches]

    def find_mentions(self, text: str) -> list[Mention]:
        """Find team names in a sentence, left to right, preferring the longest match.

        A single word must be a canonical name or alias ("OSU", "Michigan"); lower-case words that
        are usually plain English ("um", "tech", "orange") count only when written in capitals.
        """
        words: list[tuple[int, int]] = []
        for match in _WORD.finditer(text):
            # "Oklahoma St's record": the possessive is not part of the name.
            possessive = _POSSESSIVE.search(match.group())
            cut = len(possessive.group()) if possessive else 0
            words.append((match.start(), match.end() - cut))
        mentions: list[Mention] = []
        i = 0
        while i < len(words):
            found = self._mention_at(text, words, i)
            if found is None:
                i += 1
                continue
            mention, used = found
            mentions.append(mention)
            i += used
        return mentions

    def _mention_at(
        self, text: str, words: list[tuple[int, int]], i: int
    ) -> tuple[Mention, int] | None:
        # "the Buckeyes": report the team word alone; keep "the" only where it is part of an
        # alias ("The U"), never to turn a plain word into a team ("the tech offense").
        led_by_the = _tokens(text[words[i][0] : words[i][1]]) == ["the"]
        if led_by_the and (i + 1 == len(words) or self._mention_at(text, words, i + 1)):
            return None
        for size in range(min(_MAX_MENTION_TOKENS, len(words) - i), 0, -1):
            start, end = words[i][0], words[i + size - 1][1]
            surface = text[start:end]
            if surface.count("(") > surface.count(")") and text[end : end + 1] == ")":
                end += 1
                surface = text[start:end]
            key = normalize(surface)
            if led_by_the and " ".join(_tokens(surface)) not in self._the_phrases:
                continue
            if size == 1:
                if key in _PROSE_WORDS and not (surface.isupper() and len(surface) > 1):
                    continue
                targets = self._index.get(key)
            else:
                targets = self._lookup(key)
            if targets is not None:
                resolution = (
                    Resolution(surface, targets[0])
                    if len(targets) == 1
                    else Resolution(surface, None, targets)
                )
                return Mention(start, end, surface, resolution), size
        return None

    def _lookup(self, key: str) -> tuple[str, ...] | None:
        """Exact hit first (one dict lookup); generic rewrites only on a miss."""
        hit = self._index.get(key)
        if hit is not None or not key:
            return hit
        for variant in self._variants(key):
            hit = self._index.get(variant) or self._folded.get(_fold(variant))
            if hit is not None:
                return hit
        return self._team_with_mascot(key)

    @staticmethod
    def _variants(key: str) -> Iterator[str]:
        yield key
        for prefix in _PREFIXES:
            if key.startswith(prefix):
                yield key[len(prefix) :]
        for suffix in _SUFFIXES:
            if key.endswith(suffix):
                yield key[: -len(suffix)]

    def _team_with_mascot(self, key: str) -> tuple[str, ...] | None:
        """A team name followed by an alias that names it too: "Georgia Bulldogs" -> Georgia."""
        tokens = key.split()
        for cut in range(len(tokens) - 1, 0, -1):
            head = " ".join(tokens[:cut])
            team = self._index.get(head) or self._folded.get(_fold(head))
            tail = self._index.get(" ".join(tokens[cut:]))
            if team is not None and len(team) == 1 and tail is not None and team[0] in tail:
                return team
        return None
