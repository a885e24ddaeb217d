"""Benchmark: uvicorn (uvloop + httptools) against granian serving the same app, one process.

Both serve ``scriptohio.api.app:create_app`` on loopback with the same state directory; ``wrk``
(2 threads, 64 connections) drives a cached ``GET /v1/predict`` (the hottest path) and then
``GET /health`` for 10 s each. Figures: requests/s and wrk's latency percentiles; the ratio
is granian / uvicorn measured in the same run. Needs ``wrk`` (Debian package) and a trained
model in the state directory (``scriptohio train``).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DURATION_S = int(os.environ.get("BENCH_SECONDS", "10"))
PATHS = {
    "cached predict": "/v1/predict?home=Ohio%20State&away=Michigan&season=2024&week=14",
    "health": "/health",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_cmd(name: str, port: int) -> list[str]:
    if name == "uvicorn":
        return [str(BIN / "uvicorn"), "--factory", "scriptohio.api.app:create_app", "--port",
                str(port), "--loop", "uvloop", "--http", "httptools", "--no-access-log",
                "--log-level", "warning"]
    return [str(BIN / "granian"), "--interface", "asgi", "--factory", "--port", str(port),
            "--loop", "uvloop", "--log-level", "warning", "--no-ws",
            "scriptohio.api.app:create_app"]


def wrk(url: str) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", "-t2", "-c64", f"-d{DURATION_S}s", "--latency", "-H", "X-Role: production",
         "-H", "X-User-Id: bench", url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]
    lat = {p: _ms(re.search(rf"\s{p}%\s+([\d.]+\w+)", out)[1])  # type: ignore[index]
           for p in ("50", "90", "99")}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, **{f"p{k}_ms": v for k, v in lat.items()},
            "non_2xx": float(errors[1]) if errors else 0.0}


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(\w+)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]


def run(name: str) -> dict[str, dict[str, float]]:
    port = free_port()
    env = dict(os.environ, SCRIPTOHIO_RATE_LIMIT="100000000/minute")
    proc = subprocess.Popen(server_cmd(name, port), cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(base + "/ready", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError(f"{name} did not become ready")
            time.sleep(0.2)
        results = {}
        for label, path in PATHS.items():
            httpx.get(base + path, headers={"X-Role": "production"})  # warm the cache
            results[label] = wrk(base + path)
        return results
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def main() -> int:
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install -y wrk")
        return 2
    results = {name: run(name) for name in ("uvicorn", "granian")}
    print(f"{'server':10} {'endpoint':16} {'req/s':>9} {'p50 ms':>8} {'p90 ms':>8} "
          f"{'p99 ms':>8} {'non-2xx':>8}")
    for name, per in results.items():
        for label, r in per.items():
            print(f"{name:10} {label:16} {r['rps']:9.0f} {r['p50_ms']:8.2f} {r['p90_ms']:8.2f} "
                  f"{r['p99_ms']:8.2f} {r['non_2xx']:8.0f}")
    for label in PATHS:
        ratio = results["granian"][label]["rps"] / results["uvicorn"][label]["rps"]
        print(f"ratio granian/uvicorn throughput, {label}: {ratio:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
