"""Two real service processes on loopback sharing one Redis (a private redis-server of the
test's own) share their state: a job accepted by one is seen, finished and served by the
other and runs once; the per-user bound holds across both; a replica killed mid-job has its
job finished by the other once the lease runs out; Redis down → submissions 503, reads say
why; an API key created and revoked through one replica's settings is known, then refused, by
the other; a lesson completed through one is in the user's progress on the other.

Waits are bounded; nothing here asserts how long anything took.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from scriptohio.testing.topology import ServeProcess
from tests.conftest import PrivateRedis
from tests.servers import free_port

LEASE_S = 2.0
FINISH_S = 600.0  # a backtest trains models on a shared 2-core host


def _replica_state(root: Path, name: str, trained: Path) -> Path:
    state = root / name
    state.mkdir()
    (state / "models").symlink_to(trained / "models", target_is_directory=True)
    return state


@contextmanager
def replicas(tmp_path: Path, trained_state: Path, redis: PrivateRedis,
             names: tuple[str, ...] = ("a", "b"), **extra: str) -> Iterator[list[ServeProcess]]:
    env = {"SCRIPTOHIO_REDIS_URL": redis.url, "SCRIPTOHIO_WARM_CACHE": "0",
           "SCRIPTOHIO_JOB_LEASE_S": f"{LEASE_S:g}", "SCRIPTOHIO_DRAIN_S": "0",
           "SCRIPTOHIO_RATE_LIMIT": "10000/minute", **extra}
    servers = [ServeProcess(_replica_state(tmp_path, n, trained_state), port=free_port(),
                            env={**env, "SCRIPTOHIO_REPLICA": n}) for n in names]
    try:
        for server in servers:
            server.start()
        for server in servers:
            server.wait_ready(300)
        yield servers
    finally:
        for server in servers:
            _kill_tree(server)


def _kill_tree(server: ServeProcess) -> None:
    """SIGKILL the replica and its process-pool workers (a host that died)."""
    if server.proc is None or server.proc.poll() is not None:
        return
    try:
        children = psutil.Process(server.proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        children = []
    server.proc.send_signal(signal.SIGKILL)
    for child in children:
        with suppress(psutil.NoSuchProcess):
            child.kill()
    server.proc.wait(timeout=30)
    psutil.wait_procs(children, timeout=30)


def _until(check: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while not (found := check()):
        assert time.monotonic() < deadline, f"not within {timeout:.0f} s: {what}"
        time.sleep(0.2)
    return found


def _job(server: ServeProcess, job_id: str) -> dict[str, Any]:
    r = httpx.get(f"{server.url}/v1/jobs/{job_id}", timeout=10)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def _ended(server: ServeProcess, job_id: str) -> dict[str, Any] | None:
    job = _job(server, job_id)
    return job if job["status"] in ("succeeded", "failed") else None


def _submit(server: ServeProcess, body: dict[str, Any], user: str) -> httpx.Response:
    return httpx.post(f"{server.url}/v1/jobs", json=body, headers={"X-User-Id": user},
                      timeout=30)


@pytest.fixture()
def redis(private_redis: PrivateRedis) -> PrivateRedis:
    return private_redis


def test_a_job_accepted_by_one_replica_is_finished_and_served_by_the_other_once(
        tmp_path: Path, trained_state: Path, redis: PrivateRedis, data_dir: Path) -> None:
    rows = (data_dir / "games.csv").read_text().splitlines()[:40]
    with replicas(tmp_path, trained_state, redis) as (a, b):
        accepted = _submit(a, {"type": "batch_predict", "csv": "\n".join(rows) + "\n"}, "ann")
        assert accepted.status_code == 202, accepted.text
        job_id = accepted.json()["id"]
        done = _until(lambda: _ended(b, job_id), FINISH_S, "batch_predict ended, seen from B")
        assert done["status"] == "succeeded", done
        assert done["attempts"] == 1 and done["result"]["csv"].count("\n") > 10
        assert _job(a, job_id) == done

        # a backtest: run by the replica that took it, its report files served by the other
        backtest = _submit(b, {"type": "backtest", "season": 2016}, "ann")
        assert backtest.status_code == 202, backtest.text
        same = _submit(a, {"type": "backtest", "season": 2016}, "bob")  # shared, not rerun
        assert same.json()["id"] == backtest.json()["id"]
        ended = _until(lambda: _ended(a, backtest.json()["id"]), FINISH_S, "backtest ended")
        assert ended["status"] == "succeeded" and ended["attempts"] == 1, ended
        for artefact in ended["result"]["artefacts"]:
            for server in (a, b):
                got = httpx.get(server.url + artefact["url"], timeout=10)
                assert got.status_code == 200 and got.content, (artefact, got.status_code)

        # the per-user bound (5 waiting or running) across both replicas
        answers = [_submit((a, b)[i % 2], {"type": "backtest", "season": 2017 + i}, "cap")
                   for i in range(6)]
        assert [r.status_code for r in answers] == [202] * 5 + [429], \
            [r.text for r in answers]
        assert "5 jobs" in answers[5].json()["detail"] and answers[5].headers["retry-after"]
        assert _submit(b, {"type": "backtest", "season": 2023}, "other").status_code == 202


@pytest.mark.parametrize("stop", ["sigkill", "sigterm"])
def test_a_replica_stopped_mid_job_has_its_job_finished_by_the_other(
        tmp_path: Path, trained_state: Path, redis: PrivateRedis, stop: str) -> None:
    """SIGKILL (a host that died): the lease runs out, then B claims the job; SIGTERM (a
    rolling restart): A's shutdown gives the job back at once."""
    with replicas(tmp_path, trained_state, redis) as (a, b):
        accepted = _submit(a, {"type": "backtest", "season": 2018}, "kim")
        assert accepted.status_code == 202, accepted.text
        job_id = accepted.json()["id"]
        _until(lambda: _job(b, job_id)["progress"] >= 0.05, FINISH_S, "A's run under way")
        if stop == "sigkill":
            _kill_tree(a)
        else:
            a.signal(signal.SIGTERM)
            assert a.wait(120) == 0
        done = _until(lambda: _ended(b, job_id), FINISH_S, "B finished A's job")
        assert done["status"] == "succeeded", done
        assert done["attempts"] == 2  # A's cut run, then B's
        for artefact in done["result"]["artefacts"]:
            assert httpx.get(b.url + artefact["url"], timeout=10).status_code == 200


