"""Which results are in: the newest complete week, and whether a model has seen it.

A retrain is due when a week's results are complete (:func:`complete_through`: every game of
that week and of the weeks before it in its season has a score) and the served model was
trained before that week was complete (:func:`retrain_due`). Pure functions over the games.
"""

from __future__ import annotations

import numpy as np

from scriptohio.data.tables import Games

__all__ = ["POSTSEASON", "Through", "complete_through", "retrain_due"]

Through = tuple[int, int]  # (season, week); a complete postseason is week POSTSEASON
POSTSEASON = 99


def complete_through(games: Games) -> Through | None:
    """The newest ``(season, week)`` whose results are all in, with every earlier week of
    that season's regular season complete too (a week with one unscored game is not done).
    A season's postseason, once every bowl and playoff game has a score, is ``POSTSEASON``."""
    c = games.cols
    scored = ~(np.isnan(c["home_points"]) | np.isnan(c["away_points"]))
    for season in sorted({int(s) for s in c["season"][scored]}, reverse=True):
        mine = c["season"] == season
        regular = mine & (c["season_type"] == "regular")
        done: int | None = None
        for week in sorted({int(w) for w in c["week"][regular]}):
            if not scored[regular & (c["week"] == week)].all():
                break
            done = week
        else:
            post = mine & (c["season_type"] == "postseason")
            if done is not None and post.any() and scored[post].all():
                return season, POSTSEASON
        if done is not None:
            return season, done
    return None


def retrain_due(games: Games, trained_through: object) -> Through | None:
    """The newly complete week to retrain on, or None when the model already saw it.

    ``trained_through`` is the model's ``complete_through`` metadata (``[season, week]``);
    a model without it (trained by older code) is retrained once."""
    now = complete_through(games)
    if now is None:
        return None
    seen = isinstance(trained_through, (list, tuple)) and len(trained_through) == 2
    if seen and (int(trained_through[0]), int(trained_through[1])) >= now:  # type: ignore[index]
        return None
    return now
