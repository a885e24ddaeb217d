"""The load-generating process: ``python -m scriptohio.loadtest.engine``.

Runs Locust as a library (``Environment`` + a local or master runner), records every request
in a :class:`~scriptohio.loadtest.recorder.RunRecorder`, samples active users each second,
scrapes the server's ``/metrics`` and writes the *raw* measurements as JSON. With
``workers > 0`` it is the master and starts ``workers`` copies of itself in ``--worker`` mode
on 127.0.0.1; each worker drains its recorder into Locust's ``report_to_master`` data
(every 3 s and once more when it stops) and the master merges them.

This process is gevent-patched (Locust requires it), which is why the caller runs it as a
subprocess instead of importing it.
"""

from gevent import monkey

monkey.patch_all()

# ruff: noqa: E402  -- the imports below must come after gevent's monkey-patching
import argparse
import gc
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import gevent
from locust.env import Environment
from locust.event import Events
from locust.runners import STATE_CLEANUP, STATE_STOPPED, STATE_STOPPING, Runner

from scriptohio.loadtest.locust_users import RunContext, ScheduleShape, user_classes
from scriptohio.loadtest.recorder import RunRecorder, cache_hit
from scriptohio.loadtest.retry import Attempts
from scriptohio.loadtest.scrape import ServerSample, parse_metrics
from scriptohio.loadtest.shapes import build_schedule
from scriptohio.loadtest.spec import WORKER_CONNECT_TIMEOUT_S, LoadTestSpec
from scriptohio.loadtest.targets import TargetCatalog
from scriptohio.monitor.outcomes import classify

FINAL_REPORT_TIMEOUT_S = 10.0
MAX_ENGINE_ERRORS = 20


def _context(spec: LoadTestSpec) -> RunContext:
    schedule = build_schedule(spec.scenario, scale=spec.scale, users=spec.users,
                              duration_s=spec.duration_s)
    ctx = RunContext(spec, TargetCatalog.from_games_csv(spec.games_csv),
                     generators=max(1, spec.workers + spec.remote_workers),
                     open_duration_s=schedule.total_s, retry=spec.retry_policy())
    # The catalog and Locust's set-up are long-lived: move them out of the collector's way so
    # full collections during the run (which pause every greenlet, i.e. add latency) stay short.
    gc.collect()
    gc.freeze()
    return ctx


def _environment(ctx: RunContext, recorder: RunRecorder, errors: list[str],
                 shape: ScheduleShape | None) -> Environment:
    env = Environment(user_classes=user_classes(ctx), shape_class=shape, events=Events(),
                      host=ctx.spec.host)

    def on_request(response_time: float, name: str, response: Any = None,
                   context: dict[str, Any] | None = None, exception: Any = None,
                   **_: Any) -> None:
        status = int(getattr(response, "status_code", 0) or 0)
        attempts: Attempts | None = (context or {}).get("attempts")
        if attempts is not None and attempts.retrying:
            recorder.retry(status, endpoint=name)  # a refusal the user waits out and retries
            return
        latency = response_time / 1000.0
        if attempts is not None:
            # What the user waited: from when the request was meant to go out (open model: its
            # intended time) through every attempt and wait to this answer.
            latency += attempts.sent_at - attempts.first_at
        headers = getattr(response, "headers", None)
        x_cache = headers.get("X-Cache") if headers is not None and status else None
        outcome = classify(status, name)  # the monitor's definition of a failure
        recorder.record(latency, outcome, cache=cache_hit(x_cache), endpoint=name,
                        gave_up=attempts is not None and attempts.gave_up)
        if outcome.is_failure and len(errors) < MAX_ENGINE_ERRORS:
            # The first failures, with what the server said, so a report explains itself.
            body = getattr(response, "content", b"") if status else b""
            detail = (body or b"")[:300].decode("utf-8", "replace") if status else repr(exception)
            errors.append(f"{name} {status or ''}: {detail}".strip())

    def on_user_error(user_instance: Any, exception: Exception, tb: Any) -> None:
        if len(errors) < MAX_ENGINE_ERRORS:
            errors.append(f"user error: {exception!r}")

    env.events.request.add_listener(on_request)
    env.events.user_error.add_listener(on_user_error)
    return env


def _sample_users(runner: Runner, users: list[tuple[float, int]]) -> None:
    while True:
        users.append((time.time(), runner.user_count))
        gevent.sleep(1.0)


