"""HTTP limits at the server layer: uvicorn's httptools protocol with bounds on what a client
may send and how slowly.

uvicorn reads a request's headers without a size or count limit and waits for a slow client
forever: one connection can stream hundreds of megabytes of header lines, and a thousand
half-sent requests (slowloris) hold their sockets. :class:`GuardedHttpToolsProtocol` answers

* **431** when the request line and headers pass ``max_header_bytes`` or ``max_headers``;
* **408** when a request's headers have not all arrived ``header_timeout_s`` after its first
  byte (or after the connection opened), or its body ``body_timeout_s`` after its headers;
* **400** for bytes that are not HTTP,

each as ``application/problem+json`` with ``Connection: close``, before the application sees
anything. The limits come from :class:`HttpLimits`: ``scriptohio serve`` flags, or the
environment of a worker process (``SCRIPTOHIO_HTTP_*``), read once per process.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, ClassVar

import httptools
import orjson
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

__all__ = ["DEFAULT_HTTP_LIMITS", "EVENT_LOOPS", "GuardedHttpToolsProtocol", "HttpLimits",
           "event_loop_for"]

#: ``scriptohio serve --loop`` (``SCRIPTOHIO_LOOP``); the first is the default
EVENT_LOOPS = ("uvloop", "asyncio")


def event_loop_for(requested: str | None) -> str:
    """The uvicorn ``loop`` for ``requested`` (None: uvloop).

    uvloop's libuv accepts one connection per turn of the loop; asyncio's loop accepts every
    waiting one at once. With clients straight on the service neither suits every load: the
    first keeps new connections waiting seconds behind busy ones, the second takes in a flood
    whose refusals then take the core (docs/deploy.md, "The event loop", with the figures).
    """
    choice = (requested or EVENT_LOOPS[0]).strip().lower()
    if choice not in EVENT_LOOPS:
        raise ValueError(f"--loop / SCRIPTOHIO_LOOP must be one of {', '.join(EVENT_LOOPS)}, "
                         f"not {requested!r}")
    return choice

_REASONS = {400: b"Bad Request", 408: b"Request Timeout",
            431: b"Request Header Fields Too Large"}


@dataclass(frozen=True, slots=True)
class HttpLimits:
    """What one request may send, and how long it may take to send it."""

    max_header_bytes: int = 32 * 1024  # request line + headers
    max_headers: int = 100
    header_timeout_s: float = 10.0
    body_timeout_s: float = 30.0
    keep_alive_s: float = 5.0
    backlog: int = 10_000  # the listen queue (capped by the kernel's somaxconn)
    max_connections: int | None = None  # open connections answered 503 beyond this

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> HttpLimits:
        """``SCRIPTOHIO_HTTP_MAX_HEADER_BYTES`` etc.; unset ones keep their defaults."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f"SCRIPTOHIO_HTTP_{f.name.upper()}")
            if raw is None or raw == "":
                continue
            try:
                values[f.name] = float(raw) if f.name.endswith("_s") else int(raw)
            except ValueError as exc:
                raise ValueError(f"SCRIPTOHIO_HTTP_{f.name.upper()} must be a number, "
                                 f"not {raw!r}") from exc
            if values[f.name] <= 0:
                raise ValueError(f"SCRIPTOHIO_HTTP_{f.name.upper()} must be > 0")
        return cls(**values)

    def to_env(self) -> dict[str, str]:
        """The environment that gives a worker process these limits."""
        return {f"SCRIPTOHIO_HTTP_{f.name.upper()}": str(getattr(self, f.name))
                for f in fields(self) if getattr(self, f.name) is not None}


DEFAULT_HTTP_LIMITS = HttpLimits()


class _TooLarge(Exception):
    """Raised from a parser callback to stop parsing a request that passed a limit."""


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with :class:`HttpLimits` (see the module docstring)."""

    limits: ClassVar[HttpLimits | None] = None  # None: read from the environment

    @classmethod
    def current_limits(cls) -> HttpLimits:
        if cls.limits is None:
            cls.limits = HttpLimits.from_env(os.environ)
        return cls.limits

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._limits = self.current_limits()
        self._in_headers = True
        self._header_bytes = 0
        self._header_count = 0
        self._too_large = False
        self._deadline: asyncio.TimerHandle | None = None
        self._arm(self._limits.header_timeout_s)  # an idle new connection is a slow request

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._timed_out)

    def _disarm(self) -> None:
        if getattr(self, "_deadline", None) is not None:
            assert self._deadline is not None
            self._deadline.cancel()
            self._deadline = None

    def _timed_out(self) -> None:
        self._deadline = None
        cycle = self.cycle
        if cycle is not None and (cycle.response_started or cycle.response_complete):
            return  # the application is answering; its own timeouts apply
        what = "headers" if self._in_headers else "body"
        self._refuse(408, f"the request's {what} did not arrive in time")

    def data_received(self, data: bytes) -> None:
        if self._in_headers and self.parser is not None:
            room = self._limits.max_header_bytes - self._header_bytes
            if len(data) > room:
                # Feed only what fits: if the headers end inside it, the rest is body.
                head, data = data[:room], data[room:]
                self._header_bytes += len(head)
                self._feed(head)
                if self._in_headers and not self.transport.is_closing():
                    self._refuse(431, f"request headers over {self._limits.max_header_bytes} "
                                      "bytes")
                    return
                if self.transport.is_closing():
                    return
            else:
                self._header_bytes += len(data)
        self._feed(data)

    def _feed(self, data: bytes) -> None:
        if not data or self.parser is None:
            return
        self._unset_keepalive_if_required()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserCallbackError:
            if self._too_large:
                self._refuse(431, f"more than {self._limits.max_headers} request headers")
                return
            self._refuse(400, "invalid HTTP request")
        except httptools.HttpParserError:
            self._refuse(400, "invalid HTTP request")
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_headers = True
        self._header_count = 0
        self._arm(self._limits.header_timeout_s)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_count += 1
        if self._header_count > self._limits.max_headers:
            self._too_large = True
            raise _TooLarge
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_headers = False
        self._header_bytes = 0
        super().on_headers_complete()
        self._arm(self._limits.body_timeout_s)

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()

    def on_response_complete(self) -> None:
        self._in_headers = True
        self._header_bytes = 0
        super().on_response_complete()

    def send_400_response(self, msg: str) -> None:
        self._refuse(400, msg)

    def _refuse(self, status: int, detail: str) -> None:
        """Answer ``status`` as problem+json and close, whatever the request's state."""
        self._disarm()
        if self.transport.is_closing():
            return
        body = orjson.dumps({"type": "about:blank", "title": _REASONS[status].decode(),
                             "status": status, "detail": detail})
        head = [b"HTTP/1.1 %d %s\r\n" % (status, _REASONS[status])]
        for name, value in self.server_state.default_headers:
            head.append(name + b": " + value + b"\r\n")
        head.append(b"content-type: application/problem+json\r\n"
                    b"content-length: %d\r\nconnection: close\r\n\r\n" % len(body))
        self.transport.write(b"".join(head) + body)
        self.transport.close()
