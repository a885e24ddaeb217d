"""Cache warming: the answers users are most likely to ask for are computed ahead of time.

The set of scheduled games is finite and predictions are cheap in bulk (one vectorised model
call per week), so the warmer precomputes, season by season (the current one first, its next
slate first of all, then history newest first): every game's prediction in every role (and the
explicit ``neutral=false`` variant where the schedule does not know the site), each week's
slate, each FBS game's matchup, the season's rankings by every method and every FBS team's
profile. It runs in the background after start-up and again for the weeks an ingest changed;
the work runs in a worker thread one week at a time, yields to requests between chunks and
pauses while the service is half saturated, so it does not compete with users.

Warmed answers are stored compressed (zstd, encoded in the worker thread), straight into
the local L2 tier: most are never asked for, and a compressed answer costs about a third of
its JSON. The first read promotes it to L1 (``X-Cache: hit-l2``, then ``hit-l1``).

With the shared Redis tier on, several processes (``serve --workers``, or several hosts)
split the work instead of each doing all of it: before a week (or a season's insight
answers) each warmer claims it in Redis (``SET NX``, for the answers' TTL); the winner
computes it and writes it through to Redis with an index of its keys, the others skip it
and copy those answers, still compressed, from the shared tier into their own L2 once the
index is there (a replica joining a warmed deployment copies everything and computes
nothing; workers started together copy each other's units as they finish, waiting at most
``pull_wait_s``). Anything not copied is found in the shared tier on first use. If Redis is
down every process warms alone.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

import numpy as np
import orjson

from scriptohio.agents import predict as predict_agent
from scriptohio.agents.context import AnalyticsContext, WeekRef
from scriptohio.agents.insight.ratings import METHODS
from scriptohio.agents.views import ROLES
from scriptohio.api.recipes import (
    Recipe,
    games_recipe,
    matchup_recipe,
    predict_recipe,
    rankings_recipe,
    team_recipe,
)
from scriptohio.api.response_cache import ResponseCache
from scriptohio.cache.compression import Compressor
from scriptohio.config import DEFAULT_WARM_FIRST_SEASON
from scriptohio.models import PredictionRequest

__all__ = ["WARM_PRIORITY", "CacheWarmer"]

log = logging.getLogger(__name__)

WARM_PRIORITY = 1
#: how long warming waits for units other processes claimed, to copy them when they finish
DEFAULT_PULL_WAIT_S = 120.0
PULL_RETRY_S = 1.0
#: one representative role per distinct view of the generic (insight) answers
GENERIC_ROLES = ("casual", "production")
WeekKey = tuple[int, str, int]
Encoded = list[tuple[Recipe, bytes]]
class CacheWarmer:
    """Precomputes likely answers into ``cache``, pausing while ``saturated()``."""

    def __init__(self, cache: ResponseCache, *, saturated: Callable[[], bool] = lambda: False,
                 first_season: int = DEFAULT_WARM_FIRST_SEASON,
                 pull_wait_s: float = DEFAULT_PULL_WAIT_S) -> None:
        self.cache = cache
        self.saturated = saturated
        self.first_season = first_season
        self.pull_wait_s = pull_wait_s
        self.entries = 0
        self.units = 0  # weeks and seasons' insight answers warmed here
        self.skipped = 0  # units another process claimed (shared tier on)
        self.pulled = 0  # answers of those units copied from the shared tier
        self.seconds = 0.0
        self.done = asyncio.Event()
        # encodes in the worker thread only (zstd contexts are not thread-safe); portable,
        # so the same bytes go to L2 and to the shared tier
        self._compressor = Compressor()

    async def run(self, ctx: AnalyticsContext, weeks: Iterable[WeekKey] | None = None, *,
                  keep: Callable[[], bool] = lambda: True) -> int:
        """Warm ``weeks`` (default: every season from ``first_season``); returns entries put.

        Stops as soon as ``keep()`` is false: the context it computes from is no longer the
        one served, and a warmer for the new one has its own run.
        """
        started = time.perf_counter()
        before = self.entries
        elsewhere: list[str] = []  # units other processes claimed, not copied yet
        try:
            for season, keys in self._plan(ctx, weeks):
                units: list[tuple[WeekKey, Callable[[], Encoded]]] = [
                    (key, partial(self._encode_week, ctx, WeekRef(key[0], key[2], key[1])))
                    for key in keys]
                units.append(((season, "insight", 0),
                              partial(self._encode_season, ctx, season, keys)))
                for unit, encode in units:
                    name = _unit_name(ctx, unit)
                    if await self._claim(name):
                        if not await self._warm(encode, keep, name):
                            return self._finish(started, before)
                    elif not await self._pull(name, keep):
                        elsewhere.append(name)
                    if not keep():
                        return self._finish(started, before)
            await self._pull_remaining(elsewhere, keep)
        except asyncio.CancelledError:
            raise
        except Exception:  # warming is an optimisation: never let it take the service down
            log.exception("cache warming stopped early")
        return self._finish(started, before)

    def _finish(self, started: float, before: int) -> int:
        self.seconds += time.perf_counter() - started
        self.done.set()
        log.info("cache warming: %d entries in %.1f s (%d units left to other processes, "
                 "%d of their answers copied)", self.entries - before,
                 time.perf_counter() - started, self.skipped, self.pulled)
        return self.entries - before

    def _plan(self, ctx: AnalyticsContext, weeks: Iterable[WeekKey] | None
              ) -> list[tuple[int, list[WeekKey]]]:
        games = ctx.dataset.games
        keys = [k for k in games.week_keys() if k[0] >= self.first_season]
        if weeks is not None:
            wanted = set(weeks)
            keys = [k for k in keys if k in wanted or (k[0], "final", 0) in wanted]
        now = ctx.current
        by_season: dict[int, list[WeekKey]] = {}
        for key in sorted(keys, key=lambda k: (k != (now.season, "regular", now.week), *k)):
            by_season.setdefault(key[0], []).append(key)
        return sorted(by_season.items(), key=lambda kv: (kv[0] != now.season, -kv[0]))

    async def _claim(self, name: str) -> bool:
        """Should this process warm unit ``name``? Always, without a shared tier."""
        shared = self.cache.shared
        if shared is None:
            self.units += 1
            return True
        if await shared.claim(name, self.cache.ttl_s, owner=self.cache.origin):
            self.units += 1
            return True
        self.skipped += 1
        return False

    async def _warm(self, encode: Callable[[], Encoded], keep: Callable[[], bool],
                    name: str) -> bool:
        """Compute one unit and store it; False (nothing stored) once ``keep()`` fails."""
        while self.saturated():
            await asyncio.sleep(0.5)
        started = time.perf_counter()
        encoded = await asyncio.to_thread(self._compressed, encode)
        if not keep():
            return False
        cost = (time.perf_counter() - started) / max(1, len(encoded))
        self.cache.put_stored_many(encoded, priority=WARM_PRIORITY, cost=cost)
        await self.cache.share_stored(encoded, priority=WARM_PRIORITY, cost=cost, index=name)
        self.entries += len(encoded)
        await asyncio.sleep(0)
        return True

    def _compressed(self, encode: Callable[[], Encoded]) -> Encoded:
        """``encode()``'s answers in the stored form (in the worker thread)."""
        pack = self._compressor.encode
        return [(recipe, pack(body, portable=True)) for recipe, body in encode()]

    async def _pull(self, name: str, keep: Callable[[], bool]) -> bool:
        """Copy unit ``name``, warmed elsewhere, from the shared tier; False if its index is
        not there yet."""
        while self.saturated():
            await asyncio.sleep(0.5)
        pulled = await self.cache.pull(name)
        if pulled is None or not keep():
            return False
        self.pulled += pulled
        return True

    async def _pull_remaining(self, names: list[str], keep: Callable[[], bool]) -> None:
        """Copy the units other processes were still warming, as they finish, for at most
        ``pull_wait_s``; what is left is read from the shared tier on first use."""
        deadline = time.monotonic() + self.pull_wait_s
        while names and keep() and time.monotonic() < deadline:
            await asyncio.sleep(PULL_RETRY_S)
            names = [name for name in names if not await self._pull(name, keep)]

    def _encode_week(self, ctx: AnalyticsContext, ref: WeekRef) -> Encoded:
        """Every game of the week in every role (as scheduled, and ``neutral=false`` where the
        site is unknown), the week's slate in every role, and each FBS game's matchup."""
        games = ctx.dataset.games
        rows = games.rows_for_week(ref.season, ref.week or 0, ref.season_type)
        if not len(rows):
            return []
        c = games.cols
        homes, aways = c["home_team"][rows].tolist(), c["away_team"][rows].tolist()
        unknown = np.isnan(c["neutral_site"][rows]).tolist()
        variants: list[tuple[str, str, bool | None]] = [
            (h, a, None) for h, a in zip(homes, aways, strict=True)]
        variants += [(h, a, False) for h, a, u in zip(homes, aways, unknown, strict=True) if u]
        requests = [PredictionRequest(h, a, ref.season, ref.week, n, ref.season_type, True)
                    for h, a, n in variants]
        bodies = predict_agent.predict_many(ctx, requests, explain=True)
        out: Encoded = []
        for (home, away, neutral), body in zip(variants, bodies, strict=True):
            for role in ROLES:
                recipe = predict_recipe(ctx, home, away, ref, neutral, role)
                if recipe.payload["neutral"] == neutral:  # else: the as-scheduled entry
                    out.append((recipe, _encode(recipe.view(_for(body, recipe), role))))
        slate = predict_agent.week_games(ctx, season=ref.season, week=ref.week,
                                         season_type=ref.season_type, explain=True)
        for role in ROLES:
            recipe = games_recipe(ctx, ref, role)
            out.append((recipe, _encode(recipe.view(slate, role))))
        fbs = ctx.dataset.fbs_teams_by_season.get(ref.season, frozenset())
        recipes = [matchup_recipe(ctx, h, a, ref, role)
                   for h, a in zip(homes, aways, strict=True) if h in fbs and a in fbs
                   for role in GENERIC_ROLES]
        out += _encode_generic(ctx, recipes)
        return out

    def _encode_season(self, ctx: AnalyticsContext, season: int, keys: list[WeekKey]
                       ) -> Encoded:
        """Rankings (every method, before each regular week and at the end) and every FBS
        team's end-of-season profile."""
        refs = [WeekRef(season, None)] + [WeekRef(s, w, t) for s, t, w in keys
                                          if t == "regular"]
        recipes = [rankings_recipe(ctx, ref, "casual", method=m, conference=None, limit=None)
                   for ref in refs for m in METHODS]
        teams = sorted(ctx.dataset.fbs_teams_by_season.get(season, frozenset()))
        recipes += [team_recipe(ctx, team, WeekRef(season, None), role)
                    for team in teams for role in GENERIC_ROLES]
        return _encode_generic(ctx, recipes)


