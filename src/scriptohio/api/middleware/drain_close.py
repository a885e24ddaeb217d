"""While the process drains (:mod:`scriptohio.api.drain`), every response carries
``Connection: close``: a keep-alive client reconnects, and its balancer sends the new connection
to a replica that is staying."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scriptohio.api.drain import Drain

__all__ = ["DrainCloseMiddleware"]


class DrainCloseMiddleware:
    def __init__(self, app: ASGIApp, *, drain: Drain) -> None:
        self.app = app
        self.drain = drain

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.drain.draining:
            await self.app(scope, receive, send)
            return

        async def closing(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.lower() != b"connection"]
                message = {**message, "headers": [*headers, (b"connection", b"close")]}
            await send(message)

        await self.app(scope, receive, closing)
