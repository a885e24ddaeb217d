"""The shipped lesson catalogue is complete, acyclic and its examples run on real data."""

from __future__ import annotations

import csv
import re
import shutil
from collections import defaultdict
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from scriptohio.agents.ask import AskRouter
from scriptohio.agents.learn import ROLES, Catalogue, default_catalogue, load_catalogue
from scriptohio.agents.learn.catalogue import DEFAULT_LESSON_DIR
from scriptohio.agents.learn.glossary import DEFAULT_CONCEPT_FILE
from scriptohio.agents.learn.paths import find_cycle
from scriptohio.data.paths import find_data_dir
from scriptohio.data.teams import TeamResolver
from scriptohio.errors import DataFormatError

REPO = Path(__file__).resolve().parents[2]

# Contract endpoints (../shared/CONTRACT.md): path pattern -> allowed query parameters.
GET_ENDPOINTS: dict[str, set[str]] = {
    r"/v1/predict": {"home", "away", "season", "week", "neutral"},
    r"/v1/games": {"season", "week"},
    r"/v1/teams/(?P<team>[^/?]+)": {"season"},
    r"/v1/rankings": {"season", "week", "method"},
    r"/v1/matchup": {"home", "away", "season", "week"},
    r"/v1/learn/path": {"role"},
    r"/v1/learn/lessons/(?P<lesson>[^/?]+)": set(),
    r"/v1/learn/concepts/(?P<concept>[^/?]+)": set(),
    r"/v1/jobs/[^/?]+": set(),
    r"/health": set(),
    r"/ready": set(),
    r"/metrics": set(),
    r"/v1/monitor/status": set(),
}
POST_ENDPOINTS = {"/v1/ask", "/v1/jobs"}
REQUIRED = {"/v1/predict": {"home", "away"}, "/v1/matchup": {"home", "away"}}


class Games:
    """The real games, indexed the ways the checks need."""

    def __init__(self) -> None:
        path = find_data_dir(cwd=REPO) / "games.csv"
        with path.open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        self.teams = {row[k] for row in rows for k in ("home_team", "away_team")}
        self.seasons = {int(row["season"]) for row in rows}
        self.weeks: dict[int, set[int]] = defaultdict(set)
        self.games: dict[tuple[int, int, str, str], dict[str, str]] = {}
        for row in rows:
            season, week = int(row["season"]), int(row["week"])
            self.weeks[season].add(week)
            self.games[(season, week, row["home_team"], row["away_team"])] = row


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return default_catalogue()


@pytest.fixture(scope="module")
def games() -> Games:
    return Games()


def test_catalogue_size(catalogue: Catalogue) -> None:
    assert len(catalogue.lessons) >= 12
    assert len(catalogue.glossary) >= 20
    for name in ("epa", "ppa", "success_rate", "explosiveness", "elo", "srs", "spread", "edge",
                 "brier_score", "calibration"):
        assert name in catalogue.glossary.names


def test_every_lesson_is_complete(catalogue: Catalogue) -> None:
    for lesson in catalogue.lessons.values():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", lesson.id), lesson.id
        assert lesson.title and lesson.minutes > 0 and lesson.examples
        assert len(lesson.body) > 600, lesson.id
        assert set(lesson.roles) <= set(ROLES)
        for concept in lesson.concepts:
            assert concept in catalogue.glossary.names


def test_prerequisites_exist_and_have_no_cycle(catalogue: Catalogue) -> None:
    for lesson in catalogue.lessons.values():
        assert set(lesson.prerequisites) <= set(catalogue.lessons), lesson.id
        assert lesson.id not in lesson.prerequisites
    assert find_cycle(catalogue.lessons) is None


def test_role_paths_are_topological_and_cover_the_role(catalogue: Catalogue) -> None:
    for role in ROLES:
        path = list(catalogue.paths[role])
        assert len(path) == len(set(path)) >= 5
        for position, lesson_id in enumerate(path):
            for need in catalogue.lessons[lesson_id].prerequisites:
                assert need in path[:position], (role, lesson_id, need)
        tagged = {i for i, lesson in catalogue.lessons.items() if role in lesson.roles}
        assert tagged <= set(path)
    assert catalogue.paths["casual"][0] == "welcome"


def test_every_lesson_is_on_some_path(catalogue: Catalogue) -> None:
    on_paths = {lesson_id for path in catalogue.paths.values() for lesson_id in path}
    assert on_paths == set(catalogue.lessons)


