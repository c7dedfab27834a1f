"""The compliance report: every rule with its result, the pyramid indicators, the trace."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from coopdocs import rules
from coopdocs.cli import main
from coopdocs.compliance import report
from coopdocs.pipeline import check_file
from coopdocs.render import docx_text
from tests.support import BEREKE, EXAMPLES

PYRAMID = Path(__file__).resolve().parent / "cases" / "pyramid.yaml"


def texts(document) -> str:  # noqa: ANN001
    return "\n".join(
        [c.text for s in document.sections for c in s.clauses]
        + [i for s in document.sections for c in s.clauses for i in c.items]
    )


def test_clean_cooperative_passes_every_indicator() -> None:
    coop = check_file(EXAMPLES / "housing-savings.yaml").cooperative
    assert coop is not None
    document = report(coop, "en")
    body = texts(document)
    for rule in rules.load_rules():
        assert f"Rule {rule.id}" in body
    red_flags = [r for r in rules.load_rules() if r.severity == "red_flag"]
    assert body.count("Result: passed.") == len(red_flags)
    assert coop.input_sha256 in body
    assert "0.1.0" in body


def test_pyramid_draft_names_every_indicator_with_its_basis(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["build", str(PYRAMID), "--out", str(tmp_path), "--docs", "compliance", "--lang", "ru", "--draft"]
    )
    assert result.exit_code == 0, result.stderr
    (folder,) = tmp_path.iterdir()
    lines = docx_text((folder / "compliance.ru.docx").read_bytes())
    body = "\n".join(lines)
    checked = check_file(PYRAMID)
    fired = {d.rule for d in checked.diagnostics if d.severity == "red_flag"}
    # 9 label indicators + the stress test and the unrepaid advance, found from its money flows (issue 14)
    assert len(fired) == 11
    assert {"KZ-PC-PYRAMID-STRESS", "KZ-PC-PYRAMID-UNREPAID-ADVANCE"} <= fired
    for rule_id in fired:
        start = body.index(f"Правило {rule_id}")
        block = body[start : start + 3000]
        assert "Результат: признак пирамиды" in block
        assert "Правовое основание:" in block
    assert body.count("Результат: признак пирамиды.") == 11
    assert "ВНИМАНИЕ" in body


def test_compliance_is_part_of_the_default_set(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", str(BEREKE), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.stderr
    names = {p.name for p in (tmp_path / "bereke").iterdir()}
    assert {"compliance.ru.docx", "compliance.kk.docx", "minutes.ru.docx", "application.kk.docx"} <= names
