"""CFBD shapes onto our columns, and the retry policy: pure functions, no server."""

from __future__ import annotations

import pytest

from scriptohio.data.cfbd.mapping import advanced_columns, box_score, consensus, utc_kickoff
from scriptohio.data.cfbd.retry import RetryPolicy, parse_retry_after


def test_box_score_strings_are_parsed_like_the_shipped_data() -> None:
    row = box_score([{"category": "completionAttempts", "stat": "21-33"},
                     {"category": "totalPenaltiesYards", "stat": "7-55"},
                     {"category": "possessionTime", "stat": "31:07"},
                     {"category": "thirdDownEff", "stat": "0--1"},
                     {"category": "yardsPerPass", "stat": "7.4"}])
    assert row == {"completions": 21, "pass_attempts": 33, "penalties": 7,
                   "penalty_yards": 55, "possession_time_sec": 1867,
                   "third_down_conversions": None, "third_down_attempts": None,
                   "yards_per_pass": 7.4}


def test_advanced_stats_are_flattened_onto_our_column_names() -> None:
    cols = advanced_columns({"offense": {"ppa": 0.2, "passing_plays": {"total_ppa": 9.5}},
                             "defense": {"line_yards_total": 80}})
    assert cols == {"offense_ppa": 0.2, "offense_passing_plays_total_ppa": 9.5,
                    "defense_line_yards_total": 80.0}


def test_consensus_is_the_median_of_the_providers_that_have_a_number() -> None:
    lines = [{"spread": -7.0}, {"spread": -6.5}, {"spread": None}, {"spread": -8.0}]
    assert consensus(lines, "spread") == -7.0
    assert consensus([{"spread": -7.0}, {"spread": -6.5}], "spread") == -6.75
    assert consensus([{"spread": None}], "spread") is None


def test_kickoff_is_utc_and_the_game_date_is_eastern() -> None:
    assert utc_kickoff("2025-11-30T01:30:00.000Z") == ("2025-11-30T01:30:00Z", "2025-11-29")


@pytest.mark.parametrize(("attempt", "retry_after", "wait"), [
    (1, None, 0.5), (2, None, 1.0), (3, None, 2.0), (4, None, None),
    (1, 12.0, 12.0), (1, 600.0, None), (1, 0.0, 0.0),
])
def test_retry_policy(attempt: int, retry_after: float | None, wait: float | None) -> None:
    assert RetryPolicy(attempts=4).delay(attempt, retry_after) == wait


def test_retry_after_header_forms() -> None:
    assert parse_retry_after("5") == 5.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") is None
    assert parse_retry_after(None) is None
