"""Loading the real data, and malformed files rejected with file, line, column and value."""

from __future__ import annotations

import csv
import gzip
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from scriptohio.data.dataset import Dataset, load_dataset
from scriptohio.data.paths import find_data_dir
from scriptohio.data.summary import data_summary
from scriptohio.errors import DataFormatError, NotFoundError


def _readme_coverage(data_dir: Path) -> dict[int, dict[str, int]]:
    text = (data_dir / "README.md").read_text()
    section = text.split("## Coverage per season (games.csv)")[1].split("##")[0]
    rows: dict[int, dict[str, int]] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells and re.fullmatch(r"\d{4}", cells[0]):
            season, games, regular, post, scored = (int(c) for c in cells[:5])
            rows[season] = {"games": games, "regular": regular, "postseason": post,
                            "scored": scored, "with_spread": int(cells[8])}
    return rows


def test_summary_matches_the_readme_coverage_table(dataset: Dataset, data_dir: Path) -> None:
    expected = _readme_coverage(data_dir)
    assert len(expected) == 22
    seasons = data_summary(dataset)["seasons"]
    assert isinstance(seasons, dict)
    for season, counts in expected.items():
        assert seasons[str(season)] == counts, season


def test_lookups_by_id_week_and_team(dataset: Dataset) -> None:
    games = dataset.games
    rows = games.rows_for_team("Ohio State", 2024)
    the_game = next(g for g in games.records(rows) if g.away_team == "Michigan")
    assert (the_game.home_points, the_game.away_points, the_game.week) == (10, 13, 14)
    assert games.get(the_game.game_id) == the_game
    week = games.records(games.rows_for_week(2024, 14))
    assert the_game in week and all(g.season == 2024 and g.week == 14 for g in week)
    post = games.records(games.rows_for_week(2024, 1, "postseason"))
    assert post and all(g.season_type == "postseason" for g in post)
    # rows are chronological: kickoffs never go backwards
    assert np.all(np.diff(games.cols["kickoff"]) >= 0)
    assert dataset.team_games.stats(the_game.game_id, "Michigan") is not None
    assert dataset.talent.get(2025, "Ohio State") is not None
    assert dataset.team_seasons.get(2024, "Oregon") is not None


def test_unknown_neutral_site_stays_unknown(dataset: Dataset) -> None:
    games = dataset.games.records(dataset.games.rows_for_week(2010, 5))
    assert games and all(g.neutral_site is None for g in games)
    bowls = dataset.games.records(dataset.games.rows_for_week(2024, 1, "postseason"))
    assert any(g.neutral_site is True for g in bowls)
    assert any(g.neutral_site is False for g in bowls)  # 2024 CFP first round on campus


def test_data_dir_lookup_order(tmp_path: Path, data_dir: Path) -> None:
    with pytest.raises(NotFoundError, match="SCRIPTOHIO_DATA_DIR"):
        find_data_dir(tmp_path / "nowhere")
    (tmp_path / "work").mkdir()
    with pytest.raises(NotFoundError, match="no data directory"):
        find_data_dir(None, cwd=tmp_path / "work")
    (tmp_path / "shared").symlink_to(data_dir.parent)
    assert find_data_dir(None, cwd=tmp_path / "work") == data_dir.resolve()
    (tmp_path / "work" / "data").symlink_to(data_dir)
    assert find_data_dir(None, cwd=tmp_path / "work") == data_dir.resolve()


# --- malformed files ---------------------------------------------------------------------


@pytest.fixture()
def copy_dir(tmp_path: Path, data_dir: Path) -> Path:
    """A data directory whose games.csv is a private copy (the big files are links)."""
    out = tmp_path / "data"
    out.mkdir()
    for name in ("team_games.csv.gz", "team_seasons.csv", "talent.csv"):
        (out / name).symlink_to(data_dir / name)
    shutil.copy(data_dir / "games.csv", out / "games.csv")
    return out


