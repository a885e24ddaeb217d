"""Workflows: multi-step background jobs (weekly report, backtest, batch predict)."""

__all__: list[str] = []  # a folder of modules: import them by name
