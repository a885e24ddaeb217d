"""Column specifications of the four data files (see ../shared/data/README.md).

A :class:`FileSchema` lists the columns a file must have, each with a kind, whether it may be
empty, and (for enumerations) the allowed values. Columns not listed are ignored, so files may
carry extra columns. Numeric columns of the wide stat tables are generated from their prefixes
rather than spelled out: every column not named explicitly in those files is a float.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["int", "float", "bool", "str"]


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    kind: Kind
    nullable: bool = True
    choices: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class FileSchema:
    """What one file must contain. ``other_kind`` types every column not listed explicitly."""

    name: str
    columns: tuple[Column, ...]
    other_kind: Kind | None = None
    key: tuple[str, ...] = field(default_factory=tuple)

    def column(self, name: str) -> Column | None:
        for col in self.columns:
            if col.name == name:
                return col
        return None

    def typed_columns(self, header: list[str]) -> list[Column]:
        """The columns to load, in header order: listed ones plus ``other_kind`` extras."""
        listed = {c.name: c for c in self.columns}
        out = [listed[h] for h in header if h in listed]
        if self.other_kind is not None:
            out += [Column(h, self.other_kind) for h in header if h not in listed]
        return out


SEASON_TYPES = frozenset({"regular", "postseason"})
DIVISIONS = frozenset({"fbs", "fcs", "other"})
HOME_AWAY = frozenset({"home", "away"})

GAMES = FileSchema(
    "games.csv",
    (
        Column("game_id", "int", nullable=False),
        Column("season", "int", nullable=False),
        Column("week", "int", nullable=False),
        Column("season_type", "str", nullable=False, choices=SEASON_TYPES),
        Column("start_date", "str"),
        Column("game_date", "str", nullable=False),
        Column("neutral_site", "bool"),
        Column("conference_game", "bool"),
        Column("home_team", "str", nullable=False),
        Column("home_id", "int"),
        Column("home_conference", "str"),
        Column("home_division", "str", choices=DIVISIONS),
        Column("away_team", "str", nullable=False),
        Column("away_id", "int"),
        Column("away_conference", "str"),
        Column("away_division", "str", choices=DIVISIONS),
        Column("home_points", "int"),
        Column("away_points", "int"),
        Column("spread", "float"),
        Column("over_under", "float"),
        Column("spread_source", "str"),
        Column("points_source", "str"),
    ),
    key=("game_id",),
)

TEAM_GAMES = FileSchema(
    "team_games.csv.gz",
    (
        Column("game_id", "int", nullable=False),
        Column("season", "int", nullable=False),
        Column("week", "int", nullable=False),
        Column("season_type", "str", nullable=False, choices=SEASON_TYPES),
        Column("team", "str", nullable=False),
        Column("team_id", "int"),
        Column("conference", "str"),
        Column("division", "str", choices=DIVISIONS),
        Column("opponent", "str", nullable=False),
        Column("opponent_id", "int"),
        Column("opponent_conference", "str"),
        Column("home_away", "str", nullable=False, choices=HOME_AWAY),
        Column("neutral_site", "bool"),
        Column("points", "int"),
        Column("opponent_points", "int"),
        Column("has_box_score", "bool"),
        Column("has_advanced", "bool"),
    ),
    other_kind="float",
    key=("game_id", "team"),
)

TEAM_SEASONS = FileSchema(
    "team_seasons.csv",
    (
        Column("season", "int", nullable=False),
        Column("team", "str", nullable=False),
        Column("conference", "str"),
        Column("has_season_stats", "bool"),
        Column("has_advanced", "bool"),
    ),
    other_kind="float",
    key=("season", "team"),
)

TALENT = FileSchema(
    "talent.csv",
    (
        Column("season", "int", nullable=False),
        Column("team", "str", nullable=False),
        Column("talent", "float", nullable=False),
        Column("source", "str"),
    ),
    key=("season", "team"),
)
