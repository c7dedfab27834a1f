"""Issue 14: tell a cooperative from a pyramid by its money flows, in both directions.

The variants an organiser would write are flagged at the programme or contributions path; the lawful
examples (agricultural supply, consumer goods, a self-funded housing programme, housing with repaid
advances) have no red flag. The text variants (income promised in the purposes or a programme's name)
are caught by the free-text rules; they are listed here too so that all seven stay flagged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from coopdocs.checking import rules
from coopdocs.checking.pipeline import check_file
from coopdocs.cli import main
from coopdocs.compose.messages import worded
from coopdocs.inputs.loader import load_file, load_text
from coopdocs.inputs.schema import validate_input

ROOT = Path(__file__).resolve().parent.parent
HOUSING = ROOT / "examples" / "housing-savings.yaml"
HOUSING_PYRAMID = ROOT / "tests" / "cases" / "housing-pyramid.yaml"


def red_flags(base: Path, patch: dict[str, Any]) -> set[tuple[str, str]]:
    loaded = load_file(base)
    assert loaded.data is not None
    text = rules.dump_yaml(rules.apply_patch(loaded.data, patch))
    coop, found = validate_input(load_text(text, "variant.yaml"))
    assert coop is not None, [worded(d, "en").message for d in found]
    return {(d.rule, d.path) for d in rules.run_rules(coop) if d.severity in ("red_flag", "error")}


def housing_program(**changes: Any) -> dict[str, Any]:
    loaded = load_file(HOUSING)
    assert loaded.data is not None
    program = dict(loaded.data["programs"][0])
    program.update(changes)
    program = {key: value for key, value in program.items() if value is not None}  # None: drop the key
    return {"programs": [program]}


VARIANTS = {
    # 5 % own savings with a lottery queue (the rest from the common pool, as such schemes do)
    "lottery-5-percent": (
        HOUSING,
        housing_program(member_savings_percent=5, queue="lottery", rest_paid_by="members_pool", advance=None),
        {"KZ-PC-PYRAMID-LOTTERY", "KZ-PC-PYRAMID-UNREPAID-ADVANCE", "KZ-PC-PYRAMID-STRESS"},
    ),
    # half the price from the common pool, no repayment
    "half-from-pool": (
        HOUSING,
        housing_program(rest_paid_by="members_pool", advance={"repayment_months": 0}),
        {"KZ-PC-PYRAMID-UNREPAID-ADVANCE", "KZ-PC-PYRAMID-STRESS"},
    ),
    # a monthly fee close to the whole share
    "monthly-fee-near-share": (
        ROOT / "examples" / "bereke.yaml",
        {"membership.contributions.membership_fee": {"amount": 45000, "period": "month"}},
        {"KZ-PC-PYRAMID-NONREFUNDABLE"},
    ),
    # an entrance fee just under the share
    "entrance-fee-under-share": (
        ROOT / "examples" / "bereke.yaml",
        {"membership.contributions.entrance_fee.amount": 49000},
        {"KZ-PC-PYRAMID-NONREFUNDABLE"},
    ),
    # the three text variants, read by the free-text rules (pyramid-language.yaml)
    "guaranteed-income-in-purposes-ru": (
        ROOT / "examples" / "bereke.yaml",
        {"cooperative.purpose[0].ru": "гарантированный доход 9 % годовых на паевые взносы"},
        {"KZ-PC-PYRAMID-TEXT-RETURN"},
    ),
    "guaranteed-income-in-purposes-kk": (
        ROOT / "examples" / "bereke.yaml",
        {"cooperative.purpose[0].kk": "пайлық жарналарға жылдық 9 % кепілдендірілген табыс"},
        {"KZ-PC-PYRAMID-TEXT-RETURN"},
    ),
    "passive-income-in-purposes": (
        ROOT / "examples" / "bereke.yaml",
        {"cooperative.purpose[1].ru": "пассивный доход для членов кооператива"},
        {"KZ-PC-PYRAMID-TEXT-RETURN"},
    ),
    "income-in-programme-name": (
        HOUSING,
        housing_program(name={"ru": "Доход 30 % в месяц", "kk": "Айына 30 % табыс", "en": "30% a month"}),
        {"KZ-PC-PYRAMID-TEXT-RETURN"},
    ),
}


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_pyramid_variant_is_flagged_at_the_programme_or_contributions(name: str) -> None:
    base, patch, expected = VARIANTS[name]
    found = red_flags(base, patch)
    assert expected <= {rule for rule, _ in found}
    places = ("programs", "membership.contributions", "cooperative.purpose")
    assert all(path.startswith(places) for rule, path in found if rule in expected)


def test_flagged_housing_case_is_flagged_by_its_money_flows_alone() -> None:
    """Its labels are innocent: no return, no bonus, no new_member_contributions in funded_by."""
    checked = check_file(HOUSING_PYRAMID)
    flags = {d.rule for d in checked.diagnostics if d.severity == "red_flag"}
    assert flags == {"KZ-PC-PYRAMID-STRESS", "KZ-PC-PYRAMID-UNREPAID-ADVANCE"}


LAWFUL = {
    "agri-supply": (ROOT / "examples" / "agri-supply.yaml", {}),
    "consumer-goods": (ROOT / "examples" / "consumer-goods.yaml", {}),
    "bereke": (ROOT / "examples" / "bereke.yaml", {}),
    "housing-repaid-advances": (HOUSING, {}),
    "housing-self-funded": (
        HOUSING,
        housing_program(member_savings_percent=100, rest_paid_by="own_savings", advance=None, monthly_payment=400000),
    ),
}


@pytest.mark.parametrize("name", sorted(LAWFUL))
def test_lawful_example_has_no_red_flag(name: str) -> None:
    base, patch = LAWFUL[name]
    assert red_flags(base, patch) == set()


def test_stress_command_text_and_json() -> None:
    runner = CliRunner()
    lawful = runner.invoke(main, ["stress", str(HOUSING), "--lang", "ru"])
    assert lawful.exit_code == 0, lawful.output
    assert "взаимопомощь" in lawful.output and "(а) " in lawful.output and "(в) " in lawful.output
    flagged = runner.invoke(
        main, ["stress", str(HOUSING_PYRAMID), "--format", "json", "--growth", "5", "--stop-month", "12"]
    )
    assert flagged.exit_code == 1
    (program,) = json.loads(flagged.output)["programs"]
    assert program["verdict"] == "depends_on_newcomers"
    assert (program["growth"], program["stop_month"], program["members"]) == (5, 12, 60)
    assert program["a_gain_from_others"] > 0 and program["c_later_share"] > 0.5
    assert program["b_all_served"] is False


def test_stress_command_reads_a_file_with_only_programmes(tmp_path: Path) -> None:
    terms = tmp_path / "scheme.yaml"
    terms.write_text(
        "programs:\n  - kind: property_acquisition\n    name: Свой дом\n    member_savings_percent: 10\n"
        "    funded_by: [own_savings, new_member_contributions]\n    queue: lottery\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["stress", str(terms), "--format", "json"])
    assert result.exit_code == 1, result.output
    (program,) = json.loads(result.output)["programs"]
    assert program["verdict"] == "depends_on_newcomers"
    assert set(program["terms"]["assumed"]) == {"price", "monthly_payment"}


def test_stress_command_reports_bad_terms_with_their_place(tmp_path: Path) -> None:
    terms = tmp_path / "scheme.yaml"
    terms.write_text("programs:\n  - kind: property_acquisition\n    name: X\n    queue: random\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["stress", str(terms)])
    assert result.exit_code == 1
    # the field named in words (a member's view; --format json and validate --audience lawyer keep the path)
    assert 'scheme.yaml:4:12: error[schema/allowed] "Programme no. 1: order": ' in result.stderr
    assert "use one of: by_application_date, by_savings_percent, lottery" in result.stderr  # what to type
