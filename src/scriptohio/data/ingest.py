"""``scriptohio ingest``: add or update game results and team-game stats, atomically.

1. **Validate everything first**: header, every cell's type, enumerations, required values,
   duplicate keys, known teams (with suggestions), no score on a game that has not kicked off,
   team-game rows that belong to a known game and one of its two teams. Any error names the
   file, line, column and value, and nothing changes.
2. **Apply atomically**: one SQLite transaction writes only the rows that differ from the
   current view; a crash or kill before ``COMMIT`` leaves the previous state intact.
3. **Idempotent**: rows equal to what the view already has are skipped, so re-ingesting the
   same file changes nothing and publishes nothing.
4. **Record** what changed in the store's event log (the seasons, weeks, teams and games
   touched), which every process sharing the state directory reads; the result carries the
   same as a :class:`~scriptohio.events.DataChanged` for the caller.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scriptohio.data.csvfile import (
    Columns,
    check_header,
    iter_rows,
    parse_cell,
    read_header,
    rows_to_columns,
)
from scriptohio.data.dataset import Dataset, validate_games
from scriptohio.data.schema import GAMES, TEAM_GAMES, Column, FileSchema
from scriptohio.data.store import StateStore
from scriptohio.data.tables import kickoff_seconds
from scriptohio.errors import DataFormatError
from scriptohio.events import DataChanged

Row = dict[str, Any]  # typed cell values: int, float, bool, str or None


@dataclass(frozen=True, slots=True)
class IngestResult:
    games_new: int
    games_updated: int
    games_unchanged: int
    team_games_new: int
    team_games_updated: int
    team_games_unchanged: int
    data_version: int
    event: DataChanged | None
    lines_new: int = 0
    lines_updated: int = 0
    lines_unchanged: int = 0

    @property
    def changed(self) -> bool:
        return self.event is not None

    def as_json(self) -> dict[str, object]:
        ev = self.event
        return {
            "changed": self.changed,
            "data_version": self.data_version,
            "games": {"new": self.games_new, "updated": self.games_updated,
                      "unchanged": self.games_unchanged},
            "team_games": {"new": self.team_games_new, "updated": self.team_games_updated,
                           "unchanged": self.team_games_unchanged},
            "lines": {"new": self.lines_new, "updated": self.lines_updated,
                      "unchanged": self.lines_unchanged},
            "touched": None if ev is None else {
                "seasons": sorted(ev.seasons),
                "weeks": [list(w) for w in sorted(ev.weeks)],
                "teams": sorted(ev.teams),
                "game_ids": sorted(ev.game_ids),
            },
        }


def parse_file(path: Path, schema: FileSchema) -> list[tuple[int, Row]]:
    """Every row of ``path`` typed per ``schema``; the first bad cell raises."""
    if not path.is_file():
        raise DataFormatError("no such file", file=str(path))
    header = read_header(path)
    check_header(header, schema, path.name, required_only=True)
    columns = schema.typed_columns(header)
    absent = [c.name for c in schema.columns if c.name not in header]  # optional: empty
    rows: list[tuple[int, Row]] = []
    try:
        for line, raw in iter_rows(path):
            if None in raw or any(v is None for v in raw.values()):
                raise DataFormatError("wrong number of fields on this line", file=path.name,
                                      line=line)
            row = {c.name: _cell(raw[c.name], c, path.name, line) for c in columns}
            rows.append((line, row | dict.fromkeys(absent)))
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise DataFormatError(f"file is damaged or truncated ({exc})", file=path.name) from exc
    if not rows:
        raise DataFormatError("no data rows", file=path.name, line=2)
    return rows


def _cell(raw: str, col: Column, file: str, line: int) -> object:
    try:
        value = parse_cell(raw.strip(), col)
    except ValueError as exc:
        raise DataFormatError(f"expected {col.kind}", file=file, line=line, column=col.name,
                              value=raw) from exc
    if isinstance(value, float) and not math.isfinite(value):
        raise DataFormatError("not a finite number", file=file, line=line, column=col.name,
                              value=raw)
    if value is None and not col.nullable:
        raise DataFormatError("required value is empty", file=file, line=line, column=col.name,
                              value=raw)
    if col.choices is not None and value is not None and value not in col.choices:
        raise DataFormatError(f"expected one of {sorted(col.choices)}", file=file, line=line,
                              column=col.name, value=raw)
    return value


def _digest(row: Row) -> str:
    return hashlib.sha256(json.dumps(row, sort_keys=True).encode()).hexdigest()


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if a is None and isinstance(b, float) and math.isnan(b):
        return True
    if isinstance(a, bool | int | float) and isinstance(b, bool | int | float):
        return float(a) == float(b)
    return a == b


def _unchanged(row: Row, cols: Columns, index: int | None) -> bool:
    if index is None:
        return False
    return all(_same(v, cols[k][index]) for k, v in row.items() if k in cols)


def _check_teams(rows: list[tuple[int, Row]], columns: tuple[str, ...], dataset: Dataset,
                 file: str) -> None:
    known = dataset.games.teams
    for line, row in rows:
        for col in columns:
            name = row[col]
            if name not in known:
                # An ingested row must name the team exactly; a typo the resolver would
                # correct is still refused, with the correction as the hint.
                hints = dataset.teams.resolve(str(name))
                options = [hints.team] if hints.team else list(
                    hints.candidates or hints.suggestions)[:5]
                more = f"; did you mean {', '.join(options)}?" if options else ""
                raise DataFormatError(f"unknown team{more}", file=file, line=line, column=col,
                                      value=name)


def validate_games_file(path: Path, dataset: Dataset, *, now: float) -> list[tuple[int, Row]]:
    rows = parse_file(path, GAMES)
    _check_teams(rows, ("home_team", "away_team"), dataset, path.name)
    cols = rows_to_columns([r for _, r in rows], list(GAMES.columns))
    lines = [line for line, _ in rows]
    try:
        cols["kickoff"] = kickoff_seconds(cols["start_date"], cols["game_date"])
    except ValueError as exc:
        index, column = str(exc).split(":")
        raise DataFormatError("not a valid date/time", file=path.name, line=lines[int(index)],
                              column=column, value=cols[column][int(index)]) from exc
    try:
        validate_games(cols, path.name, now=now, first_line=0)
    except DataFormatError as exc:  # validate_games counts rows; name the physical line
        row = exc.line or 0
        reason = re.sub(r"first on line (\d+)", lambda m: f"first on line {lines[int(m[1])]}",
                        exc.reason)
        raise DataFormatError(reason, file=path.name, line=lines[row], column=exc.column,
                              value=exc.value) from exc
    return rows


def validate_team_games_file(path: Path, dataset: Dataset, new_games: dict[int, Row]
                             ) -> list[tuple[int, Row]]:
    rows = parse_file(path, TEAM_GAMES)
    seen: dict[tuple[object, object], int] = {}
    for line, row in rows:
        key = (row["game_id"], row["team"])
        if key in seen:
            raise DataFormatError(f"duplicate game_id, team (first on line {seen[key]})",
                                  file=path.name, line=line, column="team", value=row["team"])
        seen[key] = line
        game = new_games.get(row["game_id"])
        if game is None:
            known = dataset.games.get(int(row["game_id"]))
            teams = None if known is None else (known.home_team, known.away_team)
        else:
            teams = (game["home_team"], game["away_team"])
        if teams is None:
            raise DataFormatError("team-game row for an unknown game", file=path.name,
                                  line=line, column="game_id", value=row["game_id"])
        for col in ("team", "opponent"):
            if row[col] not in teams:
                raise DataFormatError(f"not one of this game's teams {list(teams)}",
                                      file=path.name, line=line, column=col, value=row[col])
    return rows


def ingest_files(
    store: StateStore,
    dataset: Dataset,
    games_path: Path,
    team_games_path: Path | None = None,
    *,
    now: float | None = None,
    on_row: Callable[[int], None] | None = None,
    lines: Sequence[Row] = (),
) -> IngestResult:
    """Validate both files, then apply the changed rows in one transaction and log them.

    ``lines`` are betting lines per (game, provider) (a pull's; validated by the caller):
    written in the same transaction, only those that differ from the stored ones. The game's
    consensus line lives in its games row, so lines alone publish no data change.
    """
    now = time.time() if now is None else now
    games = validate_games_file(games_path, dataset, now=now)
    new_games = {int(r["game_id"]): r for _, r in games}
    team_games = (validate_team_games_file(team_games_path, dataset, new_games)
                  if team_games_path is not None else [])

    gcols, tcols = dataset.games.cols, dataset.team_games.cols
    g_changed = [r for _, r in games
                 if not _unchanged(r, gcols, dataset.games.row_of(int(r["game_id"])))]
    t_changed = [r for _, r in team_games
                 if not _unchanged(r, tcols, dataset.team_games.row_of(
                     int(r["game_id"]), str(r["team"])))]
    g_new = sum(dataset.games.row_of(int(r["game_id"])) is None for r in g_changed)
    t_new = sum(dataset.team_games.row_of(int(r["game_id"]), str(r["team"])) is None
                for r in t_changed)

    stored_lines = {(int(str(r["game_id"])), str(r["provider"])): r
                    for r in store.ingested_lines(sorted({int(r["game_id"]) for r in lines}))}
    l_changed = [r for r in lines
                 if stored_lines.get((int(r["game_id"]), str(r["provider"]))) != r]
    l_new = sum((int(r["game_id"]), str(r["provider"])) not in stored_lines for r in l_changed)

    event: DataChanged | None = None
    version = dataset.version
    stamp = time.time()
    if l_changed and not (g_changed or t_changed):
        with store.transaction() as conn:
            _write_lines(conn, l_changed, stamp)
    if g_changed or t_changed:
        touched_games = {int(r["game_id"]): r for r in g_changed}
        for r in t_changed:
            gid = int(r["game_id"])
            if gid not in touched_games:
                touched_games[gid] = new_games.get(gid) or _game_row(dataset, gid)
        seasons = frozenset(int(r["season"]) for r in touched_games.values())
        weeks = frozenset((int(r["season"]), str(r["season_type"]), int(r["week"]))
                          for r in touched_games.values())
        # a game moved to another week leaves its old week's answers stale too
        weeks |= {(g.season, g.season_type, g.week) for g in
                  (dataset.games.get(gid) for gid in touched_games) if g is not None}
        teams = frozenset(str(r[s]) for r in touched_games.values()
                          for s in ("home_team", "away_team"))
        payload: dict[str, object] = {
            "seasons": sorted(seasons), "weeks": sorted(weeks), "teams": sorted(teams),
            "game_ids": sorted(touched_games),
        }
        with store.transaction() as conn:
            _write_lines(conn, l_changed, stamp)
            for i, r in enumerate(g_changed):
                conn.execute(
                    "INSERT OR REPLACE INTO ingested_games (game_id, row, digest, ingested_at)"
                    " VALUES (?, ?, ?, ?)",
                    (r["game_id"], json.dumps(r, sort_keys=True), _digest(r), stamp),
                )
                if on_row is not None:
                    on_row(i)
            for r in t_changed:
                conn.execute(
                    "INSERT OR REPLACE INTO ingested_team_games"
                    " (game_id, team, row, digest, ingested_at) VALUES (?, ?, ?, ?, ?)",
                    (r["game_id"], r["team"], json.dumps(r, sort_keys=True), _digest(r), stamp),
                )
            version = StateStore.append_event(conn, "ingest", payload)
        event = DataChanged(seasons=seasons, weeks=weeks, teams=teams,
                            game_ids=frozenset(touched_games), version=version)
    return IngestResult(
        games_new=g_new, games_updated=len(g_changed) - g_new,
        games_unchanged=len(games) - len(g_changed),
        team_games_new=t_new, team_games_updated=len(t_changed) - t_new,
        team_games_unchanged=len(team_games) - len(t_changed),
        data_version=version, event=event,
        lines_new=l_new, lines_updated=len(l_changed) - l_new,
        lines_unchanged=len(lines) - len(l_changed),
    )


def _write_lines(conn: sqlite3.Connection, rows: Sequence[Row], stamp: float) -> None:
    for r in rows:
        conn.execute(
            "INSERT OR REPLACE INTO ingested_lines (game_id, provider, row, digest, ingested_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (r["game_id"], r["provider"], json.dumps(r, sort_keys=True), _digest(r), stamp),
        )


def _game_row(dataset: Dataset, game_id: int) -> Row:
    g = dataset.games.get(game_id)
    assert g is not None  # validated above
    return {"season": g.season, "season_type": g.season_type, "week": g.week,
            "home_team": g.home_team, "away_team": g.away_team}
