"""The Typst PDF writer: what the PDF says is what the tree says, with the fonts, metadata and
marks a registry and a reader need. None of these tests needs LibreOffice (poppler's pdftotext and
pdffonts read the PDFs)."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner

from coopdocs.checking.pipeline import check_file
from coopdocs.cli import main
from coopdocs.commands.build import Options, build_trees
from coopdocs.commands.explaining import KAZAKH_LETTERS
from coopdocs.compose import doctree
from coopdocs.errors import OutputError
from coopdocs.writers import typeset
from tests.support import BEREKE, DEFAULT_PACK, write_patched

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")

A4 = (595, 842)  # points
MARGIN = 50  # points: the running header and footer sit in the top and bottom 2 cm (57 pt)


@cache
def trees(layout: str = "separate") -> dict[str, doctree.Tree | doctree.Parallel]:
    coop = check_file(BEREKE).cooperative
    assert coop is not None
    return {t.stem: t for t in build_trees(coop, Options(layout=layout, langs=("ru", "kk")))}


@cache
def pdf_of(stem: str, layout: str = "separate") -> bytes:
    return typeset.write_pdf(trees(layout)[stem], pack=DEFAULT_PACK)


def pdftotext(data: bytes, tmp: Path, *args: str) -> str:
    path = tmp / "doc.pdf"
    path.write_bytes(data)
    done = subprocess.run(["pdftotext", *args, str(path), "-"], capture_output=True, text=True, timeout=60, check=True)
    return done.stdout


def body_text(data: bytes, tmp: Path, *, x: int = 0, width: int = A4[0], height: int = A4[1]) -> str:
    """The text of every page without the running header and footer (pdftotext crops in points)."""
    box = ["-layout", "-x", str(x), "-y", str(MARGIN), "-W", str(width), "-H", str(height - 2 * MARGIN)]
    return pdftotext(data, tmp, *box)


def squeeze(text: str) -> str:
    """Whitespace and hyphens aside: pdftotext joins a word hyphenated at a line end ("бизнес-" +
    "идентификационных") without its hyphen."""
    return "".join(text.split()).replace("-", "")


def assert_in_order(lines: list[str], text: str, stem: str) -> None:
    body = squeeze(text)
    at = 0
    for line in lines:
        found = body.find(squeeze(line), at)
        assert found >= 0, f"{stem}: the PDF lacks (in order) {line[:100]!r}"
        at = found + len(squeeze(line))


def assert_tree_text(tree: doctree.Tree, text: str) -> None:
    """The tree's text in order; a table's cells word by word (a cell of several lines shares its
    text lines with its neighbours, so the words of a row interleave in the extracted text)."""
    cells = {cell for s in tree.document.sections for c in s.clauses for row in c.table for cell in row}
    assert_in_order([line for line in doctree.text_lines(tree) if line not in cells], text, tree.stem)
    body = squeeze(text)
    for cell in cells:
        missing = [word for word in cell.split() if squeeze(word) not in body]
        assert not missing, f"{tree.stem}: the PDF lacks {missing} of the table cell {cell!r}"


@pytest.mark.parametrize("stem", ["charter.ru", "charter.kk", "commentary.kk", "application.ru", "compliance.ru"])
def test_pdf_text_is_the_tree_text_in_order(stem: str, tmp_path: Path) -> None:
    """Every approval line, title, heading, clause with its number, item, commentary, table cell and
    signature line of the tree is in the PDF's text, in the tree's order."""
    tree = trees()[stem]
    assert isinstance(tree, doctree.Tree)
    lines = doctree.text_lines(tree)
    assert any(re.match(r"\d+\.\d+\. ", line) for line in lines)
    assert_tree_text(tree, body_text(pdf_of(stem), tmp_path))


def test_parallel_pdf_has_each_language_in_its_column(tmp_path: Path) -> None:
    item = trees("parallel")["charter.kk-ru"]
    assert isinstance(item, doctree.Parallel)
    data = pdf_of("charter.kk-ru", "parallel")
    width, height = A4[1], A4[0]  # landscape
    left = body_text(data, tmp_path, width=width // 2, height=height)
    right = body_text(data, tmp_path, x=width // 2, width=width // 2, height=height)
    assert_in_order([p.left for p in item.pairs], left, "charter.kk (left column)")
    assert_in_order([p.right for p in item.pairs], right, "charter.ru (right column)")


def test_kazakh_letters_extract(tmp_path: Path) -> None:
    tree = trees()["charter.kk"]
    assert isinstance(tree, doctree.Tree)
    wanted = {ch for line in doctree.text_lines(tree) for ch in line if ch in KAZAKH_LETTERS}
    assert len(wanted) >= 12
    extracted = set(pdftotext(pdf_of("charter.kk"), tmp_path))
    assert wanted <= extracted, f"not extracted: {''.join(sorted(wanted - extracted))}"


def test_fonts_are_liberation_serif_embedded_subsets(tmp_path: Path) -> None:
    path = tmp_path / "c.pdf"
    path.write_bytes(pdf_of("commentary.kk"))
    listing = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in listing.splitlines()[2:] if line.strip()]
    assert len(rows) >= 3  # regular, bold, italic (the commentary's basis line)
    for row in rows:
        assert re.fullmatch(r"[A-Z]{6}\+LiberationSerif(-\w+)?", row[0]), row
        assert row[-5:-2] == ["yes", "yes", "yes"], row  # embedded, subset, ToUnicode


def test_two_builds_give_the_same_bytes() -> None:
    first = pdf_of("disputes.kk")
    typeset.reset_compilers()  # a fresh compiler, as in another process
    assert typeset.write_pdf(trees()["disputes.kk"], pack=DEFAULT_PACK) == first


def test_metadata_bookmarks_tags_and_pdfa() -> None:
    plain = pdf_of("disputes.ru")
    archival = typeset.write_pdf(trees()["disputes.ru"], pdfa=True, pack=DEFAULT_PACK)
    for data in (plain, archival):
        assert b"/Lang(ru-RU)" in data
        assert b"/Outlines" in data and b"/StructTreeRoot" in data  # bookmarks from the headings; tagged
        assert b"/CreationDate(D:20000101000000Z)" in data
    assert b"<pdfaid:part>2</pdfaid:part>" in archival and b"<pdfaid:conformance>B</pdfaid:conformance>" in archival
    assert b"pdfaid:part" not in plain


def test_title_and_author_metadata(tmp_path: Path) -> None:
    path = tmp_path / "d.pdf"
    path.write_bytes(pdf_of("disputes.kk"))
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    tree = trees()["disputes.kk"]
    assert f"Title:           {tree.title}" in info
    assert f"Author:          {tree.author}" in info
    assert "Tagged:          yes" in info


def test_footer_says_page_n_of_m(tmp_path: Path) -> None:
    text = pdftotext(pdf_of("charter.kk"), tmp_path)
    pages = int(re.findall(r"(\d+)-бет, барлығы (\d+) бет", text)[-1][1])
    assert [int(n) for n, _ in re.findall(r"(\d+)-бет, барлығы (\d+) бет", text)] == list(range(1, pages + 1))
    ru = pdftotext(pdf_of("charter.ru"), tmp_path)
    assert "Страница 1 из" in ru


def test_draft_mark_on_every_page(tmp_path: Path) -> None:
    tree = trees()["minutes.ru"]
    assert isinstance(tree, doctree.Tree)
    marked = dataclasses.replace(tree, draft="ПРОЕКТ — ошибок: 2, признаков пирамиды: 1. Не для подписания")
    text = pdftotext(typeset.write_pdf(marked, pack=DEFAULT_PACK), tmp_path)
    pages = text.count("\f")
    assert pages >= 1 and squeeze(text).count(squeeze(marked.draft or "")) == pages
    assert "ПРОЕКТ" not in pdftotext(pdf_of("minutes.ru"), tmp_path)


def test_text_is_placed_as_text_never_as_markup(tmp_path: Path) -> None:
    tree = trees()["minutes.ru"]
    assert isinstance(tree, doctree.Tree)
    hostile = '#set page(fill: red) *bold* _x_ $x^2$ ] ) } // "A&B" <test> \\ @ref #("x")'
    clause = dataclasses.replace(tree.document.sections[0].clauses[0], text=hostile)
    section = dataclasses.replace(tree.document.sections[0], clauses=(clause,))
    doc = dataclasses.replace(tree.document, sections=(section,))
    text = pdftotext(typeset.write_pdf(dataclasses.replace(tree, document=doc), pack=DEFAULT_PACK), tmp_path)
    assert squeeze(hostile) in squeeze(text)


def test_a_character_the_font_lacks_is_an_error_that_says_where() -> None:
    tree = trees()["charter.ru"]
    assert isinstance(tree, doctree.Tree)
    section = tree.document.sections[1]
    clause = dataclasses.replace(section.clauses[2], items=(*section.clauses[2].items, "цель 漢"))
    doc = dataclasses.replace(
        tree.document,
        sections=(
            tree.document.sections[0],
            dataclasses.replace(section, clauses=(*section.clauses[:2], clause, *section.clauses[3:])),
            *tree.document.sections[2:],
        ),
    )
    with pytest.raises(OutputError) as caught:
        typeset.write_pdf(dataclasses.replace(tree, document=doc), pack=DEFAULT_PACK)
    message = caught.value.message
    assert "U+6F22" in message and "CJK UNIFIED IDEOGRAPH-6F22" in message
    assert f"charter.ru, section 2, clause 2.3, item {len(clause.items)}" in message


def test_build_refuses_a_missing_glyph_with_exit_3_and_writes_nothing(tmp_path: Path) -> None:
    source = write_patched(tmp_path, {"cooperative.name.ru": "Береке ✓"})
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["build", str(source), "--out", str(out), "--format", "pdf", "--docs", "disputes"]
    )
    assert result.exit_code == 3, result.output
    assert "U+2713" in result.stderr and "CHECK MARK" in result.stderr
    assert not out.exists() or not any(out.rglob("*.pdf"))


def test_build_writes_typst_pdfs_without_libreoffice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from coopdocs.writers import pdf

    monkeypatch.setattr(pdf, "find_soffice", lambda: None)  # as on a machine without LibreOffice
    out = tmp_path / "out"
    args = ["build", str(BEREKE), "--out", str(out), "--format", "docx,pdf", "--docs", "minutes", "--lang", "kk"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.stderr
    names = sorted(p.name for p in (out / "bereke").iterdir())
    assert names == ["coopdocs-manifest.json", "minutes.kk.docx", "minutes.kk.pdf"]
    assert (out / "bereke" / "minutes.kk.pdf").read_bytes() == pdf_of("minutes.kk")
    assert '"pdf_engine": "typst"' in (out / "bereke" / "coopdocs-manifest.json").read_text(encoding="utf-8")


def test_doctor_reports_both_engines_and_needs_no_libreoffice(monkeypatch: pytest.MonkeyPatch) -> None:
    from coopdocs.writers import pdf

    monkeypatch.setattr(pdf, "find_soffice", lambda: None)
    result = CliRunner().invoke(main, ["doctor"])
    assert result.exit_code == 0, result.output
    assert f"PDF engine Typst (default, in-process): typst {typeset.version()}" in result.stdout
    assert "Liberation Serif (shipped in" in result.stdout and "with all Kazakh letters: yes" in result.stdout
    assert "PDF engine LibreOffice (optional, --pdf-engine libreoffice: the DOCX as it is): missing" in result.stdout


def test_parallel_draft_mark_in_both_languages(tmp_path: Path) -> None:
    item = trees("parallel")["minutes.kk-ru"]
    assert isinstance(item, doctree.Parallel)
    kk, ru = "ЖОБА — қол қоюға арналмаған", "ПРОЕКТ — не для подписания"
    marked = dataclasses.replace(
        item, left=dataclasses.replace(item.left, draft=kk), right=dataclasses.replace(item.right, draft=ru)
    )
    raw = pdftotext(typeset.write_pdf(marked, pack=DEFAULT_PACK), tmp_path)
    pages, text = raw.count("\f"), squeeze(raw)
    assert pages >= 2 and text.count(squeeze(kk)) == pages and text.count(squeeze(ru)) == pages


@pytest.mark.slow
def test_every_document_of_every_example_typesets(tmp_path: Path) -> None:
    """Every document of every example, in every language and in the parallel layout: every
    character is in the font, and the PDF holds the tree's text."""
    from tests.support import EXAMPLES

    for example in sorted(EXAMPLES.glob("*.yaml")):
        coop = check_file(example).cooperative
        assert coop is not None, example
        for layout in ("separate", "parallel"):
            for item in build_trees(coop, Options(layout=layout)):
                data = typeset.write_pdf(item, pack=DEFAULT_PACK)
                if isinstance(item, doctree.Tree):
                    assert_tree_text(item, body_text(data, tmp_path))


