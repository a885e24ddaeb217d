"""Conference divisions by season (``divisions.toml`` next to this module).

games.csv has no divisions; the table is the conferences' published alignment for the
seasons a conference had two divisions (its title game then paired the division winners).
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from scriptohio.errors import DataFormatError

__all__ = ["DIVISIONS_FILE", "season_divisions"]

DIVISIONS_FILE = Path(__file__).with_name("divisions.toml")


@cache
def _table(path: Path) -> dict[int, dict[tuple[str, str], str]]:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DataFormatError(str(exc), file=str(path)) from exc
    out: dict[int, dict[tuple[str, str], str]] = {}
    for entry in raw.get("conference", []):
        name = entry["name"]
        groups = {k: v for k, v in entry.items() if k not in ("name", "seasons")}
        if len(groups) != 2:
            raise DataFormatError(f"{name}: two divisions expected, not {sorted(groups)}",
                                  file=str(path))
        for season in entry["seasons"]:
            table = out.setdefault(int(season), {})
            for division, teams in groups.items():
                for team in teams:
                    table[(name, team)] = division
    return out


def season_divisions(season: int, path: Path = DIVISIONS_FILE) -> dict[tuple[str, str], str]:
    """``{(conference, team): division}`` for the conferences with divisions in ``season``."""
    return dict(_table(path).get(season, {}))
