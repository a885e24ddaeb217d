"""The shared job store: the service's Redis, so every replica sees, bounds and runs one set of
jobs.

Layout under ``{ns}:jobs`` (``ns`` is the service's ``SCRIPTOHIO_CACHE_NAMESPACE``):

==========================  ==================================================================
``{ns}:jobs:job:{id}``      a hash: the job's fields (params and result as JSON)
``{ns}:jobs:lease:{id}``    the owner holding the job, expiring with its lease (``SET NX PX``)
``{ns}:jobs:art:{id}``      a hash: report file name → content
``{ns}:jobs:user:{user}``   the user's jobs not known to be finished (the per-user bound)
``{ns}:jobs:unfinished``    a sorted set of queued and running jobs by creation time
``{ns}:jobs:reuse:{hash}``  the newest job of a shared type with those parameters
==========================  ==================================================================

Each change of more than one key is one Lua script, so it is atomic for every replica:
``create`` counts the user's active jobs and stores the new one in one step, a claim takes the
lease and counts the attempt together, and only the lease holder ends a job. A queued or
running job has no expiry (nothing accepted is lost); a finished one, its report files and its
reuse entry expire ``keep_s`` after it ended (7 days by default). A job is written before
``create`` returns, so before the 202; Redis keeps it as long as Redis keeps its writes: run
it with ``appendonly yes`` (docs/deploy.md).
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scriptohio.agents.workflow.jobs import ACTIVE, Job, JobStoreAddress, active_limit_error
from scriptohio.breaker import CircuitBreaker
from scriptohio.data.redis_state import RedisState
from scriptohio.errors import NotFoundError, ServiceError

__all__ = ["RedisJobStore"]

log = logging.getLogger(__name__)

# KEYS: job, user set, unfinished, reuse (or "")
# ARGV: id, type, user, params, now, max_active (-1: none), reuse (1/0), job key prefix
_CREATE = """
local prefix = ARGV[8]
if ARGV[7] == '1' then
  local old = redis.call('GET', KEYS[4])
  if old then
    local st = redis.call('HGET', prefix .. old, 'status')
    if st and st ~= 'failed' then return {0, old} end
  end
end
local limit = tonumber(ARGV[6])
if limit >= 0 then
  local n = 0
  for _, id in ipairs(redis.call('SMEMBERS', KEYS[2])) do
    local st = redis.call('HGET', prefix .. id, 'status')
    if st == 'queued' or st == 'running' then n = n + 1 else redis.call('SREM', KEYS[2], id) end
  end
  if n >= limit then return {-1, ''} end
end
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'type', ARGV[2], 'user_id', ARGV[3],
           'params', ARGV[4], 'status', 'queued', 'progress', '0', 'step', 'queued',
           'created_at', ARGV[5], 'updated_at', ARGV[5], 'attempts', '0')
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[5], ARGV[1])
if ARGV[7] == '1' then
  redis.call('SET', KEYS[4], ARGV[1])
  redis.call('HSET', KEYS[1], 'reuse', KEYS[4])
end
return {1, ARGV[1]}
"""

# KEYS: job, lease. ARGV: owner, lease ms, now
_CLAIM = """
local st = redis.call('HGET', KEYS[1], 'status')
if st ~= 'queued' and st ~= 'running' then return 0 end
if not redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return 0 end
redis.call('HINCRBY', KEYS[1], 'attempts', 1)
redis.call('HSET', KEYS[1], 'updated_at', ARGV[3])
return 1
"""

# KEYS: lease. ARGV: owner, lease ms
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""

# KEYS: job, lease (a job nobody holds does not move). ARGV: progress, step, now
_PROGRESS = """
local st = redis.call('HGET', KEYS[1], 'status')
if st ~= 'queued' and st ~= 'running' then return 0 end
if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'status', 'running', 'progress', ARGV[1], 'step', ARGV[2],
           'updated_at', ARGV[3])
