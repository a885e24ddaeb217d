"""What the page routes need beyond the API's dependencies: the page renderer."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from scriptohio.web.rendering import Renderer

__all__ = ["Pages", "renderer"]


async def renderer(request: Request) -> Renderer:
    found: Renderer = request.app.state.web_renderer
    return found


Pages = Annotated[Renderer, Depends(renderer)]
