"""``serve --loop asyncio``: a busy single process still accepts new connections.

uvloop's libuv (the default loop) accepts one connection per turn of its loop: with hundreds
of keep-alive connections asking at once, a turn takes long and the connections still waiting
to be accepted wait seconds (wrk at -c1000: P99 ~10 s). asyncio's loop accepts every waiting
connection at once; ``--loop asyncio`` is for that load (docs/deploy.md, "The event loop").

What is checked does not depend on the host's speed: N connections open at once and each
asks again as soon as it is answered (a cached team page: the service, not this client, is
the slower side); every one of them must have had its first answer
before any other has had ``LAPS`` answers (accepted late, a connection waits while the
early ones go round and round). On this box: 1-2 with ``--loop asyncio``, 151-174 with uvloop.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.servers import running_service

CONNECTIONS = 400
LAPS = 25
REQUEST = b"GET /v1/teams/Michigan?season=2024 HTTP/1.1\r\nHost: x\r\n\r\n"


async def laps_before_the_last_first_answer(port: int) -> int:
    """Answers the busiest connection had when the last connection got its first one."""
    answers = [0] * CONNECTIONS
    waiting = set(range(CONNECTIONS))
    all_answered = asyncio.Event()
    busiest_then = 0

    async def client(i: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                     go: asyncio.Event) -> None:
        nonlocal busiest_then
        await go.wait()
        while not all_answered.is_set():
            writer.write(REQUEST)
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length:"))
            await reader.readexactly(length)
            answers[i] += 1
            waiting.discard(i)
            if not waiting and not all_answered.is_set():
                busiest_then = max(answers)
                all_answered.set()
        writer.close()

    # every handshake completes in the kernel, accepted or not: all are open before any asks
    conns = [await asyncio.open_connection("127.0.0.1", port) for _ in range(CONNECTIONS)]
    go = asyncio.Event()
    tasks = [asyncio.create_task(client(i, r, w, go)) for i, (r, w) in enumerate(conns)]
    go.set()
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=120)
    return busiest_then


def test_on_asyncio_a_busy_service_answers_every_new_connection_before_the_others_go_round(
        tmp_path: Path) -> None:
    env = {"SCRIPTOHIO_WARM_CACHE": "0", "SCRIPTOHIO_RATE_LIMIT": "100000000/minute",
           "SCRIPTOHIO_ADDRESS_RATE_LIMIT": "100000000/minute"}
    with running_service(tmp_path, env, args=("--loop", "asyncio")) as url:
        busiest = asyncio.run(laps_before_the_last_first_answer(int(url.rsplit(":", 1)[1])))
    assert busiest < LAPS, (
        f"the last of {CONNECTIONS} connections was first answered only after another had "
        f"{busiest} answers: new connections wait to be accepted while the others go round")


def test_loop_choice() -> None:
    from scriptohio.api.server_protocol import event_loop_for

    assert event_loop_for(None) == "uvloop"
    assert event_loop_for(" AsyncIO ") == "asyncio"
    with pytest.raises(ValueError, match="one of uvloop, asyncio"):
        event_loop_for("trio")
