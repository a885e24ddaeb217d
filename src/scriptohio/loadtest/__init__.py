"""Load testing on Locust: personas, scenarios, open model, exact percentiles, Grade-A gate.

Public API (Locust itself is only imported by the engine subprocess, so importing this package
never gevent-patches the caller)::

    run_loadtest(host, scenario, users=None, duration=None, report_dir=None, workers=0,
                 spawn_server=False, arrival_rate=None, ...) -> RunResult
    compare(a_json, b_json) -> dict
    loadtest_app  # typer sub-app: scriptohio loadtest ... / scriptohio loadtest compare A B

See docs/loadtest.md.
"""

from __future__ import annotations

import typing

if typing.TYPE_CHECKING:
    from scriptohio.loadtest.cli import loadtest_app
    from scriptohio.loadtest.compare import compare
    from scriptohio.loadtest.results import RunResult
    from scriptohio.loadtest.runner import run_loadtest
    from scriptohio.loadtest.shapes import SCENARIOS, build_schedule

__all__ = ["SCENARIOS", "RunResult", "build_schedule", "compare", "loadtest_app", "run_loadtest"]

_LAZY = {
    "run_loadtest": "scriptohio.loadtest.runner",
    "RunResult": "scriptohio.loadtest.results",
    "compare": "scriptohio.loadtest.compare",
    "loadtest_app": "scriptohio.loadtest.cli",
    "SCENARIOS": "scriptohio.loadtest.shapes",
    "build_schedule": "scriptohio.loadtest.shapes",
}


def __getattr__(name: str) -> typing.Any:
    # Lazy so `import scriptohio.loadtest` stays cheap (matplotlib, typer load on first use).
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
