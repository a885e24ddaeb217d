"""Alert sinks: a webhook to a real local HTTP server, the log, and the monitor's delivery."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from scriptohio.events import EventBus
from scriptohio.monitor import AlertEngine, LogSink, Monitor, WebhookSink, load_rules

from .conftest import FakeClock, free_socket


class Receiver:
    """A tiny HTTP server on 127.0.0.1 that records the JSON bodies POSTed to it."""

    def __init__(self, status: int = 200) -> None:
        self.bodies: list[dict[str, object]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                receiver.bodies.append(json.loads(self.rfile.read(length)))
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/alerts"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as r:
        yield r


async def test_webhook_receives_firing_and_resolved(receiver: Receiver, clock: FakeClock) -> None:
    engine = AlertEngine(load_rules(), clock=clock)
    sink = WebhookSink(receiver.url)
    await sink.send(engine.evaluate({"system_memory": 0.97}))
    clock.advance(30)
    await sink.send(engine.evaluate({"system_memory": 0.5}))
    assert [[(a["name"], a["state"]) for a in b["alerts"]] for b in receiver.bodies] == [  # type: ignore[union-attr]
        [("HighMemory", "firing")], [("HighMemory", "resolved")],
    ]
    first = receiver.bodies[0]["alerts"][0]  # type: ignore[index]
    assert first["value"] == 0.97 and first["threshold"] == 0.9 and first["severity"]
    assert sink.failures == 0


async def test_webhook_failures_are_counted_not_raised(clock: FakeClock) -> None:
    sock = free_socket()
    dead = f"http://127.0.0.1:{sock.getsockname()[1]}/alerts"
    sock.close()  # nothing listens there now
    engine = AlertEngine(load_rules(), clock=clock)
    sink = WebhookSink(dead, timeout_s=1.0)
    await sink.send(engine.evaluate({"system_memory": 0.97}))
    assert sink.failures == 1
    with Receiver(status=500) as failing:
        sink = WebhookSink(failing.url)
        clock.advance(1)
        await sink.send(engine.evaluate({"system_memory": 0.2}))
        assert sink.failures == 1 and len(failing.bodies) == 1


async def test_log_sink_logs_each_notice(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    engine = AlertEngine(load_rules(), clock=clock)
    with caplog.at_level(logging.INFO, logger="scriptohio.monitor.alerts"):
        await LogSink().send(engine.evaluate({"system_memory": 0.99}))
    assert "HighMemory firing" in caplog.text


async def test_monitor_step_delivers_notices_to_its_sinks(
    receiver: Receiver, clock: FakeClock
) -> None:
    monitor = Monitor(bus=EventBus(), clock=clock, sinks=[WebhookSink(receiver.url)])
    try:
        for _ in range(4):  # errors for 3 minutes: pending at the second sample, then 2m
            for i in range(100):
                monitor.request_finished("/v1/predict", "GET", 500 if i < 10 else 200, 0.01)
            await monitor.step()
            clock.advance(60)
    finally:
        monitor.close()
    names = [a["name"] for b in receiver.bodies for a in b["alerts"]]  # type: ignore[union-attr]
    assert "HighErrorRate" in names
