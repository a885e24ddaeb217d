"""The web app's tests: the real service in-process (``app_client``, from the API tests) and
in a real browser against ``scriptohio serve`` (``tests.browser``, ``tests.servers``)."""

from __future__ import annotations

from tests.api.conftest import app_client  # noqa: F401  (the fixture, shared)
