"""Where the data and the service's state live.

The lookup order is fixed by the contract: ``SCRIPTOHIO_DATA_DIR``, else ``./data``, else
``../shared/data``. Only entry points read the environment; they pass the value in here.
"""

from __future__ import annotations

from pathlib import Path

from scriptohio.errors import NotFoundError

REQUIRED_FILES = ("games.csv", "team_games.csv.gz", "team_seasons.csv", "talent.csv")
#: seasons a first download fetches (the seasons with market lines and kickoff times)
FIRST_DOWNLOAD_SEASONS = "2014-2025"


def how_to_get_data(target: Path) -> str:
    """What a user without data can do: the two ways, spelled out."""
    return (
        "To get data, do one of:\n"
        "  * download it from CollegeFootballData.com: get a free API key at"
        " https://collegefootballdata.com/key, then\n"
        f"      export CFBD_API_KEY=<your key>; scriptohio data pull --seasons"
        f" {FIRST_DOWNLOAD_SEASONS}\n"
        f"    (writes {target}; `make serve` runs this for you when CFBD_API_KEY is set)\n"
        "  * or point SCRIPTOHIO_DATA_DIR at a copy of the Script Ohio data (a folder with "
        + ", ".join(REQUIRED_FILES) + ")"
    )
DEFAULT_STATE_DIR = Path("var")


def find_data_dir(configured: str | Path | None = None, *, cwd: Path | None = None) -> Path:
    """The data directory: ``configured`` if given, else ``./data``, else ``../shared/data``."""
    base = cwd or Path.cwd()
    if configured:
        path = Path(configured).expanduser()
        path = path if path.is_absolute() else base / path
        if not (path / "games.csv").is_file():
            raise NotFoundError(f"SCRIPTOHIO_DATA_DIR={configured!s}: no games.csv in {path}.\n"
                                + how_to_get_data(path))
        return path.resolve()
    for candidate in (base / "data", base.parent / "shared" / "data"):
        if (candidate / "games.csv").is_file():
            return candidate.resolve()
    raise NotFoundError(
        f"no data directory found (looked for games.csv in {base / 'data'} and "
        f"{base.parent / 'shared' / 'data'}; SCRIPTOHIO_DATA_DIR is not set).\n"
        + how_to_get_data(base / "data")
    )


def state_dir(configured: str | Path | None = None, *, cwd: Path | None = None) -> Path:
    """The state directory (created if missing): ``configured`` else ``./var``."""
    base = cwd or Path.cwd()
    path = Path(configured).expanduser() if configured else DEFAULT_STATE_DIR
    path = path if path.is_absolute() else base / path
    path.mkdir(parents=True, exist_ok=True, mode=0o700)  # keys, users' progress, jobs
    return path.resolve()
