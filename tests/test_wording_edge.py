"""Checking is free of any language: diagnostics carry ids and arguments, worded at the edge.

The stages that read the input and check it (``coopdocs/inputs``, ``coopdocs/checking``) import no later
stage (composing, writers, commands), and a diagnostic found once is worded afterwards in any language
(``coopdocs.compose.messages``), the same as the command line prints it."""

from __future__ import annotations

import ast
import json
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

import coopdocs
from coopdocs.checking.pipeline import check_file
from coopdocs.cli import main
from coopdocs.commands.fieldnames import format_for
from coopdocs.compose.messages import as_json, format_text, worded
from coopdocs.diagnostics import Diagnostic, Localized, Term, Word, YamlProblem, make
from coopdocs.inputs.loader import load_text
from tests.support import write_patched

PACKAGE = Path(coopdocs.__file__).parent
EARLY = ("inputs", "checking")
LATER = ("coopdocs.compose", "coopdocs.writers", "coopdocs.commands")


def _imported(tree: ast.AST) -> list[str]:
    """Every module an AST imports, at the top or inside a function (``from coopdocs import compose``
    counts as ``coopdocs.compose``)."""
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
            names += [f"{node.module}.{alias.name}" for alias in node.names]
    return names


def test_reading_and_checking_import_no_later_stage() -> None:
    reached = []
    modules = sorted(path for stage in EARLY for path in (PACKAGE / stage).glob("*.py"))
    assert len(modules) >= 10  # the walk sees the stages' modules
    for path in modules:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for name in _imported(tree):
            if any(name == later or name.startswith(later + ".") for later in LATER):
                reached.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert reached == []


def test_the_import_walk_would_see_a_later_stage() -> None:
    """The test above can fail: a function-level import of a writer is found."""
    tree = ast.parse("def f():\n    from coopdocs import writers\n    from coopdocs.compose.wording import number\n")
    assert {"coopdocs.writers", "coopdocs.compose.wording"} <= set(_imported(tree))


