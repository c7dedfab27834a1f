"""Limits on input (docs/guarantees.md, "Limits on input"): what `validate` accepts, `build` renders
in full; what it cannot render is a located error in `validate`, never a crash or a cut document."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from coopdocs.checking.pipeline import check_file
from coopdocs.cli import main
from coopdocs.commands.build import Options, build_outputs
from coopdocs.compose.clauses import Clause, Document, Section
from coopdocs.compose.messages import worded
from coopdocs.errors import OutputError
from coopdocs.inputs.loader import (
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_LIST_ITEMS,
    MAX_TEXT_CHARS,
    MAX_TOTAL_CHARS,
    load_file,
    load_text,
)
from coopdocs.writers import render
from tests.support import BEREKE, DEFAULT_PACK, EXAMPLES, read_example, set_path, write_patched

NAME_LINE = "    ru: Береке\n"  # line 29 of bereke.yaml: cooperative.name.ru, its value at column 9


def bereke_with_name(tmp_path: Path, written: str) -> Path:
    """bereke.yaml with cooperative.name.ru written as ``written`` (YAML source text)."""
    text = BEREKE.read_text(encoding="utf-8")
    assert text.splitlines(keepends=True)[28] == NAME_LINE
    path = tmp_path / "coop.yaml"
    path.write_text(text.replace(NAME_LINE, f"    ru: {written}\n", 1), encoding="utf-8")
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


# --- characters a DOCX cannot hold, bidirectional controls --------------------------------------


@pytest.mark.parametrize("escape", ["\\x01", "\\x00", "\\x0b", "\\x0c", "\\x1f", "\\uFFFE", "\\uFFFF", "\\ud800"])
def test_a_character_xml_forbids_is_a_located_error(tmp_path: Path, escape: str) -> None:
    path = bereke_with_name(tmp_path, f'"Бер{escape}еке"')
    checked = check_file(path)
    [diag] = [d for d in checked.diagnostics if d.rule == "text/control"]
    assert (diag.severity, diag.line, diag.column, diag.path) == ("error", 29, 9, "cooperative.name.ru")
    code = escape[2:].upper() if escape.startswith("\\u") else escape[2:].rjust(4, "0").upper()
    assert worded(diag, "en").message == (
        f"the text contains 1 control character(s) that a DOCX document cannot hold; "
        f"the first is U+{code}, character 4 of the text"
    )
    hint = worded(diag, "en").hint
    assert hint is not None and "delete them" in hint
    assert checked.cooperative is None  # not even a --draft is built from it
    exit_code, _, err = run("build", str(path), "--out", str(tmp_path / "out"), "--draft")
    assert exit_code == 1, err
    assert not (tmp_path / "out").exists()


def test_the_control_character_error_speaks_the_users_language(tmp_path: Path) -> None:
    path = bereke_with_name(tmp_path, '"Бер\\x01ек\\x02е"')
    [diag] = [d for d in check_file(path).diagnostics if d.rule == "text/control"]
    assert worded(diag, "ru").message == (
        "текст содержит управляющие символы, которые не может содержать документ DOCX (2); "
        "первый из них — U+0001, 4-й символ текста"
    )
    assert worded(diag, "kk").message.startswith("мәтінде DOCX құжаты сақтай алмайтын басқару таңбалары бар (2)")


def test_a_right_to_left_override_is_a_warning_and_builds(tmp_path: Path) -> None:
    path = bereke_with_name(tmp_path, '"Бер\\u202Eеке"')
    checked = check_file(path)
    [diag] = [d for d in checked.diagnostics if d.rule == "text/bidi"]
    assert (diag.severity, diag.line, diag.column, diag.path) == ("warning", 29, 9, "cooperative.name.ru")
    assert worded(diag, "en").message == (
        "the text contains 1 bidirectional control character(s); the first is U+202E (right-to-left override), "
        "character 4 of the text: the text after it is displayed in another order than it is written in the file"
    )
    assert not checked.blocking
    exit_code, _, err = run("validate", str(path), "--strict")
    assert exit_code == 1 and "error[text/bidi]" in _ + err


@pytest.mark.parametrize("char", ["\u200e", "\u200f", "\u061c"])
def test_direction_marks_are_not_reported(tmp_path: Path, char: str) -> None:
    path = bereke_with_name(tmp_path, f"Бер{char}еке")
    assert not [d for d in check_file(path).diagnostics if d.rule.startswith("text/")]


# --- the name, and the length of texts ----------------------------------------------------------


def test_a_name_of_165_characters_is_an_error(tmp_path: Path) -> None:
    path = bereke_with_name(tmp_path, "Б" * 165)
    [diag] = [d for d in check_file(path).diagnostics if d.blocking]
    assert (diag.rule, diag.line, diag.column, diag.path) == ("text/name-too-long", 29, 9, "cooperative.name.ru")
    assert worded(diag, "en").message == "the name has 165 characters; the limit is 150"
    exit_code, _, err = run("build", str(path), "--out", str(tmp_path / "out"))
    assert exit_code == 1, err


def test_a_plain_name_over_the_limit_is_located_at_the_name(tmp_path: Path) -> None:
    path = write_patched(
        tmp_path, {"languages": ["ru"], "cooperative.name": "Б" * 151, "cooperative.short_name": None}
    )
    diags = [d for d in check_file(path).diagnostics if d.rule == "text/name-too-long"]
    assert [(d.path, worded(d, "en").message) for d in diags] == [
        ("cooperative.name", "the name has 151 characters; the limit is 150")
    ]


@pytest.mark.parametrize("layout", ["separate", "parallel"])
def test_names_at_the_limit_build_every_document_in_every_language(tmp_path: Path, layout: str) -> None:
    names = {"ru": "Щ" * 150, "kk": "Ққ" * 75, "en": "W" * 150}
    path = write_patched(
        tmp_path,
        {"cooperative.name": names, "cooperative.short_name": names},
        base=EXAMPLES / "housing-savings.yaml",
    )
    checked = check_file(path)
    assert checked.cooperative is not None and not checked.blocking, checked.diagnostics
    outputs = build_outputs(checked.cooperative, Options(layout=layout))
    assert len(outputs) >= 7 * 3 - 6


def test_one_text_is_at_most_the_limit(tmp_path: Path) -> None:
    assert MAX_TEXT_CHARS == 10_000
    ok = write_patched(tmp_path, {"cooperative.location.address.ru": "д" * MAX_TEXT_CHARS}, name="ok.yaml")
    assert not [d for d in check_file(ok).diagnostics if d.rule.startswith("text/")]
    long = write_patched(tmp_path, {"cooperative.location.address.ru": "д" * (MAX_TEXT_CHARS + 1)})
    [diag] = [d for d in check_file(long).diagnostics if d.blocking]
    assert (diag.rule, diag.path) == ("text/too-long", "cooperative.location.address.ru")
    assert worded(diag, "en").message == "the text has 10001 characters; the limit for one text is 10 000"


def test_a_text_of_ten_million_characters_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = bereke_with_name(tmp_path, "A" * 10_000_000)
    [diag] = check_file(path).diagnostics
    assert diag.rule == "input/too-large"
    size = f"{path.stat().st_size:,}".replace(",", " ")
    assert worded(diag, "en").message == f"the file has {size} bytes; the limit is 1024 KiB"
    exit_code, _, err = run("build", str(path), "--out", str(tmp_path / "out"))
    assert exit_code == 1, err
    assert "error[input/too-large]" in err


def test_aliases_cannot_multiply_text_past_the_total_limit() -> None:
    long = "x" * 9_000
    text = f"a: &a {long}\nb: [{', '.join(['*a'] * 200)}]\n"
    assert len(text) < MAX_FILE_BYTES
    loaded = load_text(text)
    assert loaded.data is None
    [diag] = loaded.diagnostics
    assert diag.rule == "text/too-much"
    limit = f"{MAX_TOTAL_CHARS:,}".replace(",", " ")
    assert worded(diag, "en").message == f"the texts of the file add up to more than {limit} characters"


# --- size, depth, values, list length, kinds of file --------------------------------------------


def test_a_list_of_900000_items_is_refused_at_item_1001_without_building_it() -> None:
    text = "a: [" + ",".join(["1"] * 900_000) + "]\n"
    tracemalloc.start()
    try:
        loaded = load_text(text)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert loaded.data is None
    [diag] = loaded.diagnostics
    assert diag.rule == "yaml/list-too-long"
    assert (diag.line, diag.column) == (1, 5 + 2 * MAX_LIST_ITEMS)  # the 1001st item
    assert worded(diag, "en").message == "the list has more than 1000 items"
    # Composing all 900 000 items took gigabytes; stopping at item 1001 takes a few megabytes.
    assert peak < 50 * 2**20


def test_a_list_at_the_limit_loads() -> None:
    loaded = load_text("a: [" + ",".join(["1"] * MAX_LIST_ITEMS) + "]\n")
    assert loaded.diagnostics == [] and loaded.data == {"a": [1] * MAX_LIST_ITEMS}


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 600, 5000])
def test_deep_nesting_is_a_located_error(depth: int) -> None:
    loaded = load_text("a: " + "[" * depth + "]" * depth + "\n")
    [diag] = loaded.diagnostics
    assert diag.rule == "yaml/too-deep"
    assert (diag.line, diag.column) == (1, 4 + MAX_DEPTH - 1)
    assert worded(diag, "en").message == "values are nested more than 50 levels deep"


def test_nesting_at_the_limit_loads() -> None:
    loaded = load_text("a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n")
    assert loaded.diagnostics == []


def test_a_self_referencing_alias_is_refused_not_a_recursion_error() -> None:
    loaded = load_text("a: &a [x, *a]\n")
    assert loaded.data is None
    assert [d.rule for d in loaded.diagnostics] == ["yaml/too-deep"]


def test_multi_file_json_validate_reports_every_file(tmp_path: Path) -> None:
    deep = tmp_path / "deep.yaml"
    deep.write_text("a: " + "[" * 600 + "]" * 600 + "\n", encoding="utf-8")
    exit_code, out, err = run("validate", "--format", "json", str(deep), str(BEREKE))
    assert exit_code == 1, err
    payloads = json.loads(out)["files"]
    assert [p["file"] for p in payloads] == [str(deep), str(BEREKE)]
    assert [d["rule"] for d in payloads[0]["diagnostics"]] == ["yaml/too-deep"]
    assert payloads[1]["summary"]["errors"] == 0


def test_a_file_over_1_mib_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"# " + b"x" * MAX_FILE_BYTES + b"\n")
    [diag] = load_file(path).diagnostics
    assert diag.rule == "input/too-large" and diag.line is None


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this system")
def test_a_pipe_with_no_writer_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "coop.yaml"
    os.mkfifo(fifo)
    # The timeout only guards the test run: before the fix, `validate` blocked here for ever.
    done = subprocess.run(
        [sys.executable, "-m", "coopdocs", "validate", str(fifo)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1, done.stderr
    assert f"{fifo}: error[input/not-a-file]: this is a pipe (FIFO), not a regular file" in done.stdout


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_a_device_is_refused() -> None:
    [diag] = load_file("/dev/zero").diagnostics
    assert diag.rule == "input/not-a-file"
    assert worded(diag, "en").message.startswith("this is a device, not a regular file")
    assert worded(diag, "ru").message.startswith("это устройство, а не обычный файл")


def test_a_directory_is_refused(tmp_path: Path) -> None:
    [diag] = load_file(tmp_path).diagnostics
    assert diag.rule == "input/not-a-file"
    assert worded(diag, "en").message.startswith("this is a directory, not a regular file")


# --- build: a document is complete, or it is an error ---------------------------------------------


def _document(text: str) -> Document:
    clause = Clause("c", "1.1", text, ("first item", "second item"), None)
    after = Clause("d", "1.2", "The clause after it.", (), None)
    section = Section("s", "1", "General", (clause, after))
    return Document("charter", "en", "CHARTER", "of a cooperative", (), (section,))


def _page() -> render.Page:
    return render.Page(header="header", author="author", draft=None, pack=DEFAULT_PACK)


def test_a_rendered_document_is_read_back_whole() -> None:
    data = render.render_docx(_document("A & B < C {_{ kept }_} as written"), _page())
    lines = render.docx_text(data)
    assert "1.1. A & B < C {_{ kept }_} as written" in lines
    assert lines.index("1.2. The clause after it.") > lines.index("2) second item")


def test_a_text_too_long_for_the_xml_parser_is_an_error_not_a_cut_document() -> None:
    # docxtpl's recover=True parse silently dropped everything after a text node over 10 MB.
    with pytest.raises(OutputError, match="not well-formed XML"):
        render.render_docx(_document("A" * 11_000_000), _page())


def test_a_control_character_reaching_the_renderer_is_an_output_error() -> None:
    with pytest.raises(OutputError):
        render.render_docx(_document("bad \x01 text"), _page())


def test_a_document_missing_a_clause_is_an_output_error() -> None:
    data = render.render_docx(_document("first"), _page())
    other = _document("a clause the document does not hold")
    with pytest.raises(OutputError, match="incomplete: it lacks 'aclausethedocumentdoesnothold'"):
        render.check_complete(data, [other], "charter.en")


def test_a_title_over_the_docx_limit_is_an_output_error() -> None:
    long = Document("charter", "en", "T" * 300, "", (), ())
    with pytest.raises(OutputError, match="more than the 255 a DOCX holds"):
        render.render_docx(long, _page())


# --- the invariant: whatever `validate` accepts, `build` renders ----------------------------------

TEXT_FIELDS = (
    "cooperative.name.ru",
    "cooperative.name.kk",
    "cooperative.short_name.kk",
    "cooperative.location.address.ru",
    "cooperative.location.locality.kk",
    "cooperative.purpose[0].ru",
    "founding.place.kk",
    "founding.founders[0].name.ru",
    "founding.founders[1].address.kk",
)
# Characters that once broke a build or could: XML-forbidden controls, bidi controls, markup and
# template syntax, whitespace that docxtpl turns into markup, YAML's own special characters.
TRICKY = [
    *"\x00\x01\x07\x08\x0b\x0c\x1b\x1f\x7f\x85\u202a\u202e\u2066\u2069\u200e\ufeff\ufffe\uffff",
    *"\t\n\r \xa0\u2028\u3000&<>'\"\\#:-[]{}%_|*!`",
    "{{",
    "{_{",
    "}_}",
    "{%",
    "]]>",
    "&amp;",
    "Ә",
    "Қ",
    "ё",
]
TEXTS = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=60),
    st.lists(st.sampled_from(TRICKY), max_size=30).map("".join),
    st.builds(
        lambda char, count, tail: char * count + tail,
        st.sampled_from(["A", "ә", " ", "\xa0", "\n"]),
        st.sampled_from([140, 149, 150, 151, 165, 9_990, 10_000, 10_001]),
        st.lists(st.sampled_from(TRICKY), max_size=5).map("".join),
    ),
)
BASE = read_example()


def validate_then_build(field: str, text: str) -> None:
    data: dict[str, Any] = json.loads(json.dumps(BASE, default=str))
    set_path(data, field, text)
    yaml = YAML(typ="safe", pure=True)
    yaml.allow_unicode = True
    with tempfile.TemporaryDirectory(prefix="coopdocs-limits-") as folder:
        path = Path(folder) / "coop.yaml"
        with path.open("w", encoding="utf-8") as handle:
            yaml.dump(data, handle)
        checked = check_file(path)
    if checked.cooperative is None or checked.blocking:
        assert any(d.line is not None for d in checked.diagnostics if d.blocking), checked.diagnostics
        return
    # Accepted: every document that carries these fields renders, complete (check_complete runs
    # inside render); an OutputError here is a broken promise just like a crash.
    outputs = build_outputs(checked.cooperative, Options(docs=("charter", "minutes", "application")))
    assert {o.name for o in outputs} >= {"charter.ru.docx", "minutes.kk.docx", "application.ru.docx"}


PROPERTY = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@settings(max_examples=30, **PROPERTY)  # type: ignore[arg-type]
@given(field=st.sampled_from(TEXT_FIELDS), text=TEXTS)
def test_what_validate_accepts_build_renders(field: str, text: str) -> None:
    validate_then_build(field, text)


@pytest.mark.slow
@settings(max_examples=2_000, **PROPERTY)  # type: ignore[arg-type]
@given(field=st.sampled_from(TEXT_FIELDS), text=TEXTS)
def test_what_validate_accepts_build_renders_2000_examples(field: str, text: str) -> None:
    validate_then_build(field, text)


# --- template overrides: the same promise -------------------------------------------------------

OVERRIDES = "charter/kz/consumer_cooperative/charter/overrides.yaml"


def _override(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "firm"
    (folder / OVERRIDES).parent.mkdir(parents=True)
    (folder / OVERRIDES).write_text(f'clauses:\n  general.legal_entity:\n    text:\n      ru: "{text}"\n', "utf-8")
    return folder


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("{{ 'A' * 300000000 }}", "LimitError: a repeated text or list would hold 300,000,000 characters or items"),
        ("{{ 7 ** 100000000 }}", "LimitError: 7 ** 100000000 is too large a number for a template"),
        (
            "{% for i in range(10000) %}{{ 'A' * 1000 }}{% endfor %}",
            "LimitError: the rendered text is longer than 2,000,000 characters (the limit per text)",
        ),
    ],
)
def test_an_override_cannot_make_a_huge_text(tmp_path: Path, text: str, problem: str) -> None:
    # Before: 'A' * 300000000 gave exit 0 and a charter silently cut after 34 of 317 paragraphs.
    firm = _override(tmp_path, text)
    out = tmp_path / "out"
    code, _, err = run("build", str(BEREKE), "--out", str(out), "--docs", "charter", "--templates", str(firm))
    assert code == 1, err
    assert f"{firm / OVERRIDES} clause general.legal_entity [ru]: {problem}" in err
    assert not out.exists()


def test_templates_check_reports_a_character_a_docx_cannot_hold(tmp_path: Path) -> None:
    firm = _override(tmp_path, "bad \\x01 text")
    code, out, err = run("templates", "check", str(firm))
    assert code == 1, out + err
    assert f"{firm / OVERRIDES}:4:11: error: the text contains 1 control character(s)" in out + err
