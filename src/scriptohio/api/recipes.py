"""How each cacheable answer is identified: a :class:`Recipe` is an agent request type, its
canonical payload, the caller's role and the tags it depends on. Shared by the routes,
``/v1/ask``, the cache warmer and the preloader, so all of them produce the same keys.

A recipe decides every role-dependent thing once, from the agent's
:class:`~scriptohio.agents.registration.AgentSpec`: the view applied to the answer, the role
label of its cache entry (roles with identical views share one), whether the agent is asked
for an explanation, and the priority it runs at.

Canonical payloads make equivalent requests share one entry: team names are resolved, default
season/week are filled in, and ``neutral`` equal to what the schedule already says is dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from scriptohio.agents.context import AnalyticsContext, WeekRef
from scriptohio.agents.registration import AGENTS, AgentSpec, View, canary_request_type
from scriptohio.api.identity import ROLE_PRIORITY

__all__ = [
    "Recipe",
    "canonical_neutral",
    "compare_recipe",
    "for_model",
    "games_recipe",
    "make_recipe",
    "matchup_recipe",
    "predict_recipe",
    "projection_recipe",
    "rankings_recipe",
    "tagged_recipe",
    "team_projection_recipe",
    "team_recipe",
    "team_tag",
    "week_tag",
]

_TEAM_FIELDS = ("home", "away", "team", "opponent")
#: answers over a team's whole history (every season) are tagged with the team alone
_ALL_SEASONS = frozenset({"streak", "head_to_head", "occasion_record"})


@dataclass(frozen=True, eq=False)
class Recipe:
    """One cacheable answer: what to compute (``kind``, ``payload``), for whom (``role``) and
    what it depends on (``tags``)."""

    kind: str
    payload: Mapping[str, Any]
    role: str
    tags: tuple[str, ...]

    @property
    def spec(self) -> AgentSpec:
        return AGENTS[self.kind]

    @property
    def view(self) -> View:
        """Shapes the agent's full answer for the role."""
        return self.spec.view

    @property
    def key_role(self) -> str:
        """The role label in the cache key: roles with identical views share it."""
        return self.spec.cache_role(self.role)

    @property
    def explain(self) -> bool:
        """Whether the agent is asked for its per-feature explanation."""
        return self.spec.explains and self.role == "data_scientist"

    @property
    def priority(self) -> int:
        """Orchestrator priority of the role (production calls are short and latency-bound)."""
        return ROLE_PRIORITY.get(self.role, 1)

    @property
    def request_type(self) -> str:
        """The orchestrator's request type: the agent's, or its canary route when the
        payload names a model version (:func:`for_model`)."""
        return canary_request_type(self.kind) if "model_version" in self.payload else self.kind

    def agent_payload(self) -> dict[str, Any]:
        """What the agent is called with: the payload, plus ``explain`` where it applies."""
        if self.spec.explains:
            return {**self.payload, "explain": self.explain}
        return dict(self.payload)

    @cached_property
    def key(self) -> str:
        """The cache key: kind, role label and the payload's items in order."""
        parts = ",".join(f"{k}={self.payload[k]}" for k in sorted(self.payload))
        return f"{self.kind}|{self.key_role}|{parts}"


def for_model(recipe: Recipe, version: str) -> Recipe:
    """``recipe`` answered by model ``version`` (a canary's candidate): the version is part
    of the payload, hence of the cache key, so the stable version's cached answer is never
    served as the candidate's or the other way round; tagged ``model:<version>``."""
    tags = tuple(t for t in recipe.tags if not t.startswith("model:"))
    return Recipe(recipe.kind, {**recipe.payload, "model_version": version}, recipe.role,
                  (*tags, f"model:{version}"))


def week_tag(ref: WeekRef) -> str:
    if ref.week is None:
        return f"week:{ref.season}:final:0"
    return f"week:{ref.season}:{ref.season_type}:{ref.week}"


def team_tag(team: str, season: int | None = None) -> str:
    """``team:<name>:<season>``, or ``team:<name>`` for answers over every season."""
    return f"team:{team}" if season is None else f"team:{team}:{season}"


def make_recipe(ctx: AnalyticsContext, kind: str, payload: Mapping[str, Any], role: str,
                tags: Iterable[str] = ()) -> Recipe:
    """A recipe tagged with ``tags`` and the current model version."""
    return Recipe(kind, dict(payload), role,
                  (*tags, f"model:{ctx.predictor.model_version}"))


def tagged_recipe(ctx: AnalyticsContext, kind: str, payload: Mapping[str, Any], role: str
                  ) -> Recipe:
    """A recipe whose tags are read off a canonical payload: its teams for its season (every
    season for streaks and head-to-head) and its point in time."""
    season = payload.get("season")
    season = ctx.current.season if season is None else int(season)
    teams = [payload[k] for k in _TEAM_FIELDS if payload.get(k)]
    teams += list(payload.get("teams") or ())
    across = kind in _ALL_SEASONS
    tags = [team_tag(t, None if across else season) for t in teams]
    week = payload.get("week") if "before_week" not in payload else payload["before_week"]
    tags.append(week_tag(WeekRef(season, week, payload.get("season_type", "regular"))))
    return make_recipe(ctx, kind, payload, role, tags)


