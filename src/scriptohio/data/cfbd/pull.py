"""``scriptohio data pull``: fetch weeks from CollegeFootballData.com, write them through ingest.

1. **Fetch everything first** (games, every provider's lines, box scores, advanced stats) for
   the weeks asked; any failure after the client's retries raises
   :class:`~scriptohio.errors.UpstreamError` before anything is written.
2. **Map** onto our schema and team names (:mod:`.mapping`, :mod:`.teams`); games with a team
   we cannot place are left out and listed in the result, never guessed.
3. **Ingest** the rows as CSV files through :func:`~scriptohio.data.ingest.ingest_files`:
   validated first, one transaction, only rows that differ are written, so pulling an unchanged
   week changes nothing and invalidates nothing. A running service sharing the state
   directory sees the new data version and swaps the new results in without a restart.
"""

from __future__ import annotations

import csv
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scriptohio.data.cfbd import mapping
from scriptohio.data.cfbd.client import CfbdClient
from scriptohio.data.cfbd.teams import TeamIndex
from scriptohio.data.dataset import Dataset
from scriptohio.data.ingest import IngestResult, ingest_files
from scriptohio.data.schema import GAMES, TEAM_GAMES
from scriptohio.data.store import StateStore

Row = dict[str, Any]
SEASON_TYPES = ("regular", "postseason")


@dataclass(frozen=True, slots=True)
class PullRequest:
    """What to pull: one season, some or all weeks, one or both season types.

    With both season types and ``weeks``, the weeks are the regular season's and the whole
    postseason comes too (CFBD numbers every postseason game week 1): ``--weeks 10-15
    --season-type both`` is "the rest of the season".
    """

    season: int
    weeks: tuple[int, ...] | None = None  # None = every week CFBD lists
    season_types: tuple[str, ...] = SEASON_TYPES
    advanced: bool = True

    def describe(self) -> str:
        weeks = "all weeks" if self.weeks is None else (
            f"week {self.weeks[0]}" if len(self.weeks) == 1
            else f"weeks {self.weeks[0]}-{self.weeks[-1]}")
        if len(self.season_types) == 1:
            return f"{self.season} {self.season_types[0]} {weeks}"
        return f"{self.season} regular {weeks} + postseason"


@dataclass(slots=True)
class Fetched:
    """CFBD's answers for one pull, as plain records."""

    games: list[Row] = field(default_factory=list)
    lines: list[Row] = field(default_factory=list)
    team_stats: list[Row] = field(default_factory=list)
    advanced: list[Row] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class PullResult:
    request: PullRequest
    source: str
    requests: int
    retries: int
    seconds: float
    not_modified: int
    fetched: dict[str, int]
    ingest: IngestResult | None
    skipped: list[dict[str, object]]
    renamed: dict[str, str]

    @property
    def changed(self) -> bool:
        return self.ingest is not None and self.ingest.changed

    def as_json(self) -> dict[str, object]:
        return {
            "pulled": self.request.describe(), "source": self.source,
            "requests": self.requests, "retries": self.retries,
            "not_modified": self.not_modified, "seconds": round(self.seconds, 3),
            "fetched": self.fetched,
            "changed": self.changed,
            "ingest": None if self.ingest is None else self.ingest.as_json(),
            "skipped": self.skipped, "renamed": self.renamed,
        }


def fetch(client: CfbdClient, request: PullRequest) -> Fetched:
    """Every answer a pull needs; raises before returning anything if one request fails."""
    out = Fetched()
    for season_type in request.season_types:
        weeks: Iterable[int | None] = (None,)
        if request.weeks is not None and (season_type == "regular"
                                          or len(request.season_types) == 1):
            weeks = request.weeks
        games: list[Row] = []
        for week in weeks:
            games += client.games(request.season, season_type, week)
            out.lines += client.lines(request.season, season_type, week)
            if request.advanced:
                out.advanced += client.advanced(request.season, season_type, week)
        out.games += games
        # CFBD serves box scores per week only; ask for the weeks that have a finished game
        for week in sorted({int(g["week"]) for g in games if g.get("completed")}):
            out.team_stats += client.team_stats(request.season, season_type, week)
    return out


@dataclass(slots=True)
class Mapped:
    games: list[Row] = field(default_factory=list)
    team_games: list[Row] = field(default_factory=list)
    lines: list[Row] = field(default_factory=list)
    skipped: list[dict[str, object]] = field(default_factory=list)


