"""Module-level handlers for the process-pool test (picklable by reference)."""

from __future__ import annotations

import os

from scriptohio.runtime import AgentRequest


def sum_of_squares(request: AgentRequest) -> tuple[int, int]:
    n = int(request.payload["n"])
    return sum(i * i for i in range(n)), os.getpid()
