"""Legal review, round two (issue 15): items 10 and 14, checked on the rendered documents."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from coopdocs.checking.pipeline import check_file
from coopdocs.compose import clauses
from coopdocs.compose.clauses import Document
from coopdocs.compose.messages import worded
from coopdocs.inputs.model import Cooperative
from tests.support import BEREKE, DEFAULT_PACK, EXAMPLES, write_patched

EXAMPLE_PATHS = sorted(EXAMPLES.glob("*.yaml"))


def _coop(path: Path) -> Cooperative:
    checked = check_file(path)
    assert checked.cooperative is not None, [worded(d, "en").message for d in checked.diagnostics]
    return checked.cooperative


def _doc(path: Path, name: str, lang: str = "ru") -> Document:
    return clauses.render_all(_coop(path), name, [lang])[0]


def _clause(doc: Document, cid: str) -> clauses.Clause | None:
    return next((c for s in doc.sections for c in s.clauses if c.id == cid), None)


def _text(clause: clauses.Clause) -> str:
    return " ".join([clause.text, *clause.items])


# --- item 14: small charter defects ----------------------------------------------------------------


@pytest.mark.parametrize("path", EXAMPLE_PATHS, ids=lambda p: p.stem)
def test_audit_body_is_accountable_in_correct_russian(path: Path) -> None:
    coop = _coop(path)
    text = clauses.as_text(_doc(path, "charter"))
    assert "подотчётенна" not in text
    kind = coop.data["governance"]["audit"]["kind"]
    assert (
        "подотчётна только общему собранию" if kind == "commission" else "подотчётен только общему собранию"
    ) in text


@pytest.mark.parametrize("path", EXAMPLE_PATHS, ids=lambda p: p.stem)
def test_income_section_mentions_programmes_only_when_there_are_some(path: Path) -> None:
    coop = _coop(path)
    for lang, word in (("ru", "программ"), ("kk", "бағдарлама")):
        if lang not in coop.languages:
            continue
        section = next(s for s in _doc(path, "charter", lang).sections if s.id == "income")
        assert (word in section.title.lower()) == bool(coop.data["programs"]), section.title


@pytest.mark.parametrize(
    ("forms", "rights"), [(["money", "property"], False), (["money", "property", "property_rights"], True)]
)
def test_share_forms_name_property_rights_only_when_the_input_allows_them(
    tmp_path: Path, forms: list[str], rights: bool
) -> None:
    path = write_patched(tmp_path, {"membership.contributions.share.forms": forms})
    for lang, words in (("ru", "имущественные права"), ("kk", "мүліктік құқықтар")):
        clause = _clause(_doc(path, "charter", lang), "contributions.share_forms")
        assert clause is not None
        assert (words in clause.text) == rights, clause.text


def test_reserve_allocation_says_net_income() -> None:
    for lang, net in (("ru", "чистого дохода"), ("kk", "таза кірісінің")):
        clause = _clause(_doc(BEREKE, "charter", lang), "property.reserve_formation")
        assert clause is not None
        allocation = clause.items[0]
        assert net in allocation, allocation
    ru = _clause(_doc(BEREKE, "charter"), "property.reserve_formation")
    assert ru is not None and "от доходов Кооператива" not in ru.items[0]


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_reserve_fund_contributions_are_in_the_closed_list_of_contributions(lang: str) -> None:
    doc = _doc(BEREKE, "charter", lang)
    kinds = _clause(doc, "contributions.kinds")
    reserve = _clause(doc, "property.reserve_formation")
    assert kinds is not None and reserve is not None
    named = {"ru": "целев", "kk": "нысаналы", "en": "target contribution"}[lang]
    assert any(named in item for item in reserve.items), "the bereke reserve fund takes contributions"
    assert any(named in item for item in kinds.items), f"4.1 lists no {named!r} contribution: {kinds.items}"


def test_no_target_contribution_without_a_reserve_fund_that_takes_them(tmp_path: Path) -> None:
    path = write_patched(tmp_path, {"funds.reserve.sources": ["income"]})
    kinds = _clause(_doc(path, "charter"), "contributions.kinds")
    assert kinds is not None
    assert not any("целев" in item for item in kinds.items)


@pytest.mark.parametrize("path", EXAMPLE_PATHS, ids=lambda p: p.stem)
def test_the_charter_states_the_share_transfer_once(path: Path) -> None:
    doc = _doc(path, "charter")
    transfers = [c.number for s in doc.sections for c in s.clauses if "вправе передать свою долю" in c.text]
    assert len(transfers) == 1, f"the share transfer is stated in clauses {transfers}"
    clause = _clause(doc, "property.share_sale")
    assert clause is not None and "С передачей всей доли членство передавшего её лица прекращается" in clause.text


# --- item 10: application, exclusion -------------------------------------------------------------


@pytest.mark.parametrize("path", EXAMPLE_PATHS, ids=lambda p: p.stem)
def test_application_payout_promise_matches_the_charter_set_off(path: Path) -> None:
    charter = _doc(path, "charter")
    application = _doc(path, "application")
    if _clause(charter, "exit.settlement") is None:
        pytest.skip("the charter has no set-off clause")
    text = clauses.as_text(application)
    assert "без каких-либо дополнительных условий" not in text
    explained = next(c for s in application.sections for c in s.clauses if "Мне разъяснено" in c.text)
    if not _coop(path).data["membership"]["exit"].get("conditions"):
        assert "зачёта" in explained.text, explained.text


@pytest.mark.parametrize("path", EXAMPLE_PATHS, ids=lambda p: p.stem)
def test_exclusion_grounds_are_limited_to_material_obligations(path: Path) -> None:
    coop = _coop(path)
    if "charter_violation" not in coop.data["membership"]["exclusion"]["grounds"]:
        pytest.skip("no charter_violation ground")
    charter = _clause(_doc(path, "charter"), "exclusion.grounds")
    assert charter is not None
    for item in charter.items:
        assert not re.fullmatch(
            r"неисполнение обязанностей члена Кооператива, установленных настоящим Уставом[.;]", item
        )
    breach = next(i for i in charter.items if "систематическое" in i)
    assert "обязанности сообщать об изменении своих данных, основанием для исключения не является" in breach
    membership = clauses.as_text(_doc(path, "membership"))
    assert breach.rstrip(".;") in membership, "the charter and the membership regulations state the ground differently"


# --- item 13: the compliance report states the edition of each source honestly -----------------


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_compliance_report_states_the_edition_read_per_source(lang: str) -> None:
    from coopdocs.checking import rules
    from coopdocs.compose import compliance
    from coopdocs.packs import citations

    coop = _coop(BEREKE)
    doc = compliance.report(coop, lang)
    text = clauses.as_text(doc)
    assert "в редакции на" not in text and "жағдай бойынша редакция" not in text
    title = {"ru": "Источники и их редакции", "kk": "Дереккөздер және олардың редакциялары"}[lang]
    section = next(s for s in doc.sections if s.title == title)
    listed = " ".join(c.text for c in section.clauses)
    every = rules.load_rules(DEFAULT_PACK)
    used = {citations.citation_entry(cid, DEFAULT_PACK)["instrument"] for r in every for cid in (r.citation, *r.also)}
    assert used, "the rules cite nothing"
    for iid in used:
        instrument = citations.instrument_entry(iid, DEFAULT_PACK)
        line = next((c.text for c in section.clauses if c.text.startswith(instrument[lang] + ":")), None)
        assert line is not None, f"{iid} is not listed under {title}"
        read = instrument.get("edition_read")
        assert read, f"{iid}: citations.yaml states no edition_read"
        assert " ".join(read[lang].split()) in line
    unknown = {"ru": "редакция не установлена", "kk": "редакциясы анықталмаған"}[lang]
    assert unknown in listed, "no source was marked as of unknown edition, yet most pages show no date"


# --- item 10: a passive majority cannot block the annual balance sheet ---------------------------


def test_repeat_meeting_has_the_lower_quorum_the_charter_chooses(tmp_path: Path) -> None:
    clause = _clause(_doc(BEREKE, "charter"), "gm.quorum")
    assert clause is not None
    assert "повторное собрание правомочно, если на нём присутствует более 30%" in clause.text
    assert "тот же кворум" not in clause.text
    path = write_patched(tmp_path, {"governance.general_meeting.repeat_quorum_percent": None})
    same = _clause(_doc(path, "charter"), "gm.quorum")
    assert same is not None and "для повторного собрания действует тот же кворум" in same.text
    checked = check_file(path)
    assert "KZ-PC-GM-REPEAT-QUORUM" in {d.rule for d in checked.diagnostics}
