from __future__ import annotations

import datetime as dt

import pytest

from coopdocs.compose import wording

CURRENCY = {"KZT": {"ru": "тенге", "kk": "теңге", "en": "tenge"}}


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("ru", "50\u00a0000 (пятьдесят тысяч) тенге"),
        ("kk", "50\u00a0000 (елу мың) теңге"),
        ("en", "50,000 (fifty thousand) tenge"),
    ],
)
def test_money_in_figures_and_words(lang: str, expected: str) -> None:
    assert wording.money(50000, lang, "KZT", CURRENCY) == expected


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("ru", "1 марта 2026 года"), ("kk", "2026 жылғы 1 наурыз"), ("en", "1 March 2026")],
)
def test_legal_dates(lang: str, expected: str) -> None:
    assert wording.legal_date(dt.date(2026, 3, 1), lang) == expected


@pytest.mark.parametrize(
    ("n", "case", "expected"),
    [
        (1, "nom", "1 календарный день"),
        (2, "nom", "2 календарных дня"),
        (5, "nom", "5 календарных дней"),
        (11, "nom", "11 календарных дней"),
        (21, "acc", "21 календарный день"),
        (1, "gen", "1 календарного дня"),
        (21, "gen", "21 календарного дня"),
        (22, "gen", "22 календарных дней"),
        (111, "gen", "111 календарных дней"),
    ],
)
def test_russian_day_forms(n: int, case: str, expected: str) -> None:
    assert wording.period(n, "days", "ru", case) == expected


def test_kazakh_and_english_periods() -> None:
    assert wording.period(3, "months", "kk") == "3 ай"
    assert wording.period(1, "years", "en") == "1 year"
    assert wording.period(3, "years", "ru", "gen") == "3 лет"
    with pytest.raises(ValueError):
        wording.period(3, "days", "ru", "dative")


def test_percent_and_numbers() -> None:
    assert wording.percent(0.1, "ru") == "0,1%"
    assert wording.percent(50, "en") == "50%"
    assert wording.number(1250000, "en") == "1,250,000"
