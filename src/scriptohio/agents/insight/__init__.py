"""Insight agent: power rankings, team profiles, matchup analysis, team comparison."""

__all__: list[str] = []  # a folder of modules: import them by name
