"""Units of a team: how good an offence or a defence is, who leads, whose unit is better.

The plain numbers come first because a fan can check them: points per game scored or allowed
over the season's played games (games.csv), and yards per game from the box scores
(team_games: a defence's yards are its opponents' offensive yards). Ranks are among the
season's FBS teams, nationally and in the team's conference. The opponent-adjusted efficiency
(EPA per play and its rushing / passing parts, from the feature store) is added as a
percentile, for readers who want strength of schedule taken into account.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from scriptohio.agents.context import AnalyticsContext, WeekRef
from scriptohio.agents.prose import join, ordinal, points
from scriptohio.errors import NotFoundError, ValidationError

__all__ = ["SIDES", "UnitTable", "compare_units", "unit_leaders", "unit_profile", "unit_table"]

Side = Literal["offense", "defense"]
Facet = Literal["scoring", "rushing", "passing"]
SIDES: tuple[Side, ...] = ("offense", "defense")
FACETS: tuple[Facet, ...] = ("scoring", "rushing", "passing")
#: the per-game number that ranks each facet, and its unit
_MEASURE = {"scoring": ("points", "points"), "rushing": ("rush_yards", "rushing yards"),
            "passing": ("pass_yards", "passing yards")}
#: adjusted efficiency field of the feature store per (side, facet)
_ADJUSTED = {("offense", "scoring"): "off_eff", ("defense", "scoring"): "def_eff",
             ("offense", "rushing"): "off_rush_ppa", ("defense", "rushing"): "def_rush_ppa",
             ("offense", "passing"): "off_pass_ppa", ("defense", "passing"): "def_pass_ppa"}
_NOUN = {"offense": "offence", "defense": "defence"}


@dataclass(frozen=True)
class UnitTable:
    """Per FBS team of one season: games, conference and per-game numbers for and against."""

    season: int
    teams: tuple[str, ...]
    conference: dict[str, str | None]
    games: dict[str, int]
    per_game: dict[tuple[str, Side, str], float]  # (team, side, measure) -> per game

    def value(self, team: str, side: Side, facet: Facet) -> float | None:
        return self.per_game.get((team, side, _MEASURE[facet][0]))

    def ranked(self, side: Side, facet: Facet, conference: str | None = None) -> list[str]:
        """Teams best first (an offence by most per game, a defence by fewest)."""
        pool = [t for t in self.teams if self.value(t, side, facet) is not None
                and (conference is None or self.conference.get(t) == conference)]
        sign = -1.0 if side == "offense" else 1.0
        return sorted(pool, key=lambda t: (sign * (self.value(t, side, facet) or 0.0), t))


def unit_table(ctx: AnalyticsContext, season: int) -> UnitTable:
    """The season's unit numbers over its played games (memoised per data version)."""
    memo: dict[int, UnitTable] = ctx.memo("unit_table")
    table = memo.get(season)
    if table is None:
        table = memo[season] = _build_table(ctx, season)
    return table


def _build_table(ctx: AnalyticsContext, season: int) -> UnitTable:
    fbs = ctx.dataset.fbs_teams_by_season.get(season, frozenset())
    games = ctx.dataset.games
    c = games.cols
    totals: dict[tuple[str, Side, str], float] = {}
    counts: dict[str, int] = {}
    yard_games: dict[str, int] = {}
    conference: dict[str, str | None] = {}
    for team in sorted(fbs):
        rows = games.rows_for_team(team, season)
        for row in rows.tolist():
            home = c["home_team"][row] == team
            conference.setdefault(team, c["home_conference" if home else "away_conference"][row])
            hp, ap = c["home_points"][row], c["away_points"][row]
            if hp != hp:
                continue
            counts[team] = counts.get(team, 0) + 1
            scored: tuple[tuple[Side, float], ...] = (("offense", hp if home else ap),
                                                      ("defense", ap if home else hp))
            for side, value in scored:
                key = (team, side, "points")
                totals[key] = totals.get(key, 0.0) + float(value)
            _add_yards(ctx, team, int(c["game_id"][row]), str(c["away_team" if home else
                                                                 "home_team"][row]),
                       totals, yard_games)
    per_game: dict[tuple[str, Side, str], float] = {}
    for (team, side, measure), total in totals.items():
        n = counts[team] if measure == "points" else yard_games.get(team, 0)
        if n:
            per_game[(team, side, measure)] = total / n
    return UnitTable(season, tuple(t for t in sorted(fbs) if t in counts), conference,
                     counts, per_game)


