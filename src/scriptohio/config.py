"""Service configuration: one frozen dataclass, read from the environment only by entry points.

Environment variables (the contract's; CLI flags override them):

==========================  ==========================================  =============
variable                    meaning                                     default
==========================  ==========================================  =============
SCRIPTOHIO_DATA_DIR         data directory                              ./data, then ../shared/data
SCRIPTOHIO_STATE_DIR        the service's own state (SQLite, models)    ./var
SCRIPTOHIO_REDIS_URL        shared cache tier and global rate limits    unset = none
SCRIPTOHIO_AUTH             ``open`` or ``keys``                        open
SCRIPTOHIO_RATE_LIMIT       per-user rate limit                         100/minute
SCRIPTOHIO_MAX_INFLIGHT     admission bound on in-flight requests       1000
SCRIPTOHIO_WARM_CACHE       precompute likely answers at start-up        1 (0 = off)
SCRIPTOHIO_OPEN_ADMIN       open mode: loopback callers are admins       0 (off)
SCRIPTOHIO_ADDRESS_RATE_LIMIT  open mode: limit per client address      = RATE_LIMIT
SCRIPTOHIO_ADAPTIVE         latency-driven admission (opt-in, see       0 (1 = on)
                            docs/results/overload-cold.md)
SCRIPTOHIO_DRAIN_S          seconds between SIGTERM (readiness 503)     5
                            and the stop, for the balancer to see it
SCRIPTOHIO_REFRESH          scheduled CFBD pull: hourly, daily, seconds  off
SCRIPTOHIO_RETRAIN          with REFRESH: retrain when a pull completes  1 (0 = off)
                            a week the served model has not seen
SCRIPTOHIO_RETRAIN_CANARY   a retrained version starts as a canary       1 (0 = default
                            (docs/canary.md)                            at once)
SCRIPTOHIO_CFBD_URL         CFBD base URL                               the public API
CFBD_API_KEY                CFBD API key (pull, scheduled refresh)      unset
==========================  ==========================================  =============
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

DEFAULT_RATE_LIMIT = "100/minute"
DEFAULT_MAX_INFLIGHT = 1000
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
#: loopback and the private ranges (a load balancer, Prometheus); "*" = anyone
DEFAULT_OPS_ALLOW = "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7"
DEFAULT_CACHE_NAMESPACE = "scriptohio:cache"
#: seasons with market lines and kickoff times (2014 on) are warmed by default
DEFAULT_WARM_FIRST_SEASON = 2014
#: SIGTERM → readiness 503 → this many seconds still answering → stop (api.drain)
DEFAULT_DRAIN_S = 5.0
#: seconds a job's claim lasts unless renewed (api.job_runner)
DEFAULT_JOB_LEASE_S = 30.0

AuthMode = Literal["open", "keys"]
NAMED_INTERVALS = {"hourly": 3600.0, "daily": 86400.0}


def parse_interval(text: str) -> float:
    """``SCRIPTOHIO_REFRESH``: ``hourly``, ``daily`` or seconds (> 0)."""
    value = text.strip().lower()
    if value in NAMED_INTERVALS:
        return NAMED_INTERVALS[value]
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not seconds > 0:
        raise ValueError(f"SCRIPTOHIO_REFRESH must be hourly, daily or seconds > 0, not {text!r}")
    return seconds


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: str | None = None
    state_dir: str | None = None
    redis_url: str | None = None
    cache_namespace: str = DEFAULT_CACHE_NAMESPACE  # Redis key prefix of the shared cache
    auth: AuthMode = "open"
    rate_limit: str = DEFAULT_RATE_LIMIT
    max_inflight: int = DEFAULT_MAX_INFLIGHT
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    workers: int = 1
    warm_cache: bool = True
    warm_first_season: int = DEFAULT_WARM_FIRST_SEASON  # older seasons load on demand
    metrics: bool = True  # per-request HTTP metrics (off only to measure what they cost)
    #: open mode: a loopback caller is an administrator (off: admin needs key mode)
    open_admin: bool = False
    #: open mode: requests per client address, whatever X-User-Id says (None: rate_limit)
    address_rate_limit: str | None = None
    #: computations admitted by a limit that follows their latency, the rest shed at once
    #: (opt-in: under a closed-loop flood that ignores Retry-After it lowers goodput, see
    #: docs/results/overload-cold.md)
    adaptive_admission: bool = False
    #: this replica's name on /metrics (scriptohio_replica_info); None: host:port
    replica: str | None = None
    #: who may reach the operations endpoints besides administrators (addresses, CIDR, "*")
    ops_allow: str = DEFAULT_OPS_ALLOW
    #: scheduled CFBD pull every this many seconds (None: off); needs cfbd_api_key
    refresh_s: float | None = None
    #: with refresh: retrain and hot-reload when a pull completes a week (off: reload by hand)
    retrain: bool = True
    #: a retrained version starts a canary (off: it becomes the default at once)
    retrain_canary: bool = True
    cfbd_url: str | None = None
    cfbd_api_key: str | None = field(default=None, repr=False)
    #: seconds between SIGTERM (readiness 503 at once) and the stop, still answering
    drain_s: float = DEFAULT_DRAIN_S
    #: a job's claim lasts this long unless renewed: a replica killed mid-job has it run
    #: again by another this long after (SCRIPTOHIO_JOB_LEASE_S)
    job_lease_s: float = DEFAULT_JOB_LEASE_S

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        auth = env.get("SCRIPTOHIO_AUTH", "open").strip().lower() or "open"
        if auth not in ("open", "keys"):
            raise ValueError(f"SCRIPTOHIO_AUTH must be 'open' or 'keys', not {auth!r}")
        warm_first = env.get("SCRIPTOHIO_WARM_FIRST_SEASON", str(DEFAULT_WARM_FIRST_SEASON))
        if not warm_first.isdigit():
            raise ValueError(f"SCRIPTOHIO_WARM_FIRST_SEASON must be a year, not {warm_first!r}")
        max_inflight = env.get("SCRIPTOHIO_MAX_INFLIGHT", str(DEFAULT_MAX_INFLIGHT))
        if not max_inflight.isdigit() or int(max_inflight) < 1:
            raise ValueError(f"SCRIPTOHIO_MAX_INFLIGHT must be > 0, not {max_inflight!r}")
        refresh_s = None
        if (env.get("SCRIPTOHIO_REFRESH") or "").strip() not in ("", "0", "off", "no"):
            refresh_s = parse_interval(env["SCRIPTOHIO_REFRESH"])
            if not (env.get("CFBD_API_KEY") or "").strip():
                raise ValueError("SCRIPTOHIO_REFRESH needs CFBD_API_KEY (a CollegeFootballData"
                                 ".com API key)")
        drain = env.get("SCRIPTOHIO_DRAIN_S", "").strip() or str(DEFAULT_DRAIN_S)
        try:
            drain_s = float(drain)
        except ValueError:
            drain_s = -1.0
        if not drain_s >= 0:
            raise ValueError(f"SCRIPTOHIO_DRAIN_S must be seconds >= 0, not {drain!r}")
        lease = env.get("SCRIPTOHIO_JOB_LEASE_S", "").strip() or str(DEFAULT_JOB_LEASE_S)
        try:
            job_lease_s = float(lease)
        except ValueError:
            job_lease_s = -1.0
        if not job_lease_s >= 1.0:
            raise ValueError(f"SCRIPTOHIO_JOB_LEASE_S must be seconds >= 1, not {lease!r}")
        return cls(
            drain_s=drain_s,
            job_lease_s=job_lease_s,
            refresh_s=refresh_s,
            retrain=env.get("SCRIPTOHIO_RETRAIN", "1").strip().lower() not in ("0", "false",
                                                                               "no", "off"),
            retrain_canary=env.get("SCRIPTOHIO_RETRAIN_CANARY", "1").strip().lower()
            not in ("0", "false", "no", "off"),
            cfbd_url=env.get("SCRIPTOHIO_CFBD_URL") or None,
            cfbd_api_key=(env.get("CFBD_API_KEY") or "").strip() or None,
            data_dir=env.get("SCRIPTOHIO_DATA_DIR") or None,
            state_dir=env.get("SCRIPTOHIO_STATE_DIR") or None,
            redis_url=env.get("SCRIPTOHIO_REDIS_URL") or None,
            cache_namespace=env.get("SCRIPTOHIO_CACHE_NAMESPACE") or DEFAULT_CACHE_NAMESPACE,
            auth=auth,  # type: ignore[arg-type]
            rate_limit=env.get("SCRIPTOHIO_RATE_LIMIT") or DEFAULT_RATE_LIMIT,
            max_inflight=int(max_inflight),
            warm_cache=env.get("SCRIPTOHIO_WARM_CACHE", "1").strip() not in ("0", "false", "no"),
            warm_first_season=int(warm_first),
            open_admin=env.get("SCRIPTOHIO_OPEN_ADMIN", "0").strip().lower() in ("1", "true",
                                                                                 "yes"),
            address_rate_limit=env.get("SCRIPTOHIO_ADDRESS_RATE_LIMIT") or None,
            adaptive_admission=env.get("SCRIPTOHIO_ADAPTIVE", "0").strip().lower()
            in ("1", "true", "yes"),
            replica=(env.get("SCRIPTOHIO_REPLICA") or "").strip() or None,
            ops_allow=env.get("SCRIPTOHIO_OPS_ALLOW") or DEFAULT_OPS_ALLOW,
        )

    def override(self, **changes: object) -> Settings:
        """A copy with the given non-``None`` values replaced (CLI flags over environment)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})  # type: ignore[arg-type]

    def to_env(self) -> dict[str, str]:
        """The environment that reproduces these settings in a worker process."""
        env = {
            **({"SCRIPTOHIO_REFRESH": f"{self.refresh_s:g}"} if self.refresh_s else {}),
            "SCRIPTOHIO_AUTH": self.auth,
            "SCRIPTOHIO_RATE_LIMIT": self.rate_limit,
            "SCRIPTOHIO_MAX_INFLIGHT": str(self.max_inflight),
            "SCRIPTOHIO_WARM_CACHE": "1" if self.warm_cache else "0",
            "SCRIPTOHIO_CACHE_NAMESPACE": self.cache_namespace,
            "SCRIPTOHIO_WARM_FIRST_SEASON": str(self.warm_first_season),
            "SCRIPTOHIO_OPEN_ADMIN": "1" if self.open_admin else "0",
            "SCRIPTOHIO_ADAPTIVE": "1" if self.adaptive_admission else "0",
            "SCRIPTOHIO_RETRAIN": "1" if self.retrain else "0",
            "SCRIPTOHIO_RETRAIN_CANARY": "1" if self.retrain_canary else "0",
            "SCRIPTOHIO_DRAIN_S": f"{self.drain_s:g}",
            "SCRIPTOHIO_JOB_LEASE_S": f"{self.job_lease_s:g}",
            "SCRIPTOHIO_OPS_ALLOW": self.ops_allow,
        }
        for key, value in (("SCRIPTOHIO_DATA_DIR", self.data_dir),
                           ("SCRIPTOHIO_STATE_DIR", self.state_dir),
                           ("SCRIPTOHIO_REDIS_URL", self.redis_url),
                           ("SCRIPTOHIO_ADDRESS_RATE_LIMIT", self.address_rate_limit),
                           ("SCRIPTOHIO_CFBD_URL", self.cfbd_url),
                           ("SCRIPTOHIO_REPLICA", self.replica),
                           ("CFBD_API_KEY", self.cfbd_api_key)):
            if value:
                env[key] = value
        return env
