"""What a scheduled refresh pulls when: pure decisions over the loaded games, a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from scriptohio.config import Settings, parse_interval
from scriptohio.data.cfbd.schedule import due_request
from scriptohio.data.completeness import POSTSEASON, complete_through, retrain_due
from scriptohio.data.dataset import Dataset


def _at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


def test_in_season_it_pulls_missing_results_and_the_coming_week(dataset: Dataset) -> None:
    request = due_request(dataset.games, _at("2025-11-23T12:00:00"))
    assert request is not None and request.season == 2025
    assert request.season_types == ("regular",)
    # weeks 10-13 have kicked off without results in the data; week 14 kicks off within 7 days
    assert request.weeks == (10, 11, 12, 13, 14)


def test_after_the_season_it_pulls_what_is_still_missing(dataset: Dataset) -> None:
    request = due_request(dataset.games, _at("2026-02-01T00:00:00"))
    assert request is not None
    assert request.season_types == ("regular", "postseason")
    assert request.weeks == (10, 11, 12, 13, 14, 15, 16)


@pytest.mark.parametrize(("text", "seconds"), [("hourly", 3600.0), ("daily", 86400.0),
                                               ("90", 90.0), (" 0.5 ", 0.5)])
def test_refresh_intervals(text: str, seconds: float) -> None:
    assert parse_interval(text) == seconds


@pytest.mark.parametrize("text", ["weekly", "-5", "0x"])
def test_bad_refresh_intervals_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="SCRIPTOHIO_REFRESH"):
        parse_interval(text)


def test_a_refresh_needs_a_key_and_the_key_is_not_in_the_settings_repr() -> None:
    with pytest.raises(ValueError, match="needs CFBD_API_KEY"):
        Settings.from_env({"SCRIPTOHIO_REFRESH": "hourly"})
    settings = Settings.from_env({"SCRIPTOHIO_REFRESH": "daily", "CFBD_API_KEY": "s3cret"})
    assert settings.refresh_s == 86400.0 and "s3cret" not in repr(settings)
    assert Settings.from_env({}).refresh_s is None


def test_the_newest_complete_week_is_the_last_with_every_result_in(dataset: Dataset) -> None:
    # the shipped data: 2025 played through week 9, weeks 10 on scheduled
    assert complete_through(dataset.games) == (2025, 9)
    assert retrain_due(dataset.games, [2025, 9]) is None  # the model saw week 9
    assert retrain_due(dataset.games, [2025, 8]) == (2025, 9)
    assert retrain_due(dataset.games, None) == (2025, 9)  # older model: retrained once


def test_one_missing_result_keeps_a_week_incomplete(dataset: Dataset) -> None:
    games = dataset.games
    c = {k: v.copy() for k, v in games.cols.items()}
    g = dataset.games.cols
    week9 = [int(i) for i in games.rows_for_week(2025, 9)]
    c["home_points"][week9[0]] = np.nan  # a week-9 result withdrawn
    assert complete_through(type(games)(c)) == (2025, 8)
    for i in games.rows_for_week(2025, 10):  # week 10's results arrive, week 9 still short
        c["home_points"][i], c["away_points"][i] = 21.0, 14.0
    assert complete_through(type(games)(c)) == (2025, 8)
    c["home_points"][week9[0]] = g["home_points"][week9[0]]
    assert complete_through(type(games)(c)) == (2025, 10)
    unscored = np.isnan(c["home_points"])
    c["home_points"][unscored], c["away_points"][unscored] = 30.0, 20.0  # every game played
    assert complete_through(type(games)(c)) == (2025, POSTSEASON)
    assert retrain_due(type(games)(c), [2025, 10]) == (2025, POSTSEASON)
