"""The loaded view of the data: shipped files plus ingested rows, validated and indexed.

:func:`load_dataset` builds a complete new :class:`Dataset` or raises; it never mutates an
existing one, so a failed load leaves nothing half-loaded behind (callers swap the reference
only on success). An ingested row wins over a shipped row with the same key.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from scriptohio.data.csvfile import Columns, read_table, rows_to_columns
from scriptohio.data.schema import GAMES, TALENT, TEAM_GAMES, TEAM_SEASONS, Column, FileSchema
from scriptohio.data.store import StateStore
from scriptohio.data.tables import Games, Talent, TeamGames, TeamSeasons, kickoff_seconds
from scriptohio.errors import DataFormatError

if TYPE_CHECKING:
    from scriptohio.data.occasions import Occasion
    from scriptohio.data.teams import TeamResolver


@dataclass(frozen=True, eq=False)
class Dataset:
    """Everything the service knows about games and teams, immutable once built."""

    data_dir: Path
    games: Games
    team_games: TeamGames
    team_seasons: TeamSeasons
    talent: Talent
    version: int = 0
    load_seconds: float = 0.0
    ingested_games: int = 0
    ingested_team_games: int = 0
    #: every provider's lines per game as pulled from CFBD (``data pull``): spreads, totals,
    #: moneylines; empty for the shipped data, which has one consensus line per game
    lines: Mapping[int, tuple[Mapping[str, object], ...]] = field(default_factory=dict)

    @cached_property
    def teams(self) -> TeamResolver:
        from scriptohio.data.teams import TeamResolver

        return TeamResolver(sorted(self.games.teams))

    def occasions(self, season: int) -> dict[int, Occasion]:
        """``{game_id: Occasion}``: the season's title games, bowls and playoff games."""
        found = self._occasions.get(season)
        if found is None:  # computed on first use; a racing second computation is harmless
            from scriptohio.data.occasions import season_occasions

            found = self._occasions[season] = season_occasions(self.games, season)
        return found

    @cached_property
    def _occasions(self) -> dict[int, dict[int, Occasion]]:
        return {}

    @cached_property
    def fbs_teams_by_season(self) -> dict[int, frozenset[str]]:
        c = self.games.cols
        out: dict[int, set[str]] = {}
        for season, team, div in zip(
            np.concatenate([c["season"], c["season"]]).tolist(),
            np.concatenate([c["home_team"], c["away_team"]]).tolist(),
            np.concatenate([c["home_division"], c["away_division"]]).tolist(),
            strict=True,
        ):
            if div == "fbs":
                out.setdefault(season, set()).add(team)
        return {s: frozenset(t) for s, t in out.items()}


def load_dataset(
    data_dir: Path,
    store: StateStore | None = None,
    *,
    now: float | None = None,
) -> Dataset:
    """Load, validate and index the data in ``data_dir`` plus ``store``'s ingested rows."""
    started = time.perf_counter()
    version = store.data_version() if store is not None else 0
    games_cols = read_table(data_dir / "games.csv", GAMES)
    tg_cols = read_table(data_dir / "team_games.csv.gz", TEAM_GAMES)
    ts_cols = read_table(data_dir / "team_seasons.csv", TEAM_SEASONS)
    talent_cols = read_table(data_dir / "talent.csv", TALENT)

    games_cols["kickoff"] = _kickoffs(games_cols, "games.csv")
    validate_games(games_cols, "games.csv", now=time.time() if now is None else now)
    _check_unique(tg_cols, TEAM_GAMES, "team_games.csv.gz")
    _check_unique(ts_cols, TEAM_SEASONS, "team_seasons.csv")
    _check_unique(talent_cols, TALENT, "talent.csv")

    n_games = n_tg = 0
    lines: dict[int, tuple[Mapping[str, object], ...]] = {}
    if store is not None:
        for row in store.ingested_lines():
            gid = int(str(row["game_id"]))
            lines[gid] = (*lines.get(gid, ()), row)
        extra_games = store.ingested_games()
        extra_tg = store.ingested_team_games()
        n_games, n_tg = len(extra_games), len(extra_tg)
        if extra_games:
            games_cols = merge_rows(games_cols, extra_games, GAMES, key=("game_id",))
            games_cols["kickoff"] = _kickoffs(games_cols, "state.sqlite")
        if extra_tg:
            tg_cols = merge_rows(tg_cols, extra_tg, TEAM_GAMES, key=("game_id", "team"))

    known_games = set(games_cols["game_id"].tolist())
    missing = [g for g in tg_cols["game_id"].tolist() if g not in known_games]
    if missing:
        i = tg_cols["game_id"].tolist().index(missing[0])
        raise DataFormatError(
            "team-game row for a game that is not in games.csv",
            file="team_games.csv.gz", line=i + 2, column="game_id", value=missing[0],
        )
    return Dataset(
        data_dir=data_dir,
        games=Games(games_cols),
        team_games=TeamGames(tg_cols),
        team_seasons=TeamSeasons(ts_cols),
        talent=Talent(talent_cols),
        version=version,
        load_seconds=time.perf_counter() - started,
        ingested_games=n_games,
        ingested_team_games=n_tg,
        lines=lines,
    )


