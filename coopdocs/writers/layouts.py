"""Generate the DOCX layouts in ``templates/layouts/``: styles, fonts, page setup, the header
and the "page X of Y" footer, and the docxtpl loops that lay out the clauses.

The layouts hold no legal wording; that lives in the clause libraries. Regenerate them with
``python -m coopdocs.writers.layouts`` after changing this file; a test checks that the committed files
match what this module produces.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from coopdocs.packs.pack import data_root
from coopdocs.writers.docxzip import deterministic_zip

FONT = "Liberation Serif"
LAYOUTS = ("document", "parallel")


def _fonts(rpr_owner: object) -> None:
    """Name the font for every script and drop theme fonts (LibreOffice renders those as DejaVu)."""
    rpr = rpr_owner.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        if attr.endswith("Theme"):
            del fonts.attrib[attr]
    for script in ("ascii", "hAnsi", "cs", "eastAsia"):
        fonts.set(qn(f"w:{script}"), FONT)


def _style(
    doc,
    name: str,
    *,
    size: float = 12,
    bold: bool = False,
    italic: bool = False,
    align: int | None = None,
    before: float = 0,
    after: float = 6,
    indent: float = 0,
    first_line: float = 0,
    keep_next: bool = False,
    color: RGBColor | None = None,
    base: str | None = "Normal",
):  # noqa: ANN001, ANN202
    styles = doc.styles
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    if base and name != base:
        style.base_style = styles[base]
    style.font.name = FONT
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = italic
    if color is not None:
        style.font.color.rgb = color
    fmt = style.paragraph_format
    if align is not None:
        fmt.alignment = align
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    fmt.left_indent = Cm(indent)
    fmt.first_line_indent = Cm(first_line)
    fmt.keep_with_next = keep_next
    fmt.line_spacing = 1.1
    _fonts(style.element)
    return style


def _shade(style, fill: str) -> None:  # noqa: ANN001
    ppr = style.element.get_or_add_pPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    borders = OxmlElement("w:pBdr")
    left = OxmlElement("w:left")
    for key, value in (("val", "single"), ("sz", "18"), ("space", "6"), ("color", "7F7F7F")):
        left.set(qn(f"w:{key}"), value)
    borders.append(left)
    ppr.append(borders)
    ppr.append(shd)


def _field(paragraph, instruction: str) -> None:  # noqa: ANN001
    """A PAGE / NUMPAGES field with a placeholder result, updated by Word and LibreOffice."""
    run = paragraph.add_run()
    for kind, text in (
        ("begin", None),
        ("instr", f" {instruction} "),
        ("separate", None),
        ("text", "1"),
        ("end", None),
    ):
        if kind == "instr":
            node = OxmlElement("w:instrText")
            node.set(qn("xml:space"), "preserve")
            node.text = text
        elif kind == "text":
            node = OxmlElement("w:t")
            node.text = text
        else:
            node = OxmlElement("w:fldChar")
            node.set(qn("w:fldCharType"), kind)
        run._r.append(node)
        if kind in ("separate", "instr"):
            run = paragraph.add_run()
    _fonts(run._r)


def _no_theme_fonts(doc) -> None:  # noqa: ANN001
    """python-docx's default styles name theme fonts (Calibri, Cambria); name ours everywhere."""
    for fonts in doc.styles.element.iter(qn("w:rFonts")):
        for attr in list(fonts.attrib):
            if attr.endswith("Theme"):
                del fonts.attrib[attr]
        for script in ("ascii", "hAnsi", "cs", "eastAsia"):
            fonts.set(qn(f"w:{script}"), FONT)


def _styles(doc) -> None:  # noqa: ANN001
    _no_theme_fonts(doc)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(12)
    _fonts(normal.element)
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
        if rpr is not None:
            fonts = rpr.find(qn("w:rFonts"))
            if fonts is not None:
                for attr in list(fonts.attrib):
                    del fonts.attrib[attr]
                for script in ("ascii", "hAnsi", "cs", "eastAsia"):
                    fonts.set(qn(f"w:{script}"), FONT)
    centered = WD_ALIGN_PARAGRAPH.CENTER
    justify = WD_ALIGN_PARAGRAPH.JUSTIFY
    _style(doc, "Approval", size=11, align=WD_ALIGN_PARAGRAPH.LEFT, indent=10, after=0)
    _style(doc, "Doc Title", size=16, bold=True, align=centered, before=24, after=6, keep_next=True)
    _style(doc, "Doc Subtitle", size=13, bold=True, align=centered, after=18, keep_next=True)
    _style(doc, "Section Heading", size=12, bold=True, align=centered, before=12, after=6, keep_next=True)
    _style(doc, "Clause", size=12, align=justify, first_line=1.0, after=4)
    _style(doc, "Clause Item", size=12, align=justify, indent=1.0, after=2)
    commentary = _style(
        doc, "Commentary", size=10, align=justify, indent=0.5, after=2, color=RGBColor(0x26, 0x3A, 0x5A)
    )
    _shade(commentary, "EEF2F7")
    _style(
        doc,
        "Commentary Basis",
        size=9,
        italic=True,
        align=WD_ALIGN_PARAGRAPH.LEFT,
        indent=0.5,
        after=8,
        color=RGBColor(0x26, 0x3A, 0x5A),
    )
    # the signature lines are one block, never split over two pages
    _style(doc, "Signature", size=12, align=WD_ALIGN_PARAGRAPH.LEFT, before=12, after=0, keep_next=True)
    _style(doc, "Cell", size=10.5, align=WD_ALIGN_PARAGRAPH.LEFT, after=2)
    _style(
        doc,
        "Running Header",
        size=9,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        after=0,
        color=RGBColor(0x59, 0x59, 0x59),
    )
    _style(
        doc,
        "Draft Mark",
        size=14,
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        after=0,
        color=RGBColor(0xC0, 0x00, 0x00),
    )