def test_with_redis_down_a_submission_is_refused_503_and_reads_say_why(
        tmp_path: Path, trained_state: Path, redis: PrivateRedis, data_dir: Path) -> None:
    rows = (data_dir / "games.csv").read_text().splitlines()[:5]
    body = {"type": "batch_predict", "csv": "\n".join(rows) + "\n"}
    with replicas(tmp_path, trained_state, redis, names=("a",)) as (a,):
        job_id = _submit(a, body, "lee").json()["id"]
        _until(lambda: _ended(a, job_id), FINISH_S, "the job ended")
        redis.stop()
        for _ in range(5):  # each answer, whether the breaker is open yet or not
            refused = _submit(a, body, "lee")
            assert refused.status_code == 503, refused.text
            assert refused.headers["content-type"].startswith("application/problem+json")
            assert int(refused.headers["retry-after"]) >= 1
            assert "not accepted" in refused.json()["detail"]
        read = httpx.get(f"{a.url}/v1/jobs/{job_id}", timeout=10)
        assert read.status_code == 503 and int(read.headers["retry-after"]) >= 1
        problem = read.json()
        assert job_id in problem["detail"] and "cannot be read now" in problem["detail"]
        assert "job store" in problem["detail"]


def _keys_cli(server: ServeProcess, *args: str) -> Any:
    """``scriptohio keys ...`` with the replica's own settings (its state dir, its Redis)."""
    env = {**os.environ, **{k: v for k, v in server.env.items() if k.startswith("SCRIPTOHIO_")}}
    done = subprocess.run([sys.executable, "-m", "scriptohio.cli.main", "keys", *args],
                          env=env, capture_output=True, text=True, timeout=60, check=True)
    return json.loads(done.stdout)


def test_a_key_made_and_revoked_through_one_replica_is_known_then_refused_by_the_other(
        tmp_path: Path, trained_state: Path, redis: PrivateRedis) -> None:
    with replicas(tmp_path, trained_state, redis, SCRIPTOHIO_AUTH="keys") as (a, b):
        made = _keys_cli(a, "create", "--user", "nia", "--role", "production")
        auth = {"Authorization": f"Bearer {made['key']}"}
        url = "/v1/rankings?season=2024&limit=3"
        for server in (a, b):
            assert httpx.get(server.url + url, headers=auth, timeout=10).status_code == 200
        (listed,) = _keys_cli(b, "list")  # B's settings list the key A's made
        _keys_cli(a, "revoke", listed["id"])
        for server in (b, a):  # refused everywhere within the lookup cache's seconds
            _until(lambda s=server: httpx.get(s.url + url, headers=auth,
                                              timeout=10).status_code == 401,
                   30, f"{server.url} refuses the revoked key")


def test_lesson_progress_made_on_one_replica_is_read_on_the_other(
        tmp_path: Path, trained_state: Path, redis: PrivateRedis) -> None:
    with replicas(tmp_path, trained_state, redis) as (a, b):
        who = {"X-User-Id": "ola"}
        lessons = httpx.get(f"{a.url}/v1/learn/lessons", timeout=10).json()["lessons"]
        first = lessons[0]["id"]
        done = httpx.post(f"{a.url}/v1/learn/lessons/{first}/complete", headers=who, timeout=10)
        assert done.status_code == 200 and done.json()["newly_completed"] is True
        again = httpx.post(f"{b.url}/v1/learn/lessons/{first}/complete", headers=who, timeout=10)
        assert again.json()["newly_completed"] is False
        seen = httpx.get(f"{b.url}/v1/learn/progress", headers=who, timeout=10).json()
        assert seen["completed"] == [first]
