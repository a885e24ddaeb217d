"""The weekly cycle in the service: ``SCRIPTOHIO_REFRESH`` pulls from CFBD on a schedule.

Every interval: decide what is due (:func:`~scriptohio.data.cfbd.schedule.due_request`: weeks
with results missing, the latest week for corrections, the coming week's lines), pull it through
ingest in a worker thread, then have the :class:`~scriptohio.api.refresher.DataRefresher` swap the
new data in and invalidate only what changed (hot reload, no restart). Each outcome is emitted
on the bus (:class:`~scriptohio.events.DataPulled` / :class:`~scriptohio.events.DataPullFailed`);
the monitor turns them into ``scriptohio_data_pull_*`` series on ``/metrics``. A failed pull
wrote nothing, is logged once, and the next interval tries again.

When a pull completes a week's results that the served model has not seen
(:func:`~scriptohio.data.completeness.retrain_due`), the models are retrained on everything
now known, in a worker thread (the service keeps answering on the old version), stored as a new
registry version and hot-reloaded (answers of the old version invalidated by their
``model:`` tag); :class:`~scriptohio.events.ModelRetrained` says how it went
(``scriptohio_model_retrains_total`` on ``/metrics``). A failed retrain keeps the old model.
With ``start_canary`` (the service's canary control), the new version is not made the default
but starts a canary (:mod:`scriptohio.models.canary`): a sticky share of prediction traffic,
promoted or rolled back on the live comparison; no retrain starts while a canary runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from scriptohio.api.refresher import DataRefresher
from scriptohio.data.cfbd import CfbdClient, PullRequest, PullResult, ValidatorStore, pull
from scriptohio.data.cfbd.schedule import due_request
from scriptohio.data.completeness import retrain_due
from scriptohio.data.dataset import load_dataset
from scriptohio.errors import ScriptOhioError
from scriptohio.events import DataPulled, DataPullFailed, ModelRetrained

__all__ = ["PullSchedule", "ScheduledPull"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PullSchedule:
    interval_s: float
    api_key: str = field(repr=False)
    base_url: str
    timeout_s: float = 30.0
    retrain: bool = True  # retrain when a pull completes a week the model has not seen


class ScheduledPull:
    """Runs :meth:`run_once` now and then every ``schedule.interval_s``."""

    def __init__(self, refresher: DataRefresher, schedule: PullSchedule, *,
                 emit: Callable[[object], None],
                 clock: Callable[[], float] = time.time,
                 start_canary: Callable[[str], object] | None = None,
                 canary_running: Callable[[], bool] = lambda: False) -> None:
        self.refresher = refresher
        self._start_canary = start_canary
        self._canary_running = canary_running
        self.schedule = schedule
        self._emit = emit
        self._clock = clock
        self._task: asyncio.Task[None] | None = None
        #: the complete week a retrain was last tried for: not again for the same week (a
        #: canary of it rolled back, or a failure, would otherwise repeat at every pull)
        self._retrained_for: tuple[int, int] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._loop(),
                                                                name="scheduled-pull")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        while True:
            await self.run_once()
            await asyncio.sleep(self.schedule.interval_s)

    async def run_once(self) -> PullResult | None:
        """One pull of what is due; never raises (the outcome is emitted)."""
        started = self._clock()
        next_at = started + self.schedule.interval_s
        source = self.schedule.base_url
        try:
            dataset = self.refresher.holder.get().dataset
            request = due_request(dataset.games, started)
            if request is None:
                self._emit(DataPulled(source, {}, 0.0, started, next_at, due=False))
                return None
            result = await asyncio.to_thread(self._pull, request)
        except ScriptOhioError as exc:
            log.warning("scheduled pull failed (next in %.0f s): %s",
                        self.schedule.interval_s, exc)
            self._emit(DataPullFailed(source, str(exc), started, next_at))
            return None
        except Exception as exc:  # a bug must not stop the schedule: counted and logged
            log.exception("scheduled pull crashed (next in %.0f s)", self.schedule.interval_s)
            self._emit(DataPullFailed(source, type(exc).__name__, started, next_at))
            return None
        ingest = result.ingest
        changed = {} if ingest is None else {
            "games": ingest.games_new + ingest.games_updated,
            "team_games": ingest.team_games_new + ingest.team_games_updated,
            "lines": ingest.lines_new + ingest.lines_updated}
        if result.changed:
            await self.refresher.refresh_data()
        log.info("scheduled pull %s: %s", result.request.describe(), changed or "nothing")
        self._emit(DataPulled(source, changed, result.seconds, started, next_at))
        if result.changed and self.schedule.retrain:
            await self.retrain_if_due()
        return result

    async def retrain_if_due(self) -> ModelRetrained | None:
        """Retrain and hot-reload when the served data completes a week the model has not
        seen; never raises (the outcome is emitted)."""
        registry, store = self.refresher.registry, self.refresher.store
        if registry is None or store is None:
            return None
        ctx = self.refresher.holder.get()
        previous = ctx.predictor.model_version
        through = retrain_due(ctx.dataset.games,
                              registry.metadata(previous).get("complete_through"))
        if through is None or through == self._retrained_for:
            return None
        if self._canary_running():
            log.info("retrain on %s week %s waits: a canary is running", *through)
            return None
        from scriptohio.models.train import train

        as_canary = self._start_canary is not None
        self._retrained_for = through
        started = time.perf_counter()
        try:
            # a fresh feature build: the served store is updated in place by later ingests
            trained = await asyncio.to_thread(train, ctx.dataset, store.path.parent,
                                              make_default=not as_canary)
            if self._start_canary is not None:
                await asyncio.to_thread(self._start_canary, trained.version)
                how = "starts as a canary"
            else:
                reloaded = await self.refresher.reload_models()
                how = f"serves now, {reloaded['invalidated']} answers invalidated"
        except Exception as exc:  # the old model keeps serving
            log.exception("retrain on %s week %s failed; still serving %s",
                          through[0], through[1], previous)
            event = ModelRetrained(through, None, previous, time.perf_counter() - started,
                                   self._clock(), error=type(exc).__name__)
        else:
            log.info("retrained on %s week %s: %s %s (was %s)", through[0], through[1],
                     trained.version, how, previous)
            event = ModelRetrained(through, trained.version, previous,
                                   time.perf_counter() - started, self._clock(),
                                   canary=as_canary)
        self._emit(event)
        return event

    def _pull(self, request: PullRequest) -> PullResult:
        store, data_dir = self.refresher.store, self.refresher.data_dir
        assert store is not None and data_dir is not None, "the refresher has not started"
        # the newest view (another process may have ingested since the served one was built)
        dataset = load_dataset(data_dir, store)
        validators = ValidatorStore.in_state_dir(store.path.parent)
        client = CfbdClient(api_key=self.schedule.api_key, base_url=self.schedule.base_url,
                            timeout_s=self.schedule.timeout_s, validators=validators)
        try:
            return pull(client, store, dataset, request)
        finally:
            client.close()
            validators.close()
