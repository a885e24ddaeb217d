"""How numbers are said in plain words: scores, margins, chances, ranks, lists (pure).

Every casual ``summary`` is built from the answer's own numbers with these helpers, so a score
reads the same way in every answer ("13-10", winner first) and a fan can check it.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["chance", "join", "line", "ordinal", "points", "rank_phrase", "score", "signed",
           "venue", "when"]


def score(a: int, b: int) -> str:
    """``"13-10"``: the higher score first."""
    hi, lo = (a, b) if a >= b else (b, a)
    return f"{hi}-{lo}"


def points(value: float) -> str:
    """``"9.5"``, ``"3"``: a margin or line without a needless ``.0``."""
    rounded = round(abs(value), 1)
    return f"{rounded:.0f}" if rounded == int(rounded) else f"{rounded:.1f}"


def line(value: float) -> str:
    """A market number as the market has it: ``"9.5"``, ``"7"``, ``"4.25"`` (CFBD's closing
    lines are medians across books, so quarter points occur)."""
    rounded = round(abs(value), 2)
    if rounded == int(rounded):
        return f"{rounded:.0f}"
    return f"{rounded:.2f}".rstrip("0")


def venue(home: str, neutral: bool | None, often_neutral: bool, subject: str) -> str:
    """Where a game was played, from ``subject``'s side, or "" when the data does not know.

    The data's neutral flag is often empty before 2016; a regular-season game is then at its
    home team (97 % of such games are); a game that is usually neutral (``often_neutral``:
    postseason games, 90 % neutral, and conference championships) gets no site.
    """
    if neutral:
        return "on a neutral field"
    if neutral is None and often_neutral:
        return ""
    return "at home" if subject == home else f"at {home}"


def signed(value: float) -> str:
    """``"+2.5"`` / ``"-3"``."""
    return ("+" if value >= 0 else "-") + points(value)


def chance(probability: float) -> str:
    """``"an 88 % chance"``."""
    pct = round(100 * probability)
    pct = min(99, max(1, pct))
    article = "an" if pct in (8, 11, 18) or 80 <= pct <= 89 else "a"
    return f"{article} {pct} % chance"


def ordinal(n: int) -> str:
    """``1st``, ``2nd``, ``13th``, ``22nd``."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def rank_phrase(rank: int, of: int, where: str = "in FBS") -> str:
    """``"3rd of 134 in FBS"``."""
    return f"{ordinal(rank)} of {of} {where}"


def join(items: Sequence[str]) -> str:
    """``"A"``, ``"A and B"``, ``"A, B and C"``."""
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]


def when(season: int, week: int | None, season_type: str, date: str | None = None) -> str:
    """``"week 14 of 2024 (2024-11-30)"`` or ``"the 2024 postseason (2025-01-20)"``."""
    if season_type == "postseason":
        text = f"the {season} postseason"
    elif week is None:
        text = f"the {season} season"
    else:
        text = f"week {week} of {season}"
    return f"{text} ({date})" if date else text
