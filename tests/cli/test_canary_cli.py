"""``scriptohio models canary start|status|promote|abort`` as real processes over one state
directory: JSON on stdout, exit 2 with one line on stderr for a refusal, ``LATEST`` moved
only by a promotion."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scriptohio.features import FEATURE_NAMES
from scriptohio.models.bundle import feature_hash

_CLI = "from scriptohio.cli.main import main; main()"


@pytest.fixture()
def state(tmp_path: Path) -> Path:
    """Two stored versions (metadata only: a canary start loads no model), v0001 the default."""
    models = tmp_path / "state" / "models"
    for version in ("v0001", "v0002"):
        (models / version).mkdir(parents=True)
        (models / version / "meta.json").write_text(json.dumps(
            {"version": version, "feature_hash": feature_hash(FEATURE_NAMES)}))
    (models / "LATEST").write_text("v0001")
    return tmp_path / "state"


def canary(state: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return side_by_side(state, args)[0]


def side_by_side(state: Path, *commands: tuple[str, ...]
                 ) -> list[subprocess.CompletedProcess[str]]:
    """Independent commands in processes run at once (each is ~2 s of start-up)."""
    env = dict(os.environ, SCRIPTOHIO_STATE_DIR=str(state))
    env.pop("SCRIPTOHIO_REDIS_URL", None)
    procs = [subprocess.Popen([sys.executable, "-c", _CLI, "models", "canary", *args],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for args in commands]
    done = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        done.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return done


def test_start_status_promote(state: Path) -> None:
    started = canary(state, "start", "v0002", "--stages", "0.1,0.5,1", "--stage-s", "30")
    assert started.returncode == 0, started.stderr
    body = json.loads(started.stdout)
    assert (body["candidate"], body["stable"], body["share"]) == ("v0002", "v0001", 0.1)
    assert body["stages"] == [0.1, 0.5, 1.0] and body["policy"]["stage_s"] == 30
    again, status = side_by_side(state, ("start", "v0002"), ("status",))
    assert again.returncode == 2 and "already running" in again.stderr
    running = json.loads(status.stdout)["canary"]
    assert running["status"] == "running" and running["id"] == body["id"]
    promoted = canary(state, "promote")
    assert promoted.returncode == 0, promoted.stderr
    assert json.loads(promoted.stdout)["status"] == "promoted"
    assert (state / "models" / "LATEST").read_text() == "v0002"


def test_abort_and_refusals(state: Path) -> None:
    status, unknown, bad = side_by_side(state, ("status",), ("start", "v0009"),
                                        ("start", "v0002", "--stages", "0.5,0.2"))
    assert json.loads(status.stdout) == {"canary": None}
    assert unknown.returncode == 2 and "no model version 'v0009'" in unknown.stderr
    assert bad.returncode == 2 and "bad canary policy" in bad.stderr
    assert canary(state, "start", "v0002").returncode == 0
    aborted = canary(state, "abort", "--reason", "looks off")
    assert aborted.returncode == 0
    assert json.loads(aborted.stdout)["reason"] == "looks off (cli)"
    assert (state / "models" / "LATEST").read_text() == "v0001"
    assert canary(state, "abort").returncode == 2
