"""The typo rule of team names: which team a misspelt name clearly means, if any.

:class:`TypoCorrector` implements the "clearly closest" rule that
:mod:`scriptohio.data.teams` documents; it is pure (no I/O) and knows nothing of
normalisation, aliases files or the data: it gets ``{normalised name: (team, ...)}`` and
answers for one normalised name. Distances are optimal-string-alignment edit distances
(insert, delete, substitute, or swap two neighbouring characters, each one edit), so "georiga"
is one edit from "georgia" and "nortre dame" one from "notre dame".

* **budget**: ``edit_budget(n)`` edits are allowed between two strings whose shorter one has
  ``n`` characters: 0 up to 4, 1 from 5 to 8, 2 from 9 on.
* **targets**: names of at least 5 characters that are not in ``exact_only``.
* **neighbours**: every name, however short or plain.
* a name within budget of a target of team T at distance ``d`` (the smallest such) means T
  when every other team's nearest neighbour is at least ``2 * d`` edits away; otherwise it
  means all the teams nearer than ``2 * d``, nearest first (ambiguous).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

__all__ = ["DEFAULT_CACHE_SIZE", "TypoCorrector", "edit_budget"]

#: corrections remembered per corrector (a repeated typo costs one dict lookup)
DEFAULT_CACHE_SIZE = 4096
_ONE_EDIT_FROM = 5
_TWO_EDITS_FROM = 9


def edit_budget(length: int) -> int:
    """Edits allowed when the shorter of the two strings has ``length`` characters."""
    if length >= _TWO_EDITS_FROM:
        return 2
    return 1 if length >= _ONE_EDIT_FROM else 0


class TypoCorrector:
    """Reads a misspelt normalised name as the one team it clearly means, or as candidates."""

    def __init__(
        self,
        names: Mapping[str, tuple[str, ...]],
        *,
        exact_only: Collection[str] = (),
        cache_size: int = DEFAULT_CACHE_SIZE,
    ) -> None:
        self._names = dict(names)
        self._keys = list(self._names)
        self._targets = frozenset(
            key for key in self._keys if len(key) >= _ONE_EDIT_FROM and key not in exact_only
        )
        self.correct = lru_cache(maxsize=cache_size)(self._correct)

    def _correct(self, key: str) -> tuple[str, ...]:
        """``()``: no team within reach; ``(team,)``: clearly that team; more: ambiguous."""
        budget = edit_budget(len(key))
        if budget == 0 or not any(ch.isalpha() for ch in key):
            return ()
        # The farthest neighbour that can still stand in the way of a guess at distance budget.
        reach = 2 * budget - 1
        nearest: dict[str, int] = {}
        best: int | None = None
        for name, distance, _ in process.extract(
            key, self._keys, scorer=OSA.distance, score_cutoff=reach, limit=None
        ):
            for team in self._names[name]:
                nearest[team] = min(distance, nearest.get(team, distance))
            within = distance <= edit_budget(min(len(key), len(name)))
            if name in self._targets and within and (best is None or distance < best):
                best = distance
        if best is None:
            return ()
        close = [team for team, distance in nearest.items() if distance < 2 * best]
        return tuple(sorted(close, key=lambda team: (nearest[team], team)))
