"""Agents: each answers one kind of question (prediction, insight, learning, workflows, ask)."""

__all__: list[str] = []  # a folder of modules: import them by name