return 1
"""

# KEYS: job, lease, unfinished, artefacts
# ARGV: owner ('' = any), status, field, value, now, keep s, user set prefix, id
_END = """
if ARGV[1] ~= '' and redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
local st = redis.call('HGET', KEYS[1], 'status')
if not st then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[2], ARGV[3], ARGV[4], 'updated_at', ARGV[5])
if ARGV[2] == 'succeeded' then redis.call('HSET', KEYS[1], 'progress', '1', 'step', 'done') end
redis.call('DEL', KEYS[2])
redis.call('ZREM', KEYS[3], ARGV[8])
local user = redis.call('HGET', KEYS[1], 'user_id')
if user then redis.call('SREM', ARGV[7] .. user, ARGV[8]) end
local keep = tonumber(ARGV[6])
redis.call('EXPIRE', KEYS[1], keep)
redis.call('EXPIRE', KEYS[4], keep)
local reuse = redis.call('HGET', KEYS[1], 'reuse')
if reuse then
  if ARGV[2] == 'failed' then
    if redis.call('GET', reuse) == ARGV[8] then redis.call('DEL', reuse) end
  else
    redis.call('EXPIRE', reuse, keep)
  end
end
return 1
"""

# KEYS: job, lease. ARGV: owner ('' = any), step, now
_REQUEUE = """
if ARGV[1] ~= '' and redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
local st = redis.call('HGET', KEYS[1], 'status')
if st ~= 'queued' and st ~= 'running' then return 0 end
redis.call('HSET', KEYS[1], 'status', 'queued', 'step', ARGV[2], 'updated_at', ARGV[3])
redis.call('DEL', KEYS[2])
return 1
"""


def _text(value: bytes | str | None) -> str | None:
    return value.decode() if isinstance(value, bytes) else value


class RedisJobStore:
    """Jobs in Redis (see the module docstring)."""

    def __init__(self, address: JobStoreAddress, *, breaker: CircuitBreaker | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        if not address.redis_url:
            raise ValueError("RedisJobStore needs a Redis URL")
        self._address = address
        self.keep_s = address.keep_s
        self._clock = clock
        self._redis = RedisState(address.redis_url, namespace=f"{address.namespace}:jobs",
                                 what="job store", breaker=breaker)
        self._create = self._redis.script(_CREATE)
        self._claim = self._redis.script(_CLAIM)
        self._renew = self._redis.script(_RENEW)
        self._progress = self._redis.script(_PROGRESS)
        self._end = self._redis.script(_END)
        self._requeue = self._redis.script(_REQUEUE)

    @property
    def address(self) -> JobStoreAddress:
        return self._address

    def _job(self, job_id: str) -> str:
        return self._redis.key("job", job_id)

    def _lease(self, job_id: str) -> str:
        return self._redis.key("lease", job_id)

    def _art(self, job_id: str) -> str:
        return self._redis.key("art", job_id)

    def close(self) -> None:
        self._redis.close()

    def create(self, job_type: str, user_id: str, params: dict[str, Any], *,
               max_active: int | None = None, reuse: bool = False) -> Job:
        encoded = json.dumps(params)
        job_id = f"job_{secrets.token_hex(8)}"
        digest = hashlib.sha256(f"{job_type}\n{encoded}".encode()).hexdigest()[:32]
        reuse_key = self._redis.key("reuse", digest)
        outcome, found = self._redis.call(lambda r: self._create(
            keys=[self._job(job_id), self._redis.key("user", user_id),
                  self._redis.key("unfinished"), reuse_key],
            args=[job_id, job_type, user_id, encoded, repr(self._clock()),
                  -1 if max_active is None else max_active, 1 if reuse else 0,
                  self._redis.key("job", "")], client=r))
        if int(outcome) < 0:
            raise active_limit_error(user_id, int(max_active or 0))
        return self.get(_text(found) or job_id)

    def get(self, job_id: str) -> Job:
        try:
            fields = self._redis.call(lambda r: r.hgetall(self._job(job_id)))
        except ServiceError as exc:
            raise type(exc)(f"job {job_id} cannot be read now: {exc.detail}",
                            retry_after=exc.retry_after) from exc
        if not fields:
            raise NotFoundError(f"no job with id {job_id!r}")
        f = {_text(k): _text(v) for k, v in fields.items()}
        result = f.get("result")
        return Job(str(f["id"]), str(f["type"]), str(f["user_id"]),
                   json.loads(f["params"] or "{}"), str(f["status"]),
                   float(f["progress"] or 0), str(f["step"]),
                   None if result is None else json.loads(result), f.get("error"),
                   float(f["created_at"] or 0), float(f["updated_at"] or 0),
                   int(f.get("attempts") or 0))

    def claim(self, job_id: str, owner: str, lease_s: float) -> Job | None:
        won = self._redis.call(lambda r: self._claim(
            keys=[self._job(job_id), self._lease(job_id)],
            args=[owner, max(1, int(lease_s * 1000)), repr(self._clock())], client=r))
        return self.get(job_id) if int(won) == 1 else None

    def renew(self, job_id: str, owner: str, lease_s: float) -> bool:
        return int(self._redis.call(lambda r: self._renew(
            keys=[self._lease(job_id)], args=[owner, max(1, int(lease_s * 1000))],
            client=r))) == 1

    def progress(self, job_id: str, fraction: float, step: str) -> None:
        try:
            self._redis.call(lambda r: self._progress(
                keys=[self._job(job_id), self._lease(job_id)],
                args=[repr(max(0.0, min(1.0, fraction))), step, repr(self._clock())],
                client=r))
        except ServiceError as exc:  # advisory: the job goes on
            log.warning("progress of job %s not stored: %s", job_id, exc.detail)

    def _finish_as(self, job_id: str, owner: str | None, status: str, field: str,
                   value: str) -> bool:
        return int(self._redis.call(lambda r: self._end(
            keys=[self._job(job_id), self._lease(job_id), self._redis.key("unfinished"),
                  self._art(job_id)],
            args=[owner or "", status, field, value, repr(self._clock()), int(self.keep_s),
                  self._redis.key("user", ""), job_id], client=r))) == 1

    def finish(self, job_id: str, result: Any, *, owner: str | None = None) -> bool:
        return self._finish_as(job_id, owner, "succeeded", "result", json.dumps(result))

    def fail(self, job_id: str, error: str, *, owner: str | None = None) -> bool:
        return self._finish_as(job_id, owner, "failed", "error", error)

    def requeue(self, job_id: str, step: str, *, owner: str | None = None) -> None:
        self._redis.call(lambda r: self._requeue(
            keys=[self._job(job_id), self._lease(job_id)],
            args=[owner or "", step, repr(self._clock())], client=r))

    def claimable(self) -> list[Job]:
        def scan(r: Any) -> list[tuple[str, bool]]:
            ids = [str(_text(i)) for i in r.zrange(self._redis.key("unfinished"), 0, -1)]
            pipe = r.pipeline(transaction=False)
            for job_id in ids:
                pipe.exists(self._lease(job_id))
            return list(zip(ids, (bool(e) for e in pipe.execute()), strict=True))

        jobs = []
        for job_id, leased in self._redis.call(scan):
            if leased:
                continue
            try:
                job = self.get(job_id)
            except NotFoundError:  # gone (an operator deleted it): drop it from the index
                self._forget(job_id)
                continue
            if job.status in ACTIVE:
                jobs.append(job)
        return jobs

    def _forget(self, job_id: str) -> None:
        self._redis.call(lambda r: r.zrem(self._redis.key("unfinished"), job_id))

    def keep_artefacts(self, job_id: str, directory: Path, names: list[str]) -> bool:
        files = {name: (directory / name).read_bytes() for name in names
                 if (directory / name).is_file()}
        if not files:
            return False

        def store(r: Any) -> None:
            pipe = r.pipeline(transaction=True)
            pipe.hset(self._art(job_id), mapping=files)
            pipe.expire(self._art(job_id), int(self.keep_s))
            pipe.execute()

        self._redis.call(store)
        return True

    def artefact(self, job_id: str, name: str) -> bytes | None:
        found = self._redis.call(lambda r: r.hget(self._art(job_id), name))
        if found is None:
            return None
        return found if isinstance(found, bytes) else str(found).encode()

    def prune(self, older_than: float) -> list[str]:
        return []  # finished jobs expire in Redis (keep_s after they ended)