def test_a_users_docx_layout_makes_the_pdf_the_docx_converted(tmp_path: Path) -> None:
    """Typst does not read DOCX layouts: with a user's layout the PDF engine is LibreOffice, unless
    --pdf-engine says otherwise; a user's clause texts alone keep Typst."""
    from coopdocs.commands import build
    from coopdocs.commands.overrides import with_templates
    from tests.support import DEFAULT_PACK

    coop = check_file(BEREKE).cooperative
    assert coop is not None
    clauses_only = tmp_path / "clauses"
    (clauses_only / "layouts").mkdir(parents=True)
    (clauses_only / "layouts" / "words.yaml").write_text("{}\n", encoding="utf-8")
    layout = tmp_path / "layout"
    (layout / "layouts").mkdir(parents=True)
    shutil.copy(DEFAULT_PACK.find_template("layouts/parallel.docx"), layout / "layouts" / "parallel.docx")
    assert build.pdf_engine(coop, Options()) == "typst"
    assert build.pdf_engine(with_templates(coop, (clauses_only,)), Options()) == "typst"
    assert build.pdf_engine(with_templates(coop, (layout,)), Options()) == "libreoffice"
    assert build.pdf_engine(with_templates(coop, (layout,)), Options(pdf_engine="typst")) == "typst"


