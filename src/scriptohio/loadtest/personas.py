"""The three simulated user populations and the requests they make -- pure, no Locust.

A :class:`Persona` is data: its share of users, session length, think time and the weighted
actions it takes. :class:`RequestPlanner` turns an action into a :class:`RequestSpec` using a
:class:`~scriptohio.loadtest.targets.TargetPicker`, so what users ask for is testable without a
load generator; :mod:`scriptohio.loadtest.locust_users` only executes the specs.

==============  ======  ===========  ==========  ===============================================
persona         share   session      think time  actions (weight)
==============  ======  ===========  ==========  ===============================================
casual          40 %    5-15 min     3-12 s      learning path/lessons/concepts, rankings, team
                                                 pages, some predictions and ``/v1/ask``
data_scientist  30 %    10-30 min    2-8 s       predictions with explanations (``X-Role:
                                                 data_scientist``), matchups, rankings by
                                                 method, rarely backtest / batch-predict jobs
production      30 %    1-5 min      0.5-2 s     the week's slate and single predictions
==============  ======  ===========  ==========  ===============================================
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from scriptohio.loadtest.targets import Game, TargetPicker

#: Ranking methods data scientists compare (``GET /v1/rankings?method=``).
DEFAULT_RANKING_METHODS: tuple[str, ...] = ("elo", "srs")
DEFAULT_BATCH_SIZE = 10
#: Jobs (backtest, batch predict) are heavy: a session submits at most this many.
DEFAULT_MAX_JOBS_PER_SESSION = 1
#: ``POST /v1/jobs`` batch_predict: rows in the games.csv schema (the columns it needs).
BATCH_CSV_COLUMNS = ("game_id", "season", "week", "season_type", "start_date", "neutral_site",
                     "home_team", "away_team")


@dataclass(frozen=True, slots=True)
class RequestSpec:
    """One HTTP request to send; ``name`` groups URLs by endpoint in the statistics."""

    method: str
    path: str
    name: str
    params: dict[str, str] = field(default_factory=dict)
    json: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Persona:
    name: str
    role: str  # the X-Role header value
    weight: int
    session_s: tuple[float, float]
    think_s: tuple[float, float]
    actions: tuple[tuple[str, int], ...]


CASUAL = Persona("casual", "casual", 40, (300.0, 900.0), (3.0, 12.0), (
    ("learn_path", 3), ("lesson", 4), ("concept", 2), ("rankings", 3), ("team", 4),
    ("predict", 3), ("ask", 2)))
DATA_SCIENTIST = Persona("data_scientist", "data_scientist", 30, (600.0, 1800.0), (2.0, 8.0), (
    ("predict", 10), ("matchup", 6), ("rankings_method", 4), ("team", 2), ("ask", 1),
    ("job_backtest", 1), ("job_batch_predict", 1)))
PRODUCTION = Persona("production", "production", 30, (60.0, 300.0), (0.5, 2.0), (
    ("slate", 2), ("predict", 8)))
PERSONAS: tuple[Persona, ...] = (CASUAL, DATA_SCIENTIST, PRODUCTION)
ACTIONS: frozenset[str] = frozenset(a for p in PERSONAS for a, _ in p.actions)


@dataclass(slots=True)
class Discovered:
    """What a session learnt from earlier answers (lesson ids, concept names, job ids)."""

    lessons: list[str] = field(default_factory=list)
    concepts: list[str] = field(default_factory=list)


class RequestPlanner:
    """Turns persona actions into concrete requests against the contract's endpoints."""

    def __init__(self, picker: TargetPicker, rng: random.Random, *,
                 ranking_methods: Sequence[str] = DEFAULT_RANKING_METHODS,
                 batch_size: int = DEFAULT_BATCH_SIZE) -> None:
        self._picker = picker
        self._rng = rng
        self._methods = tuple(ranking_methods)
        self._batch_size = batch_size

    def choose_action(self, persona: Persona) -> str:
        names = [a for a, _ in persona.actions]
        weights = [w for _, w in persona.actions]
        return self._rng.choices(names, weights=weights)[0]

    def plan(self, action: str, found: Discovered | None = None) -> RequestSpec:
        """The request for ``action``; lessons/concepts need ids ``found`` earlier."""
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        build = getattr(self, f"_{action}")
        spec: RequestSpec = build(found or Discovered())
        return spec

    # One builder per action (``_<action>``), so an action is one small method.

    def _learn_path(self, found: Discovered) -> RequestSpec:
        return RequestSpec("GET", "/v1/learn/path", "/v1/learn/path")

    def _lesson(self, found: Discovered) -> RequestSpec:
        if not found.lessons:  # nothing discovered yet: read the path first, as a user would
            return self._learn_path(found)
        lesson = quote(self._rng.choice(found.lessons), safe="")
        return RequestSpec("GET", f"/v1/learn/lessons/{lesson}", "/v1/learn/lessons/{id}")

    def _concept(self, found: Discovered) -> RequestSpec:
        if not found.concepts:
            return self._learn_path(found)
        concept = quote(self._rng.choice(found.concepts), safe="")
        return RequestSpec("GET", f"/v1/learn/concepts/{concept}", "/v1/learn/concepts/{name}")

    def _week_params(self) -> dict[str, str]:
        season, week = self._picker.week()
        return {"season": str(season), "week": str(week)}

    def _rankings(self, found: Discovered) -> RequestSpec:
        return RequestSpec("GET", "/v1/rankings", "/v1/rankings", self._week_params())

    def _rankings_method(self, found: Discovered) -> RequestSpec:
        params = self._week_params()
        if self._methods:
            params["method"] = self._rng.choice(self._methods)
        return RequestSpec("GET", "/v1/rankings", "/v1/rankings?method", params)

    def _team(self, found: Discovered) -> RequestSpec:
        name, season = self._picker.team_season()
        team = quote(name, safe="")
        return RequestSpec("GET", f"/v1/teams/{team}", "/v1/teams/{team}",
                           {"season": str(season)})

    def _slate(self, found: Discovered) -> RequestSpec:
        return RequestSpec("GET", "/v1/games", "/v1/games", self._week_params())

    def _predict(self, found: Discovered) -> RequestSpec:
        g = self._picker.game()
        params = {"home": g.home, "away": g.away, "season": str(g.season), "week": str(g.week),
                  "neutral": "true" if g.neutral else "false"}
        if g.season_type != "regular":  # bowls are "postseason week 1", not regular week 1
            params["season_type"] = g.season_type
        return RequestSpec("GET", "/v1/predict", "/v1/predict", params)

    def _matchup(self, found: Discovered) -> RequestSpec:
        g = self._picker.fbs_game()
        params = {"home": g.home, "away": g.away, "season": str(g.season), "week": str(g.week)}
        if g.season_type != "regular":
            params["season_type"] = g.season_type
        return RequestSpec("GET", "/v1/matchup", "/v1/matchup", params)

    def _ask(self, found: Discovered) -> RequestSpec:
        return RequestSpec("POST", "/v1/ask", "/v1/ask", json={"query": self._question()})

    def _job_backtest(self, found: Discovered) -> RequestSpec:
        return RequestSpec("POST", "/v1/jobs", "/v1/jobs",
                           json={"type": "backtest", "season": self._picker.season()})

    def _job_batch_predict(self, found: Discovered) -> RequestSpec:
        games = [self._picker.game() for _ in range(self._batch_size)]
        return RequestSpec("POST", "/v1/jobs", "/v1/jobs",
                           json={"type": "batch_predict", "csv": batch_csv(games)})

    def _question(self) -> str:
        home, away = self._picker.two_teams()
        season, week = self._picker.week()
        templates = (
            f"Who wins {home} vs {away}?",
            f"How good is {home} this season?",
            f"Top 10 teams in week {week} of {season}",
            "What is a point spread?",
        )
        return self._rng.choice(templates)


