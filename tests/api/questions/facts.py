"""Checking an answer's plain-language summary for the facts a question set expects.

The format of the sets is in ``SCHEMA.md`` next to this file. A fact is found in the summary
after case, dashes, apostrophes and spaces are normalised; numbers must stand alone ("3" is not
found in "13", "10" is found as "10" or "10.0").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
SETS = {"tuned": HERE / "tuned.yaml", "heldout": HERE / "heldout.yaml"}
_DASHES = re.compile(r"[\u2010-\u2015\u2212]")
_QUOTES = re.compile(r"[\u2018\u2019\u02bc`´]")


def load_set(name: str) -> list[dict[str, Any]]:
    """The questions of one set, each ``{"q", "kind", "facts", "note"}``."""
    entries = yaml.safe_load(SETS[name].read_text(encoding="utf-8"))
    assert isinstance(entries, list) and entries, name
    return entries


def normalise(text: str) -> str:
    text = _QUOTES.sub("'", _DASHES.sub("-", text)).casefold()
    return " ".join(text.split())


def _number_pattern(value: float | int | str) -> str:
    number = float(value)
    whole = number == int(number)
    body = rf"{int(number)}(?:\.0)?" if whole else re.escape(f"{number:g}")
    return rf"(?<![\d.]){body}(?![\d]|\.\d)"


def _has_score(text: str, value: str) -> bool:
    a, b = (part.strip() for part in str(value).split("-", 1))
    return any(re.search(rf"(?<![\d.]){x}-{y}(?![\d])", text) for x, y in ((a, b), (b, a)))


def missing_facts(facts: Mapping[str, Any], summary: str) -> list[str]:
    """The facts of ``facts`` that ``summary`` does not state (empty = all stated)."""
    text = normalise(summary)
    missing: list[str] = []
    for team in facts.get("teams", []):
        if normalise(team) not in text:
            missing.append(f"team {team}")
    winner = facts.get("winner")
    if winner and normalise(winner) not in text:
        missing.append(f"winner {winner}")
    if "score" in facts and not _has_score(text, facts["score"]):
        missing.append(f"score {facts['score']}")
    record = facts.get("record")
    if record and not re.search(rf"(?<![\d.]){re.escape(str(record))}(?![\d])", text):
        missing.append(f"record {record}")
    if "week" in facts and not re.search(rf"\bweek {int(facts['week'])}\b", text):
        missing.append(f"week {facts['week']}")
    for number in facts.get("numbers", []):
        if not re.search(_number_pattern(number), text):
            missing.append(f"number {number}")
    for phrase in facts.get("says", []):
        if normalise(phrase) not in text:
            missing.append(f"says {phrase!r}")
    return missing


def answer_text(payload: Mapping[str, Any]) -> str:
    """What a casual reader is told: the answer's summary, else the question back."""
    answer = payload.get("answer") or {}
    if isinstance(answer, Mapping) and answer.get("summary"):
        return str(answer["summary"])
    clarification = payload.get("clarification") or {}
    if isinstance(clarification, Mapping) and clarification.get("message"):
        return str(clarification["message"])
    return ""
