"""Agents: each answers one kind of question (prediction, insight, learning, workflows, ask)."""
