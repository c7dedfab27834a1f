"""Kazakhstan IINs and BINs: the control digit, birth dates, century digits and age."""

from __future__ import annotations

import datetime as dt

import pytest

from coopdocs.inputs.idnumbers import REASONS, age_on, bin_problem, control_digit, iin_birth_date, iin_problem

ROUND_1 = tuple(range(1, 12))
ROUND_2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)


def weighted(first11: str, weights: tuple[int, ...]) -> int:
    """The weighted sum mod 11, written out independently of the code under test."""
    return sum(int(digit) * weight for digit, weight in zip(first11, weights, strict=True)) % 11


# --- the control digit ----------------------------------------------------------------------------


def test_control_digit_first_round() -> None:
    assert weighted("85021430012", ROUND_1) == 9
    assert control_digit("85021430012") == 9


def test_control_digit_second_round_when_the_first_gives_10() -> None:
    assert weighted("85021430000", ROUND_1) == 10
    assert weighted("85021430000", ROUND_2) == 1
    assert control_digit("85021430000") == 1


def test_control_digit_none_when_both_rounds_give_10() -> None:
    assert weighted("85021430190", ROUND_1) == 10
    assert weighted("85021430190", ROUND_2) == 10
    assert control_digit("85021430190") is None


def test_control_digit_second_round_for_a_bin() -> None:
    assert weighted("15034000000", ROUND_1) == 10
    assert control_digit("15034000000") == weighted("15034000000", ROUND_2) == 3


# --- IIN ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "iin",
    [
        "850214300129",  # the contract example
        "900517400154",  # the contract example, a woman born in the 1900s
        "850214300001",  # control digit from the second round
        "000229500127",  # 29 February 2000, a leap day
        "100615500215",  # born in 2010
        "971231600009",  # century digit 6
        "850214100106",  # century digit 1: the 1800s
    ],
)
def test_valid_iins(iin: str) -> None:
    assert iin_problem(iin) is None, (iin, control_digit(iin[:11]))


@pytest.mark.parametrize(
    ("iin", "problem"),
    [
        ("850214300128", "checksum"),
        ("850214300120", "checksum"),
        ("850214301909", "not_issuable"),
        ("85021430012", "not_12_digits"),
        ("8502143001290", "not_12_digits"),
        ("85021430012a", "not_12_digits"),
        ("850214 30012", "not_12_digits"),
        ("", "not_12_digits"),
        ("850214000121", "century"),  # 7th digit 0
        ("850214700124", "century"),  # 7th digit 7
        ("850231300121", "birth_date"),  # 31 February
        ("851314300105", "birth_date"),  # month 13
        ("000229300124", "birth_date"),  # 29 February 1900: 1900 was not a leap year
    ],
)
def test_invalid_iins(iin: str, problem: str) -> None:
    assert iin_problem(iin) == problem


def test_iin_checksum_is_checked_before_the_date() -> None:
    # 31 February with a wrong control digit: the control digit is reported first.
    assert iin_problem("850231300122") == "checksum"


@pytest.mark.parametrize(
    ("iin", "birth"),
    [
        ("850214100106", dt.date(1885, 2, 14)),
        ("850214200102", dt.date(1885, 2, 14)),
        ("850214300129", dt.date(1985, 2, 14)),
        ("900517400154", dt.date(1990, 5, 17)),
        ("100615500215", dt.date(2010, 6, 15)),
        ("971231600009", dt.date(2097, 12, 31)),
    ],
)
def test_birth_date_and_century_digit(iin: str, birth: dt.date) -> None:
    assert iin_birth_date(iin) == birth


@pytest.mark.parametrize("iin", ["850214000121", "850214700124", "850231300121", "000229300124"])
def test_no_birth_date(iin: str) -> None:
    assert iin_birth_date(iin) is None


# --- BIN ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bin_",
    [
        "150340012340",  # the contract example
        "150340000003",  # control digit from the second round
        "210340008712",  # examples/consumer-goods.yaml
        "130540028717",
    ],
)
def test_valid_bins(bin_: str) -> None:
    assert bin_problem(bin_) is None


@pytest.mark.parametrize(
    ("bin_", "problem"),
    [
        ("150340012341", "checksum"),
        ("15034001234", "not_12_digits"),
        ("15034001234X", "not_12_digits"),
        ("150040012346", "bin_month"),  # month 00
        ("151340012343", "bin_month"),  # month 13
        ("150330012346", "bin_kind"),  # 5th digit 3
    ],
)
def test_invalid_bins(bin_: str, problem: str) -> None:
    assert bin_problem(bin_) == problem


def test_every_problem_has_a_reason_in_every_language() -> None:
    for reason in REASONS.values():
        assert set(reason) == {"ru", "kk", "en"}
        assert all(text.strip() for text in reason.values())


# --- age ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "day", "age"),
    [
        (dt.date(2008, 3, 1), dt.date(2026, 3, 1), 18),  # the 18th birthday itself
        (dt.date(2008, 3, 2), dt.date(2026, 3, 1), 17),  # one day short
        (dt.date(2008, 2, 29), dt.date(2026, 2, 28), 17),  # leap-day birthday, not yet
        (dt.date(2008, 2, 29), dt.date(2026, 3, 1), 18),
        (dt.date(1985, 12, 31), dt.date(2026, 1, 1), 40),
        (dt.date(2026, 3, 1), dt.date(2026, 3, 1), 0),
    ],
)
def test_age_on(birth: dt.date, day: dt.date, age: int) -> None:
    assert age_on(birth, day) == age
