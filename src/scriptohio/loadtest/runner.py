"""``run_loadtest``: one call from a spec to graded, reported results.

The Locust engine runs in a child process (it needs gevent's monkey-patching, which must not
leak into the caller); this module writes the spec, starts the engine (optionally after
starting the service itself), reads back the raw measurements and derives the result, the
grade and the reports.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from scriptohio.errors import ServiceError, ValidationError
from scriptohio.loadtest.report import write_reports
from scriptohio.loadtest.results import RunResult, build_result
from scriptohio.loadtest.server import DEFAULT_STARTUP_TIMEOUT_S, SpawnedServer
from scriptohio.loadtest.shapes import build_schedule
from scriptohio.loadtest.spec import (
    DEFAULT_MASTER_PORT,
    WORKER_CONNECT_TIMEOUT_S,
    LoadTestSpec,
    default_games_csv,
)

#: Extra seconds the engine may take beyond the schedule (start-up, worker connection, drain).
ENGINE_GRACE_S = 120.0


def worker_command(spec: LoadTestSpec, spec_path: str | Path) -> str:
    """The command a remote worker runs to join the master of ``spec``."""
    master = spec.master_bind_host
    if master in ("0.0.0.0", "::", ""):
        master = "MASTER_ADDRESS"
    return (f"scriptohio loadtest worker --master-host {master} "
            f"--master-port {spec.master_port} --spec {spec_path}")


def run_spec(spec: LoadTestSpec, *, report_dir: str | Path | None = None,
             worker_spec_path: str | Path | None = None) -> RunResult:
    """Run the engine for ``spec`` against ``spec.host`` and return the graded result.

    With remote workers the spec is also written to ``worker_spec_path`` (default
    ``worker-spec.json`` in ``report_dir``, else in the current directory) and the command
    each worker must run is printed on stderr before the master starts waiting for them."""
    schedule = build_schedule(spec.scenario, scale=spec.scale, users=spec.users,
                              duration_s=spec.duration_s)  # validates before starting anything
    if spec.remote_workers:
        if spec.master_port is None:  # the workers must know it before the run
            spec = replace(spec, master_port=DEFAULT_MASTER_PORT)
        shared = Path(worker_spec_path or Path(report_dir or ".") / "worker-spec.json")
        shared.parent.mkdir(parents=True, exist_ok=True)
        shared.write_text(spec.to_json(), encoding="utf-8")
        print(f"waiting up to {WORKER_CONNECT_TIMEOUT_S:.0f} s for {spec.remote_workers} remote "
              f"worker(s); on each worker host (copy {shared} there first):\n"
              f"  {worker_command(spec, shared)}", file=sys.stderr, flush=True)
    with tempfile.TemporaryDirectory(prefix="scriptohio-loadtest-") as tmp:
        spec_path, out_path = Path(tmp) / "spec.json", Path(tmp) / "raw.json"
        spec_path.write_text(spec.to_json(), encoding="utf-8")
        cmd = [sys.executable, "-m", "scriptohio.loadtest.engine",
               "--spec", str(spec_path), "--out", str(out_path)]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True,
                                  timeout=schedule.total_s + ENGINE_GRACE_S, check=False)
        except subprocess.TimeoutExpired as exc:
            raise ServiceError(f"load-test engine did not finish: {exc}") from exc
        if done.returncode != 0 or not out_path.is_file():
            raise ServiceError(f"load-test engine failed ({done.returncode}): "
                               f"{done.stderr[-3000:]}")
        raw = json.loads(out_path.read_text(encoding="utf-8"))
    result = build_result(raw)
    if report_dir is not None:
        result.report_files = write_reports(result, Path(report_dir))
    return result


def run_loadtest(
    host: str | None,
    scenario: str = "normal",
    users: int | None = None,
    duration: float | None = None,
    report_dir: str | Path | None = None,
    workers: int = 0,
    spawn_server: bool = False,
    arrival_rate: float | None = None,
    *,
    scale: float = 1.0,
    think_scale: float = 1.0,
    server_command: Sequence[str] | None = None,
    server_env: dict[str, str] | None = None,
    startup_timeout_s: float = DEFAULT_STARTUP_TIMEOUT_S,
    games_csv: str | None = None,
    seed: int | None = None,
    scrape_metrics: bool = True,
    remote_workers: int = 0,
    master_bind_host: str = "127.0.0.1",
    master_port: int | None = None,
    worker_spec_path: str | Path | None = None,
    retry_after: bool = True,
) -> RunResult:
    """Run a load test and return its graded result (``result.passed`` is the CI gate).

    ``duration`` (seconds) compresses or stretches the scenario; otherwise ``scale``
    multiplies its nominal durations. With ``spawn_server`` the service is started on a
    free port first (``server_command`` overrides ``scriptohio serve``; ``{port}`` is
    substituted) and ``host`` may be None. ``arrival_rate`` (requests/s) selects the open model.
    ``remote_workers`` are workers started by hand elsewhere (see docs/loadtest.md); the master
    then binds ``master_bind_host:master_port`` (port 5557 unless given) and waits for them;
    they read the spec written to ``worker_spec_path`` (see :func:`run_spec`).
    ``retry_after``: users wait out and retry 503/429 refusals that carry ``Retry-After``
    (:mod:`scriptohio.loadtest.retry`); False takes every answer as final.
    """
    if workers < 0:
        raise ValidationError(f"workers must be >= 0, got {workers}")
    if remote_workers < 0:
        raise ValidationError(f"remote workers must be >= 0, got {remote_workers}")
    if master_port is not None and not 0 < master_port < 65536:
        raise ValidationError(f"master port must be in 1-65535, got {master_port}")
    if arrival_rate is not None and arrival_rate <= 0:
        raise ValidationError(f"arrival rate must be > 0 requests/s, got {arrival_rate}")
    if not spawn_server and not host:
        raise ValidationError("a host URL is required unless the server is spawned")
    base = LoadTestSpec(host=host or "", scenario=scenario, users=users, scale=scale,
                        think_scale=think_scale, duration_s=duration, arrival_rate=arrival_rate,
                        workers=workers, games_csv=games_csv or default_games_csv(),
                        scrape_metrics=scrape_metrics, remote_workers=remote_workers,
                        master_bind_host=master_bind_host, master_port=master_port,
                        retry_after=retry_after)
    if seed is not None:
        base = replace(base, seed=seed)
    if not spawn_server:
        return run_spec(base, report_dir=report_dir, worker_spec_path=worker_spec_path)
    with SpawnedServer(server_command, startup_timeout_s=startup_timeout_s,
                       env=server_env) as server:
        return run_spec(replace(base, host=server.url), report_dir=report_dir,
                        worker_spec_path=worker_spec_path)