def _page(doc, *, landscape: bool) -> None:  # noqa: ANN001
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    section.left_margin = Cm(2.5 if not landscape else 2.0)
    section.right_margin = Cm(1.5 if not landscape else 2.0)
    section.top_margin = Cm(2.0)
    section.bottom_margin = Cm(2.0)
    section.header_distance = Cm(1.0)
    section.footer_distance = Cm(1.0)

    header = section.header
    head = header.paragraphs[0]
    head.style = doc.styles["Running Header"]
    head.add_run("{{ header }}")
    header.add_paragraph("{%p if draft %}")
    mark = header.add_paragraph(style=doc.styles["Draft Mark"])
    mark.add_run("{{ draft }}")
    header.add_paragraph("{%p endif %}")

    foot = section.footer.paragraphs[0]
    foot.style = doc.styles["Running Header"]
    foot.add_run("{{ page.before }}")
    _field(foot, "PAGE")
    foot.add_run("{{ page.middle }}")
    _field(foot, "NUMPAGES")
    foot.add_run("{{ page.after }}")


def _p(doc, text: str, style: str | None = None):  # noqa: ANN001, ANN202
    paragraph = doc.add_paragraph(style=doc.styles[style] if style else None)
    if text:
        paragraph.add_run(text)
    return paragraph


def _commentary_block(doc) -> None:  # noqa: ANN001
    _p(doc, "{%p if c.commentary %}")
    meaning = doc.add_paragraph(style=doc.styles["Commentary"])
    meaning.add_run("{{ labels.meaning }} ").bold = True
    meaning.add_run("{{ c.commentary.meaning }}")
    choice = doc.add_paragraph(style=doc.styles["Commentary"])
    choice.add_run("{{ labels.choice }} ").bold = True
    choice.add_run("{{ c.commentary.choice }}")
    basis = doc.add_paragraph(style=doc.styles["Commentary Basis"])
    basis.add_run("{{ labels.basis }} ").bold = True
    basis.add_run("{{ c.commentary.basis_text }}")
    _p(doc, "{%p endif %}")


def _title_block(*, landscape: bool):  # noqa: ANN202
    """A new layout with its styles, page set-up, header and footer, and the title block."""
    doc = Document()
    _styles(doc)
    _page(doc, landscape=landscape)
    body = doc.paragraphs[0] if doc.paragraphs else None
    if body is not None:
        body._element.getparent().remove(body._element)
    _p(doc, "{%p for line in approval %}")
    _p(doc, "{{ line }}", "Approval")
    _p(doc, "{%p endfor %}")
    _p(doc, "{{ title }}", "Doc Title")
    _p(doc, "{{ subtitle }}", "Doc Subtitle")
    return doc


def _align(paragraph, value: str) -> None:  # noqa: ANN001
    """The paragraph's alignment from the context (``both`` or ``left``), over its style's."""
    jc = OxmlElement("w:jc")
    jc.set(qn("w:val"), value)
    paragraph._p.get_or_add_pPr().append(jc)


def _keep_next(paragraph, value: str) -> None:  # noqa: ANN001
    """Whether the paragraph stays on the page of the next one, from the context ("1" or "0")."""
    keep = OxmlElement("w:keepNext")
    keep.set(qn("w:val"), value)
    ppr = paragraph._p.get_or_add_pPr()
    style = ppr.find(qn("w:pStyle"))
    ppr.insert(0 if style is None else list(ppr).index(style) + 1, keep)


def build_document_layout() -> bytes:
    doc = _title_block(landscape=False)
    _p(doc, "{%p for s in sections %}")
    _p(doc, "{{ s.number }}. {{ s.title }}", "Section Heading")
    _p(doc, "{%p for c in s.clauses %}")
    # A form's blanks and a word that cannot break are never justified (doctree.ragged).
    # A list's lead-in (or a table's or figure's caption) stays with what it leads; the last
    # clause, or its last item, with the signatures (doctree.keeps_next; document.typ: sticky).
    clause = _p(doc, "{{ c.number }}. {{ c.text }}", "Clause")
    _keep_next(clause, "{{ c.keep }}")
    _align(clause, "{{ c.align }}")
    _p(doc, "{%p for item in c.points %}")
    item = _p(doc, "{{ item }}", "Clause Item")
    _keep_next(item, "{{ c.point_keep[loop.index0] }}")
    _align(item, "{{ c.point_align[loop.index0] }}")
    _p(doc, "{%p endfor %}")
    _commentary_block(doc)
    _p(doc, "{%p endfor %}")
    _p(doc, "{%p endfor %}")
    _p(doc, "{%p for line in closing %}")
    _p(doc, "{{ line }}", "Signature")
    _p(doc, "{%p endfor %}")
    return _save(doc)


