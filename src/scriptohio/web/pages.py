"""The pages over cached answers: this week, a game, a team, rankings, a matchup, the ask box.

Each page builds the recipe its JSON endpoint builds (the functions the ``/v1`` routes call)
and reads that answer through the :class:`~scriptohio.api.answers.Answerer`, so a page and
``/v1/...`` share one cache entry. The game page always reads the data scientist's answer
(the one with the explanation it charts) and shows casual visitors the plain parts first.
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Path, Query, Request
from starlette.responses import RedirectResponse, Response

from scriptohio.api.dependencies import Answers, Caller, Context, Navigator
from scriptohio.api.identity import Identity
from scriptohio.api.recipes import compare_recipe, rankings_recipe
from scriptohio.api.routes.ask import answer_question
from scriptohio.api.routes.common import require_teams
from scriptohio.api.routes.insight import Method, profile_recipe, units_recipe
from scriptohio.api.routes.predictions import (
    Season,
    SeasonType,
    TeamName,
    Week,
    game_recipe,
    slate_recipe,
)
from scriptohio.errors import NotFoundError
from scriptohio.web import charts
from scriptohio.web.dependencies import Pages
from scriptohio.web.evaluation import evaluate
from scriptohio.web.formatting import game_url, interval, quote_path, team_url
from scriptohio.web.rendering import PageRoute, error_page, html_response, page_role, render

__all__ = ["fallback", "router"]

router = APIRouter(route_class=PageRoute)
#: added last: any other /app path is a friendly 404 page
fallback = APIRouter(route_class=PageRoute)

Question = Annotated[str, Query(max_length=500, description="A question in plain words")]


@router.get("/")
async def root() -> Response:
    return RedirectResponse("/app", status_code=307)


@router.get("/app")
async def home(request: Request, ctx: Context, answers: Answers, caller: Caller, pages: Pages,
               season: Season = None, week: Week = None,
               season_type: SeasonType = "regular") -> Response:
    """This week's slate and the previous week's results."""
    role = page_role(request)
    slate = slate_recipe(ctx, season, week, season_type, role)
    shown = slate.payload["week"]
    weeks = ctx.dataset.games.weeks(slate.payload["season"], season_type)
    earlier = [w for w in weeks if w < shown]
    recipes = [slate]
    if earlier:
        recipes.append(slate_recipe(ctx, slate.payload["season"], earlier[-1], season_type,
                                    role))

    def build(found: list[Any]) -> dict[str, Any]:
        current = found[0]
        played = [g for g in current["games"] if g.get("result")]
        upcoming = [g for g in current["games"] if not g.get("result")]
        previous = found[1] if len(found) > 1 else None
        return {"slate": current, "upcoming": upcoming, "played": played,
                "previous": previous, "weeks": weeks,
                "earlier_week": earlier[-1] if earlier else None,
                "later_week": next((w for w in weeks if w > shown), None)}

    return await pages.page(request, "home.html", answers, caller, recipes, build)


@router.get("/app/ask")
async def ask(request: Request, ctx: Context, answers: Answers, caller: Caller,
              navigator: Navigator, q: Question = "",
              fragment: Annotated[bool, Query()] = False) -> Response:
    """The ask box's answer (``fragment=1``: only the answer, for the page's script)."""
    role = page_role(request)
    answer = None
    if q.strip():
        asker = Identity(caller.user_id, role, address=caller.address)
        answer = await answer_question(request, q.strip(), ctx, answers, asker, navigator)
    template = "ask_answer.html" if fragment else "ask.html"
    data = {"q": q, "asked": answer, "links": _ask_links(answer) if answer else [],
            # the raw answer is shown to data scientists only
            "raw": orjson.dumps(answer, option=orjson.OPT_INDENT_2).decode()
            if answer and role == "data_scientist" else ""}
    return html_response(request, render(request, template, data))


@router.get("/app/game")
async def game(request: Request, ctx: Context, answers: Answers, caller: Caller, pages: Pages,
               home: TeamName, away: TeamName, season: Season = None, week: Week = None,
               neutral: bool | None = None, season_type: SeasonType = "regular") -> Response:
    recipe, _ = game_recipe(ctx, home, away, season, week, neutral, season_type,
                            "data_scientist")

    def build(found: list[Any]) -> dict[str, Any]:
        g = found[0]
        lo, hi, level = interval(g["prediction"])
        bars = [charts.Bar(_feature(e["feature"]), float(e["contribution"]))
                for e in g.get("explanation") or []]
        chart = charts.bar_chart(
            bars, title="What moved the prediction",
            desc=f"Feature contributions to the predicted margin (points toward {g['home']} "
                 f"when positive, toward {g['away']} when negative).") if bars else None
        return {"g": g, "lo": lo, "hi": hi, "level": level, "chart": chart}

    return await pages.page(request, "game.html", answers, caller, [recipe], build)


@router.get("/app/teams")
async def find_team(request: Request, ctx: Context, answers: Answers, caller: Caller,
                    pages: Pages, name: Annotated[str, Query(max_length=80)] = "") -> Response:
    """Every FBS team by conference (from the rankings answer), and the search box: straight
    to the team's page (typos corrected)."""
    if name.strip():
        team = ctx.require_team(name.strip())
        return RedirectResponse(f"/app/teams/{quote_path(team)}", status_code=303)
    recipe = rankings_recipe(ctx, ctx.current, page_role(request), method="ensemble",
                             conference=None, limit=None)

    def build(found: list[Any]) -> dict[str, Any]:
        rows = sorted(found[0]["teams"], key=lambda r: (r["conference"] or "", r["team"]))
        return {"teams": [(r["team"], r["conference"]) for r in rows],
                "season": found[0]["season"]}

    return await pages.page(request, "teams.html", answers, caller, [recipe], build)