def _add_yards(ctx: AnalyticsContext, team: str, game_id: int, opponent: str,
               totals: dict[tuple[str, Side, str], float], yard_games: dict[str, int]) -> None:
    tg = ctx.dataset.team_games
    mine, theirs = tg.row_of(game_id, team), tg.row_of(game_id, opponent)
    if mine is None or theirs is None:
        return
    cols = tg.cols
    measures = (("yards", "total_yards"), ("rush_yards", "rushing_yards"),
                ("pass_yards", "net_passing_yards"))
    sides: tuple[tuple[Side, int], ...] = (("offense", mine), ("defense", theirs))
    values = [((team, side, measure), float(cols[column][row]))
              for side, row in sides for measure, column in measures]
    if any(v != v for _, v in values):
        return
    yard_games[team] = yard_games.get(team, 0) + 1
    for key, value in values:
        totals[key] = totals.get(key, 0.0) + value


def parse_unit(metrics: tuple[str, ...] | list[str] | str | None) -> tuple[Side, Facet]:
    """("defense", "rushing") from the question's metrics ("run defence" names both)."""
    names = [metrics] if isinstance(metrics, str) else list(metrics or ())
    side: Side = "defense" if "defense" in names else "offense"
    facet: Facet = next((f for f in ("rushing", "passing") if f in names), "scoring")
    return side, facet


def _label(side: Side, facet: Facet) -> str:
    if facet == "scoring":
        return _NOUN[side]
    return f"{'run' if facet == 'rushing' else 'pass'} {_NOUN[side]}"


def _verb(side: Side, facet: Facet = "scoring") -> str:
    if side == "defense":
        return "allows"
    return "scores" if facet == "scoring" else "gains"


def unit_profile(ctx: AnalyticsContext, team: str, *, unit: str | None = None,
                 season: int | None = None, facet: str | None = None) -> dict[str, Any]:
    """One team's offence or defence: per-game numbers, ranks, adjusted percentile."""
    team = ctx.require_team(team)
    side, parsed_facet = parse_unit([u for u in (unit, facet) if u])
    season = ctx.current.season if season is None else season
    ref = ctx.week_ref(season, None)
    table = unit_table(ctx, season)
    if team not in table.teams:
        raise NotFoundError(f"{team} has no played FBS games in {season}")
    body = _unit_row(ctx, table, team, side, parsed_facet, ref)
    body.update(team=team, season=season, unit=side, facet=parsed_facet,
                as_of=ctx.as_of(ref))
    body["summary"] = _unit_sentence(table, body, team, side, parsed_facet, season, ref, ctx)
    return body


def _unit_row(ctx: AnalyticsContext, table: UnitTable, team: str, side: Side, facet: Facet,
              ref: WeekRef) -> dict[str, Any]:
    conference = table.conference.get(team)
    nation = table.ranked(side, facet)
    league = table.ranked(side, facet, conference)
    row: dict[str, Any] = {
        "conference": conference, "games": table.games.get(team),
        "per_game": {m: round(v, 1) for (t, s, m), v in table.per_game.items()
                     if t == team and s == side},
        "rank": {"fbs": nation.index(team) + 1 if team in nation else None,
                 "of": len(nation),
                 "conference": league.index(team) + 1 if team in league else None,
                 "conference_of": len(league)},
    }
    rating = next((r for r in ctx.features.team_ratings(ref.season, ref.week, ref.season_type)
                   if r.team == team), None)
    if rating is not None:
        adjusted = getattr(rating, _ADJUSTED[(side, facet)])
        row["adjusted"] = {"metric": _ADJUSTED[(side, facet)], "epa_per_play":
                           round(float(adjusted.value), 4), "percentile": adjusted.percentile}
    return row