def _kickoffs(cols: Columns, file: str) -> np.ndarray:
    try:
        return kickoff_seconds(cols["start_date"], cols["game_date"])
    except ValueError as exc:
        index, column = str(exc).split(":")
        raise DataFormatError(
            "not a valid date/time (expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)",
            file=file, line=int(index) + 2, column=column, value=cols[column][int(index)],
        ) from exc


def _check_unique(cols: Columns, schema: FileSchema, file: str, first_line: int = 2) -> None:
    keys = list(zip(*(cols[k].tolist() for k in schema.key), strict=True))
    seen: dict[object, int] = {}
    for i, key in enumerate(keys):
        if key in seen:
            raise DataFormatError(
                f"duplicate key {', '.join(schema.key)} (first on line {seen[key] + first_line})",
                file=file, line=i + first_line, column=schema.key[-1], value=key[-1],
            )
        seen[key] = i


def validate_games(cols: Columns, file: str, *, now: float, first_line: int = 2) -> None:
    """Row rules of games: unique ids, two different teams, sane scores, no future scores."""
    _check_unique(cols, GAMES, file, first_line)

    def fail(mask: np.ndarray, column: str, detail: str) -> None:
        if mask.any():
            i = int(np.argmax(mask))
            raise DataFormatError(
                detail, file=file, line=first_line + i, column=column, value=cols[column][i]
            )

    fail(cols["home_team"] == cols["away_team"], "away_team", "a team cannot play itself")
    fail((cols["season"] < 1869) | (cols["season"] > 2100), "season", "season out of range")
    fail((cols["week"] < 0) | (cols["week"] > 25), "week", "week must be between 0 and 25")
    for side in ("home_points", "away_points"):
        fail(cols[side] < 0, side, "points cannot be negative")
    scored = ~np.isnan(cols["home_points"]) | ~np.isnan(cols["away_points"])
    fail(scored & (np.isnan(cols["home_points"]) | np.isnan(cols["away_points"])),
         "home_points", "a score needs both home_points and away_points")
    fail(scored & (cols["kickoff"] > now), "home_points",
         "a score on a game that has not kicked off yet")


def merge_rows(
    base: Columns,
    rows: Sequence[Mapping[str, object]],
    schema: FileSchema,
    *,
    key: tuple[str, ...],
) -> Columns:
    """``base`` with ``rows`` (already typed) replacing rows of the same key or appended."""
    columns = [schema.column(name) or Column(name, "float") for name in base if name != "kickoff"]
    new = rows_to_columns(list(rows), columns)
    new_keys = set(zip(*(new[k].tolist() for k in key), strict=True))
    base_keys = list(zip(*(base[k].tolist() for k in key), strict=True))
    keep = np.fromiter((k not in new_keys for k in base_keys), dtype=bool, count=len(base_keys))
    return {c.name: np.concatenate([base[c.name][keep], new[c.name]]) for c in columns}
