"""Grading a user's picks: the scoring rules, the file's validation, matching to games."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scriptohio.data.dataset import Dataset
from scriptohio.errors import DataFormatError
from scriptohio.models.picks import grade_forecasts, grade_picks, read_picks

NAN = float("nan")


def test_scores_records_and_the_spread() -> None:
    y = np.array([7.0, -3.0, 10.0, 0.0])  # the last game is a tie
    spread = np.array([-3.0, 1.0, NAN, -2.0])
    margin = np.array([5.0, -2.0, -5.0, 4.0])
    prob = np.array([0.7, 0.4, 0.2, 0.6])
    buckets = np.array(["1-4", "1-4", "5-9", "5-9"])
    graded = grade_forecasts({"you": (margin, prob), "market": (-spread, prob)}, y, spread,
                             buckets)
    you = graded["you"]["all"]
    assert you["n"] == 4 and you["mae"] == pytest.approx((2 + 1 + 15 + 4) / 4)
    assert you["brier"] == pytest.approx((0.3 ** 2 + 0.4 ** 2 + 0.8 ** 2) / 3)  # ties out
    assert you["winner"] == {"won": 2, "lost": 1}
    # home by 5 with the line at -3: home covers, it did (7 - 3 > 0); away +1 covers: it
    # did (-3 + 1 < 0); no line in game 3; home -2 called, a tie does not cover: lost
    assert you["ats"] == {"won": 2, "lost": 1, "push": 0}
    assert "ats" not in graded["market"]["all"]  # the line cannot beat itself
    assert graded["market"]["all"]["n"] == 4 and graded["market"]["all"]["mae"] == \
        pytest.approx(np.nanmean(np.abs(-spread - y)))
    assert graded["you"]["by_week"]["1-4"]["winner"] == {"won": 2, "lost": 0}


@pytest.mark.parametrize(("text", "says"), [
    ("home_team,away_team,margin\nA,B,3\n", "game_id column"),
    ("game_id,team\n1,2\n", "margin and/or a home_win_prob"),
    ("game_id,home_win_prob\n1,1.5\n", "between 0 and 1"),
    ("game_id,margin\n1,\n", "no margin and no home_win_prob"),
    ("game_id,margin\n1,seven\n", "expected a number"),
])
def test_a_bad_file_is_refused_with_its_line(tmp_path: Path, text: str, says: str) -> None:
    path = tmp_path / "picks.csv"
    path.write_text(text)
    with pytest.raises(DataFormatError, match=says) as info:
        read_picks(path)
    assert "picks.csv" in str(info.value)


def test_picks_by_names_and_dates_are_matched_and_graded(dataset: Dataset,
                                                         tmp_path: Path) -> None:
    c = dataset.games.cols
    rows = [int(r) for r in np.flatnonzero((c["season"] == 2024) & (c["week"] == 10)
                                           & (c["home_division"] == "fbs"))[:3]]
    lines = ["home_team,away_team,game_date,margin"]
    first = rows[0]
    # the first pick names the sides the other way round: its margin is flipped
    lines.append(f"{c['away_team'][first]},{c['home_team'][first]},{c['game_date'][first]},-6")
    for r in rows[1:]:
        lines.append(f"{c['home_team'][r]},{c['away_team'][r]},{c['game_date'][r]},3")
    lines.append("Zzyzx State,Ohio State,2024-11-02,1")
    lines.append(f"{c['home_team'][first]},{c['away_team'][first]},2023-01-01,1")
    path = tmp_path / "mine.csv"
    path.write_text("\n".join(lines) + "\n")
    report = grade_picks(dataset, path, train_through=2023)
    assert (report["rows"], report["graded"], report["unmatched_count"]) == (5, 3, 2)
    you = report["forecasters"]["you"]["all"]
    y = dataset.games.home_margin[rows]
    assert you["mae"] == pytest.approx(np.mean(np.abs(np.array([6.0, 3.0, 3.0]) - y)))
    assert set(report["forecasters"]) == {"you", "market", "elo", "ensemble"}
    assert "unknown team" in report["unmatched"][0]