def _unit_sentence(table: UnitTable, body: dict[str, Any], team: str, side: Side,
                   facet: Facet, season: int, ref: WeekRef, ctx: AnalyticsContext) -> str:
    measure, noun = _MEASURE[facet]
    value = body["per_game"].get(measure)
    rank = body["rank"]
    if value is None:
        return f"The data has no {noun} numbers for {team} in {season}."
    so_far = "" if ctx.as_of(ref).startswith("end") else " so far"
    text = (f"{team}'s {_label(side, facet)} {_verb(side, facet)} {value:.1f} {noun} per game in "
            f"{season}{so_far}, {ordinal(rank['fbs'])} of {rank['of']} FBS teams")
    if rank["conference"] is not None and body["conference"]:
        text += (f" and {ordinal(rank['conference'])} of {rank['conference_of']} in the "
                 f"{body['conference']}")
    text += "."
    if facet == "scoring" and "yards" in body["per_game"]:
        text += (f" It {'gains' if side == 'offense' else 'allows'} "
                 f"{body['per_game']['yards']:.1f} yards per game.")
    elif facet != "scoring" and "points" in body["per_game"]:
        text += (f" The {_NOUN[side]} as a whole {_verb(side)} "
                 f"{body['per_game']['points']:.1f} points per game.")
    adjusted = body.get("adjusted")
    if adjusted is not None:
        text += (f" Adjusted for opponents its EPA per play is in the "
                 f"{ordinal(round(adjusted['percentile']))} percentile.")
    return text


def unit_leaders(ctx: AnalyticsContext, *, unit: str | None = None, facet: str | None = None,
                 season: int | None = None, conference: str | None = None,
                 worst: bool = False, limit: int | None = None,
                 measure: str | None = None) -> dict[str, Any]:
    """The best (or worst) offences or defences by per-game numbers, or with ``measure``
    (``epa``, ``success_rate``, ``explosiveness``) by that opponent-adjusted efficiency."""
    side, parsed_facet = parse_unit([u for u in (unit, facet) if u])
    season = ctx.current.season if season is None else season
    ref = ctx.week_ref(season, None)
    table = unit_table(ctx, season)
    if measure is not None:
        return _adjusted_leaders(ctx, table, side, measure, ref, conference, worst, limit)
    if conference is not None:
        known = {c for c in table.conference.values() if c}
        match = {c.casefold(): c for c in known}.get(conference.casefold())
        if match is None:
            raise NotFoundError(f"no conference {conference!r} in {season}; conferences: "
                                f"{', '.join(sorted(known))}")
        conference = match
    ranked = table.ranked(side, parsed_facet, conference)
    if worst:
        ranked = ranked[::-1]
    n = min(limit or 10, len(ranked))
    if n < 1:
        raise ValidationError(f"no teams with {side} numbers in {season}")
    measure, noun = _MEASURE[parsed_facet]
    teams = [{"rank": i + 1, "team": t, "conference": table.conference.get(t),
              "games": table.games.get(t),
              "per_game": round(table.value(t, side, parsed_facet) or 0.0, 1)}
             for i, t in enumerate(ranked[:n])]
    where = f" in the {conference}" if conference else " in FBS"
    best = "worst" if worst else "best"
    label = _label(side, parsed_facet)
    head = f"The {best} {label}s{where} in {season}"
    so_far = "" if ctx.as_of(ref).startswith("end") else " so far"
    if parsed_facet == "scoring":
        measure_text = f"points {'scored' if side == 'offense' else 'allowed'} per game"
    else:
        measure_text = f"{noun}{'' if side == 'offense' else ' allowed'} per game"
    listed = join([f"{row['team']} {row['per_game']:.1f}" for row in teams[:5]])
    summary = f"{head}{so_far} by {measure_text}: {listed}."
    return {"season": season, "unit": side, "facet": parsed_facet, "measure": measure,
            "conference": conference, "order": best, "as_of": ctx.as_of(ref),
            "teams": teams, "summary": summary}


