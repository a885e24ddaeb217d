"""Team-name resolution against the canonical names of the real games.csv."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scriptohio.data.teams import Resolution, TeamResolver, curated_aliases, normalize
from scriptohio.errors import AmbiguousError, UnknownTeamError
from tests.data.team_tables import AMBIGUOUS, JUNK, NEIGHBOURS, OSU, TYPOS, UM

REPO_ROOT = Path(__file__).resolve().parents[2]


def _data_dir() -> Path:
    configured = os.environ.get("SCRIPTOHIO_DATA_DIR")
    return Path(configured) if configured else REPO_ROOT.parent / "shared" / "data"


@pytest.fixture(scope="module")
def names() -> frozenset[str]:
    with (_data_dir() / "games.csv").open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle)
        return frozenset(name for row in rows for name in (row["home_team"], row["away_team"]))


@pytest.fixture(scope="module")
def resolver(names: frozenset[str]) -> TeamResolver:
    return TeamResolver(names)


@pytest.mark.parametrize(
    ("query", "team"),
    [
        ("san jose st", "San José State"),
        ("SAN JOSE STATE", "San José State"),
        ("San José St.", "San José State"),
        ("SJSU", "San José State"),
        ("hawaii", "Hawai'i"),
        ("Hawaiʻi", "Hawai'i"),  # okina, as Hawaiian spells it
        ("HAWAI’I", "Hawai'i"),  # typographic apostrophe
        ("miami ohio", "Miami (OH)"),
        ("Miami, OH", "Miami (OH)"),
        ("Miami of Ohio", "Miami (OH)"),
        ("Miami University", "Miami (OH)"),
        ("miami", "Miami"),
        ("Miami (FL)", "Miami"),
        ("Miami Florida", "Miami"),
        ("The U", "Miami"),
        ("tOSU", "Ohio State"),
        ("ohio st.", "Ohio State"),
        ("The Ohio State University", "Ohio State"),
        ("Ohio State Buckeyes", "Ohio State"),
        ("Buckeyes", "Ohio State"),
        ("Bama", "Alabama"),
        ("Alabama Crimson Tide", "Alabama"),
        ("UGA", "Georgia"),
        ("Georgia Bulldogs", "Georgia"),
        ("Pitt", "Pittsburgh"),
        ("UMass", "Massachusetts"),
        ("Appalachian State", "App State"),
        ("App St", "App State"),
        ("Connecticut", "UConn"),
        ("ULM", "UL Monroe"),
        ("Louisiana-Monroe", "UL Monroe"),
        ("Louisiana-Lafayette", "Louisiana"),
        ("ULL", "Louisiana"),
        ("Sam Houston State", "Sam Houston"),
        ("Southern Mississippi", "Southern Miss"),
        ("USM", "Southern Miss"),
        ("Texas A & M", "Texas A&M"),
        ("texas a and m", "Texas A&M"),
        ("TAMU", "Texas A&M"),
        ("FIU", "Florida International"),
        ("FAU", "Florida Atlantic"),
        ("lsu", "LSU"),
        ("Louisiana State", "LSU"),
        ("University of Michigan", "Michigan"),
        ("Wolverines", "Michigan"),
        ("Mich St", "Michigan State"),
        ("Miss St", "Mississippi State"),
        ("Okla. St.", "Oklahoma State"),
        ("Ga Tech", "Georgia Tech"),
        ("W. Michigan", "Western Michigan"),
        ("K-State", "Kansas State"),
        ("N.C. State", "NC State"),
        ("Mississippi", "Ole Miss"),
        ("Southern Cal", "USC"),
        ("Central Florida", "UCF"),
        ("the citadel", "The Citadel"),
        ("Saint Francis (PA)", "St. Francis (PA)"),
        ("Savannah State", "Savannah St"),
    ],
)
def test_names_aliases_and_spellings_resolve_to_the_canonical_team(
    resolver: TeamResolver, query: str, team: str
) -> None:
    found = resolver.resolve(query)
    assert found.team == team, found
    assert found.as_json() == {"query": query, "team": team}
    assert resolver.require(query) == team


def test_every_canonical_name_resolves_to_itself(
    resolver: TeamResolver, names: frozenset[str]
) -> None:
    wrong = {name: resolver.resolve(name) for name in names if resolver.resolve(name).team != name}
    assert wrong == {}


def test_curated_aliases_name_teams_that_exist_in_the_data(names: frozenset[str]) -> None:
    named = {team for teams in curated_aliases().values() for team in teams}
    assert named - names == set()


@pytest.mark.parametrize("query", ["OSU", "osu", "O.S.U."])
def test_osu_is_ambiguous_between_three_teams(resolver: TeamResolver, query: str) -> None:
    found = resolver.resolve(query)
    assert found.team is None
    assert found.kind == "ambiguous"
    assert set(found.candidates) == OSU
    assert found.as_json() == {"query": query, "candidates": list(found.candidates)}
    with pytest.raises(AmbiguousError) as raised:
        resolver.require(query)
    assert set(raised.value.candidates) == OSU
    assert raised.value.status == 409


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("UM", UM),
        ("Bulldogs", {"Georgia", "Mississippi State", "Fresno State", "Louisiana Tech"}),
        ("Tigers", {"Auburn", "Clemson", "LSU", "Memphis", "Missouri"}),
        ("USC ", {"USC"}),
        ("UT", {"Texas", "Tennessee"}),
    ],
)
def test_shared_abbreviations_and_mascots_list_their_candidates(
    resolver: TeamResolver, query: str, expected: set[str]
) -> None:
    found = resolver.resolve(query)
    got = {found.team} if found.team is not None else set(found.candidates)
    assert got == expected


def test_ambiguous_candidates_are_limited_to_the_teams_in_the_data() -> None:
    assert set(TeamResolver(["Ohio State", "Oregon State"]).resolve("OSU").candidates) == {
        "Ohio State",
        "Oregon State",
    }
    assert TeamResolver(["Ohio State", "Michigan"]).resolve("OSU").team == "Ohio State"
    assert TeamResolver(["Michigan"]).resolve("OSU").kind == "unknown"


@pytest.mark.parametrize(("query", "team"), TYPOS)
def test_a_typo_clearly_closest_to_one_team_resolves_to_it(
    resolver: TeamResolver, query: str, team: str
) -> None:
    found = resolver.resolve(query)
    assert (found.kind, found.team, found.corrected) == ("resolved", team, True), found
    assert found.as_json() == {"query": query, "team": team, "corrected": True}
    assert resolver.require(query) == team
    assert resolver.correct(query) == (team,)


def test_a_name_or_alias_is_found_not_corrected(resolver: TeamResolver) -> None:
    for query, team in [("Ohio", "Ohio"), ("Miami", "Miami"), ("tOSU", "Ohio State")]:
        assert resolver.resolve(query) == Resolution(query, team)


@pytest.mark.parametrize("query", JUNK)
def test_junk_resolves_to_nothing_and_suggests_nothing(
    resolver: TeamResolver, query: str
) -> None:
    assert resolver.resolve(query) == Resolution(query, None, (), ())
    with pytest.raises(UnknownTeamError) as raised:
        resolver.require(query)
    assert raised.value.suggestions == [] and raised.value.status == 404


@pytest.mark.parametrize(
    ("query", "suggested"),
    [("Michigan!", "Michigan"), ("%ohio%", "Ohio"), ("±Ohio State°", "Ohio State"),
     ("Ohio State?", "Ohio State")],
)
def test_a_name_with_foreign_symbols_is_not_resolved_but_suggested(
    resolver: TeamResolver, query: str, suggested: str
) -> None:
    found = resolver.resolve(query)
    assert found.kind == "unknown"
    assert found.suggestions[0] == suggested


@pytest.mark.parametrize(("query", "expected"), AMBIGUOUS)
def test_ambiguous_names_and_typos_list_their_candidates(
    resolver: TeamResolver, query: str, expected: set[str]
) -> None:
    found = resolver.resolve(query)
    assert found.kind == "ambiguous" and set(found.candidates) == expected, found
    assert found.as_json() == {"query": query, "candidates": list(found.candidates)}
    with pytest.raises(AmbiguousError) as raised:
        resolver.require(query)
    assert set(raised.value.candidates) == expected and raised.value.status == 409


@pytest.mark.parametrize(
    ("query", "best"),
    [("Penn", "Penn State"), ("Ohio Sta", "Ohio State"), ("Iowaa", "Iowa"), ("Amry", "Army"),
     ("Nevy", "Navy"), ("Ohioo", "Ohio"), ("Wiscnsn", "Wisconsin")],
)
def test_a_name_out_of_reach_is_unknown_with_the_right_first_suggestion(
    resolver: TeamResolver, query: str, best: str
) -> None:
    """Short names are never corrected, and 2 edits in 8 letters are too many."""
    found = resolver.resolve(query)
    assert found.kind == "unknown"
    assert found.suggestions[0] == best
    assert len(found.suggestions) <= 5
    body = found.as_json()
    assert body["candidates"] == body["suggestions"] == list(found.suggestions)
    with pytest.raises(UnknownTeamError) as raised:
        resolver.require(query)
    assert raised.value.suggestions[0] == best
    assert raised.value.status == 404
    assert best in str(raised.value)


def _one_edit_variants(key: str) -> set[str]:
    letters = "abcdefghijklmnopqrstuvwxyz "
    out = {key[:i] + key[i + 1 :] for i in range(len(key))}
    out |= {key[:i] + key[i + 1] + key[i] + key[i + 2 :] for i in range(len(key) - 1)}
    out |= {key[:i] + c + key[i:] for i in range(len(key) + 1) for c in letters}
    out |= {key[:i] + c + key[i + 1 :] for i in range(len(key)) for c in letters}
    return out - {key}


@pytest.mark.parametrize(("a", "b"), NEIGHBOURS)
def test_near_neighbours_are_never_confused(resolver: TeamResolver, a: str, b: str) -> None:
    for name in (a, b):
        assert resolver.resolve(name) == Resolution(name, name)
        corrected = 0
        for variant in _one_edit_variants(normalize(name)):
            found = resolver.resolve(variant)
            # a typo of one is corrected back to it, never to its neighbour (which a variant
            # may only be as an exact name or alias, e.g. "ohio st")
            assert found.team == name or not found.corrected, (variant, found)
            corrected += found.corrected
        if len(normalize(name)) > 4:  # the rule did run: typos of longer names are corrected
            assert corrected > 0, name


def test_no_one_edit_typo_of_a_team_is_corrected_into_another_team(
    resolver: TeamResolver, names: frozenset[str]
) -> None:
    wrong = {}
    for team in names:
        key = normalize(team)
        deletions = {key[:i] + key[i + 1 :] for i in range(len(key))}
        swaps = {key[:i] + key[i + 1] + key[i] + key[i + 2 :] for i in range(len(key) - 1)}
        doubled = {key[:i] + key[i] + key[i:] for i in range(len(key))}
        for variant in (deletions | swaps | doubled) - {key}:
            found = resolver.resolve(variant)
            if found.corrected and found.team != team:
                wrong[variant] = (team, found.team)
    assert wrong == {}


def test_every_curated_alias_resolves(resolver: TeamResolver, names: frozenset[str]) -> None:
    """The "not a name" rule rejects no real spelling ("Ragin' Cajuns", "W&M", "49ers")."""
    unknown = [alias for alias, teams in curated_aliases().items()
               if set(teams) & names and resolver.resolve(alias).kind == "unknown"]
    assert unknown == []


def test_gibberish_is_unknown_without_suggestions(resolver: TeamResolver) -> None:
    for query in ("xyzzy qwv", "", "   ", "!!!"):
        found = resolver.resolve(query)
        assert found == Resolution(query, None, (), ())


def test_search_ranks_an_exact_hit_first(resolver: TeamResolver) -> None:
    ranked = resolver.search("Ohio")
    assert ranked[0] == ("Ohio", 100.0)
    assert "Ohio State" in [team for team, _ in ranked]
    scores = [score for _, score in resolver.search("Michigan Sate", limit=3)]
    assert scores == sorted(scores, reverse=True) and len(scores) <= 3


def test_extra_aliases_add_and_override(names: frozenset[str]) -> None:
    resolver = TeamResolver(
        names,
        extra_aliases={
            "OSU": "Ohio State",
            "Brutus": "Ohio State",
            "Big Red": ["Nebraska", "Nope"],
        },
    )
    assert resolver.resolve("osu").team == "Ohio State"
    assert resolver.resolve("brutus").team == "Ohio State"
    assert resolver.resolve("big red").team == "Nebraska"  # absent teams are dropped


def test_canonical_names_win_over_aliases() -> None:
    resolver = TeamResolver(["Cardinals", "Louisville", "Ball State"])
    assert resolver.resolve("cardinals").team == "Cardinals"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("who wins ohio state vs michigan this week?", ["Ohio State", "Michigan"]),
        ("OSU vs Michigan", [OSU, "Michigan"]),
        ("Can u tell me about the U against Florida State", ["Miami", "Florida State"]),
        ("um, how good is Texas A&M?", ["Texas A&M"]),
        ("Miami (OH) at Ohio in week 3", ["Miami (OH)", "Ohio"]),
        ("Georgia Bulldogs vs Alabama Crimson Tide", ["Georgia", "Alabama"]),
        ("San José St. vs Hawai'i", ["San José State", "Hawai'i"]),
        ("k-state or Kansas?", ["Kansas State", "Kansas"]),
        ("What's Oklahoma St's record?", ["Oklahoma State"]),
        ("Louisiana-Monroe vs. Southern Miss", ["UL Monroe", "Southern Miss"]),
        ("Texas vs Texas A&M", ["Texas", "Texas A&M"]),
        ("is the tech offense any good", []),
        ("will Army beat Navy, UM or tOSU", ["Army", "Navy", UM, "Ohio State"]),
        ("the u and the Buckeyes", ["Miami", "Ohio State"]),
    ],
)
def test_find_mentions_in_sentences(
    resolver: TeamResolver, text: str, expected: list[str | set[str]]
) -> None:
    mentions = resolver.find_mentions(text)
    got = [m.team if m.team is not None else set(m.resolution.candidates) for m in mentions]
    assert got == expected
    for mention in mentions:
        assert text[mention.start : mention.end] == mention.surface


def test_mentions_report_the_surface_text(resolver: TeamResolver) -> None:
    (first, second) = resolver.find_mentions("Is Miami (OH) better than ga tech?")
    assert (first.surface, second.surface) == ("Miami (OH)", "ga tech")
    assert first.resolution.as_json() == {"query": "Miami (OH)", "team": "Miami (OH)"}


def test_normalize_folds_case_accents_punctuation_and_the() -> None:
    assert normalize("  San  José   St. ") == "san jose st"
    assert normalize("Hawaiʻi") == normalize("HAWAII") == "hawaii"
    assert normalize("Texas A&M") == normalize("texas a and m") == "texas am"
    assert normalize("The Ohio State") == "ohio state"
    assert normalize("Miami (OH)") == normalize("miami-oh") == "miami oh"


_ASCII_TEXT = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40)


@given(_ASCII_TEXT)
def test_normalize_is_idempotent_and_case_blind(text: str) -> None:
    key = normalize(text)
    assert normalize(key) == key
    assert normalize(text.upper()) == key


@given(st.text(max_size=60))
def test_any_text_resolves_or_is_unknown_without_raising(text: str) -> None:
    resolver = TeamResolver(["Ohio State", "Michigan", "Hawai'i", "Miami", "Miami (OH)"])
    found = resolver.resolve(text)
    assert found.kind in {"resolved", "ambiguous", "unknown"}
    for mention in resolver.find_mentions(text):
        assert text[mention.start : mention.end] == mention.surface
