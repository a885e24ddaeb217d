"""Which weeks a scheduled refresh pulls, and how often: pure decisions over the loaded games.

Due, in the newest season of the data: every week with a game that has kicked off but has no
score yet (results to fetch), the week of the latest scored game within the last
:data:`RECENT_S` (late corrections), and every week with a game kicking off within the next
:data:`AHEAD_S` (lines move until kickoff). Nothing due (the off-season) means no request.

When to retrain after a pull is :mod:`scriptohio.data.completeness`.
"""

from __future__ import annotations

import numpy as np

from scriptohio.data.cfbd.pull import PullRequest
from scriptohio.data.tables import Games

RECENT_S = 8 * 86400.0
AHEAD_S = 7 * 86400.0

def due_request(games: Games, now: float) -> PullRequest | None:
    """The pull a refresh at ``now`` (epoch seconds) should make, or ``None``."""
    c = games.cols
    if len(c["season"]) == 0:
        return None
    season = int(np.max(c["season"]))
    mine = c["season"] == season
    kickoff = c["kickoff"]
    unscored = np.isnan(c["home_points"]) | np.isnan(c["away_points"])
    due = mine & (kickoff <= now) & unscored
    due |= mine & (kickoff > now) & (kickoff <= now + AHEAD_S)
    recent = mine & ~unscored & (kickoff <= now) & (kickoff > now - RECENT_S)
    if recent.any():
        latest = int(np.argmax(np.where(recent, kickoff, -np.inf)))
        due[latest] = True
    if not due.any():
        return None
    types = {str(t) for t in c["season_type"][due]}
    weeks = tuple(sorted({int(w) for w, t in zip(c["week"][due], c["season_type"][due],
                                                 strict=True) if t == "regular"}))
    if types == {"postseason"}:
        return PullRequest(season, None, ("postseason",))
    if types == {"regular"}:
        return PullRequest(season, weeks, ("regular",))
    return PullRequest(season, weeks, ("regular", "postseason"))
