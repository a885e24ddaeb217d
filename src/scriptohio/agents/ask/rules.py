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
_FUTURE = (r"\b(will|going to|gonna|'ll|can|could|chances?|odds|likel\w*|probabilit\w*"
           r"|shot|projected|projections?|forecast\w*|predict\w*)\b")
_PLAYOFF = r"\b(the )?(playoffs?|cfp|college football playoff)\b"
_LEAGUES = (r"sec|acc|big ten|big 10|b1g|big 12|big twelve|pac[- ]?12|mac|sun belt"
            r"|mountain west|mwc|aac|american|c-?usa|conference usa|conference|league")
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
            r"\b(is|are) " + _T + r" (better|stronger|worse) than " + _T,
            r"\bwhose\b.*\b(better|best|stronger|worse|tougher)\b",
            r"\b(which|who)( one| team)? (is|'s|has|has the) (better|stronger|best)\b"),
    *_rules("compare", 0.97,
            _T + r"(?:'?s)? (offen[cs]e|defen[cs]e) (vs\.?|versus|or|and|against) (the )?" + _T
            + r"(?:'?s)? \1\b"),
    *_rules("compare", 0.9,
            r"\b(better|stronger|worse|tougher) (offen[cs]e|defen[cs]e|run game|pass(ing)? game"
            r"|run defen[cs]e|pass defen[cs]e|secondary|o-?line|d)\b.*" + _T + r".*\bor\b.*" + _T),
    *_rules("rankings", 0.9,
            r"\btop\s*-?\s*(\d+|ten|five|twenty[- ]?five)\b(?! (offen|defen|scoring|run|pass))"
            r"|\brank\w*|\bpolls?\b|\bstandings\b"
            r"|\bleaderboard\b|\bnumber (one|1)\b|\bno\.? ?1\b",
            r"\b(best|worst|strongest|weakest) teams?\b"),
    *_rules("leaders", 0.95,
            r"\b(best|worst|top|most|fewest|least|highest|lowest|stingiest|weakest|strongest"
            r"|leading|leads?|tops?|elite|greatest|scariest|worse|better)\b[^?]{0,30}?\b(offen[cs]es?"
            r"|defen[cs]es?|scoring|points|attacks?|run (games?|defen[cs]es?|d)|rushing"
            r"|passing|pass (games?|defen[cs]es?|d|offen[cs]es?)|d)\b(?!.*" + _T + r")",
            r"\b(which|what) (team|school|fbs team|offen[cs]e|defen[cs]e)s? (scores?|allows?|gives?"
            r" up|has|have|had|put up|puts up|scored|allowed|gave up)\b(?!.*" + _T + r")",
            r"\b(most|fewest|least) points\b(?!.*" + _T + r")"),
    *_rules("leaders", 0.97,
            r"\b(rank\w*|sort\w*|order\w*|list\w*)\b.*\bby (points|scoring|yards|points allowed"
            r"|defen[cs]e|offen[cs]e)\b",
            r"^(?!.*" + _T + r").*\b(explosiveness|success rate|epa|ppa)\b.*\b(rank\w*|leaders?"
            r"|best|top|worst|most|highest|lowest)\b|^(?!.*" + _T + r").*\b(rank\w*|best|top"
            r"|worst|most|highest|lowest)\b.*\b(explosiveness|success rate|epa|ppa)\b"),
    *_rules("rankings", 0.97,
            r"\bbest records?\b|\b(undefeated|unbeaten|perfect) teams\b|\bteams? (without|with no)"
            r" a loss\b|\bwho is (still )?(undefeated|unbeaten)\b"),
    *_rules("games", 0.9,
            r"\b(games|slate|schedule|scores|results|matchups)\b.*\b(week|weekend|today"
            r"|saturday|tonight|xnumx)\b|\b(week|weekend|saturday)\b.*\b(games|slate|schedule"
            r"|scores|results)\b",
            r"\bbowl games\b|\bwho plays\b(?! " + _T + r")|\bwhat'?s on\b|\bslate\b"),
    *_rules("team_profile", 0.7,
            r"\bhow (good|bad|strong|is|are|has|have|does)\b.*" + _T,
            r"\b(tell me about|rundown|overview|profile|describe|report card"
            r"|summary|doing)\b"),
    *_rules("result", 0.95,
            r"\bwho won\b|\bwhat happened\b|\bhow did (the )?" + _T + r" (do|fare|play|look)\b"
            r"|\b(final )?score (of|in|from)\b(?!.*predict)|\bresult (of|in)\b|\brecap\b",
            r"\bdid (the )?" + _T + r" (beat|win|lose|cover|get|upset|survive|hold on)",
            _T + r" (beat|lost to|defeated|fell to|upset|crushed|edged|blew out) (the )?" + _T
            + r"\b.*\b(19|20)\d\d|\bxyearx\b.*" + _T + r" (beat|lost to|defeated)",
            r"\bhow'?d (the )?" + _T + r" do\b|\bwho (were|was) the (national )?champ"
            r"|\bfinal\b(?!.*predict)(?! four)"),
    *_rules("result", 0.85,
            r"\b(championship|title game|natty|national title|bowl|playoffs?|cfp|semi-?final"
            r"|quarter-?final)\b"),
    *_rules("result", 0.6, r"\b(won|lost|beat|score|scores)\b"),
    *_rules("record", 0.95,
            r"(?<!projected )\brecord\b(?! (against|vs\.?|versus|v\.?) )"
            r"|\bhow many (games|wins|losses)\b(?![^?]*\b(will|going to|gonna|projected"
            r"|expected)\b)"
            r"|\bwins? and loss\w*|\bwin[- ]loss\b|\bw-l\b|\bundefeated\b|\bunbeaten\b(?! run)"
            r"|\bhow many games (did|has|have)\b|\bwhat did (the )?" + _T + r" go\b"
            r"|\bgo \d+-\d+\b|\bfinish(ed)? (the season )?(at|with)\b"
            r"|\b(last|past|previous) \w+ games\b(?!.*" + _T + r".*" + _T + r")"
            r"|\b(lose|lost) yet\b|\bstill (unbeaten|undefeated|perfect)\b"
            r"|\b(bowl|playoff|cfp|postseason) record\b|\b(home|road|away) (record|wins|losses)\b"
            r"|\brecord (at home|on the road|in (one[- ]score|close) games)\b"),
    *_rules("streak", 0.97,
            r"\bstreak\b|\bin a row\b|\bstraight (wins|losses|games|victories|defeats)\b"
            r"|\bconsecutive\b|\bwon (\d+|their last|the last)\b.*\bstraight\b|\bstraight\?*$"),
    *_rules("schedule", 0.9,
            _T + r"(?:'?s)? (schedule|remaining games|slate|fixtures)\b|\bschedule (for|of) (the )?"
            + _T + r"|\b(who is|who'?s|what is|what'?s) (left|remaining) (on|for)\b"
            r"|\bremaining (games|schedule|opponents)\b|\bgames left\b|\bwho (else )?(do|does)"
            r" (the )?" + _T + r" (have|play) (left|the rest)"),
    *_rules("predict", 0.95,
            r"\bwhen (does|do|is|are) (the )?" + _T + r" (play|playing|on)\b"
            r"|\bnext (game|opponent|matchup|match)\b|\bplay(ing)? next\b"
            r"|\bwho (does|do|is|are) (the )?" + _T + r" (play|playing|face|facing)\b"
            r"|\b(is|are) (the )?" + _T + r" (playing|on|in action|home|away)\b"
            r"|\bwho against\b|\bagainst who(m)?\b|\bwho'?d win\b|\bwho would win\b"
            r"|\bis there a game\b|\b(do|does|will) (the )?" + _T + r" (and (the )?" + _T
            + r" )?(play|meet|face)\b"),
    *_rules("head_to_head", 0.97,
            r"\bhead[- ]to[- ]head\b(?! (numbers|stats))|\ball[- ]time\b|\bseries\b|\bhistory\b"
            r"|\bhow many times\b|\blast time\b|\bwho leads\b.*" + _T + r".*" + _T
            + r"|\bhow often\b|\bmeetings?\b(?! in)|\bh2h\b|\bhead 2 head\b"
            r"|\b(against|vs\.?|versus) each other\b|\bthe rivalry\b",
            _T + r"(?:'?s)? record (against|vs\.?|versus|v\.?|over) (the )?" + _T,
            r"(?=.*" + _T + r".*" + _T + r").*\b(since (19|20)\d\d|(last|past|previous) \w+ "
            r"(years|seasons))\b"),
    *_rules("learn", 0.95,
            r"^(what|whats|what's) (is|are|does|do)\b(?!.*" + _T + r")(?!.*\b(this (year|season)"
            r"|xyearx|championship|title game|bowl|playoff|cfp|game|games|score)\b)",
            r"^(what|whats|what's) (an? )?(\w+ )?(mean|stand for)\b",
            r"\b(explain|define|definition|meaning|teach|tutorial|lessons?|glossary|learn\w*"
            r"|concepts?)\b",
            r"\bhow (do|does|is|are) (i|you|we|the|a|an)?\s?(read|use|work|calculate\w*"
            r"|comput\w*|built|build|calibrat\w*|measur\w*)\b(?!.*" + _T + r")",
            r"\bwhy (do|does|should|is|are)\b(?!.*" + _T + r")"),
    *_rules("projection", 0.99,
            # the playoff, ahead: "is xteamx going to make the playoff", "playoff chances"
            _FUTURE + r"[^?]{0,60}\b(makes?|making|gets? in(to)?|getting in(to)?|reach\w*|in|into"
            r"|sneak\w*|earn\w*)\b[^?]{0,60}\b" + _PLAYOFF,
            r"\b(chances?|odds|shot|hopes?|path)\b (at|of|for|to) (a |the |making the )?"
            r"(playoffs?|cfp)\b|" + _PLAYOFF + r" (spot|berth|bid|place|field|lock)s?\b",
            _PLAYOFF + r"(?:'s)? (chances?|odds|hopes|probabilit\w*|projections?|outlook"
            r"|picture|percentage)\b",
            r"\b(chances?|odds|probabilit\w*|likelihood)\b[^?]{0,60}\b(make|making|reach\w*"
            r"|get(ting)? in(to)?)\b[^?]{0,60}" + _PLAYOFF,
            # win totals: "how many games will xteamx win", "expected wins"
            r"\bhow many (games|wins)\b[^?]{0,60}\b(will|going to|gonna|projected|expected|should)"
            r"\b|\b(win totals?|expected wins|projected (wins|record)|season (projection|outlook"
            r"|simulation)s?|simulat\w* (the )?season)\b"
            r"|\bhow (will|is|are) (the )?" + _T + r" (going to |gonna )?finish\b"
            r"|\bwhat (will|is) (the )?" + _T + r"(?:'?s)? (final )?record (be|going to be)\b",
            # titles, ahead: "who will win the big ten", "national title favourites"
            r"\b(will|going to|gonna|'ll|likely|favou?rites?|favou?red|odds|chances?|shot"
            r"|who'?s|who is|who)\b[^?]{0,60}\b(win(s|ning)?|tak(es?|ing)|captur\w*) (the )?"
            r"(national (title|championship)|natty|the title|it all"
            r"|(" + _LEAGUES + r")\b(?!( title| championship)? game)( title| crown"
            r"| championship| conference)?\b(?!.*\b(xyearx|last (year|season)|won|did)\b))",
            r"\b(national title|natty|championship|title|conference) (favou?rites?|odds"
            r"|chances|contenders|race)\b"),
    *_rules("changes", 0.97,
            r"\bwhat (changed|moved|has changed|'?s changed|shifted)\b"
            r"|\bwho (moved|rose|fell|climbed|dropped|jumped|slid)\b(?! to\b)"
            r"|\bbiggest (movers?|moves?|risers?|fallers?|jumps?|drops?|changes?|shifts?)\b"
            r"|\b(risers|fallers|movers)\b|\bchange feed\b|\bwhat'?s new\b"),
    *_rules("help", 0.9, r"^(help|hi|hello|hey|commands|menu)\b|\bwhat can (you|i)\b"),
    *_rules("help", 0.97, r"\bsuper bowl\b|\bnfl\b|\bnba\b|\bmlb\b|\bnhl\b|\bwhat channel\b"
            r"|\bwhich channel\b|\btickets?\b|\bweather\b"),
    *_rules("team_profile", 0.9,
            _T + r"(?:'?s)? (offen[cs]e|defen[cs]e|d|run (game|defen[cs]e|d)|pass(ing)? (game"
            r"|offen[cs]e|defen[cs]e|d)|rushing|passing|secondary)\b(?!.*" + _T + r")",
            r"\bpoints (per|a) game\b(?=.*" + _T + r")|" + _T + r".*\bpoints (per|a) game\b"),
    *_rules("record", 0.97,
            r"\bwho (did|has|have) (the )?" + _T + r" (lose|lost|beat|beaten|play|played)\b"
            r"|\bwho (beat|has beaten) (the )?" + _T + r"\b"),
)


def rule_scores(masked: str, rules: Sequence[Rule] = RULES) -> dict[str, float]:
    """The strongest matching rule weight per intent (intents without a match are absent)."""
    scores: dict[str, float] = {}
    for rule in rules:
        if rule.weight > scores.get(rule.intent, 0.0) and rule.pattern.search(masked):
            scores[rule.intent] = rule.weight
    return scores