def build_parallel_layout() -> bytes:
    doc = _title_block(landscape=True)
    table = doc.add_table(rows=3, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.style = doc.styles["Table Grid"]
    width = Cm(12.85)
    grid = table._tbl.tblGrid
    for col in grid.findall(qn("w:gridCol")):
        col.set(qn("w:w"), str(int(width.twips)))
    for row in table.rows:
        for cell in row.cells:
            cell.width = width
    texts = (("{%tr for row in rows %}", ""), ("{{r row.left }}", "{{r row.right }}"), ("{%tr endfor %}", ""))
    for row, (left, right) in zip(table.rows, texts, strict=True):
        for cell, text, side in zip(row.cells, (left, right), ("left", "right"), strict=True):
            paragraph = cell.paragraphs[0]
            paragraph.style = doc.styles["Cell"]
            if text:
                paragraph.add_run(text)
                # a heading and a list's lead-in stay with what follows them
                _keep_next(paragraph, "{{ row.keep }}")
                # The signatures sit in the last row, each language's under its column: a row that
                # cannot split keeps them with the last clause in every engine (LibreOffice ignores
                # keep-with-next between table rows and the paragraphs after a table).
                cell.add_paragraph("{%p for line in row.signatures_" + side + " %}")
                cell.add_paragraph("{{ line }}", style=doc.styles["Signature"])
                cell.add_paragraph("{%p endfor %}")
    _cant_split(table.rows[1], "{{ row.whole }}")
    return _save(doc)


def _cant_split(row, value: str) -> None:  # noqa: ANN001
    """Whether a table row may break across pages, from the context ("1": it may not)."""
    cant = OxmlElement("w:cantSplit")
    cant.set(qn("w:val"), value)
    row._tr.get_or_add_trPr().append(cant)


# Parts of python-docx's default template that no layout uses. Every document carries its layout's
# parts, so they cost in every build: stylesWithEffects.xml and the 260 latent styles alone were
# 0.8 MB of XML that docxtpl parsed and zipped and LibreOffice imported once per document (half of
# LibreOffice's load time, measured in bench/). The thumbnail showed an empty page.
UNUSED_PARTS = ("stylesWithEffects", "webSettings", "customXml", "numbering", "thumbnail")


def _slim(doc) -> None:  # noqa: ANN001
    """Keep only the styles the layout uses (with what they are based on) and the parts it needs."""
    styles = doc.styles.element
    used: set[str] = set()
    for part in (doc.part, *(s.part for s in (doc.sections[0].header, doc.sections[0].footer))):
        for tag in ("w:pStyle", "w:rStyle", "w:tblStyle"):
            used.update(e.get(qn("w:val")) for e in part.element.iter(qn(tag)))
    by_id = {s.get(qn("w:styleId")): s for s in styles.findall(qn("w:style"))}
    keep: set[str] = set()
    todo = [i for i in used if i] + [i for i, s in by_id.items() if s.get(qn("w:default")) == "1"]
    while todo:
        style_id = todo.pop()
        if style_id in keep or style_id not in by_id:
            continue
        keep.add(style_id)
        for tag in ("w:basedOn", "w:next", "w:link"):
            ref = by_id[style_id].find(qn(tag))
            if ref is not None:
                todo.append(ref.get(qn("w:val")))
    for style_id, style in by_id.items():
        if style_id not in keep:
            styles.remove(style)
    for latent in styles.findall(qn("w:latentStyles")):
        styles.remove(latent)
    for rels in (doc.part.rels, doc.part.package.rels):
        for rid, rel in list(rels.items()):
            if any(name in rel.reltype or name in rel.target_ref for name in UNUSED_PARTS):
                del rels[rid]


def _save(doc) -> bytes:  # noqa: ANN001
    _slim(doc)
    props = doc.core_properties
    props.author = "coopdocs"
    props.title = ""
    props.comments = ""
    props.last_modified_by = "coopdocs"
    props.revision = 1
    import datetime as dt

    fixed = dt.datetime(2026, 1, 1)
    props.created = fixed
    props.modified = fixed
    buffer = io.BytesIO()
    doc.save(buffer)
    return deterministic_zip(buffer.getvalue())


BUILDERS = {"document": build_document_layout, "parallel": build_parallel_layout}


def layout_path(name: str) -> Path:
    return data_root() / "templates" / "layouts" / f"{name}.docx"


def main() -> int:
    target = Path(__file__).resolve().parents[2] / "templates" / "layouts"
    target.mkdir(parents=True, exist_ok=True)
    for name, builder in BUILDERS.items():
        (target / f"{name}.docx").write_bytes(builder())
        print(f"wrote {target / (name + '.docx')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
