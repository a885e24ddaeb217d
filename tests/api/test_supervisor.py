"""The fork supervisor on its own (no app): a worker that cannot start stops the parent with
exit 3 instead of being forked again and again; SIGINT stops every worker, exit 0; a parent
killed outright leaves no worker behind."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

DEADLINE_S = 60.0

PARENT = """
import sys, time
from scriptohio.api.supervisor import STARTUP_FAILURE, ForkSupervisor

def run(slot):
    if sys.argv[1] == "fail":
        return STARTUP_FAILURE
    while True:
        time.sleep(1)

sys.exit(ForkSupervisor(2, run).run())
"""


def _parent(mode: str, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen([sys.executable, "-c", "import logging; logging.basicConfig("
                                 "level=logging.INFO)\n" + PARENT, mode], stderr=out)


def _workers(proc: subprocess.Popen[bytes], count: int) -> list[psutil.Process]:
    deadline = time.monotonic() + DEADLINE_S
    while len(found := psutil.Process(proc.pid).children()) != count:
        assert time.monotonic() < deadline, f"workers: {found}"
        time.sleep(0.05)
    return found


def test_a_worker_that_cannot_start_stops_the_parent_with_exit_3(tmp_path: Path) -> None:
    proc = _parent("fail", tmp_path / "log")
    assert proc.wait(timeout=DEADLINE_S) == 3
    log = (tmp_path / "log").read_text()
    assert log.count("started (slot") == 2, log  # forked once each, never again


def test_sigint_stops_every_worker_and_the_parent_exits_0(tmp_path: Path) -> None:
    proc = _parent("serve", tmp_path / "log")
    try:
        workers = _workers(proc, 2)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=DEADLINE_S) == 0
        assert not any(w.is_running() for w in workers)
    finally:
        proc.kill()


def test_a_killed_parent_leaves_no_worker(tmp_path: Path) -> None:
    proc = _parent("serve", tmp_path / "log")
    try:
        workers = _workers(proc, 2)
        proc.kill()  # SIGKILL: no chance to stop them itself
        proc.wait(timeout=DEADLINE_S)
        _gone, alive = psutil.wait_procs(workers, timeout=DEADLINE_S)
        assert not alive, alive
    finally:
        proc.kill()