def _encode_generic(ctx: AnalyticsContext, recipes: list[Recipe]) -> Encoded:
    """Insight answers: computed once per payload, encoded once per distinct view."""
    results: dict[tuple[str, str], dict[str, Any]] = {}
    out: Encoded = []
    for recipe in recipes:
        ident = (recipe.kind, repr(sorted(recipe.payload.items())))
        try:
            if ident not in results:
                results[ident] = recipe.spec.run(ctx, **recipe.agent_payload())
        except Exception:  # e.g. a team without ratings that season: left to load on demand
            continue
        out.append((recipe, _encode(recipe.view(results[ident], recipe.role))))
    return out


def _unit_name(ctx: AnalyticsContext, unit: WeekKey) -> str:
    """The shared tier's name of one unit of warming, for its claim and its index."""
    return (f"warm:{ctx.data_version}:{ctx.predictor.model_version}:"
            f"{unit[0]}:{unit[1]}:{unit[2]}")


def _for(body: dict[str, Any], recipe: Recipe) -> dict[str, Any]:
    """A prediction computed with its explanation, as ``recipe`` would have it computed."""
    if recipe.explain or "explanation" not in body:
        return body
    return {k: v for k, v in body.items() if k != "explanation"}


def _encode(body: dict[str, Any]) -> bytes:
    return orjson.dumps(body, option=orjson.OPT_SERIALIZE_NUMPY)
