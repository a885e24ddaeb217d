"""Ingestion: validated first, atomic, idempotent, visible in the loaded view, published."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from scriptohio.data.dataset import Dataset, load_dataset
from scriptohio.data.ingest import ingest_files
from scriptohio.data.store import StateStore
from scriptohio.data.summary import data_summary
from scriptohio.errors import DataFormatError
from scriptohio.events import DataChanged


def _unplayed_2025(dataset: Dataset, n: int) -> list[dict[str, str]]:
    """Real 2025 games without a score (the hold-out), as raw games.csv rows."""
    with open(dataset.data_dir / "games.csv", newline="") as fh:
        rows = [r for r in csv.DictReader(fh)
                if r["season"] == "2025" and r["home_points"] == "" and r["week"] == "12"]
    return rows[:n]


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with open(path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture()
def results(dataset: Dataset, tmp_path: Path) -> tuple[Path, list[dict[str, str]]]:
    rows = _unplayed_2025(dataset, 3)
    for i, row in enumerate(rows):
        row["home_points"], row["away_points"] = str(24 + i), str(17)
    return _write(tmp_path / "week12.csv", rows), rows


def test_ingested_result_changes_the_summary_and_is_logged(
    dataset: Dataset, state_dir: Path, results: tuple[Path, list[dict[str, str]]]
) -> None:
    path, rows = results
    store = StateStore(state_dir)
    before = data_summary(dataset)["seasons"]["2025"]  # type: ignore[index]

    result = ingest_files(store, dataset, path)

    assert result.games_updated == 3 and result.games_new == 0 and result.changed
    after_view = load_dataset(dataset.data_dir, store)
    after = data_summary(after_view)["seasons"]["2025"]  # type: ignore[index]
    assert after["scored"] == before["scored"] + 3
    assert after["games"] == before["games"]
    game = after_view.games.get(int(rows[0]["game_id"]))
    assert game is not None and (game.home_points, game.away_points) == (24, 17)
    event = result.event
    assert isinstance(event, DataChanged)
    assert event.seasons == {2025}
    assert event.weeks == {(2025, "regular", 12)}
    assert event.teams == {r[s] for r in rows for s in ("home_team", "away_team")}
    assert store.data_version() == event.version == after_view.version > 0
    assert store.events_since(0)[-1].payload["teams"] == sorted(event.teams)


def test_reingesting_the_same_file_changes_nothing(
    dataset: Dataset, state_dir: Path, results: tuple[Path, list[dict[str, str]]]
) -> None:
    path, _ = results
    store = StateStore(state_dir)
    first = ingest_files(store, dataset, path)
    view = load_dataset(dataset.data_dir, store)
    second = ingest_files(store, view, path)
    assert first.changed and not second.changed
    assert second.games_unchanged == 3 and second.data_version == first.data_version
    assert store.data_version() == first.data_version


def test_an_update_to_an_ingested_row_is_applied(
    dataset: Dataset, state_dir: Path, results: tuple[Path, list[dict[str, str]]], tmp_path: Path
) -> None:
    path, rows = results
    store = StateStore(state_dir)
    ingest_files(store, dataset, path)
    rows[1]["home_points"] = "3"
    fixed = _write(tmp_path / "fixed.csv", rows)
    result = ingest_files(store, load_dataset(dataset.data_dir, store), fixed)
    assert (result.games_updated, result.games_unchanged) == (1, 2)
    game = load_dataset(dataset.data_dir, store).games.get(int(rows[1]["game_id"]))
    assert game is not None and game.home_points == 3


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("home_team", "Ohio Stat", "unknown team; did you mean Ohio State"),
        ("home_points", "twenty", "expected int"),
        ("season_type", "bowl", "expected one of"),
        ("game_date", "2025-13-45", "not a valid date"),
    ],
)
def test_bad_rows_are_rejected_and_nothing_changes(
    dataset: Dataset, state_dir: Path, results: tuple[Path, list[dict[str, str]]],
    tmp_path: Path, column: str, value: str, message: str,
) -> None:
    _, rows = results
    rows[2][column] = value
    if column == "game_date":
        rows[2]["start_date"] = ""
    path = _write(tmp_path / "bad.csv", rows)
    store = StateStore(state_dir)
    with pytest.raises(DataFormatError, match=message) as err:
        ingest_files(store, dataset, path)
    assert (err.value.file, err.value.line, err.value.column) == ("bad.csv", 4, column)
    assert store.data_version() == 0 and store.ingested_games() == []


def test_duplicate_and_future_rows_are_rejected(
    dataset: Dataset, state_dir: Path, results: tuple[Path, list[dict[str, str]]], tmp_path: Path
) -> None:
    _, rows = results
    store = StateStore(state_dir)
    with pytest.raises(DataFormatError, match="duplicate key") as err:
        ingest_files(store, dataset, _write(tmp_path / "dup.csv", [*rows, rows[0]]))
    assert err.value.line == 5
    future = dict(rows[0], start_date="2099-11-21T17:00:00Z", game_date="2099-11-21",
                  season="2099")
    with pytest.raises(DataFormatError, match="not kicked off"):
        ingest_files(store, dataset, _write(tmp_path / "future.csv", [future]))
    assert store.data_version() == 0


def test_team_game_rows_must_belong_to_the_game(
    dataset: Dataset, state_dir: Path, results: tuple[Path, list[dict[str, str]]], tmp_path: Path
) -> None:
    path, rows = results
    header = ["game_id", "season", "week", "season_type", "team", "opponent", "home_away",
              "points", "opponent_points", "offense_ppa"]
    tg = tmp_path / "tg.csv"
    with open(tg, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerow([rows[0]["game_id"], 2025, 12, "regular", "Alabama", rows[0]["away_team"],
                    "home", 24, 17, 0.31])
    store = StateStore(state_dir)
    with pytest.raises(DataFormatError, match="not one of this game's teams") as err:
        ingest_files(store, dataset, path, tg)
    assert (err.value.line, err.value.column) == (2, "team")
    assert store.data_version() == 0


def test_kill_mid_ingest_leaves_the_previous_state(
    dataset: Dataset, state_dir: Path, results: tuple[Path, list[dict[str, str]]]
) -> None:
    path, rows = results
    script = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from scriptohio.data.dataset import load_dataset
        from scriptohio.data.ingest import ingest_files
        from scriptohio.data.store import StateStore
        store = StateStore(Path({str(state_dir)!r}))
        view = load_dataset(Path({str(dataset.data_dir)!r}), store)
        def stall(i):
            if i == 1:
                print("mid-ingest", flush=True)
                time.sleep(60)
        ingest_files(store, view, Path({str(path)!r}), on_row=stall)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "mid-ingest"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    store = StateStore(state_dir)
    assert store.data_version() == 0 and store.ingested_games() == []
    # the store is healthy: the same ingest now goes through
    result = ingest_files(store, dataset, path)
    assert result.games_updated == len(rows) and store.data_version() == result.data_version


def test_cli_ingest_and_summary(
    dataset: Dataset, state_dir: Path, results: tuple[Path, list[dict[str, str]]]
) -> None:
    path, _ = results
    env = dict(os.environ, SCRIPTOHIO_STATE_DIR=str(state_dir),
               SCRIPTOHIO_DATA_DIR=str(dataset.data_dir))
    cmd = [sys.executable, "-m", "scriptohio.cli.main"]
    out = subprocess.run([*cmd, "ingest", str(path)], env=env, capture_output=True, text=True,
                         check=True)
    assert json.loads(out.stdout)["games"]["updated"] == 3
    summary = json.loads(subprocess.run([*cmd, "data", "summary"], env=env, capture_output=True,
                                        text=True, check=True).stdout)
    assert summary["ingested"]["games"] == 3
    again = json.loads(subprocess.run([*cmd, "ingest", str(path)], env=env, capture_output=True,
                                      text=True, check=True).stdout)
    assert again["changed"] is False
    bad = subprocess.run([*cmd, "ingest", str(path.with_name("missing.csv"))], env=env,
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "no such file" in bad.stderr and bad.stdout == ""
