"""The web app: server-rendered pages for fans and analysts under ``/app``.

::

    GET /app/...  → web.pages / web.learn_pages → the recipe the matching /v1 route builds
                  → Answerer.cached (the same cache entry as the JSON API) → orjson.loads
                  → web.rendering (Jinja2 template, rendered page kept per answer bytes) → HTML

Pages read the same cached answers as the JSON API, so an invalidation reaches both; a
rendered page is reused only while its answers' bytes are the very ones the cache returns.
Assets (one CSS file, one small script) are served from the package (``web.assets``); the pages
work without the script. Errors on a page are HTML pages with the API's status codes.
"""

from __future__ import annotations

from scriptohio.web.site import ROUTERS, install

__all__ = ["ROUTERS", "install"]
