"""Data paths in words (coopdocs.commands.fieldnames): what a member reads instead of a YAML path."""

from __future__ import annotations

import pytest

from coopdocs.commands.fieldnames import for_member, in_words, label
from coopdocs.diagnostics import make
from tests.support import DEFAULT_PACK


@pytest.mark.parametrize(
    ("path", "lang", "words"),
    [
        ("founding.founders[0].iin", "ru", "Учредитель № 1: ИИН"),
        ("founding.founders[2].iin", "kk", "№ 3 құрылтайшы: ЖСН"),
        ("founding.founders[0].iin", "en", "Founder no. 1: IIN"),
        ("founding.founders[1]", "ru", "Учредитель № 2"),
        ("cooperative.name.kk", "ru", "Название кооператива, по-казахски"),
        ("cooperative.purpose[1]", "kk", "№ 2 мақсат"),
        ("membership.contributions.entrance_fee.amount", "ru", "Вступительный взнос, тенге"),
        ("funds.reserve.uses", "ru", "резервный фонд, на что расходуется"),
    ],
)
def test_a_path_is_named_as_the_questionnaire_asks_it(path: str, lang: str, words: str) -> None:
    assert label(path, lang, DEFAULT_PACK) == words


def test_paths_and_choice_ids_inside_a_message_are_worded() -> None:
    text = in_words("уменьшите membership.contributions.entrance_fee.amount до charter_purposes", "ru", DEFAULT_PACK)
    assert text == "уменьшите «Вступительный взнос, тенге» до «уставные цели Кооператива»"


def test_a_misspelt_key_is_shown_as_written() -> None:
    where = ("membership", "exit", "payout_dayz")
    d = make("schema/unknown-key", path=where, key="payout_dayz", suggestion="")
    assert for_member(d, "ru", DEFAULT_PACK).path == "membership.exit.payout_dayz"
    d = make("schema/min", path=("membership", "exit", "payout_days"), value=-1, limit=0)
    assert for_member(d, "ru", DEFAULT_PACK).path == "«Срок выплаты пая выходящему члену после выхода, дней»"


def test_a_bare_key_is_worded_unless_it_is_to_be_typed() -> None:
    assert in_words("or lower min_age", "en", DEFAULT_PACK) == 'or lower "Minimum age of a member, years"'
    assert in_words("добавьте здесь 'meeting_date:'", "ru", DEFAULT_PACK) == "добавьте здесь 'meeting_date:'"


def test_a_path_inside_an_item_is_worded_without_the_items_number() -> None:
    assert in_words("reduce entrance_fee.amount", "en", DEFAULT_PACK) == 'reduce "Entrance fee, tenge"'
    text = in_words("аванс с возвратом (advance.repayment_months)", "ru", DEFAULT_PACK)
    assert text == "аванс с возвратом («за сколько месяцев член возвращает аванс»)"


def test_a_key_of_an_item_no_question_asks_is_named_with_the_item() -> None:
    assert label("programs[0].queue", "ru", DEFAULT_PACK) == "Программа № 1: очерёдность"
    assert label("founding.founders[0].nmae", "ru", DEFAULT_PACK) == "Учредитель № 1"


def test_validate_keeps_the_choice_ids_a_member_types_into_the_file() -> None:
    where = ("programs", 0, "queue")
    d = make("schema/allowed", path=where, value="random", allowed="by_application_date, lottery")
    worded = for_member(d, "ru", DEFAULT_PACK)
    assert worded.path == "«Программа № 1: очерёдность»"
    assert "by_application_date" in (worded.hint or "")