def test_concepts_point_at_existing_lessons(catalogue: Catalogue) -> None:
    for concept in catalogue.glossary:
        assert concept.lessons, concept.name
        assert set(concept.lessons) <= set(catalogue.lessons)
        assert set(concept.related_concepts) <= set(catalogue.glossary.names)
        assert len(concept.summary) > 60


def _check_get(url: str, catalogue: Catalogue, games: Games) -> None:
    parts = urlsplit(url)
    matched = [
        (pattern, allowed) for pattern, allowed in GET_ENDPOINTS.items()
        if re.fullmatch(pattern, parts.path)
    ]
    assert matched, f"{url} is not a contract endpoint"
    pattern, allowed = matched[0]
    params = {key: values[0] for key, values in parse_qs(parts.query, strict_parsing=False).items()}
    assert set(params) <= allowed, url
    assert REQUIRED.get(parts.path, set()) <= set(params), url
    match = re.fullmatch(pattern, parts.path)
    assert match is not None
    named = {k: v.replace("%20", " ") for k, v in match.groupdict().items()}
    for team in [params.get("home"), params.get("away"), named.get("team")]:
        assert team is None or team in games.teams, f"{url}: unknown team {team!r}"
    if "lesson" in named:
        assert named["lesson"] in catalogue.lessons
    season = int(params["season"]) if "season" in params else None
    assert season is None or season in games.seasons, url
    if season is not None and "week" in params:
        assert int(params["week"]) in games.weeks[season], url
    if {"home", "away", "week"} <= set(params) and season is not None:
        game = games.games.get((season, int(params["week"]), params["home"], params["away"]))
        assert game is not None, f"{url}: no such game in games.csv"
        if params.get("neutral") == "true":
            assert game["neutral_site"] == "True", url


def test_every_example_is_a_contract_request_on_real_data(
    catalogue: Catalogue, games: Games
) -> None:
    router = AskRouter(TeamResolver(games.teams), current_season=max(games.seasons))
    count = 0
    for lesson in catalogue.lessons.values():
        for example in lesson.examples:
            count += 1
            assert example.curl().startswith("curl -s ")
            if example.method == "GET":
                _check_get(example.path, catalogue, games)
                continue
            assert example.path in POST_ENDPOINTS, example.path
            assert example.body is not None
            if example.path == "/v1/ask":
                routed = router.route(str(example.body["query"]))
                assert routed.intent == "predict", example.body
                request = routed.request
                if routed.clarification is None:
                    key = (request["season"], request["week"], request["home"], request["away"])
                    assert key in games.games, f"{example.body}: {key} is not a real game"
    assert count >= 2 * len(catalogue.lessons)


def _copy_catalogue(tmp_path: Path) -> tuple[Path, Path]:
    lessons = tmp_path / "lessons"
    shutil.copytree(DEFAULT_LESSON_DIR, lessons)
    concepts = tmp_path / "concepts.yaml"
    shutil.copy(DEFAULT_CONCEPT_FILE, concepts)
    return lessons, concepts


def test_a_copy_loads_like_the_original(tmp_path: Path) -> None:
    lessons, concepts = _copy_catalogue(tmp_path)
    assert list(load_catalogue(lessons, concepts).lessons) == list(default_catalogue().lessons)


def test_a_prerequisite_cycle_is_refused(tmp_path: Path) -> None:
    lessons, concepts = _copy_catalogue(tmp_path)
    welcome = lessons / "01-welcome.md"
    welcome.write_text(
        welcome.read_text().replace("prerequisites: []", "prerequisites: [ensemble]")
    )
    with pytest.raises(DataFormatError, match="cycle"):
        load_catalogue(lessons, concepts)


def test_an_unknown_prerequisite_names_the_file(tmp_path: Path) -> None:
    lessons, concepts = _copy_catalogue(tmp_path)
    elo = lessons / "07-elo.md"
    elo.write_text(elo.read_text().replace("prerequisites: [welcome]", "prerequisites: [nope]"))
    with pytest.raises(DataFormatError, match=r"07-elo\.md.*nope"):
        load_catalogue(lessons, concepts)


def test_a_malformed_front_matter_names_the_field(tmp_path: Path) -> None:
    lessons, concepts = _copy_catalogue(tmp_path)
    elo = lessons / "07-elo.md"
    elo.write_text(elo.read_text().replace("minutes: 7", "minutes: soon"))
    with pytest.raises(DataFormatError, match="minutes"):
        load_catalogue(lessons, concepts)
