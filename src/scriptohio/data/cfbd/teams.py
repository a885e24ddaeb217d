"""CFBD teams onto our team names, with CFBD's team id as the stable key.

CFBD's team ids are ESPN's, which our data carries (``home_id`` / ``away_id`` / ``team_id``),
so a team CFBD has renamed still maps to the name our data uses. A team whose id is unknown is
matched by exact name; one unknown by both is reported and its games are left out of the pull.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from scriptohio.data.dataset import Dataset


@dataclass(frozen=True, slots=True)
class TeamIndex:
    by_id: dict[int, str]
    names: frozenset[str]
    #: CFBD name -> our name, for every team CFBD called by another name (reported)
    renamed: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_dataset(cls, dataset: Dataset) -> TeamIndex:
        c = dataset.games.cols
        by_id: dict[int, str] = {}
        for ids, names in ((c["home_id"], c["home_team"]), (c["away_id"], c["away_team"])):
            for team_id, name in zip(ids.tolist(), names.tolist(), strict=True):
                if team_id is not None and not (isinstance(team_id, float)
                                                and math.isnan(team_id)):
                    by_id[int(team_id)] = str(name)
        return cls(by_id=by_id, names=frozenset(dataset.games.teams))

    def name(self, team_id: int | None, cfbd_name: str) -> str | None:
        """Our name for a CFBD team, or ``None`` when neither its id nor its name is known."""
        ours = self.by_id.get(int(team_id)) if team_id is not None else None
        if ours is None:
            return cfbd_name if cfbd_name in self.names else None
        if ours != cfbd_name:
            self.renamed[cfbd_name] = ours
        return ours
