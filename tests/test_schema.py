from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest

from coopdocs.checking.pipeline import check_file
from coopdocs.compose.messages import format_text, worded
from coopdocs.inputs.loader import load_file
from coopdocs.inputs.schema import InputValidator, _validator, json_schema, validate_input
from coopdocs.packs.pack import select_pack
from tests.support import BEREKE, DEFAULT_PACK, EXAMPLES, read_example, write_patched


def first_lines(path: Path, lang: str = "en", strict: bool = False) -> list[str]:
    return [format_text(d, lang).splitlines()[0] for d in check_file(path, strict=strict).diagnostics]


def test_contract_example_is_clean() -> None:
    coop, diags = validate_input(load_file(BEREKE))
    assert coop is not None
    assert diags == []
    assert coop.data["cooperative"]["short_name"] == {"ru": "ПК «Береке»", "kk": "«Береке» ТК"}
    assert coop.data["programs"] == []


def test_absent_optional_keys_are_none(tmp_path: Path) -> None:
    path = write_patched(tmp_path, {"membership.contributions.entrance_fee": None})
    coop, _ = validate_input(load_file(path))
    assert coop is not None
    assert coop.data["membership"]["contributions"]["entrance_fee"] is None
    assert coop.data["founding"]["founders"][0]["bin"] is None


def test_json_schema_accepts_examples_and_rejects_wrong_types() -> None:
    schema = json_schema(DEFAULT_PACK)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    for path in sorted(EXAMPLES.glob("*.yaml")):
        data = json.loads(json.dumps(read_example(path), default=str))
        pack = select_pack(data, None)
        assert pack is not None, path.name
        own = jsonschema.Draft202012Validator(json_schema(pack), format_checker=jsonschema.FormatChecker())
        assert list(own.iter_errors(data)) == [], path.name
    broken = json.loads(json.dumps(read_example(), default=str))
    broken["membership"]["exit"]["payout_days"] = "ninety"
    broken["languages"] = ["de"]
    messages = sorted(e.json_path for e in validator.iter_errors(broken))
    assert messages == ["$.languages[0]", "$.membership.exit.payout_days"]


def test_plain_string_needs_a_single_language(tmp_path: Path) -> None:
    path = write_patched(tmp_path, {"cooperative.name": "Береке"})
    line = path.read_text(encoding="utf-8").splitlines().index("  name: Береке") + 1
    assert first_lines(path) == [
        f"{path}:{line}:9: error[schema/localized-plain] cooperative.name: a plain string is accepted only "
        "when one language is requested; languages: ru, kk"
    ]


def test_missing_translation_names_language_and_path(tmp_path: Path) -> None:
    path = write_patched(tmp_path, {"cooperative.purpose[1]": {"ru": "сбыт продукции"}})
    lines = first_lines(path)
    assert len(lines) == 1
    assert lines[0].endswith(
        "error[schema/localized-missing] cooperative.purpose[1]: the Kazakh (kk) text is missing (languages: ru, kk)"
    )


def test_messages_in_russian_and_kazakh(tmp_path: Path) -> None:
    path = write_patched(tmp_path, {"membership.exit.payout_days": -5})
    ru = first_lines(path, "ru")[0]
    kk = first_lines(path, "kk")[0]
    assert ru.endswith("ошибка[schema/min] membership.exit.payout_days: -5 меньше минимума 0")
    assert kk.endswith("қате[schema/min] membership.exit.payout_days: -5 ең төменгі 0 мәнінен кіші")


def test_strict_turns_warnings_into_errors(tmp_path: Path) -> None:
    path = write_patched(tmp_path, {"membership.exit.payout_dayz": 5})
    assert check_file(path).blocking is False
    strict = check_file(path, strict=True)
    assert strict.blocking is True
    assert [d.rule for d in strict.diagnostics if d.severity != "info"] == ["schema/unknown-key"]
    assert any("did you mean 'payout_days'?" in worded(d, "en").message for d in strict.diagnostics)


@pytest.mark.parametrize(
    ("patch", "rule", "path"),
    [
        (
            {"founding.founders[0].share_contribution": 100},
            "input/founder-share",
            "founding.founders[0].share_contribution",
        ),
        ({"founding.chair": 3}, "input/founder-index", "founding.chair"),
        ({"signatories.charter": [0, 5]}, "input/founder-index", "signatories.charter[1]"),
        ({"founding.founders[1].iin": "900517400155"}, "input/iin", "founding.founders[1].iin"),
        ({"founding.founders[2].bin": "150340012341"}, "input/bin", "founding.founders[2].bin"),
    ],
)
def test_cross_field_checks(tmp_path: Path, patch: dict[str, object], rule: str, path: str) -> None:
    diags = check_file(write_patched(tmp_path, patch)).diagnostics
    assert [(d.rule, d.path) for d in diags] == [(rule, path)]
    assert diags[0].line is not None


def test_schema_and_cross_field_errors_are_reported_together(tmp_path: Path) -> None:
    path = write_patched(tmp_path, {"founding.founders[1].iin": "900517400155", "membership.exit.payout_days": "x"})
    assert sorted(d.rule for d in check_file(path).diagnostics) == ["input/iin", "schema/type"]


def test_every_pack_schema_passes_cerberus_own_check() -> None:
    """coopdocs skips cerberus's schema self-check at run time (schema._TestedSchema); this is it."""
    from coopdocs.packs.pack import available_packs

    packs = available_packs()
    assert packs
    for pack in packs:
        checked = InputValidator(pack.input_schema())  # raises cerberus.SchemaError on a malformed rule
        assert _validator(pack, purge=False).schema.schema == checked.schema.schema


def test_json_schema_dates_validate_with_a_yaml_1_1_loader_too() -> None:
    """PyYAML (YAML 1.1) reads an unquoted 2026-03-01 as a date object, editors (YAML 1.2) as a
    string: the exported schema accepts both, and still refuses a number or a wrong string (issue 18)."""
    import yaml

    validator = jsonschema.Draft202012Validator(json_schema(DEFAULT_PACK), format_checker=jsonschema.FormatChecker())
    data = yaml.safe_load(BEREKE.read_text(encoding="utf-8"))
    assert isinstance(data["founding"]["meeting_date"], dt.date)
    assert list(validator.iter_errors(data)) == []
    for wrong in (20260301, "01.03.2026", None):
        data["founding"]["meeting_date"] = wrong
        assert {e.json_path for e in validator.iter_errors(data)} == {"$.founding.meeting_date"}, wrong