def test_no_function_of_reading_or_checking_takes_a_language() -> None:
    """Reading and checking take no message language (a language is an argument of the edge only)."""
    taking = []
    for stage in EARLY:
        for path in sorted((PACKAGE / stage).glob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    args = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
                    if any(a.arg == "lang" for a in args):
                        taking.append(f"{path.relative_to(PACKAGE)}: {node.name}")
    assert taking == []


# --- one check, three wordings ---------------------------------------------------------------------
# The expected lines are what `coopdocs validate --audience lawyer --messages LANG` printed for the same
# files before checking stopped wording its findings (commit 1c80437).

IIN = {
    "ru": [
        "coop.yaml:76:10: ошибка[input/iin] founding.founders[0].iin: 850214300128 не является действительным "
        "ИИН: контрольный (12-й) разряд не совпадает; вероятно, допущена опечатка",
        "  = закон: Закон РК «О национальных реестрах идентификационных номеров», ст. 1 п. 1",
        "  = подсказка: перепишите 12-значный ИИН из удостоверения личности",
    ],
    "kk": [
        "coop.yaml:76:10: қате[input/iin] founding.founders[0].iin: 850214300128 жарамды ЖСН емес: "
        "бақылау (12-ші) разряды сәйкес келмейді; цифр қате терілген болуы мүмкін",
        "  = заң: «Сәйкестендіру нөмірлерінің ұлттық тізілімдері туралы» ҚР Заңы, 1-бап 1-тармақ",
        "  = кеңес: жеке куәліктен 12 таңбалы ЖСН-ді көшіріп жазыңыз",
    ],
    "en": [
        "coop.yaml:76:10: error[input/iin] founding.founders[0].iin: 850214300128 is not a valid IIN: "
        "the control digit (the 12th) does not match; a digit is probably mistyped",
        '  = law: Law of RK "On National Registers of Identification Numbers", art. 1 p. 1',
        "  = hint: copy the 12-digit IIN from the person's identity card",
    ],
}

EXCLUSION = {
    "ru": [
        "coop.yaml:206:17: ошибка[KZ-PC-EXCLUSION-BODY] membership.exclusion.decided_by: исключить члена "
        "кооператива может только общее собрание, а не правление",
        "  = закон: Закон РК «О потребительском кооперативе» № 197-II, ст. 16 п. 3",
        "  = подсказка: установите membership.exclusion.decided_by: general_meeting",
    ],
    "kk": [
        "coop.yaml:206:17: қате[KZ-PC-EXCLUSION-BODY] membership.exclusion.decided_by: кооператив мүшесін "
        "тек жалпы жиналыс мүшеліктен шығара алады, басқарма емес",
        "  = заң: «Тұтыну кооперативі туралы» ҚР Заңы № 197-II, 16-бап 3-тармақ",
        "  = кеңес: membership.exclusion.decided_by: general_meeting деп көрсетіңіз",
    ],
    "en": [
        "coop.yaml:206:17: error[KZ-PC-EXCLUSION-BODY] membership.exclusion.decided_by: only the general "
        "meeting may exclude a member, not the board",
        '  = law: Law of RK No. 197-II "On Consumer Cooperative", art. 16 p. 3',
        "  = hint: set membership.exclusion.decided_by: general_meeting",
    ],
}


def _checked(folder: Path, patch: dict[str, object]) -> list[Diagnostic]:
    path = write_patched(folder, patch, name="coop.yaml")
    return [replace(d, file="coop.yaml") for d in check_file(path).diagnostics]


@pytest.fixture(scope="module")
def iin_error(tmp_path_factory: pytest.TempPathFactory) -> Diagnostic:
    """An engine message that cites the pack's law, with a reason given in every language."""
    found = _checked(tmp_path_factory.mktemp("iin"), {"founding.founders[0].iin": "850214300128"})
    [iin] = [d for d in found if d.rule == "input/iin"]
    return iin


@pytest.fixture(scope="module")
def rule_error(tmp_path_factory: pytest.TempPathFactory) -> Diagnostic:
    """A legal rule's finding that names a choice (a term worded in the reader's language)."""
    found = _checked(tmp_path_factory.mktemp("rule"), {"membership.exclusion.decided_by": "board"})
    [body] = [d for d in found if d.rule == "KZ-PC-EXCLUSION-BODY"]
    return body


@pytest.mark.parametrize("lang", ["ru", "kk", "en"])
def test_one_check_words_in_every_language(iin_error: Diagnostic, rule_error: Diagnostic, lang: str) -> None:
    assert format_text(iin_error, lang).splitlines() == IIN[lang]
    assert format_text(rule_error, lang).splitlines() == EXCLUSION[lang]


def test_a_diagnostic_holds_ids_and_arguments_not_words(iin_error: Diagnostic, rule_error: Diagnostic) -> None:
    assert rule_error.args == {"value": Term(("board",)), "expected": Term(("general_meeting",))}
    assert iin_error.args["value"] == "850214300128"
    assert isinstance(iin_error.args["reason"], Localized)
    assert iin_error.pack is not None and iin_error.pack.key == "kz/consumer_cooperative"


def test_the_json_form_is_the_cli_s_in_each_language(tmp_path: Path) -> None:
    path = write_patched(tmp_path, {"founding.founders[0].iin": "850214300128"}, name="coop.yaml")
    checked = check_file(path).diagnostics
    for lang in ("ru", "kk", "en"):
        result = CliRunner().invoke(main, ["validate", str(path), "--format", "json", "--messages", lang])
        printed = json.loads(result.stdout)["files"][0]["diagnostics"]
        assert printed == [as_json(d, lang) for d in checked], lang
        [iin] = [d for d in printed if d["rule"] == "input/iin"]
        assert iin["message"] == IIN[lang][0].split(": ", 2)[2] and iin["citation"]["article"] == "1"


def test_the_member_s_form_names_the_field(iin_error: Diagnostic) -> None:
    member = format_for(iin_error, "ru", "member", iin_error.pack)
    assert member.startswith("coop.yaml:76:10: ошибка[input/iin] «Учредитель № 1: ИИН»: 850214300128 ")
    assert format_for(iin_error, "ru", "lawyer", iin_error.pack) == format_text(iin_error, "ru")


def test_words_inside_arguments_are_worded_at_the_edge() -> None:
    [listed] = load_text("- a\n- b\n", "list.yaml").diagnostics
    assert listed.args == {"kind": Word("list")}
    assert "a list" in worded(listed, "en").message and "список" in worded(listed, "ru").message
    problem = make("yaml/syntax", problem=YamlProblem("mapping values are not allowed here"))
    assert worded(problem, "en").message.endswith("mapping values are not allowed here")
    assert "mapping values" not in worded(problem, "ru").message
