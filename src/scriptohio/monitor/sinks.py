"""Where alert notices go: a log, a webhook. A sink never raises into the monitor."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

import httpx

from scriptohio.monitor.rules import AlertNotice

log = logging.getLogger("scriptohio.monitor.alerts")

DEFAULT_WEBHOOK_TIMEOUT_S = 2.0


class AlertSink(Protocol):
    """Receives the notices of one evaluation step (possibly several at once)."""

    async def send(self, notices: Sequence[AlertNotice]) -> None: ...


class LogSink:
    """Logs firing alerts as warnings and resolutions as info."""

    def __init__(self, logger: logging.Logger = log) -> None:
        self._log = logger

    async def send(self, notices: Sequence[AlertNotice]) -> None:
        for n in notices:
            level = logging.WARNING if n.state == "firing" else logging.INFO
            self._log.log(
                level, "alert %s %s: %s (value %s, threshold %s)",
                n.rule.name, n.state, n.rule.summary, n.value, n.rule.threshold,
            )


class WebhookSink:
    """POSTs ``{"alerts": [...]}`` as JSON to ``url`` (Alertmanager-like, simpler)."""

    def __init__(
        self,
        url: str,
        *,
        timeout_s: float = DEFAULT_WEBHOOK_TIMEOUT_S,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.url = url
        self._timeout = timeout_s
        self._transport = transport
        self.failures = 0

    async def send(self, notices: Sequence[AlertNotice]) -> None:
        if not notices:
            return
        body = {"alerts": [n.as_dict() for n in notices]}
        try:
            async with httpx.AsyncClient(
                timeout=self._timeout, transport=self._transport
            ) as client:
                response = await client.post(self.url, json=body)
                response.raise_for_status()
        except httpx.HTTPError as exc:
            # A dead receiver must not take monitoring down; count and log instead.
            self.failures += 1
            log.warning("alert webhook %s failed: %s", self.url, exc)
