"""The legal rule pack: every rule's examples, wording, citations, listing and explanation."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from coopdocs.checking import checks, rules
from coopdocs.checking.pipeline import check_file
from coopdocs.commands import explaining
from coopdocs.compose.messages import worded
from coopdocs.diagnostics import Diagnostic
from coopdocs.errors import PackError, UsageError
from coopdocs.inputs.loader import load_file, load_text
from coopdocs.inputs.schema import validate_input
from coopdocs.packs.citations import citation_ids, resolve
from tests.support import DEFAULT_PACK

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "examples" / "bereke.yaml"
LANGS = ("ru", "kk", "en")
RULES = rules.load_rules(DEFAULT_PACK)
IDS = [rule.id for rule in RULES]
PYRAMID_INDICATORS = [
    "KZ-PC-PYRAMID-NEW-MEMBER-FUNDS",
    "KZ-PC-PYRAMID-GUARANTEED-RETURN",
    "KZ-PC-PYRAMID-REFERRAL-REWARD",
    "KZ-PC-PYRAMID-INCOME-DISTRIBUTION",
    "KZ-PC-PYRAMID-INCOME-USE",
    "KZ-PC-PYRAMID-EXIT-REPLACEMENT",
    "KZ-PC-PYRAMID-EXIT-PROPERTY-SALE",
    "KZ-PC-PYRAMID-EXIT-BOARD-DISCRETION",
    "KZ-PC-PYRAMID-EXIT-LOCK-IN",
]


def base_data() -> dict[str, Any]:
    loaded = load_file(BASE)
    assert loaded.data is not None
    return loaded.data


def run_patch(patch: dict[str, Any]) -> list[Diagnostic]:
    """Apply a rule-example patch to examples/bereke.yaml and run schema + rules on the result."""
    text = rules.dump_yaml(rules.apply_patch(base_data(), patch))
    coop, found = validate_input(load_text(text, "example.yaml"))
    assert coop is not None, [f"{d.rule} {d.path}: {worded(d, 'en').message}" for d in found]
    return [*found, *rules.run_rules(coop)]


def not_info(diags: list[Diagnostic]) -> set[tuple[str, str]]:
    return {(d.rule, d.path) for d in diags if d.severity != "info"}


# --- the pack as a whole ---------------------------------------------------------------------------


def test_pack_size() -> None:
    assert len(RULES) >= 30
    assert sum(rule.severity == "red_flag" for rule in RULES) >= 6


def test_ids_are_unique_and_stable_shaped() -> None:
    assert len(set(IDS)) == len(IDS)
    assert all(re.fullmatch(r"KZ-PC-[A-Z0-9-]+", rid) for rid in IDS)


# --- every rule's examples ---------------------------------------------------------------------------


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_fail_example_yields_exactly_the_rule(rule: rules.Rule) -> None:
    found = run_patch(dict(rule.examples["fail"]))
    mine = [d for d in found if d.rule == rule.id]
    assert [d.path for d in mine] == [rule.fail_at]
    diag = mine[0]
    assert diag.severity == rule.severity
    assert diag.line is not None and diag.column is not None
    for lang in LANGS:  # one check, worded in every language
        said = worded(diag, lang)
        assert said.citation is not None and said.citation.id == rule.citation
        assert said.message and said.hint and "{" not in said.message
    if rule.severity != "info":
        # `with`: rules that read the same money flow and must fire together (e.g. the stress test)
        together = set(rule.examples.get("with") or ())
        assert {(r, p) for r, p in not_info(found) if r not in together} == {(rule.id, rule.fail_at)}
        assert together <= {r for r, _ in not_info(found)}


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_pass_example_does_not_yield_the_rule(rule: rules.Rule) -> None:
    found = run_patch(dict(rule.examples["pass"]))
    assert rule.id not in {d.rule for d in found}
    assert not_info(found) == set()


# --- wording and citations -----------------------------------------------------------------------------


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_wording_and_citation(rule: rules.Rule) -> None:
    for name in ("message", "hint", "protects"):
        texts = getattr(rule, name)
        for lang in LANGS:
            assert texts.get(lang, "").strip(), f"{rule.id}: {name} has no {lang}"
    assert rule.citation in citation_ids(DEFAULT_PACK)
    for cid in (rule.citation, *rule.also):
        for lang in LANGS:
            cite = resolve(cid, lang, DEFAULT_PACK)
            assert cite.instrument
            assert cite.label(lang)


_ARTICLE = re.compile(r"(art\.|article|ст\.|стать|бап|п\.\s*\d|\d+\s*-?\s*бап)", re.IGNORECASE)


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_messages_state_no_article_numbers(rule: rules.Rule) -> None:
    """The citation line carries the article and its verified flag; messages never claim one."""
    for lang in LANGS:
        assert not _ARTICLE.search(rule.message[lang]), f"{rule.id} ({lang}): {rule.message[lang]}"


def test_kazakh_and_russian_texts_are_in_their_script() -> None:
    for rule in RULES:
        assert re.search("[а-яё]", rule.message["ru"], re.IGNORECASE)
        assert re.search("[а-яәғқңөұүһі]", rule.message["kk"], re.IGNORECASE)
        assert rule.message["kk"] != rule.message["ru"]


# --- examples and the pyramid case -------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted((ROOT / "examples").glob("*.yaml")), ids=lambda p: p.name)
def test_examples_are_clean(path: Path) -> None:
    checked = check_file(path)
    assert checked.cooperative is not None
    assert [f"{d.rule} {d.path}" for d in checked.diagnostics if d.severity != "info"] == []


def test_pyramid_case_names_each_indicator_with_its_basis() -> None:
    checked = check_file(ROOT / "tests" / "cases" / "pyramid.yaml")
    flagged = {d.rule: d for d in checked.diagnostics if d.severity == "red_flag"}
    assert set(PYRAMID_INDICATORS) <= set(flagged)
    for rid in PYRAMID_INDICATORS:
        assert worded(flagged[rid], "en").citation is not None and flagged[rid].line is not None
    assert checked.blocking


def test_pyramid_indicators_are_red_flags() -> None:
    by_id = {rule.id: rule for rule in RULES}
    assert all(by_id[rid].severity == "red_flag" for rid in PYRAMID_INDICATORS)


def test_evaluate_reports_every_rule() -> None:
    loaded = load_file(BASE)
    coop, _ = validate_input(loaded)
    assert coop is not None
    results = rules.evaluate(coop)
    assert [r.rule.id for r in results] == IDS
    failed = {r.rule.id for r in results if not r.passed}
    # bereke admits legal entities (flagged for review) and its purposes are agricultural (form choice)
    assert failed == {"KZ-PC-LEGAL-ENTITY-MEMBERS", "KZ-PC-PURPOSE-AGRICULTURE"}


def test_positions_point_at_the_value() -> None:
    found = run_patch({"membership.exit.payout_days": 0})
    diag = next(d for d in found if d.rule == "KZ-PC-EXIT-PAYOUT-PERIOD")
    text = rules.dump_yaml(rules.apply_patch(base_data(), {"membership.exit.payout_days": 0}))
    line = text.splitlines()[diag.line - 1]
    assert line[diag.column - 1:].startswith("0")
    said = worded(diag, "en").message
    assert said == "a leaving member's share must be paid within a fixed period; 0 is not a period"


def test_message_words_choice_identifiers_in_the_language() -> None:
    found = run_patch({"membership.exclusion.decided_by": "board"})
    diag = next(d for d in found if d.rule == "KZ-PC-EXCLUSION-BODY")
    assert worded(diag, "ru").message == "исключить члена кооператива может только общее собрание, а не правление"


# --- listing and explaining ---------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_rule_list(lang: str) -> None:
    rows = explaining.rule_list(lang, DEFAULT_PACK)
    assert [row["id"] for row in rows] == IDS
    for row in rows:
        assert set(row) >= {"id", "severity", "paths", "citation", "verified", "url", "message"}
        assert row["citation"] and "{" not in row["message"]
    assert json.loads(explaining.format_rules(lang, "json", DEFAULT_PACK)) == rows
    table = explaining.format_rules(lang, "text", DEFAULT_PACK)
    assert all(rid in table for rid in IDS)


def test_format_rules_rejects_unknown_format() -> None:
    with pytest.raises(UsageError):
        explaining.format_rules("en", "xml", DEFAULT_PACK)


@pytest.mark.parametrize("rule", RULES, ids=IDS)
@pytest.mark.parametrize("lang", LANGS)
def test_explain(rule: rules.Rule, lang: str) -> None:
    text = explaining.explain_rule(rule.id, lang, DEFAULT_PACK)
    cite = resolve(rule.citation, lang, DEFAULT_PACK)
    assert text.startswith(rule.id)
    assert rule.protects[lang] in text
    assert cite.label(lang) in text
    if cite.url:
        assert cite.url in text
    first_key = str(next(iter(rule.examples["fail"]))).split(".")[0].split("[")[0]
    assert f"{first_key}:" in text


def test_explain_accepts_lowercase_id() -> None:
    assert explaining.explain_rule("kz-pc-court", "en", DEFAULT_PACK).startswith("KZ-PC-COURT")


def test_explain_rejects_unknown_id_with_a_suggestion() -> None:
    with pytest.raises(UsageError) as info:
        explaining.explain_rule("KZ-PC-COURTS", "en", DEFAULT_PACK)
    assert "KZ-PC-COURT" in (info.value.hint or "")
    with pytest.raises(UsageError) as info:
        explaining.explain_rule("zzz", "ru", DEFAULT_PACK)
    assert "coopdocs rules" in (info.value.hint or "")


def test_explain_shows_snippets_as_yaml() -> None:
    text = explaining.explain_rule("KZ-PC-EXIT-PAYOUT-PERIOD", "en", DEFAULT_PACK)
    assert "membership:\n" in text and "payout_days: 0" in text and "payout_days: 90" in text


# --- pack validation ------------------------------------------------------------------------------------


def _raw_rule(**changes: Any) -> dict[str, Any]:
    texts = {"ru": "т", "kk": "т", "en": "t"}
    rule = {
        "id": "KZ-PC-TEST", "severity": "error", "paths": ["disputes.court"],
        "check": {"fn": "equals", "params": {"path": "disputes.court", "value": True}},
        "citation": "constitution.court", "message": texts, "hint": texts, "protects": texts,
        "examples": {"fail": {"disputes.court": False}, "pass": {}},
    }
    rule.update(changes)
    return rule


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"check": {"fn": "no_such_check", "params": {}}}, "unknown check function"),
        ({"check": {"fn": "equals", "params": {"path": "x"}}}, "bad params"),
        ({"message": {"ru": "т", "en": "t"}}, "missing language kk"),
        ({"citation": "law197.art99"}, "unknown citation id"),
        ({"also": ["nope"]}, "unknown citation id"),
        ({"severity": "fatal"}, "severity"),
        ({"examples": {"fail": {}}}, "examples"),
        ({"id": "bad id"}, "bad or missing id"),
    ],
)
def test_malformed_rules_are_pack_errors(changes: dict[str, Any], problem: str) -> None:
    with pytest.raises(PackError, match=problem):
        rules.parse_rules([_raw_rule(**changes)], set(citation_ids(DEFAULT_PACK)))


def test_duplicate_ids_are_pack_errors() -> None:
    with pytest.raises(PackError, match="duplicate"):
        rules.parse_rules([_raw_rule(), _raw_rule()], set(citation_ids(DEFAULT_PACK)))


# --- helpers ---------------------------------------------------------------------------------------------


def test_apply_patch_appends_and_replaces_subtrees() -> None:
    data = {"a": {"b": 1}, "items": [{"x": 1}]}
    out = rules.apply_patch(data, {"a.b": 2, "items[1]": {"x": 2}, "items[0].x": 5, "new.key": 3})
    assert out == {"a": {"b": 2}, "items": [{"x": 5}, {"x": 2}], "new": {"key": 3}}
    assert data == {"a": {"b": 1}, "items": [{"x": 1}]}


def test_checks_are_pure_and_report_paths() -> None:
    data = {"programs": [{"funded_by": ["own_savings", "new_member_contributions"]}]}
    found = list(checks.CHECKS["each_not_in"](data, path="programs", key="funded_by",
                                              values=["new_member_contributions"]))
    assert [f.path for f in found] == ["programs[0].funded_by[1]"]
    found = list(checks.text_mentions({"p": [{"ru": "строительство многоквартирного дома"}]}, path="p",
                                      all_of=[["строительств"], ["многоквартирн"]]))
    assert [f.path for f in found] == ["p[0].ru"]
