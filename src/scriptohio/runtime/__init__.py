"""Async orchestrator: pools, admission control, breakers, rate limits, coalescing, batching."""
