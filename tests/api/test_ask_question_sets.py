"""Plain questions answered with the right facts, through ``POST /v1/ask`` as a casual user.

Two sets of questions with the facts a right answer states, each fact computed from games.csv
when the set was written (format: ``questions/SCHEMA.md``). ``tuned.yaml`` is the set the
router was improved on; ``heldout.yaml`` was written separately and is never tuned on, so its
score is the honest one. A question counts as right when the answer's ``summary`` states every
expected fact.
"""

from __future__ import annotations

from typing import Any

from tests.api.conftest import AppClient
from tests.api.questions.facts import answer_text, load_set, missing_facts

#: share of questions whose summary states every expected fact
TARGETS = {"tuned": 0.95, "heldout": 0.90}


async def _score(client: Any, name: str) -> tuple[float, list[str]]:
    questions = load_set(name)
    misses = []
    for entry in questions:
        r = await client.post("/v1/ask", json={"query": entry["q"]},
                              headers={"X-Role": "casual"})
        assert r.status_code == 200, (entry["q"], r.text)
        missing = missing_facts(entry["facts"], answer_text(r.json()))
        if missing:
            misses.append(f"{entry['q']!r}: {missing}")
    return 1 - len(misses) / len(questions), misses


async def test_both_question_sets_get_the_right_facts(app_client: AppClient) -> None:
    async with app_client() as client:
        for name, target in TARGETS.items():
            share, misses = await _score(client, name)
            assert share >= target, (name, share, misses)


def test_the_sets_are_large_varied_and_separate() -> None:
    tuned, heldout = load_set("tuned"), load_set("heldout")
    assert len(tuned) >= 150 and len(heldout) >= 80
    assert not {e["q"].casefold() for e in tuned} & {e["q"].casefold() for e in heldout}
    for entries in (tuned, heldout):
        kinds = {e["kind"] for e in entries}
        assert {"result", "title_game", "record", "schedule", "prediction", "head_to_head",
                "streak", "unit", "leaders", "hypothetical"} <= kinds
        assert all(e["facts"] for e in entries)


def test_a_wrong_fact_is_caught() -> None:
    summary = "Michigan beat Ohio State 13-10 at Ohio State in week 14 of 2024."
    assert missing_facts({"winner": "Michigan", "score": "13-10", "week": 14}, summary) == []
    assert missing_facts({"score": "10-13"}, summary) == []  # either order
    assert missing_facts({"score": "13-3"}, summary) == ["score 13-3"]
    assert missing_facts({"numbers": [3]}, summary) == ["number 3"]  # not inside "13"
    assert missing_facts({"week": 1}, summary) == ["week 1"]
    assert missing_facts({"teams": ["Texas"]}, summary) == ["team Texas"]
    assert missing_facts({"numbers": [9.5, 10]}, "by 9.5, total 10.0") == []
