"""Where the served context comes from and how it changes: start-up load, data watch,
ingest, refresh and model reload.

Start-up returns at once (``/health`` answers) while :meth:`DataRefresher.start` loads the
data, builds the features and loads (or, on a fresh state directory, trains) the default
models in a worker thread (:func:`load_context`); ``/ready`` turns 200 when the context is in
place. A process forked from one that loaded it already (``serve --workers N``,
``api.prefork``) is given that :class:`LoadedContext` instead and serves it at once, sharing
its pages with its parent and siblings; what it loads later (a new data version, a new model)
is its own.

After an ingest — through ``POST /v1/admin/ingest``, a weekly-report job, or ``scriptohio
ingest`` in another process sharing the state directory — the watcher notices the new data
version, reloads the data, recomputes only the affected features, swaps the context (a new
generation) and then invalidates only the cache entries tagged with what changed. No restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from scriptohio.agents.changes import before_ingest, what_moved
from scriptohio.agents.context import AnalyticsContext
from scriptohio.api.change_feed import FILENAME as CHANGES_FILE
from scriptohio.api.change_feed import ChangeFeed
from scriptohio.api.context_holder import ContextHolder
from scriptohio.api.response_cache import ResponseCache
from scriptohio.api.warmup import CacheWarmer
from scriptohio.data.dataset import load_dataset
from scriptohio.data.ingest import IngestResult
from scriptohio.data.store import StateStore
from scriptohio.errors import NotFoundError, NotReadyError
from scriptohio.events import DataChanged
from scriptohio.features import FeatureStore
from scriptohio.models.registry import ModelRegistry
from scriptohio.runtime import freeze_long_lived, shorten_gil_switch_interval, tune_gc_for_latency

__all__ = ["DATA_POLL_INTERVAL_S", "ContextBuilder", "DataRefresher", "LoadedContext",
           "load_context"]

log = logging.getLogger(__name__)

DATA_POLL_INTERVAL_S = 1.0
ModelLoadObserver = Callable[[str, float], None]
#: builds a context from the data folder and the state store (tests: ``scriptohio.testing``)
ContextBuilder = Callable[[Path, StateStore], AnalyticsContext]
WeekSet = set[tuple[int, str, int]]


@dataclass(frozen=True)
class LoadedContext:
    """What start-up loads: the first context, the registry its models came from, and how
    long loading the default models took (for ``on_model_load``)."""

    context: AnalyticsContext
    registry: ModelRegistry
    model_load_s: float


def load_context(data_dir: Path, state_dir: Path, store: StateStore) -> LoadedContext:
    """Load the data, build the features, load (or, with none usable, train) the default
    models. Synchronous and thread-free, so a process may do it before it forks."""
    started = time.perf_counter()
    dataset = load_dataset(data_dir, store)
    features = FeatureStore.build(dataset)
    registry = ModelRegistry(state_dir, features)
    t = time.perf_counter()
    try:
        predictor = registry.load()
    except (NotFoundError, NotReadyError, ValueError) as exc:
        # no model yet, or one built for another feature list: models are build outputs
        from scriptohio.models.train import train

        log.warning("no usable model in %s (%s): training one now", state_dir, exc)
        train(dataset, state_dir, features=features)
        t = time.perf_counter()
        predictor = registry.load()
    model_load_s = time.perf_counter() - t
    log.info("context built in %.1f s", time.perf_counter() - started)
    return LoadedContext(_with_totals(AnalyticsContext(dataset, features, predictor)),
                         registry, model_load_s)


class DataRefresher:
    """Builds the context, watches the state store and swaps in what changed."""

    def __init__(self, holder: ContextHolder, cache: ResponseCache, warmer: CacheWarmer, *,
                 warm: bool = True,
                 on_model_load: ModelLoadObserver | None = None,
                 poll_interval_s: float = DATA_POLL_INTERVAL_S,
                 build_context: ContextBuilder | None = None,
                 preloaded: LoadedContext | None = None) -> None:
        self.holder = holder
        self.cache = cache
        self.warmer = warmer
        self.warm = warm
        # what each ingest moved (GET /v1/changes); in the state directory from start()
        self.changes = ChangeFeed()
        self.on_model_load = on_model_load
        self.poll_interval_s = poll_interval_s
        self._build = build_context
        self._preloaded = preloaded  # served by start() instead of loading (api.prefork)
        self.data_dir: Path | None = None
        self.state_dir: Path | None = None
        self.store: StateStore | None = None
        self.registry: ModelRegistry | None = None
        self._lock = asyncio.Lock()
        self._tasks: list[asyncio.Task[Any]] = []
        self._when_ready: list[Callable[[AnalyticsContext], Awaitable[None] | None]] = []

    def when_ready(self, callback: Callable[[AnalyticsContext], Awaitable[None] | None]
                   ) -> None:
        """Call ``callback(ctx)`` once the first context is served (e.g. resume jobs)."""
        self._when_ready.append(callback)

    async def start(self, data_dir: Path, state_dir: Path) -> None:
        """Open the state store and start loading in the background."""
        self.data_dir, self.state_dir = data_dir, state_dir
        self.store = StateStore(state_dir)
        self.changes.close()
        self.changes = ChangeFeed(state_dir / CHANGES_FILE)
        self._tasks.append(asyncio.create_task(self._load(), name="load"))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self.store is not None:
            self.store.close()
        self.changes.close()

    # -- start-up ---------------------------------------------------------------------------

    async def _load(self) -> None:
        try:
            preloaded, self._preloaded = self._preloaded, None
            ctx = (self._adopt_loaded(preloaded) if preloaded is not None
                   else await asyncio.to_thread(self._build_context))
            tune_gc_for_latency()  # before /ready: data and models are the long-lived heap
            shorten_gil_switch_interval()  # handlers computing in threads yield the GIL sooner
            generation = self.holder.swap(ctx)
            log.info("ready: data version %d, model %s", ctx.data_version,
                     ctx.predictor.model_version)
        except Exception as exc:  # reported by /ready; the process keeps answering /health
            self.holder.load_error = f"start-up failed: {exc}"
            log.exception("start-up failed")
            return
        self._tasks.append(asyncio.create_task(self._watch(), name="watch-data"))
        if self.warm:
            self._tasks.append(asyncio.create_task(self._warm(ctx, generation),
                                                   name="warm-cache"))
        for callback in self._when_ready:
            outcome = callback(ctx)
            if outcome is not None:
                await outcome

    async def _warm(self, ctx: AnalyticsContext, generation: int) -> None:
        await self.warmer.run(ctx, keep=self.holder.unchanged_since(generation))
        frozen = freeze_long_lived()  # the warmed cache is long-lived too
        log.info("cache warmed; %d long-lived objects out of the collector's way", frozen)

    def _build_context(self) -> AnalyticsContext:
        assert self.data_dir is not None and self.store is not None and self.state_dir
        if self._build is not None:
            return self._build(self.data_dir, self.store)
        return self._adopt_loaded(load_context(self.data_dir, self.state_dir, self.store))

    def _adopt_loaded(self, loaded: LoadedContext) -> AnalyticsContext:
        self.registry = loaded.registry
        if self.on_model_load is not None:
            self.on_model_load(loaded.context.predictor.model_version, loaded.model_load_s)
        return loaded.context

    # -- data changes -----------------------------------------------------------------------

    async def _watch(self) -> None:
        assert self.store is not None
        while True:
            await asyncio.sleep(self.poll_interval_s)
            try:
                if self.store.data_version() > self.holder.get().data_version:
                    await self.refresh_data()
            except Exception:
                log.exception("data refresh failed; serving the previous data")
            try:  # another process (a retrain, `scriptohio train`) made a new default version
                if self.registry is not None and self.registry.ready:
                    latest = await asyncio.to_thread(self.registry.latest_version)
                    if latest not in (None, self.holder.get().predictor.model_version):
                        log.info("model version %s is the new default: reloading", latest)
                        await self.reload_models()
            except Exception:
                log.exception("model reload failed; serving the previous version")

    async def ingest_text(self, games_csv: str, team_games_csv: str | None) -> IngestResult:
        """Ingest CSV text (the admin endpoint, the weekly-report workflow)."""
        from scriptohio.data.ingest import ingest_files

        assert self.store is not None
        with tempfile.TemporaryDirectory() as tmp:
            games = Path(tmp) / "games.csv"
            games.write_text(games_csv)
            team_games = None
            if team_games_csv:
                team_games = Path(tmp) / "team_games.csv"
                team_games.write_text(team_games_csv)
            # DataChanged is published once, by refresh_data, after the new data is served
            return await asyncio.to_thread(ingest_files, self.store, self.holder.get().dataset,
                                           games, team_games)

    async def refresh_data(self) -> dict[str, Any]:
        """Load the newer data version, update features incrementally, swap, invalidate."""
        async with self._lock:
            old = self.holder.get()
            assert self.store is not None and self.data_dir is not None
            events = self.store.events_since(old.data_version)
            if not events:
                return {"changed": False, "data_version": old.data_version}
            game_ids = {int(g) for ev in events
                        for g in cast("list[int]", ev.payload.get("game_ids") or [])}
            seasons = {int(s) for ev in events
                       for s in cast("list[int]", ev.payload.get("seasons") or [])}
            try:  # what the service said before: the update below changes it in place
                before = await asyncio.to_thread(before_ingest, old, game_ids, seasons)
            except Exception:  # the feed must never fail an ingest that has landed
                log.exception("data version after %d: ratings before could not be read",
                              old.data_version)
                before = None
            new_ctx, changed_weeks, teams = await asyncio.to_thread(
                self._updated_context, old, events)
            generation = self.holder.swap(new_ctx)  # before invalidating: see context_holder
            tags = {f"week:{s}:{t}:{w}" for s, t, w in changed_weeks}
            tags |= {f"team:{team}:{season}" for team, season in teams}
            tags |= {f"team:{team}" for team, _ in teams}  # answers over every season
            removed = await self.cache.invalidate_tags(tags)
            if self.warm:
                self._tasks.append(asyncio.create_task(
                    self.warmer.run(new_ctx, {w for w in changed_weeks if w[1] != "final"},
                                    keep=self.holder.unchanged_since(generation)),
                    name="rewarm-cache"))
            log.info("data version %d: %d weeks changed, %d cache entries invalidated",
                     new_ctx.data_version, len(changed_weeks), removed)
            if before is not None:
                try:
                    moved = await asyncio.to_thread(what_moved, before, new_ctx, game_ids)
                except Exception:  # the feed must never fail an ingest that has landed
                    log.exception("data version %d: what moved could not be worked out",
                                  new_ctx.data_version)
                else:
                    await asyncio.to_thread(self.changes.record, {
                        **moved, "at": time.time(),
                        "weeks": [list(w) for w in sorted(changed_weeks)]})
            return {"changed": True, "data_version": new_ctx.data_version,
                    "weeks_changed": sorted(changed_weeks), "invalidated": removed}

    def _updated_context(self, old: AnalyticsContext, events: list[Any]
                         ) -> tuple[AnalyticsContext, WeekSet, set[tuple[str, int]]]:
        assert self.store is not None and self.data_dir is not None
        if self._build is not None:  # a context built from outside: rebuilt whole
            ctx = self._build(self.data_dir, self.store)
            return ctx, {(s, "final", 0) for s in ctx.dataset.games.seasons}, set()
        dataset = load_dataset(self.data_dir, self.store)
        seasons: set[int] = set()
        weeks: WeekSet = set()
        teams: set[tuple[str, int]] = set()
        game_ids: set[int] = set()
        for ev in events:
            p = ev.payload
            seasons |= set(p.get("seasons", []))
            weeks |= {(int(s), str(t), int(w)) for s, t, w in p.get("weeks", [])}
            game_ids |= set(p.get("game_ids", []))
        for gid in game_ids:
            g = dataset.games.get(int(gid))
            if g is not None:
                teams |= {(g.home_team, g.season), (g.away_team, g.season)}
        event = DataChanged(seasons=frozenset(seasons), weeks=frozenset(weeks),
                            teams=frozenset(t for t, _ in teams),
                            game_ids=frozenset(game_ids), version=dataset.version)
        features = old.features
        changed = features.update(dataset, event)
        assert self.registry is not None
        self.registry.set_features(features)
        predictor = self.registry.load(old.predictor.model_version)
        return _with_totals(AnalyticsContext(dataset, features, predictor)), changed, teams

    async def reload_models(self) -> dict[str, Any]:
        """Hot-reload the newest model version; in-flight predictions finish on the old one.

        Under the data lock: an ingest swapping in new data meanwhile would otherwise be
        undone by this swap (or undo it), since each builds on the context it started from.
        """
        async with self._lock:
            return await self._reload_models()

    async def _reload_models(self) -> dict[str, Any]:
        old = self.holder.get()
        assert self.registry is not None
        version = await asyncio.to_thread(self.registry.reload)
        predictor = await asyncio.to_thread(self.registry.load, version)
        self.holder.swap(AnalyticsContext(old.dataset, old.features, predictor))
        removed = 0
        if predictor.model_version != old.predictor.model_version:
            removed = await self.cache.invalidate_tags({f"model:{old.predictor.model_version}"})
        return {"model_version": predictor.model_version,
                "previous": old.predictor.model_version, "invalidated": removed}


def _with_totals(ctx: AnalyticsContext) -> AnalyticsContext:
    """``ctx`` with its totals model fitted now, in the builder's thread: not by the first
    prediction request of each data version (~0.1 s on the event loop's time)."""
    _ = ctx.totals
    return ctx

