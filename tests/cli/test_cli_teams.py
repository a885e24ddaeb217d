"""``scriptohio teams resolve``, as a real process: JSON on stdout, exit codes, stderr."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.data.team_tables import AMBIGUOUS, TYPOS

# A few rows of the resolver's tables (tests/data/team_tables.py): each is a process of ~2 s.
RESOLVED = [("Ohio State", "Ohio State"), ("michgan", "Michigan"), ("Ohio Stat", "Ohio State"),
            ("Pen State", "Penn State"), ("Texs A&M", "Texas A&M")]
UNKNOWN = ["Ú±°", "%%%", "12345", "banana", "Penn"]
AMBIGUOUS_NAMES = [row for row in AMBIGUOUS if row[0] in ("OSU", "Estern Michigan", "Rkansas")]
_CLI = "from scriptohio.cli.main import main; main()"

Ran = dict[str, subprocess.CompletedProcess[str]]


@pytest.fixture(scope="module")
def ran(data_dir: Path) -> Ran:
    """Every query of this module, each in its own process, run side by side."""
    env = dict(os.environ, SCRIPTOHIO_DATA_DIR=str(data_dir))
    queries = [q for q, _ in RESOLVED] + UNKNOWN + [q for q, _ in AMBIGUOUS_NAMES]
    procs = {q: subprocess.Popen([sys.executable, "-c", _CLI, "teams", "resolve", q], env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for q in queries}
    done: Ran = {}
    for query, proc in procs.items():
        out, err = proc.communicate(timeout=120)
        done[query] = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    return done


@pytest.mark.parametrize(("query", "team"), RESOLVED)
def test_a_name_alias_or_clear_typo_exits_0(ran: Ran, query: str, team: str) -> None:
    result = ran[query]
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert (body["query"], body["team"]) == (query, team)
    assert body.get("corrected", False) is ((query, team) in TYPOS)
    assert result.stderr == ""


@pytest.mark.parametrize("query", UNKNOWN)
def test_junk_and_unknown_names_exit_2_with_the_json_still_on_stdout(ran: Ran,
                                                                     query: str) -> None:
    result = ran[query]
    assert result.returncode == 2
    body = json.loads(result.stdout)
    assert body["query"] == query and "team" not in body
    assert body["suggestions"] == (["Penn State"] if query == "Penn" else [])
    assert result.stderr.startswith("error: unknown team")


@pytest.mark.parametrize(("query", "expected"), AMBIGUOUS_NAMES)
def test_ambiguous_names_exit_2_with_the_candidates(ran: Ran, query: str,
                                                    expected: set[str]) -> None:
    result = ran[query]
    assert result.returncode == 2
    body = json.loads(result.stdout)
    assert set(body["candidates"]) == expected and "suggestions" not in body
    assert "is ambiguous" in result.stderr
