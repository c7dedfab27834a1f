"""The DOCX stage: escaping, layouts, numbering parity, determinism."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from docx import Document as open_docx
from docx.shared import Emu
from lxml import etree

from coopdocs.checking.pipeline import check_file
from coopdocs.commands.build import TEXT_DOCS, Options, build_outputs
from coopdocs.compose import clauses
from coopdocs.compose.templating import make_env
from coopdocs.writers import layouts, render
from tests.support import BEREKE, DEFAULT_PACK, EXAMPLES, write_patched

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
HOSTILE = "{{ 7*7 }} & <Ко> \"Ай\" «Ә» 'q'"


def cooperative(path: Path = BEREKE):  # noqa: ANN201
    checked = check_file(path)
    assert checked.cooperative is not None, checked.diagnostics
    return checked.cooperative


@pytest.mark.parametrize("name", layouts.LAYOUTS)
def test_layouts_are_reproducible(name: str) -> None:
    """The committed layouts are exactly what coopdocs/writers/layouts.py generates."""
    assert layouts.BUILDERS[name]() == layouts.layout_path(name).read_bytes()


@pytest.mark.parametrize("name", layouts.LAYOUTS)
def test_no_template_tag_is_split_by_xml(name: str) -> None:
    with zipfile.ZipFile(layouts.layout_path(name)) as archive:
        for entry in archive.namelist():
            if entry.startswith("word/") and entry.endswith(".xml"):
                xml = archive.read(entry).decode("utf-8")
                for tag in re.findall(r"\{[{%].*?[}%]\}", xml, flags=re.S):
                    assert "<" not in tag, (entry, tag)


@pytest.mark.parametrize("name", layouts.LAYOUTS)
def test_layouts_name_their_fonts(name: str) -> None:
    with zipfile.ZipFile(layouts.layout_path(name)) as archive:
        styles = archive.read("word/styles.xml").decode("utf-8")
    assert "Theme=" not in re.sub(r"<w:latentStyles.*?</w:latentStyles>", "", styles, flags=re.S)
    assert 'w:ascii="Liberation Serif"' in styles


@pytest.mark.parametrize("name", layouts.LAYOUTS)
def test_layouts_carry_only_what_they_use(name: str) -> None:
    """Every document carries its layout's parts; python-docx's unused ones cost in every build."""
    with zipfile.ZipFile(layouts.layout_path(name)) as archive:
        entries = archive.namelist()
        styles = archive.read("word/styles.xml").decode("utf-8")
        used = set()
        for entry in entries:
            if entry.startswith("word/") and entry.endswith(".xml") and entry != "word/styles.xml":
                used |= set(re.findall(r'w:(?:pStyle|rStyle|tblStyle) w:val="([^"]+)"', archive.read(entry).decode()))
    for unused in layouts.UNUSED_PARTS:
        assert not [e for e in entries if unused in e], unused
    assert "<w:latentStyles" not in styles
    defined = re.findall(r'<w:style [^>]*w:styleId="([^"]+)"', styles)
    assert used <= set(defined)
    based = set(re.findall(r'<w:(?:basedOn|next|link) w:val="([^"]+)"', styles))
    defaults = set(re.findall(r'<w:style [^>]*w:default="1"[^>]*w:styleId="([^"]+)"', styles))
    assert set(defined) <= used | based | defaults

def test_docx_environment_escapes() -> None:
    assert render._docx_env().autoescape is True
    assert make_env(autoescape=True).autoescape is True


def test_hostile_values_print_literally(tmp_path: Path) -> None:
    path = write_patched(
        tmp_path,
        {"cooperative.name": {"ru": HOSTILE, "kk": HOSTILE, "en": HOSTILE}, "cooperative.short_name": None},
    )
    coop = cooperative(path)
    (doc,) = clauses.render_all(coop, "membership", ["ru"])
    data = render.render_docx(doc, render.Page(header=HOSTILE, author=HOSTILE, draft=None, pack=DEFAULT_PACK))
    text = render.docx_text(data)
    assert f"Потребительский кооператив «{HOSTILE}»" in text
    # with autoescape off, docxtpl silently drops most paragraphs: every clause must be there
    clause_count = sum(len(s.clauses) + sum(len(c.items) for c in s.clauses) for s in doc.sections)
    assert len(text) >= clause_count
    opened = open_docx(io.BytesIO(data))
    header = "".join(p.text for p in opened.sections[0].header.paragraphs)
    assert HOSTILE in header
    assert opened.core_properties.author == HOSTILE


def test_numbering_is_identical_in_every_language() -> None:
    coop = cooperative(EXAMPLES / "housing-savings.yaml")
    for name in TEXT_DOCS:
        docs = clauses.render_all(coop, name, ["ru", "kk", "en"])
        shapes = [[(s.number, [(c.id, c.number, len(c.items)) for c in s.clauses]) for s in d.sections] for d in docs]
        assert shapes[0] == shapes[1] == shapes[2], name


def test_build_is_byte_identical() -> None:
    coop = cooperative()
    first = build_outputs(coop, Options())
    second = build_outputs(coop, Options())
    assert [o.name for o in first] == [o.name for o in second]
    assert [o.data for o in first] == [o.data for o in second]


def test_every_output_opens_with_python_docx() -> None:
    coop = cooperative()
    for output in build_outputs(coop, Options()):
        doc = open_docx(io.BytesIO(output.data))
        assert doc.core_properties.title
        assert len(doc.paragraphs) > 20, output.name


def test_parallel_layout_aligns_kk_and_ru() -> None:
    coop = cooperative()
    outputs = build_outputs(coop, Options(docs=("charter",), layout="parallel"))
    assert [o.name for o in outputs] == ["charter.kk-ru.docx"]
    doc = open_docx(io.BytesIO(outputs[0].data))
    (table,) = doc.tables
    kk, ru = clauses.render_all(coop, "charter", ["kk", "ru"])
    rows = [(row.cells[0].text, row.cells[1].text) for row in table.rows]
    first_clause = kk.sections[0].clauses[0]
    assert (f"1.1. {first_clause.text}", f"1.1. {ru.sections[0].clauses[0].text}") in rows
    assert all(left.split(" ", 1)[0] == right.split(" ", 1)[0] for left, right in rows)


def test_draft_mark_on_every_page_header() -> None:
    coop = cooperative()
    outputs = build_outputs(coop, Options(docs=("disputes",), draft=True, counts={"errors": 2, "red_flags": 1}))
    for output in outputs:
        doc = open_docx(io.BytesIO(output.data))
        header = " ".join(p.text for p in doc.sections[0].header.paragraphs)
        assert "2" in header and "1" in header
        assert ("ПРОЕКТ" in header) or ("ЖОБА" in header)


def _table_by_python_docx(rows: list[list[str]]) -> bytes:
    """The table as python-docx's own API builds it (what ``render.table_element`` replaces)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = open_docx(str(layouts.layout_path("document")))
    table = doc.add_table(rows=len(rows), cols=len(rows[0]))
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        line = OxmlElement(f"w:{edge}")
        for attr, value in (("val", "single"), ("sz", "4"), ("space", "0"), ("color", "808080")):
            line.set(qn(f"w:{attr}"), value)
        borders.append(line)
    table._tbl.tblPr.append(borders)
    widths = render.column_widths(rows, doc._block_width)
    for c, width in enumerate(widths):
        table.columns[c].width = Emu(width)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.cell(r, c).width = Emu(widths[c])
            paragraph = table.cell(r, c).paragraphs[0]
            paragraph.paragraph_format.space_before = paragraph.paragraph_format.space_after = Pt(1)
            paragraph.paragraph_format.first_line_indent = Pt(0)
            run = paragraph.add_run(text)
            run.font.size = Pt(8)
            run.bold = r == 0
    return etree.tostring(table._tbl, method="c14n", exclusive=True)