def batch_csv(games: Sequence[Game]) -> str:
    """Games as CSV text in the games.csv schema (the batch-predict job's input)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(BATCH_CSV_COLUMNS)
    for g in games:
        writer.writerow((g.game_id, g.season, g.week, g.season_type, g.start_date,
                         "True" if g.neutral else "False", g.home, g.away))
    return buf.getvalue()


def job_poll(answer: object) -> RequestSpec | None:
    """After ``POST /v1/jobs``: the status request for the job id in ``answer``, if any."""
    if isinstance(answer, dict) and isinstance(answer.get("id"), str | int):
        job = quote(str(answer["id"]), safe="")
        return RequestSpec("GET", f"/v1/jobs/{job}", "/v1/jobs/{id}")
    return None


def discover_learning(answer: object, found: Discovered) -> None:
    """Collect lesson ids and concept names from a ``/v1/learn/path`` answer (any nesting)."""
    stack: list[object] = [answer]
    seen = 0
    while stack and seen < 10_000:  # bounded: answers are small, but never trust a shape
        node = stack.pop()
        seen += 1
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("lessons", "lesson_ids") and isinstance(value, list):
                    for item in value:
                        ident = item.get("id") if isinstance(item, dict) else item
                        if isinstance(ident, str | int) and str(ident) not in found.lessons:
                            found.lessons.append(str(ident))
                if key == "concepts" and isinstance(value, list):
                    for item in value:
                        name = item.get("name", item.get("id")) if isinstance(item, dict) else item
                        if isinstance(name, str) and name not in found.concepts:
                            found.concepts.append(name)
                stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)
