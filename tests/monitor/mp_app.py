"""An app for the multiprocess test, imported by each uvicorn worker (not a test module)."""

from __future__ import annotations

from conftest import build_app  # type: ignore[import-not-found]  # --app-dir tests/monitor
from scriptohio.events import EventBus
from scriptohio.monitor import Monitor

app = build_app(Monitor(bus=EventBus(), sinks=[]))
