"""CFBD answers onto our schema: pure functions from CFBD records (dicts) to typed rows.

A pulled game starts from the row we already have (if any), so a field CFBD leaves empty —
no line yet, no score yet — keeps what we know instead of erasing it.

* games: kickoff in UTC (``...Z``) and its US Eastern date, neutral site, conference game,
  teams (see :mod:`.teams`), conferences, divisions from CFBD's classification; the score
  only when CFBD marks the game completed;
* lines: one row per (game, provider) with closing and opening spread and total and both
  moneylines; the game's ``spread`` / ``over_under`` are the **median** across providers
  (``spread_source = cfbd_lines_median``), as in the shipped data;
* team games: the box score of ``/games/teams`` ("C-A", "n-yards", "mm:ss" strings parsed as
  the shipped data does; an unparseable value becomes empty) and the advanced stats of
  ``/stats/game/advanced`` (nested objects flattened: ``offense.passingPlays.ppa`` ->
  ``offense_passing_plays_ppa``).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from scriptohio.data.cfbd.teams import TeamIndex
from scriptohio.data.csvfile import Columns
from scriptohio.data.schema import GAMES, TEAM_GAMES, FileSchema

Row = dict[str, Any]
EASTERN = ZoneInfo("America/New_York")
DIVISION = {"fbs": "fbs", "fcs": "fcs", "ii": "other", "iii": "other"}
LINE_FIELDS = ("spread", "spread_open", "over_under", "over_under_open", "home_moneyline",
               "away_moneyline")

#: CFBD box-score category -> our column (plain numbers)
BOX_NUMBERS = {
    "firstDowns": "first_downs", "totalYards": "total_yards",
    "netPassingYards": "net_passing_yards", "rushingYards": "rushing_yards",
    "rushingAttempts": "rushing_attempts", "yardsPerPass": "yards_per_pass",
    "yardsPerRushAttempt": "yards_per_rush_attempt", "passingTDs": "passing_tds",
    "rushingTDs": "rushing_tds", "turnovers": "turnovers", "fumblesLost": "fumbles_lost",
    "interceptions": "interceptions", "passesIntercepted": "passes_intercepted",
    "fumblesRecovered": "fumbles_recovered", "interceptionYards": "interception_yards",
    "interceptionTDs": "interception_tds", "defensiveTDs": "defensive_tds", "sacks": "sacks",
    "tackles": "tackles", "tacklesForLoss": "tackles_for_loss", "qbHurries": "qb_hurries",
    "passesDeflected": "passes_deflected", "totalFumbles": "total_fumbles",
    "kickReturns": "kick_returns", "kickReturnYards": "kick_return_yards",
    "kickReturnTDs": "kick_return_tds", "puntReturns": "punt_returns",
    "puntReturnYards": "punt_return_yards", "puntReturnTDs": "punt_return_tds",
    "kickingPoints": "kicking_points",
}
#: CFBD "a-b" categories -> our two columns
BOX_PAIRS = {
    "completionAttempts": ("completions", "pass_attempts"),
    "thirdDownEff": ("third_down_conversions", "third_down_attempts"),
    "fourthDownEff": ("fourth_down_conversions", "fourth_down_attempts"),
    "totalPenaltiesYards": ("penalties", "penalty_yards"),
}
BOX_COLUMNS = (*BOX_NUMBERS.values(), *(c for pair in BOX_PAIRS.values() for c in pair),
               "possession_time_sec")


def existing_row(cols: Columns, index: int | None, schema: FileSchema) -> Row:
    """The typed row at ``index`` of a loaded table (``{}`` if none): NaN -> None."""
    if index is None:
        return {}
    row: Row = {}
    for name, values in cols.items():
        if name == "kickoff":
            continue
        col = schema.column(name)
        kind = col.kind if col is not None else schema.other_kind
        v = values[index]
        if v is None or (isinstance(v, float) and math.isnan(v)):
            row[name] = None
        elif kind == "int":
            row[name] = int(v)
        elif kind == "bool":
            row[name] = bool(v)
        elif kind == "str":
            row[name] = str(v)
        else:
            row[name] = float(v)
    return row


def utc_kickoff(value: Any) -> tuple[str, str]:
    """``(start_date "YYYY-MM-DDTHH:MM:SSZ", game_date "YYYY-MM-DD" US Eastern)``."""
    when = value if isinstance(value, datetime) else datetime.fromisoformat(
        str(value).replace("Z", "+00:00"))
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    utc = when.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%SZ"), utc.astimezone(EASTERN).strftime("%Y-%m-%d")


def line_rows(betting: Iterable[Mapping[str, Any]]) -> dict[int, list[Row]]:
    """``{game_id: [one row per provider]}`` from ``/lines`` answers."""
    out: dict[int, list[Row]] = {}
    for game in betting:
        rows = out.setdefault(int(game["id"]), [])
        seen: set[str] = set()
        for line in game.get("lines") or []:
            provider = str(line["provider"])
            if provider in seen:  # one row per provider: the first listed wins
                continue
            seen.add(provider)
            rows.append({"game_id": int(game["id"]), "provider": provider,
                         **{f: _number(line.get(f)) for f in LINE_FIELDS}})
    return out


def consensus(lines: Iterable[Mapping[str, Any]], field: str) -> float | None:
    """The median of the providers' values of ``field`` (``None`` if nobody has one)."""
    values = [float(v) for v in (ln.get(field) for ln in lines) if v is not None]
    return float(statistics.median(values)) if values else None