def _edit_games(path: Path, edit: object) -> None:
    with open(path, newline="") as fh:
        rows = list(csv.reader(fh))
    edit(rows)  # type: ignore[operator]
    with open(path, "w", newline="") as fh:
        csv.writer(fh).writerows(rows)


def test_missing_column(copy_dir: Path) -> None:
    def drop_spread(rows: list[list[str]]) -> None:
        i = rows[0].index("spread")
        for r in rows:
            del r[i]

    _edit_games(copy_dir / "games.csv", drop_spread)
    with pytest.raises(DataFormatError) as err:
        load_dataset(copy_dir)
    assert err.value.column == "spread" and "games.csv" in str(err.value)
    assert "missing required column" in str(err.value)


def test_wrong_type_names_line_column_and_value(copy_dir: Path) -> None:
    def bad_week(rows: list[list[str]]) -> None:
        rows[101][rows[0].index("week")] = "five"

    _edit_games(copy_dir / "games.csv", bad_week)
    with pytest.raises(DataFormatError) as err:
        load_dataset(copy_dir)
    assert (err.value.file, err.value.line, err.value.column, err.value.value) == (
        "games.csv", 102, "week", "five")


def test_duplicate_game_id(copy_dir: Path) -> None:
    _edit_games(copy_dir / "games.csv", lambda rows: rows.append(list(rows[50])))
    with pytest.raises(DataFormatError, match="duplicate key") as err:
        load_dataset(copy_dir)
    assert err.value.column == "game_id"


def test_bad_enumeration(copy_dir: Path) -> None:
    def bad_type(rows: list[list[str]]) -> None:
        rows[7][rows[0].index("season_type")] = "preseason"

    _edit_games(copy_dir / "games.csv", bad_type)
    with pytest.raises(DataFormatError, match="expected one of") as err:
        load_dataset(copy_dir)
    assert err.value.line == 8 and err.value.value == "preseason"


def test_score_on_a_future_game(copy_dir: Path, dataset: Dataset) -> None:
    def future_score(rows: list[list[str]]) -> None:
        header = rows[0]
        row = rows[-1]
        row[header.index("start_date")] = "2099-09-05T23:30:00Z"
        row[header.index("game_date")] = "2099-09-05"
        row[header.index("season")] = "2099"
        row[header.index("home_points")] = "21"
        row[header.index("away_points")] = "14"

    _edit_games(copy_dir / "games.csv", future_score)
    with pytest.raises(DataFormatError, match="not kicked off") as err:
        load_dataset(copy_dir)
    assert err.value.line is not None


def test_truncated_gzip(copy_dir: Path, data_dir: Path) -> None:
    (copy_dir / "team_games.csv.gz").unlink()
    raw = (data_dir / "team_games.csv.gz").read_bytes()
    (copy_dir / "team_games.csv.gz").write_bytes(raw[: len(raw) // 2])
    with pytest.raises(DataFormatError, match=r"team_games\.csv\.gz"):
        load_dataset(copy_dir)


def test_not_gzip_at_all(copy_dir: Path) -> None:
    (copy_dir / "team_games.csv.gz").unlink()
    (copy_dir / "team_games.csv.gz").write_bytes(b"this is not gzip")
    with pytest.raises(DataFormatError, match=r"team_games\.csv\.gz"):
        load_dataset(copy_dir)


def test_gzip_with_a_bad_value_names_the_line(copy_dir: Path, data_dir: Path) -> None:
    (copy_dir / "team_games.csv.gz").unlink()
    with gzip.open(data_dir / "team_games.csv.gz", "rt", newline="") as fh:
        rows = list(csv.reader(fh))
    rows[11][rows[0].index("offense_ppa")] = "lots"
    with gzip.open(copy_dir / "team_games.csv.gz", "wt", newline="") as fh:
        csv.writer(fh).writerows(rows)
    with pytest.raises(DataFormatError) as err:
        load_dataset(copy_dir)
    assert (err.value.line, err.value.column, err.value.value) == (12, "offense_ppa", "lots")
