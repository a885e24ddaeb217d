"""Questions fans asked in two user tests, beyond the question sets: series since a year,
splits of a record, CFP rounds, the game after another, a bye or a missing bowl. Each expected
fact was checked against games.csv by the testers' own scripts."""

from __future__ import annotations

import re
from typing import Any

from tests.api.conftest import AppClient
from tests.api.questions.facts import answer_text, missing_facts

CASES: list[tuple[str, dict[str, Any]]] = [
    ("who won the 2024 playoff first round games",
     {"teams": ["Notre Dame", "Indiana", "Penn State", "SMU", "Texas", "Clemson", "Ohio State",
                "Tennessee"], "score": "27-17"}),
    ("cfp semifinal 2024 results", {"teams": ["Notre Dame", "Penn State", "Ohio State"],
                                    "score": "28-14"}),
    ("how many times has alabama beaten lsu since 2010", {"record": "12-4"}),
    ("red river rivalry last 5 years", {"teams": ["Texas"], "record": "3-2"}),
    ("record at home for penn state", {"record": "3-2"}),
    ("how many road wins does indiana have", {"record": "2-0"}),
    ("lsu's record in november 2019", {"record": "4-0"}),
    ("who do the nittany lions play after ohio state", {"teams": ["Indiana"], "week": 11}),
    ("best defense in the big east 2009", {"teams": ["Rutgers"], "numbers": [17.9]}),
    ("who plays in the sec championship", {"teams": ["Alabama", "Georgia"], "week": 15,
                                           "numbers": [2.5]}),
    ("did florida state make a bowl in 2025", {"says": ["no bowl game"]}),
    ("Hogwarts vs Ohio State", {"says": ["Hogwarts"]}),
    ("who won the big ten title game in 2015", {"winner": "Michigan State", "score": "16-13"}),
]




async def test_fan_questions_state_the_facts(app_client: AppClient) -> None:
    async with app_client() as client:
        misses = []
        for question, facts in CASES:
            r = await client.post("/v1/ask", json={"query": question},
                                  headers={"X-Role": "casual"})
            assert r.status_code == 200, (question, r.text)
            text = answer_text(r.json())
            missing = missing_facts(facts, text)
            if missing:
                misses.append((question, missing, text[:200]))
        assert misses == []


async def test_a_title_game_without_a_known_site_is_not_called_a_home_game(
        app_client: AppClient) -> None:
    async with app_client() as client:
        r = await client.post("/v1/ask", json={"query": "2009 sec title game"},
                              headers={"X-Role": "casual"})
        summary = r.json()["answer"]["summary"]
        assert summary.startswith("Alabama beat Florida 32-13 in week 14 of 2009")
        assert not re.search(r"\bat (home|Florida|Alabama)\b", summary), summary
