"""The legal rules of every installed pack (issue 19: a second pack is an addition of data, and these
tests then cover it without a new test): each rule's failing and passing example, its wording and
citations, the listing and `explain`. Then the consumer pack's own cases: its pyramid indicators,
positions and wording on its example."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from coopdocs import MESSAGE_LANGUAGES
from coopdocs.checking import checks, rules
from coopdocs.checking.pipeline import check_file
from coopdocs.commands import explaining
from coopdocs.compose.messages import worded
from coopdocs.diagnostics import Diagnostic
from coopdocs.errors import PackError, UsageError
from coopdocs.inputs.loader import load_file, load_text
from coopdocs.inputs.schema import validate_input
from coopdocs.packs.citations import citation_ids, resolve
from coopdocs.packs.pack import Pack, available_packs
from tests.support import DEFAULT_PACK

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "examples" / "bereke.yaml"
# A rule's message, hint and what it protects are shown in the message language (--messages).
LANGS = MESSAGE_LANGUAGES
PACKS = available_packs()
PACK_IDS = [p.key for p in PACKS]
RULE_CASES = [(pack, rule) for pack in PACKS for rule in rules.load_rules(pack)]
RULE_IDS = [f"{pack.form}:{rule.id}" for pack, rule in RULE_CASES]
# the consumer pack's own cases
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


def pack_example(pack: Pack) -> Path:
    """The example a pack's rule examples patch (pack.yaml `example`)."""
    return pack.example


def base_data(pack: Pack = DEFAULT_PACK) -> dict[str, Any]:
    loaded = load_file(pack_example(pack))
    assert loaded.data is not None
    return loaded.data


def run_patch(patch: dict[str, Any], pack: Pack = DEFAULT_PACK) -> list[Diagnostic]:
    """Apply a rule-example patch to the pack's example and run schema + rules on the result."""
    text = rules.dump_yaml(rules.apply_patch(base_data(pack), patch))
    coop, found = validate_input(load_text(text, "example.yaml"))
    assert coop is not None, [f"{d.rule} {d.path}: {worded(d, 'en').message}" for d in found]
    assert coop.pack.key == pack.key
    return [*found, *rules.run_rules(coop)]


def not_info(diags: list[Diagnostic]) -> set[tuple[str, str]]:
    return {(d.rule, d.path) for d in diags if d.severity != "info"}


# --- every pack as a whole -------------------------------------------------------------------------------


def test_both_packs_are_covered() -> None:
    assert {"kz/consumer_cooperative", "kz/agricultural_cooperative"} <= set(PACK_IDS)


@pytest.mark.parametrize("pack", PACKS, ids=PACK_IDS)
def test_pack_size(pack: Pack) -> None:
    found = rules.load_rules(pack)
    assert len(found) >= 30
    assert sum(rule.severity == "red_flag" for rule in found) >= 6


@pytest.mark.parametrize("pack", PACKS, ids=PACK_IDS)
def test_ids_are_unique_and_share_the_packs_prefix(pack: Pack) -> None:
    ids = [rule.id for rule in rules.load_rules(pack)]
    assert len(set(ids)) == len(ids)
    prefixes = {re.match(r"[A-Z]{2}-[A-Z]+-", rid).group(0) for rid in ids}  # type: ignore[union-attr]
    assert len(prefixes) == 1, prefixes
    assert all(re.fullmatch(r"[A-Z]{2}-[A-Z]+-[A-Z0-9-]+", rid) for rid in ids)


@pytest.mark.parametrize("pack", PACKS, ids=PACK_IDS)
def test_evaluate_reports_every_rule_and_the_example_breaks_none(pack: Pack) -> None:
    coop, _ = validate_input(load_file(pack_example(pack)))
    assert coop is not None
    results = rules.evaluate(coop)
    assert [r.rule.id for r in results] == [rule.id for rule in rules.load_rules(pack)]
    assert [r.rule.id for r in results if not r.passed and r.rule.severity != "info"] == []


# --- every rule's examples, of every pack -------------------------------------------------------------------


@pytest.mark.parametrize(("pack", "rule"), RULE_CASES, ids=RULE_IDS)
def test_fail_example_yields_exactly_the_rule(pack: Pack, rule: rules.Rule) -> None:
    found = run_patch(dict(rule.examples["fail"]), pack)
    mine = [d for d in found if d.rule == rule.id]
    assert [d.path for d in mine] == [rule.fail_at]
    diag = mine[0]
    assert diag.severity == rule.severity
    assert diag.line is not None and diag.column is not None
    for lang in LANGS:  # one check, worded in every language
        said = worded(diag, lang)
        assert said.citation is not None and said.citation.id == rule.citation, lang
        assert said.message and said.hint and "{" not in said.message, lang
    if rule.severity != "info":
        # `with`: rules that read the same money flow and must fire together (e.g. the stress test)
        together = set(rule.examples.get("with") or ())
        assert {(r, p) for r, p in not_info(found) if r not in together} == {(rule.id, rule.fail_at)}
        assert together <= {r for r, _ in not_info(found)}


