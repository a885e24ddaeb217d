"""Entities other than teams, read from a question with small regular expressions (pure).

Relative dates resolve against a :class:`Calendar` passed in ("this year" is the current season,
"last week" the current week minus one), so nothing here reads the clock.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Calendar", "Extracted", "extract_entities"]

_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "first": 1, "second": 2, "third": 3,
}
_YEAR = re.compile(r"(?<![\d-])(?:(19[89]\d|20\d\d)|'(\d\d))(?!\d)")
_WEEK = re.compile(
    r"\b(?:week|wk)\s*#?\s*(\d{1,2}|" + "|".join(_NUMBER_WORDS) + r")\b"
    r"|\b(\d{1,2})(?:st|nd|rd|th)\s+week\b",
    re.IGNORECASE,
)
_RELATIVE_SEASON = (
    (re.compile(r"\b(this|current|the)\s+(year|season)\b|\bthis\s+fall\b|\bso far\b"), 0),
    (re.compile(r"\b(last|previous|past)\s+(year|season)\b|\ba\s+year\s+ago\b"), -1),
    (re.compile(r"\bnext\s+(year|season)\b"), 1),
)
_RELATIVE_WEEK = (
    # "last"/"next" first: "last saturday" must not read as this week's "saturday".
    (re.compile(r"\blast\s+(week|weekend|saturday)\b"), -1),
    (re.compile(r"\bnext\s+(week|weekend|saturday)\b"), 1),
    (re.compile(r"\b(this|current)\s+(week|weekend|saturday)\b|\btoday\b|\btonight\b"
                r"|\bthis\s+sat\b|\bsaturday\b"), 0),
)
_POSTSEASON = re.compile(r"\b(bowls?|post-?season|playoffs?|cfp|national (championship|title)"
                         r"|natty|semi-?finals?|quarter-?finals?)\b")
# Which occasion a question names; a conference's "title game" is its championship.
_OCCASIONS = (
    ("national_championship", re.compile(
        r"\bnational (championship|title|champ(ion)?s?)\b|\bnatty\b|\bwon it all\b"
        r"|\b(cfp|playoff) (final|championship|title)( game)?\b|\bnational champ")),
    ("conference_championship", re.compile(
        r"\b(conference|league|sec|acc|big ten|big 10|b1g|big 12|big twelve|pac[- ]?12|mac"
        r"|aac|mountain west|mwc|sun belt|c-?usa|conference usa|american)\b[\w\s'-]{0,12}?"
        r"\b(championship|title|champs?|champions|ccg)\b|\bconference (championship|title)\b"
        r"|\bwon the (sec|acc|big ten|big 10|b1g|big 12|pac[- ]?12|mac|sun belt|mountain west)\b")),
    ("playoff", re.compile(r"\b(playoffs?|cfp|semi-?finals?|quarter-?finals?|first round)\b")),
    ("bowl", re.compile(r"\bbowls?\b")),
    ("national_championship", re.compile(r"\b(championship|title) game\b|\bthe championship\b")),
)
# Bowls by name: games.csv does not name games, so a named bowl is "a bowl game" (a
# playoff bowl is found through its two teams).
_NAMED_BOWL = re.compile(
    r"\b(rose|sugar|orange|fiesta|peach|cotton|citrus|gator|alamo|outback|holiday|sun|liberty"
    r"|las vegas|music city|pinstripe|cheez-?it|reliaquest|pop-?tarts|duke'?s mayo|texas|armed"
    r"|forces|independence|birmingham|gasparilla|fenway|military|first responder|boca raton"
    r"|camellia|new mexico|frisco|hawai'?i|famous idaho potato|arizona|guaranteed rate|tony the"
    r"\s+tiger|sun bowl|bahamas|myrtle beach|cure|lendingtree|new orleans|salute to veterans"
    r"|68 ventures|armed forces|capital one orange|vrbo fiesta|allstate sugar)\s+bowl\b")
_REGULAR_SEASON = re.compile(r"\bregular[- ]season\b")
_ROUNDS = (("first round", re.compile(r"\bfirst[- ]round\b")),
           ("quarterfinal", re.compile(r"\bquarter[- ]?finals?\b")),
           ("semifinal", re.compile(r"\bsemi[- ]?finals?\b")))
_LAST_GAMES = re.compile(r"\b(?:last|past|previous)\s+(\d{1,2}|" + "|".join(_NUMBER_WORDS)
                         + r")\s+games\b")
_SPLITS = (
    ("close", re.compile(r"\bone[- ](score|possession)\b|\bclose games\b")),
    ("road", re.compile(r"\bon the road\b|\broad (games?|record|wins?|loss\w*)\b"
                        r"|\baway (games|record|from home)\b")),
    ("home", re.compile(r"\bat home\b|\bhome (games|record|wins?|loss\w*)\b")),
    ("neutral", re.compile(r"\bneutral[- ]site (games|record|wins?)\b")),
)
_MONTH = re.compile(r"\b(?:in|during)\s+(september|october|november|december|january|august)\b")
_MONTH_NUMBERS = {"january": 1, "august": 8, "september": 9, "october": 10, "november": 11,
                  "december": 12}
_SINCE = re.compile(r"\b(?:since|from)\s+((?:19|20)\d\d)\b")
_LAST_YEARS = re.compile(r"\b(?:last|past|previous)\s+(\d{1,2}|" + "|".join(_NUMBER_WORDS)
                         + r")\s+(?:years|seasons)\b")
# Strong words about the future win over words about the past ("will X beat Y").
_FUTURE = re.compile(
    r"\bwill\b|\bwho wins\b|\bwho'?s (gonna|going to)\b|\bgonna\b|\bgoing to\b|\bpredict\w*"
    r"|\bodds\b|\bspread\b|\bline\b|\bpick\b|\bforecast\w*|\bupcoming\b|\bnext\b"
    r"|\bfavou?red\b|\bfavou?rite\b|\bchances?\b|\bprojected\b|\bcan\b|\bshould\b"
    r"|\bwho takes\b|\bwould\b|\bcovers?\b|\bupset\b|\bwin probability\b")
_PAST = re.compile(
    r"\bwho won\b|\bdid\b|\bwhat happened\b|\bhow did\b|\bresults?\b|\bwon\b|\blost\b"
    r"|\bbeat\b(?!\s+(the\s+)?\w+\s+(this|next))|\bdefeated\b|\btied\b|\bwas\b|\bwere\b"
    r"|\blast (time|meeting|game|week|year|season)\b|\bscores?\b|\bago\b|\bhappened\b"
    r"|\bfinal\b|\bhow'?d\b|\brecap\b")
_WORST = re.compile(r"\b(worst|weakest|fewest|least|lowest|bottom|poorest|most points allowed"
                    r"|gives? up the most|allows? the most)\b")
_NEUTRAL = re.compile(r"\bneutral(\s+(site|field|ground))?\b")
_LIMIT = re.compile(r"\btop\s*-?\s*(\d{1,3})\b")
# "before week 5" counts weeks 1-4; "after / through week 4" the same games
_WEEK_BOUND = re.compile(r"\b(before|prior to|entering|going into|after|through|thru|up to"
                         r"|until)\s+(?:the\s+)?(?:week|wk)\s*(\d{1,2})\b")
_METRICS: Sequence[tuple[str, re.Pattern[str]]] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        ("success_rate", r"\bsuccess(ful)?\s*(rate|%)?\b"),
        ("epa", r"\b(epa|ppa|expected points|predicted points)\b"),
        ("explosiveness", r"\bexplosiv\w*|\bbig[- ]plays?\b"),
        ("line_play", r"\bline\s*yards?\b|\bo-?line\b|\boffensive line\b|\btrenches\b"
                      r"|\bline play\b|\bstuff(ed)?\s*rate\b"),
        ("havoc", r"\bhavoc\b"),
        ("rushing", r"\brush\w*|\brun(ning)?\s*(game|offen[cs]e|defen[cs]e|d)?\b|\bground\b"),
        ("passing", r"\bpass\w*|\bthrow\w*|\bthrough the air\b|\bqb\b|\bquarterback"),
        ("talent", r"\btalent\b|\brecruit\w*"),
        ("turnovers", r"\bturnovers?\b|\bgiveaways?\b"),
        ("scoring", r"\bpoints? (per game|scored|allowed)\b|\bscoring\b"),
        ("defense", r"\bdefen[cs]es?\b|\bdefensive\b|(?<!['’])\bd\b(?!-)|\ballow\w*|\bgives? up\b"
                    r"|\bgiving up\b|\bstingiest\b"),
        ("offense", r"\boffen[cs]es?\b|\boffensive\b"),
    )
)
_METHODS = (
    ("elo", re.compile(r"\belo\b")),
    ("srs", re.compile(r"\bsrs\b|\bleast[- ]squares?\b|\bsimple rating")),
    ("ensemble", re.compile(r"\bensemble\b|\bpower (rating|ranking)s?\b")),
)
_CONFERENCES = (
    ("SEC", r"\bsec\b|\bsoutheastern\b"),
    ("Big Ten", r"\bbig\s*(ten|10)\b|\bb1g\b"),
    ("Big 12", r"\bbig\s*(12|twelve)\b|\bbig xii\b"),
    ("ACC", r"\bacc\b|\batlantic coast\b"),
    ("Pac-12", r"\bpac[- ]?(12|twelve)\b"),
    ("Pac-10", r"\bpac[- ]?(10|ten)\b"),
    ("American Athletic", r"\baac\b|\bamerican athletic\b|\bthe american\b"),
    ("Mountain West", r"\bmountain west\b|\bmwc\b"),
    ("Sun Belt", r"\bsun\s*belt\b"),
    ("Mid-American", r"\bmac\b|\bmid[- ]american\b"),
    ("Conference USA", r"\bc-?usa\b|\bconference usa\b"),
    ("FBS Independents", r"\bindependents?\b"),
    ("Big East", r"\bbig east\b"),
    ("Western Athletic", r"\bwac\b|\bwestern athletic\b"),
)
_CONFERENCE_PATTERNS = tuple((name, re.compile(pattern)) for name, pattern in _CONFERENCES)
_ROLE_HINTS = (
    ("casual", re.compile(
        r"explain (it )?like i'?m|\beli5\b|plain english|simple terms|simply\b|\bi'?m new\b"
        r"|\bnew to (this|football|analytics)\b|beginner|layman|for dummies|keep it simple"
        r"|\bno jargon\b")),
    ("data_scientist", re.compile(
        r"\bfeatures?\b|coefficients?|feature importance|contributions?|\bshap\b|model details"
        r"|per[- ]model|each model|all the models|under the hood|the math\b|\btechnical\b"
        r"|\bmethodology\b")),
    ("production", re.compile(
        r"just the (number|numbers|json|score|pick|margin|probability)|\bjson\b|\bcompact\b"
        r"|\bminimal\b|machine[- ]readable|no explanation|\braw (data|numbers)\b")),
)


@dataclass(frozen=True)
class Calendar:
    """The "now" relative dates resolve against."""

    current_season: int
    current_week: int | None = None


@dataclass(frozen=True)
class Extracted:
    """Everything but teams that a question names; None / empty when absent."""

    season: int | None = None
    week: int | None = None
    season_type: str | None = None
    neutral: bool | None = None
    metrics: tuple[str, ...] = ()
    method: str | None = None
    conference: str | None = None
    limit: int | None = None
    role_hint: str | None = None
    week_from_context: bool = False
    occasion: str | None = None
    tense: str | None = None
    worst: bool = False
    before_week: int | None = None
    named_bowl: str | None = None
    playoff_round: str | None = None
    since: int | None = None
    last_games: int | None = None
    split: str | None = None
    month: int | None = None


def _season(text: str, calendar: Calendar) -> int | None:
    for match in _YEAR.finditer(text):
        if _SINCE.search(text[max(0, match.start() - 7) : match.end()]):
            continue  # "since 2010" bounds a series, it names no season
        return int(match.group(1)) if match.group(1) else 2000 + int(match.group(2))
    for pattern, offset in _RELATIVE_SEASON:
        if pattern.search(text):
            return calendar.current_season + offset
    return None


def _week(text: str, calendar: Calendar) -> tuple[int | None, bool]:
    match = _WEEK.search(text)
    if match:
        raw = (match.group(1) or match.group(2)).lower()
        value = _NUMBER_WORDS.get(raw)
        if value is None:
            return int(raw), False
        if value > 0:
            return value, False
    if calendar.current_week is None:
        return None, False
    for pattern, offset in _RELATIVE_WEEK:
        if pattern.search(text):
            return max(1, calendar.current_week + offset), True
    return None, False


def extract_entities(text: str, calendar: Calendar) -> Extracted:
    """Season, week, metrics, ranking method, conference, limit, role hint and neutral site."""
    lowered = text.casefold()
    week, relative = _week(lowered, calendar)
    metrics = sorted(
        ((match.start(), name) for name, pattern in _METRICS
         if (match := pattern.search(lowered)) is not None),
    )
    limit = _LIMIT.search(lowered)
    return Extracted(
        season=_season(lowered, calendar),
        week=week,
        season_type=("postseason" if _POSTSEASON.search(lowered)
                     else "regular" if _REGULAR_SEASON.search(lowered) else None),
        neutral=True if _NEUTRAL.search(lowered) else None,
        metrics=tuple(name for _, name in metrics),
        method=next((name for name, pattern in _METHODS if pattern.search(lowered)), None),
        conference=next(
            (name for name, pattern in _CONFERENCE_PATTERNS if pattern.search(lowered)), None
        ),
        limit=int(limit.group(1)) if limit else None,
        role_hint=next((role for role, pattern in _ROLE_HINTS if pattern.search(lowered)), None),
        week_from_context=relative,
        occasion=next((kind for kind, pattern in _OCCASIONS if pattern.search(lowered)), None),
        tense=_tense(lowered),
        worst=bool(_WORST.search(lowered)),
        before_week=_before_week(lowered),
        named_bowl=(named.group(0).title() if (named := _NAMED_BOWL.search(lowered)) else None),
        playoff_round=next((r for r, pattern in _ROUNDS if pattern.search(lowered)), None),
        since=_since(lowered, calendar),
        last_games=(_NUMBER_WORDS.get(m.group(1)) or int(m.group(1))
                    if (m := _LAST_GAMES.search(lowered)) else None),
        split=next((name for name, pattern in _SPLITS if pattern.search(lowered)), None),
        month=(_MONTH_NUMBERS[mm.group(1)] if (mm := _MONTH.search(lowered)) else None),
    )


def _since(text: str, calendar: Calendar) -> int | None:
    """The first season of a span: "since 2010" -> 2010, "last 5 years" -> 5 seasons back."""
    match = _SINCE.search(text)
    if match:
        return int(match.group(1))
    match = _LAST_YEARS.search(text)
    if match:
        n = _NUMBER_WORDS.get(match.group(1)) or int(match.group(1))
        return calendar.current_season - n + 1
    return None


def _before_week(text: str) -> int | None:
    """The first week not counted: "before week 5" -> 5, "after week 4" -> 5."""
    match = _WEEK_BOUND.search(text)
    if match is None:
        return None
    week = int(match.group(2))
    exclusive = match.group(1) in ("before", "prior to", "entering", "going into")
    return week if exclusive else week + 1


def _tense(text: str) -> str | None:
    """``"future"``, ``"past"`` or None: whether the question asks what will or what did."""
    if _FUTURE.search(text):
        return "future"
    return "past" if _PAST.search(text) else None
