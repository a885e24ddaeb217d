"""What one load-test run should do: a frozen, JSON-serialisable specification.

The spec is the only thing the parent process (``run_loadtest``) hands to the Locust engine
process, so every knob of a run lives here with its ``DEFAULT_*`` value.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from scriptohio.data.paths import find_data_dir
from scriptohio.errors import NotFoundError
from scriptohio.loadtest.retry import DEFAULT_RETRY_ATTEMPTS, DEFAULT_RETRY_MAX_WAIT_S, RetryPolicy

DEFAULT_SCENARIO = "normal"
DEFAULT_THINK_SCALE = 1.0
DEFAULT_SCRAPE_INTERVAL_S = 1.0
DEFAULT_SEED = 20261127
#: Requests one open-model generator may keep in flight; beyond it the scheduler waits, but
#: latency still counts from the intended send time, so waiting shows up as latency.
DEFAULT_MAX_INFLIGHT = 200
DEFAULT_REQUEST_TIMEOUT_S = 30.0
#: Clients honour Retry-After on 503/429 (see :mod:`scriptohio.loadtest.retry`).
DEFAULT_RETRY_AFTER = True
#: Locust's usual master port; remote workers connect here unless told otherwise.
DEFAULT_MASTER_PORT = 5557
#: How long the master waits for its workers (local and remote) to connect.
WORKER_CONNECT_TIMEOUT_S = 60.0


def default_games_csv() -> str:
    """The real games file when the entry point did not name one: SCRIPTOHIO_DATA_DIR's if it
    holds one, else ./data's, else ../shared/data's."""
    configured = os.environ.get("SCRIPTOHIO_DATA_DIR")
    if configured and (Path(configured) / "games.csv").is_file():
        return str(Path(configured) / "games.csv")
    try:
        return str(find_data_dir(None) / "games.csv")  # ./data, then ../shared/data
    except NotFoundError:
        return "data/games.csv"


@dataclass(frozen=True, slots=True)
class LoadTestSpec:
    """One run: where, which load, how long, and how it is measured.

    ``scale`` multiplies every stage duration of the scenario (0.01 turns a 10-minute scenario
    into 6 s) and every persona session length; ``think_scale`` multiplies think times (kept
    separate because compressing think time raises each user's request rate, which changes
    what the run measures, e.g. per-user rate limits). ``users`` rescales the scenario's user
    counts so its peak equals ``users``. ``arrival_rate`` (requests/s) switches to the open
    model: a fixed request schedule instead of users.
    """

    host: str
    scenario: str = DEFAULT_SCENARIO
    users: int | None = None
    scale: float = 1.0
    think_scale: float = DEFAULT_THINK_SCALE
    duration_s: float | None = None
    arrival_rate: float | None = None
    workers: int = 0
    games_csv: str = field(default_factory=default_games_csv)
    seed: int = DEFAULT_SEED
    scrape_interval_s: float = DEFAULT_SCRAPE_INTERVAL_S
    max_inflight: int = DEFAULT_MAX_INFLIGHT
    request_timeout_s: float = DEFAULT_REQUEST_TIMEOUT_S
    scrape_metrics: bool = True
    #: Workers started by hand on other machines; the master waits for them too.
    remote_workers: int = 0
    master_bind_host: str = "127.0.0.1"  # "0.0.0.0" to accept remote workers
    master_port: int | None = None  # None: a free port (local workers only)
    #: users wait ``Retry-After`` and retry a 503/429, up to ``retry_attempts`` attempts in all
    retry_after: bool = DEFAULT_RETRY_AFTER
    retry_attempts: int = DEFAULT_RETRY_ATTEMPTS
    retry_max_wait_s: float = DEFAULT_RETRY_MAX_WAIT_S

    def retry_policy(self) -> RetryPolicy | None:
        """The users' policy for refusals, or None when they take every answer as final."""
        if not self.retry_after:
            return None
        return RetryPolicy(max_attempts=self.retry_attempts, max_wait_s=self.retry_max_wait_s)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_mapping(cls, raw: dict[str, Any]) -> LoadTestSpec:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in raw.items() if k in known})

    @classmethod
    def from_json(cls, text: str) -> LoadTestSpec:
        return cls.from_mapping(json.loads(text))