_ADJUSTED_MEASURES = {"epa": ("eff", "EPA per play"),
                      "success_rate": ("success_rate", "success rate"),
                      "explosiveness": ("explosiveness", "explosiveness")}


def _adjusted_leaders(ctx: AnalyticsContext, table: UnitTable, side: Side, measure: str,
                      ref: WeekRef, conference: str | None, worst: bool,
                      limit: int | None) -> dict[str, Any]:
    if measure not in _ADJUSTED_MEASURES:
        raise ValidationError(f"measure must be one of {', '.join(_ADJUSTED_MEASURES)}, "
                              f"not {measure!r}")
    suffix, label = _ADJUSTED_MEASURES[measure]
    field = f"{'off' if side == 'offense' else 'def'}_{suffix}"
    ratings = [r for r in ctx.features.team_ratings(ref.season, ref.week, ref.season_type)
               if r.team in table.teams
               and (conference is None or (r.conference or "").casefold()
                    == conference.casefold())]
    if not ratings:
        raise NotFoundError(f"no {conference or 'FBS'} teams rated in {ref.season}")
    ranked = sorted(ratings, key=lambda r: -getattr(r, field).percentile)
    if worst:
        ranked.reverse()
    n = min(limit or 10, len(ranked))
    teams = [{"rank": i + 1, "team": r.team, "conference": r.conference,
              "value": round(float(getattr(r, field).value), 4),
              "percentile": getattr(r, field).percentile} for i, r in enumerate(ranked[:n])]
    where = f" in the {ranked[0].conference}" if conference else " in FBS"
    listed = join([f"{t['team']} {t['value']:+.3f} ({ordinal(round(t['percentile']))} "
                   "percentile)" for t in teams[:5]])
    summary = (f"The {'worst' if worst else 'best'} {_NOUN[side]}s{where} in {ref.season} by "
               f"opponent-adjusted {label} ({ctx.as_of(ref)}): {listed}.")
    return {"season": ref.season, "unit": side, "measure": field, "conference": conference,
            "order": "worst" if worst else "best", "as_of": ctx.as_of(ref), "teams": teams,
            "summary": summary}


def compare_units(ctx: AnalyticsContext, teams: list[str] | tuple[str, ...], *,
                  unit: str | None = None, facet: str | None = None,
                  season: int | None = None) -> dict[str, Any]:
    """Two or more teams' offences or defences side by side, with the better one named."""
    names = [ctx.require_team(t) for t in teams]
    side, parsed_facet = parse_unit([u for u in (unit, facet) if u])
    season = ctx.current.season if season is None else season
    ref = ctx.week_ref(season, None)
    table = unit_table(ctx, season)
    missing = [t for t in names if t not in table.teams]
    if missing:
        raise NotFoundError(f"{join(missing)} played no FBS games in {season}")
    rows = [{"team": t, **_unit_row(ctx, table, t, side, parsed_facet, ref)} for t in names]
    measure, noun = _MEASURE[parsed_facet]
    values = {row["team"]: row["per_game"].get(measure) for row in rows}
    better = sorted((t for t in names if values[t] is not None),
                    key=lambda t: values[t] if side == "defense" else -float(values[t] or 0))
    label = _label(side, parsed_facet)
    parts = [f"{t}'s {label} {_verb(side, parsed_facet)} {values[t]:.1f} {noun} per game"
             for t in names if values[t] is not None]
    summary = f"In {season}, " + join(parts) + "."
    if len(better) >= 2:
        gap = abs(float(values[better[0]] or 0) - float(values[better[1]] or 0))
        summary += f" By that measure {better[0]}'s {label} is better, by {points(gap)}."
    adjusted = [(r["team"], r["adjusted"]["percentile"]) for r in rows if "adjusted" in r]
    if len(adjusted) >= 2:
        summary += " Adjusted for opponents: " + join(
            [f"{t} {ordinal(round(p))} percentile" for t, p in adjusted]) + "."
    return {"season": season, "unit": side, "facet": parsed_facet, "as_of": ctx.as_of(ref),
            "teams": rows, "better": better[0] if better else None, "summary": summary}