def canonical_neutral(ctx: AnalyticsContext, home: str, away: str, ref: WeekRef,
                      neutral: bool | None) -> bool | None:
    """``None`` when ``neutral`` only repeats what the schedule knows about this game."""
    if neutral is None:
        return None
    row = ctx.features.scheduled_row(home, away, ref.season, ref.week, ref.season_type)
    if row is None:
        return neutral
    scheduled = ctx.dataset.games.cols["neutral_site"][row]
    return None if scheduled == scheduled and bool(scheduled) == neutral else neutral


def predict_recipe(ctx: AnalyticsContext, home: str, away: str, ref: WeekRef,
                   neutral: bool | None, role: str) -> Recipe:
    payload = {"home": home, "away": away, "season": ref.season, "week": ref.week,
               "neutral": canonical_neutral(ctx, home, away, ref, neutral),
               "season_type": ref.season_type}
    return make_recipe(ctx, "predict", payload, role,
                       (team_tag(home, ref.season), team_tag(away, ref.season), week_tag(ref)))


def games_recipe(ctx: AnalyticsContext, ref: WeekRef, role: str,
                 extra: Mapping[str, Any] | None = None) -> Recipe:
    """A week's slate; ``extra`` narrows it (``conference``, ``occasion``, ``named_bowl``)."""
    games = ctx.dataset.games
    rows = games.rows_for_week(ref.season, ref.week or 0, ref.season_type)
    teams = set(games.cols["home_team"][rows].tolist()) | set(
        games.cols["away_team"][rows].tolist())
    payload = {"season": ref.season, "week": ref.week, "season_type": ref.season_type,
               **(extra or {})}
    tags = (week_tag(ref), *sorted(team_tag(t, ref.season) for t in teams))
    if extra and extra.get("occasion"):  # a season's title games or CFP games, any week
        tags = (*tags, week_tag(WeekRef(ref.season, None)))
    return make_recipe(ctx, "games", payload, role, tags)


def team_recipe(ctx: AnalyticsContext, team: str, ref: WeekRef, role: str) -> Recipe:
    payload = {"team": team, "season": ref.season, "week": ref.week}
    return make_recipe(ctx, "team", payload, role, (team_tag(team, ref.season), week_tag(ref)))


def rankings_recipe(ctx: AnalyticsContext, ref: WeekRef, role: str, *, method: str,
                    conference: str | None, limit: int | None, worst: bool = False
                    ) -> Recipe:
    payload: dict[str, Any] = {"season": ref.season, "week": ref.week,
                               "season_type": ref.season_type, "method": method,
                               "conference": conference, "limit": limit}
    if worst:
        payload["worst"] = True
    return make_recipe(ctx, "rankings", payload, role, (week_tag(ref),))


def matchup_recipe(ctx: AnalyticsContext, home: str, away: str, ref: WeekRef,
                   role: str) -> Recipe:
    payload: dict[str, Any] = {"home": home, "away": away, "season": ref.season,
                               "week": ref.week}
    if ref.season_type != "regular":  # regular keys stay as they were
        payload["season_type"] = ref.season_type
    return make_recipe(ctx, "matchup", payload, role,
                       (team_tag(home, ref.season), team_tag(away, ref.season), week_tag(ref)))


def compare_recipe(ctx: AnalyticsContext, teams: tuple[str, ...], ref: WeekRef,
                   role: str) -> Recipe:
    payload: dict[str, Any] = {"teams": teams, "season": ref.season, "week": ref.week}
    return make_recipe(ctx, "compare", payload, role,
                       (week_tag(ref), *(team_tag(t, ref.season) for t in teams)))


def _projection_tags(ctx: AnalyticsContext, ref: WeekRef) -> list[str]:
    """A projection from before week W depends on the results before W (they move the
    snapshot of week W) and on the schedule of W and later: the week tags from W on (the
    season's final tag when no week is left)."""
    weeks = [w for w in ctx.dataset.games.weeks(ref.season)
             if ref.week is None or w >= ref.week]
    tags = [week_tag(WeekRef(ref.season, w)) for w in weeks]
    return tags or [week_tag(WeekRef(ref.season, None))]


def projection_recipe(ctx: AnalyticsContext, ref: WeekRef, role: str, *,
                      conference: str | None, simulations: int) -> Recipe:
    payload = {"season": ref.season, "week": ref.week, "conference": conference,
               "simulations": simulations}
    return make_recipe(ctx, "projections", payload, role,
                       dict.fromkeys(_projection_tags(ctx, ref)))


def team_projection_recipe(ctx: AnalyticsContext, team: str, ref: WeekRef, role: str, *,
                           simulations: int) -> Recipe:
    payload = {"team": team, "season": ref.season, "week": ref.week,
               "simulations": simulations}
    return make_recipe(ctx, "team_projection", payload, role,
                       dict.fromkeys([team_tag(team, ref.season), *_projection_tags(ctx, ref)]))