def game_row(game: Mapping[str, Any], teams: TeamIndex, base: Row,
             lines: list[Row]) -> Row | str:
    """Our games.csv row for a CFBD game, or the reason it cannot be mapped."""
    home = teams.name(game.get("home_id"), str(game["home_team"]))
    away = teams.name(game.get("away_id"), str(game["away_team"]))
    if home is None or away is None:
        unknown = game["home_team"] if home is None else game["away_team"]
        return f"unknown team {unknown!r}"
    start_date, game_date = utc_kickoff(game["start_date"])
    row: Row = {c.name: base.get(c.name) for c in GAMES.columns}
    row.update(
        game_id=int(game["id"]), season=int(game["season"]), week=int(game["week"]),
        season_type=str(game["season_type"]), start_date=start_date, game_date=game_date,
        neutral_site=_bool(game.get("neutral_site"), base.get("neutral_site")),
        conference_game=_bool(game.get("conference_game"), base.get("conference_game")),
        home_team=home, home_id=int(game["home_id"]),
        home_conference=game.get("home_conference") or base.get("home_conference"),
        home_division=DIVISION.get(str(game.get("home_classification")),
                                   base.get("home_division")),
        away_team=away, away_id=int(game["away_id"]),
        away_conference=game.get("away_conference") or base.get("away_conference"),
        away_division=DIVISION.get(str(game.get("away_classification")),
                                   base.get("away_division")),
    )
    if game.get("completed") and game.get("home_points") is not None \
            and game.get("away_points") is not None:
        row.update(home_points=int(game["home_points"]), away_points=int(game["away_points"]),
                   points_source="cfbd_games")
    spread = consensus(lines, "spread")
    if spread is not None:
        row.update(spread=spread, over_under=consensus(lines, "over_under"),
                   spread_source="cfbd_lines_median")
    return row


def team_game_row(game: Row, side: str, base: Row) -> Row:
    """One team's team_games row of ``game`` (``side`` home/away): the game's facts on top of
    what we already had for it (its stats are kept until replaced)."""
    other = "away" if side == "home" else "home"
    row: Row = {c.name: base.get(c.name) for c in TEAM_GAMES.columns}
    row.update({k: v for k, v in base.items() if k not in row})
    row.update(
        game_id=game["game_id"], season=game["season"], week=game["week"],
        season_type=game["season_type"], team=game[f"{side}_team"],
        team_id=game[f"{side}_id"], conference=game[f"{side}_conference"],
        division=game[f"{side}_division"], opponent=game[f"{other}_team"],
        opponent_id=game[f"{other}_id"], opponent_conference=game[f"{other}_conference"],
        home_away=side, neutral_site=game["neutral_site"], points=game[f"{side}_points"],
        opponent_points=game[f"{other}_points"],
        has_box_score=bool(base.get("has_box_score")),
        has_advanced=bool(base.get("has_advanced")),
    )
    return row


def add_box_score(row: Row, record: Mapping[str, Any]) -> None:
    """Replace ``row``'s box score with the one of a ``/games/teams`` team record."""
    row.update(dict.fromkeys(BOX_COLUMNS))
    row.update(box_score(record.get("stats") or []))
    row["has_box_score"] = True


def add_advanced(row: Row, record: Mapping[str, Any]) -> None:
    """Replace ``row``'s advanced stats with those of a ``/stats/game/advanced`` record."""
    row.update(advanced_columns(record))
    row["has_advanced"] = True


def box_score(stats: Iterable[Mapping[str, Any]]) -> Row:
    out: Row = {}
    for item in stats:
        category, raw = str(item.get("category")), str(item.get("stat", "")).strip()
        if category in BOX_NUMBERS:
            out[BOX_NUMBERS[category]] = _number(raw)
        elif category in BOX_PAIRS:
            first, second = BOX_PAIRS[category]
            parts = raw.split("-")
            ok = len(parts) == 2 and all(p.strip().isdigit() for p in parts)
            out[first], out[second] = ((int(parts[0]), int(parts[1])) if ok else (None, None))
        elif category == "possessionTime":
            mm, _, ss = raw.partition(":")
            ok = mm.strip().isdigit() and ss.isdigit()
            out["possession_time_sec"] = int(mm) * 60 + int(ss) if ok else None
    return out


def advanced_columns(record: Mapping[str, Any]) -> Row:
    """``offense_*`` / ``defense_*`` columns of one ``/stats/game/advanced`` record."""
    out: Row = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, Mapping):
            for key, inner in value.items():
                walk(f"{prefix}_{key}", inner)
        else:
            out[prefix] = _number(value)

    for unit in ("offense", "defense"):
        walk(unit, record.get(unit) or {})
    return out


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _bool(value: Any, default: Any) -> Any:
    return bool(value) if isinstance(value, bool) else default
