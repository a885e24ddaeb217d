"""Is the dashboard responsive with 1,000 viewers? SSE fan-out and API latency under it.

One uvicorn server (subprocess, 127.0.0.1) runs the monitored app from monitor_overhead.py.
Baseline: API latency (``/v1/teams/{team}``) and ``/v1/monitor/status`` latency with no viewer.
Then N viewers hold ``/dashboard/stream`` open (raw sockets, one coroutine each) for a while;
we count the snapshots each received per second and measure the same latencies again.

Run: ``.venv/bin/python bench/monitor_dashboard.py [--viewers 1000] [--seconds 10]``
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from monitor_overhead import start_server


async def _get(port: int, path: str) -> float:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    start = time.perf_counter()
    writer.write(f"GET {path} HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n".encode())
    await reader.read()
    elapsed = time.perf_counter() - start
    writer.close()
    return elapsed


async def latencies(port: int, path: str, n: int = 60) -> tuple[float, float]:
    values = []
    for _ in range(n):
        values.append(await _get(port, path))
        await asyncio.sleep(0.02)
    values.sort()
    return statistics.median(values) * 1000, values[int(0.95 * (n - 1))] * 1000


async def viewer(
    port: int, until: float, counts: list[int], spans: list[list[float]], index: int
) -> None:
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return
    writer.write(b"GET /dashboard/stream HTTP/1.1\r\nHost: bench\r\n\r\n")
    try:
        while time.perf_counter() < until:
            left = max(0.1, until - time.perf_counter())
            line = await asyncio.wait_for(reader.readline(), timeout=left)
            if line.startswith(b"data: "):
                counts[index] += 1
                spans[index].append(time.perf_counter())
    except (TimeoutError, OSError):
        pass
    finally:
        writer.close()


async def run(port: int, viewers: int, seconds: float) -> None:
    base_api = await latencies(port, "/v1/teams/ohio-state")
    base_status = await latencies(port, "/v1/monitor/status")
    print(f"no viewers:    /v1/teams median {base_api[0]:6.2f} ms p95 {base_api[1]:6.2f} ms"
          f" | status median {base_status[0]:6.2f} ms p95 {base_status[1]:6.2f} ms")
    counts = [0] * viewers
    spans: list[list[float]] = [[] for _ in range(viewers)]
    until = time.perf_counter() + seconds
    tasks = [asyncio.create_task(viewer(port, until, counts, spans, i)) for i in range(viewers)]
    await asyncio.sleep(min(3.0, seconds / 3))  # let every viewer connect
    api = await latencies(port, "/v1/teams/ohio-state", 40)
    status = await latencies(port, "/v1/monitor/status", 40)
    await asyncio.gather(*tasks)
    # Rate between each viewer's first and last snapshot (connecting takes a while at 1,000).
    rates = sorted((len(t) - 1) / (t[-1] - t[0]) for t in spans if len(t) > 1 and t[-1] > t[0])
    connected = sum(1 for c in counts if c)
    print(f"{viewers} viewers: /v1/teams median {api[0]:6.2f} ms p95 {api[1]:6.2f} ms"
          f" | status median {status[0]:6.2f} ms p95 {status[1]:6.2f} ms")
    print(f"   viewers served: {connected}/{viewers}; snapshots per viewer per second: "
          f"median {statistics.median(rates):.2f}, min {rates[0]:.2f} (goal ~1)")
    print(f"   API latency ratio vs no viewers (median): {api[0] / base_api[0]:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--viewers", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    proc, port = start_server(True)
    try:
        asyncio.run(run(port, args.viewers, args.seconds))
    finally:
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    main()
