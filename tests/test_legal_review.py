"""Issue 15 (legal review, round two): tests that would have caught each defect of the "Wrong law" and
"Form choice" parts. Documents are rendered once per example (as the golden tests do) and searched as
text, so a wording that slips back into any document, commentary or compliance report fails here."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import pytest

from coopdocs.checking import rules
from coopdocs.checking.pipeline import check_file
from coopdocs.commands.build import Options, build_outputs
from coopdocs.inputs.loader import load_text
from coopdocs.inputs.schema import validate_input
from coopdocs.packs.citations import citation_entry, citation_ids, instrument_entry, resolve
from coopdocs.writers.render import docx_text
from tests.support import DEFAULT_PACK, EXAMPLES
from tests.test_rules import base_data, run_patch

LANGS = ("ru", "kk", "en")
RULES = {rule.id: rule for rule in rules.load_rules(DEFAULT_PACK)}
EXAMPLE_NAMES = sorted(p.stem for p in EXAMPLES.glob("*.yaml"))


@cache
def documents(example: str) -> dict[str, str]:
    """Every document of an example as plain text, keyed by file name (e.g. ``commentary.ru``)."""
    checked = check_file(EXAMPLES / f"{example}.yaml")
    assert checked.cooperative is not None
    outputs = build_outputs(checked.cooperative, Options(layout="separate"))
    return {out.name.removesuffix(".docx"): "\n".join(docx_text(out.data)) for out in outputs}


def _lang(name: str) -> str:
    return name.rsplit(".", 1)[-1]


# --- 1. the Constitution of 1995 ceased on 1 July 2026 ------------------------------------------------


def test_no_citation_rests_on_the_1995_constitution() -> None:
    for cid in citation_ids(DEFAULT_PACK):
        entry = citation_entry(cid, DEFAULT_PACK)
        instrument = instrument_entry(entry["instrument"], DEFAULT_PACK)
        for lang in LANGS:
            name = str(instrument.get(lang, ""))
            assert not ("1995" in name and re.search("Конститу|Конституц|Constitution", name)), cid
            label = resolve(cid, lang, DEFAULT_PACK).label(lang)
            assert not ("1995" in label and re.search("Конститу|Constitution", label)), f"{cid}: {label}"


def test_constitution_citations_are_the_2026_text_and_unverified() -> None:
    for cid in ("constitution.court", "constitution.languages"):
        entry = citation_entry(cid, DEFAULT_PACK)
        assert entry["instrument"] == "constitution2026"
        assert entry["verified"] is False  # the official adopted text was not read
    assert citation_entry("constitution.court", DEFAULT_PACK)["article"] is None  # its number is unknown: none invented


@pytest.mark.parametrize("example", EXAMPLE_NAMES)
def test_no_document_prints_the_1995_constitution(example: str) -> None:
    for name, text in documents(example).items():
        for match in re.finditer(r"1995", text):
            around = text[max(0, match.start() - 60): match.end() + 20]
            assert not re.search("Конститу|Constitution", around), f"{example}/{name}: …{around}…"


# --- 3. members' liability: within the unpaid part of the additional contribution --------------------

LIMIT = {
    "ru": "невнесённой части дополнительн",
    "kk": "енгізілмеген бөлігі",
    "en": "unpaid part",
}
NO_FURTHER = {
    "ru": r"дальнейшей ответственности не несёт|отвечает только в пределах невнесённой части своего",
    "kk": r"бұдан әрі жауап бермейді|тек өзінің қосымша жарнасының",
    "en": r"bears no further liability|only up to the unpaid part of his or her",
}
LIABILITY = {"ru": "субсидиарн", "kk": "субсидиарлық", "en": "subsidiary liab"}


@pytest.mark.parametrize("example", ["bereke", "housing-savings"])
def test_liability_is_worded_as_the_law_does(example: str) -> None:
    for name, text in documents(example).items():
        lang = _lang(name)
        assert not re.search(NO_FURTHER[lang], text), f"{example}/{name} understates the members' liability"
        for paragraph in text.split("\n"):
            if LIABILITY[lang] in paragraph:
                assert LIMIT[lang] in paragraph, f"{example}/{name}: liability without its limit: {paragraph}"


def test_commentary_and_compliance_state_joint_liability_in_every_language() -> None:
    docs = documents("bereke")
    for doc in ("commentary", "compliance"):
        for lang in ("ru", "kk"):
            text = docs[f"{doc}.{lang}"]
            assert LIMIT[lang] in text
            assert re.search("солидарн|ортақ", text), f"{doc}.{lang}"


# --- 4. the liquidation surplus is not divided among the members ------------------------------------


def test_liquidation_surplus_to_members_is_an_error() -> None:
    rule = RULES["KZ-PC-LIQUIDATION-REMAINING-PROPERTY"]
    assert rule.severity == "error"
    assert resolve(rule.citation, "en", DEFAULT_PACK).verified
    found = run_patch({"reorganization.liquidation.remaining_property": "to_members_by_share"})
    assert {d.rule for d in found if d.severity == "error"} == {rule.id}
    for value in ("to_charter_purposes", "to_other_cooperative"):
        found = run_patch({"reorganization.liquidation.remaining_property": value})
        assert rule.id not in {d.rule for d in found}


def test_the_contract_still_accepts_the_old_value() -> None:
    """Extend, never break: to_members_by_share is still valid input, flagged by the rule."""
    found = run_patch({"reorganization.liquidation.remaining_property": "to_members_by_share"})
    assert all(d.rule.startswith("KZ-PC-") for d in found if d.severity == "error")


# --- 5. a reserve fund is allowed, not required --------------------------------------------------------


def test_missing_reserve_fund_is_not_an_error() -> None:
    assert RULES["KZ-PC-RESERVE-FUND"].severity == "warning"
    found = run_patch({"funds.reserve": None})
    assert [d.rule for d in found if d.severity in ("error", "red_flag")] == []


# --- 6. who is a member -------------------------------------------------------------------------------


def test_charter_does_not_claim_the_law_says_citizens_and_legal_entities() -> None:
    docs = documents("bereke")
    assert "объединением граждан и юридических лиц" not in docs["charter.ru"]
    assert "объединением граждан на основе членства" in docs["charter.ru"]
    assert "наряду с гражданами могут быть юридические лица" in docs["charter.ru"]
    assert "Это определение взято из закона" not in docs["commentary.ru"]


def test_legal_entity_rule_says_what_was_decided() -> None:
    rule = RULES["KZ-PC-LEGAL-ENTITY-MEMBERS"]
    assert rule.citation == "law197.def.member" and "nco.coop.legal_entities" in rule.also
    assert "наряду с гражданами" in rule.message["ru"]


def test_founders_pay_before_they_are_members() -> None:
    docs = documents("bereke")
    charter = docs["charter.ru"]
    assert "Учредители Кооператива становятся его членами с момента государственной регистрации" not in charter
    assert "исчисляемый со дня государственной регистрации" not in charter
    assert "до подачи документов на государственную регистрацию" in charter
    assert "членом Кооператива не становится" in charter  # the consequence of never paying


def test_no_document_lets_founders_pay_after_registration_by_default() -> None:
    for name, text in documents("bereke").items():
        if _lang(name) == "ru":
            assert "со дня государственной регистрации Кооператива;" not in text, name
            assert "в тот же срок со дня государственной регистрации" not in text, name


def test_founders_paying_after_registration_become_members_once_paid() -> None:
    data = rules.apply_patch(base_data(), {"founding.share_payment": "after_registration"})
    coop, found = validate_input(load_text(rules.dump_yaml(data), "x.yaml"))
    assert coop is not None, found
    texts = {out.name.removesuffix(".docx"): "\n".join(docx_text(out.data))
             for out in build_outputs(coop, Options(layout="separate"))}
    assert "становятся его членами со дня внесения взноса в полном размере" in texts["charter.ru"]
    assert "со дня внесения паевого взноса в полном размере" in texts["membership.ru"]
    assert "членом Кооператива не становится" in texts["charter.ru"]


def test_founders_paying_after_registration_is_flagged() -> None:
    rule = RULES["KZ-PC-FOUNDERS-SHARE-PAYMENT"]
    found = run_patch({"founding.share_payment": "after_registration"})
    assert [(d.rule, d.severity) for d in found if d.severity != "info"] == [(rule.id, "warning")]
    assert rule.id not in {d.rule for d in run_patch({})}  # the default is before_registration


# --- 7. no error rests on an unverified citation; overstated sources ---------------------------------

LOWERED = ["KZ-PC-VOTING-ONE-VOTE", "KZ-PC-BOARD-EXISTS", "KZ-PC-AMENDMENTS-BODY",
           "KZ-PC-REORGANIZATION-BODY", "KZ-PC-HOUSING-ZHSK", "KZ-PC-COURT"]
LAWYER = {"ru": "юрист должен подтвердить", "kk": "заңгер растауы тиіс", "en": "a lawyer must confirm"}


@pytest.mark.parametrize("rule", list(RULES.values()), ids=list(RULES))
def test_blocking_rules_rest_on_a_verified_citation(rule: rules.Rule) -> None:
    if rule.severity in ("error", "red_flag"):
        cited = resolve(rule.citation, "en", DEFAULT_PACK)
        assert cited.verified, f"{rule.id} blocks on the unverified {rule.citation}"


@pytest.mark.parametrize("rid", LOWERED)
def test_lowered_rules_tell_a_lawyer_to_confirm(rid: str) -> None:
    rule = RULES[rid]
    assert rule.severity == "warning"
    for lang in LANGS:
        assert LAWYER[lang] in rule.message[lang], f"{rid} ({lang})"


def test_sources_that_could_not_be_read_are_not_marked_verified() -> None:
    for cid in ("housing.zhsk_only", "law.languages", "constitution.court", "constitution.languages"):
        assert citation_entry(cid, DEFAULT_PACK)["verified"] is False, cid


def test_audit_independence_does_not_cite_the_preamble() -> None:
    assert "law197.scope" not in (RULES["KZ-PC-AUDIT-INDEPENDENT"].citation, *RULES["KZ-PC-AUDIT-INDEPENDENT"].also)


def test_guaranteed_return_cites_what_the_regulator_says() -> None:
    rule = RULES["KZ-PC-PYRAMID-GUARANTEED-RETURN"]
    assert rule.severity == "red_flag"
    assert "значительно выше рыночной" in rule.message["ru"]
    assert "well above the market" in rule.message["en"]


def test_entrance_fee_does_not_stretch_the_regulator() -> None:
    rule = RULES["KZ-PC-ENTRANCE-FEE"]
    assert "regulator.pyramid_signs" not in (rule.citation, *rule.also)
    assert rule.severity == "warning"


# --- 8. Law 197 art. 31 was re-read ----------------------------------------------------------------


def test_share_sale_records_the_copy_read() -> None:
    entry: dict[str, Any] = citation_entry("law197.share_sale", DEFAULT_PACK)
    assert entry["verified"] is True
    assert entry["url"] == "https://www.pavlodar.com/zakon/?dok=00831&uro=080031"
    assert "could not be re-read" not in entry["edition"]


# --- 18. agricultural purposes: the form choice --------------------------------------------------------


def test_agricultural_purposes_are_pointed_to_the_agricultural_cooperative_law() -> None:
    rule = RULES["KZ-PC-PURPOSE-AGRICULTURE"]
    assert rule.severity in ("info", "warning")
    assert resolve(rule.citation, "ru", DEFAULT_PACK).verified
    assert "372-V" in resolve(rule.citation, "ru", DEFAULT_PACK).instrument
    bereke = check_file(EXAMPLES / "bereke.yaml")
    assert rule.id in {d.rule for d in bereke.diagnostics}
    goods = check_file(EXAMPLES / "consumer-goods.yaml")
    assert rule.id not in {d.rule for d in goods.diagnostics}