def map_fetched(fetched: Fetched, dataset: Dataset | None, teams: TeamIndex) -> Mapped:
    """Our rows for CFBD's answers, on top of what ``dataset`` (if any) already holds."""

    def base_game(gid: int) -> Row:
        if dataset is None:
            return {}
        return mapping.existing_row(dataset.games.cols, dataset.games.row_of(gid), GAMES)

    def base_team_game(gid: int, team: str) -> Row:
        if dataset is None:
            return {}
        return mapping.existing_row(dataset.team_games.cols,
                                    dataset.team_games.row_of(gid, team), TEAM_GAMES)

    out = Mapped()
    lines = mapping.line_rows(fetched.lines)
    games: dict[int, Row] = {}
    cfbd_sides: dict[int, dict[str, str]] = {}  # game -> CFBD team name -> home/away
    for record in fetched.games:
        gid = int(record["id"])
        if gid in games:
            continue
        row = mapping.game_row(record, teams, base_game(gid), lines.get(gid, []))
        if isinstance(row, str):
            out.skipped.append({"game_id": gid, "reason": row,
                                "game": f"{record['away_team']} at {record['home_team']}"})
            continue
        games[gid] = row
        cfbd_sides[gid] = {str(record["home_team"]): "home", str(record["away_team"]): "away"}
    out.games = list(games.values())
    out.lines = [line for gid in games for line in lines.get(gid, [])]

    team_rows: dict[tuple[int, str], Row] = {}

    def row_for(gid: int, side: str) -> Row:
        game = games[gid]
        key = (gid, str(game[f"{side}_team"]))
        if key not in team_rows:
            team_rows[key] = mapping.team_game_row(game, side, base_team_game(*key))
        return team_rows[key]

    for record in fetched.team_stats:
        gid = int(record["id"])
        if gid not in games:
            continue
        for team in record.get("teams") or []:
            side = team.get("home_away")
            if side in ("home", "away"):
                mapping.add_box_score(row_for(gid, side), team)
    for record in fetched.advanced:
        gid = int(record["game_id"])
        side = cfbd_sides.get(gid, {}).get(str(record.get("team")))
        if side is not None:
            mapping.add_advanced(row_for(gid, side), record)
    out.team_games = list(team_rows.values())
    return out


def pull(client: CfbdClient, store: StateStore, dataset: Dataset, request: PullRequest, *,
         now: float | None = None) -> PullResult:
    """Fetch, map and ingest one request (see the module docstring)."""
    started = time.perf_counter()
    requests_before, retries_before = client.requests, client.retries
    not_modified_before = client.not_modified
    fetched = fetch(client, request)
    teams = TeamIndex.from_dataset(dataset)
    mapped = map_fetched(fetched, dataset, teams)
    result = None
    if mapped.games:
        with tempfile.TemporaryDirectory(prefix="scriptohio-pull-") as tmp:
            games_csv = write_csv(Path(tmp) / "games.csv", mapped.games,
                                  [c.name for c in GAMES.columns])
            team_games_csv = None
            if mapped.team_games:
                team_games_csv = write_csv(Path(tmp) / "team_games.csv", mapped.team_games,
                                           [c.name for c in TEAM_GAMES.columns])
            result = ingest_files(store, dataset, games_csv, team_games_csv,
                                  lines=mapped.lines, now=now)
    return PullResult(
        request=request, source=client.base_url,
        requests=client.requests - requests_before, retries=client.retries - retries_before,
        seconds=time.perf_counter() - started,
        not_modified=client.not_modified - not_modified_before,
        fetched={"games": len(fetched.games), "lines": sum(len(g.get("lines") or [])
                                                          for g in fetched.lines),
                 "team_games": sum(len(r.get("teams") or []) for r in fetched.team_stats),
                 "advanced": len(fetched.advanced)},
        ingest=result, skipped=mapped.skipped, renamed=dict(sorted(teams.renamed.items())),
    )


def write_csv(path: Path, rows: Sequence[Row], first: Sequence[str],
              on_cell: Callable[[object], str] | None = None) -> Path:
    """``rows`` as CSV in the data files' conventions: ``first`` columns, then the rest."""
    header = list(first) + sorted({k for r in rows for k in r} - set(first))
    cell = on_cell or csv_cell
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for r in rows:
            writer.writerow([cell(r.get(name)) for name in header])
    return path


def csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)