@router.get("/app/teams/{team}")
async def team(request: Request, ctx: Context, answers: Answers, caller: Caller, pages: Pages,
               team: Annotated[str, Path(min_length=1, max_length=80)],
               season: Season = None, week: Week = None) -> Response:
    role = page_role(request)
    recipe, _ = profile_recipe(ctx, team, season, week, role)
    if recipe.payload["team"] != team:  # a typo or alias: the canonical page's address
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(f"/app/teams/{quote_path(recipe.payload['team'])}{query}",
                                status_code=307)

    # the season's rated (FBS) teams, whose pages exist, from the rankings answer
    ranked = rankings_recipe(ctx, ctx.week_ref(recipe.payload["season"], recipe.payload["week"]),
                             role, method="ensemble", conference=None, limit=None)

    def build(found: list[Any]) -> dict[str, Any]:
        t = found[0]
        rated = {row["team"] for row in found[1]["teams"]}
        played = [g for g in t["schedule"] if g.get("result")]
        predicted = [g for g in t["schedule"] if g.get("prediction")]
        series = [charts.Series("predicted margin", tuple(
                      (g["week"], float(g["prediction"]["margin"])) for g in predicted
                      if g["season_type"] == "regular"), "predicted"),
                  charts.Series("actual margin", tuple(
                      (g["week"], float(g["result"]["points_for"] - g["result"]["points_against"]))
                      for g in played if g["season_type"] == "regular"), "actual")]
        chart = charts.line_chart(
            [s for s in series if s.points], title=f"{t['team']}'s season, week by week",
            desc="Points margin of each game: the model's pregame prediction and the actual "
                 "result (positive = won by).", x_label="week", y_label="margin (points)")
        units = [(_UNITS.get(k[4:], k[4:].replace("_", " ")), t["ratings"][k],
                  t["ratings"].get("def_" + k[4:]))
                 for k in t["ratings"] if k.startswith("off_")]
        return {"t": t, "chart": chart, "units": units, "rated": rated}

    return await pages.page(request, "team.html", answers, caller, [recipe, ranked], build)


@router.get("/app/rankings")
async def rankings(request: Request, ctx: Context, answers: Answers, caller: Caller,
                   pages: Pages, season: Season = None, week: Week = None,
                   method: Method = "ensemble",
                   conference: Annotated[str | None, Query(max_length=40)] = None) -> Response:
    """Power rankings by method and conference, with each team's move since last week."""
    role = page_role(request)
    conference = conference or None
    ref = ctx.week_ref(season, week)
    recipes = [rankings_recipe(ctx, ref, role, method=method, conference=None, limit=None)]
    if conference:
        recipes.insert(0, rankings_recipe(ctx, ref, role, method=method, conference=conference,
                                          limit=None))
    weeks = ctx.dataset.games.weeks(ref.season)
    before = [w for w in weeks if ref.week is not None and w < ref.week]
    if len(before) > 1:  # last week's table (week 1's has nothing to move from)
        recipes.append(rankings_recipe(ctx, ctx.week_ref(ref.season, before[-1]), role,
                                       method=method, conference=conference, limit=None))

    def build(found: list[Any]) -> dict[str, Any]:
        shown = found[0]
        every = found[1] if conference else found[0]
        last = {row["team"]: row["rank"] for row in found[-1]["teams"]} if len(before) > 1 \
            else {}
        moves = {row["team"]: last[row["team"]] - row["rank"] for row in shown["teams"]
                 if row["team"] in last}
        conferences = sorted({row["conference"] for row in every["teams"] if row["conference"]})
        return {"r": shown, "moves": moves, "conferences": conferences, "method": method,
                "conference": conference, "has_moves": bool(last),
                "methods": ("ensemble", "elo", "srs", "efficiency")}

    return await pages.page(request, "rankings.html", answers, caller, recipes, build)