def _scrape(spec: LoadTestSpec, samples: list[ServerSample]) -> None:
    url = spec.host.rstrip("/") + "/metrics"
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2.0) as answer:
                samples.append(parse_metrics(answer.read().decode("utf-8"), time.time()))
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return  # the server has no /metrics: nothing to scrape
        except (OSError, ValueError):
            pass  # a missed scrape is a gap in the plot, not a reason to stop the run
        gevent.sleep(spec.scrape_interval_s)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_master_or_local(spec: LoadTestSpec, spec_path: Path, out: Path) -> None:
    ctx = _context(spec)
    recorder, errors = RunRecorder(), list[str]()
    users: list[tuple[float, int]] = []
    samples: list[ServerSample] = []
    schedule = build_schedule(spec.scenario, scale=spec.scale, users=spec.users,
                              duration_s=spec.duration_s)
    shape = None if spec.arrival_rate else ScheduleShape(schedule)
    env = _environment(ctx, recorder, errors, shape)
    procs: list[subprocess.Popen[bytes]] = []
    stopped_workers: set[str] = set()
    expected = spec.workers + spec.remote_workers
    if expected > 0:
        port = spec.master_port or _free_port()
        master = env.create_master_runner(spec.master_bind_host, port)
        runner: Runner = master

        def on_worker_report(client_id: str, data: dict[str, Any]) -> None:
            if "scriptohio" in data:
                recorder.merge(data["scriptohio"])
            if data.get("scriptohio_state") in (STATE_STOPPED, STATE_STOPPING, STATE_CLEANUP):
                stopped_workers.add(client_id)

        env.events.worker_report.add_listener(on_worker_report)
        cmd = [sys.executable, "-m", "scriptohio.loadtest.engine", "--worker",
               "--master-port", str(port), "--spec", str(spec_path)]
        procs = [subprocess.Popen(cmd) for _ in range(spec.workers)]
        deadline = time.monotonic() + WORKER_CONNECT_TIMEOUT_S
        while len(master.clients.ready) < expected and time.monotonic() < deadline:
            gevent.sleep(0.1)
        if len(master.clients.ready) < expected:
            errors.append(f"only {len(master.clients.ready)}/{expected} workers connected")
    else:
        runner = env.create_local_runner()
    gevent.spawn(_sample_users, runner, users)
    if spec.scrape_metrics:
        gevent.spawn(_scrape, spec, samples)
    started = time.time()
    if shape is not None:
        runner.start_shape()
        gevent.sleep(0.5)
        deadline = time.monotonic() + schedule.total_s + 30.0
        while runner.state != STATE_STOPPED and time.monotonic() < deadline:
            gevent.sleep(0.1)
    else:
        runner.start(ctx.generators, spawn_rate=ctx.generators)
        gevent.sleep(schedule.total_s)
    ended = time.time()
    runner.stop()
    if expected:
        deadline = time.monotonic() + FINAL_REPORT_TIMEOUT_S
        while len(stopped_workers) < expected and time.monotonic() < deadline:
            gevent.sleep(0.1)
    runner.quit()
    for proc in procs:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    raw = {"spec": json.loads(spec.to_json()), "mode": "open" if spec.arrival_rate else "closed",
           "workers": expected, "started_at": started, "ended_at": ended,
           "recorder": recorder.to_wire(), "users": users,
           "server": [s.as_dict() for s in samples], "errors": errors,
           # Locust's own count, aggregated the Locust way: a cross-check of our recorder
           # (it counts every attempt: retried refusals too)
           "locust_requests": env.stats.total.num_requests}
    out.write_text(json.dumps(raw), encoding="utf-8")


def run_worker(spec: LoadTestSpec, master_host: str, master_port: int) -> None:
    ctx = _context(spec)
    recorder, errors = RunRecorder(), list[str]()
    env = _environment(ctx, recorder, errors, None)
    runner = env.create_worker_runner(master_host, master_port)

    def on_report(client_id: str, data: dict[str, Any]) -> None:
        data["scriptohio"] = recorder.drain()
        data["scriptohio_state"] = runner.state

    env.events.report_to_master.add_listener(on_report)
    assert runner.greenlet is not None
    runner.greenlet.join()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--spec", required=True, type=Path)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--worker", action="store_true")
    parser.add_argument("--master-host", default="127.0.0.1")
    parser.add_argument("--master-port", type=int, default=5557)
    args = parser.parse_args(argv)
    spec = LoadTestSpec.from_json(args.spec.read_text(encoding="utf-8"))
    if args.worker:
        run_worker(spec, args.master_host, args.master_port)
    else:
        if args.out is None:
            parser.error("--out is required unless --worker")
        run_master_or_local(spec, args.spec, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
