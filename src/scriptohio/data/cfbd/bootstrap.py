"""``scriptohio data pull --seasons A-B``: a first full download into an empty data directory.

Everything is fetched first; the four data files are then written into a temporary folder
beside the target, loaded and validated there like any data directory, and only then renamed
into place, so a failed or interrupted download leaves no data directory behind. Team names are
CFBD's own (its current names for every season, as in the shipped data). CFBD's season stats
are not mapped: ``team_seasons.csv`` is written with its header only.
"""

from __future__ import annotations

import gzip
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from scriptohio.data.cfbd.client import CfbdClient
from scriptohio.data.cfbd.mapping import LINE_FIELDS
from scriptohio.data.cfbd.pull import SEASON_TYPES, Fetched, PullRequest, fetch, map_fetched
from scriptohio.data.cfbd.pull import write_csv as write_rows
from scriptohio.data.cfbd.teams import TeamIndex
from scriptohio.data.dataset import load_dataset
from scriptohio.data.schema import GAMES, TALENT, TEAM_GAMES, TEAM_SEASONS
from scriptohio.errors import ValidationError


def download_seasons(client: CfbdClient, target: Path, seasons: Sequence[int], *,
                     advanced: bool = True) -> dict[str, object]:
    """Fetch ``seasons`` whole and write them as a new data directory at ``target``."""
    target = target.expanduser().resolve()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ValidationError(f"{target} is not empty: a full download (--seasons) goes into"
                              " an empty or new directory; update it with --season S")
    all_fetched = Fetched()
    talent: list[dict[str, object]] = []
    for season in seasons:
        got = fetch(client, PullRequest(season, None, SEASON_TYPES, advanced=advanced))
        all_fetched.games += got.games
        all_fetched.lines += got.lines
        all_fetched.team_stats += got.team_stats
        all_fetched.advanced += got.advanced
        talent += [{"season": int(t["year"]), "team": str(t["team"]),
                    "talent": float(t["talent"]), "source": "cfbd_talent"}
                   for t in client.talent(season)]
    names = {str(g[f"{s}_team"]) for g in all_fetched.games for s in ("home", "away")}
    mapped = map_fetched(all_fetched, None, TeamIndex(by_id={}, names=frozenset(names)))
    if not mapped.games:
        raise ValidationError(f"CFBD listed no games for seasons {seasons[0]}-{seasons[-1]}")

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        write_rows(tmp / "games.csv", mapped.games, [c.name for c in GAMES.columns])
        plain = write_rows(tmp / "team_games.csv", mapped.team_games,
                           [c.name for c in TEAM_GAMES.columns])
        with open(plain, "rb") as src, gzip.open(tmp / "team_games.csv.gz", "wb") as dst:
            shutil.copyfileobj(src, dst)
        plain.unlink()
        (tmp / "team_seasons.csv").write_text(
            ",".join(c.name for c in TEAM_SEASONS.columns) + "\n", encoding="utf-8")
        write_rows(tmp / "talent.csv", talent, [c.name for c in TALENT.columns])
        write_rows(tmp / "lines.csv", mapped.lines, ["game_id", "provider", *LINE_FIELDS])
        dataset = load_dataset(tmp)  # validated like any data directory, before it is used
        if target.exists():
            target.rmdir()
        os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return {"data_dir": str(target), "seasons": list(seasons), "requests": client.requests,
            "retries": client.retries, "games": len(dataset.games.cols["game_id"]),
            "team_games": dataset.team_games.n, "talent": len(talent),
            "lines": len(mapped.lines), "skipped": mapped.skipped}
