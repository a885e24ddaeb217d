"""The typo rule on its own, on made-up names: budget, margin, neighbours, exact-only names."""

from __future__ import annotations

import pytest

from scriptohio.data.team_typos import TypoCorrector, edit_budget


@pytest.mark.parametrize(("length", "budget"), [(1, 0), (4, 0), (5, 1), (8, 1), (9, 2), (30, 2)])
def test_the_edit_budget_grows_with_the_shorter_string(length: int, budget: int) -> None:
    assert edit_budget(length) == budget


def test_one_clearly_closest_team_wins() -> None:
    typos = TypoCorrector({"georgia": ("Georgia",), "georgia tech": ("Georgia Tech",),
                           "gt": ("Georgia Tech",)})
    assert typos.correct("georiga") == ("Georgia",)  # a swap is one edit
    assert typos.correct("georgia tch") == ("Georgia Tech",)
    assert typos.correct("gorgia tec") == ("Georgia Tech",)  # two edits in ten letters
    assert typos.correct("gorgi") == ()  # two edits in five letters: out of reach


def test_the_runner_up_must_be_twice_as_far() -> None:
    typos = TypoCorrector({"abcdefghij": ("A",), "abcdefghxy": ("B",)})
    assert typos.correct("abcdefghiy") == ("A", "B")  # one edit from each: ask
    typos = TypoCorrector({"abcdefghij": ("A",), "abcdefgxyz": ("B",)})
    assert typos.correct("abcdefghzz") == ("A", "B")  # 2 and 3 edits: too close to call
    typos = TypoCorrector({"abcdefghij": ("A",), "abcdewxyzj": ("B",)})
    assert typos.correct("abcdefghzz") == ("A",)  # 2 and 4 edits: A


def test_short_and_exact_only_names_block_guesses_but_are_never_guessed() -> None:
    typos = TypoCorrector({"duke": ("Duke",), "dukes": ("James Madison",),
                           "iowa": ("Iowa",), "orange": ("Syracuse",)},
                          exact_only={"orange"})
    assert typos.correct("dukew") == ("Duke", "James Madison")
    assert typos.correct("iowaa") == ()  # "iowa" has four letters: never corrected to
    assert typos.correct("range") == ()  # plain English, exact only


def test_an_alias_of_several_teams_stays_ambiguous() -> None:
    typos = TypoCorrector({"bulldogs": ("Georgia", "Fresno State")})
    assert typos.correct("buldogs") == ("Fresno State", "Georgia")


def test_no_letters_no_correction() -> None:
    assert TypoCorrector({"12345": ("Nobody",)}).correct("12346") == ()