@router.get("/app/matchup")
async def matchup(request: Request, ctx: Context, answers: Answers, caller: Caller,
                  pages: Pages, home: TeamName, away: TeamName, season: Season = None,
                  week: Week = None, season_type: SeasonType = "regular") -> Response:
    recipe, _ = units_recipe(ctx, home, away, season, week, season_type, page_role(request))
    return await pages.page(request, "matchup.html", answers, caller, [recipe],
                            lambda found: {"m": found[0]})


@router.get("/app/compare")
async def compare(request: Request, ctx: Context, answers: Answers, caller: Caller,
                  pages: Pages,
                  teams: Annotated[list[str] | None, Query(max_length=6)] = None,
                  season: Season = None) -> Response:
    """Two to six teams side by side (``/v1/compare``'s answer); without teams, the form."""
    names = [t.strip() for t in teams or [] if t.strip()]
    if len(names) < 2:
        return html_response(request, render(request, "compare.html", {
            "c": None, "asked": names, "message": "Name two to six teams." if names else ""}))
    resolved, _ = require_teams(ctx, *names)
    recipe = compare_recipe(ctx, tuple(resolved), ctx.week_ref(season, None),
                            page_role(request))
    return await pages.page(request, "compare.html", answers, caller, [recipe],
                            lambda found: {"c": found[0], "asked": resolved, "message": ""})


@router.get("/app/evaluation")
async def evaluation(request: Request, ctx: Context, answers: Answers, caller: Caller,
                     pages: Pages, season: Season = None) -> Response:
    """How the picks did over a season, from every played week's slate (the cached
    ``/v1/games`` answers, data scientist view)."""
    chosen = ctx.week_ref(season, None).season
    recipes = pages.recipes(ctx, ("season slates", chosen), lambda: [
        slate_recipe(ctx, chosen, week, kind, "data_scientist")
        for kind in ("regular", "postseason") for week in ctx.dataset.games.weeks(chosen, kind)])
    lo, hi = ctx.season_range()

    def build(found: list[Any]) -> dict[str, Any]:
        played = [s for s in found if any(g.get("result") for g in s["games"])]
        report = evaluate(played)
        chart = charts.calibration_chart(
            [(b["predicted"], b["observed"], b["games"]) for b in report.calibration],
            title=f"Calibration, {chosen}",
            desc="Each point is a bin of games by predicted home win probability: how often "
                 "the home team won. Points on the diagonal are perfectly calibrated.")
        return {"season": chosen, "report": report, "chart": chart,
                "seasons": list(range(hi, lo - 1, -1)), "weeks": len(played)}

    return await pages.page(request, "evaluation.html", answers, caller, recipes, build)


@fallback.get("/app/{rest:path}")
async def not_found(request: Request, rest: str) -> Response:
    return error_page(request, NotFoundError(f"there is no page at /app/{rest}"))


_UNITS = {"eff": "efficiency (EPA per play)", "success_rate": "success rate",
          "explosiveness": "explosiveness", "rush_ppa": "rushing EPA", "pass_ppa": "passing EPA",
          "line_yards": "line yards", "stuff_rate": "stuff rate"}
_FEATURES = {"srs_diff": "rating gap (SRS)", "elo_diff": "Elo gap",
             "prior_srs_diff": "last season's rating gap", "rest_diff": "rest days",
             "net_success_rate": "success rate", "conference_game": "conference game",
             "net_pass_ppa": "passing efficiency", "net_rush_ppa": "rushing efficiency",
             "net_line_yards": "line yards", "net_ppa": "efficiency (PPA)",
             "talent_diff": "talent gap", "home_field": "home field",
             "net_explosiveness": "explosiveness"}


def _ask_links(asked: dict[str, Any]) -> list[tuple[str, str]]:
    """Where an answer to a question continues on this site."""
    answer = asked.get("answer") or {}
    clarification = asked.get("clarification") or {}
    links: list[tuple[str, str]] = []
    if clarification.get("field") == "team":
        links += [(name, team_url(name)) for name in clarification.get("candidates", [])]
    if answer.get("home") and answer.get("away"):
        links.append(("The game", game_url(answer["home"], answer["away"], answer.get("season"),
                                           answer.get("week"), answer.get("season_type"))))
    for name in (answer.get("team"), answer.get("home"), answer.get("away")):
        if isinstance(name, str):
            links.append((name, team_url(name, answer.get("season"))))
    if isinstance(answer.get("teams"), list) and answer.get("method"):
        links.append(("The rankings", "/app/rankings"))
    if isinstance(answer.get("games"), list) and answer.get("week") is not None:
        links.append((f"Week {answer['week']}",
                      f"/app?season={answer.get('season')}&week={answer['week']}"))
    if answer.get("id") and answer.get("body"):
        links.append((str(answer.get("title")), f"/app/learn/lessons/{answer['id']}"))
    if answer.get("lessons") and answer.get("role"):
        links.append(("Your learning path", "/app/learn"))
    return links


def _feature(name: str) -> str:
    return _FEATURES.get(name, name.replace("_", " "))
