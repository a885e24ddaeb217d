"""Benchmark: the API's own latency.

1. Inside the server (middleware to response, no network): the ASGI app called directly with
   a prepared scope, for a cached ``GET /v1/predict`` (goal: P50 < 1 ms; a repeat is answered
   by the answer memo), the same cached answer through the route (query strings the memo has
   not seen), and ``/health`` through the same middleware stack as the baseline.
2. End to end on loopback against ``scriptohio serve``: uncached predictions (each request a
   different matchup; goal: P50 < 5 ms) against cached ones, one client, sequential requests.
3. Payload size per role for the same prediction (goal: production <= 1/3 of data_scientist).

Needs a trained model in the state directory (``scriptohio train``).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.servers import free_port  # noqa: E402

from scriptohio.api.app import create_app  # noqa: E402
from scriptohio.config import Settings  # noqa: E402

N = int(os.environ.get("BENCH_N", "3000"))
PREDICT = b"home=Ohio%20State&away=Michigan&season=2024&week=14"


def _scope(path: str, query: bytes = b"", role: bytes = b"production") -> dict[str, Any]:
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
            "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": query,
            "root_path": "", "headers": [(b"host", b"bench"), (b"x-role", role),
                                         (b"x-user-id", b"bench")],
            "client": ("127.0.0.1", 1234), "server": ("127.0.0.1", 8000)}


async def in_process() -> dict[str, list[float]]:
    settings = Settings(rate_limit="100000000/minute", **_env_settings())
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        while not app.state.service.holder.ready:
            await asyncio.sleep(0.1)

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        status: list[int] = []

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])

        async def timed(scope: dict[str, Any]) -> list[float]:
            out = []
            for _ in range(N):
                t = time.perf_counter()
                await app(scope, receive, send)  # type: ignore[arg-type]
                out.append(time.perf_counter() - t)
            return out

        predict = _scope("/v1/predict", PREDICT)
        await app(predict, receive, send)  # warm: the first call fills the cache
        # The same cached answer through the route: an ignored extra parameter makes each
        # query string new to the answer memo, so it cannot skip the route.
        routed = iter(_scope("/v1/predict", PREDICT + f"&nonce={i}".encode())
                      for i in range(N))
        route_times = []
        for scope in routed:
            t = time.perf_counter()
            await app(scope, receive, send)  # type: ignore[arg-type]
            route_times.append(time.perf_counter() - t)
        results = {"cached /v1/predict": await timed(predict),
                   "cached, via the route": route_times,
                   "/health (baseline)": await timed(_scope("/health"))}
        assert set(status) == {200}, set(status)
        return results


def _env_settings() -> dict[str, Any]:
    out: dict[str, Any] = {}
    if os.environ.get("SCRIPTOHIO_STATE_DIR"):
        out["state_dir"] = os.environ["SCRIPTOHIO_STATE_DIR"]
    if os.environ.get("SCRIPTOHIO_DATA_DIR"):
        out["data_dir"] = os.environ["SCRIPTOHIO_DATA_DIR"]
    return out


def end_to_end() -> tuple[dict[str, list[float]], dict[str, int]]:
    port = free_port()
    # no warming: this half measures computing answers, not serving them
    env = dict(os.environ, SCRIPTOHIO_RATE_LIMIT="100000000/minute", SCRIPTOHIO_WARM_CACHE="0")
    proc = subprocess.Popen([sys.executable, "-m", "scriptohio.cli.main", "serve", "--port",
                             str(port)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, headers={"X-Role": "production"}) as client:
            for _ in range(600):
                try:
                    if client.get("/ready").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.2)
            teams = [t["team"] for t in client.get(
                "/v1/rankings", params={"season": 2024}).json()["teams"]][:60]
            # each pair once, in one order: both orders of a real game (Georgia - Florida in
            # Jacksonville) are the same game, and the second would be a cache hit
            pairs = list(itertools.combinations(teams, 2))[: min(N, 1500)]
            uncached, cached = [], []
            for home, away in pairs:
                params = {"home": home, "away": away, "season": 2024, "week": 10}
                t = time.perf_counter()
                r = client.get("/v1/predict", params=params)
                uncached.append(time.perf_counter() - t)
                assert r.headers["x-cache"] == "miss", r.headers
                t = time.perf_counter()
                r = client.get("/v1/predict", params=params)
                cached.append(time.perf_counter() - t)
            sizes = {role: len(client.get("/v1/predict", params={
                "home": "Ohio State", "away": "Michigan", "season": 2024, "week": 14},
                headers={"X-Role": role}).content)
                for role in ("production", "casual", "data_scientist")}
        return {"uncached /v1/predict": uncached, "cached /v1/predict": cached}, sizes
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _row(label: str, xs: list[float]) -> str:
    q = statistics.quantiles(xs, n=100)
    return (f"  {label:24} n={len(xs):5}  p50 {statistics.median(xs) * 1e3:7.3f} ms  "
            f"p95 {q[94] * 1e3:7.3f} ms  p99 {q[98] * 1e3:7.3f} ms")


def main() -> int:
    inside = asyncio.run(in_process())
    print("inside the server (ASGI call, middleware to response):")
    for label, xs in inside.items():
        print(_row(label, xs))
    ratio = statistics.median(inside["cached /v1/predict"]) / statistics.median(
        inside["/health (baseline)"])
    memo_gain = (statistics.median(inside["cached, via the route"])
                 / statistics.median(inside["cached /v1/predict"]))
    print(f"  through the route / answer memo median ratio: {memo_gain:.2f}x")
    print(f"  cached predict / health median ratio: {ratio:.2f}x   goal P50 < 1 ms: "
          f"{'PASS' if statistics.median(inside['cached /v1/predict']) < 1e-3 else 'FAIL'}")
    loop, sizes = end_to_end()
    print("end to end on loopback (httpx client, sequential):")
    for label, xs in loop.items():
        print(_row(label, xs))
    p50 = statistics.median(loop["uncached /v1/predict"])
    print(f"  uncached / cached median ratio: "
          f"{p50 / statistics.median(loop['cached /v1/predict']):.2f}x   goal P50 < 5 ms: "
          f"{'PASS' if p50 < 5e-3 else 'FAIL'}")
    print("payload bytes per role (Ohio State - Michigan 2024 week 14): "
          + ", ".join(f"{k} {v}" for k, v in sizes.items())
          + f"; production / data_scientist = {sizes['production'] / sizes['data_scientist']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
