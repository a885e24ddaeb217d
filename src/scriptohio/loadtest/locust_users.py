"""The Locust side of a run: persona users, the open-model generator and the shape adapter.

Importing this module imports Locust, which monkey-patches the process with gevent; only the
engine process (:mod:`scriptohio.loadtest.engine`) imports it, never the caller of
:func:`~scriptohio.loadtest.runner.run_loadtest` (a test process, the CLI, the service).

*Sessions.* Locust keeps a fixed number of user slots; a persona's session lasts a random
time within its range (times ``scale``), after which the slot becomes a *new user*: a fresh
``X-User-Id``, fresh random stream and nothing discovered yet -- "a session ends and a new user
arrives" while the shape still controls how many users are active.

*Open model.* :class:`ArrivalRateUser` does not wait for answers before sending the next
request. It computes the intended send time of request *i* as ``start + i / rate``, sleeps
until then and hands the request to a gevent pool; latency is measured from the *intended*
time (wrk2 / k6 constant-arrival-rate). When the server stalls, requests whose time has come
still count their waiting, so a stall shows as the latency users would see instead of vanishing
as it does in a closed loop (coordinated omission). When ``max_inflight`` requests are pending
the scheduler blocks, and the requests it sends late still carry their intended time.

*Refusals.* Unless the run says ``retry_after=False``, every user honours ``Retry-After`` on a
503 or 429 (:class:`~scriptohio.loadtest.retry.RetryPolicy`): it waits, sends again, and only
the final answer is the request's outcome; its latency runs from the first attempt (or the
intended time) to that answer -- what the user waited. Each refused attempt travels to the
engine's listener in an :class:`~scriptohio.loadtest.retry.Attempts` marked ``retrying``, which
counts it as a retry, not as a request.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlencode

import gevent
import gevent.pool
from locust import LoadTestShape, constant, task
from locust.contrib.fasthttp import FastHttpUser
from locust.user import User

from scriptohio.loadtest.personas import (
    DEFAULT_MAX_JOBS_PER_SESSION,
    PERSONAS,
    Discovered,
    Persona,
    RequestPlanner,
    RequestSpec,
    discover_learning,
    job_poll,
)
from scriptohio.loadtest.retry import Attempts, RetryPolicy
from scriptohio.loadtest.shapes import Schedule
from scriptohio.loadtest.spec import LoadTestSpec
from scriptohio.loadtest.targets import TargetCatalog, TargetPicker

#: Distinct X-User-Id values the open-model generator rotates through (spreads per-user limits).
DEFAULT_OPEN_USER_POOL = 1000
#: A POST after this much idle time goes out on a fresh connection. Servers close idle
#: keep-alive connections (uvicorn after 5 s); a GET that meets such a stale socket is retried
#: by the HTTP client, but a POST may not be (RFC 9110 9.2.2), so without this a long think
#: time would show up as a spurious "connection closed" failure of the service.
DEFAULT_IDLE_RECONNECT_S = 4.0
_counter = itertools.count()


@dataclass(frozen=True, slots=True)
class RunContext:
    """What every user of one engine process shares."""

    spec: LoadTestSpec
    catalog: TargetCatalog
    generators: int  # open model: generator users across all processes
    open_duration_s: float
    retry: RetryPolicy | None = None  # None: every answer is final


def _rng(ctx: RunContext, tag: str) -> random.Random:
    return random.Random(f"{ctx.spec.seed}-{os.getpid()}-{tag}-{next(_counter)}")


def _url(spec: RequestSpec) -> str:
    return f"{spec.path}?{urlencode(spec.params)}" if spec.params else spec.path


class _SendingUser(FastHttpUser):
    abstract = True
    ctx: ClassVar[RunContext]

    def send(self, spec: RequestSpec, headers: dict[str, str], *, parse: bool = False,
             intended_at: float | None = None) -> object:
        """Send ``spec``; with a retry policy, wait out and retry refusals that carry
        ``Retry-After`` (:mod:`scriptohio.loadtest.retry`). Returns the final answer's JSON
        when ``parse`` and it is a 200."""
        policy = self.ctx.retry
        now = time.perf_counter()
        attempts = Attempts(first_at=now if intended_at is None else intended_at, sent_at=now)
        while True:
            wait: float | None = None
            answer: object = None
            with self.client.request(spec.method, _url(spec), name=spec.name, headers=headers,
                                     json=spec.json, catch_response=True,
                                     context={"attempts": attempts}) as resp:
                status = resp.status_code
                if status:
                    # Any HTTP answer: our listener classifies it (429/503 are not failures);
                    # without one, Locust reports the connection error with its exception.
                    resp.success()
                    if policy is not None:
                        retry_after = resp.headers.get("Retry-After") if resp.headers else None
                        wait = policy.next_wait_s(status, retry_after, attempts.number,
                                                  self._jitter)
                        attempts.retrying = wait is not None
                        attempts.gave_up = wait is None and policy.refused(status, retry_after)
                if parse and status == 200 and resp.content:
                    try:
                        answer = json.loads(resp.content)
                    except ValueError:
                        answer = None
            if wait is None:
                return answer
            if spec.method == "POST" and wait > DEFAULT_IDLE_RECONNECT_S:
                self.client.client.close()  # as after a think time: no stale socket for a POST
            gevent.sleep(wait)
            attempts.number += 1
            attempts.retrying = False
            attempts.sent_at = time.perf_counter()

    @property
    def _jitter(self) -> random.Random:
        rng: random.Random | None = getattr(self, "_jitter_rng", None)
        if rng is None:
            rng = self._jitter_rng = _rng(self.ctx, "retry")
        return rng


class PersonaUser(_SendingUser):
    """A closed-model user of one persona: act, think, act... and new user after the session."""

    abstract = True
    persona: ClassVar[Persona]

    def on_start(self) -> None:
        self._new_session()

    def _new_session(self) -> None:
        self.rng = _rng(self.ctx, self.persona.name)
        self.user_id = f"lt-{self.persona.name}-{uuid.UUID(int=self.rng.getrandbits(128)).hex[:12]}"
        lo, hi = self.persona.session_s
        self.session_ends = time.monotonic() + self.rng.uniform(lo, hi) * self.ctx.spec.scale
        self.found = Discovered()
        self.planner = RequestPlanner(TargetPicker(self.ctx.catalog, self.rng), self.rng)
        self.headers = {"X-User-Id": self.user_id, "X-Role": self.persona.role}
        self.last_sent = time.monotonic()
        self.jobs_sent = 0

    def wait_time(self) -> float:
        if time.monotonic() >= self.session_ends:
            self._new_session()
        lo, hi = self.persona.think_s
        return self.rng.uniform(lo, hi) * self.ctx.spec.think_scale

    @task
    def act(self) -> None:
        action = self.planner.choose_action(self.persona)
        if action.startswith("job_"):
            if self.jobs_sent >= DEFAULT_MAX_JOBS_PER_SESSION:
                action = "predict"  # jobs are rare: one per session at most
            self.jobs_sent += 1
        spec = self.planner.plan(action, self.found)
        learning = spec.path == "/v1/learn/path"
        is_job = spec.method == "POST" and spec.path == "/v1/jobs"
        if spec.method == "POST" and time.monotonic() - self.last_sent > DEFAULT_IDLE_RECONNECT_S:
            self.client.client.close()  # only this user's pool: the next request reconnects
        self.last_sent = time.monotonic()
        answer = self.send(spec, self.headers, parse=learning or is_job)
        if learning:
            discover_learning(answer, self.found)
        if is_job and (poll := job_poll(answer)) is not None:
            self.send(poll, self.headers)


class ArrivalRateUser(_SendingUser):
    """Open-model generator: its share of the arrival rate, on a fixed schedule."""

    abstract = True
    wait_time = constant(0)

    @task
    def generate(self) -> None:
        ctx = self.ctx
        rate = (ctx.spec.arrival_rate or 1.0) / max(1, ctx.generators)
        rng = _rng(ctx, "open")
        planner = RequestPlanner(TargetPicker(ctx.catalog, rng), rng)
        weights = [p.weight for p in PERSONAS]
        pool = gevent.pool.Pool(ctx.spec.max_inflight)
        start = time.perf_counter()
        for i in itertools.count():
            intended = start + i / rate
            if intended - start >= ctx.open_duration_s:
                break
            delay = intended - time.perf_counter()
            if delay > 0:
                gevent.sleep(delay)
            persona = rng.choices(PERSONAS, weights=weights)[0]
            spec = planner.plan(planner.choose_action(persona))
            headers = {"X-User-Id": f"lt-open-{rng.randrange(DEFAULT_OPEN_USER_POOL)}",
                       "X-Role": persona.role}
            pool.spawn(self.send, spec, headers, intended_at=intended)
        pool.join(timeout=ctx.spec.request_timeout_s)
        gevent.sleep(ctx.open_duration_s + ctx.spec.request_timeout_s)  # idle until stopped


def user_classes(ctx: RunContext) -> list[type[User]]:
    """Concrete user classes bound to ``ctx`` (same names in master and workers)."""
    if ctx.spec.arrival_rate:
        attrs: dict[str, Any] = {"ctx": ctx, "host": ctx.spec.host, "abstract": False,
                                 "concurrency": ctx.spec.max_inflight,
                                 "network_timeout": ctx.spec.request_timeout_s,
                                 "connection_timeout": ctx.spec.request_timeout_s}
        return [type("OpenModelGenerator", (ArrivalRateUser,), attrs)]
    classes: list[type[User]] = []
    for persona in PERSONAS:
        name = "".join(part.title() for part in persona.name.split("_")) + "User"
        classes.append(type(name, (PersonaUser,), {
            "ctx": ctx, "persona": persona, "weight": persona.weight, "host": ctx.spec.host,
            "abstract": False, "network_timeout": ctx.spec.request_timeout_s,
            "connection_timeout": ctx.spec.request_timeout_s}))
    return classes


class ScheduleShape(LoadTestShape):
    """Locust ``LoadTestShape`` over a pure :class:`~scriptohio.loadtest.shapes.Schedule`.

    The clock is injected so the shape can be driven by a fake clock in tests.
    """

    def __init__(self, schedule: Schedule, clock: Callable[[], float] = time.perf_counter):
        self._clock = clock
        self._schedule = schedule
        super().__init__()
        self.start_time = clock()

    def reset_time(self) -> None:
        self.start_time = self._clock()

    def get_run_time(self) -> float:
        return self._clock() - self.start_time

    def tick(self) -> tuple[int, float] | None:
        return self._schedule.tick(self.get_run_time())
