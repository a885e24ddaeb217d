"""Masking a question before classification: teams, years and week numbers become placeholders.

``"Bama at Georgia 2024 week 5"`` -> ``"xteamx at xteamx xyearx week xnumx"``. The classifier
and the keyword rules then see the shape of the question, so a seed question about Iowa teaches
the same thing as one about Oregon, and rules can ask "two teams joined by 'at'".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

__all__ = ["TEAM_TOKEN", "mask_question"]

TEAM_TOKEN = "xteamx"
_YEAR = re.compile(r"(?<![\d-])(?:19[89]\d|20\d\d|'\d\d)(?!\d)")
_WEEK_NUMBER = re.compile(r"\b(week|wk)\s*#?\s*\d{1,2}\b")
_SPACES = re.compile(r"\s+")


class _Span(Protocol):
    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


def mask_question(text: str, spans: Sequence[_Span]) -> str:
    """Lower-case ``text`` with each span replaced by the team token, years and weeks masked."""
    pieces: list[str] = []
    cursor = 0
    previous: tuple[int, int] | None = None
    for span in sorted(spans, key=lambda s: s.start):
        if (span.start, span.end) == previous:
            # Two teams behind one name (a rivalry such as "the Egg Bowl") read as a game.
            pieces.append(f"vs {TEAM_TOKEN} ")
            continue
        if span.start < cursor:
            continue  # overlapping spans: keep the first
        pieces += [text[cursor : span.start], f" {TEAM_TOKEN} "]
        cursor = span.end
        previous = (span.start, span.end)
    pieces.append(text[cursor:])
    masked = "".join(pieces).casefold()
    masked = _WEEK_NUMBER.sub(r"\1 xnumx", masked)
    masked = _YEAR.sub(" xyearx ", masked)
    return _SPACES.sub(" ", masked).strip()
