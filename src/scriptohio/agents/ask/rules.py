"""Keyword rules: strong phrases that point at one intent, with a weight each (pure).

The classifier generalises; these rules encode what we know for certain ("spread" next to two
teams is a prediction, "top 25" is a ranking, "what is ..." about a glossary term is a lesson).
Rules read the masked question (teams as ``xteamx``), so a rule can require team positions.
:func:`rule_scores` returns, per intent, the strongest matching rule's weight (0..1).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["RULES", "Rule", "rule_scores"]


@dataclass(frozen=True)
class Rule:
    """``pattern`` found in the masked, lower-cased question is evidence for ``intent``."""

    intent: str
    pattern: re.Pattern[str]
    weight: float


def _rules(intent: str, weight: float, *patterns: str) -> list[Rule]:
    return [Rule(intent, re.compile(pattern), weight) for pattern in patterns]


_T = r"xteamx"
RULES: Sequence[Rule] = (
    *_rules("predict", 0.9,
            r"\b(spread|odds|line|favou?red|favou?rite|underdog|pick|predict\w*|projection"
            r"|forecast|covers?|upset)\b.*" + _T + r"|" + _T + r".*\b(spread|odds|line|pick"
            r"|predict\w*|forecast|covers?|favou?red|upset)\b",
            r"\bwho (will |would |is going to |gonna |'?s gonna )?(win|wins|take)\b",
            r"\b(will|can|could|does|do) (the )?" + _T + r" (beat|win|cover|upset|lose)",
            r"\b(beat|beats|upset)\b.*" + _T + r"|" + _T + r" (wins?|beats?)\b",
            r"\bfinal score\b|\bscore prediction\b|\bwin (prob\w*|chance)\b"),
    *_rules("predict", 0.6,
            _T + r"\s+(at|@|vs\.?|v\.?|versus|against|hosts?|hosting|visits?|welcomes?"
            r"|travels to)\s+(the\s+)?" + _T),
    *_rules("matchup", 0.9,
            r"\bmatch\s*-?\s*ups?\b|\bbreak\s*-?\s*down\b|\bedges?\b|\btrenches\b|\bunit by unit",
            _T + r"(?:'?s)? (offen[cs]e|defen[cs]e|run\w*|pass\w*|rush\w*|o-?line|d-?line"
            r"|secondary)\b.*\b(vs|versus|against|v)\b.*" + _T,
            r"\b(offen[cs]e|run\w*|pass\w*|rush\w*)\b.*\b(vs|versus|against|v)\b.*"
            + _T + r"(?:'?s)? (defen[cs]e|secondary|front)\b"),
    *_rules("compare", 0.9,
            r"\bcompar\w*|\bside[- ]by[- ]side\b|\bhead[- ]to[- ]head (numbers|stats)\b"
            r"|\bstack up\b|\bcontrast\b|\bdifference between\b",
            r"\b(who|which)( team)?( is|'s| has)? (better|stronger|best|worse)\b.*" + _T
            + r".*\bor\b.*" + _T,
            _T + r".*\bor\b.*" + _T + r".*\b(better|stronger|best)\b",
            r"\b(is|are) " + _T + r" (better|stronger|worse) than " + _T),
    *_rules("rankings", 0.9,
            r"\btop\s*-?\s*(\d+|ten|five|twenty[- ]?five)\b|\brank\w*|\bpolls?\b|\bstandings\b"
            r"|\bleaderboard\b|\bnumber (one|1)\b|\bno\.? ?1\b",
            r"\b(best|worst|strongest|weakest) (teams?|offen[cs]es|defen[cs]es)\b"),
    *_rules("games", 0.9,
            r"\b(games|slate|schedule|scores|results|matchups)\b.*\b(week|weekend|today"
            r"|saturday|tonight|xnumx)\b|\b(week|weekend|saturday)\b.*\b(games|slate|schedule"
            r"|scores|results)\b",
            r"\bbowl games\b|\bwho plays\b|\bwhat'?s on\b|\bslate\b"),
    *_rules("team_profile", 0.7,
            r"\bhow (good|bad|strong|is|are|has|have|did|does)\b.*" + _T,
            r"\b(tell me about|rundown|overview|profile|record|describe|report card"
            r"|summary|doing)\b|\bhow many (wins|losses|games|points)\b"),
    *_rules("learn", 0.95,
            r"^(what|whats|what's) (is|are|does|do)\b(?!.*" + _T + r")",
            r"^(what|whats|what's) (an? )?(\w+ )?(mean|stand for)\b",
            r"\b(explain|define|definition|meaning|teach|tutorial|lessons?|glossary|learn\w*"
            r"|concepts?)\b",
            r"\bhow (do|does|is|are) (i|you|we|the|a|an)?\s?(read|use|work|calculate\w*"
            r"|comput\w*|built|build|calibrat\w*|measur\w*)\b(?!.*" + _T + r")",
            r"\bwhy (do|does|should|is|are)\b(?!.*" + _T + r")"),
    *_rules("help", 0.9, r"^(help|hi|hello|hey|commands|menu)\b|\bwhat can (you|i)\b"),
)


def rule_scores(masked: str, rules: Sequence[Rule] = RULES) -> dict[str, float]:
    """The strongest matching rule weight per intent (intents without a match are absent)."""
    scores: dict[str, float] = {}
    for rule in rules:
        if rule.weight > scores.get(rule.intent, 0.0) and rule.pattern.search(masked):
            scores[rule.intent] = rule.weight
    return scores
