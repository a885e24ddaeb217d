"""Replicas behind HAProxy, with network namespaces as hosts (``scriptohio.testing.topology``).

One topology for the module: an lb host (its own Redis and HAProxy), two service hosts, one
driver host. Every check is a count of answers from a bounded closed loop, never a speed: all
replicas serve; a rolling restart under load loses nothing; a replica killed mid-load costs at
most the requests it held and is taken out, then back in once restarted; with Redis killed the
replicas keep answering.
"""

from __future__ import annotations

import os
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scriptohio.testing.topology import Topology, TopologyConfig
from tests.conftest import IN_CI

PATHS = tuple(f"/v1/teams/{team}" for team in ("Ohio%20State", "Michigan", "Alabama",
                                               "Georgia", "Texas", "Oregon"))
CONCURRENCY = 4


def _missing() -> str | None:
    if os.geteuid() != 0:
        return "network namespaces need root"
    for tool in ("ip", "haproxy", "redis-server", "redis-cli"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    return None


@pytest.fixture(scope="module")
def topo(trained_state: Path, data_dir: Path) -> Iterator[Topology]:
    missing = _missing()
    if missing:
        if IN_CI:
            pytest.fail(f"the topology tests need it: {missing}")
        pytest.skip(missing)
    with Topology(TopologyConfig(replicas=2, data_dir=str(data_dir),
                                 models_from=trained_state)) as topology:
        yield topology


def _load(topo: Topology, stop: Path, **kwargs: Any) -> Any:
    return topo.drive(paths=PATHS, concurrency=CONCURRENCY, max_requests=1_000_000,
                      max_seconds=300, stop_file=stop, **kwargs)


def test_every_replica_serves(topo: Topology) -> None:
    result = topo.drive(paths=PATHS, concurrency=CONCURRENCY, max_requests=300).result()
    assert result["failed"] == 0, result
    assert set(result["served_by"]) == {"s1", "s2"}, result


def test_rolling_restart_under_load_loses_no_request(topo: Topology, tmp_path: Path) -> None:
    stop = tmp_path / "stop"
    run = _load(topo, stop)
    for i, replica in enumerate(list(topo.replicas)):
        replica.signal(signal.SIGTERM)
        assert replica.wait(timeout_s=60) == 0, replica.log()[-2000:]
        topo.restart(i)
        topo.wait_servers_up(2)  # back in rotation before the next one goes
    stop.touch()
    result = run.result()
    print("rolling restart:", {k: result[k] for k in ("sent", "failed", "served_by")})
    assert set(result["served_by"]) == {"s1", "s2"}, result
    assert result["sent"] > 0 and result["failed"] == 0, result


def test_killed_replica_is_taken_out_then_back(topo: Topology, tmp_path: Path) -> None:
    stop = tmp_path / "stop"
    run = _load(topo, stop)
    topo.replicas[1].signal(signal.SIGKILL)
    topo.replicas[1].wait()
    topo.wait_server_state("s2", "DOWN")
    after = topo.drive(paths=PATHS, concurrency=2, max_requests=60).result()
    assert after["failed"] == 0 and "s2" not in after["served_by"], after
    topo.restart(1)
    topo.wait_server_state("s2", "UP")
    stop.touch()
    result = run.result()
    print("replica killed:", {k: result[k] for k in ("sent", "failed", "errors", "statuses")})
    # at worst the requests it held when it died (HAProxy retries what it can elsewhere)
    assert int(result["failed"]) <= CONCURRENCY, result
    back = topo.drive(paths=PATHS, concurrency=CONCURRENCY, max_requests=120).result()
    assert back["failed"] == 0 and "s2" in back["served_by"], back


def test_replicas_keep_answering_without_redis(topo: Topology, tmp_path: Path) -> None:
    stop = tmp_path / "stop"
    run = _load(topo, stop)
    topo.kill_redis()
    without = topo.drive(paths=PATHS, concurrency=2, max_requests=120).result()
    topo.start_redis()
    stop.touch()
    result = run.result()
    print("redis killed:", {k: result[k] for k in ("sent", "failed", "errors", "statuses")})
    assert without["failed"] == 0, without
    assert result["failed"] == 0, result
    assert topo.server_states() == {"s1": "UP", "s2": "UP"}
