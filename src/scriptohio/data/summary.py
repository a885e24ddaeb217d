"""``scriptohio data summary``: per-season counts of the loaded view."""

from __future__ import annotations

import numpy as np

from scriptohio.data.dataset import Dataset


def data_summary(dataset: Dataset) -> dict[str, object]:
    """Per season: games, regular, postseason, scored games, games with a spread."""
    c = dataset.games.cols
    seasons = c["season"]
    scored = ~np.isnan(c["home_points"]) & ~np.isnan(c["away_points"])
    spread = ~np.isnan(c["spread"])
    post = c["season_type"] == "postseason"
    per_season: dict[str, dict[str, int]] = {}
    for season in dataset.games.seasons:
        m = seasons == season
        per_season[str(season)] = {
            "games": int(m.sum()),
            "regular": int((m & ~post).sum()),
            "postseason": int((m & post).sum()),
            "scored": int((m & scored).sum()),
            "with_spread": int((m & spread).sum()),
        }
    return {
        "data_dir": str(dataset.data_dir),
        "data_version": dataset.version,
        "ingested": {"games": dataset.ingested_games, "team_games": dataset.ingested_team_games},
        "totals": {
            "games": len(dataset.games),
            "scored": int(scored.sum()),
            "with_spread": int(spread.sum()),
            "team_games": len(dataset.team_games),
            "team_seasons": len(dataset.team_seasons),
            "talent": len(dataset.talent),
            "teams": len(dataset.games.teams),
        },
        "seasons": per_season,
    }
