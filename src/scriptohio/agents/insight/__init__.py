"""Insight agent: power rankings, team profiles, matchup analysis, team comparison."""
