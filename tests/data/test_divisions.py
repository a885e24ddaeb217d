"""The division table against the data: no misspelt team, no member left out."""

from __future__ import annotations

from scriptohio.data.dataset import Dataset
from scriptohio.data.divisions import season_divisions


def test_every_listed_team_is_known_and_every_member_is_listed(dataset: Dataset) -> None:
    c = dataset.games.cols
    listed_any = False
    for season in dataset.games.seasons:
        table = season_divisions(season)
        listed_any |= bool(table)
        assert {team for _, team in table} <= dataset.games.teams
        rows = (c["season"] == season) & (c["season_type"] == "regular")
        conferences = {conf for conf, _ in table}
        for side in ("home", "away"):
            for team, conf in zip(c[f"{side}_team"][rows].tolist(),
                                  c[f"{side}_conference"][rows].tolist(), strict=True):
                if conf in conferences and team in dataset.fbs_teams_by_season[season]:
                    assert (conf, team) in table, (season, conf, team)
    assert listed_any
    sun_belt = {d for (conf, _), d in season_divisions(2025).items() if conf == "Sun Belt"}
    assert sun_belt == {"East", "West"}
