"""``scriptohio data pull`` as a user runs it: JSON out, clear errors, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from scriptohio.data.dataset import Dataset
from scriptohio.data.store import StateStore
from scriptohio.testing.cfbd_server import FakeCfbd
from tests.cfbd.conftest import API_KEY


def _run(args: list[str], *, state_dir: Path, data_dir: Path, url: str | None,
         key: str | None = API_KEY) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CFBD_", "SCRIPTOHIO_"))}
    env |= {"SCRIPTOHIO_STATE_DIR": str(state_dir), "SCRIPTOHIO_DATA_DIR": str(data_dir)}
    if url is not None:
        env["SCRIPTOHIO_CFBD_URL"] = url
    if key is not None:
        env["CFBD_API_KEY"] = key
    return subprocess.run([sys.executable, "-m", "scriptohio.cli.main", "data", "pull", *args],
                          env=env, capture_output=True, text=True, timeout=240)


def test_pull_prints_what_changed_and_a_repull_changes_nothing(
        dataset: Dataset, state_dir: Path, cfbd_server: FakeCfbd) -> None:
    args = ["--season", "2025", "--weeks", "8-9", "--season-type", "regular"]
    first = _run(args, state_dir=state_dir, data_dir=dataset.data_dir, url=cfbd_server.url)
    assert first.returncode == 0, first.stderr
    body = json.loads(first.stdout)
    assert body["pulled"] == "2025 regular weeks 8-9"
    assert body["ingest"]["lines"]["new"] == body["fetched"]["lines"] > 0
    again = json.loads(_run(args, state_dir=state_dir, data_dir=dataset.data_dir,
                            url=cfbd_server.url).stdout)
    assert again["changed"] is False and again["ingest"]["lines"]["new"] == 0
    # the repull was conditional: every answer unchanged, so every request a 304
    assert body["not_modified"] == 0
    assert again["not_modified"] == again["requests"] == cfbd_server.not_modified > 0
    assert API_KEY not in first.stdout + first.stderr


def test_a_failed_pull_exits_1_with_the_reason_and_writes_nothing(
        dataset: Dataset, state_dir: Path, cfbd_server: FakeCfbd) -> None:
    cfbd_server.fail("/lines", 500, times=10)
    r = _run(["--season", "2025", "--week", "12", "--timeout", "5"], state_dir=state_dir,
             data_dir=dataset.data_dir, url=cfbd_server.url)
    assert r.returncode == 1 and r.stdout == ""
    assert "error: CFBD /lines (year=2025, week=12, season_type=regular): HTTP 500 after 4" \
        " attempts; nothing was written" in r.stderr
    store = StateStore(state_dir)
    assert store.data_version() == 0 and store.ingested_lines() == []


def test_without_a_key_it_says_where_to_get_one(dataset: Dataset, state_dir: Path) -> None:
    r = _run(["--season", "2025"], state_dir=state_dir, data_dir=dataset.data_dir, url=None,
             key=None)
    assert r.returncode == 2 and "set CFBD_API_KEY" in r.stderr


def test_bad_arguments_are_bad_input(dataset: Dataset, state_dir: Path) -> None:
    for args, message in ((["--season", "2025", "--weeks", "15-10"], "runs backwards"),
                          (["--season", "2025", "--season-type", "bowl"], "expected one of"),
                          ([], "give --season S"),
                          (["--season", "2025", "--week", "3", "--weeks", "3-4"], "not both")):
        r = _run(args, state_dir=state_dir, data_dir=dataset.data_dir, url="http://127.0.0.1:9")
        assert r.returncode == 2 and message in r.stderr, (args, r.stderr)
