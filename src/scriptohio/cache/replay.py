"""Replay a trace through a policy: the engine behind ``scriptohio cache replay``.

The replayer is a storage layer like L1 minus the values: it asks the policy whether a key is
resident, reports hits and inserts, and counts. Capacity counts entries; for a sized trace
(``KEY SIZE`` lines) it counts bytes.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Hashable, Iterable
from pathlib import Path

import orjson

from scriptohio.cache.policy import EvictionPolicy, LruPolicy
from scriptohio.cache.tinylfu import TinyLfuPolicy
from scriptohio.cache.trace import iter_chunks
from scriptohio.errors import ValidationError

POLICIES: dict[str, Callable[[int], EvictionPolicy]] = {
    "default": TinyLfuPolicy,
    "lru": LruPolicy,
}


def make_policy(name: str, capacity: int) -> EvictionPolicy:
    """Build the named policy (``default`` or ``lru``) for ``capacity``."""
    if capacity < 1:
        raise ValidationError(f"capacity must be a positive integer, got {capacity}")
    try:
        factory = POLICIES[name]
    except KeyError:
        raise ValidationError(
            f"unknown policy {name!r}; choose one of {', '.join(sorted(POLICIES))}"
        ) from None
    return factory(capacity)


def replay_keys(keys: Iterable[Hashable], policy: EvictionPolicy) -> int:
    """Run unsized requests through ``policy`` (a hit is reported, a miss inserted); count
    the hits."""
    hits = 0
    on_hit = policy.on_hit
    on_insert = policy.on_insert
    for key in keys:
        if key in policy:
            hits += 1
            on_hit(key)
        else:
            on_insert(key)
    return hits


def replay_policy(trace_path: str | Path, policy: EvictionPolicy) -> tuple[int, int]:
    """Run every request of the trace through ``policy``; return ``(requests, hits)``."""
    requests = hits = 0
    on_hit = policy.on_hit
    on_insert = policy.on_insert
    # Keys become small ints in order of first appearance: hash() of an int is the same in
    # every process (that of bytes is not), so a replay gives the same answer every time.
    ids: dict[bytes, int] = {}
    intern = ids.setdefault
    for raw_keys, sizes in iter_chunks(trace_path):
        requests += len(raw_keys)
        keys = [intern(k, len(ids)) for k in raw_keys]
        if sizes is None:
            hits += replay_keys(keys, policy)
        else:
            for key, size in zip(keys, sizes, strict=True):
                if key in policy:
                    hits += 1
                    on_hit(key)
                else:
                    on_insert(key, max(1, size))
    return requests, hits


def replay(trace_path: str | Path, capacity: int, policy: str = "default") -> dict[str, object]:
    """Replay ``trace_path`` with a cache of ``capacity``; return the contract's JSON object."""
    requests, hits = replay_policy(trace_path, make_policy(policy, capacity))
    return {
        "trace": str(trace_path),
        "capacity": capacity,
        "policy": policy,
        "requests": requests,
        "hits": hits,
        "hit_ratio": hits / requests if requests else 0.0,
    }


def main(argv: list[str] | None = None) -> int:
    """``python -m scriptohio.cache.replay TRACE --capacity N [--policy default|lru]``."""
    parser = argparse.ArgumentParser(prog="scriptohio cache replay", description=__doc__)
    parser.add_argument("trace")
    parser.add_argument("--capacity", type=int, required=True)
    parser.add_argument("--policy", default="default", choices=sorted(POLICIES))
    args = parser.parse_args(argv)
    try:
        result = replay(args.trace, args.capacity, args.policy)
    except ValidationError as exc:  # includes DataFormatError: names file and line
        print(f"error: {exc.detail}", file=sys.stderr)
        return 2
    sys.stdout.write(orjson.dumps(result).decode() + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