def test_build_pdf_a_with_typst(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["build", str(BEREKE), "--out", str(out), "--format", "pdf", "--pdf-a", "--docs", "disputes", "--lang", "ru"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.stderr
    data = (out / "bereke" / "disputes.ru.pdf").read_bytes()
    assert b"<pdfaid:part>2</pdfaid:part>" in data and b"<pdfaid:conformance>B</pdfaid:conformance>" in data


def _page_of(pages: list[str], text: str, start: int = 0) -> int:
    """The first page, from ``start``, whose text holds ``text`` (whitespace and hyphens aside)."""
    wanted = squeeze(text)
    return next(i for i in range(start, len(pages)) if wanted in pages[i])


@pytest.mark.parametrize("stem", ["charter.ru", "charter.kk", "compliance.kk", "minutes.ru"])
def test_nothing_is_left_alone_at_a_page_end(stem: str, tmp_path: Path) -> None:
    """A heading is on the page where its first clause begins, a list's lead-in ends on the page
    where its first item begins, and the signature block is on the page of the last clause's end."""
    tree = trees()[stem]
    assert isinstance(tree, doctree.Tree)
    pages = [squeeze(page) for page in body_text(pdf_of(stem), tmp_path).split("\f")]
    at = 0
    for section in tree.document.sections:
        heading = _page_of(pages, f"{section.number}. {section.title}", at)
        first = section.clauses[0]
        assert _page_of(pages, f"{first.number}. {first.text}"[:40], heading) == heading, section.title
        for clause in section.clauses:
            if clause.items:
                lead_end = _page_of(pages, clause.text[-30:], at)
                assert _page_of(pages, f"1) {clause.items[0]}"[:30], lead_end) == lead_end, clause.number
        at = heading
    if tree.signatures:
        last = tree.document.sections[-1].clauses[-1]
        end = _page_of(pages, f"{last.number}. {last.text}"[-30:], at)
        assert _page_of(pages, tree.signatures[-1], end) == end


def advance(text: str) -> float:
    """The width of a text in em of the regular face (no kerning: blanks and their punctuation)."""
    from fontTools.ttLib import TTFont

    font = TTFont(str(typeset.FONT_DIR / typeset.FONT_FILES[0]), lazy=True)
    widths, cmap = font["hmtx"].metrics, font.getBestCmap()
    return sum(widths[cmap[ord(ch)]][0] for ch in text) / font["head"].unitsPerEm


def rows_of_words(data: bytes, tmp: Path) -> list[tuple[int, list[tuple[float, float, str]]]]:
    """Every printed row (words on one baseline) of every page: (page, [(x min, x max, word)...])."""
    from xml.etree import ElementTree

    xhtml = re.sub(r"<!DOCTYPE[^>]*>|\sxmlns=\"[^\"]*\"", "", pdftotext(data, tmp, "-bbox"))
    rows = []
    for number, page in enumerate(ElementTree.fromstring(xhtml).iter("page"), start=1):
        baselines: dict[int, list[tuple[float, float, str]]] = {}
        for word in page.iter("word"):
            baselines.setdefault(round(float(word.get("yMax", 0))), []).append(
                (float(word.get("xMin", 0)), float(word.get("xMax", 0)), word.text or "")
            )
        rows += [(number, sorted(words)) for words in baselines.values()]
    return rows


@pytest.mark.parametrize("stem", ["application.ru", "application.kk", "compliance.ru", "compliance.kk"])
def test_form_blanks_and_long_words_are_not_stretched(stem: str, tmp_path: Path) -> None:
    """A form's blank lines (runs of "_") keep their width and the words around them their natural
    spacing, and a word that cannot break (a SHA-256) does not push a justified line's words apart:
    in such a row every space is the font's (0.25 em of 12 pt = 3 pt; justified prose has up to ~15)."""
    checked = 0
    for page, words in rows_of_words(pdf_of(stem), tmp_path):
        if not any("___" in w or len(w) >= 40 for _, _, w in words):
            continue
        gaps = [b[0] - a[1] for a, b in zip(words, words[1:], strict=False)]
        assert max(gaps, default=0) < 3.5, f"{stem} p. {page}: stretched row {' '.join(w for _, _, w in words)!r}"
        # a blank is as wide as its characters in the font: at 12 pt (the body) or 11 pt (approval block)
        for x0, x1, word in words:
            if "___" in word:
                natural = [advance(word) * size for size in (12, 11)]
                assert min(abs(x1 - x0 - n) for n in natural) < 0.05, f"{stem} p. {page}: {word!r} stretched"
        checked += 1
    assert checked >= (20 if stem.startswith("application") else 1)


@pytest.mark.parametrize(("stem", "layout"), [("compliance.ru", "separate"), ("charter.kk-ru", "parallel")])
def test_no_word_leaves_the_text_area(stem: str, layout: str, tmp_path: Path) -> None:
    """Tables and the two columns stay inside the margins (2.5/1.5 cm, landscape 2 cm); only
    punctuation may hang a little into the right margin (Typst's overhang)."""
    from xml.etree import ElementTree

    xhtml = re.sub(r"<!DOCTYPE[^>]*>|\sxmlns=\"[^\"]*\"", "", pdftotext(pdf_of(stem, layout), tmp_path, "-bbox"))
    words = 0
    for number, page in enumerate(ElementTree.fromstring(xhtml).iter("page"), start=1):
        landscape = float(page.get("width", 0)) > float(page.get("height", 0))
        left, right = (56.7, 842 - 56.7) if landscape else (70.9, A4[0] - 42.5)
        for word in page.iter("word"):
            text, x0, x1 = word.text or "", float(word.get("xMin", 0)), float(word.get("xMax", 0))
            hang = 3 if re.search(r"[.,;:»)\-–—]$", text) else 0.5
            assert left - 0.5 <= x0 and x1 <= right + hang, f"{stem} p. {number}: {text!r} at {x0:.1f}-{x1:.1f} pt"
            words += 1
    assert words > 1000


def test_font_coverage_from_the_cache_is_what_the_fonts_say(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The glyph check's code points come from the fonts' character maps, or from the user cache
    (keyed by the font files' bytes) in a later process: the same set either way."""
    from fontTools.ttLib import TTFont

    from coopdocs.compose import templatecache

    monkeypatch.setenv("COOPDOCS_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("COOPDOCS_NO_CACHE", raising=False)
    monkeypatch.setattr(templatecache, "_DATA", templatecache._DataStore())
    faces = [set(TTFont(str(typeset.FONT_DIR / name)).getBestCmap()) for name in typeset.FONT_FILES]
    expected = frozenset(set.intersection(*faces))
    try:
        typeset.covered.cache_clear()
        assert typeset.covered() == expected
        templatecache.save()
        monkeypatch.setattr(templatecache, "_DATA", templatecache._DataStore())  # the next process
        typeset.covered.cache_clear()
        fonts = b"".join((typeset.FONT_DIR / name).read_bytes() for name in typeset.FONT_FILES)
        assert templatecache.parsed(fonts, "font-coverage")[0]
        assert typeset.covered() == expected
    finally:
        typeset.covered.cache_clear()


def test_the_signature_block_is_never_alone_on_a_page(tmp_path: Path) -> None:
    """The last item of the last clause goes with the signature block: housing-savings' English
    minutes end in a list, and the block used to stand alone on the last page."""
    from tests.support import EXAMPLES

    coop = check_file(EXAMPLES / "housing-savings.yaml").cooperative
    assert coop is not None
    (tree,) = build_trees(coop, Options(docs=("minutes",), langs=("en",)))
    assert isinstance(tree, doctree.Tree) and tree.signatures
    last = tree.document.sections[-1].clauses[-1]
    assert last.items, "the test needs a last clause that ends in a list"
    pages = [squeeze(page) for page in body_text(typeset.write_pdf(tree, pack=DEFAULT_PACK), tmp_path).split("\f")]
    end = _page_of(pages, f"{len(last.items)}) {last.items[-1]}")
    assert all(squeeze(line) in pages[end] for line in tree.signatures), f"signatures not on p. {end + 1}"


@pytest.mark.parametrize(
    ("cell", "figure"),
    [
        ("12", True),
        ("1 000 000", True),
        ("1\u00a0000,50", True),
        ("\u22123,5", True),
        ("25%", True),
        ("12.5 %", True),
        ("ст. 12", False),
        ("12 месяцев", False),
        ("1)", False),
        ("12\n", False),
        ("", False),
    ],
)
def test_a_table_cell_is_set_flush_right_when_it_holds_a_figure(cell: str, figure: bool) -> None:
    assert typeset.figure_cell(cell) is figure


def test_the_layout_is_told_which_paragraphs_are_ragged_and_which_cells_are_figures() -> None:
    """The layout runs no regex per paragraph or cell (that cost ~10 % of the time): the data says it."""
    data = typeset.layout_data(trees()["compliance.ru"])
    clauses = [c for s in data["doc"]["sections"] for c in s["clauses"]]
    assert all(c["ragged"] == doctree.ragged(c["text"]) for c in clauses)
    assert all(c["items-ragged"] == [doctree.ragged(i) for i in c["items"]] for c in clauses)
    tables = [c for c in clauses if c["table"]]
    assert tables, "the compliance report has tables"
    for c in tables:
        assert c["table-right"] == [[typeset.figure_cell(cell) for cell in row] for row in c["table"][1:]]
    layout = (Path(typeset.__file__).parents[2] / "templates" / "layouts" / "document.typ").read_text(encoding="utf-8")
    assert "regex(" not in layout


def test_the_quick_glyph_check_refuses_exactly_what_the_font_lacks() -> None:
    """check_glyphs first searches every text with one regex made of the fonts' code point ranges; it
    must refuse exactly the characters ``_drawn()`` lacks (every code point of the Basic Multilingual
    Plane and a few beyond)."""
    drawn, undrawn = typeset._drawn(), typeset._undrawn()
    for point in [*range(0xD800), *range(0xE000, 0x10000), 0x1F600, 0x10FFFF]:
        char = chr(point)
        assert (undrawn.search(char) is None) == (char in drawn), f"U+{point:04X}"
