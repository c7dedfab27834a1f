"""The compliance report: every rule with its result, the pyramid indicators, the trace."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from coopdocs.checking import rules
from coopdocs.checking.pipeline import check_file
from coopdocs.cli import main
from coopdocs.compose.compliance import report
from coopdocs.writers.render import docx_text
from tests.support import BEREKE, DEFAULT_PACK, EXAMPLES

PYRAMID = Path(__file__).resolve().parent / "cases" / "pyramid.yaml"
HOUSING_PYRAMID = Path(__file__).resolve().parent / "cases" / "housing-pyramid.yaml"


def texts(document) -> str:  # noqa: ANN001
    return "\n".join(
        [c.text for s in document.sections for c in s.clauses]
        + [i for s in document.sections for c in s.clauses for i in c.items]
        + [" | ".join(row) for s in document.sections for c in s.clauses for row in c.table]
    )


def test_clean_cooperative_passes_every_indicator() -> None:
    coop = check_file(EXAMPLES / "housing-savings.yaml").cooperative
    assert coop is not None
    document = report(coop, "en")
    body = texts(document)
    for rule in rules.load_rules(DEFAULT_PACK):  # one row per rule in the results table
        assert f"{rule.id} | passed | " in body
    red_flags = [r for r in rules.load_rules(DEFAULT_PACK) if r.severity == "red_flag"]
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


def test_report_states_what_was_checked_and_never_certifies_absence() -> None:
    coop = check_file(EXAMPLES / "housing-savings.yaml").cooperative
    assert coop is not None
    for lang, never in (("ru", "не выявлено"), ("en", "No violation and no sign")):
        body = texts(report(coop, lang))
        assert never not in body
        assert "не содержат механизма пирамиды" not in body and "contain no pyramid mechanism" not in body
    ru = texts(report(coop, "ru"))
    assert "Это не удостоверяет, что Кооператив не является финансовой пирамидой" in ru
    assert f"пакету правил «{coop.pack.key}» от {coop.pack.edition}" in ru  # the pack date, not an edition of the laws
    assert "Чего нельзя узнать из входного файла" in ru


def test_programme_stress_test_has_chart_table_and_verdict(tmp_path: Path) -> None:
    """The lawful housing programme is explained as mutual help; the flagged one shows the figures."""
    cases = (
        (EXAMPLES / "housing-savings.yaml", "взаимопомощь за счёт собственных средств членов", "(а) Получено"),
        (HOUSING_PYRAMID, "зависит от новых членов (признак финансовой пирамиды)", "обещания НЕ выполняются"),
    )
    for path, verdict, figure in cases:
        coop = check_file(path).cooperative
        assert coop is not None
        document = report(coop, "ru")
        (section,) = [s for s in document.sections if s.title == "Стресс-тест программ"]
        charts = [c.figure for c in section.clauses if c.figure]
        tables = [c.table for c in section.clauses if c.table]
        assert len(charts) == 1 and charts[0].startswith(b"\x89PNG")
        assert len(tables) == 1 and tables[0][0][0] == "Вступили (мес.)" and len(tables[0]) == 9
        body = texts(document)
        assert verdict in body and figure in body
    # the DOCX carries the picture and the tables, and is byte-identical from run to run
    outputs = []
    for run in ("a", "b"):
        result = CliRunner().invoke(
            main,
            [
                "build",
                str(HOUSING_PYRAMID),
                "--out",
                str(tmp_path / run),
                "--docs",
                "compliance",
                "--lang",
                "kk",
                "--draft",
            ],
        )
        assert result.exit_code == 0, result.stderr
        (folder,) = (tmp_path / run).iterdir()
        outputs.append((folder / "compliance.kk.docx").read_bytes())
    assert outputs[0] == outputs[1]
    import io
    import zipfile

    names = zipfile.ZipFile(io.BytesIO(outputs[0])).namelist()
    assert any(n.startswith("word/media/") and n.endswith(".png") for n in names)
    lines = docx_text(outputs[0])
    assert any(line.startswith("Кірді (ай) | Мүшелер") for line in lines)
    assert any(line.startswith("Қағида | Нәтиже | Құқықтық негіз") for line in lines)


def test_html_and_markdown_carry_the_chart_inside(tmp_path: Path) -> None:
    """The chart is inside the HTML and the Markdown (a data URI), not a media/image1.png beside them."""
    result = CliRunner().invoke(
        main,
        [
            "build",
            str(EXAMPLES / "housing-savings.yaml"),
            "--out",
            str(tmp_path),
            "--docs",
            "compliance",
            "--lang",
            "ru",
            "--format",
            "html,md",
        ],
    )
    assert result.exit_code == 0, result.stderr
    (folder,) = tmp_path.iterdir()
    for name, link in (("compliance.ru.html", 'src="'), ("compliance.ru.md", "](")):
        text = (folder / name).read_text(encoding="utf-8")
        assert f"{link}data:image/png;base64,iVBORw0KGgo" in text
        assert "media/image" not in text
