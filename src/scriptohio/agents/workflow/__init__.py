"""Workflows: multi-step background jobs (weekly report, backtest, batch predict)."""