@pytest.mark.parametrize(("pack", "rule"), RULE_CASES, ids=RULE_IDS)
def test_pass_example_does_not_yield_the_rule(pack: Pack, rule: rules.Rule) -> None:
    found = run_patch(dict(rule.examples["pass"]), pack)
    assert rule.id not in {d.rule for d in found}
    assert not_info(found) == set()


# --- wording and citations -----------------------------------------------------------------------------


@pytest.mark.parametrize(("pack", "rule"), RULE_CASES, ids=RULE_IDS)
def test_wording_and_citations_resolve_in_the_pack(pack: Pack, rule: rules.Rule) -> None:
    for name in ("message", "hint", "protects"):
        texts = getattr(rule, name)
        for lang in LANGS:
            assert texts.get(lang, "").strip(), f"{rule.id}: {name} has no {lang}"
    known = set(citation_ids(pack))
    for cid in (rule.citation, *rule.also):
        assert cid in known, cid
        for lang in LANGS:
            cite = resolve(cid, lang, pack)
            assert cite.instrument
            assert cite.label(lang)


_ARTICLE = re.compile(r"(art\.|article|ст\.|стать|бап|п\.\s*\d|\d+\s*-?\s*бап)", re.IGNORECASE)


@pytest.mark.parametrize(("pack", "rule"), RULE_CASES, ids=RULE_IDS)
def test_messages_state_no_article_numbers(pack: Pack, rule: rules.Rule) -> None:
    """The citation line carries the article and its verified flag; messages never claim one."""
    for lang in LANGS:
        assert not _ARTICLE.search(rule.message[lang]), f"{rule.id} ({lang}): {rule.message[lang]}"


@pytest.mark.parametrize("pack", PACKS, ids=PACK_IDS)
def test_kazakh_and_russian_texts_are_in_their_script(pack: Pack) -> None:
    for rule in rules.load_rules(pack):
        assert re.search("[а-яё]", rule.message["ru"], re.IGNORECASE), rule.id
        assert re.search("[а-яәғқңөұүһі]", rule.message["kk"], re.IGNORECASE), rule.id
        assert rule.message["kk"] != rule.message["ru"], rule.id


# --- listing and explaining, for every pack ---------------------------------------------------------------


@pytest.mark.parametrize("pack", PACKS, ids=PACK_IDS)
@pytest.mark.parametrize("lang", LANGS)
def test_rule_list(pack: Pack, lang: str) -> None:
    ids = [rule.id for rule in rules.load_rules(pack)]
    rows = explaining.rule_list(lang, pack)
    assert [row["id"] for row in rows] == ids
    for row in rows:
        assert set(row) >= {"id", "severity", "paths", "citation", "verified", "url", "message"}
        assert row["citation"] and "{" not in row["message"]
    assert json.loads(explaining.format_rules(lang, "json", pack)) == rows
    table = explaining.format_rules(lang, "text", pack)
    assert all(rid in table for rid in ids)


def test_format_rules_rejects_unknown_format() -> None:
    with pytest.raises(UsageError):
        explaining.format_rules("en", "xml", DEFAULT_PACK)


@pytest.mark.parametrize(("pack", "rule"), RULE_CASES, ids=RULE_IDS)
@pytest.mark.parametrize("lang", LANGS)
def test_explain(pack: Pack, rule: rules.Rule, lang: str) -> None:
    text = explaining.explain_rule(rule.id, lang, pack)
    cite = resolve(rule.citation, lang, pack)
    assert text.startswith(rule.id)
    assert rule.protects[lang] in text
    assert cite.label(lang) in text
    if cite.url:
        assert cite.url in text
    first_key = str(next(iter(rule.examples["fail"]))).split(".")[0].split("[")[0]
    assert f"{first_key}:" in text


@pytest.mark.parametrize("pack", PACKS, ids=PACK_IDS)
def test_explain_accepts_lowercase_id(pack: Pack) -> None:
    rule = rules.load_rules(pack)[0]
    assert explaining.explain_rule(rule.id.lower(), "en", pack).startswith(rule.id)


@pytest.mark.parametrize("pack", PACKS, ids=PACK_IDS)
def test_explain_rejects_unknown_id_with_a_suggestion(pack: Pack) -> None:
    rule = rules.load_rules(pack)[0]
    with pytest.raises(UsageError) as info:
        explaining.explain_rule(rule.id + "S", "en", pack)
    assert rule.id in (info.value.hint or "")
    with pytest.raises(UsageError) as info:
        explaining.explain_rule("zzz", "ru", pack)
    assert "coopdocs rules" in (info.value.hint or "")


# --- examples and the pyramid case -------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted((ROOT / "examples").glob("*.yaml")), ids=lambda p: p.name)
def test_examples_are_clean(path: Path) -> None:
    checked = check_file(path)
    assert checked.cooperative is not None
    assert [f"{d.rule} {d.path}" for d in checked.diagnostics if d.severity != "info"] == []


# --- the consumer pack's own cases -------------------------------------------------------------------------


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


def test_evaluate_on_bereke() -> None:
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
