"""`coopdocs init` in a real terminal (a pseudo-terminal driven by pexpect), as a founder uses it.

Three founders of «Достык» in Almaty answer in Russian, then in Kazakh: words instead of codes
(«деньги», «правление», «ежемесячно»), a date as people write it, the new Kazpost postcode, one step
back, an edit from the review. The file must validate and hold nothing of the example cooperative.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from coopdocs.checking.pipeline import check_file
from coopdocs.commands import init as initing
from coopdocs.inputs import idnumbers
from tests.support import BEREKE, DEFAULT_PACK

pexpect = pytest.importorskip("pexpect")

# Founders of «Достык»: real-looking IINs (birth date, century-and-sex digit, serial, control digit).
IINS = ["790412301586", "861103401580", "920725301587"]

RU: dict[str, Any] = {
    "name.ru": "Достык",
    "name.kk": "Достық",
    "short_name.ru": "",  # Enter: ПК «Достык», composed from the name
    "short_name.kk": "",
    "region.ru": "г. Алматы",
    "region.kk": "Алматы қ.",
    "locality.ru": "г. Алматы",
    "locality.kk": "Алматы қ.",
    # answered, then (after «назад» at the postcode) confirmed again with Enter
    "address.ru": ["ул. Толе би, д. 101, офис 12", ""],
    "address.kk": ["Төле би к-сі, 101 үй, 12 кеңсе", ""],
    "postal_code": ["назад", "a15e3c3"],
    "purpose_count": "1",
    "purpose.1.ru": "совместная закупка продуктов питания и бытовых товаров для членов кооператива",
    "purpose.1.kk": "кооператив мүшелері үшін азық-түлік пен тұрмыстық тауарларды бірлесіп сатып алу",
    "share_amount": "30 000",
    "share_forms": "деньги",
    "share_valuation": "правление",
    "share_payment_days": "30",
    "entrance_fee": "3000",
    "membership_fee": "1000",
    "membership_fee_period": "ежемесячно",
    "additional_deadline": "3",
    "penalty": "0,1",
    "exclusion_after": "90",
    "legal_entities": "нет",
    "min_age": "18",
    "meeting_date": "15.03.2027",
    "meeting_place.ru": "г. Алматы, ул. Толе би, 101",
    "meeting_place.kk": "Алматы қ., Төле би к-сі, 101",
    "founders_count": "3",
    "founder_kind.1": "1",
    "founder_name.1.ru": "Касымов Данияр Ерланович",
    "founder_name.1.kk": "Қасымов Данияр Ерланұлы",
    "founder_iin.1": IINS[0],
    "founder_address.1.ru": "г. Алматы, ул. Жандосова, 58, кв. 4",
    "founder_address.1.kk": "Алматы қ., Жандосов к-сі, 58, 4 пәтер",
    "founder_share.1": "30000",
    "founder_kind.2": "физическое лицо",
    "founder_name.2.ru": "Нургалиева Айгерим Сапаровна",
    "founder_name.2.kk": "",  # Enter: the Russian spelling of a proper name is offered
    "founder_iin.2": IINS[1],
    "founder_address.2.ru": "г. Алматы, мкр. Самал-2, 33, кв. 17",
    "founder_address.2.kk": "Алматы қ., Самал-2 ш/а, 33, 17 пәтер",
    "founder_share.2": "30000",
    "founder_kind.3": "",
    "founder_name.3.ru": "Ли Виктор Андреевич",
    "founder_name.3.kk": "",
    "founder_iin.3": IINS[2],
    "founder_address.3.ru": "г. Алматы, ул. Байзакова, 210",
    "founder_address.3.kk": "Алматы қ., Байзақов к-сі, 210",
    "founder_share.3": "45000",
    "founding_chair": "1",
    "founding_secretary": "2",
    "elected_chair": "1",
    "admission_body": "правление",
    "admission_days": "30",
    "membership_starts": "",
    "exit_notice": "30",
    "payout_days": "90",
    "payout_form": "деньги",
    "exclusion_grounds": "1, 2",
    "exclusion_notice": "14",
    "inheritance": "",
    "gm_months": "4",
    "gm_extraordinary": "10",
    "gm_notice": "15",
    "gm_notice_methods": "письменно, электронно",
    "gm_quorum": "50",
    "gm_majority": "50",
    "gm_qualified": "две трети",
    "gm_qualified_matters": "",
    "board_size": "3",
    "board_term": "3",
    "chair_title": "председатель правления",
    "chair_term": "3",
    "audit_kind": "ревизор",
    "audit_term": "3",
    "audit_checks": "1",
    "reserve_percent": "10",
    "reserve_target": "25",
    "development_fund": "да",
    "social_fund": "нет",
    "programs_count": "0",
    "dispute_first": "правление",
    "dispute_days": "15",
    "dispute_appeal": "общее собрание",
    "conciliation_size": "3",
    "mediation": "да",
    "remaining_property": "",
}

KK: dict[str, Any] = {
    **RU,
    "address.ru": ["ул. Толе би, д. 101, офис 12", ""],
    "address.kk": ["Төле би к-сі, 101 үй, 12 кеңсе", ""],
    "postal_code": ["артқа", "A15E3C3"],
    "share_forms": "ақша",
    "share_valuation": "басқарма",
    "membership_fee_period": "ай сайын",
    "legal_entities": "жоқ",
    "founder_kind.2": "жеке тұлға",
    "admission_body": "басқарма",
    "payout_form": "ақша",
    "gm_notice_methods": "жазбаша, электронды",
    "gm_qualified": "2/3",
    "chair_title": "басқарма төрағасы",
    "audit_kind": "тексеруші",
    "development_fund": "иә",
    "social_fund": "жоқ",
    "dispute_first": "басқарма",
    "dispute_appeal": "жалпы жиналыс",
    "mediation": "иә",
}

REVIEW = {"ru": "Номер ответа, который нужно изменить", "kk": "Өзгертілетін жауаптың нөмірі"}
PROMPT = re.compile(r"\[(\d+)/(\d+)\] ([^\r\n]+): ")


def prompt_table(lang: str) -> dict[str, tuple[str, int | None]]:
    """Every prompt text of the questionnaire in ``lang`` -> (question id, item number)."""
    table: dict[str, tuple[str, int | None]] = {}
    for q in initing.load_questionnaire(DEFAULT_PACK).questions:
        for n in range(1, 6):
            table[str(q.prompt[lang]).format(n=n)] = (q.id, n if q.each else None)
    return table


def answer_key(text: str, table: dict[str, tuple[str, int | None]]) -> str:
    text = re.sub(r" \[[^\]]*\]$", "", text)  # the default offered
    field = ""
    suffix = re.search(r" \((ru|kk)\)$", text)
    if suffix:
        field, text = suffix.group(1), text[: suffix.start()]
    qid, n = table[text]
    return ".".join(str(p) for p in (qid, n, field) if p)


def answer_form(child: Any, lang: str, activities: str = "", form: str = "") -> None:
    """The first two questions (``form-choice.yaml``): what the cooperative will do, then its form."""
    from coopdocs.packs.formchoice import load_choice

    choice = load_choice("kz")
    child.expect(re.escape(choice.word("activities_prompt", lang)) + r".*: ")
    child.sendline(activities)
    child.expect(re.escape(choice.word("form_prompt", lang)) + r" \[\d\]: ")
    child.sendline(form)


def drive(tmp_path: Path, lang: str, answers: dict[str, Any], edits: dict[str, str]) -> tuple[Any, str]:
    """Run `coopdocs init --messages LANG` in a pseudo-terminal and answer every prompt it shows;
    at the review, change the answers named in ``edits`` by their number, then write the file."""
    queues = {k: list(v) if isinstance(v, list) else [v] for k, v in answers.items()}
    table = prompt_table(lang)
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200", "TERM": "dumb"}
    env.pop("COOPDOCS_MESSAGES", None)
    child = pexpect.spawn(
        sys.executable,
        ["-m", "coopdocs", "init", "coop.yaml", "--messages", lang],
        cwd=str(tmp_path),
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(50, 400),
    )
    answer_form(child, lang)
    transcript: list[str] = []
    pending_edits = dict(edits)
    while True:
        index = child.expect([PROMPT, re.escape(REVIEW[lang]), pexpect.EOF])
        transcript.append(child.before + (child.after if isinstance(child.after, str) else ""))
        if index == 2:
            break
        if index == 1:
            listing = transcript[-1]
            if pending_edits:
                label, value = pending_edits.popitem()
                number = re.search(rf"(\d+)\. {re.escape(label)}:", listing)
                assert number, listing
                child.expect(": ")
                child.sendline(number.group(1))
                queues.setdefault(f"edit:{label}", []).append(value)
                child.expect(PROMPT)
                child.sendline(value)
                continue
            child.expect(": ")
            child.sendline("")
            continue
        key = answer_key(child.match.group(3), table)
        assert queues.get(key), f"no answer left for {key!r}:\n{''.join(transcript)[-3000:]}"
        child.sendline(queues[key].pop(0))
    child.close()
    unused = {k: v for k, v in queues.items() if v and not k.startswith("edit:")}
    assert unused == {}, unused  # every planned answer (the step back included) was asked for
    return child, "".join(transcript)


def example_values() -> set[str]:
    """The identity of the example cooperative (examples/bereke.yaml and init's defaults): names,
    places, addresses, postcode, founders and every IIN."""
    values: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str) and len(node) > 3 and not re.fullmatch(r"[a-z_]+", node):  # not a choice code
            values.add(node)

    example = YAML(typ="safe", pure=True).load(BEREKE.read_text(encoding="utf-8"))
    for source in (example, initing.default_data(DEFAULT_PACK)):
        walk(source["cooperative"]["name"])
        walk(source["cooperative"]["short_name"])
        walk(source["cooperative"]["location"])
        walk(source["founding"]["place"])
        walk(source["founding"]["founders"])
        walk(source["founding"].get("elected"))
    values.discard("KZ")
    return values


@pytest.mark.parametrize(("lang", "answers"), [("ru", RU), ("kk", KK)])
def test_founders_of_dostyk_finish_init_in_a_terminal(tmp_path: Path, lang: str, answers: dict[str, Any]) -> None:
    assert all(idnumbers.iin_problem(iin) is None for iin in IINS)
    entrance = {"ru": "Вступительный взнос, тенге (0 — без взноса)", "kk": "Кіру жарнасы, теңге (0 — жарнасыз)"}[lang]
    child, out = drive(tmp_path, lang, answers, edits={entrance: "2000"})
    assert child.exitstatus == 0, out[-3000:]
    target = tmp_path / "coop.yaml"
    text = target.read_text(encoding="utf-8")

    # nothing of the example cooperative reached the founders' file
    leaked = sorted(v for v in example_values() if v in text)
    assert leaked == [], leaked
    assert "Береке" not in text and "Конаев" not in text and "Қонаев" not in text

    checked = check_file(target)
    assert [d for d in checked.diagnostics if d.blocking or d.severity == "warning"] == []
    data = YAML(typ="safe", pure=True).load(text)
    coop = data["cooperative"]
    assert coop["name"] == {"ru": "Достык", "kk": "Достық"}
    assert coop["short_name"] == {"ru": "ПК «Достык»", "kk": "«Достық» ТК"}
    assert coop["location"]["locality"] == {"ru": "г. Алматы", "kk": "Алматы қ."}
    assert coop["location"]["postal_code"] == "A15E3C3"
    assert coop["location"]["address"]["ru"] == "ул. Толе би, д. 101, офис 12"  # kept across the step back
    contributions = data["membership"]["contributions"]
    assert contributions["share"]["amount"] == 30000 and contributions["share"]["forms"] == ["money"]
    assert contributions["share"]["valuation_by"] == "board"
    assert contributions["membership_fee"] == {"amount": 1000, "period": "month"}
    assert contributions["entrance_fee"] == {"amount": 2000}  # changed from the review
    assert data["membership"]["admission"]["decided_by"] == "board"
    founding = data["founding"]
    assert founding["meeting_date"] == dt.date(2027, 3, 15)
    assert [f["iin"] for f in founding["founders"]] == IINS
    assert founding["founders"][1]["name"] == {
        "ru": "Нургалиева Айгерим Сапаровна",
        "kk": "Нургалиева Айгерим Сапаровна",
    }
    # founder no. 1 chaired: the contract counts founders from 0
    assert (founding["chair"], founding["secretary"], founding["elected"]["chair"]) == (0, 1, 0)
    assert data["signatories"]["charter"] == [0, 1, 2]
    assert data["governance"]["general_meeting"]["qualified"]["fraction"] == "2/3"
    assert data["governance"]["audit"]["kind"] == "auditor"

    # how the interview spoke: progress, the Kazakh default offered from the Russian proper name,
    # choices in words, the law in words, no YAML path, no English line
    assert re.search(r"\[1/\d+\] ", out) and re.search(r"\[2\d/\d+\] ", out)
    assert "(kk) [Достык]" in out
    assert {"ru": "1 — деньги", "kk": "1 — ақша"}[lang] in out
    assert "[не сверено]" not in out and "[тексерілмеген]" not in out
    assert "закон: АРРФР" not in out and "заң: ҚНРДА" not in out
    assert "membership.contributions" not in out and "entrance_fee.amount" not in out
    for english in ("Answer refused", "already exists", "Aborted", "error(s)", "written; check"):
        assert english not in out


def test_ctrl_c_saves_a_draft_that_resumes(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "TERM": "dumb"}
    args = ["-m", "coopdocs", "init", "coop.yaml", "--messages", "ru"]
    child = pexpect.spawn(sys.executable, args, cwd=str(tmp_path), env=env, encoding="utf-8", timeout=60)
    answer_form(child, "ru")
    child.expect(r"\(ru\): ")
    child.sendline("Достык")
    child.expect(r"\(kk\) \[Достык\]: ")
    child.sendline("Достық")
    child.expect(r"\[2/\d+\] Сокращённое")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130 or child.signalstatus is None and child.status == 130 << 8, child.before
    draft = tmp_path / "coop.yaml.draft"
    assert "черновик сохранён в coop.yaml.draft; продолжить: coopdocs init --resume coop.yaml.draft" in child.before
    assert "Aborted" not in child.before and not (tmp_path / "coop.yaml").exists()
    assert draft.is_file()

    # resume: the interview goes on at the short name, offering the one composed from the saved name
    resumed = pexpect.spawn(
        sys.executable,
        ["-m", "coopdocs", "init", "--resume", "coop.yaml.draft"],
        cwd=str(tmp_path),
        env=env,
        encoding="utf-8",
        timeout=60,
    )
    resumed.expect(r"\[2/\d+\] Сокращённое название \(Enter — принять предложенное\) \(ru\) \[ПК «Достык»\]: ")
    resumed.sendline("назад")  # back to the name: the saved answers are offered
    resumed.expect(r"\[1/\d+\] Название кооператива .*\(ru\) \[Достык\]: ")
    resumed.sendeof()  # Ctrl-D: the draft is saved again, exit 1
    resumed.expect(pexpect.EOF)
    resumed.close()
    assert resumed.exitstatus == 1
    assert "coopdocs init --resume coop.yaml.draft" in resumed.before
    assert draft.is_file() and not (tmp_path / "coop.yaml").exists()
