"""A bounded closed loop of GET requests, run on a topology's driver host; prints its counts.

``python -m scriptohio.testing.closed_loop URL [URL ...] --concurrency 8 --max-requests 1000``:
the URLs are asked in turn; each of
``concurrency`` clients sends its next request when the last one is answered, until
``max-requests`` are sent, ``max-seconds`` pass, or ``stop-file`` appears. Prints one JSON object:
``ok`` (2xx), ``failed`` (everything else: an error status or no answer), ``statuses``,
``errors`` by kind, ``served_by`` (HAProxy's ``X-Served-By``), latency percentiles, and the
times of the failures (seconds since the start) for recovery figures.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

__all__ = ["run"]


def run(urls: list[str], *, concurrency: int, max_requests: int, max_seconds: float,
        stop_file: Path | None = None) -> dict[str, object]:
    lock = threading.Lock()
    sent = 0
    statuses: Counter[int] = Counter()
    errors: Counter[str] = Counter()
    served_by: Counter[str] = Counter()
    latencies: list[float] = []
    failures_at: list[float] = []
    started = time.monotonic()

    def next_request() -> str | None:
        nonlocal sent
        with lock:
            if sent >= max_requests or time.monotonic() - started > max_seconds:
                return None
            if stop_file is not None and stop_file.exists():
                return None
            sent += 1
            return urls[sent % len(urls)]

    def client() -> None:
        with httpx.Client(timeout=30.0) as http:
            while (url := next_request()) is not None:
                t0 = time.monotonic()
                try:
                    response = http.get(url)
                except httpx.HTTPError as exc:
                    with lock:
                        errors[type(exc).__name__] += 1
                        failures_at.append(round(t0 - started, 3))
                    continue
                with lock:
                    latencies.append(time.monotonic() - t0)
                    statuses[response.status_code] += 1
                    served_by[response.headers.get("x-served-by", "?")] += 1
                    if not response.is_success:
                        failures_at.append(round(t0 - started, 3))

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    latencies.sort()

    def pct(q: float) -> float | None:
        return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))], 4) \
            if latencies else None

    ok = sum(n for status, n in statuses.items() if 200 <= status < 300)
    return {"sent": sent, "ok": ok, "failed": sent - ok, "statuses": dict(statuses),
            "errors": dict(errors), "served_by": dict(served_by), "elapsed_s": round(elapsed, 3),
            "p50_s": pct(0.5), "p95_s": pct(0.95), "failures_at_s": failures_at[:200]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--max-requests", type=int, default=1000)
    parser.add_argument("--max-seconds", type=float, default=60.0)
    parser.add_argument("--stop-file", type=Path)
    args = parser.parse_args()
    print(json.dumps(run(args.urls, concurrency=args.concurrency,
                         max_requests=args.max_requests, max_seconds=args.max_seconds,
                         stop_file=args.stop_file)))


if __name__ == "__main__":
    main()
