"""How numbers read on a page, and the SVG charts, without a service."""

from __future__ import annotations

import math
import re

from scriptohio.web import charts
from scriptohio.web.formatting import (
    edge_text,
    game_url,
    interval,
    kickoff,
    line_text,
    pick,
    pick_outcome,
    side_margin,
    signed,
    team_url,
)

GAME = {"home": "Ohio State", "away": "Michigan",
        "prediction": {"margin": 16.6, "home_win_prob": 0.866, "winner": "Ohio State",
                       "margin_interval": [-3.4, 36.6]},
        "market": {"spread": -20.0, "edge": -3.45, "favourite": "Ohio State", "line": 20.0,
                   "covered": "Michigan"},
        "result": {"home_points": 10, "away_points": 13, "correct_winner": False}}


def test_a_pick_reads_from_the_favoured_side() -> None:
    assert pick(GAME) == ("Ohio State", 0.866)
    away = {**GAME, "prediction": {**GAME["prediction"], "winner": "Michigan",
                                   "home_win_prob": 0.25}}
    assert pick(away) == ("Michigan", 0.75)


def test_line_edge_and_how_the_pick_did() -> None:
    assert line_text(GAME["market"]) == "Ohio State −20"
    assert line_text(None) == "no line"
    assert edge_text(GAME) == "3.5 to Michigan"  # the model likes Michigan more than the market
    # wrong winner, but leaning to Michigan against the line was right: Michigan covered
    assert pick_outcome(GAME) == {"winner": False, "line": True}
    push = {**GAME, "market": {**GAME["market"], "covered": "push"}}
    assert pick_outcome(push)["line"] is None


def test_margins_intervals_and_times() -> None:
    assert side_margin(-11.35, "Michigan", "Ohio State") == "Ohio State by 11.3"
    assert side_margin(0.01, "A", "B") == "even"
    assert interval(GAME["prediction"]) == (-3.4, 36.6, 0.8)
    assert interval({"margin_interval": {"lo": -1, "hi": 2, "level": 0.9}}) == (-1, 2, 0.9)
    assert all(math.isnan(v) for v in interval({})[:2])
    assert signed(-2.04) == "−2.0" and signed(3.5) == "+3.5" and signed(None) == "–"
    assert kickoff("2025-11-29T17:00:00Z") == "Sat 29 Nov, 17:00 UTC"
    assert kickoff(None) == "time to be announced"


def test_urls_escape_names() -> None:
    assert team_url("Texas A&M", 2024) == "/app/teams/Texas%20A%26M?season=2024"
    assert game_url("Hawai'i", "San José State", 2025, 10) == (
        "/app/game?home=Hawai%27i&away=San+Jos%C3%A9+State&season=2025&week=10")


def test_bar_chart_has_one_bar_per_value_on_the_right_side() -> None:
    svg = str(charts.bar_chart([charts.Bar("rating gap", 2.5), charts.Bar("rest <days>", -1.0)],
                               title="Why", desc="contributions"))
    assert svg.startswith("<svg") and 'role="img"' in svg and "<title" in svg
    assert svg.count('class="pos"') == 1 and svg.count('class="neg"') == 1
    assert "rest &lt;days&gt;" in svg  # labels are escaped
    zero = float(re.search(r'<line class="axis" x1="([\d.]+)"', svg).group(1))
    pos_x = float(re.search(r'<rect class="pos" x="([\d.]+)"', svg).group(1))
    neg = re.search(r'<rect class="neg" x="([\d.]+)" y="\d+" width="([\d.]+)"', svg)
    assert pos_x == zero and float(neg.group(1)) + float(neg.group(2)) == zero


def test_line_chart_plots_every_point() -> None:
    svg = str(charts.line_chart(
        [charts.Series("actual", ((1, 7.0), (2, 70.0), (3, 28.0)), "actual"),
         charts.Series("predicted", ((1, 10.0), (2, 54.1)), "predicted")],
        title="t", desc="d", x_label="week", y_label="margin"))
    assert svg.count("<circle") == 5 and svg.count("<polyline") == 2
    assert str(charts.line_chart([], title="t", desc="d", x_label="x", y_label="y")) == ""
