"""Qualified majorities as exact fractions (issue 15 item 2): the arithmetic, the contract
(`qualified.fraction` or `qualified.percent`), the wording in every clause that states the qualified
majority, and the rule on a percent that rounds a fraction up."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import jsonschema
import pytest

from coopdocs.checking import majority
from coopdocs.checking.pipeline import check_file
from coopdocs.compose import clauses
from coopdocs.compose.messages import worded
from coopdocs.inputs.schema import json_schema
from tests.support import BEREKE, DEFAULT_PACK, EXAMPLES, write_patched

MATTERS = ["charter_amendment", "reorganization", "liquidation", "exclusion", "fund_rules"]
QUALIFIED = "governance.general_meeting.qualified"
HOUSING = EXAMPLES / "housing-savings.yaml"


# --- arithmetic ----------------------------------------------------------------------------------


def test_two_of_three_pass_two_thirds_but_not_67_percent() -> None:
    two_thirds = majority.parse_fraction("2/3")
    assert two_thirds == Fraction(2, 3)
    assert majority.reaches(2, 3, two_thirds)
    assert not majority.reaches(2, 3, majority.percent_share(67))
    assert not majority.reaches(1, 2, two_thirds) and majority.reaches(4, 6, two_thirds)
    assert not majority.reaches(0, 0, two_thirds)  # nobody voting passes nothing


def test_percent_is_the_decimal_written_not_a_float() -> None:
    assert majority.percent_share(66.67) == Fraction(6667, 10000)
    assert majority.percent_share(75) == Fraction(3, 4)
    assert majority.reaches(3, 4, majority.percent_share(75))


@pytest.mark.parametrize(
    ("counted", "share", "needed"),
    [(3, "2/3", 2), (4, "2/3", 3), (6, "2/3", 4), (7, "2/3", 5), (4, "3/4", 3), (5, "3/4", 4), (10, "3/5", 6)],
)
def test_votes_needed_is_the_exact_ceiling(counted: int, share: str, needed: int) -> None:
    at_least = majority.parse_fraction(share)
    assert majority.votes_needed(counted, at_least) == needed
    assert majority.reaches(needed, counted, at_least) and not majority.reaches(needed - 1, counted, at_least)


def test_more_than_is_strict() -> None:
    half = Fraction(1, 2)
    assert not majority.exceeds(2, 4, half) and majority.exceeds(3, 4, half)


@pytest.mark.parametrize("text", ["2", "2/0", "4/3", "0/3", "a/b", "-1/2"])
def test_parse_fraction_refuses_what_is_not_a_majority(text: str) -> None:
    with pytest.raises(ValueError):
        majority.parse_fraction(text)


def test_rounding_finds_the_smallest_meeting_where_the_percent_is_stricter() -> None:
    found = majority.rounding_of(67)
    assert found == majority.Rounding("2/3", present=3, votes_fraction=2, votes_percent=3)
    assert majority.rounding_of(76) is not None and majority.rounding_of(76).fraction == "3/4"  # type: ignore[union-attr]
    assert majority.rounding_of(75) is None  # exactly three quarters
    assert majority.rounding_of(70) is None  # deliberately stricter, not a rounded fraction


# --- the contract --------------------------------------------------------------------------------


def diagnostics(tmp_path: Path, qualified: dict[str, object]) -> list[tuple[str, str, str]]:
    checked = check_file(write_patched(tmp_path, {QUALIFIED: qualified}))
    return [(d.rule, d.path, worded(d, "en").message) for d in checked.diagnostics if d.severity != "info"]


def test_fraction_is_valid_input(tmp_path: Path) -> None:
    assert diagnostics(tmp_path, {"fraction": "3/4", "matters": MATTERS}) == []


def test_percent_stays_valid_input(tmp_path: Path) -> None:
    assert diagnostics(tmp_path, {"percent": 75, "matters": MATTERS}) == []


def test_fraction_and_percent_together_is_an_error(tmp_path: Path) -> None:
    found = diagnostics(tmp_path, {"fraction": "2/3", "percent": 67, "matters": MATTERS})
    message = "the keys 'fraction' / 'percent' exclude each other: give only one"
    assert found == [
        ("schema/exclusive", f"{QUALIFIED}.fraction", message),
        ("schema/exclusive", f"{QUALIFIED}.percent", message),
    ]


def test_neither_fraction_nor_percent_is_one_error(tmp_path: Path) -> None:
    assert diagnostics(tmp_path, {"matters": MATTERS}) == [
        ("schema/one-of", QUALIFIED, "give one of the keys 'fraction' / 'percent': neither is here")
    ]


def test_only_worded_fractions_are_allowed(tmp_path: Path) -> None:
    found = diagnostics(tmp_path, {"fraction": "5/7", "matters": MATTERS})
    assert [(rule, path) for rule, path, _ in found] == [("schema/allowed", f"{QUALIFIED}.fraction")]
    assert found[0][2] == "'5/7' is not an allowed value"


def test_json_schema_wants_exactly_one_of_fraction_and_percent() -> None:
    schema = json_schema(DEFAULT_PACK)
    node = schema["properties"]["governance"]["properties"]["general_meeting"]["properties"]["qualified"]
    validator = jsonschema.Draft202012Validator(node)
    assert validator.is_valid({"fraction": "2/3", "matters": []})
    assert validator.is_valid({"percent": 67, "matters": []})
    assert not validator.is_valid({"fraction": "2/3", "percent": 67, "matters": []})
    assert not validator.is_valid({"matters": []})
    assert not validator.is_valid({"fraction": "1/3", "matters": []})


def test_a_percent_that_rounds_two_thirds_up_is_warned_with_the_numbers(tmp_path: Path) -> None:
    found = diagnostics(tmp_path, {"percent": 67, "matters": MATTERS})
    assert [(rule, path) for rule, path, _ in found] == [("KZ-PC-GM-QUALIFIED-ROUNDED", f"{QUALIFIED}.percent")]
    assert found[0][2].startswith(
        "67% is stricter than 2/3: with 3 members present, 2 votes make 2/3 but not 67%, which needs 3."
    )
    assert "was not verified: a lawyer must confirm" in found[0][2]


def test_a_fraction_not_above_the_ordinary_majority_is_warned(tmp_path: Path) -> None:
    checked = check_file(
        write_patched(
            tmp_path,
            {QUALIFIED: {"fraction": "3/5", "matters": MATTERS}, "governance.general_meeting.majority_percent": 60},
        )
    )
    found = [
        (d.rule, d.path, worded(d, "en").message) for d in checked.diagnostics if d.rule == "KZ-PC-GM-QUALIFIED-PERCENT"
    ]
    assert found == [
        (
            "KZ-PC-GM-QUALIFIED-PERCENT",
            f"{QUALIFIED}.fraction",
            "the qualified majority (3/5) is not above the simple majority (60%), so it protects nothing",
        )
    ]


# --- the wording ---------------------------------------------------------------------------------

WORDED = {
    "ru": "не менее двух третей голосов",
    "kk": "дауыстарының кемінде үштен екісі",
    "en": "at least two thirds of the votes",
}
# Every clause that states the qualified majority (charter 6.6, 10.12, 15.1, 15.3, 16.1, and the
# membership regulations' exclusion clause), found by their ids so that renumbering does not matter.
QUALIFIED_CLAUSES = {
    "charter": [
        "exclusion.decision",
        "gm.qualified",
        "reorganization.decision",
        "reorganization.liquidation_grounds",
        "amendments.decision",
    ],
}


def clause_texts(path: Path, doc: str, lang: str) -> dict[str, str]:
    checked = check_file(path)
    assert checked.cooperative is not None
    [document] = clauses.render_all(checked.cooperative, doc, [lang])
    return {c.id: " ".join([c.text, *c.items]) for s in document.sections for c in s.clauses}


@pytest.mark.parametrize(("example", "lang"), [(BEREKE, "ru"), (BEREKE, "kk"), (HOUSING, "en")])
def test_every_qualified_clause_words_the_fraction(example: Path, lang: str) -> None:
    texts = clause_texts(example, "charter", lang)
    stating = {cid for cid, text in texts.items() if WORDED[lang] in text}
    assert set(QUALIFIED_CLAUSES["charter"]) <= stating, sorted(set(QUALIFIED_CLAUSES["charter"]) - stating)
    assert not [cid for cid, text in texts.items() if "67" in text], "a percent survived"
    membership = clause_texts(example, "membership", lang)
    assert any(WORDED[lang] in text for text in membership.values())


def test_a_percent_is_still_worded_as_a_percent(tmp_path: Path) -> None:
    path = write_patched(tmp_path, {QUALIFIED: {"percent": 75, "matters": MATTERS}})
    texts = clause_texts(path, "charter", "ru")
    assert "не менее 75% голосов" in texts["gm.qualified"]
    assert "двух третей" not in " ".join(texts.values())


@pytest.mark.parametrize("lang", ["ru", "kk", "en"])
@pytest.mark.parametrize("pack_example", [BEREKE, EXAMPLES / "agri-supply-marketing.yaml"], ids=["consumer", "agri"])
def test_exclusion_among_the_unanimous_matters_is_unanimous_in_every_clause_that_states_it(
    tmp_path: Path, lang: str, pack_example: Path
) -> None:
    """The charter's clause on unanimous matters lists exclusion; the exclusion clauses of the charter
    and of the membership regulations must then say unanimous too, not a majority (they did: the
    charter contradicted itself)."""
    patch = {"governance.general_meeting.unanimous_matters": ["exclusion"]}
    path = write_patched(tmp_path, patch, base=pack_example)
    if lang not in (check_file(path).cooperative.data.get("languages") or []):  # type: ignore[union-attr]
        pytest.skip(f"the example has no {lang} edition")
    unanimous = {"ru": "единоглас", "kk": "бірауызды", "en": "unanimous"}[lang]
    majority_words = {"ru": "большинств", "kk": "көпшілік", "en": "majority"}[lang]
    charter = clause_texts(path, "charter", lang)
    regulations = clause_texts(path, "membership", lang)
    for text in (charter["gm.unanimous"], charter["exclusion.decision"], regulations["exclusion.decision"]):
        assert unanimous in text, text
    for text in (charter["exclusion.decision"], regulations["exclusion.decision"]):
        assert majority_words not in text, text