def test_table_xml_is_what_python_docx_makes() -> None:
    """The compliance report's tables are written as XML text (fast); the elements are exactly those
    python-docx's table API made, escaping, kept spaces, tabs and line breaks included."""
    rows = [["Правило", "Итог", "Статья"], [" 1.1 ", "A & B <c>", "x\ty\nz\r"], ["", "«Ә»", "  "]]
    doc = open_docx(str(layouts.layout_path("document")))
    ours = etree.tostring(render.table_element(rows, doc._block_width), method="c14n", exclusive=True)
    assert ours == _table_by_python_docx(rows)


def test_form_blanks_and_unbreakable_words_are_not_justified() -> None:
    """A clause or item with a form's blank (or a 40-character word, such as the compliance report's
    SHA-256) is aligned left, so Word and LibreOffice do not push its words apart; the rest is
    justified. The Typst layout follows the same rule (test_typeset)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    from coopdocs.compose.doctree import ragged

    coop = check_file(BEREKE).cooperative
    assert coop is not None
    left = {}
    for output in build_outputs(coop, Options(docs=("application", "compliance"), langs=("ru",))):
        paragraphs = [p for p in open_docx(io.BytesIO(output.data)).paragraphs if p.style.name.startswith("Clause")]
        for paragraph in paragraphs:
            expected = WD_ALIGN_PARAGRAPH.LEFT if ragged(paragraph.text) else WD_ALIGN_PARAGRAPH.JUSTIFY
            assert paragraph.alignment == expected, (output.name, paragraph.text[:80])
        left[output.name] = sum(p.alignment == WD_ALIGN_PARAGRAPH.LEFT for p in paragraphs)
    assert left["application.ru.docx"] >= 20 and left["compliance.ru.docx"] >= 2, left


def _keeps_next(paragraph) -> bool:  # noqa: ANN001
    """The paragraph's own w:keepNext, else its style's."""
    own = paragraph.paragraph_format.keep_with_next
    return bool(paragraph.style.paragraph_format.keep_with_next if own is None else own)


@pytest.mark.parametrize("example", ["bereke.yaml", "housing-savings.yaml"])
def test_lead_ins_and_the_last_clause_keep_with_what_follows(example: str) -> None:
    """A list's lead-in keeps with its first item, the last item (or the last clause) of a signed
    document with the signature block, and the signature lines together (w:keepNext, honoured by
    Word and LibreOffice); nothing else is tied to the next paragraph. Without it LibreOffice left
    lead-ins last on a page and agri-supply's signature block alone on the minutes' last page."""
    coop = cooperative(EXAMPLES / example)
    checked = 0
    for output in build_outputs(coop, Options(docs=("charter", "minutes", "membership"), langs=("ru",))):
        paragraphs = [p for p in open_docx(io.BytesIO(output.data)).paragraphs if p.text.strip()]
        styles = [p.style.name for p in paragraphs]
        signed = "Signature" in styles
        for at, (paragraph, style) in enumerate(zip(paragraphs, styles, strict=True)):
            after = styles[at + 1] if at + 1 < len(styles) else None
            if style == "Clause" or style == "Clause Item":
                leads = style == "Clause" and after == "Clause Item"
                tail = signed and after == "Signature"
                assert _keeps_next(paragraph) == (leads or tail), (output.name, paragraph.text[:60])
                checked += leads
            elif style == "Signature":
                assert _keeps_next(paragraph), (output.name, paragraph.text)
        assert not signed or _keeps_next(paragraphs[styles.index("Signature") - 1]), output.name
    assert checked >= 20


def test_a_three_column_table_gives_the_rest_of_the_line_to_its_last_column() -> None:
    """The compliance report's table (rule | result | legal basis) sizes its first two columns by
    their longest cell, as the Typst layout does (auto, auto, 1fr): with three equal columns the
    legal basis wrapped every few words and LibreOffice set 11 pages where Typst set 9."""
    coop = cooperative()
    (output,) = build_outputs(coop, Options(docs=("compliance",), langs=("ru",)))
    doc = open_docx(io.BytesIO(output.data))
    assert doc.tables
    for table in doc.tables:
        widths = [int(col.get(f"{{{W}}}w")) for col in table._tbl.tblGrid.iter(f"{{{W}}}gridCol")]
        if len(widths) != 3:
            continue
        total = sum(widths)
        assert abs(total - Emu(doc._block_width).twips) <= 3, widths
        assert widths[1] < total / 5 and widths[2] >= 2 * total / 5 - 3, widths  # a result is a word or two
        assert widths[2] > widths[0] > 2 * widths[1], widths
        cells = [row.cells[1].width for row in table.rows]
        assert all(cell == Emu(widths[1] * 635) for cell in cells), "every cell as wide as its column"


def test_parallel_rows_keep_with_what_follows() -> None:
    """In the kk | ru table a heading row and a list's lead-in row keep with the next row (w:keepNext
    in both cells); other rows may end a page. The last row holds each language's signature block
    under its own column and cannot split (w:cantSplit), so the signatures never stand alone on a
    page, in Word or in LibreOffice (which ignores keep-with-next inside a table)."""
    coop = cooperative(EXAMPLES / "agri-supply.yaml")
    (output,) = build_outputs(coop, Options(docs=("minutes",), layout="parallel"))
    doc = open_docx(io.BytesIO(output.data))
    (table,) = doc.tables
    texts = [row.cells[0].paragraphs[0].text for row in table.rows]
    keeps = [all(_keeps_next(cell.paragraphs[0]) for cell in row.cells) for row in table.rows]
    for at, (text, keep) in enumerate(zip(texts, keeps, strict=True)):
        following = texts[at + 1] if at + 1 < len(texts) else None
        lead_in = bool(re.match(r"\d+\.\d+\. ", text)) and following is not None and following.startswith("1) ")
        heading = bool(re.match(r"\d+\. ", text))
        assert keep == (heading or lead_in), (at, text[:60])
    assert sum(keeps) >= 10
    from docx.oxml.ns import qn

    splits = [row._tr.trPr.find(qn("w:cantSplit")) if row._tr.trPr is not None else None for row in table.rows]
    whole = [cant is not None and cant.get(qn("w:val")) == "1" for cant in splits]
    assert whole == [False] * (len(whole) - 1) + [True]
    last = table.rows[-1].cells
    signed = [[p.text for p in cell.paragraphs[1:] if p.text] for cell in last]
    assert signed[0][0].startswith("Жиналыс төрағасы") and signed[1][0].startswith("Председатель собрания"), signed
    assert len(signed[0]) == len(signed[1]) >= 4
    assert not [p.text for p in doc.paragraphs if "____" in p.text]  # nothing signed after the table


def test_a_wide_table_gives_each_column_its_longest_word() -> None:
    """The stress test's nine columns: a column is at least as wide as its longest word (in
    LibreOffice the equal columns broke «Орындалмаған,» inside the word), the rest shared."""
    coop = cooperative(EXAMPLES / "housing-savings.yaml")
    (output,) = build_outputs(coop, Options(docs=("compliance",), langs=("kk",)))
    doc = open_docx(io.BytesIO(output.data))
    (table,) = [t for t in doc.tables if len(t.columns) == 9]
    widths = [int(col.get(f"{{{W}}}w")) for col in table._tbl.tblGrid.iter(f"{{{W}}}gridCol")]
    header = [cell.text for cell in table.rows[0].cells]
    wide = next(i for i, text in enumerate(header) if "Орындалмаған" in text)
    assert widths[wide] > sum(widths) / 9 > min(widths), (header, widths)
    assert abs(sum(widths) - Emu(doc._block_width).twips) <= 8, widths
